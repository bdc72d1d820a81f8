"""The real Remote Settings server (Kinto + kinto-changes + kinto-attachment) for the happy paths.

Kinto starts in about a second on its in-memory backends, so the suite starts it once per session
(``kinto start --ini F`` as a subprocess on 127.0.0.1) and empties it between tests through its
``__flush__`` endpoint. Tests publish collections and records through its HTTP API, as Remote
Settings' editors do, and the app syncs from its ``monitor/changes`` and
``.../changeset?_expected=`` exactly as from production. Faults the real server cannot be made to
produce (HTTP 500, invalid JSON, slowness, Backoff, going away) stay in ``kinto_server.py``.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError

PACKAGES = ("kinto", "kinto_changes", "kinto_attachment")
AUTH = "Basic " + base64.b64encode(b"editor:editor-password").decode()

INI = """\
[app:main]
use = egg:kinto
kinto.storage_backend = kinto.core.storage.memory
kinto.storage_url =
kinto.cache_backend = kinto.core.cache.memory
kinto.cache_url =
kinto.permission_backend = kinto.core.permission.memory
kinto.permission_url =
kinto.includes = kinto.plugins.flush kinto_changes kinto_attachment
kinto.changes.resources = /buckets/main
kinto.bucket_create_principals = system.Authenticated
kinto.userid_hmac_secret = inference-gui-tests
multiauth.policies = basicauth
kinto.attachment.base_path = {attachments}
# As Remote Settings does: records hold a relative location under the collection's workspace folder
# and the server root announces the base URL (an empty base_url keeps locations relative).
kinto.attachment.base_url =
kinto.attachment.extra.base_url = http://127.0.0.1:{port}/attachments/
kinto.attachment.folder = {{bucket_id}}-workspace/{{collection_id}}
kinto.attachment.extensions = default+wasm
kinto.attachment.mimetypes = .wasm:application/wasm

[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = {port}
"""


def missing_packages() -> list[str]:
    """The server's packages that are not installed (the ``test`` extra installs them all)."""
    return [name for name in PACKAGES if importlib.util.find_spec(name) is None]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RealKinto:
    """One running Kinto process; ``url`` is what ``--settings-server`` takes (no ``/v1``)."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ini = workdir / "kinto.ini"
        ini.write_text(INI.format(attachments=workdir / "attachments", port=self.port))
        self._log = (workdir / "kinto.log").open("w")
        self._process = subprocess.Popen(
            # kinto.__main__ has no ``if __name__`` guard: call main() as its console script does.
            [
                sys.executable,
                "-c",
                "import sys, kinto.__main__ as k; sys.exit(k.main(sys.argv[1:]))",
            ]
            + ["start", "--ini", str(ini)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )
        self._log_path = workdir / "kinto.log"
        self._wait_ready()

    def _wait_ready(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"kinto exited: {self._log_path.read_text()[-2000:]}")
            try:
                self.request("GET", "/__heartbeat__")
                return
            except (URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"kinto did not start in {seconds} s: {self._log_path.read_text()}")

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.close()

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | bytes | None = None,
        content_type: str = "application/json",
    ) -> Any:
        """One authenticated call to ``/v1{path}``; its decoded JSON (raises on HTTP >= 400)."""
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        call = urllib.request.Request(f"{self.url}/v1{path}", data=data, method=method)
        call.add_header("Authorization", AUTH)
        if data is not None:
            call.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(call, timeout=10) as answer:
                raw = answer.read()
        except HTTPError as error:
            raise RuntimeError(f"{method} {path}: {error.code} {error.read()[:500]!r}") from error
        return json.loads(raw) if raw else None

    def reset(self) -> None:
        """Empty every backend and recreate the world-readable ``main`` bucket."""
        self.request("POST", "/__flush__")
        self.request("PUT", "/buckets/main", {"permissions": {"read": ["system.Everyone"]}})

    def publish(self, cid: str, records: list[dict[str, Any]]) -> int:
        """Create ``main/cid`` holding ``records``; the collection's timestamp the server assigned.

        ``last_modified`` and ``attachment`` are the server's to set, so they are dropped.
        """
        self.request("PUT", f"/buckets/main/collections/{cid}")
        for record in records:
            data = {k: v for k, v in record.items() if k not in ("last_modified", "attachment")}
            self.request(
                "PUT", f"/buckets/main/collections/{cid}/records/{data['id']}", {"data": data}
            )
        return self.timestamp(cid)

    def delete(self, cid: str, record_id: str) -> None:
        self.request("DELETE", f"/buckets/main/collections/{cid}/records/{record_id}")

    def attach(self, cid: str, record_id: str, path: Path, mimetype: str) -> dict[str, Any]:
        """Upload ``path`` as the record's attachment (kinto-attachment); the record's new data."""
        boundary = uuid.uuid4().hex
        body = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                b'Content-Disposition: form-data; name="attachment"; ',
                f'filename="{path.name}"\r\n'.encode(),
                f"Content-Type: {mimetype}\r\n\r\n".encode(),
                path.read_bytes(),
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        self.request(
            "POST",
            f"/buckets/main/collections/{cid}/records/{record_id}/attachment",
            body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )
        return dict(
            self.request("GET", f"/buckets/main/collections/{cid}/records/{record_id}")["data"]
        )

    def timestamp(self, cid: str) -> int:
        changeset = self.request("GET", f"/buckets/main/collections/{cid}/changeset?_expected=0")
        return int(changeset["timestamp"])
