"""The README's CI snippets, tried as a new user would (minus the network).

The GitHub Actions job, the GitLab CI job and the plain-CI commands are taken
from README.md and checked for what makes them work (permissions, the SARIF
file handed to ``upload-sarif`` is the one written, the same release as the
pre-commit snippet); then their ``lora-lint`` command lines are run with bash
in a fresh git repository holding a good and a bad config, with a
``lora-lint`` on PATH that runs this checkout (the install lines need GitHub
and are not run). The SARIF file they write is validated against the official
schema.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
REPO_URL = "https://github.com/lora-lint/lora-lint"

GOOD_YAML = (
    "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules:\n  - q_proj\n  - v_proj\n"
)
BAD_YAML = GOOD_YAML.replace("  - v_proj", "  - v_prj")


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n### {title}\n")
    end = min(i for i in (text.find("\n### ", start + 1), text.find("\n## ", start + 1)) if i > 0)
    return text[start:end]


def _blocks(title: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", _section(title), flags=re.DOTALL)


def _workflow() -> dict[str, Any]:
    (block,) = [b for b in _blocks("GitHub Actions", "yaml") if b.startswith("name:")]
    return yaml.safe_load(block)


def _precommit_rev() -> str:
    revs = {yaml.safe_load(b)["repos"][0]["rev"] for b in _blocks("pre-commit", "yaml")}
    (rev,) = revs
    return rev


def _install_spec() -> str:
    return f'"lora-lint[meta] @ git+{REPO_URL}@{_precommit_rev()}"'


def _lint_lines(commands: list[str]) -> list[str]:
    """The command lines that run lora-lint (install lines need the network)."""
    return [c for c in commands if c.strip().startswith("lora-lint ")]


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "repo"
    (repo / "configs").mkdir(parents=True)
    (repo / "configs" / "good.yaml").write_text(GOOD_YAML)
    (repo / "configs" / "bad.yaml").write_text(BAD_YAML)
    (repo / "README.md").write_text("# a training repo\n")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "lora-lint"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m lora_lint "$@"\n')
    shim.chmod(0o755)
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", PYTHONPATH=str(ROOT), NO_COLOR="1")
    return repo, env


def _bash(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-c", line],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_github_workflow_is_wired_for_code_scanning() -> None:
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert uses[0].startswith("actions/checkout@")
    assert any(u.startswith("actions/setup-python@") for u in uses)
    (upload,) = [s for s in steps if s.get("uses") == "github/codeql-action/upload-sarif@v3"]
    assert "cancelled()" in upload["if"] or "always()" in upload["if"]  # upload failing runs too
    (lint,) = [s for s in steps if "lora-lint check" in s.get("run", "")]
    assert lint["run"].strip() == f"lora-lint check --format sarif > {upload['with']['sarif_file']}"
    assert steps.index(lint) < steps.index(upload)
    (install,) = [s for s in steps if "pip install" in s.get("run", "")]
    assert _install_spec() in install["run"]  # the same release as the pre-commit snippet
    (cache,) = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == "~/.cache/lora-lint"  # platformdirs' user cache on Linux


@pytest.mark.torch
def test_github_workflow_commands_work(project: tuple[Path, dict[str, str]]) -> None:
    repo, env = project
    env["GITHUB_ACTIONS"] = "true"
    (lint,) = [
        s
        for s in _workflow()["jobs"]["lora-lint"]["steps"]
        if "lora-lint" in s.get("run", "") and "pip" not in s["run"]
    ]
    proc = _bash(lint["run"], repo, env)
    assert proc.returncode == 1, proc.stderr  # fails the job on the bad config...
    log = json.loads((repo / "lora-lint.sarif").read_text())  # ...and still writes the log
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_bytes()))
    assert not list(validator.iter_errors(log))
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "LL001"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "configs/bad.yaml", "uriBaseId": "%SRCROOT%"}
    # The documented alternative without code scanning: plain `lora-lint check` annotates.
    plain = _bash("lora-lint check", repo, env)
    assert plain.returncode == 1
    assert plain.stdout.startswith("::error file=configs/bad.yaml,line=5,col=5,")


def test_gitlab_job_is_complete() -> None:
    (block,) = _blocks("GitLab CI", "yaml")
    (job,) = yaml.safe_load(block).values()
    assert job["image"].startswith("python:")
    cache_dir = job["variables"]["LORA_LINT_CACHE_DIR"]
    assert cache_dir.startswith("$CI_PROJECT_DIR/")
    assert cache_dir.removeprefix("$CI_PROJECT_DIR/").rstrip("/") + "/" in job["cache"]["paths"]
    assert any(_install_spec() in line for line in job["script"])
    report, check = _lint_lines(job["script"])
    assert check == "lora-lint check"
    out = report.split("--output-file ", 1)[1].split()[0]
    assert "--format gitlab" in report and "--exit-zero" in report
    assert job["artifacts"]["reports"]["codequality"] == out
    assert job["artifacts"]["when"] == "always"


@pytest.mark.torch
def test_gitlab_and_plain_ci_commands_work(project: tuple[Path, dict[str, str]]) -> None:
    repo, env = project
    (gitlab,) = _blocks("GitLab CI", "yaml")
    (plain,) = _blocks("Any other CI", "bash")
    plain_lines = plain.splitlines()
    assert any(_install_spec() in line for line in plain_lines)
    gitlab_report, gitlab_check = _lint_lines(yaml.safe_load(gitlab)["lora-lint"]["script"])
    proc = _bash(gitlab_report, repo, env)
    assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    out = gitlab_report.split("--output-file ", 1)[1].split()[0]
    [issue] = json.loads((repo / out).read_text())
    assert issue["check_name"] == "LL001" and issue["location"]["path"] == "configs/bad.yaml"
    for line in [gitlab_check, *_lint_lines(plain_lines)]:
        proc = _bash(line, repo, env)
        assert proc.returncode == 1, (line, proc.stderr)
        assert "configs/bad.yaml:5:5: LL001 [error]" in proc.stdout
    # The report-only variant mentioned under the plain-CI block.
    match = re.search(r"`(--format json --exit-zero > [\w.-]+)`", _section("Any other CI"))
    assert match, "README no longer documents the report-only variant"
    report_only = f"lora-lint check {match.group(1)}"
    proc = _bash(report_only, repo, env)
    assert proc.returncode == 0, proc.stderr
    out = report_only.rsplit("> ", 1)[1]
    assert json.loads((repo / out).read_text())["findings"][0]["code"] == "LL001"
