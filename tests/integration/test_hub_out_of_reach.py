"""A hub that cannot be reached: a cached revision still lists its dtypes, and fast.

A designer demoing on a laptop without network, the preference still online: the model was
fetched earlier from a real local server, which is then stopped (its port refuses).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inference_gui.config import Settings
from inference_gui.context import AppContext
from inference_gui.errors import HubError
from inference_gui.hub import Hub, HubUnavailable
from inference_gui.hub.listing import PROBE_WORKERS
from inference_gui.hub.retry import Retry
from inference_gui.layout import candidate_paths
from inference_gui.run_service import RunRequest
from tests.paths import HUB, REMOTE_SETTINGS
from tests.support.http_hub import serve_hub

MODEL = "tiny/bert-sentiment"


def context(tmp_path: Path, hub: str) -> AppContext:
    ctx = AppContext(
        Settings(
            hub=hub,
            settings_file=str(REMOTE_SETTINGS / "ml-inference-options.json"),
            cache_dir=tmp_path / "cache",
            data_dir=tmp_path / "data",
        )
    )
    ctx.hub.retry = Retry(attempts=2, base_delay=0.01)  # the policy is retry.py's; keep it short
    return ctx


@pytest.fixture()
def cached_then_gone(tmp_path: Path) -> AppContext:
    """A context whose cache holds MODEL's q8 files, fetched from a server stopped since."""
    with serve_hub(HUB) as server:
        ctx = context(tmp_path, server.url)
        plan = ctx.runs.plan(RunRequest(task="text-classification", model=MODEL, dtype="q8"))
        ctx.runs.engine(plan).load()
    return ctx


def test_a_cached_revision_lists_its_dtypes_while_the_hub_is_out_of_reach(
    cached_then_gone: AppContext,
) -> None:
    ctx = cached_then_gone
    plan = ctx.runs.plan(RunRequest(task="text-classification", model=MODEL, dtype="q8"))
    with pytest.raises(HubUnavailable):  # the hub really is gone
        ctx.hub.list_files(MODEL, "main")
    choices = {c.dtype: c for c in ctx.runs.dtype_choices(plan)}
    assert choices["q8"].available and choices["q8"].size_bytes
    assert not choices["fp32"].available  # never fetched: the cache does not have it


def test_an_uncached_model_still_says_the_hub_is_out_of_reach(
    cached_then_gone: AppContext,
) -> None:
    ctx = cached_then_gone
    plan = ctx.runs.plan(RunRequest(task="text-classification", model="tiny/bert-ner"))
    with pytest.raises(HubError, match="failed 2 times"):
        ctx.runs.dtype_choices(plan)


def test_probing_an_unreachable_hub_stops_at_the_first_failure(
    cached_then_gone: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every probe of a hub out of reach fails alike; the queued ones are not tried (``map``
    cancels them when the first result raises), so the wait is one probe's retries."""
    asked: list[str] = []
    real_head = Hub.head

    def counting_head(self: Hub, model: str, revision: str, path: str, **kw: object) -> object:
        asked.append(path)
        return real_head(self, model, revision, path, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Hub, "head", counting_head)
    with pytest.raises(HubUnavailable):
        cached_then_gone.hub.list_files("tiny/bert-ner", "v1.0.0")
    assert 0 < len(asked) <= 2 * PROBE_WORKERS < len(list(candidate_paths()))
