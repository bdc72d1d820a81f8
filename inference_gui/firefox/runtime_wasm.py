"""The onnxruntime-web WASM a Firefox needs, fetched from the npm registry with npm.

Firefox downloads its WASM runtime as a Remote Settings attachment; to run it offline from a local
Remote Settings endpoint we serve the very file Mozilla publishes there, which is the
``dist/<filename>`` of the onnxruntime-web npm package its glue was built from. It is fetched once
per version into a folder of this app's data (never into the source tree) and reused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from inference_gui.firefox.install import RuntimeNeed
from inference_gui.firefox.marionette import FirefoxError

PACKAGE = "onnxruntime-web"
NPM_TIMEOUT_S = 300


def wasm_path(folder: Path, need: RuntimeNeed) -> Path:
    """Where the WASM for ``need`` is kept in ``folder``."""
    return folder / f"{PACKAGE}-{need.ort_version}" / need.filename


def ensure_wasm(folder: Path, need: RuntimeNeed, npm: str | None = None) -> Path:
    """The WASM for ``need``, fetched with ``npm pack`` the first time; never half-written."""
    target = wasm_path(folder, need)
    if target.is_file():
        return target
    npm = npm or shutil.which("npm")
    if npm is None:
        raise FirefoxError(
            f"npm is needed to fetch {PACKAGE}@{need.ort_version}, the runtime this Firefox uses.",
            "Install Node.js and npm (apt-get install npm), or pass the WASM with --wasm FILE.",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".npm-") as scratch:
        spec = f"{PACKAGE}@{need.ort_version}"
        try:
            done = subprocess.run(
                [npm, "pack", spec, "--silent", "--pack-destination", scratch],
                cwd=scratch,
                capture_output=True,
                text=True,
                timeout=NPM_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise FirefoxError(f"npm pack {spec} failed: {error}.") from error
        tarballs = list(Path(scratch).glob("*.tgz"))
        if done.returncode != 0 or len(tarballs) != 1:
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no tarball"]
            raise FirefoxError(
                f"npm pack {spec} failed: {detail[0]}",
                "Check the network access to the npm registry, or pass --wasm FILE.",
            )
        extracted = extract_member(tarballs[0], f"package/dist/{need.filename}", Path(scratch))
        os.replace(extracted, target)
    return target


def extract_member(tarball: Path, member: str, into: Path) -> Path:
    """Copy the one regular file ``member`` out of ``tarball`` into ``into``; nothing else."""
    with tarfile.open(tarball, "r:gz") as archive:
        try:
            info = archive.getmember(member)
        except KeyError as error:
            raise FirefoxError(f"{tarball.name} has no {member}.") from error
        source = archive.extractfile(info) if info.isfile() else None
        if source is None:
            raise FirefoxError(f"{member} in {tarball.name} is not a regular file.")
        out = into / Path(member).name
        with source, out.open("wb") as sink:
            shutil.copyfileobj(source, sink)
    return out
