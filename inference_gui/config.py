"""All configuration in one place: one :class:`Settings` value built from layers.

Precedence, lowest first: built-in defaults < stored preferences (QSettings, read by the UI/CLI
shell and passed in as a plain mapping) < environment variables < command-line flags. A bad value
in any layer is reported as a :class:`ConfigError` and that layer's value is ignored, so the app
still starts with the value underneath.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from inference_gui.errors import ConfigError
from inference_gui.vocab import MAX_THREADS

APP_NAME = "inference-gui"
ENV_PREFIX = "INFERENCE_GUI_"
GIB = 1024**3


@dataclass(frozen=True)
class HubPreset:
    name: str
    root: str
    template: str


HUB_PRESETS: dict[str, HubPreset] = {
    "mozilla": HubPreset(
        "Mozilla model hub", "https://model-hub.mozilla.org/", "{model}/{revision}"
    ),
    "huggingface": HubPreset(
        "Hugging Face", "https://huggingface.co/", "{model}/resolve/{revision}"
    ),
}
DEFAULT_HUB = HUB_PRESETS["mozilla"]

# SHA-256 of the DER of Mozilla's production content-signature root: the value of Firefox's former
# security.content.signature.root_hash pref, and PROD_CERT_ROOT_HASH of Mozilla's
# remote-settings-client. Records signed under any other root are refused unless this is changed.
MOZILLA_SETTINGS_ROOT_HASH = "97e8ba9cf12fb3de53cc42a4e6577ed64df493c247b414fea036818d3823560e"


@dataclass(frozen=True)
class Option:
    """One setting: its key (QSettings key, env suffix, flag) and how to read it from text."""

    key: str
    flag: str | None
    help: str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.key.upper()


OPTIONS: tuple[Option, ...] = (
    Option("cache_dir", "--cache-dir", "folder holding downloaded model files and the cache index"),
    Option(
        "hub",
        "--hub",
        "model hub: an http(s) root URL or a local folder laid out org/model/revision/",
    ),
    Option(
        "hub_template",
        "--hub-template",
        "path template under the hub root, e.g. {model}/{revision}",
    ),
    Option("settings_server", "--settings-server", "Remote Settings server URL (records source)"),
    Option("settings_file", "--settings-file", "local JSON file of records (records source)"),
    Option(
        "settings_root_hash",
        "--settings-root-hash",
        "SHA-256 (hex, colons allowed) of the root that must sign server records; Mozilla's "
        "production root by default",
    ),
    Option("offline", "--offline", "never make a network request; use only what is cached"),
    Option("threads", "--threads", "inference threads per session (0 = automatic)"),
    Option("cache_limit_gib", None, "largest size the model cache may grow to, in GiB"),
    Option("data_dir", "--data-dir", "folder for the app's own data (last sync, local overrides)"),
    Option("log_dir", None, "folder for the log file"),
)
OPTIONS_BY_KEY = {o.key: o for o in OPTIONS}


@dataclass(frozen=True)
class Settings:
    cache_dir: Path = field(default_factory=lambda: Path(platformdirs.user_cache_dir(APP_NAME)))
    hub: str = DEFAULT_HUB.root
    hub_template: str = DEFAULT_HUB.template
    settings_server: str = ""
    settings_file: str = ""
    settings_root_hash: str = MOZILLA_SETTINGS_ROOT_HASH
    offline: bool = False
    threads: int = 0
    cache_limit_gib: float = 4.0
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)))
    log_dir: Path = field(default_factory=lambda: Path(platformdirs.user_log_dir(APP_NAME)))

    @property
    def settings_source(self) -> str:
        """Where records come from: a file beats a server, and with neither, the embedded dump."""
        if self.settings_file:
            return "file"
        if self.settings_server:
            return "server"
        return "embedded"

    @property
    def hub_is_local(self) -> bool:
        return not self.hub.startswith(("http://", "https://"))

    @property
    def cache_limit_bytes(self) -> int:
        return int(self.cache_limit_gib * GIB)

    def to_strings(self) -> dict[str, str]:
        """The persisted form: every value as text, as QSettings stores it."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return out


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false")


def _check_hub(value: str) -> str:
    if value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        if not parts.hostname:
            raise ValueError("the URL has no host")
        if parts.username or parts.password:
            raise ValueError("the URL carries credentials; remove them")
        return value if value.endswith("/") else value + "/"
    if "://" in value:
        raise ValueError("only http(s) URLs or local folders can be hubs")
    if not Path(value).expanduser().is_dir():
        raise ValueError("it is neither an http(s) URL nor an existing folder")
    return str(Path(value).expanduser().resolve())


