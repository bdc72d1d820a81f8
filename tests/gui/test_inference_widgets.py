"""The pane's widgets on their own: options validation, image paste/drop, entities, outputs."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication, QImage

from inference_gui.engine.inputs import RunInput
from inference_gui.ui.panes.inference.results import OUTPUT_KINDS, RESULT_VIEWS, OutputView
from inference_gui.ui.widgets.answer_view import find_answer
from inference_gui.ui.widgets.entities import group_entities, highlight_html, locate
from inference_gui.ui.widgets.image_input import ImageInput
from inference_gui.ui.widgets.input_editor import InputEditor
from inference_gui.ui.widgets.options_editor import OptionsEditor
from inference_gui.ui.widgets.output_view import embedding_summary, scored_items
from tests.gui.inference_support import expected
from tests.paths import INPUTS


def test_options_editor_validates_as_you_type(qtbot) -> None:
    editor = OptionsEditor()
    qtbot.addWidget(editor)
    seen: list[bool] = []
    editor.validity_changed.connect(seen.append)
    editor.editor.setPlainText('{"top_k": ')
    assert (
        not editor.valid
        and "Not valid JSON" in editor.status.text()
        and "line 1" in editor.status.text()
    )
    editor.editor.setPlainText("[1, 2]")
    assert not editor.valid and "must be a JSON object" in editor.status.text()
    editor.editor.setPlainText('{"top_k": 2}')
    assert editor.valid and editor.value() == {"top_k": 2}
    assert seen == [False, True]


def test_options_editor_checks_the_task_declaration_as_you_type(qtbot) -> None:
    """The same declaration the engine checks runs with: types and ranges are errors (Run is
    disabled), unknown keys warnings, and values Transformers.js does not apply notes."""
    editor = OptionsEditor()
    qtbot.addWidget(editor)
    editor.set_task("text-classification")
    editor.editor.setPlainText('{"top_k": "three"}')
    assert not editor.valid and "top_k='three' is not a whole number" in editor.status.text()
    editor.editor.setPlainText('{"top_kk": 3}')
    assert editor.valid and editor.status.property("severity") == "warning"
    assert "top_kk is not an option of text-classification" in editor.status.text()
    assert "did you mean top_k?" in editor.status.text()
    editor.set_task("text-generation")
    editor.editor.setPlainText('{"max_new_tokens": 0}')
    assert not editor.valid and "max_new_tokens=0 is below 1" in editor.status.text()
    editor.editor.setPlainText('{"do_sample": true, "top_p": 0.9, "num_beams": 4}')
    assert editor.valid and editor.status.property("severity") == "note"
    text = editor.status.text()
    assert "top_p=0.9: Transformers.js does not apply top_p" in text and "num_beams=4" in text
    editor.editor.setPlainText('{"top_k": "three", "top_kk": 3, "num_beams": 4}')
    lines = editor.status.text().split("<br>")  # each problem in its own severity's words
    assert [line.split(">", 1)[1].split(":", 1)[0] for line in lines] == [
        "Error",
        "Warning",
        "Note",
    ]
    assert not editor.valid
    editor.editor.setPlainText('{"max_new_tokens": 8, "return_full_text": false}')
    assert editor.valid and editor.status.text() == "Options are valid."
    editor.set_task("summarization")  # an alias takes its module's options
    assert "return_full_text is not an option of summarization" in editor.status.text()


def test_image_input_opens_pastes_and_drops(qtbot) -> None:
    widget = ImageInput()
    qtbot.addWidget(widget)
    assert (
        widget.set_path(INPUTS / "gradient-checker.png")
        and widget.path == INPUTS / "gradient-checker.png"
    )
    assert not widget.set_path(INPUTS.parent / "README.md")
    assert (
        "not an image" in widget.caption.text() and widget.path == INPUTS / "gradient-checker.png"
    )
    QGuiApplication.clipboard().setImage(QImage(str(INPUTS / "red-circle.png")))
    widget.paste()
    pasted = QImage(str(widget.path))
    assert (pasted.width(), pasted.height()) == (48, 40) and "pasted image" in widget.caption.text()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(INPUTS / "gradient-checker.png"))])
    drop = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    widget.dropEvent(drop)
    assert widget.path == INPUTS / "gradient-checker.png" and "32×32" in widget.caption.text()


def test_several_images_are_dropped_added_and_run_as_one_batch(qtbot) -> None:
    """Dropping several files chooses them all (a file that is no image is named and left out);
    Add appends; the editor then gives one batched input, a single one stays a single input."""
    editor = InputEditor()
    qtbot.addWidget(editor)
    editor.set_kind("image", labels=False)
    widget = editor.image
    mime = QMimeData()
    mime.setUrls(
        [
            QUrl.fromLocalFile(str(INPUTS / "shapes-scene.png")),
            QUrl.fromLocalFile(str(INPUTS.parent / "README.md")),
            QUrl.fromLocalFile(str(INPUTS / "red-circle.png")),
        ]
    )
    drop = QDropEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    widget.dropEvent(drop)
    assert widget.paths == [INPUTS / "shapes-scene.png", INPUTS / "red-circle.png"]
    assert "2 images" in widget.caption.text() and "README.md" in widget.caption.text()
    preview = widget.preview.pixmap()
    assert preview.width() > preview.height()  # two thumbnails side by side
    assert widget.set_paths([INPUTS / "gradient-checker.png"], add=True)
    value = editor.value()
    assert value.batched and value.images == (
        INPUTS / "shapes-scene.png",
        INPUTS / "red-circle.png",
        INPUTS / "gradient-checker.png",
    )
    widget.set_path(INPUTS / "red-circle.png")
    assert editor.value() == RunInput.image(INPUTS / "red-circle.png")


def test_entities_are_found_in_the_text() -> None:
    data = expected("tiny__bert-ner__v1.0.0")
    text, entities = data["inputs"]["text-0"], data["results"]["q8"]["outputs"]["text-0"]
    spans = locate(text, entities)
    assert len(spans) == len(entities)
    for (start, end, _, _), item in zip(spans, entities, strict=True):
        assert text[start:end].lower() == item["word"].removeprefix("##")
    html = highlight_html("<b> & Alice", [{"entity": "B-PER", "score": 0.9, "word": "alice"}])
    assert "&lt;b&gt; &amp; " in html and "Alice<sub>PER</sub>" in html


def test_outputs_are_shown_per_task(qtbot) -> None:
    view = OutputView()
    qtbot.addWidget(view)
    masks = [
        [{"score": 0.5, "token_str": "capital", "sequence": "paris is the capital."}],
        [{"score": 0.25, "token_str": "city", "sequence": "a city."}],
    ]
    batch = RunInput.text(["a", "b"])
    assert scored_items(masks, batch) == [
        ("#1 paris is the capital.", 0.5),
        ("#2 a city.", 0.25),
    ]
    view.show_output(
        "text-generation", [{"generated_text": "Once upon a time"}], RunInput.text("Once")
    )
    assert view.text.toPlainText() == "Once upon a time"
    view.show_output(
        "question-answering",
        {"answer": "the station", "score": 0.5},
        RunInput.qa("Where?", "Next to The Station."),
    )
    assert view.currentWidget() is view.answer and view.answer.span == (8, 19)
    summary = embedding_summary(
        {"type": "float32", "dims": [2, 2], "data": [[3.0, 4.0], [4.0, 3.0]]}
    )
    assert "2 vector(s) of dimension 2" in summary and "norm 5.0000" in summary
    assert "#1 · #2: 0.9600" in summary  # (3*4 + 4*3) / 25
    view.show_output("text-classification", {"unexpected": 1}, RunInput.text("x"))
    raw = view.views["json"]
    assert view.currentWidget() is raw and json.loads(raw.toPlainText()) == {"unexpected": 1}


def test_compare_chart_captions_never_overlap(qtbot) -> None:
    from inference_gui.engine.compare import CompareRow
    from inference_gui.ui.widgets.compare_chart import MARGIN, CompareChart
    from inference_gui.vocab import DTYPES

    chart = CompareChart()
    qtbot.addWidget(chart)
    sizes = {d: 500_000 - 40_000 * i for i, d in enumerate(DTYPES)}
    chart.set_rows([CompareRow(d, sizes[d], 20.0, 0.7, 0.9, 1 << 27, 2) for d in DTYPES])
    metrics = chart.fontMetrics()
    for width in (chart.minimumWidth(), 2000):
        group = (width - 2 * MARGIN) / len(DTYPES)
        captions = chart.captions(group)
        assert [c.split("\n")[0] for c in captions] == list(DTYPES)
        for caption in captions:
            assert all(metrics.horizontalAdvance(line) < group for line in caption.split("\n"))
    assert "\n" in chart.captions(2000 / len(DTYPES))[0]  # with room, sizes and times are shown


def test_unreadable_image_says_which_image_a_run_still_uses(qtbot) -> None:
    widget = ImageInput()
    qtbot.addWidget(widget)
    assert not widget.set_path(INPUTS.parent / "README.md")
    assert "Still using" not in widget.caption.text()  # nothing to fall back on
    widget.set_path(INPUTS / "red-circle.png")
    assert not widget.set_path(INPUTS.parent / "README.md")
    assert widget.caption.text().endswith("Still using red-circle.png.")
    assert widget.path == INPUTS / "red-circle.png"


def test_compare_table_tooltip_holds_the_whole_agreement(qtbot) -> None:
    from inference_gui.engine.compare import Agreement, CompareRow
    from inference_gui.ui.models.inference import CompareModel

    text = "same top label (NEGATIVE), score differs by 0.0031"
    model = CompareModel()
    model.set_rows(
        [
            CompareRow("q8", 1000, 1.0, 1.0, 1.0, 1, 2, Agreement("top-label", True, 0.0031, text)),
            CompareRow("q4", None, 0, 0, 0, 0, 0, error="q4 could not load: broken file"),
        ]
    )
    agreement = len(model.columns) - 1
    tip = Qt.ItemDataRole.ToolTipRole
    assert model.index(0, agreement).data(tip) == text
    assert model.index(1, agreement).data(tip) == "q4 could not load: broken file"


def test_other_outputs_are_shown_as_json_not_python_repr() -> None:
    from inference_gui.ui.widgets.output_view import text_summary

    shown = text_summary("moz-echo", {"output": "echo me", "ok": True}, RunInput.text(["echo me"]))
    assert json.loads(shown) == {"output": "echo me", "ok": True}


def test_every_task_kind_has_a_view_and_unknown_tasks_show_json(qtbot) -> None:
    from inference_gui.engine.tasks import supported_tasks

    assert set(OUTPUT_KINDS.values()) <= set(RESULT_VIEWS)
    view = OutputView()
    qtbot.addWidget(view)
    view.show_output("moz-echo", {"output": "hi"}, RunInput.text("hi"))
    assert view.currentWidget() is view.views["json"]
    assert all(t in OUTPUT_KINDS for t in supported_tasks() if t != "moz-echo")


def test_classification_bars_put_the_best_first_and_bold(qtbot) -> None:
    view = OutputView()
    qtbot.addWidget(view)
    out = [{"label": "POSITIVE", "score": 0.9}, {"label": "NEGATIVE", "score": 0.1}]
    view.show_output("text-classification", out, RunInput.text("x"))
    assert view.currentWidget() is view.scores
    assert view.scores.items() == [("POSITIVE", 0.9), ("NEGATIVE", 0.1)]
    view.resize(500, 200)
    image = view.scores.bars.grab().toImage()  # painted: the top bar is the accent colour
    accent = view.scores.bars.palette().highlight().color()
    row = view.scores.bars.row_height()
    y1 = int(row * 0.45) + 2
    xs = range(image.width())
    first = [image.pixelColor(x, y1) for x in xs]
    second = [image.pixelColor(x, y1 + row) for x in xs]
    assert any(c.rgb() == accent.rgb() for c in first)
    assert not any(c.rgb() == accent.rgb() for c in second)


def test_answer_is_found_in_its_context_despite_word_pieces_and_case() -> None:
    context = "The library is next to the station, and the museum is by the river."
    assert find_answer(context, "##brary is next to the station ,") == (6, 35)
    assert find_answer(context, "THE MUSEUM") == (40, 50)
    assert find_answer(context, "a bakery") is None


def test_entities_group_b_i_tags_and_word_pieces_with_mean_scores(qtbot) -> None:
    text = "Alice Smith works for Mozilla in New York."
    tokens = [
        {"entity": "B-PER", "score": 0.9, "index": 1, "word": "alice"},
        {"entity": "I-PER", "score": 0.7, "index": 2, "word": "smith"},
        {"entity": "B-ORG", "score": 0.8, "index": 5, "word": "mo"},
        {"entity": "I-ORG", "score": 0.6, "index": 6, "word": "##zilla"},
        {"entity": "B-LOC", "score": 0.5, "index": 8, "word": "new"},
        {"entity": "I-LOC", "score": 0.5, "index": 9, "word": "york"},
    ]
    groups = group_entities(text, tokens)
    assert [(g.type, g.word, g.tokens) for g in groups] == [
        ("PER", "alice smith", 2),
        ("ORG", "mozilla", 2),
        ("LOC", "new york", 2),
    ]
    assert groups[0].score == 0.8 and text[groups[1].start : groups[1].end] == "Mozilla"
    view = OutputView()
    qtbot.addWidget(view)
    view.show_output("token-classification", tokens, RunInput.text(text))
    table = view.entities.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
        "alice smith",
        "mozilla",
        "new york",
    ]
    assert "New York" in view.entities.toPlainText()


def test_embeddings_show_a_pairwise_similarity_map(qtbot) -> None:
    view = OutputView()
    qtbot.addWidget(view)
    tensor = {"type": "float32", "dims": [3, 2], "data": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]}
    view.show_output("feature-extraction", tensor, RunInput.text(["a", "b", "c"]))
    shown = view.embeddings
    assert view.currentWidget() is shown and shown.map.labels == ["a", "b", "c"]
    assert shown.map.matrix[0][1] == 0.0 and abs(shown.map.matrix[0][2] - 0.7071) < 1e-4
    assert "3 vector(s) of dimension 2" in shown.summary.text()


def test_generated_text_is_larger_and_presentation_scales_every_view(qtbot) -> None:
    view = OutputView()
    qtbot.addWidget(view)
    base = view.scores.font().pointSizeF()
    assert view.text.font().pointSizeF() > base
    view.scale_fonts(1.4)
    assert abs(view.scores.font().pointSizeF() - base * 1.4) < 0.01


def test_compare_status_counts_failures(qtbot) -> None:
    from inference_gui.engine.compare import CompareRow
    from inference_gui.ui.widgets.compare_panel import ComparePanel

    panel = ComparePanel()
    qtbot.addWidget(panel)
    rows = [CompareRow(d, 1000, 1.0, 1.0, 1.0, 1, 5) for d in ("fp32", "fp16", "q8")]
    panel.set_rows([*rows, CompareRow("q4", None, 0, 0, 0, 0, 0, error="q4: broken")], {})
    assert panel.status() == "Dtypes: 3 compared, 1 failed."


def test_zero_shot_labels_and_scores_become_bars(qtbot) -> None:
    view = OutputView()
    qtbot.addWidget(view)
    out = {"sequence": "x", "labels": ["sport", "food"], "scores": [0.7, 0.3]}
    view.show_output("zero-shot-classification", out, RunInput.text("x"))
    assert view.currentWidget() is view.scores
    assert view.scores.items() == [("sport", 0.7), ("food", 0.3)]


def test_a_chat_result_reads_as_roles_not_a_python_list() -> None:
    from inference_gui.ui.widgets.output_view import text_summary

    chat = [
        {
            "generated_text": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ]
        }
    ]
    assert (
        text_summary("text-generation", chat, RunInput.text("Hi")) == "user: Hi\n\nassistant: Hello"
    )
