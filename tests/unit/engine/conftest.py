"""Engine test helpers: writable copies of fixture models, and engines over the fixture hub."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from inference_gui.engine import Engine, EngineOptions, create_engine
from inference_gui.engine.sources import folder_hub
from tests.paths import HUB


@pytest.fixture
def model_copy(tmp_path: Path) -> Callable[[str, str], Path]:
    """Copy ``tiny/<name>/<revision>`` into a writable hub under tmp; return the revision folder."""

    def copy(name: str, revision: str = "v1.0.0") -> Path:
        target = tmp_path / "hub" / "tiny" / name / revision
        shutil.copytree(HUB / "tiny" / name / revision, target)
        for path in [target, *target.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return target

    return copy


def fixture_engine(
    task: str, model: str, dtype: str = "fp32", hub: Path = HUB, **options: object
) -> Engine:
    return create_engine(
        EngineOptions(
            task=task,
            model_id=f"tiny/{model}",
            revision="v1.0.0",
            dtype=dtype,
            num_threads=1,
            **options,
        ),
        folder_hub(hub),
    )
