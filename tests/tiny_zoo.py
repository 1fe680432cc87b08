"""Tiny configs of 20 architectures for the PEFT differential tests (meta device only)."""

from __future__ import annotations

from tests.tiny_models import TINY

_TEXT = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, vocab_size=128)

ZOO: dict[str, dict[str, object]] = {
    **{k: dict(v) for k, v in TINY.items()},
    "gemma3_text": dict(model_type="gemma3_text", architectures=["Gemma3ForCausalLM"], head_dim=8,
                        **_TEXT),
    "phi": dict(model_type="phi", architectures=["PhiForCausalLM"], hidden_size=32,
                intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, vocab_size=128),
    "mixtral": dict(model_type="mixtral", architectures=["MixtralForCausalLM"], num_local_experts=4,
                    num_experts_per_tok=2, **_TEXT),
    "qwen2_moe": dict(model_type="qwen2_moe", architectures=["Qwen2MoeForCausalLM"], num_experts=4,
                      num_experts_per_tok=2, moe_intermediate_size=16,
                      shared_expert_intermediate_size=32, decoder_sparse_step=1, **_TEXT),
    "qwen3_moe": dict(model_type="qwen3_moe", architectures=["Qwen3MoeForCausalLM"], num_experts=4,
                      num_experts_per_tok=2, moe_intermediate_size=16, decoder_sparse_step=1,
                      head_dim=8, **_TEXT),
    "deepseek_v3": dict(model_type="deepseek_v3", architectures=["DeepseekV3ForCausalLM"],
                        hidden_size=32, intermediate_size=64, moe_intermediate_size=16,
                        num_hidden_layers=3, first_k_dense_replace=1, num_attention_heads=4,
                        num_key_value_heads=4, n_routed_experts=4, n_shared_experts=1,
                        num_experts_per_tok=2, n_group=1, topk_group=1, q_lora_rank=16,
                        kv_lora_rank=16, qk_rope_head_dim=8, qk_nope_head_dim=8, v_head_dim=8,
                        vocab_size=128),
    "gpt_oss": dict(model_type="gpt_oss", architectures=["GptOssForCausalLM"], hidden_size=32,
                    intermediate_size=32, num_hidden_layers=2, num_attention_heads=4,
                    num_key_value_heads=2, head_dim=8, num_local_experts=4,
                    num_experts_per_tok=2, vocab_size=128,
                    layer_types=["sliding_attention", "full_attention"]),
    "llama4_text": dict(model_type="llama4_text", architectures=["Llama4ForCausalLM"],
                        hidden_size=32, intermediate_size=32, intermediate_size_mlp=64,
                        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                        head_dim=8, num_local_experts=4, num_experts_per_tok=1, vocab_size=128,
                        interleave_moe_layer_step=1),
    "llava": dict(
        model_type="llava", architectures=["LlavaForConditionalGeneration"],
        text_config=dict(model_type="llama", **_TEXT),
        vision_config=dict(model_type="clip_vision_model", hidden_size=32, intermediate_size=64,
                           num_hidden_layers=2, num_attention_heads=4, image_size=32,
                           patch_size=8, projection_dim=32),
        image_token_index=127,
    ),
    "qwen2_vl": dict(
        model_type="qwen2_vl", architectures=["Qwen2VLForConditionalGeneration"],
        text_config=dict(model_type="qwen2_vl_text", rope_scaling={"type": "mrope", "mrope_section": [1, 1, 2]}, **_TEXT),
        vision_config=dict(depth=2, embed_dim=32, hidden_size=32, num_heads=4, mlp_ratio=2,
                           in_channels=3, patch_size=14, spatial_merge_size=2,
                           temporal_patch_size=2),
    ),
}
