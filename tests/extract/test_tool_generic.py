"""The generic adapter: any mapping with ``target_modules``, model from the nearest scope."""

from __future__ import annotations

from pathlib import Path

from lora_lint.diagnostics import Span
from lora_lint.extract.types import FileExtraction, Located
from lora_lint.extract.yaml import extract_json, extract_yaml

DATA = Path(__file__).resolve().parent.parent / "data" / "yaml" / "generic"


def extract(name: str) -> FileExtraction:
    path = DATA / name
    text = path.read_text(encoding="utf-8")
    if name.endswith(".json"):
        return extract_json(text, name)
    return extract_yaml(text, name)


def test_nested_lora_block_with_model_in_a_sibling_scope() -> None:
    result = extract("custom_train.yaml")
    assert result.findings == []
    [config] = result.configs
    assert config.source == "yaml"
    assert config.span.line == 9
    target = config.target_modules
    assert isinstance(target, Located)
    assert target.items == [
        Located("q_proj", Span(14, 20, 14, 28)),
        Located("k_proj", Span(14, 30, 14, 38)),
        Located("v_proj", Span(14, 40, 14, 48)),
        Located("o_prj", Span(14, 50, 14, 57)),
    ]
    assert config.option("r") == 16
    assert config.option("bias") == "none"
    assert config.option("use_rslora") is True
    assert config.unknown_keys == {}
    # A sibling `model:` mapping of an enclosing scope names the model.
    assert config.model is not None
    assert config.model.name == "google/gemma-2-9b-it"
    assert config.model.span == Span(4, 23, 4, 43)
    assert config.model.origin == "model.model_name_or_path in yaml"
    assert config.model.head == "causal-lm"


def test_model_from_an_ancestor_mapping() -> None:
    source = "model_id: google/gemma-2-2b\nadapter:\n  lora:\n    target_modules: [q_proj]\n"
    [config] = extract_yaml(source, "x.yaml").configs
    assert config.model is not None
    assert config.model.name == "google/gemma-2-2b"
    assert config.model.span == Span(1, 11, 1, 28)
    assert config.model.origin == "model_id in yaml"


def test_multi_document_file() -> None:
    result = extract("multi_doc.yaml")
    assert result.findings == []
    small, large = result.configs
    assert small.option("target_modules") == ["q_proj", "v_proj"]
    assert small.location_hint == "document 1"
    assert small.model is not None and small.model.name == "Qwen/Qwen2.5-0.5B"
    assert large.target_modules == Located("all-linear", Span(12, 19, 12, 29))
    assert large.location_hint == "document 2"
    assert large.model is not None and large.model.name == "Qwen/Qwen2.5-7B"


def test_merge_keys_feed_each_run() -> None:
    result = extract("anchors.yaml")
    defaults, small, big = result.configs
    assert defaults.model is None
    assert small.option("r") == 8
    assert small.option("target_modules") == ["q_proj", "v_proj"]
    assert small.model is not None and small.model.name == "meta-llama/Llama-3.2-1B"
    # Merged values keep the anchor's positions, so findings point where the name is written.
    small_targets = small.target_modules
    assert isinstance(small_targets, Located)
    assert small_targets.items[1] == Located("v_proj", Span(4, 37, 4, 43))
    assert big.option("r") == 32
    assert big.model is not None and big.model.name == "meta-llama/Llama-3.1-8B"


def test_duplicate_keys_keep_the_last() -> None:
    [config] = extract("duplicate_keys.yaml").configs
    assert config.option("target_modules") == ["q_proj", "v_proj"]
    assert config.key_spans["target_modules"] == Span(6, 3, 6, 17)
    assert config.model is not None
    assert config.model.name == "mistralai/Mistral-7B-v0.1"


def test_json_configs_inside_lists() -> None:
    result = extract("sweep.json")
    assert result.findings == []
    attn, mlp = result.configs
    assert attn.source == "json"
    assert attn.option("lora_dropout") == 1e-05  # JSON number, not YAML 1.1 string
    assert attn.option("target_modules") == ["q_proj", "k_proj", "v_proj", "dense"]
    assert attn.model is not None and attn.model.name == "microsoft/phi-2"
    assert mlp.target_modules == Located("fc1|fc2", Span(5, 57, 5, 66))


def test_non_config_yaml() -> None:
    result = extract("no_config.yaml")
    assert result.configs == []
    assert result.findings == []


def test_peft_type_and_task_type() -> None:
    source = (
        "peft:\n  peft_type: ia3\n  task_type: SEQ_CLS\n  target_modules: [k, v]\nmodel_name: x\n"
    )
    [config] = extract_yaml(source, "x.yaml").configs
    assert config.peft_type == "IA3"
    assert config.model is not None
    assert config.model.head == "seq-cls"


def test_specific_adapter_claims_are_not_extracted_twice() -> None:
    source = "model: Qwen/Qwen3-4B\npeft_config:\n  name: lora\n  target_modules: [q_proj]\n"
    [config] = extract_yaml(source, "v1.yaml").configs
    assert config.source == "llama-factory"


def test_tool_file_can_hold_a_further_generic_mapping() -> None:
    source = (
        "base_model: x/y\nadapter: lora\nlora_target_modules: [q_proj]\n"
        "extra:\n  target_modules: [v_proj]\n"
    )
    tool, generic = extract_yaml(source, "axo.yaml").configs
    assert tool.source == "axolotl"
    assert generic.source == "yaml"
    assert generic.model is not None and generic.model.name == "x/y"
