"""The files an engine uses when none are given: the configured hub, through the model cache."""

from __future__ import annotations

from inference_gui.engine.sources import CachedHubFiles, FilesFactory, ModelFiles, ModelSources


def default_factory(ctx: ModelSources, *, used_by: str | None = None) -> FilesFactory:
    """Files for (model id, revision) from ``ctx``'s hub and cache (the app context, typically).

    Hub and cache are looked up per call, so a changed Preference applies to the next engine.
    """

    def files(model_id: str, revision: str) -> ModelFiles:
        return CachedHubFiles(
            ctx.cache, ctx.hub, model_id, revision, offline=ctx.settings.offline, used_by=used_by
        )

    return files
