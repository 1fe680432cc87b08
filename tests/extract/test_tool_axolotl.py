"""axolotl YAML -> PEFT-named options, with the spans of what the user wrote."""

from __future__ import annotations

from pathlib import Path

from lora_lint.diagnostics import Span
from lora_lint.extract.types import ExtractedConfig, Located, ModelRef
from lora_lint.extract.yaml import extract_yaml

DATA = Path(__file__).resolve().parent.parent / "data" / "yaml" / "axolotl"


def only_config(name: str) -> ExtractedConfig:
    path = DATA / name
    result = extract_yaml(path.read_text(encoding="utf-8"), str(path))
    assert result.findings == []
    [config] = result.configs
    assert config.source == "axolotl"
    assert config.peft_type == "LORA"
    return config


def test_qlora_list_targets_with_linear_union() -> None:
    config = only_config("llama3_qlora.yaml")
    assert config.option("target_modules") == ["q_proj", "k_proj", "v_proj", "o_proj"]
    target = config.target_modules
    assert isinstance(target, Located)
    assert [i.span for i in target.items] == [
        Span(27, 5, 27, 11),
        Span(28, 5, 28, 11),
        Span(29, 5, 29, 11),
        Span(30, 5, 30, 11),
    ]
    assert config.add_all_linear_leaves is True
    assert config.option("r") == 32
    assert config.option("lora_alpha") == 16
    assert config.option("lora_dropout") == 0.05
    assert config.option("modules_to_save") == ["embed_tokens", "lm_head"]
    assert config.option("fan_in_fan_out") is None  # written empty
    assert config.option_keys == {
        "r": "lora_r",
        "lora_alpha": "lora_alpha",
        "lora_dropout": "lora_dropout",
        "modules_to_save": "lora_modules_to_save",
        "fan_in_fan_out": "lora_fan_in_fan_out",
        "target_modules": "lora_target_modules",
    }
    assert config.key_spans["target_modules"] == Span(26, 1, 26, 20)
    assert config.key_spans["r"] == Span(23, 1, 23, 7)
    assert config.model == ModelRef(
        name="NousResearch/Meta-Llama-3-8B",
        span=Span(1, 13, 1, 41),
        head="causal-lm",
        origin="axolotl base_model",
        source_path=str(DATA / "llama3_qlora.yaml"),
        trust_remote_code=False,
    )
    assert not config.facts.inert
    assert config.unknown_keys == {}


def test_typo_flow_list_with_concrete_class_and_remote_code() -> None:
    config = only_config("mistral_lora_typo.yaml")
    target = config.target_modules
    assert isinstance(target, Located)
    assert target.items == [
        Located("q_proj", Span(10, 23, 10, 29)),
        Located("v_prj", Span(10, 31, 10, 36)),
    ]
    assert config.option("layers_to_transform") == [0, 1, 2]
    assert config.option_keys["layers_to_transform"] == "peft_layers_to_transform"
    assert config.add_all_linear_leaves is False
    assert config.model is not None
    assert config.model.head == "MistralForCausalLM"
    assert config.model.trust_remote_code is True


def test_regex_string_stays_a_regex_without_linear() -> None:
    config = only_config("vlm_regex.yaml")
    target = config.target_modules
    assert isinstance(target, Located)
    assert target.container == ""
    assert target.value == (
        r"model.language_model.layers.[\d]+.(mlp|self_attn).(up|down|gate|q|k|v|o)_proj"
    )
    assert target.span == Span(8, 22, 8, 101)
    assert config.option("lora_dropout") == 0
    assert not config.facts.regex_became_literal


def test_regex_with_linear_becomes_a_literal_name() -> None:
    config = only_config("vlm_regex_with_linear.yaml")
    target = config.target_modules
    assert isinstance(target, Located)
    assert target.container == "list"
    [item] = target.items
    assert isinstance(item, Located)
    assert item.value.startswith("model.language_model.layers.[\\d]+")
    assert item.span == Span(19, 22, 19, 112)
    assert config.facts.regex_became_literal is True
    assert config.add_all_linear_leaves is True


def test_adapter_unset_is_inert_but_extracted() -> None:
    config = only_config("adapter_unset.yaml")
    assert config.facts.inert == "adapter is not set, so axolotl ignores the lora_* keys"
    assert config.option("target_modules") == ["q_proj", "v_proj"]
    assert config.option("r") == 8


def test_target_parameters_and_patterns() -> None:
    config = only_config("moe_target_parameters.yaml")
    assert config.option("target_parameters") == [
        "mlp.experts.gate_up_proj",
        "mlp.experts.down_proj",
    ]
    assert config.option_keys["target_parameters"] == "lora_target_parameters"
    assert config.option("rank_pattern") == {".*gate_up_proj": 32}
    assert config.option_keys["rank_pattern"] == "lora_rank_pattern"
    assert config.option("use_dora") is False
    assert config.option("lora_dropout") == 0.0


def inline(source: str) -> ExtractedConfig:
    result = extract_yaml(source, "inline.yaml")
    assert result.findings == []
    [config] = result.configs
    return config


def test_no_targets_means_axolotl_passes_an_empty_list() -> None:
    config = inline("base_model: x/y\nadapter: lora\nlora_r: 8\n")
    assert "target_modules" not in config.options
    assert config.facts.implicit_target_modules == ()


def test_linear_only() -> None:
    config = inline("base_model: x/y\nadapter: lora\nlora_target_linear: true\n")
    assert config.add_all_linear_leaves is True
    assert "target_modules" not in config.options
    assert config.facts.implicit_target_modules is None


def test_empty_target_key_is_an_empty_list() -> None:
    config = inline("base_model: x/y\nadapter: lora\nlora_target_modules:\n")
    assert config.option("target_modules") == []


def test_llama_adapter_and_lora_model_dir_are_inert() -> None:
    config = inline("base_model: x/y\nadapter: llama-adapter\nlora_r: 8\n")
    assert "llama-adapter" in str(config.facts.inert)
    config = inline("base_model: x/y\nadapter: lora\nlora_model_dir: out/\nlora_r: 8\n")
    assert config.facts.lora_model_dir == "out/"
    assert "lora_model_dir" in str(config.facts.inert)


def test_base_model_config_names_the_architecture() -> None:
    config = inline(
        "base_model: ./merged\nbase_model_config: meta-llama/Llama-3.1-8B\n"
        "model_type: AutoModelForSequenceClassification\nadapter: lora\n"
    )
    assert config.model is not None
    assert config.model.name == "meta-llama/Llama-3.1-8B"
    assert config.model.head == "seq-cls"


def test_not_axolotl_without_lora_keys() -> None:
    result = extract_yaml("base_model: x/y\nlearning_rate: 0.1\n", "full.yaml")
    assert result.configs == []
