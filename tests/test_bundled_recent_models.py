"""Base models people fine-tune now (issue #13): the ids the ecosystem repos load resolve offline
to the right bundled architecture, and the hybrid/MoE module trees LoRA targets depend on are
the ones transformers builds.

The generic checks (entry shape, meta instantiation, config round trip) run for every bundled
file in test_bundled_configs.py; this module pins what is specific to the recent families.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.models.aliases import alias_target
from lora_lint.models.resolve import (
    ModelResolver,
    ResolutionFailure,
    ResolvedModel,
    ResolverSettings,
)
from tests.test_bundled_configs import RAW, _instantiate, _n_params

# Ids seen unresolved in the ecosystem run (unslothai/notebooks, axolotl examples) -> the bundled
# architecture they must resolve to with no Hub access.
RESOLVES = {
    "unsloth/Nemotron-3-Nano-30B-A3B": "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16",
    "unsloth/DeepSeek-R1-0528-Qwen3-8B": "Qwen/Qwen3-8B",
    "deepseek-ai/DeepSeek-R1-0528-Qwen3-8B": "Qwen/Qwen3-8B",
    "unsloth/DeepSeek-R1-0528-Qwen3-8B-unsloth-bnb-4bit": "Qwen/Qwen3-8B",
    "unsloth/functiongemma-270m-it": "google/gemma-3-270m",
    "unsloth/gemma-3-270m-it": "google/gemma-3-270m",
    "google/gemma-3-270m-it-bnb-4bit": "google/gemma-3-270m",
    "unsloth/Falcon-H1-0.5B-Instruct": "tiiuae/Falcon-H1-0.5B-Instruct",
    "tiiuae/Falcon-H1-0.5B-Instruct": "tiiuae/Falcon-H1-0.5B-Instruct",
    "tiiuae/Falcon-H1-0.5B-Base": "tiiuae/Falcon-H1-0.5B-Instruct",
    "unsloth/LFM2.5-1.2B-Instruct": "LiquidAI/LFM2-1.2B",
    "LiquidAI/LFM2.5-1.2B-Base": "LiquidAI/LFM2-1.2B",
    "unsloth/ERNIE-4.5-21B-A3B-PT": "baidu/ERNIE-4.5-21B-A3B-PT",
    "unsloth/GLM-4.7-Flash": "zai-org/GLM-4.7-Flash",
    "zai-org/GLM-4.7-Flash": "zai-org/GLM-4.7-Flash",
    "zai-org/GLM-4.5-Air": "zai-org/GLM-4.5-Air",
    "MiniMaxAI/MiniMax-M2": "MiniMaxAI/MiniMax-M2",
    "unsloth/tinyllama-bnb-4bit": "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
    "mistralai/Mistral-7B-Instruct-v0.2": "mistralai/Mistral-7B-v0.1",
    "mistralai/Voxtral-Mini-3B-2507": "mistralai/Voxtral-Mini-3B-2507",
    "ibm-granite/granite-3.3-8b-instruct": "ibm-granite/granite-3.3-8b-instruct",
    "unsloth/granite-3.3-8b-instruct-bnb-4bit": "ibm-granite/granite-3.3-8b-instruct",
    # NVFP4 re-uploads keep the architecture of the model they quantize.
    "nvidia/Qwen3-30B-A3B-NVFP4": "Qwen/Qwen3-30B-A3B",
    "nvidia/Qwen3-Next-80B-A3B-Instruct-NVFP4": "Qwen/Qwen3-Next-80B-A3B-Instruct",
    "nvidia/Gemma-4-26B-A4B-NVFP4": "google/gemma-4-26B-A4B-it",
    # Second ecosystem pass: speech, encoder and older base models.
    "openai/whisper-large": "openai/whisper-large",
    "openai/whisper-large-v2": "openai/whisper-large",
    "unsloth/whisper-large-v3": "openai/whisper-large-v3",
    "openai/whisper-large-v3": "openai/whisper-large-v3",
    "unsloth/Mistral-Small-Instruct-2409": "mistralai/Mistral-Small-Instruct-2409",
    "unsloth/ModernBERT-large": "answerdotai/ModernBERT-large",
    "huggyllama/llama-7b": "huggyllama/llama-7b",
    "openlm-research/open_llama_3b_v2": "openlm-research/open_llama_3b_v2",
    "unsloth/orpheus-3b-0.1-ft": "canopylabs/orpheus-3b-0.1-ft",
    "unsloth/Llama-OuteTTS-1.0-1B": "OuteAI/Llama-OuteTTS-1.0-1B",
    # Third pass: ids real LoRA configs load, each bundled from verified config values.
    "01-ai/Yi-34B-Chat": "01-ai/Yi-34B-Chat",
    "01-ai/Yi-34B": "01-ai/Yi-34B-Chat",
    "mistralai/Ministral-8B-Instruct-2410": "mistralai/Ministral-8B-Instruct-2410",
    "allenai/Olmo-3-7B-Instruct-SFT": "allenai/Olmo-3-1025-7B",
    "swiss-ai/Apertus-8B-Instruct-2509": "swiss-ai/Apertus-8B-Instruct-2509",
    "swiss-ai/Apertus-8B-2509": "swiss-ai/Apertus-8B-Instruct-2509",
    "arcee-ai/AFM-4.5B": "arcee-ai/AFM-4.5B",
    "arcee-ai/AFM-4.5B-Base": "arcee-ai/AFM-4.5B",
    "LiquidAI/LFM2-8B-A1B": "LiquidAI/LFM2-8B-A1B",
    "ai21labs/AI21-Jamba-1.5-Large": "ai21labs/AI21-Jamba-1.5-Large",
    "tiiuae/Falcon-H1-1.5B-Base": "tiiuae/Falcon-H1-1.5B-Base",
    "tiiuae/Falcon-H1-1.5B-Instruct": "tiiuae/Falcon-H1-1.5B-Base",
    "tiiuae/Falcon-H1-3B-Base": "tiiuae/Falcon-H1-3B-Base",
    "tiiuae/Falcon-H1-3B-Instruct": "tiiuae/Falcon-H1-3B-Base",
    "tiiuae/Falcon-H1-7B-Base": "tiiuae/Falcon-H1-7B-Base",
    "tiiuae/Falcon-H1-7B-Instruct": "tiiuae/Falcon-H1-7B-Base",
    "moonshotai/Kimi-Linear-48B-A3B-Instruct": "moonshotai/Kimi-Linear-48B-A3B-Instruct",
    "arcee-ai/Trinity-Nano-Preview": "arcee-ai/Trinity-Nano-Preview",
    "bigscience/mt0-small": "bigscience/mt0-small",
    "google/mt5-small": "bigscience/mt0-small",
    "nvidia/mit-b0": "nvidia/mit-b0",
    "cerebras/Cerebras-GPT-1.3B": "cerebras/Cerebras-GPT-1.3B",
    "togethercomputer/RedPajama-INCITE-Chat-3B-v1": "togethercomputer/RedPajama-INCITE-Chat-3B-v1",
    "togethercomputer/RedPajama-INCITE-Base-3B-v1": "togethercomputer/RedPajama-INCITE-Chat-3B-v1",
    "mosaicml/mpt-7b": "mosaicml/mpt-7b",
    "mosaicml/mpt-7b-instruct": "mosaicml/mpt-7b",
}

# Re-uploads whose module tree differs from the bundled model of the same name stay unresolved.
NOT_ALIASED = [
    "unsloth/Phi-4",  # "Llama-fied": q/k/v_proj and gate/up_proj instead of qkv_proj, gate_up_proj
    "unsloth/Phi-3-medium-4k-instruct",  # (unsloth/Phi-3.5-mini-instruct has its own config)
    "axolotl-quants/Llama-4-Scout-17B-16E-Linearized-bnb-nf4-bf16",  # experts split into Linears
]


def _resolver(root: Path) -> ModelResolver:
    return ModelResolver(ResolverSettings(project_root=root, offline=True))


@pytest.mark.parametrize(("name", "expected"), sorted(RESOLVES.items()))
def test_ecosystem_ids_resolve_offline(tmp_path: Path, name: str, expected: str) -> None:
    result = _resolver(tmp_path).resolve(name)
    assert isinstance(result, ResolvedModel), name
    assert result.model_id == expected
    assert result.how.startswith("bundled offline config")


@pytest.mark.parametrize("name", NOT_ALIASED)
def test_converted_reuploads_are_not_aliased(tmp_path: Path, name: str) -> None:
    assert alias_target(name) is None
    assert isinstance(_resolver(tmp_path).resolve(name), ResolutionFailure)


def test_nvfp4_suffix_is_stripped_only_as_a_suffix() -> None:
    assert alias_target("nvidia/Qwen3-30B-A3B-NVFP4") == "Qwen/Qwen3-30B-A3B"
    assert alias_target("nvidia/NVFP4-Qwen3-30B-A3B") is None


# Published totals (model cards); tied embeddings counted once, MTP layers not built.
PARAM_ANCHORS = {
    "google--gemma-3-270m.json": 268e6,
    "LiquidAI--LFM2-1.2B.json": 1.17e9,
    "TinyLlama--TinyLlama-1.1B-Chat-v1.0.json": 1.1e9,
    "zai-org--GLM-4.5-Air.json": 106e9,
    "MiniMaxAI--MiniMax-M2.json": 230e9,
    "ibm-granite--granite-3.3-8b-instruct.json": 8.17e9,
    "mistralai--Voxtral-Mini-3B-2507.json": 4.68e9,
    "openai--whisper-large-v3.json": 1.55e9,
    "openai--whisper-large.json": 1.55e9,
    "answerdotai--ModernBERT-large.json": 395e6,  # encoder without a head
    "mistralai--Mistral-Small-Instruct-2409.json": 22e9,  # built without lm_head
    "huggyllama--llama-7b.json": 6.7e9,
    "ai21labs--AI21-Jamba-1.5-Large.json": 398e9,  # 94B active / 398B total
    "mistralai--Ministral-8B-Instruct-2410.json": 7.48e9,  # 8.0B less the 0.54B lm_head
    "tiiuae--Falcon-H1-1.5B-Base.json": 1.55e9,  # measured 1.6B on the loaded checkpoint
    "tiiuae--Falcon-H1-3B-Base.json": 3.15e9,  # measured 3.1B on the loaded checkpoint
    "cerebras--Cerebras-GPT-1.3B.json": 1.316e9,
    "togethercomputer--RedPajama-INCITE-Chat-3B-v1.json": 2.65e9,  # 2.8B less embed_out
    "mosaicml--mpt-7b.json": 6.7e9,
}


@pytest.mark.torch
@pytest.mark.parametrize("file", sorted(PARAM_ANCHORS))
def test_parameter_count_anchors(file: str) -> None:
    _, model = _instantiate(file)
    assert _n_params(model) == pytest.approx(PARAM_ANCHORS[file], rel=0.01), file


def _linear_names(file: str) -> set[str]:
    torch = pytest.importorskip("torch")
    _, model = _instantiate(file)
    return {n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}


@pytest.mark.torch
def test_falcon_h1_runs_mamba_attention_and_mlp_in_every_layer() -> None:
    """Falcon-H1 is a parallel hybrid: each of the 36 layers has a Mamba-2 mixer (in_proj sized
    from mamba_d_ssm), an attention block and a gated MLP, so ``in_proj`` adapts every layer."""
    file = "tiiuae--Falcon-H1-0.5B-Instruct.json"
    names = _linear_names(file)
    for suffix in ("mamba.in_proj", "mamba.out_proj", "self_attn.q_proj", "feed_forward.gate_proj"):
        assert sum(n.endswith(suffix) for n in names) == 36, suffix
    torch = pytest.importorskip("torch")
    _, model = _instantiate(file)
    in_proj = model.get_submodule("model.layers.0.mamba.in_proj")
    assert isinstance(in_proj, torch.nn.Linear)
    # 2 * d_ssm (x, z) + 2 * groups * d_state (B, C) + heads (dt) = 3072 + 256 + 24
    assert (in_proj.in_features, in_proj.out_features) == (1024, 3352)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("file", "layers"),
    [("arcee-ai--AFM-4.5B.json", 36), ("swiss-ai--Apertus-8B-Instruct-2509.json", 32)],
)
def test_non_gated_mlp_has_no_gate_proj(file: str, layers: int) -> None:
    """AFM (relu2) and Apertus (xIELU) use a two-projection MLP: a LoRA config listing the Llama
    ``gate_proj`` matches nothing there, while up/down_proj exist in every layer."""
    names = _linear_names(file)
    assert not any(n.endswith("gate_proj") for n in names)
    for suffix in ("mlp.up_proj", "mlp.down_proj", "self_attn.q_proj"):
        assert sum(n.endswith(suffix) for n in names) == layers, suffix


@pytest.mark.torch
@pytest.mark.parametrize(
    ("file", "layers", "in_out"),
    [
        ("tiiuae--Falcon-H1-1.5B-Base.json", 24, (2048, 6704)),
        ("tiiuae--Falcon-H1-3B-Base.json", 32, (2560, 8736)),
        ("tiiuae--Falcon-H1-7B-Base.json", 44, (3072, 6680)),
    ],
)
def test_falcon_h1_in_proj_is_sized_from_mamba_d_ssm(
    file: str, layers: int, in_out: tuple[int, int]
) -> None:
    """in_proj = 2 * d_ssm + 2 * groups * d_state + Mamba heads; a missing mamba_d_ssm would make
    transformers size it from mamba_expand * hidden_size instead."""
    torch = pytest.importorskip("torch")
    names = _linear_names(file)
    assert sum(n.endswith("mamba.in_proj") for n in names) == layers
    _, model = _instantiate(file)
    in_proj = model.get_submodule("model.layers.0.mamba.in_proj")
    assert isinstance(in_proj, torch.nn.Linear)
    assert (in_proj.in_features, in_proj.out_features) == in_out


@pytest.mark.torch
def test_lfm2_conv_and_attention_layers() -> None:
    """LFM2 mixes short-convolution blocks (conv.in_proj/out_proj) with GQA blocks
    (self_attn.q_proj/.../out_proj) at the positions ``layer_types`` names; the MLP is w1/w2/w3."""
    file = "LiquidAI--LFM2-1.2B.json"
    layer_types = RAW[file]["config"]["layer_types"]
    names = _linear_names(file)
    attention = sorted(int(n.split(".")[2]) for n in names if n.endswith(".self_attn.q_proj"))
    assert attention == [i for i, t in enumerate(layer_types) if t == "full_attention"]
    assert attention == [2, 5, 8, 10, 12, 14]
    conv = sorted(int(n.split(".")[2]) for n in names if n.endswith(".conv.in_proj"))
    assert conv == [i for i, t in enumerate(layer_types) if t == "conv"]
    assert "model.layers.2.self_attn.out_proj" in names
    assert sum(n.endswith("feed_forward.w1") for n in names) == 16


@pytest.mark.torch
def test_glm_4_7_flash_latent_attention_and_moe() -> None:
    """GLM-4.7-Flash uses MLA (no q_proj/k_proj/v_proj) and a dense first layer before MoE."""
    names = _linear_names("zai-org--GLM-4.7-Flash.json")
    assert not any(n.endswith(("self_attn.q_proj", "self_attn.k_proj")) for n in names)
    assert sum(n.endswith("self_attn.q_a_proj") for n in names) == 47
    assert "model.layers.0.self_attn.kv_a_proj_with_mqa" in names
    assert "model.layers.0.mlp.gate_proj" in names  # first_k_dense_replace = 1
    assert "model.layers.1.mlp.shared_experts.gate_proj" in names
    assert "model.layers.1.mlp.gate_proj" not in names


@pytest.mark.torch
@pytest.mark.parametrize(
    ("file", "layers"),
    [
        ("baidu--ERNIE-4.5-21B-A3B-PT.json", 28),
        ("zai-org--GLM-4.5-Air.json", 46),
        ("moonshotai--Kimi-Linear-48B-A3B-Instruct.json", 27),
    ],
)
def test_dense_first_layer_then_shared_experts(file: str, layers: int) -> None:
    names = _linear_names(file)
    assert sum(n.endswith("self_attn.q_proj") for n in names) == layers
    assert "model.layers.0.mlp.down_proj" in names
    assert sum(n.endswith("mlp.shared_experts.down_proj") for n in names) == layers - 1


@pytest.mark.torch
def test_trinity_gate_proj_also_names_the_attention_gate() -> None:
    """AFMoE gates attention output with ``self_attn.gate_proj``: an unscoped ``gate_proj`` adapts
    all 56 attention gates, the 2 dense MLPs and the shared experts, never the routed experts."""
    names = _linear_names("arcee-ai--Trinity-Nano-Preview.json")
    assert sum(n.endswith("self_attn.gate_proj") for n in names) == 56
    assert sum(n.endswith(".mlp.gate_proj") for n in names) == 2
    assert sum(n.endswith("mlp.shared_experts.gate_proj") for n in names) == 54
    assert "model.layers.2.mlp.router.gate" in names


@pytest.mark.torch
def test_segformer_b0_attention_uses_the_installed_projection_names() -> None:
    """MiT-b0 has 8 attention blocks (depths 2, 2, 2, 2); transformers 5 names their Linears
    q/k/v/o_proj, so a LoRA config written for older releases' ``query``/``value`` matches none."""
    names = _linear_names("nvidia--mit-b0.json")
    for suffix in ("attention.q_proj", "attention.v_proj", "mlp.fc1"):
        assert sum(n.endswith(suffix) for n in names) == 8, suffix
    assert not any(n.endswith(("query", "value")) for n in names)
    assert "classifier" in names


