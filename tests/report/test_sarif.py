"""``--format sarif``: validated against the official OASIS SARIF 2.1.0 JSON schema.

``tests/data/sarif-schema-2.1.0.json`` is the OASIS SARIF TC's schema
(``oasis-tcs/sarif-spec``, ``Schemata/sarif-schema-2.1.0.json``, the draft-07
revision; the same content GitHub's ``codeql-action`` vendors to validate
uploads, which later only changed its ``$schema`` header). It was taken byte
for byte from the ``sarif-pydantic`` 0.6.2 sdist on PyPI, which ships it
unmodified (sha256 6352a05f9d03f181b8d9c71a46bdacc4fcff9d8ade5364858b425ba0c0994ed7).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.results import RunResult
from lora_lint.report import write_report
from lora_lint.report.sarif import FINGERPRINT_KEY, SRCROOT, sarif_log
from lora_lint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "6352a05f9d03f181b8d9c71a46bdacc4fcff9d8ade5364858b425ba0c0994ed7"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_bytes())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _validate(validator: jsonschema.Draft7Validator, log: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def finding(**kw: Any) -> Finding:
    base: dict[str, Any] = {
        "code": "LL001",
        "name": "unknown-target-module",
        "severity": Severity.ERROR,
        "path": "configs/train.yaml",
        "span": Span(4, 7, 4, 13),
        "message": "'v_porj' matches no module of m (LlamaForCausalLM); did you mean 'v_proj'?",
        "target": "v_porj",
        "suggestion": ("v_proj",),
        "model": "m",
        "help": "PEFT silently skips it",
    }
    base.update(kw)
    return Finding(**base)


def sample_result() -> RunResult:
    return RunResult(
        findings=[
            finding(),
            finding(
                code="LL010",
                name="unresolved-model",
                severity=Severity.WARNING,
                path="train.py",
                span=Span(3, 10, 5, 2),
                message="no base model found\nfor this config",
                target=None,
                suggestion=(),
                help=None,
            ),
            finding(
                code="LL011",
                name="unresolved-value",
                severity=Severity.INFO,
                path="dir with space/n%tebook.py",
                span=Span.point(2, 1),
                location_hint="cell 3",
            ),
        ],
        errors=["x.py: internal error: boom (this is a lora-lint bug)"],
        files_checked=3,
    )


def test_shipped_schema_is_the_official_file() -> None:
    data = SCHEMA_PATH.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256
    schema = json.loads(data)
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_sample_log_validates(validator: jsonschema.Draft7Validator, tmp_path: Path) -> None:
    log = sarif_log(sample_result(), root=tmp_path)
    _validate(validator, log)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert len(log["runs"]) == 1


def test_empty_run_validates(validator: jsonschema.Draft7Validator, tmp_path: Path) -> None:
    log = sarif_log(RunResult(), root=tmp_path)
    _validate(validator, log)
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_driver_lists_every_rule_with_help(tmp_path: Path) -> None:
    driver = sarif_log(RunResult(), root=tmp_path)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "lora-lint" and driver["version"]
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == [r.code for r in ALL_RULES]
    for descriptor, rule in zip(driver["rules"], ALL_RULES, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"]
        assert "### Bad" in descriptor["help"]["markdown"]
        assert "Fix safety:" in descriptor["help"]["text"]
        level = {"error": "error", "warning": "warning", "info": "note"}[rule.severity.value]
        assert descriptor["defaultConfiguration"]["level"] == level


def test_results_reference_rules_and_locations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # finding paths are relative to the working directory
    run = sarif_log(sample_result(), root=tmp_path)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    first, second, third = run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert [r["level"] for r in run["results"]] == ["error", "warning", "note"]
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "configs/train.yaml", "uriBaseId": SRCROOT}
    assert loc["region"] == {"startLine": 4, "startColumn": 7, "endLine": 4, "endColumn": 13}
    assert "did you mean 'v_proj'" in first["message"]["text"]
    assert "PEFT silently skips it" in first["message"]["text"]
    assert first["properties"]["suggestions"] == ["v_proj"]
    assert second["locations"][0]["physicalLocation"]["region"]["endLine"] == 5
    # Relative, POSIX, percent-encoded.
    assert third["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "dir%20with%20space/n%25tebook.py"
    )
    assert "cell 3" in third["message"]["text"]
    base = run["originalUriBaseIds"][SRCROOT]["uri"]
    assert base.startswith("file://") and base.endswith("/")
    assert run["invocations"][0]["executionSuccessful"] is False
    assert "boom" in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]


def test_paths_outside_the_root_become_absolute_uris(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "cfg.yaml"
    result = RunResult(findings=[finding(path=str(outside))])
    run = sarif_log(result, root=tmp_path / "project")["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.as_uri()}


def test_fingerprints_ignore_positions_and_count_repeats(tmp_path: Path) -> None:
    def fingerprints(*findings: Finding) -> list[str]:
        run = sarif_log(RunResult(findings=list(findings)), root=tmp_path)["runs"][0]
        return [r["partialFingerprints"][FINGERPRINT_KEY] for r in run["results"]]

    (a,) = fingerprints(finding())
    (moved,) = fingerprints(finding(span=Span(40, 3, 40, 9)))
    assert a == moved  # a line inserted above does not turn it into a new alert
    (line_in_message,) = fingerprints(finding(message="defined on line 12; x"))
    (other_line,) = fingerprints(finding(message="defined on line 99; x"))
    assert line_in_message == other_line
    (other_target,) = fingerprints(finding(target="k_porj"))
    (other_file,) = fingerprints(finding(path="other.yaml"))
    assert len({a, other_target, other_file}) == 3
    first, second = fingerprints(finding(), finding(span=Span(9, 7, 9, 13)))
    assert first != second and first.endswith(":1") and second.endswith(":2")


def test_write_report_dispatches_sarif(tmp_path: Path) -> None:
    out = io.StringIO()
    write_report(sample_result(), "sarif", out, root=tmp_path)
    assert json.loads(out.getvalue())["runs"][0]["results"][0]["ruleId"] == "LL001"


def _lint_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "lora_lint", "check", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_cli_sarif_without_models_validates(
    validator: jsonschema.Draft7Validator, tmp_path: Path
) -> None:
    """LL000 (unparsable YAML) needs no model: a fast end-to-end check of the CLI path."""
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "bad.yaml").write_text(
        "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules: [q_proj, v_proj\n"
    )
    proc = _lint_cli("configs", "--offline", "--format", "sarif", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    _validate(validator, log)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "LL000"
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "configs/bad.yaml"


@pytest.mark.torch
def test_cli_sarif_on_the_examples_validates(validator: jsonschema.Draft7Validator) -> None:
    """The shipped examples (real models, cold or warm cache) produce a valid log."""
    proc = _lint_cli(
        "examples/axolotl", "examples/adapter", "--offline", "--format", "sarif", cwd=ROOT
    )
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    _validate(validator, log)
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"LL001"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "examples/axolotl/falcon-7b-qlora.yaml" in uris
    assert all(not u.startswith("/") and "\\" not in u for u in uris)
