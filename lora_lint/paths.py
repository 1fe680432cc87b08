"""How lora-lint names files: the display path of findings, the path relative to the
project root, and the one glob dialect that ``exclude``, ``extend-exclude`` and
``per-file-ignores`` are written in (gitignore-style, via :mod:`pathspec`, as in ruff).

A leaf module (the standard library; :mod:`pathspec` only once a pattern is matched):
the engine, the extractors and the fixer all show a file the same way, and both
settings read a pattern the same way.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, else as given; a name that is
    not valid UTF-8 gets its bad bytes written as ``\\xNN``."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return _printable(str(path))
    return _printable(str(path) if rel.startswith("..") else rel)


def _printable(name: str) -> str:
    """A file name that was not valid UTF-8 (surrogate escapes) with its bad bytes as ``\\xNN``."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
        return raw.decode("utf-8", "backslashreplace")
    return name


def relative_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form (both resolved), else ``path`` as given."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return path.as_posix()


# --- the one glob dialect: gitignore-style patterns, relative to the project root -----------


def _normalized(pattern: str) -> str:
    """``./build`` means the project root's ``build`` (git itself would not strip ``./``)."""
    negated = pattern.startswith("!")
    body = pattern[1:] if negated else pattern
    while body.startswith("./"):
        body = "/" + body[2:].lstrip("/")
    return ("!" if negated else "") + body


@functools.lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> Any:
    import pathspec  # only when a setting has patterns

    return pathspec.GitIgnoreSpec.from_lines([_normalized(p) for p in patterns])


def pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` is no gitignore-style pattern (``None`` when it is one)."""
    if not pattern.strip() or pattern.strip() == "!":
        return "empty pattern"
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([_normalized(pattern)])
    except ValueError:  # pathspec's GitIgnorePatternError is a ValueError
        return "not a valid gitignore-style pattern"
    return None


def matches(rel: str, patterns: Iterable[str]) -> bool:
    """Whether the POSIX path ``rel`` (relative to the project root) matches ``patterns``,
    read as lines of a ``.gitignore`` at the project root (:mod:`pathspec`).

    As in git: a pattern without a ``/`` (other than a trailing one) matches a file or
    directory name at any depth; one with a ``/`` is anchored at the root (``./`` too);
    a trailing ``/`` matches directories only; a file inside a matched directory matches;
    ``*`` stops at ``/`` while ``**`` crosses it; a later ``!pattern`` re-includes.
    """
    spec = _spec(tuple(patterns))
    return bool(spec.match_file(rel))


def matches_key(rel: str, pattern: str) -> bool:
    """One ``per-file-ignores`` key: the pattern, or with ``!`` every file it does not match."""
    if pattern.startswith("!"):
        return not matches(rel, (pattern[1:],))
    return matches(rel, (pattern,))
