"""Which files to lint: what git tracks (or would track), minus the usual noise.

Inside a git work tree the candidate set is ``git ls-files --cached --others
--exclude-standard`` (so ``.gitignore`` is honoured); elsewhere a directory
walk. Virtualenvs, ``node_modules``, caches and build output are always
skipped, and so are symlinks that leave the walked tree.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

#: Suffixes each front end handles.
LINTABLE_SUFFIXES = frozenset({".py", ".yaml", ".yml", ".json"})

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        "build",
        "dist",
        "site-packages",
        ".eggs",
        "wandb",
    }
)


def _is_virtualenv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file() or (path / "conda-meta").is_dir()


def _skipped_dir(path: Path) -> bool:
    name = path.name
    return name in SKIP_DIRS or name.endswith(".egg-info") or _is_virtualenv(path)


def _git_files(directory: Path) -> list[Path] | None:
    """Files git tracks or would track under ``directory``; None outside a work tree."""
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=directory,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    names = [n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return [directory / n for n in names]


def _walk(directory: Path) -> Iterator[Path]:
    root = directory.resolve()
    for current, dirs, files in os.walk(directory, followlinks=False):
        base = Path(current)
        dirs[:] = sorted(d for d in dirs if not _skipped_dir(base / d))
        for name in sorted(files):
            path = base / name
            if path.is_symlink():
                try:
                    path.resolve().relative_to(root)
                except (ValueError, OSError, RuntimeError):
                    continue
            yield path


def _has_skipped_part(path: Path, root: Path) -> bool:
    try:
        rel = path.relative_to(root)
    except ValueError:
        return False
    parts = rel.parts[:-1]
    return any(p in SKIP_DIRS or p.endswith(".egg-info") for p in parts)


def iter_files(paths: Iterable[Path], suffixes: frozenset[str] = LINTABLE_SUFFIXES) -> Iterator[Path]:
    """Expand directories; files given explicitly are always yielded (if lintable)."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            listed = _git_files(path)
            candidates: Iterable[Path] = (
                (p for p in listed if not _has_skipped_part(p, path)) if listed is not None else _walk(path)
            )
            for cand in sorted(candidates):
                if cand.suffix.lower() in suffixes and cand not in seen:
                    seen.add(cand)
                    yield cand
        elif path not in seen:
            seen.add(path)
            yield path