@pytest.mark.torch
def test_gemma_3_270m_is_text_only() -> None:
    names = _linear_names("google--gemma-3-270m.json")
    assert sum(n.endswith("self_attn.q_proj") for n in names) == 18
    assert not any("vision" in n for n in names)
    assert "model.layers.17.mlp.down_proj" in names


@pytest.mark.torch
def test_voxtral_audio_tower_shares_projection_names() -> None:
    """Voxtral's Whisper-style audio encoder uses the same q/k/v projection names as the Llama
    text model, so an unscoped ``q_proj`` adapts 32 audio layers as well as the 30 text layers."""
    names = _linear_names("mistralai--Voxtral-Mini-3B-2507.json")
    audio = [n for n in names if n.startswith("model.audio_tower.") and n.endswith(".q_proj")]
    text = [n for n in names if n.startswith("model.language_model.") and n.endswith(".q_proj")]
    assert (len(audio), len(text)) == (32, 30)
    assert "model.multi_modal_projector.linear_1" in names


@pytest.mark.torch
@pytest.mark.parametrize("file", ["openai--whisper-large.json", "openai--whisper-large-v3.json"])
def test_whisper_encoder_decoder_attention(file: str) -> None:
    """Whisper large has 32 encoder and 32 decoder layers; the decoder's cross-attention
    (encoder_attn) is also named q_proj/k_proj/v_proj/out_proj, so a bare ``q_proj`` adapts
    96 Linears, and the mel-bin count (80 vs 128) only changes conv1."""
    torch = pytest.importorskip("torch")
    names = _linear_names(file)
    assert sum(n.endswith(".self_attn.q_proj") for n in names) == 64
    assert sum(n.endswith(".encoder_attn.q_proj") for n in names) == 32
    assert "model.decoder.layers.31.encoder_attn.out_proj" in names
    _, model = _instantiate(file)
    conv1 = model.get_submodule("model.encoder.conv1")
    assert isinstance(conv1, torch.nn.Conv1d)
    assert conv1.in_channels == RAW[file]["config"]["num_mel_bins"]


@pytest.mark.torch
def test_modernbert_large_fused_attention() -> None:
    """ModernBERT fuses the attention input projection (attn.Wqkv) and the GLU input (mlp.Wi):
    there is no q_proj/query to target."""
    names = _linear_names("answerdotai--ModernBERT-large.json")
    assert sum(n.endswith(".attn.Wqkv") for n in names) == 28
    assert sum(n.endswith(".mlp.Wi") for n in names) == 28
    assert not any(n.endswith(("q_proj", "query")) for n in names)
