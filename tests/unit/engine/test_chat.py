"""Chats for text-generation: message checks, where the template comes from, how it is rendered
(sandboxed, with Hugging Face's helpers), batches of chats, and each bad input's one clear error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inference_gui.engine import RunInput
from inference_gui.engine.preprocess.chat_template import ChatTemplate
from inference_gui.errors import EngineError
from tests.paths import EXPECTED
from tests.unit.engine.conftest import fixture_engine

ModelCopy = Callable[..., Path]
GREEDY = {"max_new_tokens": 8, "do_sample": False}
REFERENCE = json.loads((EXPECTED / "tiny__qwen2-chat__v1.0.0.json").read_text(encoding="utf-8"))
CHAT_1 = REFERENCE["inputs"]["chat-1"]


def reference(input_id: str) -> Any:
    return REFERENCE["results"]["fp32"]["outputs"][input_id]


@pytest.mark.parametrize(
    "value, message",
    [
        ({"role": "user", "content": "hi"}, "not a non-empty list of messages"),
        ([], "not a non-empty list of messages"),
        (["hello"], "Message 1 of the chat is not a {role, content} object"),
        ([{"role": "user"}], "is not a {role, content} object"),
        ([{"role": "robot", "content": "hi"}], "unknown role 'robot'"),
        ([{"role": "user", "content": ["hi"]}], "content of message 1 of the chat is not text"),
        ([[{"role": "user", "content": "a"}], [{"role": "bot", "content": "b"}]], "of chat 2"),
    ],
)
def test_malformed_messages_are_refused_with_one_line(value: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message.replace("{", r"\{").replace("}", r"\}")):
        RunInput.chat(value)


def test_model_without_a_chat_template_is_named() -> None:
    engine = fixture_engine("text-generation", "gpt2")
    with pytest.raises(EngineError, match="tiny/gpt2@v1.0.0 has no chat template"):
        engine.run(RunInput.chat(CHAT_1), GREEDY)
    assert engine.run(RunInput.text("still usable"), GREEDY).output  # the engine is not broken


def test_a_chat_is_refused_by_tasks_that_take_text() -> None:
    engine = fixture_engine("text-classification", "bert-sentiment")
    with pytest.raises(EngineError, match="takes text, but got a chat"):
        engine.run(RunInput.chat(CHAT_1))


def _put_template(folder: Path, file_name: str | None, source: str | None = None) -> None:
    """Move the template (or ``source`` instead) out of tokenizer_config.json into
    ``file_name``, or with None back into the config."""
    config_path = folder / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    source = config.pop("chat_template") if source is None else source
    if file_name is None:
        config["chat_template"] = source
    elif file_name.endswith(".json"):
        (folder / file_name).write_text(json.dumps({"chat_template": source}), encoding="utf-8")
    else:
        (folder / file_name).write_text(source, encoding="utf-8")
    config_path.write_text(json.dumps(config), encoding="utf-8")


@pytest.mark.parametrize("file_name", ["chat_template.jinja", "chat_template.json"])
def test_template_files_beside_the_tokenizer_are_used(
    model_copy: ModelCopy, file_name: str
) -> None:
    folder = model_copy("qwen2-chat")
    _put_template(folder, file_name)
    engine = fixture_engine("text-generation", "qwen2-chat", hub=folder.parents[2])
    result = engine.run(RunInput.chat(CHAT_1), GREEDY)
    assert result.output == reference("chat-1")
    assert file_name in result.files


def test_a_template_that_raises_gives_its_message(model_copy: ModelCopy) -> None:
    folder = model_copy("qwen2-chat")
    strict = (
        "{% if messages[0]['role'] != 'system' %}"
        "{{ raise_exception('The first message must be the system prompt.') }}{% endif %}"
        "{% for m in messages %}{{ m['content'] }}{% endfor %}"
    )
    _put_template(folder, None, strict)
    engine = fixture_engine("text-generation", "qwen2-chat", hub=folder.parents[2])
    with pytest.raises(EngineError, match="refused the messages: The first message must be"):
        engine.run(RunInput.chat(CHAT_1), GREEDY)


def test_gemma_refuses_a_system_message_as_its_template_says() -> None:
    """tiny/gemma-chat carries Gemma's own template: no system role, roles alternating."""
    engine = fixture_engine("text-generation", "gemma-chat")
    system = [{"role": "system", "content": "Be brief."}, *CHAT_1]
    with pytest.raises(EngineError, match="refused the messages: System role not supported"):
        engine.run(RunInput.chat(system), GREEDY)
    twice = [*CHAT_1, *CHAT_1]
    with pytest.raises(EngineError, match="Conversation roles must alternate"):
        engine.run(RunInput.chat(twice), GREEDY)


def test_a_broken_template_is_named() -> None:
    with pytest.raises(EngineError, match="does not compile"):
        ChatTemplate("{% for m in messages %}", {}, "org/model").render(CHAT_1)


def test_the_template_runs_in_a_sandbox() -> None:
    escape = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(EngineError, match="failed"):
        ChatTemplate(escape, {}, "org/model").render(CHAT_1)


def test_hugging_face_helpers_and_special_tokens() -> None:
    source = (
        "{{ bos_token }}{% for m in messages %}{% if loop.index > 2 %}{% break %}{% endif %}"
        "{% if m.role == 'system' %}{% continue %}{% endif %}{{ m | tojson }};{% endfor %}"
        "{{ strftime_now('%Y') | length }}{% if add_generation_prompt %}>{% endif %}"
    )
    config = {"bos_token": {"content": "<s>", "__type": "AddedToken"}, "eos_token": "</s>"}
    messages = [
        {"role": "system", "content": "skip me"},
        {"role": "user", "content": "café"},
        {"role": "user", "content": "after the break"},
    ]
    rendered = ChatTemplate(source, config, "org/model").render(messages)
    assert rendered == '<s>{"role": "user", "content": "café"};4>'


def test_a_batch_of_chats_is_left_padded_and_answers_each_as_alone() -> None:
    """Rows of different lengths: wrong position ids or masks under left padding (rotary
    positions, grouped-query attention) would change the shorter chat's answer."""
    engine = fixture_engine("text-generation", "qwen2-chat")
    chats = [REFERENCE["inputs"]["chat-2"], CHAT_1]
    batch = engine.run(RunInput.chat(chats), GREEDY).output
    assert batch == [reference("chat-2"), reference("chat-1")]


def test_a_batch_of_prompts_of_different_lengths_matches_single_runs() -> None:
    engine = fixture_engine("text-generation", "qwen2-chat")
    prompts = [REFERENCE["inputs"]["text-0"], "Once"]
    batch = engine.run(RunInput.text(prompts), GREEDY).output
    assert batch[0] == reference("text-0")
    assert batch[1] == engine.run(RunInput.text("Once"), GREEDY).output


def test_streamed_chat_text_is_the_assistant_reply() -> None:
    engine = fixture_engine("text-generation", "qwen2-chat")
    pieces: list[str] = []
    result = engine.run(
        RunInput.chat(CHAT_1), GREEDY, stream=lambda chunk: pieces.append(chunk.text)
    )
    assert "".join(pieces) == result.output[0]["generated_text"][-1]["content"]
