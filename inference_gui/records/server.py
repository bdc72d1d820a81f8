"""A Remote Settings client that reads collections the way the client specification asks.

One sync polls the monitor collection (``monitor/changes``) for each collection's latest timestamp,
then fetches ``/buckets/main/collections/{cid}/changeset?_expected={timestamp}``; the ``_expected``
value is what makes CDN caches serve fresh data. The server's ``Backoff`` (and ``Retry-After`` on
an error) header is obeyed, capped at an hour: its deadline is persisted and no request is made
before it (unless the person clears it).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from inference_gui import __version__
from inference_gui.errors import RecordError
from inference_gui.http_headers import parse_delay
from inference_gui.records.model import format_time

USER_AGENT = f"inference-gui/{__version__} (Remote Settings client)"
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Changeset:
    changes: list[Any]
    metadata: dict[str, Any]
    timestamp: int


class Unreachable(RecordError):
    """The server did not answer at all (refused, DNS, timeout): the last sync is what is left."""


class RemoteSettingsClient:
    """Talks to one server; ``backoff_until``/``set_backoff`` persist its Backoff deadline."""

    def __init__(
        self,
        server: str,
        *,
        backoff_until: Callable[[], float],
        set_backoff: Callable[[float], None],
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.server = server.rstrip("/")
        self.timeout = timeout
        self._backoff_until = backoff_until
        self._set_backoff = set_backoff
        self._clock = clock
        self._chains: dict[str, bytes] = {}

    def latest_timestamps(self) -> dict[str, int]:
        """Each ``main`` collection's current timestamp, from the monitor collection.

        This starts every sync, so it is where a pending Backoff stops us; a Backoff received
        during a sync applies to the next one.
        """
        self._check_backoff()
        url = f"{self.server}/v1/buckets/monitor/collections/changes/changeset?_expected=0"
        body = self._get_json(url)
        entries = body.get("changes") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise RecordError(
                f"The settings server's monitor/changes at {url} has no list of changes."
            )
        return {
            e["collection"]: e["last_modified"]
            for e in entries
            if isinstance(e, dict)
            and e.get("bucket") == "main"
            and isinstance(e.get("last_modified"), int)
        }

    def changeset(self, collection: str, expected: int) -> Changeset:
        url = (
            f"{self.server}/v1/buckets/main/collections/{quote(collection, safe='')}"
            f"/changeset?_expected={expected}"
        )
        body = self._get_json(url)
        if not (
            isinstance(body, dict)
            and isinstance(body.get("changes"), list)
            and isinstance(body.get("timestamp"), int)
        ):
            raise RecordError(
                f"The settings server's answer for {collection} is not a changeset.",
                'Expected {"changes": [...], "metadata": {...}, "timestamp": N}; check the URL.',
            )
        metadata = body["metadata"] if isinstance(body.get("metadata"), dict) else {}
        return Changeset(body["changes"], metadata, body["timestamp"])

    def certificate_chain(self, url: str) -> bytes:
        """The PEM chain a signature's ``x5u`` names, fetched once per client (one sync)."""
        if not url.startswith(("https://", "http://")):
            raise RecordError(f"The certificate chain URL {url} is not http(s).")
        if url not in self._chains:
            self._chains[url] = self._get(url, "application/x-pem-file, */*")
        return self._chains[url]

    def _check_backoff(self) -> None:
        until, now = self._backoff_until(), self._clock()
        if until > now:
            minutes = max(1, round((until - now) / 60))
            raise RecordError(
                f"The settings server {self.server} asked to be left alone until "
                f"{format_time(until)} (Backoff, {minutes} min more); no request was made.",
                "Wait until then, or clear it ('records sync --clear-backoff'); the last sync "
                "(or the embedded dump) stays in use.",
            )

    def _remember_backoff(self, headers: Any) -> None:
        for name in ("Backoff", "Retry-After"):
            now = self._clock()
            delay = parse_delay(headers.get(name) if headers is not None else None, now=now)
            if delay:
                self._set_backoff(now + delay)
                return

    def _get_json(self, url: str) -> Any:
        raw = self._get(url, "application/json")
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise RecordError(
                f"The settings server's answer at {url} is not valid JSON ({exc}).",
                "Check that the URL points at a Remote Settings server.",
            ) from exc

    def _get(self, url: str, accept: str) -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                self._remember_backoff(response.headers)
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            self._remember_backoff(exc.headers)
            raise _server_error(url, exc) from exc
        except TimeoutError as exc:
            raise Unreachable(
                f"The settings server {self.server} did not answer within {self.timeout:g} s.",
                "Check the server or your connection; the last sync stays in use.",
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Unreachable(
                f"The settings server {self.server} cannot be reached: {reason}.",
                "Check the server URL or your connection; the last sync stays in use.",
            ) from exc


def _server_error(url: str, exc: urllib.error.HTTPError) -> RecordError:
    """The server's own JSON error (code, errno, message) when it sent one, else the HTTP status."""
    detail = ""
    try:
        body = json.loads(exc.read() or b"null")
    except (ValueError, OSError):
        body = None
    if isinstance(body, dict) and body.get("message"):
        errno = f", errno {body['errno']}" if "errno" in body else ""
        detail = f" (code {body.get('code', exc.code)}{errno}): {body['message']}"
    else:
        detail = f": {exc.reason}"
    return RecordError(
        f"The settings server answered HTTP {exc.code} for {url}{detail}.",
        "Check the server URL and collection name; the last sync stays in use.",
    )
