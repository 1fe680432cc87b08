"""Which files to lint: what git tracks (or would track), minus the usual noise.

Inside a git work tree the candidate set is ``git ls-files --cached --others
--exclude-standard`` (so ``.gitignore`` is honoured); elsewhere a directory
walk. Virtualenvs, ``node_modules``, caches and build output are always
skipped, and so are symlinks that leave the walked tree (in both cases), so no
finding is ever about a file outside it. Broken links and link loops inside the
tree are kept: reading them gives an LL000 finding.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

#: Suffixes each front end handles.
LINTABLE_SUFFIXES = frozenset({".py", ".yaml", ".yml", ".json", ".ipynb", ".sh"})

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


def _leaves(path: Path, root: str) -> bool:
    """Whether ``path`` is a symlink to somewhere outside ``root`` (a real path).

    Such files are skipped: their findings would be about files outside the tree.
    Broken links and link loops inside the tree are kept, and reported as LL000.
    """
    if not os.path.islink(path):
        return False
    real = os.path.realpath(path)
    return real != root and not real.startswith(root.rstrip(os.sep) + os.sep)


def _walk(directory: Path) -> Iterator[Path]:
    for current, dirs, files in os.walk(directory, followlinks=False):
        base = Path(current)
        dirs[:] = sorted(d for d in dirs if not _skipped_dir(base / d))
        for name in sorted(files):
            yield base / name


class _SkipCache:
    """Memoised "is any directory between root and this file skipped?" for git listings."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.memo: dict[Path, bool] = {}

    def skipped(self, path: Path) -> bool:
        return self._dir_skipped(path.parent)

    def _dir_skipped(self, directory: Path) -> bool:
        if directory == self.root or self.root not in directory.parents:
            return False
        if directory not in self.memo:
            self.memo[directory] = _skipped_dir(directory) or self._dir_skipped(directory.parent)
        return self.memo[directory]


def iter_files(
    paths: Iterable[Path], suffixes: frozenset[str] = LINTABLE_SUFFIXES
) -> Iterator[Path]:
    """Expand directories; files given explicitly are always yielded (if lintable)."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            listed = _git_files(path)
            if listed is not None:
                skip = _SkipCache(path)
                candidates: Iterable[Path] = (p for p in listed if not skip.skipped(p))
            else:
                candidates = _walk(path)
            root = os.path.realpath(path)
            for cand in sorted(candidates):
                if cand.suffix.lower() in suffixes and cand not in seen and not _leaves(cand, root):
                    seen.add(cand)
                    yield cand
        elif path not in seen:
            seen.add(path)
            yield path
