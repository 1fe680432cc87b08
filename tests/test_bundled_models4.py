"""Bundled configs added from verified public copies (fourth pass): the ids the ecosystem repos
load resolve offline to them, and the built models reproduce the published parameter totals.

Each anchor below is an exact published number (a safetensors total or a count printed by a
training run), so a single wrong shape in the bundled file fails the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.models.aliases import alias_target
from lora_lint.models.resolve import ModelResolver, ResolvedModel, ResolverSettings
from tests.test_bundled_configs import RAW, _instantiate, _n_params

# Ids seen unresolved in the ecosystem run -> the bundled architecture they resolve to offline.
RESOLVES = {
    "google/gemma-4-E4B-it": "google/gemma-4-E4B-it",
    "google/gemma-4-12B-it": "google/gemma-4-12B",
    "unsloth/gemma-4-12b-it": "google/gemma-4-12B",
    "google/gemma-4-E4B": "google/gemma-4-E4B-it",
    "unsloth/gemma-4-E4B-it": "google/gemma-4-E4B-it",
    "unsloth/gemma-4-E4B-it-unsloth-bnb-4bit": "google/gemma-4-E4B-it",
    "Qwen/Qwen3.5-4B": "Qwen/Qwen3.5-4B",
    "unsloth/Qwen3.5-4B": "Qwen/Qwen3.5-4B",
    "google/vit-base-patch16-224-in21k": "google/vit-base-patch16-224-in21k",
    "facebook/esm2_t6_8M_UR50D": "facebook/esm2_t6_8M_UR50D",
    "tiiuae/Falcon-H1-34B-Instruct": "tiiuae/Falcon-H1-34B-Instruct",
    "tiiuae/Falcon-H1-34B-Base": "tiiuae/Falcon-H1-34B-Instruct",
    # Qwen3.6-35B-A3B reuses the Qwen3.5-35B-A3B architecture (same qwen3_5_moe config shapes).
    "Qwen/Qwen3.6-35B-A3B": "Qwen/Qwen3.5-35B-A3B",
    "unsloth/Qwen3.6-35B-A3B": "Qwen/Qwen3.5-35B-A3B",
    "unsloth/csm-1b": "unsloth/csm-1b",
    "eustlb/csm-1b": "unsloth/csm-1b",
    "sesame/csm-1b": "unsloth/csm-1b",
    "zai-org/GLM-4-32B-0414": "zai-org/GLM-4-32B-0414",
    "THUDM/GLM-4-32B-0414": "zai-org/GLM-4-32B-0414",
    "zai-org/GLM-4.6V-Flash": "zai-org/GLM-4.6V-Flash",
    "tencent/Hunyuan-0.5B-Instruct": "tencent/Hunyuan-0.5B-Pretrain",
    "nvidia/Nemotron-Mini-4B-Instruct": "nvidia/Nemotron-Mini-4B-Instruct",
    "LiquidAI/LFM2-VL-450M": "LiquidAI/LFM2-VL-450M",
    "HuggingFaceTB/SmolVLM2-2.2B-Instruct": "HuggingFaceTB/SmolVLM2-2.2B-Instruct",
    "unsloth/Ministral-3-3B-Instruct-2512": "mistralai/Ministral-3-3B-Instruct-2512",
    "mistralai/Ministral-3-3B-Reasoning-2512": "mistralai/Ministral-3-3B-Instruct-2512",
    "mistral-community/pixtral-12b": "mistral-community/pixtral-12b",
    "microsoft/resnet-18": "microsoft/resnet-18",
    "unsloth/granite-4.0-h-micro": "ibm-granite/granite-4.0-h-micro-base",
    "ibm-granite/granite-4.0-h-micro": "ibm-granite/granite-4.0-h-micro-base",
    # Spark-TTS's LLM/ subfolder, loaded by the path snapshot_download gives it.
    "Spark-TTS-0.5B/LLM": "Spark-TTS-0.5B/LLM",
    "hf-internal-testing/tiny-random-LlamaForCausalLM": (
        "hf-internal-testing/tiny-random-LlamaForCausalLM"
    ),
    "trl-internal-testing/tiny-Qwen2ForCausalLM-2.5": (
        "trl-internal-testing/tiny-Qwen2ForCausalLM-2.5"
    ),
    # unsloth's llamafied re-upload: its own LlamaForCausalLM config, not microsoft's Phi3.
    "unsloth/Phi-3.5-mini-instruct": "unsloth/Phi-3.5-mini-instruct",
    "unsloth/phi-3.5-mini-instruct-bnb-4bit": "unsloth/Phi-3.5-mini-instruct",
    # Magistral Small 1.2 keeps the Mistral Small 3.1/3.2 architecture (same config shapes).
    "mistralai/Magistral-Small-2509": "mistralai/Mistral-Small-3.1-24B-Instruct-2503",
    "unsloth/Magistral-Small-2509": "mistralai/Mistral-Small-3.1-24B-Instruct-2503",
    "unsloth/Magistral-Small-2509-unsloth-bnb-4bit": (
        "mistralai/Mistral-Small-3.1-24B-Instruct-2503"
    ),
}


# Tiny test checkpoints of another organisation have their own sizes: never an alias.
NOT_ALIASED = [
    "trl-internal-testing/tiny-random-LlamaForCausalLM",
    "peft-internal-testing/tiny-random-LlamaForCausalLM",
]


@pytest.mark.parametrize("name", NOT_ALIASED)
def test_other_organisations_tiny_checkpoints_are_not_aliased(tmp_path: Path, name: str) -> None:
    assert alias_target(name) is None
    resolver = ModelResolver(ResolverSettings(project_root=tmp_path, offline=True))
    assert not isinstance(resolver.resolve(name), ResolvedModel)


@pytest.mark.parametrize(("name", "expected"), sorted(RESOLVES.items()))
def test_ids_resolve_offline(tmp_path: Path, name: str, expected: str) -> None:
    resolver = ModelResolver(ResolverSettings(project_root=tmp_path, offline=True))
    result = resolver.resolve(name)
    assert isinstance(result, ResolvedModel), name
    assert result.model_id == expected
    assert result.how.startswith("bundled offline config")


def _gemma4_shared_kv_weights(file: str) -> int:
    """Weights a Gemma 4 checkpoint stores for its KV-shared layers but transformers does not
    build (those layers reuse an earlier layer's cache): k_proj, v_proj and k_norm, plus one
    ``layer_scalar`` buffer per layer."""
    text = RAW[file]["config"]["text_config"]
    layers = text["num_hidden_layers"]
    total = layers  # layer_scalar
    for kind in text["layer_types"][layers - text["num_kv_shared_layers"] :]:
        head_dim = text["global_head_dim"] if kind == "full_attention" else text["head_dim"]
        total += 2 * text["hidden_size"] * text["num_key_value_heads"] * head_dim + head_dim
    return total


def _qwen3_5_mtp_layer(file: str) -> int:
    """The multi-token-prediction layer a Qwen3.5 checkpoint stores and transformers does not
    build: one gated full-attention decoder layer, its MLP, the fc joining embedding and hidden
    state, and three norms."""
    text = RAW[file]["config"]["text_config"]
    h, d = text["hidden_size"], text["head_dim"]
    q, kv = text["num_attention_heads"] * d, text["num_key_value_heads"] * d
    attention = h * 2 * q + 2 * h * kv + q * h + 2 * d  # gated q_proj, k/v, o, q/k norms
    return attention + 3 * h * text["intermediate_size"] + 2 * h + 2 * h * h + 3 * h


# file -> exact published total and a function adding what the checkpoint holds beyond the
# parameters transformers builds.
EXACT_TOTALS = {
    # BF16 safetensors totals of the Hub repos (stored hub listing).
    "google--gemma-4-E2B-it.json": (5_123_178_051, _gemma4_shared_kv_weights),
    "google--gemma-4-E4B-it.json": (7_996_156_490, _gemma4_shared_kv_weights),
    # google/gemma-4-12B-it's total; the checkpoint adds one layer_scalar buffer per layer.
    "google--gemma-4-12B.json": (
        11_959_730_224,
        lambda file: RAW[file]["config"]["text_config"]["num_hidden_layers"],
    ),
    "Qwen--Qwen3.5-4B.json": (4_659_865_088, _qwen3_5_mtp_layer),
    # Hub size recorded next to the stored config snapshot.
    "tencent--Hunyuan-0.5B-Pretrain.json": (539_010_048, lambda file: 0),
    "trl-internal-testing--tiny-Qwen2ForCausalLM-2.5.json": (2_428_632, lambda file: 0),
    # total_size / 2 of the bf16 merged copy's model.safetensors.index.json.
    "unsloth--Phi-3.5-mini-instruct.json": (3_821_079_552, lambda file: 0),
    # mistralai/Magistral-Small-2509's total; the checkpoint stores lm_head separately, while
    # transformers' Mistral3Config ties it to the embedding by default.
    "mistralai--Mistral-Small-3.1-24B-Instruct-2503.json": (
        24_011_361_280,
        lambda file: (
            RAW[file]["config"]["text_config"]["vocab_size"]
            * RAW[file]["config"]["text_config"]["hidden_size"]
        ),
    ),
}


@pytest.mark.torch
@pytest.mark.parametrize("file", sorted(EXACT_TOTALS))
def test_exact_published_totals(file: str) -> None:
    expected, extra = EXACT_TOTALS[file]
    _, model = _instantiate(file)
    assert _n_params(model) + extra(file) == expected, file


# Published sizes given to fewer digits (model cards, papers).
PARAM_ANCHORS = {
    "google--vit-base-patch16-224-in21k.json": 86e6,  # ViT-Base/16, ViTModel with its pooler
    "zai-org--GLM-4.6V-Flash.json": 10.29e9,  # the GLM-4.1V-9B architecture (its anchor)
    "LiquidAI--LFM2-VL-450M.json": 450e6,
    "HuggingFaceTB--SmolVLM2-2.2B-Instruct.json": 2.25e9,  # "2.2B"
    "mistralai--Ministral-3-3B-Instruct-2512.json": 3.85e9,  # card: 3.4B LM + 0.4B vision
    "microsoft--resnet-18.json": 11.69e6,  # ResNet-18 with its 1000-class head
}


@pytest.mark.torch
@pytest.mark.parametrize("file", sorted(PARAM_ANCHORS))
def test_parameter_count_anchors(file: str) -> None:
    _, model = _instantiate(file)
    assert _n_params(model) == pytest.approx(PARAM_ANCHORS[file], rel=0.01), file


@pytest.mark.torch
def test_esm2_8m_attention_and_ffn_shapes() -> None:
    """ESM-2 8M: 6 layers of BERT-style attention (query/key/value/dense) on a 320-wide stream
    with a 4x FFN; LoRA configs target these names."""
    torch = pytest.importorskip("torch")
    _, model = _instantiate("facebook--esm2_t6_8M_UR50D.json")
    linear = {n: m for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    query = linear["esm.encoder.layer.5.attention.self.query"]
    assert (query.in_features, query.out_features) == (320, 320)
    ffn = linear["esm.encoder.layer.0.intermediate.dense"]
    assert (ffn.in_features, ffn.out_features) == (320, 1280)
    assert not any(".layer.6." in n for n in linear)


@pytest.mark.torch
def test_csm_projection_names_span_backbone_depth_decoder_and_codec() -> None:
    """CSM runs a Llama-style backbone, a 4-layer depth decoder and the Mimi codec's
    transformers, all with q_proj/k_proj/v_proj/o_proj: a bare ``q_proj`` adapts all three."""
    torch = pytest.importorskip("torch")
    _, model = _instantiate("unsloth--csm-1b.json")
    q_proj = [n for n, m in model.named_modules() if n.endswith(".q_proj")]
    assert isinstance(
        model.get_submodule("backbone_model.layers.15.self_attn.q_proj"), torch.nn.Linear
    )
    assert sum(n.startswith("backbone_model.layers.") for n in q_proj) == 16
    assert sum(n.startswith("depth_decoder.model.layers.") for n in q_proj) == 4
    assert any(n.startswith("codec_model.") for n in q_proj)


@pytest.mark.torch
def test_granite_4_h_micro_attention_only_at_its_four_attention_layers() -> None:
    """Granite 4.0 H Micro: Mamba-2 mixers everywhere except layers 5/15/25/35, whose attention
    has q_proj; every layer has the shared MLP (input_linear/output_linear), no gate_proj."""
    torch = pytest.importorskip("torch")
    _, model = _instantiate("ibm-granite--granite-4.0-h-micro-base.json")
    linear = {n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    attention = sorted(int(n.split(".")[2]) for n in linear if n.endswith(".self_attn.q_proj"))
    assert attention == [5, 15, 25, 35]
    assert "model.layers.0.mamba.in_proj" in linear
    assert "model.layers.39.shared_mlp.input_linear" in linear
    assert not any(n.endswith("gate_proj") for n in linear)


@pytest.mark.torch
def test_unsloth_phi_3_5_is_llamafied() -> None:
    """unsloth/Phi-3.5-mini-instruct splits Phi-3's fused projections: LoRA targets q_proj/k_proj/
    v_proj and gate_proj/up_proj there, while microsoft's checkpoint has qkv_proj/gate_up_proj."""
    torch = pytest.importorskip("torch")
    _, model = _instantiate("unsloth--Phi-3.5-mini-instruct.json")
    linear = {n: m for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    k_proj = linear["model.layers.31.self_attn.k_proj"]
    assert (k_proj.in_features, k_proj.out_features) == (3072, 3072)
    gate = linear["model.layers.0.mlp.gate_proj"]
    assert (gate.in_features, gate.out_features) == (3072, 8192)
    assert not any(n.endswith(("qkv_proj", "gate_up_proj")) for n in linear)
    assert alias_target("unsloth/Phi-3.5-mini-instruct") is None  # never microsoft's Phi3 tree


@pytest.mark.torch
def test_unsloth_phi_3_5_lora_count_matches_unsloths_notebook() -> None:
    """unsloth's Phi-3.5 notebook (LoRA r=16 on q/k/v/o/gate/up/down_proj) prints 29,884,416
    trainable parameters."""
    torch = pytest.importorskip("torch")
    _, model = _instantiate("unsloth--Phi-3.5-mini-instruct.json")
    targets = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
    lora = sum(
        16 * (m.in_features + m.out_features)
        for n, m in model.named_modules()
        if isinstance(m, torch.nn.Linear) and n.rsplit(".", 1)[-1] in targets
    )
    assert lora == 29_884_416
