"""What an installed Firefox's ML engine expects, read from the install itself (``omni.ja``).

Firefox's ML code lives in ``omni.ja`` (a zip) beside the binary. Three facts a run needs come
from there rather than from a table here, so a newer or older Firefox is described correctly:

- the feature ids ``createEngine`` accepts (``FEATURES`` in ``EngineProcess.sys.mjs``);
- the ``ml-onnx-runtime`` major version it asks Remote Settings for
  (``WASM_MAJOR_VERSION.onnx`` in ``MLEngineParent.sys.mjs``) and the file name it wants;
- the onnxruntime-web version its bundled JavaScript glue (``ort.webgpu.mjs``) was built from:
  the WASM served to it must come from that exact build, or the glue and the binary disagree.

Release and ESR builds ship no ``ml-onnx-runtime`` dump, so the glue is the only place the
onnxruntime-web version is written down.
"""

from __future__ import annotations

import configparser
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from inference_gui.firefox.marionette import FirefoxError

ENGINE_PROCESS = "chrome/toolkit/content/global/ml/EngineProcess.sys.mjs"
ENGINE_PARENT = "actors/MLEngineParent.sys.mjs"
ORT_GLUE = "chrome/toolkit/content/global/ml/ort.webgpu.mjs"

_FEATURES_BLOCK = re.compile(r"export const FEATURES = \{(?P<body>.*?)\n\};", re.S)
_FEATURE_KEY = re.compile(r'^\s{2}"?(?P<id>[A-Za-z0-9_.-]+)"?\s*:\s*\{', re.M)
_WASM_MAJOR = re.compile(r"WASM_MAJOR_VERSION\s*=\s*\{[^}]*?\bonnx:\s*(?P<major>\d+)", re.S)
_WASM_NAME = re.compile(r"WASM_FILENAME\s*=\s*\{[^}]*?\bonnx:\s*\"(?P<name>[^\"]+)\"", re.S)
_ORT_VERSION = re.compile(r"\b1\.\d+\.\d+(?:-dev\.\d+-[0-9a-f]+)?\b")


@dataclass(frozen=True)
class RuntimeNeed:
    """The ``ml-onnx-runtime`` record a Firefox accepts and the npm build its WASM comes from."""

    major: int  # the record's version must be "<major>.x"
    filename: str  # e.g. ort-wasm-simd-threaded.jsep.wasm
    ort_version: str  # onnxruntime-web version on npm, e.g. 1.22.0-dev.20250409-89f8206ba4


@dataclass(frozen=True)
class FirefoxInstall:
    binary: Path
    version: str
    feature_ids: tuple[str, ...]
    runtime: RuntimeNeed

    @property
    def label(self) -> str:
        return f"Firefox {self.version}"


def read_install(binary: Path) -> FirefoxInstall:
    """Describe the Firefox at ``binary`` (symlinks followed to the install folder)."""
    folder = Path(binary).resolve().parent
    omni = folder / "omni.ja"
    if not omni.is_file():
        raise FirefoxError(
            f"{folder} has no omni.ja, so its ML engine cannot be described.",
            "Point --firefox at the firefox binary inside a Firefox install folder.",
        )
    try:
        with zipfile.ZipFile(omni) as archive:
            engine_process = archive.read(ENGINE_PROCESS).decode()
            engine_parent = archive.read(ENGINE_PARENT).decode()
            glue = archive.read(ORT_GLUE).decode()
    except (KeyError, zipfile.BadZipFile) as error:
        raise FirefoxError(
            f"The Firefox in {folder} has no ML engine this app understands ({error}).",
            "Use Firefox 140 or newer (ESR 140 has the ML engine).",
        ) from error
    return FirefoxInstall(
        binary=Path(binary),
        version=_version(folder),
        feature_ids=feature_ids(engine_process),
        runtime=runtime_need(engine_parent, glue),
    )


def feature_ids(engine_process_source: str) -> tuple[str, ...]:
    """The keys of ``FEATURES`` in ``EngineProcess.sys.mjs``: the only feature ids it accepts."""
    block = _FEATURES_BLOCK.search(engine_process_source)
    if block is None:
        raise FirefoxError("This Firefox's EngineProcess.sys.mjs has no FEATURES list.")
    return tuple(m["id"] for m in _FEATURE_KEY.finditer(block["body"]))


def runtime_need(engine_parent_source: str, glue_source: str) -> RuntimeNeed:
    """The runtime record's major version and file name, and the glue's onnxruntime-web build."""
    major = _WASM_MAJOR.search(engine_parent_source)
    name = _WASM_NAME.search(engine_parent_source)
    versions = set(_ORT_VERSION.findall(glue_source))
    if major is None or name is None or len(versions) != 1:
        raise FirefoxError(
            "Cannot tell which onnxruntime-web this Firefox needs "
            f"(major {major and major['major']}, glue versions {sorted(versions) or 'none'}).",
            "Pass the WASM file yourself with --wasm FILE.",
        )
    return RuntimeNeed(int(major["major"]), name["name"], versions.pop())


def _version(folder: Path) -> str:
    parser = configparser.ConfigParser()
    parser.read(folder / "application.ini", encoding="utf-8")
    return parser.get("App", "Version", fallback="(unknown version)")
