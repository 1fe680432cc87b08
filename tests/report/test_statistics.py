"""``--statistics``: counts per rule, in text and JSON."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.results import RunResult
from lora_lint.report import write_report
from lora_lint.report.statistics import format_statistics, rule_counts

ROOT = Path(__file__).resolve().parents[2]


def _f(code: str, name: str, severity: Severity, line: int) -> Finding:
    return Finding(code, name, severity, "a.yaml", Span(line, 1, line, 2), f"m{line}")


def _result() -> RunResult:
    return RunResult(
        findings=[
            _f("LL010", "unresolved-model", Severity.WARNING, 1),
            _f("LL001", "unknown-target-module", Severity.ERROR, 2),
            _f("LL001", "unknown-target-module", Severity.ERROR, 3),
            _f("LL011", "unresolved-value", Severity.WARNING, 4),
        ],
        files_checked=1,
    )


def test_counts_most_frequent_first_then_by_code() -> None:
    rows = [(r.code, r.count) for r in rule_counts(_result())]
    assert rows == [("LL001", 2), ("LL010", 1), ("LL011", 1)]


def test_text_table() -> None:
    assert format_statistics(_result()).splitlines() == [
        "2  LL001  unknown-target-module  [error]",
        "1  LL010  unresolved-model       [warning]",
        "1  LL011  unresolved-value       [warning]",
    ]
    assert format_statistics(RunResult()) == ""


def test_statistics_replace_findings_in_text_and_json() -> None:
    text = io.StringIO()
    write_report(_result(), "text", text, statistics=True)
    assert "m2" not in text.getvalue()  # no individual findings
    assert text.getvalue().splitlines()[-1].startswith("Found 2 errors, 2 warnings")
    doc = io.StringIO()
    write_report(_result(), "json", doc, statistics=True)
    assert json.loads(doc.getvalue())["rules"][0] == {
        "code": "LL001",
        "name": "unknown-target-module",
        "severity": "error",
        "count": 2,
    }
    lines = io.StringIO()
    write_report(_result(), "json-lines", lines, statistics=True)
    rows = [json.loads(x) for x in lines.getvalue().splitlines()]
    assert [x["code"] for x in rows if x["kind"] == "rule"] == [
        "LL001",
        "LL010",
        "LL011",
    ]


def test_sarif_and_github_keep_their_document_and_count_on_the_side() -> None:
    for fmt in ("sarif", "github"):
        out, side = io.StringIO(), io.StringIO()
        write_report(_result(), fmt, out, statistics=True, stats_stream=side)
        assert "LL001" in out.getvalue()
        assert side.getvalue().startswith("2  LL001  unknown-target-module")


def test_cli_statistics(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("adapter: lora\nlora_target_modules: [q_proj\n")
    (tmp_path / "b.yaml").write_text("adapter: lora\nlora_target_modules: [v_proj\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "lora_lint", "check", ".", "--offline", "--statistics"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[0] == "2  LL000  unreadable-input  [error]"


@pytest.mark.torch
def test_statistics_show_what_each_config_trains(tmp_path: Path) -> None:
    """Issue 6: --statistics and JSON configs carry matched modules and trainable params."""
    (tmp_path / "train.py").write_text(
        "from peft import LoraConfig, get_peft_model\n"
        "from transformers import AutoModelForCausalLM\n"
        'model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B")\n'
        'config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"])\n'
        "model = get_peft_model(model, config)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)
    run = [sys.executable, "-m", "lora_lint", "check", ".", "--offline"]
    text = subprocess.run(
        [*run, "--statistics"], cwd=tmp_path, env=env, capture_output=True, text=True,
        check=False, timeout=300,
    )
    assert "train.py:4  meta-llama/Llama-3.1-8B  64 modules, trainable 3,407,872 (0.0424%)" in text.stdout
    doc = subprocess.run(
        [*run, "--format", "json"], cwd=tmp_path, env=env, capture_output=True, text=True,
        check=False, timeout=300,
    )
    (config,) = json.loads(doc.stdout)["configs"]
    assert config["matched_modules"] == 64
    assert config["trainable_params"] == 3_407_872
    assert config["trainable_percent"] == pytest.approx(0.0424, abs=1e-4)
