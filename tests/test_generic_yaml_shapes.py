"""Hand-written YAML that no modelled tool reads: sweeps and schemas are not LoraConfig kwargs.

The generic reader takes any mapping with ``target_modules`` as what a script may pass to
``LoraConfig(**d)``. Two shapes seen in public repositories are something else: an
ablation/sweep file (``r: [16, 32, 64]``, one run per value) and a schema or UI
description of the fields (``target_modules: {ui_display_name: ...}``). Neither proves a
PEFT error; the targets of a sweep are still checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.extract.yaml import extract_yaml
from tests.lint_helpers import lint_files

pytestmark = pytest.mark.torch

MODEL = "model:\n  model_name_or_path: Qwen/Qwen2.5-0.5B\n"


def _codes(result) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return sorted((f.code, f.span.line) for f in result.findings)


def test_sweep_values_are_not_ll008_but_targets_are_checked(tmp_path: Path) -> None:
    text = MODEL + (
        "lora:\n"
        "  r: [16, 32, 64]\n"
        "  lora_dropout: [0.1, 0.25]\n"
        "  use_dora: [true, false]\n"
        "  target_modules: [q_proj, v_prj]\n"
    )
    result = lint_files(tmp_path, {"sweep.yaml": text})
    assert not result.errors
    assert _codes(result) == [("LL001", 7)]


def test_scalar_mistakes_in_generic_yaml_are_still_ll008(tmp_path: Path) -> None:
    text = MODEL + "lora:\n  r: 0\n  lora_dropout: 1.5\n  target_modules: [q_proj]\n"
    result = lint_files(tmp_path, {"train.yaml": text})
    assert _codes(result) == [("LL008", 4), ("LL008", 5)]


def test_a_modelled_tool_still_gets_ll008_for_a_list_rank(tmp_path: Path) -> None:
    text = "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_r: [8, 16]\n"
    text += "lora_target_modules: [q_proj]\n"
    result = lint_files(tmp_path, {"ax.yaml": text})
    assert _codes(result) == [("LL008", 3)]


def test_schema_of_the_fields_is_no_config() -> None:
    text = (
        "lora:\n"
        "  r:\n    ui_display_name: R\n    expected_impact: 3\n"
        "  target_modules:\n    ui_display_name: Target Modules\n"
        "  use_rslora:\n    ui_display_name: Enable RSLora\n"
    )
    result = extract_yaml(text, "metadata.yaml")
    assert result.configs == [] and result.findings == []


@pytest.mark.parametrize("targets", ['"q_proj,v_proj"', "q_proj"])
def test_names_as_one_string_are_not_proven_wrong(tmp_path: Path, targets: str) -> None:
    """A script may split the string or wrap it in a list (working names) or pass it on
    (a regex that matches nothing): which one runs is unknown without a tool model."""
    text = MODEL + f"lora:\n  r: 8\n  target_modules: {targets}\n"
    result = lint_files(tmp_path, {"train.yaml": text})
    assert not result.errors
    assert _codes(result) == []


def test_a_regex_that_no_reading_matches_is_still_ll003(tmp_path: Path) -> None:
    text = MODEL + 'lora:\n  r: 8\n  target_modules: ".*\\\\.(q|v)_prj"\n'
    result = lint_files(tmp_path, {"train.yaml": text})
    assert _codes(result) == [("LL003", 5)]


def test_names_as_one_string_in_python_are_still_ll003(tmp_path: Path) -> None:
    source = (
        "from peft import LoraConfig, get_peft_model\n"
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
        'model = get_peft_model(model, LoraConfig(target_modules="q_proj,v_proj"))\n'
    )
    result = lint_files(tmp_path, {"train.py": source})
    assert _codes(result) == [("LL003", 5)]
