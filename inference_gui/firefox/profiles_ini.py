"""The Firefox profiles a person has, from ``profiles.ini`` in Firefox's per-OS folder."""

from __future__ import annotations

import configparser
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from inference_gui.errors import HubError
from inference_gui.safepath import safe_join


@dataclass(frozen=True)
class FirefoxProfile:
    name: str
    path: Path
    is_default: bool


def firefox_roots() -> list[Path]:
    """Where Firefox keeps ``profiles.ini`` on this OS (newest layout first)."""
    home = Path.home()
    if sys.platform == "win32":
        return [Path(os.environ.get("APPDATA", home / "AppData/Roaming")) / "Mozilla/Firefox"]
    if sys.platform == "darwin":
        return [home / "Library/Application Support/Firefox"]
    config = Path(os.environ.get("XDG_CONFIG_HOME", home / ".config"))
    return [config / "mozilla/firefox", home / ".mozilla/firefox"]


def read_profiles_ini(ini: Path) -> list[FirefoxProfile]:
    """Profiles listed in ``ini``; relative paths resolve inside its folder and never leave it."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(ini, encoding="utf-8")
    defaults = {parser.get(s, "Default") for s in parser.sections() if s.startswith("Install")}
    profiles = []
    for section in parser.sections():
        if not section.startswith("Profile") or not parser.has_option(section, "Path"):
            continue
        raw = parser.get(section, "Path")
        relative = parser.get(section, "IsRelative", fallback="1") == "1"
        try:
            path = safe_join(ini.parent, raw, what="profile path") if relative else Path(raw)
        except HubError:
            continue
        is_default = raw in defaults or parser.get(section, "Default", fallback="0") == "1"
        profiles.append(FirefoxProfile(parser.get(section, "Name", fallback=raw), path, is_default))
    return profiles


def list_profiles(roots: list[Path] | None = None) -> list[FirefoxProfile]:
    """Every profile of every ``profiles.ini`` found, default profiles first."""
    found: list[FirefoxProfile] = []
    for root in roots if roots is not None else firefox_roots():
        if (root / "profiles.ini").is_file():
            found += read_profiles_ini(root / "profiles.ini")
    return sorted(found, key=lambda p: (not p.is_default, p.name))
