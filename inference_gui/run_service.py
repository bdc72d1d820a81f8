"""The one way through a run: request -> plan -> dtypes -> engine -> result.

"Run feature X (or task T on model M, or the model in folder D) on this input" is assembled here
once, for the CLI, the Inference pane, the compare view and the benchmarks alike:

- :meth:`RunService.plan` applies, in one place and in this order, the defaults, the setting
  (``--threads`` / ``INFERENCE_GUI_THREADS`` / Preferences, where nothing more specific says), the
  feature's record, its local overrides and the caller's flags, and returns a :class:`RunPlan` that
  says where each value came from.
- :meth:`RunService.dtype_choices` lists the dtypes the planned model has (falling back to the
  copy the user imported when the hub does not know the model).
- :meth:`RunService.run` runs the plan on the shared engine registry.

It sits above ``records``, ``cache`` and ``engine`` (it composes them through the AppContext) and
never imports Qt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from inference_gui.engine.compare import DtypeChoice, SizeOf
from inference_gui.engine.compare import dtype_choices as choices_of
from inference_gui.engine.default_files import default_factory
from inference_gui.engine.engine import Engine, RunResult, as_factory
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.options import FIREFOX_KEYS, EngineOptions
from inference_gui.engine.sources import CachedHubFiles, FolderFiles, ModelFiles
from inference_gui.engine.tasks import task_spec
from inference_gui.errors import AppError, EngineError, HubError
from inference_gui.hub import HubUnavailable
from inference_gui.jobs import JobContext
from inference_gui.records import INFERENCE_OPTIONS
from inference_gui.records.resolve import CALLER, DEFAULT, FALLBACK, OVERRIDE, RECORD
from inference_gui.records.task_defaults import TASK_DEFAULTS

if TYPE_CHECKING:
    from inference_gui.context import AppContext
    from inference_gui.engine.tasks.base import StreamCallback
    from inference_gui.engine.workloads import Example

Origin = Literal["record", "override", "setting", "flag", "default"]
_FROM_RESOLUTION: dict[str, Origin] = {
    RECORD: "record",
    FALLBACK: "record",  # the task's record, used because the feature has none
    OVERRIDE: "override",
    CALLER: "flag",
    DEFAULT: "default",  # Firefox's default model of the task
}
log = logging.getLogger(__name__)

_OURS = {ours: theirs for theirs, ours in FIREFOX_KEYS.items()}


@dataclass(frozen=True)
class RunRequest:
    """What a person asked for.

    ``feature``: resolve through the records (``model`` then narrows which record matches, as
    ``createEngine({featureId, modelId})`` does); otherwise ``task`` on ``model`` or on the model
    in ``folder``. ``overrides`` are Firefox option names (``tokenizerId``, ``timeoutMS``...);
    ``threads`` None leaves threads to record and setting.
    """

    feature: str | None = None
    task: str | None = None
    model: str | None = None
    folder: Path | None = None
    revision: str | None = None
    dtype: str | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    threads: int | None = None

    @classmethod
    def of(cls, options: EngineOptions) -> RunRequest:
        """The request for ready-made options (an example, a benchmark workload)."""
        return cls(
            task=options.task,
            model=options.model_id or None,
            revision=options.revision,
            dtype=options.dtype_label,
        )


@dataclass(frozen=True)
class RunPlan:
    """What will run, and where each of its values came from.

    ``origins`` maps EngineOptions fields to record / override / setting / flag / default.
    """

    options: EngineOptions
    origins: Mapping[str, Origin]
    folder: Path | None = None
    record_id: str | None = None
    resolve_ms: float = 0.0

    @property
    def source_label(self) -> str:
        """The files that run: the folder when one is given (the model fields are then unused)."""
        if self.folder is not None:
            return f"folder {self.folder}"
        return f"{self.options.model_id or '-'}@{self.options.revision}"

    def edited(self, **changes: Any) -> RunPlan:
        """This plan with fields a person changed by hand; those now come from a flag."""
        changed = {k: v for k, v in changes.items() if getattr(self.options, k) != v}
        if not changed:
            return self
        origins: dict[str, Origin] = {**self.origins, **dict.fromkeys(changed, "flag")}
        return replace(self, options=self.options.with_(**changed), origins=origins)

    def rows(self) -> list[tuple[str, Any, Origin]]:
        """(Firefox option name, value, origin) for every option that has a value."""
        return [
            (_OURS[f.name], getattr(self.options, f.name), self.origins[f.name])
            for f in fields(self.options)
            if getattr(self.options, f.name) is not None
        ]


class RunService:
    """Plans and runs for one AppContext (its records, settings, cache and engines)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    # -- planning --------------------------------------------------------------------------------
    def plan(self, request: RunRequest) -> RunPlan:
        started = time.perf_counter()
        values, origins, record_id = self._layers(request)
        threads = self.ctx.settings.threads
        if request.threads is not None:
            values["numThreads"], origins["num_threads"] = request.threads, "flag"
        elif "numThreads" not in values and threads:
            values["numThreads"], origins["num_threads"] = threads, "setting"
        options = EngineOptions.from_firefox(values)
        if not (options.model_id or request.folder) and task_spec(options.task).needs_model:
            raise EngineError(
                f"The task {options.task} needs --model or --folder.",
                "Name the model, e.g. --model org/name, or give the folder of a converted model.",
            )
        for f in fields(options):
            origins.setdefault(f.name, "default")
        return RunPlan(
            options,
            origins,
            request.folder,
            record_id,
            (time.perf_counter() - started) * 1000,
        )

    def _layers(self, request: RunRequest) -> tuple[dict[str, Any], dict[str, Origin], str | None]:
        """Firefox-named values with their origins: records, local overrides and flags."""
        flags = {
            k: v
            for k, v in (
                ("modelRevision", request.revision),
                ("dtype", request.dtype),
                *request.overrides.items(),
            )
            if v is not None
        }
        if request.feature or self._model_from_records(request):
            resolution = self.ctx.records.resolve(
                feature_id=request.feature,
                task_name=request.task,
                model_id=request.model,
                overrides=flags or None,
            )
            values = dict(resolution.options)
            origins: dict[str, Origin] = {
                FIREFOX_KEYS[k]: _FROM_RESOLUTION[s]
                for k, s in resolution.sources.items()
                if k in FIREFOX_KEYS
            }
            if request.feature:
                values["featureId"] = request.feature
                origins.setdefault("feature_id", "flag")
            return values, origins, resolution.record_id
        values = {"taskName": request.task, "modelId": request.model or "", **flags}
        values = {k: v for k, v in values.items() if v is not None}
        origins = {FIREFOX_KEYS[k]: "flag" for k in values if k in FIREFOX_KEYS}
        if not request.model:
            origins.pop("model_id", None)
        return values, origins, None

    def _model_from_records(self, request: RunRequest) -> bool:
        """Whether a task alone (no model, no folder) takes its model from the records.

        As ``createEngine({taskName})``: from the task's record, else Firefox's default model of
        the task. A task with neither still needs --model or --folder.
        """
        task = request.task
        if not task or request.model or request.folder or not task_spec(task).needs_model:
            return False
        records = self.ctx.records.load(INFERENCE_OPTIONS).usable()
        return task in TASK_DEFAULTS or any(r.get("taskName") == task for r in records)

    # -- files and dtypes ------------------------------------------------------------------------
    def files(self, plan: RunPlan) -> ModelFiles:
        """The planned model's files: the folder, or the configured hub through the cache.

        A look at them records no use; the engine's own fetches do.
        """
        if plan.folder is not None:
            return FolderFiles(plan.folder, plan.source_label)
        return default_factory(self.ctx)(plan.options.model_id, plan.options.revision)

    def dtype_choices(self, plan: RunPlan) -> list[DtypeChoice]:
        """Every dtype with its size or why it cannot be chosen.

        A model the hub does not know but the user imported lists the imported copy's files (runs
        find them through the cache); so does a cached revision while its hub is out of reach (no
        network, the preference still online): a demo on a cached model should not wait on the
        hub, nor fail.
        """
        files = self.files(plan)
        try:
            return choices_of(files, plan.options.task, _size_getter(files))
        except AppError as exc:
            cached = _cached_copy(files) if isinstance(exc, HubUnavailable) else None
            copy = cached or self._imported(plan)
            if copy is None:
                raise
            if cached is not None:
                log.info("%s; listing the cached copy of %s", exc.message, plan.source_label)
            return choices_of(copy, plan.options.task, _size_getter(copy))

    def _imported(self, plan: RunPlan) -> FolderFiles | None:
        if plan.folder is not None:
            return None
        o = plan.options
        folder = self.ctx.cache.imported_folder(o.model_id, o.revision)
        return None if folder is None else FolderFiles(folder, f"{plan.source_label} (imported)")

    def _imported_dtype_error(self, plan: RunPlan) -> EngineError | None:
        """An error naming the dtypes an imported model has, when it lacks the planned one.

        For an imported model the hub does not know, a missing dtype surfaces as "not on the hub";
        this says instead which dtypes the import has. None when that is not the cause.
        """
        imported = self._imported(plan)
        if imported is None:
            return None
        o = plan.options
        have = [c.dtype for c in choices_of(imported, o.task, lambda _p: None) if c.available]
        if o.dtype_label in have:
            return None
        return EngineError(
            f"{o.model_id} at {o.revision} (imported) has no {o.dtype_label} files "
            f"for {o.task}; it has: {', '.join(have) or 'none'}.",
            "Choose one of those dtypes, or import a folder that has this one.",
        )

    # -- engines and runs ------------------------------------------------------------------------
    def example_plan(self, example: Example) -> RunPlan:
        """An example's plan: its feature's when the records in use know the feature.

        The example then runs what the feature runs; else its own model and revision.
        """
        if example.feature:
            try:
                return self.plan(RunRequest(feature=example.feature))
            except AppError:
                pass  # these records lack the feature (or it does not resolve): the fallback runs
        return self.plan(RunRequest.of(example.engine_options))

    def engine(self, plan: RunPlan, *, fresh: bool = False) -> Engine:
        """The shared engine for the plan, or with ``fresh`` a new one of its own.

        A fresh engine's load time can be measured, as comparisons and benchmarks do.
        """
        folder = self.files(plan) if plan.folder is not None else None
        if fresh:
            return Engine(plan.options, as_factory(folder, plan.options, self.ctx))
        return self.ctx.engines.get(plan.options, folder)

    def run(
        self,
        plan: RunPlan,
        inputs: RunInput,
        options: Mapping[str, Any] | None = None,
        job: JobContext | None = None,
        *,
        stream: StreamCallback | None = None,
    ) -> RunResult:
        """Run the plan on ``inputs`` with pipeline ``options``, reporting to ``job``."""
        engine = self.engine(plan)
        try:
            result = engine.run(
                inputs,
                options,
                progress=job.report if job else None,
                cancel=job.cancel_event if job else None,
                stream=stream,
                timeout_ms=plan.options.timeout_ms,  # a reused engine keeps its first options
                resolve_ms=plan.resolve_ms,
            )
        except HubError as exc:
            raise self._imported_dtype_error(plan) or exc from exc
        log.info(
            "ran %s on %s, dtype %s: %s; memory %d bytes",
            plan.options.task,
            plan.source_label,
            plan.options.dtype,
            ", ".join(f"{phase} {ms:.1f} ms" for phase, ms in result.timings_ms.items()),
            result.rss_bytes,
        )
        return result


def _cached_copy(files: ModelFiles) -> CachedHubFiles | None:
    """The same revision read from the cache alone, when the cache holds it (its config.json)."""
    if not isinstance(files, CachedHubFiles):
        return None
    if not files.cache.has(files.hub, files.model_id, files.revision, "config.json"):
        return None
    return CachedHubFiles(
        files.cache, files.hub, files.model_id, files.revision, offline=True, used_by=files.used_by
    )


def _size_getter(files: ModelFiles) -> SizeOf:
    """File sizes: from disk for a folder or (offline) the cache, else from the hub's listing."""
    if not isinstance(files, CachedHubFiles) or files.offline or files.hub.offline:
        # a folder, or the cache while offline: fetching only reads local files here
        return lambda path: files.fetch(path).stat().st_size if files.exists(path) else None
    listing = files.hub.list_files(files.model_id, files.revision)
    sizes: dict[str, int | None] = {f.path: f.size for f in listing if f.size >= 0}
    return sizes.get
