"""Values PEFT refuses, or that used to pass silently, get a finding (issue [6 of 6])."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint_helpers import lint_files

pytestmark = pytest.mark.torch

HEAD = (
    "from peft import LoraConfig, get_peft_model\n"
    "from transformers import AutoModelForCausalLM\n\n"
    'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
)
AXOLOTL = "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\n"


def _codes(result) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return sorted((f.code, f.span.line) for f in result.findings)


@pytest.mark.parametrize("r", ["1e999", "-1e999", "1.0e+308"])
def test_non_finite_or_float_rank_is_ll008_not_a_crash(tmp_path: Path, r: str) -> None:
    source = HEAD + f'model = get_peft_model(model, LoraConfig(target_modules=["q_proj"], r={r}))\n'
    result = lint_files(tmp_path, {"a.py": source})
    assert not result.errors
    assert _codes(result) == [("LL008", 5)]


@pytest.mark.parametrize(("value", "line"), [(".nan", 3), (".inf", 3), ("0", 3), ("-5", 3)])
def test_yaml_rank_is_validated(tmp_path: Path, value: str, line: int) -> None:
    text = AXOLOTL + f"lora_r: {value}\nlora_target_modules: [q_proj]\n"
    result = lint_files(tmp_path, {"ax.yaml": text})
    assert not result.errors
    assert _codes(result) == [("LL008", line)]


def test_yaml_set_of_targets_is_checked(tmp_path: Path) -> None:
    result = lint_files(tmp_path, {"ax.yaml": AXOLOTL + "lora_target_modules: !!set {q_proj, v_prj}\n"})
    assert [(f.code, f.target) for f in result.findings] == [("LL001", "v_prj")]


def test_scalar_targets_in_yaml_are_ll008(tmp_path: Path) -> None:
    result = lint_files(tmp_path, {"ax.yaml": AXOLOTL + "lora_target_modules: 5\n"})
    assert _codes(result) == [("LL008", 3)]


def test_empty_target_list_is_peft_error(tmp_path: Path) -> None:
    result = lint_files(
        tmp_path, {"a.py": HEAD + "model = get_peft_model(model, LoraConfig(target_modules=[]))\n"}
    )
    assert _codes(result) == [("LL009", 5)]


def test_non_string_entries_are_ll008_each(tmp_path: Path) -> None:
    source = HEAD + "model = get_peft_model(model, LoraConfig(target_modules=[None, 1, True]))\n"
    result = lint_files(tmp_path, {"a.py": source})
    assert [(f.code, f.target) for f in result.findings] == [
        ("LL008", "None"),
        ("LL008", "1"),
        ("LL008", "True"),
    ]


def test_all_linear_on_a_vlm_warns_in_check(tmp_path: Path) -> None:
    source = (
        "from peft import LoraConfig, get_peft_model\n"
        "from transformers import AutoModelForImageTextToText\n\n"
        'model = AutoModelForImageTextToText.from_pretrained("Qwen/Qwen2-VL-2B-Instruct")\n'
        'model = get_peft_model(model, LoraConfig(target_modules="all-linear"))\n'
    )
    result = lint_files(tmp_path, {"a.py": source})
    assert [f.code for f in result.findings] == ["LL012"]
    assert "vision tower" in result.findings[0].message


def test_broad_entry_help_replaces_the_whole_list(tmp_path: Path) -> None:
    source = (
        "from peft import LoraConfig, get_peft_model\n"
        "from transformers import AutoModelForImageTextToText\n\n"
        'model = AutoModelForImageTextToText.from_pretrained("Qwen/Qwen2-VL-2B-Instruct")\n'
        'model = get_peft_model(model, LoraConfig(target_modules=["q_proj", "v_proj"]))\n'
    ).replace("Qwen/Qwen2-VL-2B-Instruct", "meta-llama/Llama-3.2-11B-Vision-Instruct")
    result = lint_files(tmp_path, {"a.py": source})
    helps = [f.help or "" for f in result.findings if f.code == "LL012"]
    assert helps and all("replace the whole list with one" in h for h in helps)
    assert all("target_modules=r'" in h for h in helps)
