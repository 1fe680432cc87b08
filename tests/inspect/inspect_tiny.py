"""Tiny MoE and vision-language configs for the inspect tests, plus an inventory of any module."""

# ruff: noqa: C408  (dict(...) mirrors the transformers config kwargs)

from __future__ import annotations

from typing import Any

from tests.tiny_models import TINY

_TEXT = dict(
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    vocab_size=128,
)

EXTRA: dict[str, dict[str, object]] = {
    "mixtral": dict(
        model_type="mixtral",
        architectures=["MixtralForCausalLM"],
        num_local_experts=4,
        num_experts_per_tok=2,
        **_TEXT,
    ),
    "qwen3_moe": dict(
        model_type="qwen3_moe",
        architectures=["Qwen3MoeForCausalLM"],
        num_experts=4,
        num_experts_per_tok=2,
        moe_intermediate_size=16,
        decoder_sparse_step=1,
        head_dim=8,
        **_TEXT,
    ),
    "llava": dict(
        model_type="llava",
        architectures=["LlavaForConditionalGeneration"],
        text_config=dict(model_type="llama", **_TEXT),
        vision_config=dict(
            model_type="clip_vision_model",
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            image_size=32,
            patch_size=8,
            projection_dim=32,
        ),
        image_token_index=127,
    ),
    "qwen2_vl": dict(
        model_type="qwen2_vl",
        architectures=["Qwen2VLForConditionalGeneration"],
        text_config=dict(
            model_type="qwen2_vl_text",
            rope_scaling={"type": "mrope", "mrope_section": [1, 1, 2]},
            **_TEXT,
        ),
        vision_config=dict(
            depth=2,
            embed_dim=32,
            hidden_size=32,
            num_heads=4,
            mlp_ratio=2,
            in_channels=3,
            patch_size=14,
            spatial_merge_size=2,
            temporal_patch_size=2,
        ),
    ),
}

#: The architectures the issue names, all tiny: 6 text models, a MoE and two VLMs.
ARCHS: dict[str, dict[str, object]] = {
    **{k: dict(TINY[k]) for k in ("llama", "phi3", "gpt2", "falcon", "t5", "bert")},
    **EXTRA,
}


def inventory_of(model: Any, model_type: str = "custom") -> Any:
    """The inventory of an arbitrary ``nn.Module``, as ``build_inventory`` records one."""
    from lora_lint.models import inventory as inv
    from lora_lint.models.build import module_infos

    return inv.ModelInventory(
        model_id=model_type,
        model_type=model_type,
        class_name=type(model).__name__,
        modules=module_infos(model),
        total_params=sum(p.numel() for p in model.parameters()),
    )
