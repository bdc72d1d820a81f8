"""Let a real headless Firefox fill a profile's ML model cache from the fixture hub.

Firefox's own ``ModelHub`` downloads the files (over ``http://localhost:<port>/``, which Firefox
always allows) and records headers, tasks and engines exactly as its ML engine would. Used by the
optional live test and to (re)capture ``tests/fixtures/firefox-profile``::

    python3 -m tests.support.firefox_profile tests/fixtures/firefox-profile
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from inference_gui.firefox.launch import running_firefox
from inference_gui.firefox.opfs import FS_FOLDER
from inference_gui.firefox.profile_cache import IDB_FOLDER
from tests.paths import FIXTURES
from tests.support.http_hub import serve_hub

HUB = FIXTURES / "hub"


@dataclass(frozen=True)
class Fetch:
    """One file Firefox is asked to cache, as the engine ``engine_id`` running ``task`` would."""

    engine_id: str
    task: str
    model: str
    revision: str
    file: str


# Small on purpose: the captured copy is committed. Two models, two revisions of one, three engines.
FETCHES = (
    Fetch(
        "fixture-sentiment", "text-classification", "tiny/bert-sentiment", "v1.0.0", "config.json"
    ),
    Fetch(
        "fixture-sentiment",
        "text-classification",
        "tiny/bert-sentiment",
        "v1.0.0",
        "tokenizer.json",
    ),
    Fetch(
        "fixture-sentiment",
        "text-classification",
        "tiny/bert-sentiment",
        "v1.0.0",
        "onnx/model_quantized.onnx",
    ),
    Fetch(
        "fixture-zero-shot",
        "zero-shot-classification",
        "tiny/bert-sentiment",
        "v1.0.0",
        "config.json",
    ),
    Fetch(
        "fixture-sentiment-main",
        "text-classification",
        "tiny/bert-sentiment",
        "main",
        "config.json",
    ),
    Fetch("fixture-embed", "feature-extraction", "tiny/bert-embed", "v1.1.0", "config.json"),
    Fetch(
        "fixture-embed", "feature-extraction", "tiny/bert-embed", "v1.1.0", "tokenizer_config.json"
    ),
)

_FETCH_SCRIPT = """
const [rootUrl, fetches] = args;
const { ModelHub } = ChromeUtils.importESModule("chrome://global/content/ml/ModelHub.sys.mjs");
const hub = new ModelHub({ rootUrl, urlTemplate: "{model}/{revision}" });
const sizes = [];
for (const f of fetches) {
  const [buffer] = await hub.getModelFileAsArrayBuffer({
    engineId: f.engine_id, taskName: f.task, model: f.model, revision: f.revision, file: f.file,
  });
  sizes.push(buffer.byteLength);
}
return sizes;
"""


def populate(profile: Path, fetches: tuple[Fetch, ...] = FETCHES) -> list[int]:
    """Run Firefox on ``profile`` until it cached ``fetches``; returns the byte counts it read."""
    with serve_hub(HUB) as server:
        root_url = server.url.replace("127.0.0.1", "localhost")
        prefs = {
            "browser.ml.modelHubRootUrl": root_url,
            "browser.ml.modelHubUrlTemplate": "{model}/{revision}",
        }
        with running_firefox(profile, prefs) as firefox:
            return firefox.run_async(_FETCH_SCRIPT, [root_url, [f.__dict__ for f in fetches]])


def capture(profile: Path, out: Path) -> None:
    """Copy just the model-cache parts of ``profile`` into ``out`` (the committed fixture).

    The databases are rewritten with 4 KiB pages and no WAL (``VACUUM``: same rows, smaller file;
    Firefox's own 32 KiB pages would make the OPFS metadata alone ~0.5 MB).
    """
    idb = next(p for p in (profile / IDB_FOLDER).glob("*.sqlite") if _db_name(p) == "modelFiles")
    fs = profile / FS_FOLDER
    databases = [
        (idb, out / IDB_FOLDER / idb.name),
        (fs / "metadata.sqlite", out / FS_FOLDER / "metadata.sqlite"),
    ]
    for source, target in databases:
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(source)) as db, closing(sqlite3.connect(target)) as copy:
            db.backup(copy)
        with closing(sqlite3.connect(target)) as copy:
            copy.execute("PRAGMA journal_mode=DELETE")
            copy.execute("PRAGMA page_size=4096")
            copy.execute("VACUUM")
    for data in fs.glob("??/*"):
        target = out / FS_FOLDER / data.parent.name / data.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data, target)


def _db_name(path: Path) -> str:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return db.execute("SELECT name FROM database").fetchone()[0]


if __name__ == "__main__":
    target = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as scratch:
        print(populate(Path(scratch) / "profile"))
        capture(Path(scratch) / "profile", target)
