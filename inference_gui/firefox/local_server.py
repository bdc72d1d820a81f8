"""Local endpoints a Firefox run reads instead of the internet: a model hub and Remote Settings.

Both listen on 127.0.0.1 (port chosen by the system) and are addressed as ``localhost``, the one
host Firefox's ML model hub always allows. The hub serves ``/<org>/<name>/<revision>/<file>``
(``browser.ml.modelHubUrlTemplate`` = ``{model}/{revision}``) from our cache or a folder; Remote
Settings serves what Firefox's client syncs — the server root (for the attachments' base URL),
``monitor/changes``, each collection's ``changeset`` — and the attachments themselves.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from inference_gui.engine.sources import ModelFiles
from inference_gui.errors import AppError

FilesFor = Callable[[str, str], ModelFiles | None]
MONITOR = "/v1/buckets/monitor/collections/changes/changeset"
COLLECTION = "/v1/buckets/main/collections/"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes | Path  # a Path is streamed from disk
    content_type: str = "application/octet-stream"
    etag: str | None = None

    @classmethod
    def json(cls, value: Any, status: int = 200) -> Reply:
        return cls(status, json.dumps(value).encode(), "application/json")


NOT_FOUND = Reply(404, b"not found", "text/plain")
Route = Callable[[str, Mapping[str, str]], Reply]


class LocalServer:
    """One threaded HTTP server on 127.0.0.1 answering GET and HEAD through ``route``."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status), for messages
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The root URL as Firefox is given it, with a trailing slash."""
        return f"http://localhost:{self._httpd.server_address[1]}/"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # Firefox's requests are not our log
            pass

        def do_GET(self) -> None:
            self._answer(head=False)

        def do_HEAD(self) -> None:
            self._answer(head=True)

        def _answer(self, *, head: bool) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            try:
                reply = server.route(unquote(parts.path), query)
            except AppError as error:
                reply = Reply(502, str(error).encode(), "text/plain")
            server.requests.append((self.command, parts.path, reply.status))
            size = reply.body.stat().st_size if isinstance(reply.body, Path) else len(reply.body)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(size))
                if reply.etag:
                    self.send_header("ETag", reply.etag)
                self.end_headers()
                if head:
                    return
                if isinstance(reply.body, Path):
                    with reply.body.open("rb") as source:
                        shutil.copyfileobj(source, self.wfile)
                else:
                    self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):  # Firefox gave up on the request
                pass

    return Handler


def hub_route(files_for: FilesFor) -> Route:
    """``/<org>/<name>/<revision>/<file>`` from the files ``files_for(model, revision)`` gives."""

    def route(path: str, query: Mapping[str, str]) -> Reply:
        org, name, revision, file = ([*path.strip("/").split("/", 3), "", "", "", ""])[:4]
        files = files_for(f"{org}/{name}", revision) if org and name and revision else None
        if files is None or not file or not files.exists(file):
            return NOT_FOUND
        local = files.fetch(file)
        stat = local.stat()
        return Reply(200, local, etag=f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"')

    return route


@dataclass(frozen=True)
class Attachment:
    """A file served as a Remote Settings attachment at ``location``."""

    location: str
    path: Path

    def record_field(self, mimetype: str = "application/wasm") -> dict[str, Any]:
        """The ``attachment`` object of its record; Firefox checks ``size`` and ``hash``."""
        digest = hashlib.sha256()
        with self.path.open("rb") as source:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
        return {
            "filename": self.path.name,
            "location": self.location,
            "hash": digest.hexdigest(),
            "size": self.path.stat().st_size,
            "mimetype": mimetype,
        }


def settings_route(
    base_url: Callable[[], str],
    collections: Mapping[str, list[dict[str, Any]]],
    attachments: Mapping[str, Path],
    timestamp: int,
) -> Route:
    """A read-only Remote Settings server for ``collections`` (bucket ``main``), unsigned."""

    def changeset(cid: str) -> dict[str, Any]:
        records = [{"last_modified": timestamp, **r} for r in collections[cid]]
        return {
            "changes": records,
            "metadata": {"id": cid, "bucket": "main", "signature": {}},
            "timestamp": timestamp,
        }

    def route(path: str, query: Mapping[str, str]) -> Reply:
        if path in ("/v1", "/v1/"):
            return Reply.json(
                {"capabilities": {"attachments": {"base_url": f"{base_url()}attachments/"}}}
            )
        if path == MONITOR:
            wanted = query.get("collection")
            changes = [
                {"id": cid, "bucket": "main", "collection": cid, "last_modified": timestamp}
                for cid in collections
                if wanted in (None, cid) and query.get("bucket") in (None, "main")
            ]
            return Reply.json({"changes": changes, "metadata": {}, "timestamp": timestamp})
        if path.startswith(COLLECTION) and path.endswith("/changeset"):
            cid = path[len(COLLECTION) : -len("/changeset")]
            return Reply.json(changeset(cid)) if cid in collections else NOT_FOUND
        if path.startswith("/attachments/"):
            found = attachments.get(path[len("/attachments/") :])
            return Reply(200, found, "application/wasm") if found else NOT_FOUND
        return NOT_FOUND

    return route


@contextmanager
def serving(route: Route) -> Iterator[LocalServer]:
    server = LocalServer(route)
    try:
        yield server
    finally:
        server.close()
