"""Oumi: model.model_name, peft.lora_* keys, the all-linear and regex joins, use_peft."""

from __future__ import annotations

import pytest

from lora_lint.extract.types import Located
from lora_lint.extract.yaml import extract_yaml
from tests.extract.tool_helpers import TOOLS, findings, lint, only_config, spans


def test_llama_recipe() -> None:
    config = only_config("oumi", "llama3_2_1b_lora.yaml", "oumi")
    assert spans(config.target_modules)[4] == ("gate_prj", (33, 7, 33, 17))
    assert config.option("r") == 8
    assert config.option_keys["r"] == "lora_r"
    assert config.option("lora_alpha") == 16
    assert not config.facts.inert
    assert config.model is not None
    assert config.model.name == "meta-llama/Llama-3.2-1B"
    assert config.model.trust_remote_code is True
    assert config.model.origin == "Oumi model.model_name"


def test_exclude_modules_are_joined_into_one_full_match_regex() -> None:
    config = only_config("oumi", "llama3_2_1b_lora.yaml", "oumi")
    excluded = config.options["exclude_modules"]
    assert isinstance(excluded, Located)
    assert excluded.value == r"(.*layers\.0\..*)|(.*layers\.1\..*)"
    assert excluded.span.line == 35
    assert config.facts.exclude_joined is True
    assert config.option_keys["exclude_modules"] == "lora_exclude_modules"


def test_lone_all_linear_and_use_peft_off() -> None:
    config = only_config("oumi", "qwen_all_linear_peft_off.yaml", "oumi")
    target = config.target_modules
    assert isinstance(target, Located) and target.value == "all-linear"
    assert config.facts.inert == (
        "training.use_peft is not true, so Oumi ignores the peft section"
    )


def test_regex_flag_joins_the_targets() -> None:
    text = (
        "model:\n  model_name: Qwen/Qwen2.5-0.5B\n"
        "training:\n  use_peft: true\n"
        "peft:\n  lora_target_modules_regex: true\n"
        "  lora_target_modules: ['.*self_attn.q_proj', '.*self_attn.v_proj']\n"
    )
    [config] = extract_yaml(text, "oumi.yaml").configs
    assert config.option("target_modules") == "(.*self_attn.q_proj)|(.*self_attn.v_proj)"
    assert config.facts.targets_joined is True


@pytest.mark.torch
def test_oumi_fixtures_end_to_end() -> None:
    result = lint(sorted((TOOLS / "oumi").glob("*.yaml")), root=TOOLS / "oumi")
    assert findings(result) == [
        ("LL001", 33, 7, "gate_prj"),
        ("LL016", 8, 3, None),
    ]
    assert result.findings[0].suggestion[0] == "gate_proj"
    # the joined exclude regex takes layers 0 and 1 out of 16
    [summary] = [c for c in result.configs if c.path.endswith("llama3_2_1b_lora.yaml")]
    assert summary.matched_modules == 14 * 4
