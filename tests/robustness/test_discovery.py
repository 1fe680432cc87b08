"""File discovery under attack: the linted repository's git config never runs a program,
an unlistable directory or an over-long path is one LL000 (the rest is still checked), and
a directory named like a file (a ``discord.py`` submodule) is not a file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lora_lint import discover
from lora_lint.engine import Linter
from lora_lint.results import RunResult
from lora_lint.settings import Settings
from tests.robustness.helpers import (
    WITNESS,
    WITNESS_NAME,
    assert_witness,
    codes,
    of,
    run_cli,
    write,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def lint_tree(root: Path) -> RunResult:
    """``lora-lint check ROOT`` in-process (the directory, so discovery runs), with witness."""
    write(root, {WITNESS_NAME: WITNESS})
    return Linter(Settings(project_root=root, offline=True)).run([root])


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def _repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q")
    _git(path, "config", "user.email", "t@example.com")
    _git(path, "config", "user.name", "t")
    write(path, {WITNESS_NAME: WITNESS})
    _git(path, "add", WITNESS_NAME)
    return path


# -- item 3: the repository's git config runs nothing ------------------------------------------


def _armed_repo(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A repository whose config would run programs from fsmonitor, hooks and the pager."""
    repo = _repo(tmp_path / "repo")
    sentinels = [tmp_path / f"SENT_{n}" for n in ("fsmonitor", "hook", "pager", "filter")]
    hooks = repo / "hooks"
    hooks.mkdir()
    for hook in ("post-index-change", "post-checkout", "pre-commit", "reference-transaction"):
        script = hooks / hook
        script.write_text(f"#!/bin/sh\ntouch {sentinels[1]}\n")
        script.chmod(0o755)
    _git(repo, "config", "core.fsmonitor", f"touch {sentinels[0]}; false")
    _git(repo, "config", "core.hooksPath", str(hooks))
    _git(repo, "config", "core.untrackedCache", "true")
    _git(repo, "config", "core.pager", f"touch {sentinels[2]}; cat")
    _git(repo, "config", "filter.evil.clean", f"touch {sentinels[3]}; cat")
    _git(repo, "config", "filter.evil.smudge", f"touch {sentinels[3]}; cat")
    write(repo, {".gitattributes": "* filter=evil\n", "new.yaml": "adapter: lora\n"})
    return repo, sentinels


def test_armed_repo_positive_control(tmp_path: Path) -> None:
    """Plain ``git ls-files`` in the armed repository does run the fsmonitor program."""
    repo, sentinels = _armed_repo(tmp_path)
    subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        capture_output=True,
        check=False,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    assert sentinels[0].exists()


def test_git_config_of_the_linted_repo_runs_nothing(tmp_path: Path) -> None:
    repo, sentinels = _armed_repo(tmp_path)
    listed = discover._git_files(repo)
    assert listed is not None and repo / WITNESS_NAME in listed and repo / "new.yaml" in listed
    proc = run_cli("check", "--offline", ".", cwd=repo, timeout=120)
    assert "witness.yaml:5:5: LL001" in proc.stdout, proc.stdout + proc.stderr
    assert [s.name for s in sentinels if s.exists()] == []


# -- item 5: unlistable directories and over-long paths ---------------------------------------


def test_unlistable_directory_is_ll000_and_the_rest_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a git work tree: the directory walk meets a directory it may not list."""
    write(tmp_path, {"locked/inner.yaml": WITNESS, "ok/sub/file.txt": "x"})
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if os.fspath(path).endswith("locked"):  # type: ignore[call-overload]
            raise PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore[call-overload]
        return real_scandir(path)  # type: ignore[call-overload]

    real_is_file = Path.is_file

    def is_file(self: Path) -> bool:
        if self.parent.name == "locked":
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_file(self)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(Path, "is_file", is_file)
    monkeypatch.setattr(discover, "_git_files", lambda directory: None)
    result = lint_tree(tmp_path)
    assert not result.errors, result.errors
    found = of(result, "locked", "LL000")
    assert len(found) == 1 and "cannot list directory" in found[0].message, codes(result)
    assert_witness(result)


def _deep_tree(root: Path) -> Path:
    """A YAML file whose path is longer than PATH_MAX (created with relative steps)."""
    fd = os.open(root, os.O_RDONLY)
    depth = 0
    try:
        while depth * 201 < 4300:
            os.mkdir("d" * 200, dir_fd=fd)
            new = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new
            depth += 1
        flags = os.O_WRONLY | os.O_CREAT
        out = os.open("deep.yaml", flags, 0o644, dir_fd=fd)
        os.write(out, WITNESS.encode())
        os.close(out)
    finally:
        os.close(fd)
    return root.joinpath(*["d" * 200] * depth, "deep.yaml")


def test_path_longer_than_path_max(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discover, "_git_files", lambda directory: None)
    _deep_tree(tmp_path)
    result = lint_tree(tmp_path)
    assert not result.errors, result.errors
    assert_witness(result)
    ll000 = [f for f in result.findings if f.code == "LL000"]
    assert len(ll000) == 1 and ll000[0].path.startswith("d" * 200), codes(result)
    shutil.rmtree(tmp_path / ("d" * 200), ignore_errors=True)


def test_path_longer_than_path_max_cli(tmp_path: Path) -> None:
    """The CLI on the same tree: findings, exit 1, no internal error."""
    _deep_tree(tmp_path)
    write(tmp_path, {WITNESS_NAME: WITNESS})
    proc = run_cli("check", "--offline", ".", cwd=tmp_path, timeout=120)
    assert "internal error" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "witness.yaml:5:5: LL001" in proc.stdout
    assert "LL000" in proc.stdout
    assert proc.returncode == 1
    shutil.rmtree(tmp_path / ("d" * 200), ignore_errors=True)


# -- item 7: a submodule directory named like a file ------------------------------------------


def test_submodule_named_like_a_python_file_is_skipped(tmp_path: Path) -> None:
    sub = _repo(tmp_path / "upstream")
    _git(sub, "commit", "-q", "-m", "init")
    repo = _repo(tmp_path / "repo")
    _git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "discord.py")
    assert (repo / "discord.py").is_dir()
    listed = discover._git_files(repo)
    assert listed is not None and repo / "discord.py" in listed  # git lists the gitlink
    assert repo / "discord.py" not in list(discover.iter_files([repo]))
    proc = run_cli("check", "--offline", ".", cwd=repo, timeout=120)
    assert "discord.py" not in proc.stdout, proc.stdout
    assert "witness.yaml:5:5: LL001" in proc.stdout


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="running as root: chmod 000 does not deny root (the monkeypatched test covers it)",
)
def test_real_unreadable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discover, "_git_files", lambda directory: None)
    write(tmp_path, {"locked/inner.yaml": WITNESS})
    (tmp_path / "locked").chmod(0)
    try:
        result = lint_tree(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert not result.errors, result.errors
    assert [f.code for f in of(result, "locked")] == ["LL000"]
    assert_witness(result)
