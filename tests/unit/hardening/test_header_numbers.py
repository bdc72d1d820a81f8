"""Numeric headers from a server are parsed strictly: a clear HubError, never a ValueError."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from inference_gui.cache import ModelCache
from inference_gui.cache.download import Retry
from inference_gui.errors import HubError
from inference_gui.http_headers import MAX_DELAY_S, parse_content_range, parse_delay, parse_length
from inference_gui.hub import Hub

BODY = b"x" * 576


@contextmanager
def lying_server(length: str) -> Iterator[str]:
    """Answers every GET and HEAD with ``Content-Length: length`` and 576 bytes."""

    class Handler(BaseHTTPRequestHandler):
        def _head(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", length)
            self.send_header("ETag", '"e"')
            self.end_headers()

        def do_HEAD(self) -> None:  # noqa: N802
            self._head()

        def do_GET(self) -> None:  # noqa: N802
            self._head()
            self.wfile.write(BODY)
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "5, 5", "9" * 400])
def test_a_bad_content_length_is_one_clear_error_on_get_and_head(tmp_path, length) -> None:
    cache = ModelCache(tmp_path / "cache", 10**9, retry=Retry(attempts=1))
    with lying_server(length) as url:
        hub = Hub(url)
        with pytest.raises(HubError, match="invalid Content-Length"):
            hub.head("me/m", "v1.0.0", "config.json")
        with pytest.raises(HubError, match="invalid Content-Length"):
            cache.fetch(hub, "me/m", "v1.0.0", "config.json")
    assert cache.store.all() == []
    cache.close()


def test_lengths_and_ranges_accept_only_plain_consistent_numbers() -> None:
    assert parse_length(None, host="h") is None
    assert parse_length(" 576 ", host="h") == 576
    assert parse_content_range("bytes 10-19/20", host="h") == (10, 19, 20)
    assert parse_content_range("bytes 10-19/*", host="h") == (10, 19, None)
    for bad in ("bytes 10-9/20", "bytes 10-20/20", "bytes -1-5/9", "bytes 1-2/3, bytes 4-5/6"):
        with pytest.raises(HubError, match="invalid Content-Range"):
            parse_content_range(bad, host="h")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("30", 30.0),
        ("99999999999999999999", MAX_DELAY_S),
        ("9" * 400, MAX_DELAY_S),
        (str(10 * 365 * 86400), MAX_DELAY_S),
        ("Thu, 01 Jan 1970 00:00:10 GMT", 0.0),
        ("-5", None),
        ("soon", None),
        ("", None),
    ],
)
def test_delays_are_capped_and_unreadable_ones_ignored(header, expected) -> None:
    assert parse_delay(header, now=1000.0) == expected
