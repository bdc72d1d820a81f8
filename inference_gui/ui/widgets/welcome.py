"""The first-run banner: on a fresh install (maybe with no network) say where records come from,
that the cache is empty, and what to do next, instead of letting the first run fail with an error.

It shows until the cache holds a model or the person dismisses it; either is remembered in the
preferences file, so it is a first-run banner, not a nag whenever the cache is emptied.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inference_gui.config import Settings
from inference_gui.ui.context import UiContext

DONE_KEY = "welcome/done"  # in the preferences store: dismissed, or a model was once cached
# The panes it speaks about; the Inference pane needs its height for the form and the results
# (and says itself, under Quantization, that the cache has no model offline).
SHOWN_ON = ("records", "cache")


def records_origin(settings: Settings) -> str:
    """Where the records shown come from, in the words a person needs on first start."""
    if settings.settings_source == "server":
        return f"Records come from the Remote Settings server {settings.settings_server}."
    if settings.settings_source == "file":
        return f"Records come from the file {settings.settings_file}."
    return (
        "Records come from the embedded dump shipped with the app: features resolve with no "
        "server and no network."
    )


def cache_advice(settings: Settings) -> str:
    """Why the first run of a feature would fail today and how to run one anyway."""
    empty = f"The model cache ({settings.cache_dir}) is empty."
    if settings.hub_is_local:  # no network needed, even offline
        return f"{empty} Models are read from the local hub folder {settings.hub} when they run."
    if settings.offline:
        reach = "Offline mode is on, so no model is downloaded."
    else:
        reach = f"Models download from {settings.hub} when they first run, if it can be reached."
    return (
        f"{empty} {reach} To work without a network, use a local model hub folder (the ready-made "
        "examples' test models are in tests/fixtures/hub of the source) or import a model folder."
    )


class WelcomeBanner(QFrame):
    """Shown above the Records and Cache panes on first run; the main window wires the two
    navigation requests and tells it the cache size and the pane shown."""

    examples_requested = Signal()
    import_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("welcomeBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Welcome")
        self.heading = QLabel("Welcome to Inference GUI")
        self.heading.setObjectName("welcomeHeading")
        self.records_line = QLabel()
        self.cache_line = QLabel()
        self.problem_line = QLabel()
        self.problem_line.setObjectName("welcomeProblem")
        for label in (self.records_line, self.cache_line, self.problem_line):
            label.setWordWrap(True)
        self.examples_button = QPushButton("Try an example")
        self.hub_button = QPushButton("Use a local hub folder…")
        self.import_button = QPushButton("Import a model folder…")
        self.dismiss_button = QPushButton("Dismiss")
        self.examples_button.clicked.connect(self.examples_requested)
        self.hub_button.clicked.connect(self.choose_hub_folder)
        self.import_button.clicked.connect(self.import_requested)
        self.dismiss_button.clicked.connect(self.dismiss)

        # Compact (heading and Dismiss on one line, the buttons on the last): every line here is
        # height the panes below lose until the first model is cached.
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.dismiss_button)
        buttons = QHBoxLayout()
        for button in (self.examples_button, self.hub_button, self.import_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        for label in (self.records_line, self.cache_line, self.problem_line):
            layout.addWidget(label)
        layout.addLayout(buttons)
        self.problem_line.hide()
        self.cache_empty = False  # until the first cache measure says it is empty
        self.pane_id = ""
        self.hide()
        ctx.settings_changed.connect(self.refresh_text)
        self.refresh_text()

    @property
    def done(self) -> bool:
        return bool(self.ctx.store.value(DONE_KEY, False, type=bool))

    def refresh_text(self) -> None:
        self.records_line.setText(records_origin(self.ctx.settings))
        self.cache_line.setText(cache_advice(self.ctx.settings))
        self.hub_button.setVisible(not self.ctx.settings.hub_is_local)

    def cache_measured(self, size: int) -> None:
        """The status bar measured the cache: a model in it ends the first run for good."""
        self.cache_empty = size == 0
        if not self.cache_empty:
            self._finish()
        self._update()

    def pane_shown(self, pane_id: str) -> None:
        self.pane_id = pane_id
        self._update()

    def _update(self) -> None:
        self.setVisible(self.cache_empty and self.pane_id in SHOWN_ON and not self.done)

    def dismiss(self) -> None:
        self._finish()

    def _finish(self) -> None:
        self.ctx.store.setValue(DONE_KEY, True)
        self.ctx.store.sync()
        self.hide()

    def choose_hub_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Local model hub folder (org/model/rev)")
        if folder:
            self.use_hub_folder(folder)

    def use_hub_folder(self, folder: str) -> None:
        """Save ``folder`` as the hub, validated like Preferences; a refusal is shown inline."""
        problems = self.ctx.save_preferences({"hub": folder, "hub_template": "{model}/{revision}"})
        self.problem_line.setText(" ".join(str(p) for p in problems))
        self.problem_line.setVisible(bool(problems))
