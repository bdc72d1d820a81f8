"""Bytes from a hub, whether it is a web server or a local folder, behind one small interface.

The cache's downloader resumes, hashes and retries without caring where bytes come from; this module
opens an HTTP response (following only redirects that pass :mod:`inference_gui.hub.urls`) or a
local file, and reports where the body starts, the whole file's size and its ETag.

No network wait is left to the socket alone: a :class:`Watch` per request, checked several times a
second by one watchdog thread, ends the wait (by shutting the socket down) when the caller cancels,
when the hub has not answered within the timeout, or when a body arrives slower than ``MIN_RATE``
over a window of the timeout's length; it also says once what is being waited for.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from inference_gui import __version__
from inference_gui.cancel import current_cancel
from inference_gui.errors import AppError, Cancelled, HubError
from inference_gui.http_headers import parse_content_range, parse_length
from inference_gui.hub.urls import UrlPolicy, check_redirect, check_url

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0  # seconds to open a connection, at most; shorter when the timeout is
MIN_RATE = 1024  # bytes per second a body must average over each window of ``timeout`` seconds
TICK = 0.2  # how often the watchdog looks: cancel and timeouts take effect within this
NOTICE_AFTER = 3.0  # seconds of silence before saying what is being waited for
USER_AGENT = f"inference-gui/{__version__}"

# What a dropped, reset or stalled connection raises while reading; all worth a retry.
NETWORK_ERRORS = (OSError, http.client.HTTPException, socket.timeout)


class TransientHubError(HubError):
    """A failure that may go away if tried again: a 5xx answer, a reset, a timeout, no route."""


class HubUnavailable(HubError):
    """A request kept failing in ways that may pass, every retry spent: the hub is out of reach.

    For now, that is; a caller holding a cached copy may use it instead.
    """


class NoAnswer(TransientHubError):
    """The hub took the request and said nothing within the timeout."""


# Called with one line saying what a request is still waiting for.
Notify = Callable[[str], None]


class Watch:
    """One request's waits: its socket, its phase, and what ended it, if anything did."""

    def __init__(
        self,
        host: str,
        what: str,
        timeout: float,
        cancel: threading.Event | None,
        notify: Notify | None,
    ) -> None:
        self.host, self.what, self.timeout = host, what, timeout
        self.cancel, self.notify = cancel, notify
        self.sock: socket.socket | None = None
        self.answering = True  # waiting for the status line; False once a body is read
        self.since = time.monotonic()
        self.window_bytes = 0
        self.noticed = False
        self.tripped: AppError | None = None
        self._lock = threading.Lock()

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            self.sock = sock
            if self.tripped is not None:
                _shut(sock)

    def answered(self) -> None:
        with self._lock:
            self.answering, self.since, self.window_bytes = False, time.monotonic(), 0

    def received(self, count: int) -> None:
        self.window_bytes += count  # a lost update only makes the rate look lower for one tick

    def check(self, now: float) -> None:
        """Called by the watchdog: end the wait if it was cancelled, unanswered or too slow."""
        waited = now - self.since
        if self.cancel is not None and self.cancel.is_set():
            self._trip(Cancelled(f"Waiting for {self.host} ({self.what}) was cancelled."))
        elif self.answering and waited > self.timeout:
            self._trip(
                NoAnswer(
                    f"{self.host} took the connection but did not answer {self.what} "
                    f"within {self.timeout:g} s.",
                    "Check the hub URL points at a model hub, or try again later.",
                )
            )
        elif self.answering and not self.noticed and waited > min(NOTICE_AFTER, self.timeout / 2):
            self.noticed = True
            message = f"Waiting for {self.host} to answer {self.what} ({waited:.0f} s so far)…"
            log.warning(message)
            if self.notify is not None:
                self.notify(message)
        elif not self.answering and waited >= self.timeout:
            if self.window_bytes < MIN_RATE * self.timeout:
                self._trip(
                    TransientHubError(
                        f"{self.host} sent {self.what} too slowly: {self.window_bytes} bytes in "
                        f"the last {waited:.0f} s.",
                        "The hub or the network is stalled; try again later.",
                    )
                )
            else:
                self.since, self.window_bytes = now, 0

    def _trip(self, error: AppError) -> None:
        with self._lock:
            if self.tripped is None:
                self.tripped = error
                _shut(self.sock)

    def fail(self, exc: BaseException | None = None) -> None:
        """Raise what ended the wait, if the watchdog ended it; otherwise return."""
        if self.tripped is not None:
            raise self.tripped from exc


