"""A minimal Marionette client: length-prefixed JSON over TCP, enough to run chrome-context scripts.

Firefox's remote protocol is small (``<len>:<json>`` frames, ``[0, id, command, params]`` requests,
``[1, id, error, result]`` replies); the ``marionette_driver`` package pulls in mozrunner and
friends for the same three commands, so this speaks it directly.
"""

from __future__ import annotations

import contextlib
import json
import socket
from typing import Any

from inference_gui.errors import AppError


class FirefoxError(AppError):
    """Firefox cannot be started, reached or asked to do something."""


class Marionette:
    """One Marionette session on ``host:port``; use as a context manager."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 60.0) -> None:
        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._buffer = b""
        self._next_id = 0
        hello = self._read_frame()
        if not isinstance(hello, dict) or hello.get("marionetteProtocol") != 3:
            raise FirefoxError(
                f"The server on port {port} does not speak Marionette protocol 3 ({hello!r}).",
                "Check that the port belongs to a Firefox started with --marionette.",
            )

    def __enter__(self) -> Marionette:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._sock.close()

    def _read_exact_frame_bytes(self) -> bytes:
        while b":" not in self._buffer:
            self._recv_more()
        length_text, _, rest = self._buffer.partition(b":")
        length = int(length_text)
        self._buffer = rest
        while len(self._buffer) < length:
            self._recv_more()
        frame, self._buffer = self._buffer[:length], self._buffer[length:]
        return frame

    def _recv_more(self) -> None:
        chunk = self._sock.recv(65536)
        if not chunk:
            raise FirefoxError(
                "Firefox closed the Marionette connection.", "See Firefox's output for why."
            )
        self._buffer += chunk

    def _read_frame(self) -> Any:
        return json.loads(self._read_exact_frame_bytes())

    def command(self, name: str, params: dict[str, Any] | None = None) -> Any:
        """Send one command and return its result; a Marionette error becomes a FirefoxError."""
        self._next_id += 1
        payload = json.dumps([0, self._next_id, name, params or {}]).encode()
        self._sock.sendall(str(len(payload)).encode() + b":" + payload)
        while True:
            reply = self._read_frame()
            if reply[0] == 1 and reply[1] == self._next_id:
                break
        error, result = reply[2], reply[3]
        if error:
            raise FirefoxError(
                f"Firefox refused {name}: {error.get('error')}: {error.get('message')}",
                "Check the Firefox version and that it was started with remote system access.",
            )
        return result

    def start_chrome_session(self) -> None:
        """Open a session and switch to the privileged (chrome) context the ML APIs live in."""
        self.command("WebDriver:NewSession", {"capabilities": {}})
        self.command("Marionette:SetContext", {"value": "chrome"})

    def run_async(self, script: str, args: list[Any] | None = None, timeout_ms: int = 60000) -> Any:
        """Run ``script`` (an async function body; ``return`` its result) in the chrome context."""
        self.command("WebDriver:SetTimeouts", {"script": timeout_ms})
        wrapped = (
            "const [args, resolve] = [arguments[0], arguments[arguments.length - 1]];"
            f"(async () => {{ {script} }})().then("
            "value => resolve({ok: true, value}),"
            "error => resolve({ok: false, error: String(error && error.stack || error)}));"
        )
        outcome = self.command(
            "WebDriver:ExecuteAsyncScript", {"script": wrapped, "args": [args or []]}
        )["value"]
        if not outcome.get("ok"):
            raise FirefoxError(f"A script in Firefox failed: {outcome.get('error')}")
        return outcome.get("value")

    def quit(self) -> None:
        """Ask Firefox to quit; the connection closes as it goes."""
        with contextlib.suppress(FirefoxError, OSError):
            self.command("Marionette:Quit", {"flags": ["eForceQuit"]})
