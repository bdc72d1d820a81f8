"""text-to-audio around the model: clips as RawAudio, WAVs written, refusals, and the CLI."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile

from inference_gui.cli.main import main
from inference_gui.engine import RunInput
from inference_gui.engine.raw_audio import RawAudio
from inference_gui.engine.raw_image import jsonable
from inference_gui.errors import EngineError
from tests.paths import EXPECTED, HUB
from tests.unit.engine.conftest import fixture_engine

TASK = "text-to-audio"
EXPECTED_FP32 = json.loads((EXPECTED / "tiny__vits-tts__v1.0.0.json").read_text())["results"][
    "fp32"
]["outputs"]


def test_a_clip_is_raw_audio_at_the_model_rate_and_a_batch_is_one_clip_per_text() -> None:
    engine = fixture_engine(TASK, "vits-tts")
    clip = engine.run(RunInput.text("Hello world."), {}).output
    assert isinstance(clip, RawAudio) and clip.sampling_rate == 16000
    assert clip.compact()["length"] == EXPECTED_FP32["tts-0"]["length"]
    clips = engine.run(RunInput.text(["Hello world.", "The quick brown fox"]), {}).output
    assert [type(c) for c in clips] == [RawAudio, RawAudio]
    assert len(clips[0].audio) == len(clips[1].audio) > len(clip.audio)  # padded to the longest
    engine.unload()


@pytest.mark.parametrize("text", ["!!!", "   ", "¿?"])
def test_text_without_a_sayable_character_is_refused(text: str) -> None:
    engine = fixture_engine(TASK, "vits-tts")
    with pytest.raises(EngineError) as error:
        engine.run(RunInput.text(["Hello", text]), {})
    assert "no character this voice can say" in error.value.message or "empty" in (
        error.value.message
    )
    engine.unload()


def test_a_model_that_is_not_vits_is_refused(tmp_path: Path) -> None:
    engine = fixture_engine(TASK, "bert-sentiment")
    with pytest.raises(EngineError, match="does not produce waveform"):
        engine.run(RunInput.text("Hello"), {})
    engine.unload()
    repo = tmp_path / "tiny/vits-tts/v1.0.0"
    shutil.copytree(HUB / "tiny/vits-tts/v1.0.0", repo)
    config = json.loads((repo / "config.json").read_text())
    (repo / "config.json").write_text(json.dumps({**config, "model_type": "speecht5"}))
    engine = fixture_engine(TASK, "vits-tts", hub=tmp_path)
    with pytest.raises(EngineError, match="runs VITS models"):
        engine.run(RunInput.text("Hello"), {})
    engine.unload()


def test_saved_wav_holds_the_clip_as_16_bit_pcm(tmp_path: Path) -> None:
    samples = np.array([0.0, 0.5, -0.5, 1.5, -2.0], dtype=np.float32)
    compact = jsonable([RawAudio(samples, 8000)], audio_dir=tmp_path, prefix="tts")[0]
    assert compact["wav"] == str(tmp_path / "tts-1.wav") and compact["length"] == 5
    assert (compact["min"], compact["max"]) == (-2.0, 1.5)  # the summary is of the samples
    data, rate = soundfile.read(compact["wav"], dtype="int16")
    assert rate == 8000 and data.tolist() == [0, 16384, -16384, 32767, -32768]  # clipped


def test_cli_writes_wavs_and_their_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    code = main([
        "--hub", str(HUB), "run", "--task", TASK, "--model", "tiny/vits-tts", "--revision",
        "v1.0.0", "--dtype", "fp32", "Hello world.", "--save-audio", str(folder), "--json",
    ])  # fmt: skip
    assert code == 0
    output = json.loads(capsys.readouterr().out)["output"]
    expected = EXPECTED_FP32["tts-0"]
    assert output["type"] == "RawAudio" and output["length"] == expected["length"]
    assert output["rms16"] == pytest.approx(expected["rms16"], abs=1e-5)
    samples, rate = soundfile.read(output["wav"], dtype="float32")
    assert rate == 16000 and len(samples) == expected["length"]
    assert abs(float(np.sqrt(np.mean(samples**2))) - expected["rms"]) < 1e-4
    assert sorted(p.name for p in folder.iterdir()) == [f"{TASK}-1.wav"]
    assert hashlib.sha256(Path(output["wav"]).read_bytes()).hexdigest() != output["sha256"]


def test_cli_refuses_a_missing_audio_folder(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([
        "--hub", str(HUB), "run", "--task", TASK, "--model", "tiny/vits-tts", "Hi",
        "--save-audio", "/nonexistent/x",
    ])  # fmt: skip
    assert code != 0
    assert "--save-audio /nonexistent/x is not a folder" in capsys.readouterr().err
