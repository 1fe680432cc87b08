"""Configs that could not be checked: said once, usefully, and fatal on demand."""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.cli import main
from lora_lint.report.text import coverage_line
from tests.lint_helpers import lint_files

pytestmark = pytest.mark.torch

UNKNOWN = (
    "from peft import LoraConfig, get_peft_model\n"
    "from transformers import AutoModelForCausalLM\n\n"
    'model = AutoModelForCausalLM.from_pretrained("some-org/not-bundled-7b")\n'
    "model = get_peft_model(model, LoraConfig(target_modules={targets}))\n"
)
KNOWN = UNKNOWN.replace("some-org/not-bundled-7b", "Qwen/Qwen2.5-0.5B")


def test_unresolvable_model_is_reported_once(tmp_path: Path) -> None:
    result = lint_files(tmp_path, {"a.py": UNKNOWN.format(targets='["q_proj", "v_prj"]')})
    assert [f.code for f in result.findings] == ["LL010"]
    (summary,) = result.configs
    assert not summary.checked and summary.not_checked


@pytest.mark.parametrize("targets", ['"all-linear"', "None"])
def test_nothing_name_specific_gets_no_ll010(tmp_path: Path, targets: str) -> None:
    result = lint_files(tmp_path, {"a.py": UNKNOWN.format(targets=targets)})
    assert [f.code for f in result.findings] == []


def test_unchecked_error_fails_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.py").write_text(UNKNOWN.format(targets='["q_proj"]'))
    monkeypatch.chdir(tmp_path)
    assert main(["check", "a.py", "--offline", "-q"]) == 0
    assert main(["check", "a.py", "--offline", "-q", "--unchecked=error"]) == 1
    (tmp_path / "pyproject.toml").write_text('[tool.lora-lint]\nunchecked = "error"\n')
    assert main(["check", "a.py", "--offline", "-q"]) == 1


def test_bad_unchecked_setting_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.lora-lint]\nunchecked = "fatal"\n')
    (tmp_path / "a.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "a.py", "--offline"]) == 2
    assert "unchecked" in capsys.readouterr().err


def test_coverage_line_names_the_missing_models(tmp_path: Path) -> None:
    result = lint_files(
        tmp_path,
        {
            "a.py": UNKNOWN.format(targets='["q_proj"]'),
            "b.py": UNKNOWN.format(targets='["v_proj"]'),
            "c.py": KNOWN.format(targets='["q_proj"]'),
        },
    )
    line = coverage_line(result)
    assert line is not None
    assert line.startswith("1 of 3 LoRA configs checked; 2 need models")
    assert "some-org/not-bundled-7b (2)" in line


def test_no_coverage_line_when_everything_was_checked(tmp_path: Path) -> None:
    result = lint_files(tmp_path, {"c.py": KNOWN.format(targets='["q_proj"]')})
    assert coverage_line(result) is None


@pytest.mark.parametrize("name", ["${BASE_MODEL}", "$MODEL_DIR/base", "{{ model_id }}"])
def test_a_placeholder_model_is_an_info_that_names_the_placeholder(
    tmp_path: Path, name: str
) -> None:
    code = UNKNOWN.format(targets='["q_proj"]').replace("some-org/not-bundled-7b", name)
    result = lint_files(tmp_path, {"a.py": code})
    (finding,) = result.findings
    assert (finding.code, finding.severity.value) == ("LL010", "info")
    assert name in finding.message
    assert (finding.span.line, finding.span.column) == (4, 46)


def test_a_real_path_or_id_is_not_taken_for_a_placeholder() -> None:
    from lora_lint.rules.ll010_unresolved_model import is_placeholder

    assert not is_placeholder("some-org/not-bundled-7b")
    assert not is_placeholder("./checkpoints/run-1")
    assert is_placeholder("${BASE_MODEL_CONFIG}")
