"""The package stays ruff-clean (lint and format) and mypy-clean, as the style guide requires."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
        check=False,
    )


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is part of the test extras")
def test_ruff_lint_and_format() -> None:
    lint = _run("ruff", "check", "lora_lint")
    assert lint.returncode == 0, lint.stdout[-3000:]
    fmt = _run("ruff", "format", "--check", "lora_lint")
    assert fmt.returncode == 0, fmt.stdout[-3000:]


def test_mypy() -> None:
    result = _run("mypy", "lora_lint")
    assert result.returncode == 0, result.stdout[-3000:]
