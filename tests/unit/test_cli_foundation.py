"""The command line's shell: version, help, one-line usage errors, and pane screenshots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from inference_gui import __version__
from inference_gui.cli.main import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inference_gui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"inference-gui {__version__}"


def test_help_lists_every_flag_and_environment_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for flag in (
        "--cache-dir",
        "--hub",
        "--hub-template",
        "--settings-server",
        "--settings-file",
        "--offline",
    ):
        assert flag in text
    assert "INFERENCE_GUI_HUB_TEMPLATE" in text and "screenshot" in text


def test_unknown_flag_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--frobnicate"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--frobnicate" in err and "--help" in err


def test_bad_hub_flag_exits_2_naming_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(
        [
            "--hub",
            "ftp://example.org",
            "screenshot",
            "--pane",
            "log",
            "--output",
            str(tmp_path / "x.png"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "--hub" in err and "http(s)" in err and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()


def test_cache_folder_that_cannot_be_created_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code = main(
        [
            "--cache-dir",
            str(blocker / "c"),
            "screenshot",
            "--pane",
            "log",
            "--output",
            str(tmp_path / "x.png"),
        ]
    )
    assert code == 2
    assert "cannot be created" in capsys.readouterr().err


def test_unknown_pane_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("screenshot", "--pane", "nope", "--output", str(tmp_path / "x.png"))
    assert result.returncode == 1
    assert "no pane 'nope'" in result.stderr and "records" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("pane", ["records", "cache", "inference", "engines", "log"])
def test_screenshot_writes_a_png_of_the_window_on_each_pane(pane: str, tmp_path: Path) -> None:
    output = tmp_path / f"{pane}.png"
    result = run_cli("screenshot", "--pane", pane, "--output", str(output), "--size", "900x600")
    assert result.returncode == 0, result.stderr
    with Image.open(output) as image:
        assert image.size == (900, 600)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20  # a real rendering, not a blank canvas


def test_output_cut_short_by_a_closed_pipe_is_not_a_traceback() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "inference_gui", "records", "list", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()  # like `| head -c 10`
    stderr = process.stderr.read().decode()
    assert process.wait(60) == 0
    assert "Traceback" not in stderr
