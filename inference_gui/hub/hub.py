"""A model hub: where a model's files live, and how to open one of them.

A file lives at ``<root>/<template>/<path>``. The root is an http(s) URL or a local folder; a local
folder may also be a converter's output with no revision level (``org/model/onnx/...``). Every name
is checked (:mod:`inference_gui.hub.names`) before a URL or path is built from it.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from inference_gui.errors import HubError
from inference_gui.hub import transport
from inference_gui.hub.names import check_file_path, check_names
from inference_gui.hub.retry import Retry, retrying
from inference_gui.hub.transport import Body, Exchange, Notify, TransientHubError
from inference_gui.hub.types import Head, RemoteFile
from inference_gui.hub.urls import UrlPolicy, check_url
from inference_gui.safepath import safe_join

if TYPE_CHECKING:
    from inference_gui.config import Settings

DEFAULT_TEMPLATE = "{model}/{revision}"
# Until a hub has answered once, waiting longer than this for its first answer is not worth it.
FIRST_ANSWER_TIMEOUT = 15.0
HF_HOSTS = frozenset({"huggingface.co", "hf.co"})


class Hub:
    """One hub: a root, a path template, an optional allow/deny policy, and a timeout.

    ``timeout`` bounds each wait for an answer, and is the window over which a body must keep a
    minimum rate (:mod:`.transport`). ``notify``, when set, hears what a slow request waits for.
    """

    def __init__(
        self,
        root: str | Path,
        template: str = DEFAULT_TEMPLATE,
        *,
        policy: UrlPolicy | None = None,
        offline: bool = False,
        timeout: float = 30.0,
        retry: Retry | None = None,
    ) -> None:
        text = str(root)
        self.is_local = not text.startswith(("http://", "https://"))
        self.template = template.strip("/")
        if "{model}" not in self.template or "{revision}" not in self.template:
            raise HubError(f"The hub template {template!r} lacks {{model}} or {{revision}}.")
        self.policy = policy
        self.offline = offline
        self.timeout = timeout
        self.retry = retry or Retry()
        self.notify: Notify | None = None
        # A hub that has never answered and then ignores a request is not asked again and again.
        self._answered = False
        self._silent: HubError | None = None
        self._noticed = False  # parallel probes waiting on one hub say so once, not each
        if self.is_local:
            self.root = str(Path(text).expanduser().resolve())
            if not Path(self.root).is_dir():
                raise HubError(
                    f"The hub folder {self.root} does not exist.", "Choose an existing folder."
                )
        else:
            check_url(text, what="hub URL")  # the policy is asked per request, not here
            self.root = text if text.endswith("/") else text + "/"

    @classmethod
    def from_settings(cls, settings: Settings, policy: UrlPolicy | None = None) -> Hub:
        return cls(settings.hub, settings.hub_template, policy=policy, offline=settings.offline)

    def __repr__(self) -> str:
        return f"Hub({self.root!r}, {self.template!r})"

    @property
    def host(self) -> str:
        return "local folder" if self.is_local else transport.host_of(self.root)

    @property
    def is_huggingface(self) -> bool:
        return not self.is_local and (
            "/resolve/" in f"/{self.template}/" or transport.host_of(self.root) in HF_HOSTS
        )

    @property
    def key(self) -> str:
        """A folder-safe id for this hub; the cache keeps each hub's files apart under it."""
        if self.is_local:
            name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(self.root).name) or "root"
            return f"local-{name}-{hashlib.sha256(self.root.encode()).hexdigest()[:8]}"
        parts = urlsplit(self.root)
        host = parts.hostname or "hub"
        return re.sub(r"[^A-Za-z0-9._-]", "_", f"{host}_{parts.port}" if parts.port else host)

    # -- locations -----------------------------------------------------------------------------
    def url(self, model_id: str, revision: str, path: str) -> str:
        """The URL of one file (http hubs only), after validating every name."""
        path = check_names(model_id, revision, path) or ""
        prefix = self.template.format(model=model_id, revision=quote(revision, safe=""))
        url = self.root + f"{prefix}/{quote(path)}"
        check_url(url, self.policy)
        return url

    def revision_folder(self, model_id: str, revision: str) -> Path:
        """The local folder holding a revision, or a converter's output folder with no revision."""
        check_names(model_id, revision)
        root = Path(self.root)
        folder = safe_join(root, self.template.format(model=model_id, revision=revision))
        if folder.is_dir():
            return folder
        model_folder = safe_join(root, model_id)
        if (model_folder / "config.json").is_file() or (model_folder / "onnx").is_dir():
            return model_folder
        raise HubError(
            f"Revision {revision} of model {model_id} is not in the hub folder {self.root}.",
            f"Expected {folder} (or a converter's output at {model_folder}).",
        )

    def local_path(self, model_id: str, revision: str, path: str) -> Path:
        return safe_join(self.revision_folder(model_id, revision), check_file_path(path))

    # -- access --------------------------------------------------------------------------------
    def refuse_offline(self, what: str) -> None:
        """Offline means no request at all, so every network path asks here first."""
        if self.offline and not self.is_local:
            raise HubError(
                f"Offline mode is on, so {what} cannot be requested from {self.host}.",
                "Turn offline mode off, or use a file already in the cache.",
            )

    def open(
        self,
        model_id: str,
        revision: str,
        path: str,
        *,
        start: int = 0,
        if_range: str = "",
        if_none_match: str = "",
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> Body | None:
        """Open a file from byte ``start``; None when ``if_none_match`` still matches (unchanged).

        A server that ignores the range answers from byte 0, and ``Body.start`` says so.
        """
        what = f"{path} of {model_id} at {revision}"
        self.refuse_offline(what)
        if self.is_local:
            local = self.local_path(model_id, revision, path)
            if not local.is_file():
                raise self._not_found(model_id, revision, path)
            if if_none_match and transport.local_etag(local) == if_none_match:
                return None
            return transport.file_body(local, start)
        url = self.url(model_id, revision, path)
        headers = {"Accept-Encoding": "identity"}
        if start:
            headers["Range"] = f"bytes={start}-"
            if if_range:
                headers["If-Range"] = if_range
        if if_none_match:
            headers["If-None-Match"] = if_none_match
        response, exchange = self._request("GET", url, what, headers, timeout, cancel)
        status = response.status
        if status == 416 and start:
            exchange.close()
            return self.open(model_id, revision, path, timeout=timeout, cancel=cancel)
        if status in (200, 206):
            return transport.http_body(response, exchange)
        exchange.close()
        if status == 304:
            return None
        raise self._status_error(status, model_id, revision, path)

    def head(
        self,
        model_id: str,
        revision: str,
        path: str,
        *,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> Head | None:
        """Size and ETag of a file, or None when the hub does not have it; retried like a GET."""
        what = f"{path} of {model_id} at {revision}"
        self.refuse_offline(what)
        if self.is_local:
            try:
                local = self.local_path(model_id, revision, path)
            except HubError:
                return None
            if not local.is_file():
                return None
            return Head(local.stat().st_size, transport.local_etag(local))
        url = self.url(model_id, revision, path)

        def probe() -> Head | None:
            response, exchange = self._request("HEAD", url, what, {}, timeout, cancel)
            exchange.close()
            if response.status == 404:
                return None
            if response.status != 200:
                raise self._status_error(response.status, model_id, revision, path)
            return Head(transport.content_length(response), response.getheader("ETag") or "")

        return retrying(probe, retry=self.retry, what=f"asking {self.host} about {what}")

    def _request(
        self,
        method: str,
        url: str,
        what: str,
        headers: dict[str, str],
        timeout: float | None,
        cancel: threading.Event | None,
    ) -> tuple[http.client.HTTPResponse, Exchange]:
        """One request through :func:`transport.http_request`, remembering a silent hub.

        A hub silent from the start fails its first unanswered request at once, with no retry,
        and so does every later one (a probe asks dozens of files; none should wait out the same
        silence).
        """
        if self._silent is not None:
            raise self._silent
        timeout = timeout or self.timeout
        try:
            response, exchange = transport.http_request(
                method,
                url,
                what=what,
                headers=headers,
                timeout=timeout if self._answered else min(timeout, FIRST_ANSWER_TIMEOUT),
                policy=self.policy,
                cancel=cancel,
                notify=self._notice,
            )
        except transport.NoAnswer as exc:
            if self._answered:
                raise
            self._silent = HubError(exc.message, exc.hint)
            raise self._silent from exc
        self._answered, self._noticed = True, False
        return response, exchange

    def _notice(self, line: str) -> None:
        if self.notify is not None and not self._noticed:
            self._noticed = True
            self.notify(line)

    def list_files(self, model_id: str, revision: str) -> list[RemoteFile]:
        """Every file of a revision with its size, sorted by path (see :mod:`.listing`)."""
        from inference_gui.hub.listing import list_files

        return list_files(self, model_id, revision)

    # -- errors --------------------------------------------------------------------------------
    def _not_found(self, model_id: str, revision: str, path: str) -> HubError:
        return HubError(
            f"The file {path} is not in revision {revision} of model {model_id} on {self.host}.",
            "Check the model id, the revision and the dtype; 'cache fetch' lists what exists.",
        )

    def _status_error(self, status: int, model_id: str, revision: str, path: str) -> HubError:
        if status == 404:
            return self._not_found(model_id, revision, path)
        if status in (401, 403):
            return HubError(
                f"{self.host} refused access ({status}) to {path} of {model_id} at {revision}.",
                "The model may be private or gated, or the hub may deny this client.",
            )
        if status >= 500 or status == 429:
            return TransientHubError(
                f"{self.host} failed ({status}) serving {path} of {model_id} at {revision}.",
                "The hub is having trouble; try again later.",
            )
        return HubError(f"{self.host} answered {status} for {path} of {model_id} at {revision}.")
