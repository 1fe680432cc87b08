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

from lora_lint.extract.frontends import SUFFIXES

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
    try:
        return (path / "pyvenv.cfg").is_file() or (path / "conda-meta").is_dir()
    except OSError:  # unreadable (EACCES) or too long a name: not a venv we can see
        return False


def _skipped_dir(path: Path) -> bool:
    name = path.name
    return name in SKIP_DIRS or name.endswith(".egg-info") or _is_virtualenv(path)


#: Options for ``git`` with nothing the linted repository configures able to run a program: no
#: fsmonitor hook, no hooks (``post-index-change``), no untracked-cache or index writes,
#: no pager; the system config (which the repository does not control either) is skipped
#: so that only ``-c`` and the user's own config apply.
GIT_SAFE_OPTIONS = (
    "--no-pager",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.untrackedCache=false",
    "-c",
    "core.splitIndex=false",
    "-c",
    "index.threads=1",
    "-c",
    "core.pager=cat",
)


def git_env() -> dict[str, str]:
    """The environment for :data:`GIT_SAFE_OPTIONS`: no system config, no optional locks (so
    a read-only command never rewrites the index), never a prompt."""
    env = dict(os.environ)
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_OPTIONAL_LOCKS="0",
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
    )
    return env


def _git_files(directory: Path) -> list[Path] | None:
    """Files git tracks or would track under ``directory``; None outside a work tree."""
    try:
        proc = subprocess.run(
            [
                "git",
                *GIT_SAFE_OPTIONS,
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                ".",
            ],
            cwd=directory,
            env=git_env(),
            stdin=subprocess.DEVNULL,
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


def _walk(directory: Path, problems: list[tuple[Path, str]]) -> Iterator[Path]:
    """Files under ``directory``; a subdirectory that cannot be listed goes to ``problems``."""

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else directory
        problems.append((where, f"cannot list directory: {exc.strerror or exc}; not checked"))

    for current, dirs, files in os.walk(directory, onerror=on_error, followlinks=False):
        base = Path(current)
        dirs[:] = sorted(d for d in dirs if not _skipped_dir(base / d))
        for name in sorted(files):
            yield base / name


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name longer than PATH_MAX, ...: reading it reports the problem
        return False


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
    paths: Iterable[Path],
    suffixes: frozenset[str] = SUFFIXES,
    problems: list[tuple[Path, str]] | None = None,
) -> Iterator[Path]:
    """Expand directories; files given explicitly are always yielded (if lintable).

    Directories that cannot be listed are appended to ``problems`` (path, reason) and the
    walk goes on; directories whose name looks like a file (a submodule ``discord.py``)
    are not files and are skipped silently.
    """
    seen: set[Path] = set()
    found = problems if problems is not None else []
    for path in paths:
        if _is_dir(path):
            listed = _git_files(path)
            if listed is not None:
                skip = _SkipCache(path)
                candidates: Iterable[Path] = (p for p in listed if not skip.skipped(p))
            else:
                candidates = _walk(path, found)
            root = os.path.realpath(path)
            for cand in sorted(candidates):
                if (
                    cand.suffix.lower() in suffixes
                    and cand not in seen
                    and not _leaves(cand, root)
                    and not _is_dir(cand)
                ):
                    seen.add(cand)
                    yield cand
        elif path not in seen:
            seen.add(path)
            yield path
