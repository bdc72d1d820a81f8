"""What a check reports: findings with a stable code, and the report that gathers them.

A finding names one file (or the folder, ``""``), says what is wrong and what to do, and carries
the fix that would repair it when one exists (file renames), so the CLI's ``--fix`` and the Check
view's Fix button apply the very same change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

Rename = tuple[str, str]
"""(from, to): two paths relative to the model folder."""


@dataclass(frozen=True)
class Finding:
    """One thing the check found. ``code`` is stable (tests and scripts match on it)."""

    code: str
    severity: Severity
    file: str
    message: str
    action: str = ""
    renames: tuple[Rename, ...] = ()

    @property
    def fixable(self) -> bool:
        return bool(self.renames)

    def as_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["renames"] = [list(r) for r in self.renames]
        return row

    def line(self, *, with_file: bool = True) -> str:
        """One line for a terminal: severity, code, file, message, what to do."""
        where = f" {self.file}:" if self.file and with_file else ""
        action = f" — {self.action}" if self.action else ""
        return f"{self.severity:<7} {self.code}{where} {self.message}{action}"


def error(code: str, file: str, message: str, action: str = "", **kw: Any) -> Finding:
    return Finding(code, "error", file, message, action, **kw)


def warning(code: str, file: str, message: str, action: str = "", **kw: Any) -> Finding:
    return Finding(code, "warning", file, message, action, **kw)


def info(code: str, file: str, message: str, action: str = "") -> Finding:
    return Finding(code, "info", file, message, action)


@dataclass
class Report:
    """Everything one check found about one folder, plus the dtype matrix and the smoke runs."""

    folder: Path
    task: str | None
    findings: list[Finding] = field(default_factory=list)
    matrix: dict[str, dict[str, bool]] = field(default_factory=dict)  # base -> dtype -> present
    smoke: list[Mapping[str, Any]] = field(default_factory=list)

    def add(self, findings: Sequence[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def summary(self) -> dict[str, int]:
        return {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}

    def by_file(self) -> dict[str, list[Finding]]:
        """Findings grouped by file (``""`` is the folder's own).

        Files with errors come first, then warnings, then by path; within a file, errors first.
        """
        rank = SEVERITIES.index
        grouped: dict[str, list[Finding]] = {}
        for finding in sorted(self.findings, key=lambda f: (f.file, rank(f.severity))):
            grouped.setdefault(finding.file, []).append(finding)
        order = sorted(grouped, key=lambda file: (rank(grouped[file][0].severity), file))
        return {file: grouped[file] for file in order}

    def renames(self) -> list[Rename]:
        """Every rename the findings offer, once each, in finding order."""
        return list(dict.fromkeys(r for f in self.findings for r in f.renames))

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "task": self.task,
            "findings": [f.as_dict() for f in self.findings],
            "summary": self.summary(),
            "dtypes": self.matrix,
            "smoke": list(self.smoke),
        }
