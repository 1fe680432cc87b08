"""How lora-lint is started decides whether the linted repository can inject code.

``python -m lora_lint`` resolves the module ``lora_lint`` from the working directory first,
before any of lora-lint's code runs: from a repository that has its own ``lora_lint.py`` or
``lora_lint/`` package, *that* code runs (the positive control below shows it). The
``lora-lint`` console script has its own directory first on ``sys.path``, not the working
directory, so it never imports the repository's modules. The shipped hooks and the
README's CI snippets use the console script, and the README promises nothing more.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.robustness.helpers import ROOT, WITNESS, WITNESS_NAME, write

README = ROOT / "README.md"
HOOKS = ROOT / ".pre-commit-hooks.yaml"

#: What pip writes for ``[project.scripts] lora-lint = "lora_lint.cli:main"``.
CONSOLE_SCRIPT = """\
import re
import sys
from lora_lint.cli import main
if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
    sys.exit(main())
"""


def _plant(repo: Path, sentinel: Path, layout: str) -> None:
    plant = f"import pathlib\npathlib.Path({str(sentinel)!r}).write_text('repo code ran')\n"
    files = {WITNESS_NAME: WITNESS, "yaml.py": plant}
    if layout == "module":
        files["lora_lint.py"] = plant
    else:
        files["lora_lint/__init__.py"] = plant
        files["lora_lint/__main__.py"] = plant
        files["lora_lint/cli.py"] = plant + "def main():\n    return 0\n"
    write(repo, files)


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return env


def test_console_script_matches_pyproject() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^lora-lint = "lora_lint\.cli:main"$', text, re.MULTILINE)


@pytest.mark.parametrize("layout", ["module", "package"])
def test_console_script_never_imports_the_repos_lora_lint(tmp_path: Path, layout: str) -> None:
    repo, sentinel = tmp_path / "repo", tmp_path / "SENTINEL"
    _plant(repo, sentinel, layout)
    script = tmp_path / "bin" / "lora-lint"
    script.parent.mkdir()
    script.write_text(CONSOLE_SCRIPT)
    proc = subprocess.run(
        [sys.executable, str(script), "check", "--offline", "."],
        cwd=repo,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert not sentinel.exists(), "the linted repository's code ran"
    assert "witness.yaml:5:5: LL001" in proc.stdout, proc.stdout + proc.stderr


def test_python_dash_m_does_import_it_positive_control(tmp_path: Path) -> None:
    """Why the README says to use ``lora-lint``: ``python -m`` cannot be made safe."""
    repo, sentinel = tmp_path / "repo", tmp_path / "SENTINEL"
    _plant(repo, sentinel, "module")
    subprocess.run(
        [sys.executable, "-m", "lora_lint", "check", "--offline", "."],
        cwd=repo,
        env=_env(),
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert sentinel.exists()


def test_hooks_run_the_console_script() -> None:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hooks
    for hook in hooks:
        assert hook["entry"].split()[0] == "lora-lint", hook


def _code_blocks(text: str) -> list[str]:
    return re.findall(r"^```[^\n]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def test_readme_snippets_run_the_console_script() -> None:
    text = README.read_text(encoding="utf-8")
    commands = [
        line
        for block in _code_blocks(text)
        for line in block.splitlines()
        if re.search(r"\blora[-_]lint (check|inspect)\b", line)
    ]
    assert commands
    for line in commands:
        assert "python -m lora_lint " not in line and "python3 -m lora_lint " not in line, line


def test_readme_does_not_promise_python_dash_m_is_safe() -> None:
    guarantees = (ROOT / "docs" / "guarantees.md").read_text(encoding="utf-8")
    assert "even under `python -m lora_lint`" not in guarantees
    assert "use the `lora-lint` command" in guarantees
