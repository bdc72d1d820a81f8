"""Formatting values for people (sizes, durations); shared by the CLI and every pane."""

from __future__ import annotations

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def human_bytes(size: float) -> str:
    index = 0
    while abs(size) >= 1024 and index < len(_UNITS) - 1:
        size /= 1024
        index += 1
    return f"{size:.0f} B" if index == 0 else f"{size:.1f} {_UNITS[index]}"


def count(number: int, noun: str) -> str:
    """``1 file``, ``3 files``: a number with its noun (plural by an s)."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def human_ms(ms: float) -> str:
    return f"{ms:.1f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"
