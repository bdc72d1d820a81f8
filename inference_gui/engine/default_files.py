"""The files an engine uses when none are given: the configured hub, through the model cache.

Until the cache service is available this reads a local hub folder directly; a remote hub then
reports a clear error instead of downloading around the cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inference_gui.engine.sources import FilesFactory, folder_hub
from inference_gui.errors import EngineError


def default_factory(ctx: Any) -> FilesFactory:
    """Files for (model id, revision) from ``ctx.settings``' hub (``ctx`` is an AppContext)."""
    settings = ctx.settings
    if settings.hub_is_local:
        return folder_hub(Path(settings.hub))
    raise EngineError(f"Running models from the remote hub {settings.hub} is not available yet.",
                      "Use --hub with a local folder laid out org/model/revision/.")
