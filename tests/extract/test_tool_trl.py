"""TRL / alignment-handbook YAML: ModelConfig keys, use_peft, the one-element collapse."""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.extract.types import Located, ModelRef
from tests.extract.tool_helpers import TOOLS, findings, lint, only_config, spans


def test_alignment_handbook_qlora_recipe() -> None:
    config = only_config("trl", "zephyr_qlora.yaml", "trl")
    assert spans(config.target_modules) == [
        ("q_proj", (14, 3, 14, 9)),
        ("k_proj", (15, 3, 15, 9)),
        ("v_proj", (16, 3, 16, 9)),
        ("o_proj", (17, 3, 17, 9)),
        ("gate_proj", (18, 3, 18, 12)),
        ("up_proj", (19, 3, 19, 10)),
        ("down_proj", (20, 3, 20, 12)),
    ]
    assert config.option("r") == 16
    assert config.option("lora_alpha") == 16
    assert config.option("lora_dropout") == 0.05
    assert config.option_keys["target_modules"] == "lora_target_modules"
    assert config.option_keys["r"] == "lora_r"
    assert not config.facts.inert
    assert config.facts.collapsed_to_regex is None
    assert config.model is not None
    assert (config.model.name, config.model.head) == ("mistralai/Mistral-7B-v0.1", "trainer-lm")
    assert config.model.origin == "TRL model_name_or_path"


def test_one_element_list_is_noted_for_the_collapse() -> None:
    config = only_config("trl", "sft_single_target.yaml", "trl")
    note = config.facts.collapsed_to_regex
    assert isinstance(note, Located)
    assert note.value == "q_proj"
    assert (note.span.line, note.span.column) == (9, 23)
    # kept as a list so LL001 still checks the name itself
    assert config.option("target_modules") == ["q_proj"]


def test_lone_all_linear_becomes_the_peft_shorthand() -> None:
    config = only_config("trl", "sft_all_linear.yaml", "trl")
    target = config.target_modules
    assert isinstance(target, Located)
    assert target.value == "all-linear"
    assert (target.span.line, target.span.column) == (6, 23)
    assert config.option("modules_to_save") == ["lm_head", "embed_tokens"]
    assert config.option_keys["modules_to_save"] == "lora_modules_to_save"


def test_use_peft_false_is_inert() -> None:
    config = only_config("trl", "dpo_peft_off.yaml", "trl")
    assert config.facts.inert == "use_peft is not true, so TRL ignores the lora_* keys"
    assert config.model == ModelRef(
        "meta-llama/Llama-3.2-1B",
        config.model.span if config.model else None,
        head="trainer-lm",
        origin="TRL model_name_or_path",
        source_path="dpo_peft_off.yaml",
    )


@pytest.mark.torch
def test_trl_fixtures_end_to_end() -> None:
    result = lint(sorted((TOOLS / "trl").glob("*.yaml")), root=TOOLS / "trl")
    # use_peft: false trains no LoRA: the config is inert (LL016), its entries are not judged.
    assert findings(result) == [
        ("LL016", 4, 1, None),
        ("LL015", 9, 23, "q_proj"),
    ]
    by_code = {f.code: f for f in result.findings}
    assert "one-element lora_target_modules" in by_code["LL015"].message
    assert [f.path.rsplit("/", 1)[-1] for f in result.findings] == [
        "dpo_peft_off.yaml",
        "sft_single_target.yaml",
    ]


@pytest.mark.torch
def test_python_model_config_one_element_list(tmp_path: Path) -> None:
    from tests.lint_helpers import lint_files

    source = (
        "from trl import ModelConfig\n"
        "args = ModelConfig(model_name_or_path='Qwen/Qwen2.5-0.5B', use_peft=True,\n"
        "                   lora_target_modules=['v_proj'])\n"
        "ok = ModelConfig(model_name_or_path='Qwen/Qwen2.5-0.5B', use_peft=True,\n"
        "                 lora_target_modules=['q_proj', 'v_proj'])\n"
    )
    result = lint_files(tmp_path, {"train.py": source})
    assert [(f.code, f.span.line, f.span.column) for f in result.findings] == [("LL015", 3, 41)]
