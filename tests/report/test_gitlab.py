"""``--format gitlab``: GitLab Code Quality issues with exactly the documented fields."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.results import RunResult
from lora_lint.report import write_report
from lora_lint.report.gitlab import gitlab_report

#: The fields GitLab documents for a Code Quality report issue (docs.gitlab.com,
#: "Code Quality report format"): all required, nothing else needed.
ISSUE_KEYS = {"description", "check_name", "fingerprint", "severity", "location"}
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def finding(**kw: Any) -> Finding:
    base: dict[str, Any] = {
        "code": "LL001",
        "name": "unknown-target-module",
        "severity": Severity.ERROR,
        "path": "configs/train.yaml",
        "span": Span(4, 7, 4, 13),
        "message": "'v_porj' matches no module; did you mean 'v_proj'?",
        "target": "v_porj",
    }
    base.update(kw)
    return Finding(**base)


def test_documented_field_set(tmp_path: Path) -> None:
    result = RunResult(findings=[finding()])
    stream = io.StringIO()
    write_report(result, "gitlab", stream, root=tmp_path)
    [issue] = json.loads(stream.getvalue())
    assert set(issue) == ISSUE_KEYS
    assert issue["check_name"] == "LL001" and issue["severity"] in SEVERITIES
    assert issue["description"].startswith("LL001 'v_porj' matches no module")
    assert set(issue["location"]) == {"path", "lines"}
    assert issue["location"]["lines"] == {"begin": 4}
    assert isinstance(issue["fingerprint"], str) and len(issue["fingerprint"]) == 32


def test_severity_mapping() -> None:
    issues = gitlab_report(
        RunResult(findings=[finding(severity=s) for s in Severity]), root=Path.cwd()
    )
    assert [i["severity"] for i in issues] == ["major", "minor", "info"]


def test_empty_run_is_an_empty_array() -> None:
    stream = io.StringIO()
    write_report(RunResult(), "gitlab", stream)
    assert json.loads(stream.getvalue()) == []


def test_fingerprints_are_stable_unique_and_position_free(tmp_path: Path) -> None:
    one = gitlab_report(RunResult(findings=[finding()]), root=tmp_path)
    moved = gitlab_report(RunResult(findings=[finding(span=Span(9, 7, 9, 13))]), root=tmp_path)
    assert one[0]["fingerprint"] == moved[0]["fingerprint"]  # lines moved: same issue
    twice = gitlab_report(
        RunResult(findings=[finding(), finding(span=Span(6, 7, 6, 13))]), root=tmp_path
    )
    assert len({i["fingerprint"] for i in twice}) == 2  # two occurrences: two issues
    other = gitlab_report(RunResult(findings=[finding(target="k_porj")]), root=tmp_path)
    assert other[0]["fingerprint"] != one[0]["fingerprint"]


def test_paths_are_relative_to_the_project_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    monkeypatch.setenv("CI_PROJECT_DIR", str(tmp_path))
    absolute = str(tmp_path / "sub" / "a.yaml")
    [issue] = gitlab_report(RunResult(findings=[finding(path=absolute)]))
    assert issue["location"]["path"] == "sub/a.yaml"
