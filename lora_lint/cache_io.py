"""Cache entries: read without trusting them, written atomically (every cache's one store).

A cache directory is outside lora-lint's control: an entry may be truncated, edited, a
FIFO (reading blocks forever), a symlink, or valid JSON of another shape. An entry is
only used when it is a regular file of bounded size that decodes to exactly the types its
dataclasses declare (:func:`conforms`); anything else is a miss and gets rebuilt.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import os
import stat
import tempfile
import types
import typing
from pathlib import Path
from typing import Any

#: Larger entries are not read (the largest inventories are a few MB).
MAX_ENTRY_BYTES = 256 * 1024 * 1024


def read_entry(path: Path, max_bytes: int = MAX_ENTRY_BYTES) -> bytes | None:
    """The bytes of a regular cache file, or None (missing, FIFO, device, link, too big)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(max_bytes + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def write_json(path: Path, data: object, *, prefix: str | None = None) -> None:
    """Write ``data`` as compact JSON to ``path`` atomically (a temporary file, then
    ``os.replace``), so a concurrent reader sees the old entry or the new one, never half;
    the parent directory is created. Raises :class:`OSError` (``TypeError``/``ValueError`` for data
    JSON cannot hold); the temporary file is removed on any failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = prefix if prefix is not None else path.stem
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def conforms(value: object, hint: Any, depth: int = 0) -> bool:
    """Whether ``value`` has the type ``hint`` (dataclasses field by field, containers
    element by element). Supports what the cached dataclasses use; ``object``/``Any``
    accept anything."""
    if depth > 200:
        return False
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(conforms(value, a, depth + 1) for a in args)
    if origin is typing.Literal:
        return value in args
    if origin in (list, set, frozenset):
        return isinstance(value, origin) and all(conforms(v, args[0], depth + 1) for v in value)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(conforms(v, args[0], depth + 1) for v in value)
        return len(args) == len(value) and all(
            conforms(v, a, depth + 1) for v, a in zip(value, args, strict=True)
        )
    if origin is dict:
        return isinstance(value, dict) and all(
            conforms(k, args[0], depth + 1) and conforms(v, args[1], depth + 1)
            for k, v in value.items()
        )
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            if type(value) is not hint:
                return False
            fields = _hints(hint)
            return all(
                conforms(getattr(value, f.name), fields[f.name], depth + 1)
                for f in dataclasses.fields(hint)
            )
        if issubclass(hint, enum.Enum):
            return isinstance(value, hint)
        if hint is float:
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if hint is int:
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, hint)
    return False
