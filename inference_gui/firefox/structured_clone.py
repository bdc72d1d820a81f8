"""Decode the values Firefox keeps in IndexedDB: snappy-compressed SpiderMonkey structured clones.

Why our own reader: ``dfindexeddb`` (the maintained forensic decoder) pins ``python-snappy==0.6.1``,
an sdist that needs a C compiler and libsnappy headers, and ``zstd==1.5.5.1`` — it does not install
cleanly everywhere this app runs. The model cache only stores plain data (objects, arrays, strings,
numbers, booleans, dates), so a reader of that subset over ``cramjam``'s snappy (wheels for every
platform) is small and complete for it; anything else is refused by name rather than guessed.

Format (js/src/vm/StructuredClone.cpp): a stream of little-endian 64-bit words, each a (tag, data)
pair of 32-bit halves; a word whose tag is below ``FLOAT_MAX`` is a double. Strings follow their
word, Latin-1 or UTF-16LE, padded to 8 bytes. Objects and arrays list key, value, key, value, ...
up to ``END_OF_KEYS``.
"""

from __future__ import annotations

import datetime as dt
import struct
from typing import Any

import cramjam

from inference_gui.errors import AppError

FLOAT_MAX = 0xFFF00000
HEADER = 0xFFF10000
NULL = 0xFFFF0000
UNDEFINED = 0xFFFF0001
BOOLEAN = 0xFFFF0002
INT32 = 0xFFFF0003
STRING = 0xFFFF0004
DATE_OBJECT = 0xFFFF0005
ARRAY_OBJECT = 0xFFFF0007
OBJECT_OBJECT = 0xFFFF0008
BOOLEAN_OBJECT = 0xFFFF000A
STRING_OBJECT = 0xFFFF000B
NUMBER_OBJECT = 0xFFFF000C
BACK_REFERENCE_OBJECT = 0xFFFF000D
MAP_OBJECT = 0xFFFF0011
SET_OBJECT = 0xFFFF0012
END_OF_KEYS = 0xFFFF0013

_CONTAINERS = (OBJECT_OBJECT, ARRAY_OBJECT, MAP_OBJECT, SET_OBJECT)


class StructuredCloneError(AppError):
    """A stored IndexedDB value cannot be decoded."""


def decompress(data: bytes) -> bytes:
    """Undo Firefox's raw (unframed) snappy compression of an ``object_data.data`` value."""
    try:
        return bytes(cramjam.snappy.decompress_raw(data))
    except Exception as error:  # cramjam raises its own DecompressionError
        raise StructuredCloneError(
            f"A stored value is not snappy-compressed data ({error}).",
            "The profile may be from an unsupported Firefox version or damaged.",
        ) from error


class _Reader:
    def __init__(self, buffer: bytes) -> None:
        self.buffer = buffer
        self.pos = 0
        self.objects: list[Any] = []  # every object read so far, for back references

    def word(self) -> tuple[int, int]:
        if self.pos + 8 > len(self.buffer):
            raise StructuredCloneError("A stored value ends in the middle of an entry.")
        (value,) = struct.unpack_from("<Q", self.buffer, self.pos)
        self.pos += 8
        return value >> 32, value & 0xFFFFFFFF

    def peek_tag(self) -> int:
        (value,) = struct.unpack_from("<Q", self.buffer, self.pos)
        return value >> 32

    def double(self) -> float:
        if self.pos + 8 > len(self.buffer):
            raise StructuredCloneError("A stored value ends in the middle of a number.")
        (value,) = struct.unpack_from("<d", self.buffer, self.pos)
        self.pos += 8
        return value

    def string(self, data: int) -> str:
        length, latin1 = data & 0x7FFFFFFF, bool(data & 0x80000000)
        size = length if latin1 else 2 * length
        raw = self.buffer[self.pos : self.pos + size]
        if len(raw) != size:
            raise StructuredCloneError("A stored string is cut short.")
        self.pos += (size + 7) & ~7
        return raw.decode("latin-1" if latin1 else "utf-16-le")

    def value(self) -> Any:
        tag, data = self.word()
        if tag < FLOAT_MAX:
            self.pos -= 8
            return self.double()
        if tag == NULL:
            return None
        if tag == UNDEFINED:
            return None
        if tag in (BOOLEAN, BOOLEAN_OBJECT):
            return bool(data)
        if tag == INT32:
            return data - (1 << 32) if data & 0x80000000 else data
        if tag in (STRING, STRING_OBJECT):
            return self.string(data)
        if tag == NUMBER_OBJECT:
            return self.double()
        if tag == DATE_OBJECT:
            millis = self.double()
            return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC)
        if tag == BACK_REFERENCE_OBJECT:
            if data >= len(self.objects):
                raise StructuredCloneError("A stored value refers to an object it does not hold.")
            return self.objects[data]
        if tag in _CONTAINERS:
            return self.container(tag)
        raise StructuredCloneError(
            f"A stored value holds a kind of data this reader does not know (tag {tag:#x}).",
            "Only plain objects, arrays, strings, numbers, booleans and dates are supported.",
        )

    def container(self, tag: int) -> Any:
        holder: Any = {} if tag in (OBJECT_OBJECT, MAP_OBJECT) else []
        self.objects.append(holder)
        while self.peek_tag() != END_OF_KEYS:
            if tag == SET_OBJECT:
                holder.append(self.value())
                continue
            key = self.value()
            item = self.value()
            if tag == ARRAY_OBJECT:
                holder.extend([None] * (int(key) + 1 - len(holder)))
                holder[int(key)] = item
            else:
                holder[key if isinstance(key, str) else str(key)] = item
        self.word()  # END_OF_KEYS
        return holder


def decode(data: bytes, *, compressed: bool = True) -> Any:
    """The Python value (dict, list, str, float, int, bool, None, datetime) of a stored clone."""
    buffer = decompress(data) if compressed else data
    reader = _Reader(buffer)
    tag, _scope = reader.word()
    if tag != HEADER:
        raise StructuredCloneError(
            "A stored value does not start with a structured-clone header.",
            "The profile may be from an unsupported Firefox version or damaged.",
        )
    return reader.value()
