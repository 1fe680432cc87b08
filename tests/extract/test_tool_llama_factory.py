"""LLaMA-Factory v0 and v1 YAML: comma splitting, ``all``, inert configs."""

from __future__ import annotations

from pathlib import Path

from lora_lint.diagnostics import Span
from lora_lint.extract.types import ExtractedConfig, FileExtraction, Located
from lora_lint.extract.yaml import extract_yaml

DATA = Path(__file__).resolve().parent.parent / "data" / "yaml" / "llama_factory"
ALL_MEANS = "llama-factory find_all_linear_modules"


def extract(name: str) -> FileExtraction:
    path = DATA / name
    result = extract_yaml(path.read_text(encoding="utf-8"), name)
    assert result.findings == []
    return result


def only_config(name: str) -> ExtractedConfig:
    [config] = extract(name).configs
    assert config.source == "llama-factory"
    assert config.peft_type == "LORA"
    return config


def test_lone_all_is_all_linear() -> None:
    config = only_config("llama3_lora_sft.yaml")
    assert config.target_modules == Located("all-linear", Span(10, 14, 10, 17))
    assert config.facts.all_means == ALL_MEANS
    assert config.option_keys["target_modules"] == "lora_target"
    assert config.key_spans["target_modules"] == Span(10, 1, 10, 12)
    assert config.option("r") == 8
    assert config.option_keys["r"] == "lora_rank"
    assert config.model is not None
    assert config.model.name == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert config.model.span == Span(2, 21, 2, 56)
    assert config.model.head == "trainer-lm"
    assert config.model.trust_remote_code is True
    assert not config.facts.inert


def test_comma_string_is_split_with_piece_spans() -> None:
    config = only_config("qwen_lora_typo.yaml")
    target = config.target_modules
    assert isinstance(target, Located)
    assert target.split_from_string
    assert target.items == [
        Located("q_proj", Span(6, 14, 6, 20)),
        Located("v_prj", Span(6, 22, 6, 27)),
    ]
    saved = config.options["modules_to_save"]
    assert isinstance(saved, Located) and saved.split_from_string
    assert saved.items == [
        Located("embed_tokens", Span(7, 20, 7, 32)),
        Located("lm_head", Span(7, 33, 7, 40)),
    ]
    assert config.option_keys["modules_to_save"] == "additional_target"
    assert config.option("r") == 16
    assert config.option("lora_alpha") == 32
    assert config.option("lora_dropout") == 0.05
    assert config.option("use_rslora") is True


def test_quoted_comma_string_skips_empty_pieces() -> None:
    config = only_config("quoted_targets.yaml")
    target = config.target_modules
    assert isinstance(target, Located)
    assert target.items == [
        Located("query_key_value", Span(3, 15, 3, 30)),
        Located("dense_h_to_4h", Span(3, 31, 3, 44)),
        Located("dense", Span(3, 48, 3, 53)),
    ]


def test_all_inside_a_longer_list_is_a_literal_name() -> None:
    config = only_config("mixed_all.yaml")
    assert config.option("target_modules") == ["all", "embed_tokens"]
    assert not config.facts.all_means


def test_full_finetune_without_lora_keys_yields_nothing() -> None:
    assert extract("full_sft.yaml").configs == []


def test_freeze_with_lora_keys_is_inert() -> None:
    config = only_config("freeze_with_lora_keys.yaml")
    assert config.facts.inert == (
        "finetuning_type is freeze, so LLaMA-Factory ignores the lora_* keys"
    )
    assert config.option("target_modules") == ["q_proj", "v_proj"]


def test_missing_lora_target_defaults_to_all() -> None:
    config = only_config("default_target.yaml")
    assert "target_modules" not in config.options
    assert config.facts.implicit_target_modules == "all-linear"
    assert config.facts.all_means == ALL_MEANS


def test_resumed_adapter_is_inert() -> None:
    config = only_config("resume_adapter.yaml")
    assert config.facts.adapter_name_or_path == "saves/llama3-8b/lora/sft"
    assert "resumes that adapter" in str(config.facts.inert)


def test_v1_all() -> None:
    config = only_config("v1_lora.yaml")
    assert config.target_modules == Located("all-linear", Span(9, 19, 9, 22))
    assert config.facts.all_means == ALL_MEANS
    assert config.option("r") == 16
    assert config.option("lora_alpha") == 32
    assert config.option("lora_dropout") == 0.05
    assert config.span.line == 5  # the peft_config mapping
    assert config.model is not None
    assert config.model.name == "Qwen/Qwen3-4B"
    assert config.model.span == Span(1, 8, 1, 21)
    assert config.model.head == "trainer-lm"


def test_v1_comma_string_is_not_split() -> None:
    config = only_config("v1_comma.yaml")
    target = config.target_modules
    assert isinstance(target, Located)
    assert target.container == "list"
    assert target.items == [Located("q_proj,v_proj", Span(8, 19, 8, 32))]
    assert config.facts.comma_not_split is True
    assert config.option("modules_to_save") == ["lm_head"]
    # peft_config keys LoraConfigDict does not read are silently ignored by LLaMA-Factory.
    assert config.unknown_keys == {"lora_rank": Span(7, 3, 7, 12)}
    assert config.model is not None
    assert config.model.trust_remote_code is True


def test_v1_nested_model_mapping() -> None:
    source = (
        "model:\n  model_name_or_path: Qwen/Qwen3-0.6B\n"
        "peft_config:\n  name: lora\n  target_modules: [q_proj, v_proj]\n"
    )
    [config] = extract_yaml(source, "v1.yaml").configs
    assert config.model is not None
    assert config.model.name == "Qwen/Qwen3-0.6B"
    assert config.option("target_modules") == ["q_proj", "v_proj"]


def test_v1_freeze_plugin_yields_nothing() -> None:
    source = "model: Qwen/Qwen3-4B\npeft_config:\n  name: freeze\n  freeze_trainable_layers: 2\n"
    assert extract_yaml(source, "v1.yaml").configs == []


def test_v0_yaml_list_target() -> None:
    source = "model_name_or_path: x/y\nstage: sft\nlora_target:\n  - all\n"
    [config] = extract_yaml(source, "lf.yaml").configs
    assert config.target_modules == Located("all-linear", Span(4, 5, 4, 8))
