"""Model revisions found in the user's Hugging Face cache, as a table to pick imports from."""

from __future__ import annotations

from inference_gui.cache.importing import HfCachedRevision
from inference_gui.format import human_bytes
from inference_gui.ui.models.table import Column, ColumnsModel


class HfRevisionsModel(ColumnsModel[HfCachedRevision]):
    columns = (
        Column("Model", lambda r: r.model),
        Column("Revision", lambda r: r.revision),
        Column("Files", lambda r: len(r.files)),
        Column("Size", lambda r: r.size, human_bytes),
    )

    def tooltip(self, row: HfCachedRevision) -> str:
        return f"commit {row.commit}"
