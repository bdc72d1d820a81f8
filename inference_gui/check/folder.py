"""The model folder as the checks see it: its files (never following links out), its JSON files.

Every check family reads the folder through this one object, so the folder is walked once and a
link that leads outside it is noticed in one place rather than followed by some check.
"""

from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path
from typing import Any

from inference_gui.check.findings import Finding, error


class ModelFolder:
    """Files of ``root`` as repo paths (``onnx/model.onnx``).

    Hidden entries are skipped, as the import skips them, and linked folders are not entered.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.resolved_root = self.root.resolve()
        self._json: dict[str, dict[str, Any] | None] = {}
        self.problems: list[Finding] = []  # JSON files that could not be read

    @cached_property
    def files(self) -> list[str]:
        found = []
        for parent, dirs, names in os.walk(self.root):
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and not Path(parent, d).is_symlink()
            )
            for name in sorted(names):
                if not name.startswith("."):
                    found.append(Path(parent, name).relative_to(self.root).as_posix())
        return found

    def has(self, path: str) -> bool:
        return path in set(self.files)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def inside(self, path: Path) -> bool:
        """Whether ``path``, links followed, stays inside the folder."""
        target = path.resolve()
        return target == self.resolved_root or self.resolved_root in target.parents

    def json(self, relative: str) -> dict[str, Any] | None:
        """The JSON object in ``relative``; None when absent or unreadable.

        An unreadable file gets a finding saying which and why, once.
        """
        if relative not in self._json:
            self._json[relative] = self._read_json(relative)
        return self._json[relative]

    def _read_json(self, relative: str) -> dict[str, Any] | None:
        if not self.has(relative):
            return None
        try:
            value = json.loads(self.path(relative).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.problems.append(
                error("JSON_UNREADABLE", relative, f"cannot be read: {exc}.", "Write it again.")
            )
            return None
        if not isinstance(value, dict):
            self.problems.append(
                error("JSON_UNREADABLE", relative, "is not a JSON object.", "Write it again.")
            )
            return None
        return value

    @property
    def config(self) -> dict[str, Any]:
        return self.json("config.json") or {}
