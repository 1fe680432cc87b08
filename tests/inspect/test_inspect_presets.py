"""Presets select exactly their group's modules, written as short PEFT target_modules."""

from __future__ import annotations

import pytest

from lora_lint.inspect.groups import ATTENTION, Classifier
from lora_lint.inspect.presets import build_presets, minimal_entries
from lora_lint.inspect.tree import build_tree
from lora_lint.match.peft_semantics import PeftOptions, simulate
from tests.inspect.inspect_helpers import model_and_inventory

pytestmark = pytest.mark.torch


def _targets(arch: str, key: str) -> object:
    _, inventory = model_and_inventory(arch)
    return next(p for p in build_presets(inventory) if p.key == key).target_modules


def test_qv_uses_leaf_names_or_the_fused_projection() -> None:
    assert _targets("llama", "qv") == ["q_proj", "v_proj"]
    assert _targets("t5", "qv") == ["q", "v"]
    assert _targets("bert", "qv") == ["query", "value"]
    assert _targets("gpt2", "qv") == ["c_attn"]
    assert _targets("falcon", "qv") == ["query_key_value"]
    assert _targets("phi3", "qv") == ["qkv_proj"]


def test_a_leaf_shared_with_the_mlp_gets_a_dotted_suffix() -> None:
    assert _targets("gpt2", "attention") == ["c_attn", "attn.c_proj"]
    assert _targets("bert", "attention") == ["query", "key", "value", "attention.output.dense"]


def test_vlm_attention_excludes_the_vision_tower_with_a_regex() -> None:
    _, inventory = model_and_inventory("llava")
    targets = _targets("llava", "qv")
    assert isinstance(targets, str)
    injection = simulate(PeftOptions(target_modules=targets), inventory)
    assert injection.targeted == [
        f"model.language_model.layers.{i}.self_attn.{p}"
        for i in (0, 1)
        for p in ("q_proj", "v_proj")
    ]


@pytest.mark.parametrize("arch", ["llama", "gpt2", "bert", "t5", "llava", "qwen2_vl", "falcon"])
def test_attention_preset_adapts_exactly_the_attention_group(arch: str) -> None:
    _, inventory = model_and_inventory(arch)
    classifier = Classifier(inventory)
    wanted = [
        m.name
        for m in inventory.modules
        if classifier.role(m.name) == ATTENTION and m.kind in ("linear", "hf_conv1d")
    ]
    recipe = next(p for p in build_presets(inventory) if p.key == "attention")
    assert [t.name for t in recipe.cost.module_targets] == wanted


def test_minimal_entries_falls_back_to_full_names_for_one_layer() -> None:
    _, inventory = model_and_inventory("llama")
    one = ["model.layers.1.self_attn.q_proj"]
    entries = minimal_entries(inventory, one)
    assert simulate(PeftOptions(target_modules=entries), inventory).targeted == one


def test_attn_ffn_ranks() -> None:
    _, inventory = model_and_inventory("llama")
    recipe = next(p for p in build_presets(inventory, 16) if p.key == "attn-ffn")
    ranks = {t.name.rsplit(".", 1)[-1]: t.rank for t in recipe.cost.targets}
    assert ranks == {
        "q_proj": 16,
        "k_proj": 16,
        "v_proj": 16,
        "o_proj": 16,
        "gate_proj": 8,
        "up_proj": 8,
        "down_proj": 8,
    }


def test_moe_attn_ffn_targets_experts_through_target_parameters() -> None:
    _, inventory = model_and_inventory("mixtral")
    recipe = next(p for p in build_presets(inventory) if p.key == "attn-ffn")
    assert recipe.target_parameters == ["experts.gate_up_proj", "experts.down_proj"]
    assert recipe.lora_dropout == 0.0  # lora.ParamWrapper rejects dropout
    assert {t.rank for t in recipe.cost.parameter_targets} == {4}
    all_linear = next(p for p in build_presets(inventory) if p.key == "all-linear")
    assert all_linear.lora_dropout == 0.0  # PEFT's MoE rewrite adds parameter targets


def test_tree_folds_identical_layers_and_splits_on_layer_choice() -> None:
    _, inventory = model_and_inventory("llama")
    recipe = next(p for p in build_presets(inventory) if p.key == "qv")
    tree = build_tree(inventory, recipe.cost)
    layers = tree.children[0].children[1]
    assert [c.label for c in layers.children] == ["layers.0-1 ×2"]
    assert tree.adapted_below == 4 and tree.lora_below == recipe.cost.lora_params
    only_one = PeftOptions(target_modules=["q_proj"], layers_to_transform=[1])
    from lora_lint.match.cost import estimate

    tree = build_tree(inventory, estimate(only_one, inventory))
    assert [c.label for c in tree.children[0].children[1].children] == ["layers.0", "layers.1"]
    assert tree.adapted_below == 1
