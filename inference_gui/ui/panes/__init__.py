"""The panes of the main window, in sidebar order; a new pane is one module plus one line here."""

from inference_gui.ui.panes.cache import CachePane
from inference_gui.ui.panes.check import CheckPane
from inference_gui.ui.panes.engines import EnginesPane
from inference_gui.ui.panes.inference import InferencePane
from inference_gui.ui.panes.log import LogPane
from inference_gui.ui.panes.records import RecordsPane

PANES = (RecordsPane, CachePane, InferencePane, EnginesPane, LogPane, CheckPane)
PANE_IDS = tuple(p.pane_id for p in PANES)
