"""profiles.ini: relative and absolute profiles, the install default first, no path escaping."""

from __future__ import annotations

from pathlib import Path

from inference_gui.firefox.profiles_ini import list_profiles

INI = """
[Install4F96D1932A9F858E]
Default=Profiles/abcd.default-release
Locked=1

[Profile1]
Name=default
IsRelative=1
Path=Profiles/zzzz.default

[Profile0]
Name=default-release
IsRelative=1
Path=Profiles/abcd.default-release

[Profile2]
Name=elsewhere
IsRelative=0
Path={absolute}

[Profile3]
Name=sneaky
IsRelative=1
Path=../../etc

[General]
StartWithLastProfile=1
Version=2
"""


def test_profiles_are_listed_default_first_and_escapes_dropped(tmp_path: Path) -> None:
    root = tmp_path / "firefox"
    root.mkdir()
    absolute = tmp_path / "custom-profile"
    (root / "profiles.ini").write_text(INI.format(absolute=absolute))
    found = list_profiles([root, tmp_path / "no-such-root"])
    assert [(p.name, p.is_default) for p in found] == [
        ("default-release", True),
        ("default", False),
        ("elsewhere", False),
    ]
    assert found[0].path == (root / "Profiles/abcd.default-release").resolve()
    assert found[2].path == absolute


def test_no_profiles_ini_means_no_profiles(tmp_path: Path) -> None:
    assert list_profiles([tmp_path]) == []
