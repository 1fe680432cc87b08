"""Run ``lora-lint check`` in-process inside a temporary project for the fix tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lora_lint.cli import main
from lora_lint.edits import source

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory, made the working directory (paths print relative)."""
    monkeypatch.chdir(tmp_path)
    source.forget()
    return tmp_path


@pytest.fixture
def run(project: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``run("--fix", "a.py")`` -> (exit code, stdout, stderr) of ``lora-lint check --offline``."""

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(["check", "--offline", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def write(root: Path, name: str, text: str) -> Path:
    """Write ``text`` byte for byte (no newline translation)."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")
