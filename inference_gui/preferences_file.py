"""The preferences file, read without Qt, so the headless CLI never loads it.

The GUI writes preferences with QSettings in INI format (:mod:`inference_gui.ui.settings_store`);
this module finds the same file and reads the ``[preferences]`` section the same way QSettings
does: values are unquoted and unescaped by Qt's INI rules, so both sides see the same text.
"""

from __future__ import annotations

import configparser
import os
import sys
from pathlib import Path

import platformdirs

from inference_gui.config import APP_NAME, ENV_PREFIX, OPTIONS
from inference_gui.errors import ConfigError

CONFIG_ENV = ENV_PREFIX + "CONFIG"
PREFS_GROUP = "preferences"

# Qt's INI value escapes (qsettings.cpp, iniUnescapedStringList).
_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    '"': '"',
    "?": "?",
    "'": "'",
    "\\": "\\",
}
_HEX = "0123456789abcdefABCDEF"


def default_preferences_path() -> Path:
    """Where QSettings keeps an INI file for (APP_NAME, APP_NAME) in user scope.

    Windows: the roaming AppData folder; elsewhere ``$XDG_CONFIG_HOME`` (when absolute) or
    ``~/.config``. A GUI test checks this against QSettings' own choice.
    """
    if sys.platform == "win32":
        base = Path(platformdirs.user_config_dir(roaming=True))
    else:
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".config"
    return base / APP_NAME / f"{APP_NAME}.ini"


def preferences_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The preferences file: ``path``, else ``$INFERENCE_GUI_CONFIG``, else the platform default."""
    chosen = path or os.environ.get(CONFIG_ENV)
    return Path(chosen).expanduser() if chosen else default_preferences_path()


def read_preferences_file(
    path: str | os.PathLike[str] | None = None,
) -> tuple[dict[str, str | list[str]], list[ConfigError]]:
    """The stored preferences (the keys of :data:`OPTIONS` that are set) and any problem met.

    A missing file is no problem (nothing is stored yet); one that cannot be read is reported and
    the defaults are used, as the GUI does.
    """
    file = preferences_path(path)
    if not file.exists():
        return {}, []
    parser = configparser.RawConfigParser(
        delimiters=("=",), comment_prefixes=(";", "#"), strict=False, empty_lines_in_values=False
    )
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keys keep their case
    problems = []
    try:
        # Qt reads the file as UTF-8, replacing bad bytes; keys before any section are [General].
        text = file.read_bytes().decode("utf-8", errors="replace")
        parser.read_string("[General]\n" + text, source=str(file))
    except configparser.ParsingError:
        problems.append(
            unreadable_problem(file, "FormatError")
        )  # what parsed is still used, as in Qt
    except (OSError, configparser.Error) as exc:
        return {}, [unreadable_problem(file, type(exc).__name__)]
    if not parser.has_section(PREFS_GROUP):
        return {}, problems
    section = parser[PREFS_GROUP]
    stored = {}
    for option in OPTIONS:
        if option.key in section:
            value = qt_ini_value(section[option.key])
            if value is not None:
                stored[option.key] = value
    return stored, problems


def unreadable_problem(file: Path | str, why: str) -> ConfigError:
    """The one message for a preferences file that cannot be read (the GUI's store uses it too)."""
    return ConfigError(
        f"The configuration file {file} cannot be read ({why}).",
        "Fix or delete it; defaults are used meanwhile.",
    )


def qt_ini_value(raw: str) -> str | list[str] | None:
    """A value as QSettings reads it from an INI file.

    That is a string, a list (unquoted commas), or None for a value that is not text
    (``@Invalid()``, ``@ByteArray(...)``, ``@Variant(...)``).
    """
    items = _unescape(raw)
    if len(items) > 1:
        return items
    text = items[0]
    if text.startswith("@@"):
        return text[1:]
    if text.startswith("@String(") and text.endswith(")"):
        return text[len("@String(") : -1]
    if text.startswith("@"):
        return None
    return text


def _unescape(raw: str) -> list[str]:
    """Qt's INI unquoting: quotes group, backslashes escape, unquoted commas split, ``;`` ends."""
    items: list[str] = []
    current: list[str] = []
    quoted = in_quotes = False
    i, n = 0, len(raw)
    while i < n and raw[i] in " \t":
        i += 1
    chop_limit = 0  # characters before this index came from escapes and are never trimmed
    while i < n:
        ch = raw[i]
        if ch == "\\" and i + 1 < n:
            code = raw[i + 1]
            i += 2
            if code in _ESCAPES:
                current.append(_ESCAPES[code])
            elif code == "x":
                j = i
                while j < n and raw[j] in _HEX:
                    j += 1
                if j > i:
                    current.append(chr(int(raw[i:j], 16)))
                i = j
            elif code in "01234567":
                j = i
                while j < n and raw[j] in "01234567":
                    j += 1
                current.append(chr(int(raw[i - 1 : j], 8)))
                i = j
            chop_limit = len(current)
        elif ch == "\\":
            i += 1
        elif ch == '"':
            quoted, in_quotes = True, not in_quotes
            i += 1
            if not in_quotes:
                while i < n and raw[i] in " \t":
                    i += 1
        elif ch == "," and not in_quotes:
            items.append(_chop("".join(current), chop_limit, quoted))
            current, quoted, chop_limit = [], False, 0
            i += 1
            while i < n and raw[i] in " \t":
                i += 1
        elif ch == ";" and not in_quotes:
            break  # the rest of the line is a comment
        else:
            current.append(ch)
            i += 1
    items.append(_chop("".join(current), chop_limit, quoted))
    return items


def _chop(text: str, limit: int, quoted: bool) -> str:
    """Trailing spaces of an unquoted value are dropped, except ones written as escapes."""
    if quoted:
        return text
    end = len(text)
    while end > limit and text[end - 1] in " \t":
        end -= 1
    return text[:end]
