"""How lora-lint names files: the display path of findings, the path relative to the
project root that settings match.

A leaf module (standard library only): the engine, the extractors and the fixer all
show a file the same way, so one file never gets two names in one report.
"""

from __future__ import annotations

import os
from pathlib import Path


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
