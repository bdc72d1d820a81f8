"""Settings layers: defaults < stored preferences < environment < flags, bad values reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from inference_gui.config import DEFAULT_HUB, HUB_PRESETS, ensure_folders, load_settings


def test_defaults_point_at_the_mozilla_hub_and_embedded_records() -> None:
    settings, problems = load_settings({}, env={}, flags={})
    assert problems == []
    assert settings.hub == "https://model-hub.mozilla.org/"
    assert settings.hub_template == "{model}/{revision}"
    assert settings.settings_source == "embedded"
    assert settings.cache_limit_bytes == 4 * 1024**3
    assert not settings.offline


def test_flags_beat_environment_which_beats_stored(tmp_path: Path) -> None:
    stored = {"threads": "2", "hub_template": "{model}/resolve/{revision}", "offline": "false"}
    env = {"INFERENCE_GUI_THREADS": "3", "INFERENCE_GUI_OFFLINE": "yes"}
    flags = {"threads": "4", "offline": None}
    settings, problems = load_settings(stored, env, flags)
    assert problems == []
    assert settings.threads == 4  # flag
    assert settings.offline is True  # env, since the flag was not given
    assert settings.hub_template == "{model}/resolve/{revision}"  # stored


def test_a_bad_value_is_reported_and_the_layer_below_is_kept(tmp_path: Path) -> None:
    settings, problems = load_settings(
        {"hub": str(tmp_path)},
        env={"INFERENCE_GUI_HUB": "ftp://example.org/"},
        flags={"threads": "-1"},
    )
    assert settings.hub == str(tmp_path.resolve())
    assert settings.threads == 0
    messages = [str(p) for p in problems]
    assert any("INFERENCE_GUI_HUB" in m and "http(s)" in m for m in messages)
    assert any("--threads" in m for m in messages)


def test_hub_must_be_http_url_or_existing_folder(tmp_path: Path) -> None:
    _, problems = load_settings({}, env={}, flags={"hub": str(tmp_path / "missing")})
    assert len(problems) == 1 and "neither an http(s) URL nor an existing folder" in str(
        problems[0]
    )
    _, problems = load_settings({}, env={}, flags={"hub": "https://user:pw@hub.example/"})
    assert "credentials" in str(problems[0])
    settings, problems = load_settings({}, env={}, flags={"hub": "http://127.0.0.1:8000"})
    assert problems == [] and settings.hub == "http://127.0.0.1:8000/"


def test_hugging_face_preset_template() -> None:
    assert HUB_PRESETS["huggingface"].template == "{model}/resolve/{revision}"
    assert DEFAULT_HUB is HUB_PRESETS["mozilla"]


def test_settings_source_prefers_file_then_server(tmp_path: Path) -> None:
    records = tmp_path / "records.json"
    records.write_text("{}")
    settings, _ = load_settings({}, env={}, flags={"settings_server": "http://127.0.0.1:1"})
    assert settings.settings_source == "server"
    settings, _ = load_settings({}, env={}, flags={"settings_file": str(records)})
    assert settings.settings_source == "file"


def test_folder_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings, _ = load_settings({}, env={}, flags={"cache_dir": str(blocker / "cache")})
    problems = ensure_folders(settings)
    assert len(problems) == 1
    assert "cache dir" in str(problems[0]) and "--cache-dir" in str(problems[0])


def test_non_numbers_are_named_in_plain_words() -> None:
    _, problems = load_settings(
        {"cache_limit_gib": "lots"}, env={"INFERENCE_GUI_THREADS": "abc"}, flags={}
    )
    messages = " ".join(str(p) for p in problems)
    assert "INFERENCE_GUI_THREADS='abc' cannot be used: it is not a whole number" in messages
    assert "cache_limit_gib='lots' cannot be used: it is not a number" in messages
    assert "invalid literal" not in messages and "could not convert" not in messages


@pytest.mark.parametrize("value", ["1025", "99999999", "100000000000000000000"])
def test_threads_beyond_the_platform_bound_are_refused(value: str) -> None:
    settings, problems = load_settings({}, env={"INFERENCE_GUI_THREADS": value}, flags={})
    assert settings.threads == 0
    assert any("INFERENCE_GUI_THREADS" in str(p) and "1024" in str(p) for p in problems)
