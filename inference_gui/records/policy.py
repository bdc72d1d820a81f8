"""Which model URLs may be fetched, from the ``ml-model-allow-deny-list`` collection.

Firefox's rule: a DENY prefix always wins; when ALLOW prefixes exist, a URL must match one of them.
This machine (localhost, 127.0.0.1, ::1) and local folders are always allowed, since nothing leaves
the computer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from inference_gui.errors import HubError

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class PolicyEntry:
    filter: str
    url_prefix: str
    description: str = ""


def _normalise(url: str) -> str:
    """Scheme and host are case-insensitive; the path is compared as written."""
    parts = urlsplit(url)
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()


@dataclass(frozen=True)
class UrlPolicy:
    entries: tuple[PolicyEntry, ...] = ()

    @classmethod
    def from_records(cls, records: list[dict[str, Any]]) -> UrlPolicy:
        return cls(
            tuple(
                PolicyEntry(r["filter"], r["urlPrefix"], r.get("description", "")) for r in records
            )
        )

    def _match(self, url: str, kind: str) -> PolicyEntry | None:
        target = _normalise(url)
        for entry in self.entries:
            if entry.filter == kind and target.startswith(_normalise(entry.url_prefix)):
                return entry
        return None

    def denial(self, url: str) -> str | None:
        """Why ``url`` is refused, or None when it may be fetched."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or (parts.hostname or "") in LOCAL_HOSTS:
            return None
        denied = self._match(url, "DENY")
        if denied:
            why = f" ({denied.description})" if denied.description else ""
            return f"it matches the DENY entry {denied.url_prefix!r}{why}"
        allows = [e for e in self.entries if e.filter == "ALLOW"]
        if allows and not self._match(url, "ALLOW"):
            return (
                "it matches none of the ALLOW entries ("
                + ", ".join(e.url_prefix for e in allows)
                + ")"
            )
        return None

    def allows(self, url: str) -> bool:
        return self.denial(url) is None

    def check(self, url: str) -> None:
        reason = self.denial(url)
        if reason:
            raise HubError(
                f"The model URL {url} is refused by the allow/deny list: {reason}.",
                "Use a model from an allowed hub, or change ml-model-allow-deny-list records.",
            )