def _check_template(value: str) -> str:
    if "{model}" not in value or "{revision}" not in value:
        raise ValueError("it must contain {model} and {revision}")
    return value.strip("/")


def _check_server(value: str) -> str:
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("it is not an http(s) URL")
    return value.rstrip("/")


def _check_file(value: str) -> str:
    if value and not Path(value).expanduser().is_file():
        raise ValueError("no such file")
    return str(Path(value).expanduser()) if value else ""


def _check_root_hash(value: str) -> str:
    digits = value.strip().replace(":", "").lower()
    if len(digits) != 64 or any(c not in "0123456789abcdef" for c in digits):
        raise ValueError("it is not a SHA-256 in hex (64 digits, colons allowed)")
    return digits


def _whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError("it is not a whole number") from None


def _check_threads(value: str) -> int:
    number = _whole_number(value)
    if not 0 <= number <= MAX_THREADS:
        raise ValueError(f"it must be 0 (automatic) to {MAX_THREADS}")
    return number


def _check_limit(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError("it is not a number") from None
    if number <= 0:
        raise ValueError("it must be a positive number of GiB")
    return number


_PARSERS: dict[str, Any] = {
    "cache_dir": lambda v: Path(v).expanduser(),
    "hub": _check_hub,
    "hub_template": _check_template,
    "settings_server": _check_server,
    "settings_file": _check_file,
    "settings_root_hash": _check_root_hash,
    "offline": _parse_bool,
    "threads": _check_threads,
    "cache_limit_gib": _check_limit,
    "data_dir": lambda v: Path(v).expanduser(),
    "log_dir": lambda v: Path(v).expanduser(),
}

_HINTS = {
    "hub": (
        "Use an https:// URL, http://localhost, or an existing folder laid out org/model/revision/."
    ),
    "hub_template": (
        "For example {model}/{revision} (Mozilla) or {model}/resolve/{revision} (Hugging Face)."
    ),
    "settings_root_hash": "Give the root certificate's SHA-256, e.g. 97:E8:BA:…:0E (Mozilla's).",
    "settings_file": "Point it at a JSON file of records, or leave it empty for the embedded dump.",
}


def load_settings(
    stored: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> tuple[Settings, list[ConfigError]]:
    """Build settings from the layers; returns them with the problems met on the way.

    ``flags`` holds only the flags the user actually gave (None values are ignored).
    """
    env = os.environ if env is None else env
    layers: list[tuple[str, Mapping[str, Any]]] = [
        ("stored preference", stored or {}),
        ("environment variable", {o.key: env[o.env] for o in OPTIONS if o.env in env}),
        ("flag", {k: v for k, v in (flags or {}).items() if v is not None}),
    ]
    values: dict[str, Any] = {}
    problems: list[ConfigError] = []
    for origin, layer in layers:
        for key, raw in layer.items():
            if key not in _PARSERS:
                continue
            option = OPTIONS_BY_KEY[key]
            name = {"flag": option.flag or key, "environment variable": option.env}.get(origin, key)
            try:
                values[key] = raw if isinstance(raw, bool) else _PARSERS[key](str(raw))
            except ValueError as exc:
                problems.append(
                    ConfigError(
                        f"The {origin} {name}={raw!r} cannot be used: {exc}.",
                        _HINTS.get(key, "Fix or remove it; the previous value is used meanwhile."),
                    )
                )
    return Settings(**values), problems


def ensure_folders(settings: Settings) -> list[ConfigError]:
    """Create the folders the app writes to; report any that cannot be created.

    A cache folder that exists but cannot be written is not a problem here: the cache opens it
    read-only for browsing and says so beside every writing action it refuses.
    """
    problems = []
    for key in ("cache_dir", "data_dir", "log_dir"):
        folder: Path = getattr(settings, key)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if key != "cache_dir" and not os.access(folder, os.W_OK):
                raise PermissionError("not writable")
        except OSError as exc:
            problems.append(
                ConfigError(
                    f"The folder {folder} ({key.replace('_', ' ')}) cannot be created or written: "
                    f"{exc.strerror or exc}.",
                    f"Choose another with {OPTIONS_BY_KEY[key].flag or OPTIONS_BY_KEY[key].env}.",
                )
            )
    return problems
