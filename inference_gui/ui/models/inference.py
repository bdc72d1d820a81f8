"""Table models of the Inference pane: per-file downloads, the dtype comparison, benchmark results.

All are :class:`~inference_gui.ui.models.table.ColumnsModel`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from inference_gui.engine.compare import CompareRow
from inference_gui.engine.workloads import BenchmarkRow
from inference_gui.format import human_bytes
from inference_gui.jobs import Progress
from inference_gui.ui.models.roles import FRACTION_ROLE
from inference_gui.ui.models.table import Column, ColumnsModel, Index


def ms(value: float) -> str:
    return f"{value:,.1f} ms" if value else ""


def size(value: int | None) -> str:
    return human_bytes(value) if value else ""


class CompareModel(ColumnsModel[CompareRow]):
    columns = (
        Column("dtype", lambda r: r.dtype),
        Column("file size", lambda r: r.size_bytes, size),
        Column("load", lambda r: r.load_ms, ms),
        Column("median", lambda r: r.median_ms, ms),
        Column("p90", lambda r: r.p90_ms, ms),
        Column("memory (RSS)", lambda r: r.rss_bytes, size),
        Column(
            "agreement with fp32", lambda r: r.error or (r.agreement.text if r.agreement else "—")
        ),
    )

    def tooltip(self, row: CompareRow) -> str | None:
        """The whole error or agreement: in a narrow table its cell shows only the start."""
        return row.error or (row.agreement.text if row.agreement else None)


class BenchmarkModel(ColumnsModel[BenchmarkRow]):
    columns = (
        # the figures first, so a narrow tab shows them without scrolling; what ran after
        Column("workload", lambda r: r.workload),
        Column("dtype", lambda r: r.dtype),
        Column("run median", lambda r: r.run_median_ms, ms),
        Column("run p90", lambda r: r.run_p90_ms, ms),
        Column("init median", lambda r: r.init_median_ms, ms),
        Column("init p90", lambda r: r.init_p90_ms, ms),
        Column("tokens/s", lambda r: r.tokens_per_second, lambda v: f"{v:,.1f}" if v else ""),
        Column("memory (RSS)", lambda r: r.rss_bytes, size),
        Column("creation", lambda r: r.create_ms, lambda v: f"{v:,.2f} ms" if v else ""),
        Column("runs", lambda r: r.iterations),
        Column("model", lambda r: r.source or r.model),
        Column("error", lambda r: r.error),
    )

    def tooltip(self, row: BenchmarkRow) -> str | None:
        """The whole error: in a narrow table its cell shows only the start."""
        return row.error or None


@dataclass
class FileDownload:
    path: str
    done: float
    total: float
    rate: float = 0.0

    @property
    def fraction(self) -> float | None:
        return min(1.0, self.done / self.total) if self.total else None


class DownloadsModel(ColumnsModel[FileDownload]):
    """Files in flight, one row per file, fed with the byte Progress events the cache reports."""

    columns = (
        Column("file", lambda r: r.path),
        Column("progress", lambda r: r.fraction, lambda v: "" if v is None else f"{v:.0%}"),
        Column("downloaded", lambda r: r.done, human_bytes),
        Column("size", lambda r: r.total, lambda v: human_bytes(v) if v else "unknown"),
        Column("speed", lambda r: r.rate, lambda v: f"{human_bytes(v)}/s" if v else ""),
    )

    def update_from(self, progress: Progress) -> bool:
        """Record a byte-progress event; False if it is not about a file's bytes."""
        if progress.unit != "B":
            return False
        extra = progress.extra or {}
        path = str(extra.get("path") or progress.detail)
        done = float(extra.get("file_done", progress.done))
        total = float(extra.get("file_total", progress.total))
        for i, row in enumerate(self._rows):
            if row.path == path:
                row.done, row.total, row.rate = done, total, float(extra.get("rate", 0.0))
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.columns) - 1))
                return True
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(FileDownload(path, done, total, float(extra.get("rate", 0.0))))
        self.endInsertRows()
        return True

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == FRACTION_ROLE and index.isValid():
            return self._rows[index.row()].fraction
        return super().data(index, role)
