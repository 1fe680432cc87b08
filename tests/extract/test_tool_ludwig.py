"""Ludwig: base_model + adapter mapping (told apart from axolotl's adapter string)."""

from __future__ import annotations

import pytest

from lora_lint.extract.yaml import extract_yaml
from tests.extract.tool_helpers import TOOLS, findings, lint, only_config, spans


def test_lora_adapter_keys_are_renamed() -> None:
    config = only_config("ludwig", "llama2_7b_lora.yaml", "ludwig")
    assert spans(config.target_modules) == [
        ("q_proj", (13, 7, 13, 13)),
        ("v_proj", (14, 7, 14, 13)),
        ("o_prj", (15, 7, 15, 12)),
    ]
    assert config.option("r") == 8
    assert config.option("lora_alpha") == 16
    assert config.option_keys["lora_alpha"] == "alpha"
    assert config.option("lora_dropout") == 0.05
    assert config.peft_type == "LORA"
    assert config.model is not None
    assert config.model.name == "meta-llama/Llama-2-7b-hf"
    assert config.model.origin == "Ludwig base_model"


def test_no_target_modules_means_peft_defaults() -> None:
    config = only_config("ludwig", "mistral_defaults.yaml", "ludwig")
    assert "target_modules" not in config.options
    assert config.model is not None and config.model.name == "mistralai/Mistral-7B-v0.1"


def test_adapter_types_and_pretrained_weights() -> None:
    text = (
        "model_type: llm\nbase_model: Qwen/Qwen2.5-0.5B\n"
        "adapter:\n  type: adalora\n  pretrained_adapter_weights: me/my-adapter\n"
    )
    [config] = extract_yaml(text, "ludwig.yaml").configs
    assert config.peft_type == "ADALORA"
    assert "pretrained_adapter_weights" in str(config.facts.inert)
    prompt = "model_type: llm\nbase_model: Qwen/Qwen2.5-0.5B\nadapter:\n  type: prompt_tuning\n"
    assert extract_yaml(prompt, "ludwig.yaml").configs == []


@pytest.mark.torch
def test_ludwig_fixtures_end_to_end() -> None:
    result = lint(sorted((TOOLS / "ludwig").glob("*.yaml")), root=TOOLS / "ludwig")
    assert findings(result) == [("LL001", 15, 7, "o_prj")]
    assert result.findings[0].suggestion[0] == "o_proj"
