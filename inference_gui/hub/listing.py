"""Which files a model revision has, with sizes, so the app can show which dtypes exist.

Three kinds of hub, three ways: a local folder is walked; Hugging Face has a listing API, used
through ``huggingface_hub``; a Mozilla-style hub has none, so the file names Transformers.js may
read are probed with HEAD requests (in parallel, as there are a few dozen).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from inference_gui.errors import HubError
from inference_gui.hub.names import check_file_path, check_names
from inference_gui.hub.types import RemoteFile
from inference_gui.hub.urls import check_url
from inference_gui.layout import candidate_paths

if TYPE_CHECKING:
    from inference_gui.hub.hub import Hub

PROBE_WORKERS = 8


def list_files(hub: Hub, model_id: str, revision: str) -> list[RemoteFile]:
    check_names(model_id, revision)
    if hub.is_local:
        files = _walk(hub, model_id, revision)
    else:
        hub.refuse_offline(f"the file list of {model_id} at {revision}")
        files = (
            _huggingface(hub, model_id, revision)
            if hub.is_huggingface
            else _probe(hub, model_id, revision)
        )
    return sorted(files, key=lambda f: f.path)


def _walk(hub: Hub, model_id: str, revision: str) -> list[RemoteFile]:
    folder = hub.revision_folder(model_id, revision)
    return [
        RemoteFile(path.relative_to(folder).as_posix(), path.stat().st_size)
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    ]


def _probe(hub: Hub, model_id: str, revision: str) -> list[RemoteFile]:
    def head(path: str) -> RemoteFile | None:
        found = hub.head(model_id, revision, path)
        return None if found is None else RemoteFile(path, -1 if found.size is None else found.size)

    with ThreadPoolExecutor(PROBE_WORKERS, thread_name_prefix="probe") as pool:
        found = [f for f in pool.map(head, candidate_paths()) if f is not None]
    if not found:
        raise HubError(
            f"No model files were found for {model_id} at {revision} on {hub.host}.",
            "Check the model id and revision; the hub has no listing, "
            "so known file names were tried.",
        )
    return found


def _huggingface(hub: Hub, model_id: str, revision: str) -> list[RemoteFile]:
    from huggingface_hub import HfApi
    from huggingface_hub.errors import (
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    endpoint = hub.root.rstrip("/")
    check_url(f"{endpoint}/api/models/{model_id}", hub.policy)
    try:
        entries = HfApi(endpoint=endpoint).list_repo_tree(
            model_id, revision=revision, recursive=True
        )
        files = [(e.path, e.size) for e in entries if hasattr(e, "size") and hasattr(e, "blob_id")]
    except RepositoryNotFoundError as exc:
        raise HubError(
            f"The model {model_id} is not on {hub.host}.", "Check the model id."
        ) from exc
    except RevisionNotFoundError as exc:
        raise HubError(f"Model {model_id} has no revision {revision} on {hub.host}.") from exc
    except (HfHubHTTPError, OSError) as exc:
        raise HubError(f"Listing the files of {model_id} on {hub.host} failed: {exc}.") from exc
    result = []
    for path, size in files:
        try:
            result.append(RemoteFile(check_file_path(path), int(size)))
        except HubError:
            continue  # a server-sent name that could escape the folder is simply not offered
    return result
