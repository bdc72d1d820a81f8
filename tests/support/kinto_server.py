"""An imitation of Remote Settings (Kinto), kept only for what the real server cannot do on demand.

The happy paths run against real Kinto (``tests/support/real_kinto.py``, fixture ``real_kinto``).
This threaded HTTP server on 127.0.0.1 (port 0) stays for faults real Kinto cannot be made to
produce — HTTP 500, invalid JSON, slowness, a Backoff header, a timestamp going backwards, going
away mid-session — and for recording the requests the client sends. It serves what the client
reads — ``/v1/buckets/monitor/collections/changes/changeset`` and
``/v1/buckets/main/collections/{cid}/changeset`` — from changesets the test puts in, and can
misbehave on demand::

    with serve_kinto({"ml-inference-options": changeset}) as server:
        server.fault = "error500"        # or "invalid_json", "slow", "backoff", None
        server.backoff_seconds = 600     # sent as a Backoff header while fault == "backoff"
        server.monitor_override = {cid: ts}  # monitor/changes announces ts for cid instead
        server.files["/chains/x.pem"] = pem  # other bytes it serves (a signature's x5u chain)
        server.url                       # "http://127.0.0.1:<port>"
        server.requests                  # [(path, {query}, {headers}), ...]
        server.stop()                    # "gone": nothing listens on the port any more
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULTS = frozenset({"error500", "invalid_json", "slow", "backoff"})
MAIN = "/v1/buckets/main/collections/"
MONITOR = "/v1/buckets/monitor/collections/changes/changeset"


class KintoServer:
    def __init__(self, collections: dict[str, dict[str, Any]]) -> None:
        self.collections = copy.deepcopy(collections)
        self.fault: str | None = None
        self.backoff_seconds = 600
        self.monitor_override: dict[str, int] = {}
        self.files: dict[str, bytes] = {}
        self.slow_seconds = 2.0
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def set_collection(self, cid: str, changeset: dict[str, Any]) -> None:
        with self._lock:
            self.collections[cid] = copy.deepcopy(changeset)

    def start(self) -> KintoServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _monitor(self) -> dict[str, Any]:
        changes = [
            {
                "id": cid,
                "bucket": "main",
                "collection": cid,
                "last_modified": self.monitor_override.get(cid, c["timestamp"]),
                "host": "",
            }
            for cid, c in self.collections.items()
        ]
        return {
            "changes": changes,
            "metadata": {},
            "timestamp": max((c["last_modified"] for c in changes), default=0),
        }

    def _answer(self, path: str) -> tuple[int, Any]:
        with self._lock:
            if path == MONITOR:
                return 200, self._monitor()
            if path.startswith(MAIN) and path.endswith("/changeset"):
                cid = path[len(MAIN) : -len("/changeset")]
                if cid in self.collections:
                    return 200, copy.deepcopy(self.collections[cid])
            return 404, {
                "code": 404,
                "errno": 111,
                "error": "Not Found",
                "message": "The resource was not found",
            }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                server.requests.append((parts.path, query, dict(self.headers.items())))
                fault = server.fault
                if fault == "slow":
                    time.sleep(server.slow_seconds)
                if fault == "error500":
                    body = {
                        "code": 500,
                        "errno": 999,
                        "error": "Internal Server Error",
                        "message": "A programmatic error occured, developers have been informed",
                    }
                    return self._send(500, json.dumps(body).encode())
                if parts.path in server.files:
                    return self._send(200, server.files[parts.path])
                status, body = server._answer(parts.path)
                raw = b"{not json" if fault == "invalid_json" else json.dumps(body).encode()
                extra = {"Backoff": str(server.backoff_seconds)} if fault == "backoff" else {}
                self._send(status, raw, extra)

            def _send(self, status: int, raw: bytes, headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(raw)
                except (
                    BrokenPipeError,
                    ConnectionResetError,
                ):  # the client gave up (timeout tests)
                    pass

        return Handler


@contextmanager
def serve_kinto(collections: dict[str, dict[str, Any]]) -> Iterator[KintoServer]:
    server = KintoServer(collections).start()
    try:
        yield server
    finally:
        with suppress(OSError):
            server.stop()
