"""The inference engine: Transformers.js-compatible file choice, preprocessing, tasks and sessions.

Qt-free. Callers build :class:`EngineOptions`, get an :class:`Engine` from the
:class:`EngineRegistry` (or :func:`create_engine`), and call ``engine.run(...)`` on a job thread.
"""

from inference_gui.engine.engine import Engine, RunResult, create_engine
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.options import EngineOptions
from inference_gui.engine.registry import EngineRegistry

__all__ = ["Engine", "EngineOptions", "EngineRegistry", "RunInput", "RunResult", "create_engine"]
