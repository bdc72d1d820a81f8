"""What a bug report needs to know about this install: versions, runtime, CPU, folders.

One collection serves ``inference-gui diagnostics [--json]`` and Help -> About, so both say the
same thing. It never imports Qt: the UI adds the Qt version it is running with (:func:`with_qt`).
CPU features come from the kernel's ``/proc/cpuinfo`` where it exists (Linux, x86 and ARM); on
other systems from numpy's runtime CPU dispatch table, which numpy keeps current for its own
kernels. Either way ``cpu.source`` says which.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference_gui import __version__
from inference_gui.config import Settings

CPUINFO = Path("/proc/cpuinfo")


@dataclass(frozen=True)
class CpuFeature:
    """A CPU feature that changes which ONNX Runtime kernels run (and so speed and q8 outputs)."""

    name: str
    kernel_flags: tuple[str, ...]  # any of these in /proc/cpuinfo "flags" / "Features"
    numpy_keys: tuple[str, ...]  # any of these true in numpy's __cpu_features__


FEATURES: tuple[CpuFeature, ...] = (
    CpuFeature("SSE4.2", ("sse4_2",), ("SSE42",)),
    CpuFeature("AVX", ("avx",), ("AVX",)),
    CpuFeature("AVX2", ("avx2",), ("AVX2",)),
    CpuFeature("FMA", ("fma",), ("FMA3",)),
    CpuFeature("F16C", ("f16c",), ("F16C",)),
    CpuFeature("AVX-VNNI", ("avx_vnni",), ()),
    CpuFeature("AVX-512F", ("avx512f",), ("AVX512F",)),
    CpuFeature("AVX-512BW", ("avx512bw",), ("AVX512BW",)),
    CpuFeature("AVX-512 VNNI", ("avx512_vnni",), ("AVX512VNNI",)),
    CpuFeature("AVX-512 BF16", ("avx512_bf16",), ("AVX512BF16",)),
    CpuFeature("AMX-INT8", ("amx_int8",), ()),
    CpuFeature("NEON", ("neon", "asimd"), ("NEON", "ASIMD")),
    CpuFeature("NEON dot product", ("asimddp",), ("ASIMDDP",)),
    CpuFeature("SVE", ("sve",), ("SVE",)),
)


def parse_cpuinfo(text: str) -> tuple[str, set[str]]:
    """The CPU model name and feature flags from the first processor in ``/proc/cpuinfo``."""
    model = ""
    flags: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "hardware", "cpu model") and not model:
            model = value.strip()
        elif key in ("flags", "features") and not flags:
            flags = set(value.split())
    return model, flags


def _numpy_features() -> dict[str, bool]:
    # numpy's private CPU table: looked up by name, as its module moved in numpy 2 (numpy.core
    # before); the tests fail loudly if a release moves it again.
    try:
        module = importlib.import_module("numpy._core._multiarray_umath")
    except ImportError:
        module = importlib.import_module("numpy.core._multiarray_umath")
    return dict(module.__cpu_features__)


def cpu_features(
    cpuinfo: Path = CPUINFO, numpy_features: Callable[[], Mapping[str, bool]] = _numpy_features
) -> dict[str, Any]:
    """The CPU model and which of :data:`FEATURES` it has, and where that was read."""
    try:
        model, flags = parse_cpuinfo(cpuinfo.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        flags = set()
    if flags:
        present = [f.name for f in FEATURES if flags.intersection(f.kernel_flags)]
        source = str(cpuinfo)
    else:
        model = platform.processor()
        table = numpy_features()
        present = [f.name for f in FEATURES if any(table.get(k) for k in f.numpy_keys)]
        source = "numpy CPU dispatch"
    return {
        "model": model or "unknown",
        "architecture": platform.machine(),
        "logical_cores": os.cpu_count() or 0,
        "features": present,
        "source": source,
    }


def onnxruntime_info() -> dict[str, Any]:
    """ONNX Runtime's version and execution providers; an import failure is reported, not raised."""
    try:
        import onnxruntime
    except ImportError as exc:  # a broken install is exactly what diagnostics must show
        return {"version": "not importable", "error": str(exc), "providers": []}
    return {
        "version": onnxruntime.__version__,
        "providers": list(onnxruntime.get_available_providers()),
        "device": onnxruntime.get_device(),
    }


def _package_version(distribution: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def collect(settings: Settings, preferences_file: Path | str) -> dict[str, Any]:
    """Everything the report shows, as plain JSON-able data (the CLI's ``--json`` output)."""
    from inference_gui.assets import resource_path

    return {
        "app": {
            "version": __version__,
            "bundled": bool(getattr(sys, "frozen", False)),
            "executable": sys.executable,
        },
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
        },
        "os": {
            "system": platform.system(),
            "release": platform.release(),
            "platform": sys.platform,
        },
        "onnxruntime": onnxruntime_info(),
        "cpu": cpu_features(),
        "qt": {"PySide6": _package_version("PySide6-Essentials"), "runtime": "not loaded"},
        "records": {
            "source": settings.settings_source,
            "location": settings.settings_file or settings.settings_server or "embedded dump",
        },
        "hub": settings.hub,
        "offline": settings.offline,
        "paths": {
            "cache": str(settings.cache_dir),
            "settings": str(preferences_file),
            "logs": str(settings.log_dir),
            "data": str(settings.data_dir),
            "resources": str(resource_path()),
        },
    }


def with_qt(report: dict[str, Any], qt_version: str, pyside_version: str) -> dict[str, Any]:
    """The report with the Qt the running GUI actually loaded (the UI calls this)."""
    return {**report, "qt": {"PySide6": pyside_version, "runtime": qt_version}}


def as_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=2)


def as_text(report: Mapping[str, Any]) -> str:
    """Readable ``label: value`` lines, the form pasted into a bug report."""
    ort, cpu, qt, paths = report["onnxruntime"], report["cpu"], report["qt"], report["paths"]
    app = report["app"]
    rows = [
        ("Inference GUI", f"{app['version']}" + (" (bundle)" if app["bundled"] else "")),
        ("Python", f"{report['python']['version']} ({report['python']['implementation']})"),
        ("OS", f"{report['os']['system']} {report['os']['release']}"),
        ("ONNX Runtime", ort["version"]),
        ("Execution providers", ", ".join(ort["providers"]) or "none"),
        ("CPU", f"{cpu['model']} ({cpu['architecture']}, {cpu['logical_cores']} logical cores)"),
        ("CPU features", ", ".join(cpu["features"]) or "none of those tracked"),
        ("Qt", f"{qt['runtime']} (PySide6 {qt['PySide6']})"),
        ("Records", report["records"]["location"]),
        ("Hub", report["hub"] + (" (offline)" if report["offline"] else "")),
        ("Cache folder", paths["cache"]),
        ("Settings file", paths["settings"]),
        ("Log folder", paths["logs"]),
        ("Data folder", paths["data"]),
        ("Resources", paths["resources"]),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label + ':':<{width + 1}} {value}" for label, value in rows)
