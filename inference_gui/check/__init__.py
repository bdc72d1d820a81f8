"""The pre-flight check of a converted model (Qt-free): findings with stable codes, and fixes.

``check_folder`` runs every family of checks (one small module each: placement, dtypes, graphs,
external data, inputs/outputs, custom code, tokenizer, card, smoke run) into one Report.
"""

from inference_gui.check.findings import Finding, Report
from inference_gui.check.runner import check_folder

__all__ = ["Finding", "Report", "check_folder"]
