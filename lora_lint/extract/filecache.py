"""Per-file extraction results cached on disk, keyed by content.

A warm run over unchanged files must not import libcst or parse anything:
for every file that passes the text pre-filter, the :class:`FileExtraction`
is stored as JSON under a key made of

* the file's content (SHA-256 of its text),
* where it is and how it is shown (suffix, resolved path, display path,
  project root, working directory: spans and paths in the result depend on them),
* a fingerprint of the code that produced it (lora-lint's version and the
  size/mtime of every module of the ``lora_lint`` package, the Python version,
  the libcst and PyYAML installations), so a changed extractor never serves
  stale results, not even in an editable install.

Python files may read other files of the project (``from .constants import
TARGETS``): the front end reports every module file it looked for
(:func:`note_probe`) and every file it read (:func:`note_read`) while a
:func:`recording` is active; the entry stores them (existence, content hash)
and is a miss as soon as one of them changed.

Entries are plain JSON (a tagged encoding of the extraction dataclasses, never
pickle), written atomically like the inventory cache; an unreadable, corrupt or
foreign entry is a miss. A cache that cannot be written is silently disabled
(the inventory cache in the same directory already warns).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lora_lint import diagnostics
from lora_lint.cache_io import conforms, read_entry, write_json
from lora_lint.extract import types
from lora_lint.extract.types import FileExtraction
from lora_lint.models.inventory import ModuleInfo

#: Bump when the entry layout changes (also part of the directory name).
#: 4: ``LocalModel.what`` (a torch container used as the model itself).
#: 3: ``ModelRef.local`` (static module trees of the linted code's classes).
#: 2: ``ExtractedConfig.notes`` (a dict of string keys) became the typed ``facts`` record.
CACHE_FORMAT = 4


def _own(module: object, kind: type) -> dict[str, Any]:
    """The classes ``module`` itself defines that are dataclasses (``kind`` type) or enums."""
    found: dict[str, Any] = {}
    for name, value in vars(module).items():
        if not isinstance(value, type) or value.__module__ != getattr(module, "__name__", None):
            continue
        if (kind is enum.Enum and issubclass(value, enum.Enum)) or (
            kind is type and dataclasses.is_dataclass(value)
        ):
            found[name] = value
    return found


#: What an extraction is made of: every dataclass (Span, Finding, Located, ExtractedConfig...)
#: and enum (Severity) of the two modules that define the extraction model, and nothing else.
_CLASSES: dict[str, type] = {
    **_own(diagnostics, type),
    **_own(types, type),
    "ModuleInfo": ModuleInfo,  # a static module tree (``LocalModel``) holds inventory rows
}
_ENUMS: dict[str, type[enum.Enum]] = {**_own(diagnostics, enum.Enum), **_own(types, enum.Enum)}


class Unencodable(TypeError):
    """The value holds something the codec does not know; the file is simply not cached."""


# -- codec -------------------------------------------------------------------------------------
def encode(value: object) -> Any:
    """``value`` as JSON-ready data; raises :class:`Unencodable` for unknown types."""
    if isinstance(value, enum.Enum):  # before the scalars: Severity is a str enum
        name = type(value).__name__
        if _ENUMS.get(name) is not type(value):
            raise Unencodable(f"enum {name}")
        return {"$e": name, "v": value.value}
    if value is None or isinstance(value, (str, bool, int, float)):
        if type(value) not in (type(None), str, bool, int, float):
            raise Unencodable(f"subclass of a scalar: {type(value).__name__}")
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$t": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"$d": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        tag = "$s" if isinstance(value, set) else "$fs"
        return {tag: [encode(v) for v in value]}
    name = type(value).__name__
    if _CLASSES.get(name) is type(value) and dataclasses.is_dataclass(value):
        return {
            "$c": name,
            "f": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    raise Unencodable(f"cannot cache a {name}")


def decode(data: Any) -> Any:
    """Inverse of :func:`encode`; raises ``ValueError``/``KeyError``/``TypeError`` on bad data."""
    if data is None or isinstance(data, (str, bool, int, float)):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        raise TypeError(f"unexpected {type(data).__name__}")
    if "$c" in data:
        cls = _CLASSES[data["$c"]]
        fields = {k: decode(v) for k, v in data["f"].items()}
        expected = {f.name for f in dataclasses.fields(cls) if f.init}
        if set(fields) != expected:
            raise ValueError(f"{cls.__name__} fields changed")
        return cls(**fields)
    if "$t" in data:
        return tuple(decode(v) for v in data["$t"])
    if "$d" in data:
        return {decode(k): decode(v) for k, v in data["$d"]}
    if "$e" in data:
        return _ENUMS[data["$e"]](data["v"])
    if "$s" in data:
        return {decode(v) for v in data["$s"]}
    if "$fs" in data:
        return frozenset(decode(v) for v in data["$fs"])
    raise ValueError("unknown tag")


# -- dependencies of one extraction ---------------------------------------------------------------
@dataclasses.dataclass
class Recorder:
    """Files an extraction looked for or read besides the file itself."""

    probed: dict[str, bool] = dataclasses.field(default_factory=dict)
    read: list[str] = dataclasses.field(default_factory=list)

    def deps(self) -> dict[str, Any]:
        """What to store: existence of each probe, content hash of each file read."""
        return {
            "probed": dict(sorted(self.probed.items())),
            "read": {p: _file_hash(p) for p in sorted(set(self.read))},
        }


#: Active recorders, innermost last (not thread-safe: one extraction at a time per process,
#: which the serial and the process-pool paths guarantee).
_recorders: list[Recorder] = []


@contextlib.contextmanager
def recording() -> Iterator[Recorder]:
    """Collect the files the front end touches while extracting one file."""
    recorder = Recorder()
    _recorders.append(recorder)
    try:
        yield recorder
    finally:
        _recorders.remove(recorder)


def note_probe(path: Path, exists: bool) -> None:
    """Called by the Python front end for every module file it looks for."""
    if _recorders:
        _recorders[-1].probed[os.path.abspath(path)] = exists


def note_read(path: Path) -> None:
    """Called by the Python front end for every other file whose content it uses."""
    if _recorders:
        _recorders[-1].read.append(os.path.abspath(path))


def _file_hash(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


def _deps_unchanged(deps: dict[str, Any]) -> bool:
    if not (
        isinstance(deps, dict)
        and conforms(deps.get("probed"), dict[str, bool])
        and conforms(deps.get("read"), dict[str, str | None])
    ):
        return False  # an ill-shaped entry (an int "path" would be read as a descriptor)
    for path, exists in deps["probed"].items():
        if os.path.isfile(path) != exists:
            return False
    return all(_file_hash(path) == digest for path, digest in deps["read"].items())


# -- the cache ----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Identifies the code that produces extractions (computed once per process, ~1-2 ms)."""
    import importlib.util

    import lora_lint

    parts: list[str] = [lora_lint.__version__, str(CACHE_FORMAT), sys.version]
    root = Path(lora_lint.__file__).parent
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in ("__pycache__", "bundled"))
        for name in sorted(filenames):
            if name.endswith(".py"):
                st = os.stat(os.path.join(dirpath, name))
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                parts.append(f"{rel}:{st.st_size}:{st.st_mtime_ns}")
    for dist in ("libcst", "yaml", "tree_sitter", "tree_sitter_bash"):
        spec = importlib.util.find_spec(dist)
        origin = spec.origin if spec is not None else None
        stamp = os.stat(origin).st_mtime_ns if origin and os.path.exists(origin) else 0
        parts.append(f"{dist}:{origin}:{stamp}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class FileCache:
    """A directory of ``<key>.json`` extraction entries; ``None`` directory means disabled."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory / f"extract-v{CACHE_FORMAT}" if directory else None
        self.hits = 0
        self.misses = 0
        #: Files each hit depended on (its stored ``deps["read"]``), by key: the import graph.
        self.reads: dict[str, list[str]] = {}

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def key(self, text: str, path: Path, shown: str, project_root: Path | None) -> str:
        head = "\0".join(
            [
                code_fingerprint(),
                path.suffix.lower(),
                os.path.abspath(path),
                shown,
                str(project_root) if project_root is not None else "",
                os.getcwd(),
            ]
        )
        digest = hashlib.sha256(head.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:40]

    def get(self, key: str) -> FileExtraction | None:
        if self.directory is None:
            return None
        raw = read_entry(self.directory / f"{key}.json")
        try:
            data = json.loads(raw) if raw is not None else None
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            self.misses += 1
            return None
        try:
            if data["format"] != CACHE_FORMAT or not _deps_unchanged(data["deps"]):
                self.misses += 1
                return None
            value = decode(data["result"])
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError):
            self.misses += 1
            return None
        if not conforms(value, FileExtraction):  # valid JSON of another shape: rebuild
            self.misses += 1
            return None
        self.hits += 1
        self.reads[key] = list(data["deps"]["read"])
        return value

    def put(self, key: str, value: FileExtraction, deps: dict[str, Any]) -> None:
        if self.directory is None:
            return
        try:
            payload = {"format": CACHE_FORMAT, "deps": deps, "result": encode(value)}
        except (Unencodable, RecursionError):
            return  # not cacheable: extracted again next time, which is merely slower
        try:
            write_json(self.directory / f"{key}.json", payload)
        except (OSError, ValueError):
            self.directory = None  # unwritable: run on without the extraction cache
