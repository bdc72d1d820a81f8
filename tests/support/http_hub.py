"""A real model hub for tests: a threaded HTTP server on 127.0.0.1 serving a folder.

It speaks what the hub client relies on (GET/HEAD, ``Range``, ``ETag``, ``If-None-Match``,
``If-Range``) and can misbehave on demand, so downloads are tested against real sockets rather than
mocks::

    with serve_hub(HUB) as server:
        server.faults.add("cut", times=1)              # next GET sends half the body, then closes
        server.redirect("/tiny/x/v1/config.json", "http://127.0.0.1:1/elsewhere")
        url = server.url                               # "http://127.0.0.1:<port>/"
        server.requests                                # [(method, path, range header), ...]

Fault kinds: ``cut`` (body cut mid-way), ``error500`` (answer 500), ``bad_length`` (announce more
bytes than sent; in a HEAD answer or a listing, more than the file has), ``short_length`` (announce
and send only the first half: a consistent but short answer), ``no_length`` (no Content-Length: the
body ends when the connection closes), ``reset`` (TCP reset mid-body), ``slow`` (sleep between
small chunks), ``drip`` (one byte every ``drip_delay`` seconds), ``hang`` (read the request, never
answer), ``ignore_range`` (answer 200 with the whole file to a Range request), ``not_found`` (404),
``forbidden`` (403). Each fault fires ``times`` times (``None`` = always), optionally only for
paths ending with ``path`` and only for one ``method`` (``GET`` or ``HEAD``).

``server.swap(url_path, other_file)`` serves another file's bytes under the original's ETag and
Last-Modified: content that changed while the hub still vouches it is the same.
"""

from __future__ import annotations

import email.utils
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHUNK = 64 * 1024
FAULT_KINDS = frozenset(
    {
        "cut",
        "error500",
        "bad_length",
        "short_length",
        "no_length",
        "reset",
        "slow",
        "drip",
        "hang",
        "ignore_range",
        "not_found",
        "forbidden",
    }
)


@dataclass
class Fault:
    kind: str
    times: int | None
    path: str | None
    method: str | None = None


@dataclass
class Faults:
    """The switchable misbehaviours; thread-safe because handlers run on many threads."""

    slow_delay: float = 0.05
    drip_delay: float = 2.0
    _items: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self,
        kind: str,
        *,
        times: int | None = 1,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose one of {sorted(FAULT_KINDS)}")
        with self._lock:
            self._items.append(Fault(kind, times, path, method))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def take(self, method: str, request_path: str) -> set[str]:
        """The faults that apply to this request, consuming one use of each."""
        fired = set()
        with self._lock:
            for fault in list(self._items):
                if fault.path is not None and not request_path.endswith(fault.path):
                    continue
                if fault.method is not None and fault.method != method:
                    continue
                fired.add(fault.kind)
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._items.remove(fault)
        return fired


class HubServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = (
        128  # parallel probes would overflow the default backlog of 5 (1 s SYN retry)
    )
    allow_reuse_address = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = Path(root).resolve()
        self.faults = Faults()
        self.redirects: dict[str, str] = {}
        self.swaps: dict[str, Path] = {}
        self.stopping = threading.Event()  # wakes handlers told to hang, so shutdown is quick
        self.requests: list[tuple[str, str, str | None]] = []
        self.body_bytes_sent = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: a client hanging up mid-body is what several tests do on purpose."""

    def redirect(self, path: str, location: str) -> None:
        """Answer ``path`` (URL path, leading slash) with a 302 to ``location``."""
        self.redirects[path] = location

    def swap(self, path: str, other: Path) -> None:
        """Serve ``other``'s bytes at ``path`` (URL path) under the original file's validators."""
        self.swaps[path] = Path(other)

    def count(self, method: str | None = None) -> int:
        with self._lock:
            return sum(1 for m, _, _ in self.requests if method is None or m == method)

    def _record(self, method: str, path: str, range_header: str | None) -> None:
        with self._lock:
            self.requests.append((method, path, range_header))

    def _sent(self, count: int) -> None:
        with self._lock:
            self.body_bytes_sent += count


def _etag(path: Path) -> str:
    stat = path.stat()
    return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``bytes=a-`` or ``bytes=a-b`` -> (start, end inclusive); None when unsatisfiable."""
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    if not first:
        return None
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return None
    return start, min(end, size - 1)


