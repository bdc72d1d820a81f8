"""packaging/install.sh puts a bundle, its menu entry, icons and metainfo in the XDG folders."""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "packaging" / "install.sh"
METAINFO = "org.inference_gui.InferenceGui.metainfo.xml"


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A stand-in for dist/inference-gui laid out as the spec lays it, icons rendered for real."""
    spec = importlib.util.spec_from_file_location(
        "render_icons", REPO / "packaging" / "render_icons.py"
    )
    render_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render_icons)  # packaging/ is no package (the name is PyPI's)
    root = tmp_path / "dist" / "inference-gui"
    share = root / "_internal" / "share"
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir()
    shutil.copy(REPO / "packaging" / "linux" / "inference-gui.desktop", share / "applications")
    shutil.copy(REPO / "packaging" / "linux" / METAINFO, share / "metainfo")
    render_icons.render(REPO / "resources" / "icons" / "app.svg", share / "icons")
    exe = root / "inference-gui"
    exe.write_text('#!/bin/sh\necho bundle-ran "$@"\n')
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return root


def _run(*args: str, data: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "XDG_DATA_HOME": str(data)}
    return subprocess.run(["bash", str(INSTALL), *args], env=env, capture_output=True, text=True)


def test_install_then_uninstall_in_a_custom_xdg_data_home(bundle: Path, tmp_path: Path) -> None:
    data, home = tmp_path / "xdg-data", tmp_path / "home"
    done = _run(str(bundle), data=data, home=home)
    assert done.returncode == 0, done.stderr

    app = data / "inference-gui" / "app" / "inference-gui"
    desktop = (data / "applications" / "inference-gui.desktop").read_text()
    assert f'Exec="{app}"' in desktop.splitlines() and "Icon=inference-gui" in desktop
    for size in (16, 32, 48, 128, 256, 512):
        assert (
            data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "inference-gui.png"
        ).is_file()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "inference-gui.svg").is_file()
    assert (data / "metainfo" / METAINFO).is_file()
    launcher = home / ".local" / "bin" / "inference-gui"
    ran = subprocess.run([str(launcher), "--version"], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "bundle-ran --version"
    assert not (home / ".local" / "share").exists()  # XDG_DATA_HOME was respected

    done = _run("--uninstall", data=data, home=home)
    assert done.returncode == 0, done.stderr
    assert not app.exists() and not launcher.exists()
    assert not (data / "applications" / "inference-gui.desktop").exists()
    assert not list((data / "icons").rglob("inference-gui.*"))


def test_missing_bundle_is_one_clear_line(tmp_path: Path) -> None:
    done = _run(str(tmp_path / "nothing"), data=tmp_path / "d", home=tmp_path / "h")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"install.sh: no bundle at {tmp_path / 'nothing'}; build it with packaging/build.sh first."
    )
