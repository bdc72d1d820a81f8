"""The structured-clone reader on hand-built clones (each supported tag) and on Firefox's data."""

from __future__ import annotations

import struct
from pathlib import Path

import cramjam
import pytest

from inference_gui.firefox import structured_clone as sc
from inference_gui.firefox.idb import read_database
from inference_gui.firefox.snapshot import copy_database
from tests.paths import FIXTURES

IDB = next((FIXTURES / "firefox-profile/storage/permanent/chrome/idb").glob("*.sqlite"))


def word(tag: int, data: int = 0) -> bytes:
    return struct.pack("<Q", (tag << 32) | data)


def string(text: str, *, latin1: bool = True) -> bytes:
    raw = text.encode("latin-1" if latin1 else "utf-16-le")
    padded = raw + b"\0" * (-len(raw) % 8)
    return word(sc.STRING, len(text) | (0x80000000 if latin1 else 0)) + padded


def clone(*body: bytes) -> bytes:
    return bytes(cramjam.snappy.compress_raw(word(sc.HEADER, 2) + b"".join(body)))


def test_an_object_with_every_plain_kind_of_value() -> None:
    data = clone(
        word(sc.OBJECT_OBJECT),
        string("name"), string("modèle"),  # Latin-1 needing padding
        string("wide"), string("漢字", latin1=False),
        string("count"), word(sc.INT32, 0xFFFFFFFE),  # -2
        string("size"), struct.pack("<d", 1234.5),
        string("ok"), word(sc.BOOLEAN, 1),
        string("none"), word(sc.NULL),
        string("ids"), word(sc.ARRAY_OBJECT, 2),
        word(sc.INT32, 0), string("a"), word(sc.INT32, 1), string("b"), word(sc.END_OF_KEYS),
        string("when"), word(sc.DATE_OBJECT), struct.pack("<d", 86_400_000.0),
        word(sc.END_OF_KEYS),
    )  # fmt: skip
    value = sc.decode(data)
    assert value["name"] == "modèle" and value["wide"] == "漢字"
    assert value["count"] == -2 and value["size"] == 1234.5
    assert value["ok"] is True and value["none"] is None and value["ids"] == ["a", "b"]
    assert value["when"].isoformat() == "1970-01-02T00:00:00+00:00"


def test_a_back_reference_returns_the_same_object() -> None:
    data = clone(
        word(sc.ARRAY_OBJECT, 2),
        word(sc.INT32, 0), word(sc.OBJECT_OBJECT), string("k"), word(sc.INT32, 7),
        word(sc.END_OF_KEYS),
        word(sc.INT32, 1), word(sc.BACK_REFERENCE_OBJECT, 1),
        word(sc.END_OF_KEYS),
    )  # fmt: skip
    first, second = sc.decode(data)
    assert first == {"k": 7} and second is first


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"not snappy at all", "not snappy-compressed"),
        (bytes(cramjam.snappy.compress_raw(word(sc.INT32, 1))), "structured-clone header"),
        (clone(word(0xFFFF8001)), "does not know"),  # a Blob: not plain data
        (clone(word(sc.OBJECT_OBJECT), string("k")), "ends in the middle"),
        (clone(word(sc.BACK_REFERENCE_OBJECT, 5)), "does not hold"),
    ],
)
def test_bad_or_unsupported_values_raise_one_clear_error(data: bytes, words: str) -> None:
    with pytest.raises(sc.StructuredCloneError, match=words):
        sc.decode(data)


def test_firefox_written_values_decode_to_its_records(tmp_path: Path) -> None:
    database = read_database(copy_database(IDB, tmp_path))
    assert (database.name, database.version) == ("modelFiles", 6)
    assert set(database.stores) == {"headers", "tasks", "engines"}
    header = next(h for h in database.stores["headers"] if h["file"] == "onnx/model_quantized.onnx")
    assert header["model"] == "localhost/tiny/bert-sentiment" and header["revision"] == "v1.0.0"
    assert header["headers"]["fileSize"] == 203489
    assert header["headers"]["Content-Length"] == "203489"
    assert ["fixture-sentiment", "fixture-zero-shot"] in [
        e["engineIds"] for e in database.stores["engines"]
    ]
