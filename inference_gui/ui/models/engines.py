"""The Engines pane's table: one row per engine the registry holds, refreshed from ``infos()``."""

from __future__ import annotations

import time

from inference_gui.engine.engine import EngineInfo
from inference_gui.ui.models.table import Column, ColumnsModel


def ago(stamp: float | None) -> str:
    if not stamp:
        return "never"
    seconds = max(0, int(time.time() - stamp))
    if seconds < 60:
        return f"{seconds} s ago"
    return (
        f"{seconds // 60} min ago"
        if seconds < 3600
        else time.strftime("%H:%M", time.localtime(stamp))
    )


class EnginesModel(ColumnsModel[tuple[EngineInfo, float | None]]):
    """Rows are (info, timeout in ms); the timeout lives on the engine's options, not its info."""

    columns = (
        Column("id", lambda r: r[0].id),
        Column("status", lambda r: r[0].status),
        Column("task", lambda r: r[0].task),
        Column("model", lambda r: r[0].source or r[0].model),
        Column("revision", lambda r: "" if r[0].source else r[0].revision),
        Column("dtype", lambda r: r[0].dtype),
        Column("device", lambda r: r[0].device),
        Column("timeout", lambda r: r[1], lambda v: f"{v / 1000:g} s" if v else "none"),
        Column("runs", lambda r: r[0].runs),
        Column("last run", lambda r: r[0].last_run or 0, lambda v: ago(v)),
    )

    def tooltip(self, row: tuple[EngineInfo, float | None]) -> str | None:
        return row[0].error or None

    def engine_id(self, row: int) -> str:
        return self._rows[row][0].id
