"""Run a model in a real Firefox's ML engine, served from our cache or a folder, offline.

:class:`FirefoxRunner` starts a headless Firefox on a profile of its own (a fresh temporary one
unless told otherwise) with a local model hub and a local Remote Settings endpoint holding the
records and the onnxruntime-web WASM, then calls ``createEngine(options)`` and
``engine.run({args, options})`` in the chrome context, as a Firefox feature does. One runner can
run many models; it quits Firefox and stops its servers on exit.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference_gui.engine.files import read_json
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.options import FIREFOX_KEYS, EngineOptions
from inference_gui.engine.sources import ModelFiles
from inference_gui.engine.tasks import task_class
from inference_gui.errors import EngineError
from inference_gui.firefox.install import FirefoxInstall
from inference_gui.firefox.launch import running_firefox
from inference_gui.firefox.local_server import (
    Attachment,
    FilesFor,
    LocalServer,
    hub_route,
    serving,
    settings_route,
)
from inference_gui.firefox.marionette import FirefoxError, Marionette
from inference_gui.firefox.rules import firefox_rejects
from inference_gui.layout import graph_files, onnx_path

INFERENCE_OPTIONS = "ml-inference-options"
ONNX_RUNTIME = "ml-onnx-runtime"
ALLOW_DENY = "ml-model-allow-deny-list"
COLLECTIONS = (INFERENCE_OPTIONS, ONNX_RUNTIME, ALLOW_DENY)
# Keys Firefox adds to a run's output that are about the run, not the model's answer.
RUN_KEYS = ("metrics", "resourcesBefore", "resourcesAfter")
FOLDER_ORG = "local"

_RUN_SCRIPT = """
const [collections, options, request] = args;
const { RemoteSettings } = ChromeUtils.importESModule(
  "resource://services-settings/remote-settings.sys.mjs");
for (const name of collections) {
  RemoteSettings(name, { bucketName: "main" }).verifySignature = false;
}
const { createEngine } = ChromeUtils.importESModule(
  "chrome://global/content/ml/EngineProcess.sys.mjs");
const started = performance.now();
const engine = await createEngine(options);
const loaded = performance.now();
const result = await engine.run(request);
const ran = performance.now();
const metrics = result?.metrics ?? null;
const plain = JSON.parse(JSON.stringify(result, (key, value) => {
  if (value && typeof value === "object" && "ort_tensor" in value) {
    return { type: value.type, dims: value.dims, data: Array.from(value.data) };
  }
  if (ArrayBuffer.isView(value)) return Array.from(value);
  if (typeof value === "bigint") return Number(value);
  return value;
}));
return { output: plain, metrics, loadMs: loaded - started, runMs: ran - loaded };
"""


@dataclass(frozen=True)
class FirefoxRun:
    """One run in Firefox: its output (run keys stripped), times in ms, and its own metrics."""

    firefox: str
    options: Mapping[str, Any]
    output: Any
    load_ms: float
    run_ms: float
    metrics: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "firefox": self.firefox,
            "options": dict(self.options),
            "output": self.output,
            "timings_ms": {"load": round(self.load_ms, 3), "run": round(self.run_ms, 3)},
            "metrics": self.metrics,
        }


def strip_run_keys(output: Any) -> Any:
    """The output without the keys Firefox adds about the run itself (top level only)."""
    if isinstance(output, dict):
        return {k: v for k, v in output.items() if k not in RUN_KEYS}
    return output


def folder_model_id(folder: Path) -> str:
    """A model id Firefox accepts for a folder: ``local/<folder name>``, odd characters as ``-``."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", folder.resolve().name).strip("-.") or "model"
    return f"{FOLDER_ORG}/{name}"


def createengine_options(
    options: EngineOptions, files: ModelFiles, known_features: tuple[str, ...]
) -> dict[str, Any]:
    """The ``createEngine`` options for our resolved ``options`` (Firefox names, no nulls).

    A feature id Firefox does not list is refused here, with the list, rather than by Firefox;
    models whose graphs keep weights in external data get ``useExternalDataFormat``.
    """
    values: dict[str, Any] = {
        theirs: getattr(options, ours)
        for theirs, ours in FIREFOX_KEYS.items()
        if getattr(options, ours) not in (None, "")
    }
    if not isinstance(values.get("dtype"), str):
        values.pop("dtype", None)  # a per-file dtype map is ours only; Firefox takes one dtype
    rejection = firefox_rejects(options.feature_id, known_features) if options.feature_id else None
    if rejection:
        raise FirefoxError(rejection, "Run it with --task and --model instead of --feature.")
    if _uses_external_data(options, files):
        values["useExternalDataFormat"] = True
    return values


