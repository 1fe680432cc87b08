"""Shared by the robustness tests: a witness file, in-process and CLI runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lora_lint.diagnostics import Finding
from lora_lint.engine import Linter
from lora_lint.results import RunResult
from lora_lint.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

#: A good file with one known finding: whatever else is in the run, it must still be reported.
WITNESS_NAME = "witness.yaml"
WITNESS = """\
base_model: Qwen/Qwen2.5-0.5B
adapter: lora
lora_target_modules:
  - q_proj
  - v_prj
"""
WITNESS_FINDING = ("LL001", 5, 5)
WITNESS_LINE = "witness.yaml:5:5: LL001 [error] 'v_prj' matches no module of"


def write(root: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Write ``files`` exactly (bytes as given, text as UTF-8 without newline translation)."""
    paths = []
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        paths.append(path)
    return paths


def lint(
    root: Path, files: dict[str, str | bytes], *, witness: bool = True, **settings: object
) -> RunResult:
    """Lint ``files`` (plus the witness) in-process, as ``lora-lint check FILES`` would."""
    if witness:
        files = {**files, WITNESS_NAME: WITNESS}
    paths = write(root, files)
    config = Settings(project_root=root, offline=True)
    for key, value in settings.items():
        setattr(config, key, value)
    return Linter(config).run(paths)


def codes(result: RunResult, path: str | None = None) -> list[tuple[str, int, int]]:
    return [
        (f.code, f.span.line, f.span.column)
        for f in result.findings
        if path is None or f.path == path
    ]


def of(result: RunResult, path: str, code: str | None = None) -> list[Finding]:
    return [f for f in result.findings if f.path == path and (code is None or f.code == code)]


def assert_witness(result: RunResult) -> None:
    assert WITNESS_FINDING in codes(result, WITNESS_NAME), codes(result)


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``lora-lint ARGS`` in a fresh interpreter running this checkout."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "lora_lint", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
