"""Diagnostics: CPU features from the kernel or numpy, and the report the CLI and About share."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import onnxruntime
import pytest

from inference_gui import __version__
from inference_gui.cli.main import main
from inference_gui.diagnostics import as_text, cpu_features, parse_cpuinfo

X86_CPUINFO = """processor	: 0
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) Platinum 8480+
flags		: fpu sse2 sse4_2 avx f16c avx2 fma avx512f avx512bw avx512_vnni amx_int8

processor	: 1
model name	: Intel(R) Xeon(R) Platinum 8480+
flags		: fpu sse sse2
"""

ARM_CPUINFO = """processor	: 0
BogoMIPS	: 50.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimddp
CPU implementer	: 0x41
"""


def test_x86_flags_from_the_first_processor(tmp_path: Path) -> None:
    model, flags = parse_cpuinfo(X86_CPUINFO)
    assert model == "Intel(R) Xeon(R) Platinum 8480+"
    assert {"avx2", "avx512_vnni"} <= flags
    info_file = tmp_path / "cpuinfo"
    info_file.write_text(X86_CPUINFO)
    info = cpu_features(info_file, numpy_features=lambda: pytest.fail("kernel flags were there"))
    assert info["features"] == [
        "SSE4.2",
        "AVX",
        "AVX2",
        "FMA",
        "F16C",
        "AVX-512F",
        "AVX-512BW",
        "AVX-512 VNNI",
        "AMX-INT8",
    ]
    assert info["source"] == str(info_file)


def test_arm_features_name_neon_and_dot_product(tmp_path: Path) -> None:
    info_file = tmp_path / "cpuinfo"
    info_file.write_text(ARM_CPUINFO)
    info = cpu_features(info_file)
    assert info["features"] == ["NEON", "NEON dot product"]


def test_without_proc_cpuinfo_numpy_dispatch_table_is_read(tmp_path: Path) -> None:
    table = {"AVX2": True, "AVX512F": False, "AVX512VNNI": True, "ASIMD": False}
    info = cpu_features(tmp_path / "missing", numpy_features=lambda: table)
    assert info["features"] == ["AVX2", "AVX-512 VNNI"]
    assert info["source"] == "numpy CPU dispatch"


def test_real_numpy_table_is_readable(tmp_path: Path) -> None:
    """numpy's table is private API: this fails loudly if a numpy release moves it."""
    info = cpu_features(tmp_path / "missing")
    assert info["source"] == "numpy CPU dispatch" and isinstance(info["features"], list)


def test_cli_json_names_versions_providers_and_the_folders_in_use(capsys, isolated_env) -> None:
    assert main(["diagnostics", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["app"]["version"] == __version__ and report["app"]["bundled"] is False
    assert report["onnxruntime"]["version"] == onnxruntime.__version__
    assert "CPUExecutionProvider" in report["onnxruntime"]["providers"]
    assert report["paths"] == {
        "cache": str(isolated_env / "cache"),
        "settings": str(isolated_env / "config.ini"),
        "logs": str(isolated_env / "logs"),
        "data": str(isolated_env / "data"),
        "resources": report["paths"]["resources"],
    }
    assert (Path(report["paths"]["resources"]) / "settings").is_dir()
    assert report["records"] == {"source": "embedded", "location": "embedded dump"}


def test_cli_text_is_the_same_report_as_lines(capsys, isolated_env) -> None:
    assert main(["diagnostics"]) == 0
    text = capsys.readouterr().out
    assert f"ONNX Runtime:        {onnxruntime.__version__}" in text
    assert f"Cache folder:        {isolated_env / 'cache'}" in text
    assert "Qt:                  not loaded" in text


def test_the_diagnostics_command_loads_no_qt() -> None:
    code = (
        "import sys\n"
        "from inference_gui.cli.main import main\n"
        "assert main(['diagnostics', '--json']) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'qasync'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_text_of_a_report_with_no_features_or_providers_says_so() -> None:
    report = {
        "app": {"version": "9", "bundled": True, "executable": "x"},
        "python": {"version": "3.12.1", "implementation": "CPython"},
        "os": {"system": "Darwin", "release": "23"},
        "onnxruntime": {"version": "not importable", "providers": []},
        "cpu": {"model": "m", "architecture": "arm64", "logical_cores": 8, "features": []},
        "qt": {"PySide6": "6.7", "runtime": "6.7.1"},
        "records": {"location": "embedded dump"},
        "hub": "/hub",
        "offline": True,
        "paths": {k: f"/{k}" for k in ("cache", "settings", "logs", "data", "resources")},
    }
    text = as_text(report)
    assert "Inference GUI:       9 (bundle)" in text
    assert "Execution providers: none" in text
    assert "CPU features:        none of those tracked" in text
    assert "Hub:                 /hub (offline)" in text
