"""``--format github``: workflow-command annotations, their escaping, and auto-selection."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.results import RunResult
from lora_lint.report import default_format, write_report
from lora_lint.report.github import escape_data, escape_property, format_annotation

ROOT = Path(__file__).resolve().parents[2]


def finding(**kw: Any) -> Finding:
    base: dict[str, Any] = {
        "code": "LL001",
        "name": "unknown-target-module",
        "severity": Severity.ERROR,
        "path": "configs/train.yaml",
        "span": Span(4, 7, 4, 13),
        "message": "'v_porj' matches no module; did you mean 'v_proj'?",
    }
    base.update(kw)
    return Finding(**base)


def test_error_annotation_exact() -> None:
    assert format_annotation(finding()) == (
        "::error file=configs/train.yaml,line=4,col=7,endLine=4,endColumn=13,"
        "title=lora-lint (LL001)::'v_porj' matches no module; did you mean 'v_proj'?"
    )


@pytest.mark.parametrize(
    ("severity", "command"),
    [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice")],
)
def test_severity_maps_to_command(severity: Severity, command: str) -> None:
    assert format_annotation(finding(severity=severity)).startswith(f"::{command} file=")


def test_multiline_span_omits_columns() -> None:
    line = format_annotation(finding(span=Span(3, 10, 5, 2)))
    assert "file=configs/train.yaml,line=3,endLine=5,title=" in line
    assert "col=" not in line and "endColumn=" not in line


def test_message_escaping_keeps_one_line() -> None:
    line = format_annotation(finding(message="50% of\r\nthe targets", help="use 'q_proj'"))
    assert "\n" not in line and "\r" not in line
    assert line.endswith("::50%25 of%0D%0Athe targets%0Ahelp: use 'q_proj'")


def test_property_escaping() -> None:
    assert escape_data("a%b\nc:d,e") == "a%25b%0Ac:d,e"  # ':' and ',' are fine in the message
    assert escape_property("a%b\nc:d,e") == "a%25b%0Ac%3Ad%2Ce"
    line = format_annotation(finding(path="we,ird:dir/x.yaml"))
    assert "file=we%2Cird%3Adir/x.yaml,line=4" in line
    assert "title=lora-lint (LL001)::" in line


def test_windows_paths_use_forward_slashes() -> None:
    assert "file=configs/train.yaml," in format_annotation(finding(path="configs\\train.yaml"))


def test_location_hint_is_in_the_message() -> None:
    assert format_annotation(finding(location_hint="cell 3")).endswith("'v_proj'? (cell 3)")


def test_write_report_github_with_summary_and_quiet() -> None:
    result = RunResult(findings=[finding()], files_checked=1)
    out = io.StringIO()
    write_report(result, "github", out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("::error ") and lines[-1].startswith("Found 1 error")
    quiet = io.StringIO()
    write_report(result, "github", quiet, quiet=True)
    assert quiet.getvalue().splitlines() == lines[:1]


def test_default_format_follows_github_actions() -> None:
    assert default_format({"GITHUB_ACTIONS": "true"}) == "github"
    assert default_format({"GITHUB_ACTIONS": "false"}) == "text"
    assert default_format({}) == "text"


def _cli(tmp_path: Path, *args: str, github: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)
    if github:
        env["GITHUB_ACTIONS"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "lora_lint", "check", "bad.yaml", "--offline", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_cli_picks_github_inside_actions_unless_told_otherwise(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("adapter: lora\nlora_target_modules: [q_proj\n")
    auto = _cli(tmp_path, github=True)
    assert auto.returncode == 1
    assert auto.stdout.startswith("::error file=bad.yaml,line=")
    assert "title=lora-lint (LL000)::" in auto.stdout
    explicit = _cli(tmp_path, "--format", "text", github=True)
    assert explicit.stdout.startswith("bad.yaml:")
    outside = _cli(tmp_path, github=False)
    assert outside.stdout.startswith("bad.yaml:")
    zero = _cli(tmp_path, "--exit-zero", github=True)
    assert zero.returncode == 0 and zero.stdout.startswith("::error ")
