"""Where an engine's files come from: a local folder, or the hub through the model cache.

Everything in the engine asks for files through the small :class:`ModelFiles` protocol, so the same
code loads a converted model from disk, a fixture in a test, or a cached hub download.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from inference_gui.errors import EngineError
from inference_gui.jobs import ProgressCallback
from inference_gui.safepath import safe_join

if TYPE_CHECKING:
    from inference_gui.config import Settings


@runtime_checkable
class ModelFiles(Protocol):
    """The files of one model at one revision."""

    label: str  # for messages: "tiny/bert-embed@v1.0.0" or a folder

    @property
    def cache_only(self) -> bool:
        """True when only cached files can be read (offline, with a hub that needs the network)."""
        ...

    def fetch(
        self,
        path: str,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        """A local path for ``path``.

        Files fetched from one model share a folder, so siblings such as external data resolve
        next to the ONNX file that names them.
        """
        ...

    def exists(self, path: str) -> bool: ...

    def list(self) -> list[str] | None:
        """Every file path, or None when the source cannot list (callers then use ``exists``)."""
        ...


FilesFactory = Callable[[str, str], ModelFiles]
"""Gives the files of (model id, revision); tokenizer and processor may live in other models."""


class FolderFiles:
    """A model laid out on disk as Transformers.js expects (``config.json``, ``onnx/...``)."""

    cache_only = False  # a folder is read directly, online or not

    def __init__(self, root: Path, label: str | None = None) -> None:
        self.root = Path(root)
        self.label = label or str(root)

    def fetch(
        self,
        path: str,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        target = safe_join(self.root, path)
        if not target.is_file():
            raise EngineError(
                f"{self.label} has no file {path}.",
                "Check the model id, revision and dtype, or convert the model again.",
            )
        return target

    def exists(self, path: str) -> bool:
        try:
            return safe_join(self.root, path).is_file()
        except Exception:  # noqa: BLE001 - a path we would refuse simply does not exist
            return False

    def list(self) -> list[str] | None:
        if not self.root.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()
        )


def folder_hub(root: Path) -> FilesFactory:
    """A local hub folder laid out ``<org>/<model>/<revision>/`` (the fixtures, a mirrored hub)."""

    def files(model_id: str, revision: str) -> ModelFiles:
        folder = safe_join(Path(root), f"{model_id}/{revision}", what="model folder")
        if not folder.is_dir():
            raise EngineError(
                f"The hub folder {root} has no model {model_id} at revision {revision}.",
                "Check the model id and revision, or point --hub at another folder.",
            )
        return FolderFiles(folder, f"{model_id}@{revision}")

    return files


class ListedFile(Protocol):
    """A file a hub lists (``inference_gui.hub.RemoteFile`` is one)."""

    @property
    def path(self) -> str: ...

    @property
    def size(self) -> int:
        """Bytes; -1 when the hub won't say."""
        ...


class HubAccess(Protocol):
    """What the engine asks of a hub.

    ``inference_gui.hub.Hub`` satisfies it, so the engine needs no import of the hub package.
    """

    offline: bool
    is_local: bool

    def head(self, model_id: str, revision: str, path: str) -> object | None: ...

    def list_files(self, model_id: str, revision: str) -> Sequence[ListedFile]: ...


class CacheAccess(Protocol):
    """What the engine asks of the model cache (``inference_gui.cache.ModelCache``).

    ``hub`` is the hub of the same :class:`ModelSources`.
    """

    def fetch(
        self,
        hub: Any,
        model_id: str,
        revision: str,
        path: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        used_by: str | None = None,
        offline: bool = False,
    ) -> Path: ...

    def has(self, hub: Any, model_id: str, revision: str, path: str) -> bool: ...


class ModelSources(Protocol):
    """Where an engine finds model files when none are given.

    That is the current hub, through the cache, with the current settings. The app context
    (``inference_gui.context.AppContext``) is one; the engine is typed against this, not against
    the app.
    """

    @property
    def hub(self) -> HubAccess: ...

    @property
    def cache(self) -> CacheAccess: ...

    @property
    def settings(self) -> Settings: ...


class CachedHubFiles:
    """A model on a hub, read through the model cache (downloads land in the cache, not beside it).

    Files come back inside the cache's per-revision folder, so external data sits next to its
    ONNX file as onnxruntime expects. Offline, only what the cache holds exists.
    """

    def __init__(
        self,
        cache: CacheAccess,
        hub: HubAccess,
        model_id: str,
        revision: str,
        *,
        offline: bool = False,
        used_by: str | None = None,
    ) -> None:
        self.cache, self.hub = cache, hub
        self.model_id, self.revision = model_id, revision
        self.offline = offline
        self.used_by = used_by
        self.label = f"{model_id}@{revision}"

    def fetch(
        self,
        path: str,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        return self.cache.fetch(
            self.hub,
            self.model_id,
            self.revision,
            path,
            progress=progress,
            cancel=cancel,
            used_by=self.used_by,
            offline=self.offline,
        )

    @property
    def cache_only(self) -> bool:
        """Offline with a remote hub: only what the cache holds exists.

        Offline means no network, and a folder hub needs none, so it is still read.
        """
        return (self.offline or self.hub.offline) and not self.hub.is_local

    def exists(self, path: str) -> bool:
        if self.cache.has(self.hub, self.model_id, self.revision, path):
            return True
        if self.cache_only:
            return False
        return self.hub.head(self.model_id, self.revision, path) is not None

    def list(self) -> list[str] | None:
        if self.cache_only:
            return None
        return [f.path for f in self.hub.list_files(self.model_id, self.revision)]
