"""torchtune recipes: builder -> Hugging Face model, torchtune names -> HF names, drops."""

from __future__ import annotations

import pytest

from lora_lint.extract.tools.torchtune import BUILDER_MODELS, builder_key, hf_model_for
from lora_lint.extract.types import Located
from lora_lint.models.bundled import __file__ as bundled_init
from tests.extract.tool_helpers import TOOLS, findings, lint, only_config, spans


def test_llama3_1_recipe_translates_names_and_keeps_spans() -> None:
    config = only_config("torchtune", "llama3_1_8B_lora.yaml", "torchtune")
    assert spans(config.target_modules) == [
        ("q_proj", (15, 23, 15, 31)),
        ("v_proj", (15, 33, 15, 41)),
        ("o_proj", (15, 43, 15, 56)),
        # apply_lora_to_mlp: True -> w1/w2/w3, each at the flag's value
        ("gate_proj", (16, 22, 16, 26)),
        ("down_proj", (16, 22, 16, 26)),
        ("up_proj", (16, 22, 16, 26)),
    ]
    assert config.option_keys["target_modules"] == "lora_attn_modules"
    assert config.option("r") == 8
    assert config.option_keys["r"] == "lora_rank"
    assert config.option("lora_alpha") == 16
    assert not config.facts.dropped_entries
    assert config.model is not None
    assert config.model.name == "meta-llama/Llama-3.1-8B"
    assert config.model.head == "causal-lm"
    assert (config.model.span.line, config.model.span.column) == (14, 16)  # type: ignore[union-attr]
    assert config.model.origin.startswith("torchtune builder lora_llama3_1_8b")


def test_names_outside_the_literal_set_are_dropped() -> None:
    config = only_config("torchtune", "qwen2_5_0_5B_lora_typos.yaml", "torchtune")
    assert config.option("target_modules") == ["q_proj"]
    dropped = config.facts.dropped_entries
    assert isinstance(dropped, tuple)
    assert [(d.value, d.span.line, d.span.column) for d in dropped] == [
        ("v_proj,", 8, 7),
        ("o_proj", 9, 7),
        ("gate_proj", 10, 7),
    ]
    assert config.model is not None and config.model.name == "Qwen/Qwen2.5-0.5B"


def test_phi3_uses_the_fused_hugging_face_names() -> None:
    config = only_config("torchtune", "phi3_mini_lora.yaml", "torchtune")
    assert config.option("target_modules") == ["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]
    assert config.model is not None
    assert config.model.name == "microsoft/Phi-3-mini-4k-instruct"


@pytest.mark.parametrize(
    ("component", "expected"),
    [
        ("torchtune.models.llama3_1.lora_llama3_1_8b", "meta-llama/Llama-3.1-8B"),
        ("torchtune.models.llama3_1.qlora_llama3_1_70b", "meta-llama/Llama-3.1-70B"),
        ("torchtune.models.llama3_2.lora_llama3_2_1b", "meta-llama/Llama-3.2-1B"),
        ("torchtune.models.llama3_2.lora_llama3_2_3b", "meta-llama/Llama-3.2-3B"),
        ("torchtune.models.llama2.lora_llama2_13b", "meta-llama/Llama-2-13b-hf"),
        ("torchtune.models.mistral.lora_mistral_7b", "mistralai/Mistral-7B-v0.1"),
        ("torchtune.models.qwen2_5.lora_qwen2_5_7b_instruct", "Qwen/Qwen2.5-7B-Instruct"),
        ("torchtune.models.qwen2.lora_qwen2_7b", "Qwen/Qwen2-7B"),
        ("torchtune.models.gemma.lora_gemma_2b", "google/gemma-2b"),
        ("torchtune.models.gemma2.lora_gemma2_9b", "google/gemma-2-9b"),
        ("torchtune.models.phi3.lora_phi3_mini", "microsoft/Phi-3-mini-4k-instruct"),
        ("torchtune.models.llama3_2_vision.lora_llama3_2_vision_11b", None),
        ("torchtune.models.llama3_1.llama3_1_8b", None),
    ],
)
def test_builder_map(component: str, expected: str | None) -> None:
    assert hf_model_for(component) == expected


def test_builder_key_parses_family_and_size() -> None:
    assert builder_key("torchtune.models.qwen2_5.lora_qwen2_5_1_5b_instruct") == (
        "qwen2_5",
        "1_5b_instruct",
    )


def test_mapped_models_that_ship_bundled_configs() -> None:
    """Most builders map to a model lora-lint can check offline."""
    from pathlib import Path

    bundled = {
        p.stem.replace("--", "/", 1) for p in (Path(bundled_init).parent / "configs").glob("*.json")
    }
    offline = [m for m in BUILDER_MODELS.values() if m in bundled]
    assert len(offline) >= 20


def test_string_attn_modules_use_substring_semantics(tmp_path: object) -> None:
    from lora_lint.extract.yaml import extract_yaml

    text = (
        "model:\n"
        "  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\n"
        "  lora_attn_modules: q_proj,v_proj\n"
    )
    [config] = extract_yaml(text, "x.yaml").configs
    assert config.option("target_modules") == ["q_proj", "v_proj"]
    assert config.facts.attn_modules_string is True
    target = config.target_modules
    assert isinstance(target, Located)


@pytest.mark.torch
def test_torchtune_fixtures_end_to_end() -> None:
    result = lint(sorted((TOOLS / "torchtune").glob("*.yaml")), root=TOOLS / "torchtune")
    assert findings(result) == [
        ("LL015", 8, 7, "v_proj,"),
        ("LL015", 9, 7, "o_proj"),
        ("LL015", 10, 7, "gate_proj"),
    ]
    suggestions = [f.suggestion for f in result.findings]
    assert suggestions == [("v_proj",), ("output_proj",), ("apply_lora_to_mlp: true",)]
    assert all(f.model == "Qwen/Qwen2.5-0.5B" for f in result.findings)