def _uses_external_data(options: EngineOptions, files: ModelFiles) -> bool:
    config = read_json(files, "config.json") or {}
    dtype = options.dtype_label
    return any(
        name != onnx_path(base, dtype)
        for base in task_class(options.task).bases_for(config)
        for name in graph_files(config, base, dtype)
    )


def run_request(inputs: RunInput, call_options: Mapping[str, Any]) -> dict[str, Any]:
    """``engine.run``'s request for our input: the pipeline's positional args and options."""
    if inputs.kind == "qa":
        args: list[Any] = [inputs.question, inputs.context]
    elif inputs.kind == "text":
        args = [list(inputs.texts) if inputs.batched else inputs.texts[0]]
    else:
        raise EngineError(
            f"firefox run takes text or a question with a context, not {inputs.describe()}.",
            "Run image models with `inference-gui run`; Firefox reads images from URLs only.",
        )
    return {"args": args, "options": dict(call_options)}


class FirefoxRunner:
    """A headless Firefox with a local hub and Remote Settings; use as a context manager."""

    def __init__(
        self,
        install: FirefoxInstall,
        wasm: Path,
        files_for: FilesFor,
        records: list[dict[str, Any]],
        *,
        profile: Path | None = None,
    ) -> None:
        self.install = install
        self.wasm = wasm
        self.files_for = files_for
        self.records = records
        self.profile = profile
        self._stack = ExitStack()
        self._firefox: Marionette | None = None

    def __enter__(self) -> FirefoxRunner:
        stack = self._stack.__enter__()
        try:
            self._start(stack)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(None, None, None)

    def _start(self, stack: ExitStack) -> None:
        if self.profile is None:
            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="inference-gui-ff-"))
            self.profile = Path(scratch) / "profile"
        hub = stack.enter_context(serving(hub_route(self.files_for)))
        settings: list[LocalServer] = []
        runtime = Attachment(f"main-workspace/{ONNX_RUNTIME}/{self.wasm.name}", self.wasm)
        need = self.install.runtime
        runtime_record = {
            "id": f"local-onnx-runtime-{need.major}",
            "name": need.filename,
            "version": f"{need.major}.0",
            "attachment": runtime.record_field(),
        }
        collections = {
            INFERENCE_OPTIONS: self.records,
            ONNX_RUNTIME: [runtime_record],
            ALLOW_DENY: [],
        }
        route = settings_route(
            lambda: settings[0].url,
            collections,
            {runtime.location: runtime.path},
            int(time.time() * 1000),
        )
        settings.append(stack.enter_context(serving(route)))
        prefs = {
            "browser.ml.modelHubRootUrl": hub.url,
            "browser.ml.modelHubUrlTemplate": "{model}/{revision}",
            "services.settings.server": f"{settings[0].url}v1",
        }
        self.hub = hub
        self._firefox = stack.enter_context(
            running_firefox(self.profile, prefs, firefox=str(self.install.binary))
        )

    def run(
        self,
        options: Mapping[str, Any],
        request: Mapping[str, Any],
        timeout_ms: int = 120_000,
    ) -> FirefoxRun:
        """``createEngine(options)`` then ``engine.run(request)``; Firefox's errors as one line."""
        if self._firefox is None:
            raise FirefoxError("The Firefox runner is not started.")
        try:
            value = self._firefox.run_async(
                _RUN_SCRIPT, [list(COLLECTIONS), dict(options), dict(request)], timeout_ms
            )
        except FirefoxError as error:
            raise FirefoxError(
                f"{self.install.label} could not run {options.get('modelId') or 'the model'}: "
                f"{_first_line(str(error))}",
                "Its hub requests: " + _failed_requests(self.hub) + ".",
            ) from error
        return FirefoxRun(
            firefox=self.install.label,
            options=dict(options),
            output=strip_run_keys(value["output"]),
            load_ms=float(value["loadMs"]),
            run_ms=float(value["runMs"]),
            metrics=value.get("metrics"),
        )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _failed_requests(hub: LocalServer) -> str:
    failed = [f"{m} {p} -> {s}" for m, p, s in hub.requests if s >= 400]
    return "; ".join(failed[-5:]) or "none failed"
