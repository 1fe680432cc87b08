"""``--format json-lines``: one JSON object per finding, same keys as ``--format json``."""

from __future__ import annotations

import io
import json

from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.results import RunResult
from lora_lint.report import write_report

KEYS = [
    "code",
    "name",
    "severity",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "message",
    "target",
    "suggestion",
    "model",
]


def _result() -> RunResult:
    return RunResult(
        findings=[
            Finding(
                "LL001",
                "unknown-target-module",
                Severity.ERROR,
                "a.yaml",
                Span(4, 5, 4, 11),
                "'v_prj' matches no module\nof m",
                target="v_prj",
                suggestion=("v_proj",),
                model="m",
                help="not in the output",
            ),
            Finding(
                "LL010",
                "unresolved-model",
                Severity.WARNING,
                "é.py",
                Span(1, 1, 1, 1),
                "no base model",
            ),
        ]
    )


def test_one_object_per_line_with_the_json_keys() -> None:
    out = io.StringIO()
    write_report(_result(), "json-lines", out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert list(first) == KEYS and list(second) == KEYS
    assert first["suggestion"] == ["v_proj"] and first["end_column"] == 11
    assert first["message"] == "'v_prj' matches no module\nof m"
    assert second["path"] == "é.py" and second["target"] is None


def test_same_objects_as_json_format() -> None:
    lines, doc = io.StringIO(), io.StringIO()
    write_report(_result(), "json-lines", lines)
    write_report(_result(), "json", doc)
    assert [json.loads(x) for x in lines.getvalue().splitlines()] == json.loads(doc.getvalue())[
        "findings"
    ]


def test_no_findings_prints_nothing() -> None:
    out = io.StringIO()
    write_report(RunResult(files_checked=3), "json-lines", out, quiet=False)
    assert out.getvalue() == ""
