"""Bytes from a hub, whether it is a web server or a local folder, behind one small interface.

The cache's downloader resumes, hashes and retries without caring where bytes come from; this module
opens an HTTP response (following only redirects that pass :mod:`inference_gui.hub.urls`) or a
local file, and reports where the body starts, the whole file's size and its ETag.
"""

from __future__ import annotations

import http.client
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from inference_gui import __version__
from inference_gui.errors import HubError
from inference_gui.hub.urls import UrlPolicy, check_redirect, check_url

MAX_REDIRECTS = 5
USER_AGENT = f"inference-gui/{__version__}"
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")

# What a dropped, reset or stalled connection raises while reading; all worth a retry.
NETWORK_ERRORS = (OSError, http.client.HTTPException, socket.timeout)


class TransientHubError(HubError):
    """A failure that may go away if tried again: a 5xx answer, a reset, a timeout, no route."""


@dataclass
class Body:
    """An open download: ``start`` is the offset of the first byte; ``size`` the whole file's."""

    stream: BinaryIO
    start: int
    size: int | None
    etag: str
    content_type: str
    closer: object = None

    def readinto(self, buffer: memoryview) -> int:
        """Fill ``buffer`` (fewer bytes only at the end); 0 once the body is over.

        A read waits until the buffer is full, so the caller sizes buffers to how fast bytes come
        (see :mod:`inference_gui.cache.download`) to keep progress and cancelling prompt.
        """
        try:
            return self.stream.readinto(buffer)  # type: ignore[attr-defined]
        except NETWORK_ERRORS as exc:
            raise TransientHubError(f"The connection dropped while downloading: {exc}.") from exc

    def close(self) -> None:
        self.stream.close()
        close = getattr(self.closer, "close", None)
        if close is not None:
            close()


def http_request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float,
    policy: UrlPolicy | None = None,
) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    """Send one request, following safe redirects; the caller closes the returned connection."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = check_url(url, policy)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        assert parts.hostname is not None  # check_url refuses a URL without a host
        connection = connection_class(parts.hostname, parts.port, timeout=timeout)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                method, target, headers={"User-Agent": USER_AGENT, **(headers or {})}
            )
            response = connection.getresponse()
        except NETWORK_ERRORS as exc:
            connection.close()
            raise TransientHubError(
                f"Could not reach {parts.hostname}: {exc}.",
                "Check the network and the hub URL, or turn on offline mode to use only the cache.",
            ) from exc
        if response.status in (301, 302, 303, 307, 308):
            location = response.getheader("Location")
            response.read()
            connection.close()
            if not location:
                raise HubError(f"{parts.hostname} answered a redirect without a target for {url}.")
            url = check_redirect(url, location, policy)
            continue
        return response, connection
    raise HubError(f"Too many redirects fetching {url}.", "Check the hub URL.")


def http_body(response: http.client.HTTPResponse, connection: object) -> Body:
    """Wrap a 200/206 response, reading the real offset from ``Content-Range``."""
    length = response.getheader("Content-Length")
    etag = response.getheader("ETag") or ""
    content_type = response.getheader("Content-Type") or ""
    if response.status == 206:
        match = _CONTENT_RANGE.match(response.getheader("Content-Range") or "")
        if not match:
            connection.close()  # type: ignore[attr-defined]
            raise TransientHubError(
                "The hub answered a range request without a valid Content-Range."
            )
        total = None if match[3] == "*" else int(match[3])
        return Body(response, int(match[1]), total, etag, content_type, connection)
    return Body(
        response, 0, int(length) if length is not None else None, etag, content_type, connection
    )


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
