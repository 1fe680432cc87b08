"""The command-line contract: exit codes, JSON schema, file discovery, usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lora_lint.cli import main

GOOD = "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules: [q_proj, v_proj]\n"
BAD = "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules: [q_proj, v_prj]\n"

FINDING_KEYS = {
    "code", "name", "severity", "path", "line", "column", "end_line", "end_column",
    "message", "target", "suggestion", "model",
}


def _cli(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.torch
def test_exit_codes_and_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    code, out, _ = _cli(["check", "--offline", "good.yaml"], tmp_path, monkeypatch, capsys)
    assert code == 0 and "All checks passed" in out
    (tmp_path / "bad.yaml").write_text(BAD)
    code, out, _ = _cli(["check", "--offline"], tmp_path, monkeypatch, capsys)
    assert code == 1
    assert "bad.yaml:3:31: LL001 [error] 'v_prj' matches no module" in out
    assert "help:" in out and "Found 1 error" in out
    code, _, _ = _cli(["check", "--offline", "--exit-zero"], tmp_path, monkeypatch, capsys)
    assert code == 0


@pytest.mark.torch
def test_json_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    code, out, _ = _cli(["check", "--offline", "--format", "json"], tmp_path, monkeypatch, capsys)
    assert code == 1
    doc = json.loads(out)
    assert set(doc) == {"version", "findings", "configs", "errors", "libraries"} and doc["version"] == 1
    (finding,) = doc["findings"]
    assert set(finding) == FINDING_KEYS
    assert finding["code"] == "LL001" and finding["name"] == "unknown-target-module"
    assert (finding["line"], finding["column"], finding["end_column"]) == (3, 31, 36)
    assert finding["suggestion"] == ["v_proj"] and finding["target"] == "v_prj"
    assert finding["model"] == "Qwen/Qwen2.5-0.5B" and finding["path"] == "bad.yaml"
    (config,) = doc["configs"]
    assert config["model"] == "Qwen/Qwen2.5-0.5B" and config["matched_modules"] == 24


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["check", "--no-such-option"], "unrecognized arguments"),
        (["check", "does-not-exist.py"], "no such file or directory"),
        (["check", "--format", "xml"], "invalid choice"),
        (["rule", "LL999"], "unknown rule"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path: Path, args: list[str], needle: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lora_lint", *args], cwd=tmp_path, capture_output=True, text=True,
        check=False,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert "Traceback" not in proc.stderr


def test_bad_project_config_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.lora-lint]\nselekt = ["LL001"]\n')
    code, _, err = _cli(["check", "."], tmp_path, monkeypatch, capsys)
    assert code == 2 and "pyproject.toml" in err and "selekt" in err


@pytest.mark.torch
def test_discovery_skips_venv_node_modules_and_gitignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    for rel in ("node_modules/x/cfg.yaml", ".venv/lib/cfg.yaml", "build/cfg.yaml",
                "ignored/cfg.yaml", "env/cfg.yaml", "src/cfg.yaml"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(BAD)
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("ignored/\n")
    code, out, _ = _cli(["check", "--offline", "--format", "json"], tmp_path, monkeypatch, capsys)
    paths = {f["path"] for f in json.loads(out)["findings"]}
    assert paths == {str(Path("src/cfg.yaml"))}
    assert code == 1


def test_rule_docs_command(capsys) -> None:
    assert main(["rule", "LL001"]) == 0
    out = capsys.readouterr().out
    assert "unknown-target-module" in out and "## What it does" in out
    assert main(["rule", "unknown-target-module"]) == 0
