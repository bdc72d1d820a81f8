"""The Inference pane, split by job: :mod:`.form` (what to run), :mod:`.results` (what came out)
and :mod:`.pane` (the controller: plans, dtype lookups and jobs through the run service)."""

from inference_gui.ui.panes.inference.pane import InferencePane, play_example

__all__ = ["InferencePane", "play_example"]
