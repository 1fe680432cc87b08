"""Modules land in the group of the role they play, read from the tree and the classes."""

from __future__ import annotations

import pytest

from lora_lint.inspect.groups import (
    ATTENTION,
    EMBEDDINGS,
    FEED_FORWARD,
    MOE,
    OUTPUT_HEAD,
    PROJECTOR,
    VISION_TOWER,
    Classifier,
    group_rows,
    summarize,
)
from tests.inspect.inspect_helpers import model_and_inventory

pytestmark = pytest.mark.torch


def _groups(arch: str, head: str | None = None) -> dict[str, set[str]]:
    _, inventory = model_and_inventory(arch, head)
    out: dict[str, set[str]] = {}
    for row in group_rows(inventory):
        out.setdefault(row.group, set()).add(row.leaf)
    return out


def test_llama() -> None:
    groups = _groups("llama")
    assert groups[ATTENTION] == {"q_proj", "k_proj", "v_proj", "o_proj"}
    assert groups[FEED_FORWARD] == {"gate_proj", "up_proj", "down_proj"}
    assert groups[EMBEDDINGS] == {"embed_tokens"}
    assert groups[OUTPUT_HEAD] == {"lm_head"}


def test_fused_projections() -> None:
    assert _groups("phi3")[ATTENTION] == {"qkv_proj", "o_proj"}
    assert _groups("phi3")[FEED_FORWARD] == {"gate_up_proj", "down_proj"}
    assert _groups("falcon")[ATTENTION] == {"query_key_value", "dense"}
    assert _groups("falcon")[FEED_FORWARD] == {"dense_h_to_4h", "dense_4h_to_h"}


def test_same_leaf_in_two_roles_is_split_by_position() -> None:
    """GPT-2's c_proj is attention output and MLP output; BERT's dense is in three places."""
    gpt2 = _groups("gpt2")
    assert {"c_attn", "c_proj"} <= gpt2[ATTENTION]
    assert {"c_fc", "c_proj"} <= gpt2[FEED_FORWARD]
    _, bert = model_and_inventory("bert")
    roles = Classifier(bert).roles
    assert roles["encoder.layer.0.attention.output.dense"] == ATTENTION
    assert roles["encoder.layer.0.intermediate.dense"] == FEED_FORWARD
    assert roles["encoder.layer.0.output.dense"] == FEED_FORWARD


def test_t5_encoder_decoder() -> None:
    groups = _groups("t5")
    assert groups[ATTENTION] == {"q", "k", "v", "o"}
    assert groups[FEED_FORWARD] == {"wi", "wo"}
    _, t5 = model_and_inventory("t5")
    attention = [r for r in group_rows(t5) if r.group == ATTENTION and r.leaf == "q"]
    assert attention[0].count == 2 + 2 + 2  # encoder self, decoder self, decoder cross


def test_mixtral_experts_are_fused_parameters_reachable_via_target_parameters() -> None:
    _, inventory = model_and_inventory("mixtral")
    rows = [r for r in group_rows(inventory) if r.group == MOE]
    by_leaf = {r.leaf: r for r in rows}
    assert set(by_leaf) == {"gate.weight", "experts.gate_up_proj", "experts.down_proj"}
    experts = by_leaf["experts.gate_up_proj"]
    assert experts.field == "target_parameters"
    assert experts.shape == (4, 128, 32)  # (experts, 2 * intermediate, hidden)
    assert "w1/w3" in experts.note
    assert by_leaf["gate.weight"].field == "target_parameters"
    assert "router" in by_leaf["gate.weight"].note
    assert FEED_FORWARD not in _groups("mixtral")
    summary = {s.group: s for s in summarize(group_rows(inventory))}
    assert summary[MOE].tensors == 6 and summary[MOE].modules == 0


def test_qwen3_moe_decoder_layer_class_does_not_make_attention_moe() -> None:
    groups = _groups("qwen3_moe")
    assert groups[ATTENTION] == {"q_proj", "k_proj", "v_proj", "o_proj"}
    assert groups[MOE] == {"experts.gate_up_proj", "experts.down_proj", "gate.weight"}


def test_llava_vision_tower_and_projector() -> None:
    _, inventory = model_and_inventory("llava")
    roles = Classifier(inventory).roles
    assert roles["model.language_model.layers.0.self_attn.q_proj"] == ATTENTION
    assert roles["model.vision_tower.encoder.layers.0.self_attn.q_proj"] == VISION_TOWER
    assert roles["model.vision_tower.embeddings.patch_embedding"] == VISION_TOWER
    assert roles["model.multi_modal_projector.linear_1"] == PROJECTOR
    assert roles["lm_head"] == OUTPUT_HEAD


def test_qwen2_vl_merger_is_the_projector() -> None:
    groups = _groups("qwen2_vl")
    assert groups[PROJECTOR] == {"mlp.0", "mlp.2"}
    assert {"qkv", "proj", "fc1", "fc2"} <= groups[VISION_TOWER]
    assert groups[ATTENTION] == {"q_proj", "k_proj", "v_proj", "o_proj"}


def test_rows_count_every_module_once() -> None:
    for arch in ("llama", "gpt2", "t5", "llava"):
        _, inventory = model_and_inventory(arch)
        names = [n for row in group_rows(inventory) for n in row.names]
        wrappable = [
            m.name
            for m in inventory.modules
            if m.kind
            in (
                "linear",
                "hf_conv1d",
                "embedding",
                "conv1d",
                "conv2d",
                "conv3d",
                "multihead_attention",
            )
        ]
        assert sorted(names) == sorted(wrappable), arch