def _shut(sock: socket.socket | None) -> None:
    """Wake whoever is blocked on ``sock``: its reads return at once."""
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed or never connected
            sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread checking every open request's :class:`Watch` each ``TICK``."""

    def __init__(self) -> None:
        self._watches: set[Watch] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, watch: Watch) -> None:
        with self._lock:
            self._watches.add(watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hub-watchdog", daemon=True)
                self._thread.start()

    def remove(self, watch: Watch) -> None:
        with self._lock:
            self._watches.discard(watch)

    def _run(self) -> None:
        while True:
            time.sleep(TICK)
            with self._lock:
                watches = list(self._watches)
            now = time.monotonic()
            for watch in watches:
                try:
                    watch.check(now)
                except Exception:  # noqa: BLE001 - a notify callback must not stop the watchdog
                    log.exception("Watching a hub request failed")


WATCHDOG = _Watchdog()


class Exchange:
    """An open request: its connection and its watch; closing it ends both."""

    def __init__(self, connection: http.client.HTTPConnection, watch: Watch) -> None:
        self.connection, self.watch = connection, watch

    def close(self) -> None:
        WATCHDOG.remove(self.watch)
        self.connection.close()


@dataclass
class Body:
    """An open download: ``start`` is the offset of the first byte; ``size`` the whole file's."""

    stream: BinaryIO
    start: int
    size: int | None
    etag: str
    content_type: str
    closer: Exchange | None = None

    def readinto(self, buffer: memoryview) -> int:
        """Read what has arrived into ``buffer`` (one receive at most); 0 once the body is over.

        Over HTTP a read returns as soon as any bytes came, and the request's :class:`Watch` ends
        a read that waits too long, so neither a trickle nor a cancel goes unnoticed.
        """
        watch = self.closer.watch if self.closer is not None else None
        try:
            if watch is None:
                return self.stream.readinto(buffer)  # type: ignore[attr-defined]
            count = self.stream.readinto1(buffer)  # type: ignore[attr-defined]
        except NETWORK_ERRORS as exc:
            if watch is not None:
                watch.fail(exc)
            raise TransientHubError(f"The connection dropped while downloading: {exc}.") from exc
        watch.fail()  # a socket shut down by the watchdog reads as a clean end: it is not one
        watch.received(count)
        return count

    def close(self) -> None:
        self.stream.close()
        if self.closer is not None:
            self.closer.close()


def http_request(
    method: str,
    url: str,
    *,
    what: str,
    headers: dict[str, str] | None = None,
    timeout: float,
    policy: UrlPolicy | None = None,
    cancel: threading.Event | None = None,
    notify: Notify | None = None,
) -> tuple[http.client.HTTPResponse, Exchange]:
    """Send one request, following safe redirects; the caller closes the returned exchange.

    ``what`` names the request in messages; ``timeout`` bounds the wait for an answer and, as a
    window, the rate of the body (see :class:`Watch`). Without a ``cancel``, the cancel event of
    the job running the request applies (:mod:`inference_gui.cancel`).
    """
    for _ in range(MAX_REDIRECTS + 1):
        parts = check_url(url, policy)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        assert parts.hostname is not None  # check_url refuses a URL without a host
        # The socket's own timeout is only a backstop; the watch ends waits sooner.
        connection = connection_class(
            parts.hostname, parts.port, timeout=min(timeout, CONNECT_TIMEOUT)
        )
        watch = Watch(parts.hostname, what, timeout, cancel or current_cancel(), notify)
        exchange = Exchange(connection, watch)
        WATCHDOG.add(watch)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.connect()
            connection.sock.settimeout(timeout + CONNECT_TIMEOUT)
            watch.attach(connection.sock)
            connection.request(
                method, target, headers={"User-Agent": USER_AGENT, **(headers or {})}
            )
            response = connection.getresponse()
            watch.fail()
            watch.answered()
        except NETWORK_ERRORS as exc:
            exchange.close()
            watch.fail(exc)
            raise TransientHubError(
                f"Could not reach {parts.hostname}: {exc}.",
                "Check the network and the hub URL, or turn on offline mode to use only the cache.",
            ) from exc
        except BaseException:
            exchange.close()
            raise
        if response.status in (301, 302, 303, 307, 308):
            location = response.getheader("Location")
            response.read()
            exchange.close()
            if not location:
                raise HubError(f"{parts.hostname} answered a redirect without a target for {url}.")
            url = check_redirect(url, location, policy)
            continue
        return response, exchange
    raise HubError(f"Too many redirects fetching {url}.", "Check the hub URL.")


def content_length(response: http.client.HTTPResponse) -> int | None:
    """The announced length; None when absent; a transient error when it is not a plain number.

    Parsed by :func:`inference_gui.http_headers.parse_length`: ``-5``, ``1e3`` or 400 digits are
    refused as ``abc`` is.
    """
    try:
        return parse_length(response.getheader("Content-Length"), host="The hub")
    except HubError as exc:
        raise TransientHubError(exc.message, exc.hint) from exc


def http_body(response: http.client.HTTPResponse, exchange: Exchange) -> Body:
    """Wrap a 200/206 response, reading the real offset from ``Content-Range``.

    ``Body.size`` is the whole file's size as the answer states it; a 206 whose Content-Length
    disagrees with its own Content-Range is refused here, before any byte is read.
    """
    try:
        length = content_length(response)
        etag = response.getheader("ETag") or ""
        content_type = response.getheader("Content-Type") or ""
        if response.status != 206:
            return Body(response, 0, length, etag, content_type, exchange)
        header = response.getheader("Content-Range")
        try:
            first, last, total = parse_content_range(header, host="The hub")
        except HubError as exc:
            raise TransientHubError(exc.message, exc.hint) from exc
        if length is not None and length != last - first + 1:
            raise TransientHubError(
                f"The hub's Content-Range ({header}) and Content-Length ({length}) disagree."
            )
        return Body(response, first, total, etag, content_type, exchange)
    except BaseException:
        exchange.close()
        raise


def file_body(path: Path, start: int) -> Body:
    stat = path.stat()
    handle = path.open("rb")
    start = start if start <= stat.st_size else 0
    handle.seek(start)
    return Body(handle, start, stat.st_size, local_etag(path), "application/octet-stream")


def local_etag(path: Path) -> str:
    """A cheap validator for a local file: changes when its size or modification time does."""
    stat = path.stat()
    return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'


def host_of(url: str) -> str:
    return urlsplit(url).hostname or url
