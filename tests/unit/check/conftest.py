"""Model folders for the check tests: fixture models copied (only the dtypes a test needs)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from inference_gui.layout import dtype_of
from tests.paths import HUB

CopyModel = Callable[..., Path]


@pytest.fixture
def copy_model(tmp_path: Path) -> CopyModel:
    """``copy_model("bert-embed", dtypes=("fp32",))``: a writable copy of a fixture revision
    holding every non-ONNX file plus the ONNX files (with external data) of ``dtypes``."""

    def copy(name: str, revision: str = "v1.0.0", dtypes: tuple[str, ...] = ("fp32",)) -> Path:
        source = HUB / "tiny" / name / revision
        target = tmp_path / "models" / name
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if path.is_dir() or (dtype_of(path.name) and dtype_of(path.name) not in dtypes):
                continue
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)
        return target

    return copy
