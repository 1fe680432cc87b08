"""Everything known about one parsed module, and a per-process cache of sibling modules.

Sibling modules (``from .constants import TARGETS``) are parsed with libcst,
never imported, and kept for the life of the process: a repository lint reads
the same ``constants.py`` for every script that imports it.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

import libcst as cst

from lora_lint.extract.filecache import note_read
from lora_lint.extract.python.imports import ImportTable
from lora_lint.extract.python.scopes import Scopes
from lora_lint.extract.python.source import SourceModule
from lora_lint.paths import display_path

#: Sibling modules larger than this are not read (generated code, vendored blobs).
MAX_SIBLING_BYTES = 2_000_000


@dataclass
class ModuleContext:
    """A parsed module with its imports and bindings."""

    source: SourceModule
    imports: ImportTable
    scopes: Scopes
    project_root: pathlib.Path | None
    #: True for modules other than the file being linted: their values carry ``path``.
    foreign: bool = False

    @classmethod
    def build(
        cls, source: SourceModule, project_root: pathlib.Path | None, *, foreign: bool = False
    ) -> ModuleContext:
        return cls(
            source=source,
            imports=ImportTable.build(source.module),
            scopes=Scopes(source),
            project_root=project_root,
            foreign=foreign,
        )

    @property
    def value_path(self) -> str | None:
        """The ``path`` to put on values written in this module (``None`` for the linted file)."""
        return self.source.path if self.foreign else None


_CACHE: dict[pathlib.Path, tuple[tuple[int, int], ModuleContext | str]] = {}


def load_sibling(path: pathlib.Path, project_root: pathlib.Path | None) -> ModuleContext | str:
    """The parsed module at ``path``, or the reason it cannot be used."""
    note_read(path)  # the extraction cache re-checks its content on a hit
    try:
        resolved = path.resolve()
        stat = resolved.stat()
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(resolved)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    result = _parse_sibling(resolved, project_root, stat.st_size)
    _CACHE[resolved] = (stamp, result)
    return result


def _parse_sibling(
    path: pathlib.Path, project_root: pathlib.Path | None, size: int
) -> ModuleContext | str:
    shown = display_path(path)
    if size > MAX_SIBLING_BYTES:
        return f"{shown} is too large to analyse"
    try:
        code = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"cannot read {shown}: {exc}"
    try:
        source = SourceModule.parse(code, shown, path)
    except cst.ParserSyntaxError as exc:
        return f"cannot parse {shown}: {exc.message}"
    except RecursionError:
        return f"{shown} is nested too deeply to parse"
    return ModuleContext.build(source, project_root, foreign=True)