class _Handler(BaseHTTPRequestHandler):
    server: HubServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read ``server.requests`` instead of stderr."""

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, *, head: bool) -> None:
        url_path = urlsplit(self.path).path
        range_header = self.headers.get("Range")
        self.server._record(self.command, url_path, range_header)
        if url_path in self.server.redirects:
            self._empty(302, {"Location": self.server.redirects[url_path]})
            return
        faults = self.server.faults.take(self.command, url_path)
        if "hang" in faults:
            self.server.stopping.wait()
            self.close_connection = True
            return
        if "error500" in faults:
            self._empty(500)
            return
        if "not_found" in faults:
            self._empty(404)
            return
        if "forbidden" in faults:
            self._empty(403)
            return
        if url_path.startswith("/api/models/"):
            self._tree_listing(url_path, faults)
            return
        target = (self.server.root / unquote(url_path).lstrip("/")).resolve()
        if self.server.root not in target.parents or not target.is_file():
            self._empty(404)
            return
        etag = _etag(target)
        mtime = target.stat().st_mtime
        target = self.server.swaps.get(url_path, target)
        size = target.stat().st_size
        if self.headers.get("If-None-Match") == etag:
            self._empty(304, {"ETag": etag})
            return
        start, end, status = 0, size - 1, 200
        if_range = self.headers.get("If-Range")
        if range_header and "ignore_range" not in faults and (if_range in (None, etag)):
            parsed = _parse_range(range_header, size)
            if parsed is None:
                self._empty(416, {"Content-Range": f"bytes */{size}"})
                return
            (start, end), status = parsed, 206
        length = end - start + 1
        if "short_length" in faults and not head:
            length = max(length // 2, 1)
        announced = length + 1000 if "bad_length" in faults else length
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        if "no_length" in faults:
            self.close_connection = True  # the only way left to say where the body ends
        else:
            self.send_header("Content-Length", str(announced))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if head:
            return
        self._body(target, start, length, faults)

    def _body(self, target: Path, start: int, length: int, faults: set[str]) -> None:
        stop_after = length // 2 if faults & {"cut", "reset"} else length
        chunk = 1 if "drip" in faults else 4096 if "slow" in faults else CHUNK
        sent = 0
        with target.open("rb") as handle:
            handle.seek(start)
            while sent < stop_after:
                data = handle.read(min(chunk, stop_after - sent))
                if not data:
                    break
                try:
                    self.wfile.write(data)
                except OSError:
                    return
                sent += len(data)
                self.server._sent(len(data))
                if "slow" in faults:
                    time.sleep(self.server.faults.slow_delay)
                if "drip" in faults and self.server.stopping.wait(self.server.faults.drip_delay):
                    return
        if "reset" in faults:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if faults & {"cut", "reset", "bad_length", "no_length"}:
            self.close_connection = True
            self.wfile.flush()
            self.connection.close()

    def _tree_listing(self, url_path: str, faults: set[str]) -> None:
        """Hugging Face's ``/api/models/<org>/<name>/tree/<revision>`` file listing, one page."""
        parts = url_path.split("/")  # ['', 'api', 'models', org, name, 'tree', revision, ...]
        if len(parts) < 7 or parts[5] != "tree":
            self._empty(404)
            return
        folder = self.server.root / parts[3] / parts[4] / unquote(parts[6])
        if not folder.is_dir():
            body = json.dumps({"error": "Revision Not Found"}).encode()
            self._send(404, body, {"X-Error-Code": "RevisionNotFound"})
            return
        entries = [
            {
                "type": "file",
                "oid": "0" * 40,
                "size": p.stat().st_size + (1000 if "bad_length" in faults else 0),
                "path": p.relative_to(folder).as_posix(),
            }
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        ]
        self._send(200, json.dumps(entries).encode(), {"Content-Type": "application/json"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _empty(self, status: int, headers: dict[str, str] | None = None) -> None:
        self._send(status, b"", headers or {})


@contextmanager
def serve_hub(root: Path) -> Iterator[HubServer]:
    """Serve ``root`` on 127.0.0.1 (a free port) for the duration of the ``with`` block."""
    server = HubServer(root)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="test-hub", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
