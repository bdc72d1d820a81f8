"""Chat and zero-shot text classification in the Inference pane: messages with roles in, a
transcript out (streamed as it is decoded), "Continue the conversation", and candidate labels."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from inference_gui.engine import RunInput
from inference_gui.engine.tasks import task_class
from inference_gui.engine.workloads import example
from inference_gui.errors import EngineError
from inference_gui.ui.panes.inference.results import OutputView
from inference_gui.ui.widgets.chat_input import MessageRow
from inference_gui.ui.widgets.chat_view import MessageBubble
from inference_gui.ui.widgets.input_editor import InputEditor
from tests.gui.inference_support import inference_pane, open_window, wait_idle
from tests.parity.support import core_output
from tests.paths import HUB

CHAT = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Tell me a joke."},
]


def _reply(messages: list[dict[str, str]], options: dict) -> str:
    out = core_output("text-generation", "tiny/qwen2-chat", "q8", RunInput.chat(messages), options)
    return out[0]["generated_text"][-1]["content"]


def test_chat_streams_into_a_transcript_and_continues(qtbot) -> None:
    chosen = example("chat")
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        streamed: list[str] = []
        stream = pane.output.chat.stream
        pane.output.chat.stream = lambda chat, text: (streamed.append(text), stream(chat, text))
        pane.run_example(chosen)
        qtbot.waitUntil(lambda: not pane.busy, timeout=60_000)

        assert pane.inputs.kind == "chat" and pane.inputs.chat_mode.isChecked()
        reply = _reply(CHAT, dict(chosen.options))
        chat = pane.output.chat
        assert pane.output.currentWidget() is chat
        assert [(b.role.text(), b.text.text()) for b in chat.bubbles][-1][1] == reply
        assert [c["role"] for c in chat.conversations[0]] == ["system", "user", "assistant"]
        assert (
            streamed and streamed[-1] == reply
        )  # the reply grew in the transcript, token by token
        assert len(set(streamed)) > 1

        assert chat.continue_button.isEnabled()
        chat.continue_button.click()
        rows = pane.inputs.chat.rows
        assert [r.message() for r in rows] == [
            *CHAT,
            {"role": "assistant", "content": reply},
            {"role": "user", "content": ""},
        ]
        rows[-1].content.setPlainText("Another one.")
        pane.run_button.click()
        wait_idle(qtbot, pane)
        second = [*CHAT, {"role": "assistant", "content": reply}, rows[-1].message()]
        assert chat.conversations[0] == [
            *second,
            {"role": "assistant", "content": _reply(second, dict(chosen.options))},
        ]


def test_chat_input_adds_removes_and_takes_pasted_json(qtbot) -> None:
    editor = InputEditor()
    qtbot.addWidget(editor)
    editor.set_task(task_class("text-generation"))
    assert editor.modes_row.isVisibleTo(editor) and editor.kind == "text"
    editor.chat_mode.setChecked(True)
    assert editor.kind == "chat"
    chat = editor.chat
    chat.rows[0].content.setPlainText("Hi")
    chat.add_button.click()
    assert [r.role.currentText() for r in chat.rows] == ["user", "assistant"]
    chat.rows[1].content.setPlainText("Hello!")
    assert editor.value() == RunInput.chat(
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    )
    chat.rows[0].remove.click()
    assert [r.message()["content"] for r in chat.rows] == ["Hello!"]

    chat.json_button.click()
    assert json.loads(chat.json.toPlainText()) == [{"role": "assistant", "content": "Hello!"}]
    chat.json.setPlainText('[{"role": "user", "content": "pasted"')
    with pytest.raises(EngineError, match="not valid JSON"):
        editor.value()
    chat.json_button.click()  # leaving JSON editing with a broken text keeps it, and says why
    assert chat.json_button.isChecked() and "not valid JSON" in chat.problem.text()
    chat.json.setPlainText('[{"role": "wizard", "content": "pasted"}]')
    with pytest.raises(EngineError, match="unknown role 'wizard'"):
        editor.value()
    chat.json.setPlainText(json.dumps(CHAT))
    chat.json_button.click()
    assert not chat.json_button.isChecked() and [r.message() for r in chat.rows] == CHAT
    shown = chat.scroll.widget().findChildren(MessageRow)  # no row of before lingers on screen
    assert [r.message() for r in shown] == CHAT
    assert editor.value() == RunInput.chat(CHAT)

    editor.set_task(task_class("text-classification"))  # no chat there: back to the text page
    assert not editor.modes_row.isVisibleTo(editor) and editor.kind == "text"


def test_labels_show_for_zero_shot_tasks_only(qtbot) -> None:
    editor = InputEditor()
    qtbot.addWidget(editor)
    editor.set_task(task_class("zero-shot-classification"))
    assert editor.labels_row.isVisibleTo(editor) and editor.kind == "text"
    editor.text.setPlainText("The team won the match.")
    editor.labels.setText("sports,  cooking ,")
    assert editor.value() == RunInput.zero_shot("The team won the match.", ["sports", "cooking"])
    editor.set_task(task_class("image-classification"))
    assert not editor.labels_row.isVisibleTo(editor)
    editor.set_task(task_class("text-classification"))
    assert editor.value() == RunInput.text("The team won the match.")


def test_zero_shot_runs_on_the_labels_a_person_types(qtbot) -> None:
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.run_example(example("zero-shot"))
        qtbot.waitUntil(lambda: not pane.busy, timeout=60_000)
        assert pane.inputs.labels.text() == "sports, politics, cooking"
        pane.inputs.labels.setText("weather, football")
        pane.inputs.text.setPlainText("It rained all day.")
        pane.inputs.text.setFocus()
        qtbot.keyClick(pane.inputs.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        wait_idle(qtbot, pane)
        want = core_output(
            "zero-shot-classification",
            "tiny/bert-nli",
            "q8",
            RunInput.zero_shot("It rained all day.", ["weather", "football"]),
            {"multi_label": False},
        )
        assert pane.output.currentWidget() is pane.output.scores
        assert [label for label, _ in pane.output.scores.items()] == want["labels"]


def test_a_chat_output_of_another_shape_falls_back_to_json(qtbot) -> None:
    view = OutputView()
    qtbot.addWidget(view)
    view.show_output("text-generation", [{"generated_text": "plain"}], RunInput.chat(CHAT))
    assert view.currentWidget() is view.views["json"]
    reply = {"role": "assistant", "content": "ok"}
    view.show_output("text-generation", [{"generated_text": [*CHAT, reply]}], RunInput.chat(CHAT))
    assert view.chat.continue_button.isEnabled()
    batch = RunInput.chat([CHAT, CHAT[1:]])
    replies = [[{"generated_text": [*c, reply]}] for c in (CHAT, CHAT[1:])]
    view.show_output("text-generation", replies, batch)
    assert view.currentWidget() is view.chat and len(view.chat.conversations) == 2
    assert len(view.chat.findChildren(MessageBubble)) == 5  # the earlier transcript is gone
    view.scale_fonts(1.4)  # presentation mode reaches the messages' text
    assert view.chat.bubbles[0].text.font().pointSizeF() > view.scores.font().pointSizeF()
    assert not view.chat.continue_button.isEnabled()  # which of two would it continue?
