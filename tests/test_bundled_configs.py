"""The bundled offline base-model configs: data shape, lookup API, and meta-device instantiation.

The instantiation tests build every bundled architecture on the meta device and compare parameter
counts with the published sizes. A wrong ``intermediate_size``, ``num_key_value_heads`` or
``vocab_size`` in a bundled file shows up here as a parameter-count mismatch, so keep these anchors.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest

from lora_lint.models import bundled
from lora_lint.models.bundled import BundledModel, all_models, all_names, lookup, normalize_name

CONFIG_DIR = resources.files("lora_lint.models.bundled").joinpath("configs")
RAW: dict[str, dict[str, Any]] = {
    p.name: json.loads(p.read_text(encoding="utf-8"))
    for p in sorted(CONFIG_DIR.iterdir(), key=lambda p: p.name)
    if p.name.endswith(".json")
}
FILES = sorted(RAW)
#: Entries of a diffusers component (``_class_name``, no ``model_type``), built by diffusers:
#: tests/test_bundled_diffusion_models.py checks them.
DIFFUSERS_FILES = [f for f in FILES if "_class_name" in RAW[f]["config"]]
TRANSFORMERS_FILES = [f for f in FILES if f not in DIFFUSERS_FILES]
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")

# Coverage the bundle promises (canonical id or official variant).
REQUIRED = [
    "meta-llama/Llama-2-7b-hf",
    "meta-llama/Llama-2-7b-chat-hf",
    "meta-llama/Llama-2-13b-hf",
    "meta-llama/Llama-2-13b-chat-hf",
    "meta-llama/Llama-2-70b-hf",
    "meta-llama/Llama-2-70b-chat-hf",
    "meta-llama/Meta-Llama-3-8B",
    "meta-llama/Meta-Llama-3-8B-Instruct",
    "meta-llama/Meta-Llama-3-70B",
    "meta-llama/Meta-Llama-3-70B-Instruct",
    "meta-llama/Llama-3.1-8B",
    "meta-llama/Llama-3.1-8B-Instruct",
    "meta-llama/Llama-3.1-70B",
    "meta-llama/Llama-3.1-70B-Instruct",
    "meta-llama/Llama-3.2-1B",
    "meta-llama/Llama-3.2-1B-Instruct",
    "meta-llama/Llama-3.2-3B",
    "meta-llama/Llama-3.2-3B-Instruct",
    "meta-llama/Llama-3.3-70B-Instruct",
    "mistralai/Mistral-7B-v0.1",
    "mistralai/Mistral-7B-Instruct-v0.1",
    "mistralai/Mistral-7B-v0.3",
    "mistralai/Mistral-7B-Instruct-v0.3",
    "mistralai/Mixtral-8x7B-v0.1",
    "mistralai/Mixtral-8x7B-Instruct-v0.1",
    "mistralai/Mistral-Nemo-Base-2407",
    "mistralai/Mistral-Nemo-Instruct-2407",
    "Qwen/Qwen2-7B",
    "Qwen/Qwen2-7B-Instruct",
    *(
        f"Qwen/Qwen2.5-{s}{v}"
        for s in ("0.5B", "1.5B", "3B", "7B", "14B", "32B", "72B")
        for v in ("", "-Instruct")
    ),
    *(f"Qwen/Qwen3-{s}" for s in ("0.6B", "1.7B", "4B", "8B", "14B", "32B", "30B-A3B")),
    "google/gemma-2b",
    "google/gemma-2b-it",
    "google/gemma-7b",
    "google/gemma-7b-it",
    *(f"google/gemma-2-{s}{v}" for s in ("2b", "9b", "27b") for v in ("", "-it")),
    "google/gemma-3-1b-pt",
    "google/gemma-3-1b-it",
    "microsoft/phi-2",
    "microsoft/Phi-3-mini-4k-instruct",
    "microsoft/Phi-3-mini-128k-instruct",
    "microsoft/Phi-3.5-mini-instruct",
    "microsoft/phi-4",
    "tiiuae/falcon-7b",
    "tiiuae/falcon-7b-instruct",
    *(
        f"{org}{n}"
        for org in ("", "openai-community/")
        for n in ("gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl")
    ),
    *(f"facebook/opt-{s}" for s in ("125m", "350m", "1.3b", "2.7b", "6.7b")),
    *(
        f"EleutherAI/pythia-{s}"
        for s in ("70m", "160m", "410m", "1b", "1.4b", "2.8b", "6.9b", "12b")
    ),
    "EleutherAI/gpt-neox-20b",
    "bigscience/bloom-560m",
    *(f"HuggingFaceTB/SmolLM2-{s}{v}" for s in ("135M", "360M", "1.7B") for v in ("", "-Instruct")),
    "allenai/OLMo-2-1124-7B",
    "allenai/OLMo-2-1124-7B-Instruct",
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
    "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
    *(f"{org}t5-{s}" for org in ("", "google-t5/") for s in ("small", "base", "large")),
    *(f"google/flan-t5-{s}" for s in ("small", "base", "large")),
    *(
        f"{org}bert-{s}"
        for org in ("", "google-bert/")
        for s in ("base-uncased", "base-cased", "large-uncased", "large-cased")
    ),
    *(f"{org}roberta-{s}" for org in ("", "FacebookAI/") for s in ("base", "large")),
    "microsoft/deberta-v3-base",
    # Vision-language models
    "llava-hf/llava-1.5-7b-hf",
    "llava-hf/llava-1.5-13b-hf",
    "llava-hf/llava-v1.6-mistral-7b-hf",
    *(f"Qwen/Qwen2-VL-{s}{v}" for s in ("2B", "7B") for v in ("", "-Instruct")),
    "Qwen/Qwen2.5-VL-3B-Instruct",
    "Qwen/Qwen2.5-VL-7B-Instruct",
    "meta-llama/Llama-3.2-11B-Vision",
    "meta-llama/Llama-3.2-11B-Vision-Instruct",
    *(f"google/gemma-3-{s}-{v}" for s in ("4b", "12b", "27b") for v in ("pt", "it")),
    "google/paligemma-3b-pt-224",
    "google/paligemma2-3b-pt-224",
    "HuggingFaceTB/SmolVLM-256M-Instruct",
    "HuggingFaceTB/SmolVLM2-500M-Video-Instruct",
    # More text models
    "mistralai/Mistral-Small-24B-Base-2501",
    "mistralai/Mistral-Small-24B-Instruct-2501",
    "mistralai/Mixtral-8x22B-v0.1",
    "Qwen/Qwen1.5-7B",
    "Qwen/Qwen1.5-7B-Chat",
    "Qwen/Qwen3-235B-A22B",
    "Qwen/Qwen3-4B-Instruct-2507",
    "ibm-granite/granite-3.1-8b-instruct",
    "ibm-granite/granite-3.1-8b-base",
    "microsoft/Phi-3.5-MoE-instruct",
    "bigcode/starcoder2-7b",
    # Base models people fine-tune now (2025-2026 releases)
    *(
        f"Qwen/Qwen3-{s}-{v}-2507"
        for s in ("4B", "30B-A3B", "235B-A22B")
        for v in ("Instruct", "Thinking")
    ),
    "Qwen/Qwen3-Coder-480B-A35B-Instruct",
    "Qwen/Qwen3-Next-80B-A3B-Instruct",
    "Qwen/Qwen3-Next-80B-A3B-Thinking",
    *(f"Qwen/Qwen3.5-{s}" for s in ("35B-A3B", "122B-A10B", "397B-A17B")),
    *(f"Qwen/Qwen3-VL-{s}-{v}" for s in ("2B", "4B", "30B-A3B") for v in ("Instruct", "Thinking")),
    *(f"Qwen/Qwen3.5-{s}" for s in ("0.8B", "9B", "27B")),
    "HuggingFaceTB/SmolLM3-3B",
    "HuggingFaceTB/SmolLM3-3B-Base",
    "mistralai/Devstral-Small-2-24B-Instruct-2512",
    "mistralai/Devstral-2-123B-Instruct-2512",
    "allenai/Olmo-3.1-32B-Instruct",
    "deepseek-ai/DeepSeek-V3",
    "deepseek-ai/DeepSeek-V3-Base",
    "deepseek-ai/DeepSeek-R1",
    "deepseek-ai/DeepSeek-V3.1",
    "deepseek-ai/DeepSeek-V3.2",
    "LiquidAI/LFM2.5-VL-1.6B",
    "mistralai/Mistral-Small-3.1-24B-Instruct-2503",
    "mistralai/Mistral-Small-3.2-24B-Instruct-2506",
    "microsoft/Phi-4-reasoning",
    "microsoft/Phi-4-reasoning-plus",
    "google/gemma-4-E2B-it",
    "google/gemma-4-26B-A4B-it",
    "google/gemma-4-31B-it",
    "zai-org/GLM-4.1V-9B-Thinking",
    "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16",
    "microsoft/Phi-4-mini-instruct",
    "microsoft/Phi-4-mini-reasoning",
    *(f"Qwen/Qwen3-Embedding-{s}" for s in ("0.6B", "4B", "8B")),
    "LGAI-EXAONE/EXAONE-4.0-32B",
    "allenai/Olmo-3-1025-7B",
    "allenai/Olmo-3-7B-Instruct",
    "allenai/OLMo-2-1124-13B",
    "allenai/OLMo-2-0325-32B",
]


# Default vocab_size of a nested text config class, for files whose real text_config omits it.
NESTED_DEFAULT_VOCAB = {"gemma3_text": 262208}
# Image encoders read pixels, not tokens: their config.json has no vocabulary (nvidia/mit-b0,
# google/vit-base-patch16-224-in21k, microsoft/resnet-18).
VISION_ONLY = {"segformer", "vit", "resnet"}

# ----------------------------------------------------------------------------- data shape


def test_bundle_is_not_empty() -> None:
    assert len(FILES) >= 70


@pytest.mark.parametrize("file", FILES)
def test_entry_shape(file: str) -> None:
    entry = RAW[file]
    assert {"id", "ids", "mirrors", "source", "config"} <= set(entry), file
    assert set(entry) <= {"id", "ids", "mirrors", "source", "config", "remote_code"}, file
    assert entry.get("remote_code", True) is True, file  # present only to say so
    assert isinstance(entry["id"], str) and HUB_ID.match(entry["id"]), entry["id"]
    assert file == entry["id"].replace("/", "--") + ".json"
    for key in ("ids", "mirrors"):
        assert isinstance(entry[key], list)
        for name in entry[key]:
            assert isinstance(name, str) and HUB_ID.match(name), (file, name)
    assert isinstance(entry["source"], str) and entry["source"].strip()
    assert entry["source"].startswith("https://huggingface.co/"), entry["source"]
    config = entry["config"]
    assert isinstance(config, dict)
    if file in DIFFUSERS_FILES:
        assert "model_type" not in config and isinstance(config["_class_name"], str)
        return
    assert isinstance(config.get("model_type"), str)
    if "architectures" in config:  # deberta-v3-base's real config.json has none
        archs = config["architectures"]
        assert isinstance(archs, list) and archs and all(isinstance(a, str) for a in archs)
    vocab = config.get("vocab_size")
    text_config = config.get("text_config")
    if vocab is None and isinstance(text_config, dict):
        # Multimodal configs nest the language model exactly as the real config.json does; some
        # (gemma-3-4b-it) leave vocab_size to the text config class's default.
        assert isinstance(text_config.get("model_type"), str), file
        vocab = text_config.get("vocab_size", NESTED_DEFAULT_VOCAB.get(text_config["model_type"]))
    if config["model_type"] not in VISION_ONLY:
        assert isinstance(vocab, int) and vocab > 0, file
    for tok in ("pad_token_id", "bos_token_id", "eos_token_id"):
        ids = config.get(tok)
        for value in ids if isinstance(ids, list) else [ids]:
            assert value is None or 0 <= value < vocab, (file, tok, value)


def test_names_unique_across_files() -> None:
    owner: dict[str, str] = {}
    for file, entry in RAW.items():
        for name in [entry["id"], *entry["ids"], *entry["mirrors"]]:
            key = normalize_name(name)
            assert key not in owner, f"{name!r} is in both {owner[key]} and {file}"
            owner[key] = file


@pytest.mark.parametrize("name", REQUIRED)
def test_required_coverage(name: str) -> None:
    assert lookup(name) is not None, name


# ----------------------------------------------------------------------------- lookup API


def test_lookup_canonical_id() -> None:
    model = lookup("meta-llama/Llama-3.1-8B")
    assert isinstance(model, BundledModel)
    assert model.id == "meta-llama/Llama-3.1-8B"
    assert model.matched_as == "id"
    assert model.file == "meta-llama--Llama-3.1-8B.json"
    assert model.config["model_type"] == "llama"
    assert model.source


def test_lookup_is_case_insensitive_and_strips_url() -> None:
    for spelling in (
        "META-LLAMA/llama-3.1-8b",
        " meta-llama/Llama-3.1-8B ",
        "meta-llama/Llama-3.1-8B/",
        "https://huggingface.co/meta-llama/Llama-3.1-8B",
        "https://huggingface.co/meta-llama/Llama-3.1-8B/",
    ):
        model = lookup(spelling)
        assert model is not None, spelling
        assert model.id == "meta-llama/Llama-3.1-8B"


def test_lookup_official_variant_and_mirror() -> None:
    variant = lookup("meta-llama/Meta-Llama-3.1-8B-Instruct")
    assert variant is not None and variant.matched_as == "ids"
    assert variant.id == "meta-llama/Llama-3.1-8B"
    mirror = lookup("nousresearch/meta-llama-3.1-8b")
    assert mirror is not None and mirror.matched_as == "mirror"
    assert mirror.id == "meta-llama/Llama-3.1-8B"
    legacy = lookup("bert-base-uncased")
    assert legacy is not None and legacy.id == "google-bert/bert-base-uncased"
    assert legacy.matched_as == "ids"


@pytest.mark.parametrize("name", ["", "   ", "nobody/no-such-model", "meta-llama", "gpt3", "/"])
def test_lookup_unknown_is_none(name: str) -> None:
    assert lookup(name) is None


def test_lookup_returns_fresh_config_copies() -> None:
    first = lookup("gpt2")
    assert first is not None
    first.config["n_layer"] = 999
    first.config["architectures"].append("Mutated")  # type: ignore[attr-defined]
    second = lookup("gpt2")
    assert second is not None
    assert second.config["n_layer"] == 12
    assert second.config["architectures"] == ["GPT2LMHeadModel"]


def test_all_models_and_all_names() -> None:
    models = all_models()
    assert len(models) == len(FILES)
    assert {m.file for m in models} == set(FILES)
    assert all(m.matched_as == "id" for m in models)
    names = all_names()
    expected = {n for e in RAW.values() for n in [e["id"], *e["ids"], *e["mirrors"]]}
    assert set(names) == expected
    assert len(names) == len(expected)
    assert "NousResearch/Meta-Llama-3.1-8B" in names


def test_index_is_cached() -> None:
    bundled._load()
    entries, index = bundled._ENTRIES, bundled._INDEX
    lookup("gpt2")
    all_names()
    assert bundled._ENTRIES is entries and bundled._INDEX is index


def test_loader_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from lora_lint.models.bundled import lookup; lookup('gpt2'); "
        "bad = [m for m in ('torch', 'transformers', 'peft') if m in sys.modules]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ----------------------------------------------------------------------------- meta instantiation


def _instantiate(file: str) -> tuple[Any, Any]:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    config = dict(RAW[file]["config"])
    model_type = config.pop("model_type")
    cfg = transformers.AutoConfig.for_model(model_type, **config)
    arch = (config.get("architectures") or [None])[0]
    cls = getattr(transformers, arch, None) if arch else None
    if cls is None:  # e.g. legacy "T5WithLMHeadModel", or no architectures at all
        if getattr(cfg, "is_encoder_decoder", False):
            cls = transformers.AutoModelForSeq2SeqLM
        elif arch and arch.endswith(("ForCausalLM", "LMHeadModel")):
            cls = transformers.AutoModelForCausalLM
        else:
            cls = transformers.AutoModel
    # Auto classes expose ``from_config``; concrete model classes only ``_from_config``.
    factory = getattr(cls, "from_config", None) or cls._from_config
    with torch.device("meta"):
        model = factory(cfg)
    return cfg, model


def _config_value(cfg: Any, key: str) -> Any:
    """A config attribute as serialised. transformers 5 refuses plain attribute access to values
    that may differ per layer (Gemma 4's ``num_key_value_heads``); ``to_dict`` still has them."""
    try:
        return getattr(cfg, key, None)
    except Exception:  # AmbiguousGlobalPerLayerAttributeError; its import path is internal
        return cfg.to_dict().get(key)


def _n_params(model: Any) -> int:
    return sum(p.numel() for p in model.parameters())


# Config keys compared with the instantiated model's config (where present in the file).
COMPARED = (
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "vocab_size",
    "n_embd",
    "n_layer",
    "n_head",
    "d_model",
    "d_ff",
    "num_layers",
    "num_heads",
    "num_local_experts",
    "num_experts",
    "num_experts_per_tok",
    "moe_intermediate_size",
    "ffn_dim",
    "word_embed_proj_dim",
)


@pytest.mark.torch
@pytest.mark.parametrize("file", TRANSFORMERS_FILES)
def test_instantiates_on_meta(file: str) -> None:
    config = RAW[file]["config"]
    cfg, model = _instantiate(file)
    arch = (config.get("architectures") or [None])[0]
    if arch is not None and arch != "T5WithLMHeadModel":
        assert type(model).__name__ == arch
    # Flat multimodal files (Qwen2-VL) keep the language model's fields at the top level, where
    # transformers 5 moves them into the text config; nested files compare their text_config.
    text_cfg = model.config.get_text_config()
    for key in COMPARED:
        if key in config:
            actual = _config_value(model.config, key)
            if actual is None:
                actual = _config_value(text_cfg, key)
            assert actual == config[key], (file, key)
        if isinstance(config.get("text_config"), dict) and key in config["text_config"]:
            actual = _config_value(text_cfg, key)
            assert actual == config["text_config"][key], (file, "text_config", key)
    assert getattr(cfg, "model_type", None) == config["model_type"]
    assert _n_params(model) > 1_000_000


# Published parameter counts (embedding included; tied embeddings counted once).
PARAM_ANCHORS = {
    "meta-llama--Llama-2-7b-hf.json": 6.74e9,
    "meta-llama--Llama-2-13b-hf.json": 13.02e9,
    "meta-llama--Llama-2-70b-hf.json": 68.98e9,
    "meta-llama--Llama-3.1-8B.json": 8.03e9,
    "meta-llama--Meta-Llama-3-70B.json": 70.55e9,
    "meta-llama--Llama-3.2-1B.json": 1.236e9,
    "meta-llama--Llama-3.2-3B.json": 3.21e9,
    "mistralai--Mistral-7B-v0.1.json": 7.24e9,
    "mistralai--Mistral-Nemo-Base-2407.json": 12.25e9,
    "mistralai--Mixtral-8x7B-v0.1.json": 46.7e9,
    "Qwen--Qwen2.5-0.5B.json": 0.494e9,
    "Qwen--Qwen2.5-7B-Instruct.json": 7.62e9,
    "Qwen--Qwen2.5-72B.json": 72.7e9,
    "Qwen--Qwen3-8B.json": 8.19e9,
    "Qwen--Qwen3-30B-A3B.json": 30.5e9,
    "google--gemma-7b.json": 8.54e9,
    "google--gemma-2-9b.json": 9.24e9,
    "google--gemma-2-27b.json": 27.2e9,
    "microsoft--phi-2.json": 2.78e9,
    "microsoft--Phi-3-mini-4k-instruct.json": 3.821e9,
    "microsoft--phi-4.json": 14.66e9,
    "openai-community--gpt2.json": 124e6,
    "openai-community--gpt2-xl.json": 1.558e9,
    "facebook--opt-125m.json": 125e6,
    "EleutherAI--pythia-70m.json": 70.4e6,
    "EleutherAI--gpt-neox-20b.json": 20.55e9,
    "bigscience--bloom-560m.json": 559e6,
    "google-t5--t5-small.json": 60.5e6,
    "microsoft--deberta-v3-base.json": 184e6,
    # Vision-language models (vision tower and projector included)
    "llava-hf--llava-1.5-7b-hf.json": 7.06e9,
    "llava-hf--llava-1.5-13b-hf.json": 13.35e9,
    "llava-hf--llava-v1.6-mistral-7b-hf.json": 7.57e9,
    "Qwen--Qwen2-VL-2B-Instruct.json": 2.21e9,
    "Qwen--Qwen2-VL-7B-Instruct.json": 8.29e9,
    "Qwen--Qwen2.5-VL-3B-Instruct.json": 3.75e9,
    "Qwen--Qwen2.5-VL-7B-Instruct.json": 8.29e9,
    "meta-llama--Llama-3.2-11B-Vision-Instruct.json": 10.67e9,
    "google--gemma-3-4b-it.json": 4.30e9,
    "google--gemma-3-12b-it.json": 12.19e9,
    "google--gemma-3-27b-it.json": 27.43e9,
    "google--paligemma-3b-pt-224.json": 2.923e9,
    "google--paligemma2-3b-pt-224.json": 3.032e9,
    "HuggingFaceTB--SmolVLM-256M-Instruct.json": 256.5e6,
    "HuggingFaceTB--SmolVLM2-500M-Video-Instruct.json": 507e6,
    # More text models
    "mistralai--Mistral-Small-24B-Base-2501.json": 23.57e9,
    "mistralai--Mixtral-8x22B-v0.1.json": 140.6e9,
    "Qwen--Qwen1.5-7B.json": 7.72e9,
    "Qwen--Qwen3-235B-A22B.json": 235.1e9,
    "Qwen--Qwen3-4B-Instruct-2507.json": 4.02e9,
    "ibm-granite--granite-3.1-8b-instruct.json": 8.17e9,
    "microsoft--Phi-3.5-MoE-instruct.json": 41.9e9,
    "bigcode--starcoder2-7b.json": 7.17e9,
    # Base models people fine-tune now (model-card totals; MTP heads are not built)
    "Qwen--Qwen3-30B-A3B-Thinking-2507.json": 30.5e9,
    "Qwen--Qwen3-235B-A22B-Thinking-2507.json": 235e9,
    "Qwen--Qwen3-Coder-480B-A35B-Instruct.json": 480e9,
    "Qwen--Qwen3-Next-80B-A3B-Instruct.json": 80e9,
    "Qwen--Qwen3.5-35B-A3B.json": 35e9,
    "Qwen--Qwen3.5-122B-A10B.json": 122e9,
    "Qwen--Qwen3.5-397B-A17B.json": 397e9,
    "Qwen--Qwen3.5-9B.json": 9.41e9,
    "Qwen--Qwen3.5-27B.json": 27.36e9,
    "HuggingFaceTB--SmolLM3-3B.json": 3.08e9,
    "mistralai--Devstral-Small-2-24B-Instruct-2512.json": 24e9,
    "allenai--Olmo-3.1-32B-Instruct.json": 32.2e9,
    "deepseek-ai--DeepSeek-V3.json": 671e9,
    "LiquidAI--LFM2.5-VL-1.6B.json": 1.6e9,
    "google--gemma-4-E2B-it.json": 5.1e9,
    "google--gemma-4-26B-A4B-it.json": 25.8e9,
    "google--gemma-4-31B-it.json": 31.27e9,
    "zai-org--GLM-4.1V-9B-Thinking.json": 10.29e9,
    "nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.json": 31.6e9,
    "microsoft--Phi-4-mini-instruct.json": 3.836e9,
    "Qwen--Qwen3-Embedding-0.6B.json": 0.596e9,
    "LGAI-EXAONE--EXAONE-4.0-32B.json": 32.0e9,
    "allenai--OLMo-2-1124-13B.json": 13.7e9,
    "allenai--OLMo-2-0325-32B.json": 32.2e9,
}


@pytest.mark.torch
@pytest.mark.parametrize("file", sorted(PARAM_ANCHORS))
def test_parameter_count_anchors(file: str) -> None:
    _, model = _instantiate(file)
    expected = PARAM_ANCHORS[file]
    assert _n_params(model) == pytest.approx(expected, rel=0.01), file


@pytest.mark.torch
def test_llama_3_1_8b_module_tree() -> None:
    _, model = _instantiate("meta-llama--Llama-3.1-8B.json")
    names = [n for n, _ in model.named_modules()]
    q_proj = [n for n in names if n.endswith("self_attn.q_proj")]
    assert len(q_proj) == 32
    assert "model.layers.31.mlp.gate_proj" in names
    k_proj = model.get_submodule("model.layers.0.self_attn.k_proj")
    assert (k_proj.in_features, k_proj.out_features) == (4096, 1024)
    assert _n_params(model) == pytest.approx(8.03e9, rel=0.01)


@pytest.mark.torch
def test_bert_base_uncased_backbone_count() -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    config = dict(RAW["google-bert--bert-base-uncased.json"]["config"])
    cfg = transformers.AutoConfig.for_model(config.pop("model_type"), **config)
    with torch.device("meta"):
        model = transformers.BertModel(cfg)
    assert _n_params(model) == pytest.approx(110e6, rel=0.01)


@pytest.mark.torch
def test_mixtral_experts() -> None:
    _, model = _instantiate("mistralai--Mixtral-8x7B-v0.1.json")
    names = [n for n, _ in model.named_modules()]
    assert sum(n.endswith("self_attn.q_proj") for n in names) == 32
    assert any(".mlp.experts" in n or ".block_sparse_moe.experts" in n for n in names)


# ----------------------------------------------------------------------------- multimodal trees

# file -> (class, a language-model attention projection, a vision-tower attention projection).
# These are the paths LoRA targets get wrong: the text model sits under model.language_model
# (model.text_model for Idefics3/SmolVLM) and the tower under model.vision_tower / model.visual /
# model.vision_model, so a bare "q_proj" also adapts the vision encoder.
VLM_TREES = {
    "llava-hf--llava-1.5-7b-hf.json": (
        "LlavaForConditionalGeneration",
        "model.language_model.layers.0.self_attn.q_proj",
        "model.vision_tower.encoder.layers.0.self_attn.q_proj",
    ),
    "llava-hf--llava-1.5-13b-hf.json": (
        "LlavaForConditionalGeneration",
        "model.language_model.layers.39.self_attn.q_proj",
        "model.vision_tower.encoder.layers.23.self_attn.q_proj",
    ),
    "mistral-community--pixtral-12b.json": (
        "LlavaForConditionalGeneration",
        "model.language_model.layers.39.self_attn.q_proj",
        "model.vision_tower.transformer.layers.23.attention.q_proj",
    ),
    "llava-hf--llava-v1.6-mistral-7b-hf.json": (
        "LlavaNextForConditionalGeneration",
        "model.language_model.layers.0.self_attn.q_proj",
        "model.vision_tower.encoder.layers.0.self_attn.q_proj",
    ),
    "Qwen--Qwen2-VL-2B-Instruct.json": (
        "Qwen2VLForConditionalGeneration",
        "model.language_model.layers.0.self_attn.q_proj",
        "model.visual.blocks.0.attn.qkv",
    ),
    "Qwen--Qwen2-VL-7B-Instruct.json": (
        "Qwen2VLForConditionalGeneration",
        "model.language_model.layers.27.self_attn.q_proj",
        "model.visual.blocks.31.attn.qkv",
    ),
    "Qwen--Qwen2.5-VL-3B-Instruct.json": (
        "Qwen2_5_VLForConditionalGeneration",
        "model.language_model.layers.35.self_attn.q_proj",
        "model.visual.blocks.0.attn.qkv",
    ),
    "Qwen--Qwen2.5-VL-7B-Instruct.json": (
        "Qwen2_5_VLForConditionalGeneration",
        "model.language_model.layers.0.self_attn.q_proj",
        "model.visual.blocks.31.mlp.gate_proj",
    ),
    "meta-llama--Llama-3.2-11B-Vision-Instruct.json": (
        "MllamaForConditionalGeneration",
        "model.language_model.layers.0.self_attn.q_proj",
        "model.vision_model.transformer.layers.0.self_attn.q_proj",
    ),
    "google--gemma-3-4b-it.json": (
        "Gemma3ForConditionalGeneration",
        "model.language_model.layers.0.self_attn.q_proj",
        "model.vision_tower.encoder.layers.0.self_attn.q_proj",
    ),
    "google--gemma-3-12b-it.json": (
        "Gemma3ForConditionalGeneration",
        "model.language_model.layers.47.self_attn.q_proj",
        "model.vision_tower.encoder.layers.26.self_attn.q_proj",
    ),
    "google--gemma-3-27b-it.json": (
        "Gemma3ForConditionalGeneration",
        "model.language_model.layers.61.self_attn.q_proj",
        "model.vision_tower.encoder.layers.26.self_attn.q_proj",
    ),
    "google--paligemma-3b-pt-224.json": (
        "PaliGemmaForConditionalGeneration",
        "model.language_model.layers.0.self_attn.q_proj",
        "model.vision_tower.encoder.layers.0.self_attn.q_proj",
    ),
    "google--paligemma2-3b-pt-224.json": (
        "PaliGemmaForConditionalGeneration",
        "model.language_model.layers.25.self_attn.q_proj",
        "model.vision_tower.encoder.layers.26.self_attn.q_proj",
    ),
    "HuggingFaceTB--SmolVLM-256M-Instruct.json": (
        "Idefics3ForConditionalGeneration",
        "model.text_model.layers.0.self_attn.q_proj",
        "model.vision_model.encoder.layers.0.self_attn.q_proj",
    ),
    "HuggingFaceTB--SmolVLM2-2.2B-Instruct.json": (
        "SmolVLMForConditionalGeneration",
        "model.text_model.layers.23.self_attn.q_proj",
        "model.vision_model.encoder.layers.26.self_attn.q_proj",
    ),
    "HuggingFaceTB--SmolVLM2-500M-Video-Instruct.json": (
        "SmolVLMForConditionalGeneration",
        "model.text_model.layers.31.self_attn.q_proj",
        "model.vision_model.encoder.layers.11.self_attn.q_proj",
    ),
    "Qwen--Qwen3-VL-2B-Instruct.json": (
        "Qwen3VLForConditionalGeneration",
        "model.language_model.layers.27.self_attn.q_proj",
        "model.visual.blocks.23.attn.qkv",
    ),
    "Qwen--Qwen3-VL-4B-Instruct.json": (
        "Qwen3VLForConditionalGeneration",
        "model.language_model.layers.35.self_attn.q_proj",
        "model.visual.deepstack_merger_list.2.linear_fc1",
    ),
    "Qwen--Qwen3-VL-30B-A3B-Instruct.json": (
        "Qwen3VLMoeForConditionalGeneration",
        "model.language_model.layers.47.self_attn.q_proj",
        "model.visual.blocks.26.attn.qkv",
    ),
    # Qwen3.5 is natively multimodal: hybrid Gated DeltaNet (linear_attn) / gated attention
    # (self_attn, every 4th layer) text model plus a vision tower.
    "Qwen--Qwen3.5-35B-A3B.json": (
        "Qwen3_5MoeForConditionalGeneration",
        "model.language_model.layers.3.self_attn.q_proj",
        "model.visual.blocks.26.attn.qkv",
    ),
    "Qwen--Qwen3.5-122B-A10B.json": (
        "Qwen3_5MoeForConditionalGeneration",
        "model.language_model.layers.47.self_attn.q_proj",
        "model.visual.blocks.0.mlp.linear_fc1",
    ),
    "Qwen--Qwen3.5-397B-A17B.json": (
        "Qwen3_5MoeForConditionalGeneration",
        "model.language_model.layers.59.self_attn.q_proj",
        "model.visual.merger.linear_fc2",
    ),
    "Qwen--Qwen3.5-0.8B.json": (
        "Qwen3_5ForConditionalGeneration",
        "model.language_model.layers.23.self_attn.q_proj",
        "model.visual.blocks.11.attn.qkv",
    ),
    "Qwen--Qwen3.5-4B.json": (
        "Qwen3_5ForConditionalGeneration",
        "model.language_model.layers.31.self_attn.q_proj",
        "model.visual.blocks.23.attn.qkv",
    ),
    "Qwen--Qwen3.5-9B.json": (
        "Qwen3_5ForConditionalGeneration",
        "model.language_model.layers.31.self_attn.o_proj",
        "model.visual.blocks.26.attn.proj",
    ),
    "Qwen--Qwen3.5-27B.json": (
        "Qwen3_5ForConditionalGeneration",
        "model.language_model.layers.63.self_attn.q_proj",
        "model.visual.blocks.26.attn.qkv",
    ),
    # Mistral 3 (Pixtral tower): the vision encoder also has q_proj/k_proj/v_proj/o_proj.
    "mistralai--Ministral-3-3B-Instruct-2512.json": (
        "Mistral3ForConditionalGeneration",
        "model.language_model.layers.25.self_attn.q_proj",
        "model.vision_tower.transformer.layers.23.attention.q_proj",
    ),
    "mistralai--Devstral-Small-2-24B-Instruct-2512.json": (
        "Mistral3ForConditionalGeneration",
        "model.language_model.layers.39.self_attn.q_proj",
        "model.vision_tower.transformer.layers.23.attention.q_proj",
    ),
    "mistralai--Mistral-Small-3.1-24B-Instruct-2503.json": (
        "Mistral3ForConditionalGeneration",
        "model.language_model.layers.0.self_attn.q_proj",
        "model.vision_tower.transformer.layers.0.attention.q_proj",
    ),
    # LFM2-VL: the text model mixes short-convolution layers (conv.in_proj/out_proj) with
    # attention layers (self_attn.q_proj/.../out_proj); the SigLIP2 tower also has out_proj.
    "LiquidAI--LFM2-VL-450M.json": (
        "Lfm2VlForConditionalGeneration",
        "model.language_model.layers.2.self_attn.q_proj",
        "model.vision_tower.encoder.layers.11.self_attn.q_proj",
    ),
    "LiquidAI--LFM2.5-VL-1.6B.json": (
        "Lfm2VlForConditionalGeneration",
        "model.language_model.layers.2.self_attn.q_proj",
        "model.vision_tower.encoder.layers.26.self_attn.q_proj",
    ),
    # Gemma 4: the vision (and E2B/E4B audio) towers wrap each projection in a clippable module,
    # so the nn.Linear is ``...q_proj.linear``; ``q_proj`` itself is not a Linear there.
    "google--gemma-4-E2B-it.json": (
        "Gemma4ForConditionalGeneration",
        "model.language_model.layers.34.self_attn.q_proj",
        "model.vision_tower.encoder.layers.15.self_attn.q_proj.linear",
    ),
    "google--gemma-4-E4B-it.json": (
        "Gemma4ForConditionalGeneration",
        "model.language_model.layers.41.self_attn.q_proj",
        "model.vision_tower.encoder.layers.15.self_attn.q_proj.linear",
    ),
    # Gemma 4 12B is encoder-free: images enter through a patch projection, not a tower.
    "google--gemma-4-12B.json": (
        "Gemma4UnifiedForConditionalGeneration",
        "model.language_model.layers.47.self_attn.q_proj",
        "model.embed_vision.patch_dense",
    ),
    "google--gemma-4-26B-A4B-it.json": (
        "Gemma4ForConditionalGeneration",
        "model.language_model.layers.29.self_attn.q_proj",
        "model.vision_tower.encoder.layers.26.self_attn.q_proj.linear",
    ),
    "google--gemma-4-31B-it.json": (
        "Gemma4ForConditionalGeneration",
        "model.language_model.layers.59.self_attn.q_proj",
        "model.vision_tower.encoder.layers.0.mlp.down_proj.linear",
    ),
    "zai-org--GLM-4.6V-Flash.json": (
        "Glm4vForConditionalGeneration",
        "model.language_model.layers.39.self_attn.q_proj",
        "model.visual.blocks.23.attn.qkv",
    ),
    "zai-org--GLM-4.1V-9B-Thinking.json": (
        "Glm4vForConditionalGeneration",
        "model.language_model.layers.39.self_attn.q_proj",
        "model.visual.blocks.0.attn.qkv",
    ),
}


def test_vlm_trees_cover_every_multimodal_file() -> None:
    multimodal = {f for f, e in RAW.items() if "vision_config" in e["config"]}
    assert multimodal == set(VLM_TREES)


@pytest.mark.torch
@pytest.mark.parametrize("file", sorted(VLM_TREES))
def test_vlm_module_tree(file: str) -> None:
    torch = pytest.importorskip("torch")
    cls_name, text_q, vision_q = VLM_TREES[file]
    _, model = _instantiate(file)
    assert type(model).__name__ == cls_name
    assert cls_name.endswith("ForConditionalGeneration")
    for path in (text_q, vision_q):
        assert isinstance(model.get_submodule(path), torch.nn.Linear), (file, path)
    # The language model's attention is not the only module named like it.
    names = [n for n, _ in model.named_modules()]
    text_prefix = text_q.split(".layers.")[0]
    vision_prefix = vision_q.split(".")[1]
    assert any(n.startswith(f"model.{vision_prefix}.") for n in names)
    assert not any(n.startswith(f"{text_prefix}.") and vision_prefix in n for n in names)


@pytest.mark.torch
def test_vlm_builds_inventory() -> None:
    pytest.importorskip("transformers")
    from lora_lint.models.build import build_inventory

    entry = lookup("Qwen/Qwen2-VL-2B-Instruct")
    assert entry is not None
    inventory = build_inventory(entry.config, model_id=entry.id, head=None)
    assert inventory.class_name == "Qwen2VLForConditionalGeneration"
    names = {m.name for m in inventory.modules}
    assert "model.language_model.layers.0.self_attn.q_proj" in names
    assert "model.visual.blocks.0.attn.qkv" in names
    assert inventory.num_layers == 28


# ----------------------------------------------------------------------------- hybrid layer trees


@pytest.mark.torch
def test_nemotron_h_hybrid_layers() -> None:
    """Nemotron-H puts Mamba-2, MoE and attention blocks at the positions its
    ``hybrid_override_pattern`` names, all under ``.mixer``: attention projections exist only in
    the six ``*`` layers, so a ``q_proj`` target adapts 6 of 52 layers."""
    torch = pytest.importorskip("torch")
    file = "nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.json"
    pattern = RAW[file]["config"]["hybrid_override_pattern"]
    _, model = _instantiate(file)
    names = {n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    attention = sorted(int(n.split(".")[2]) for n in names if n.endswith(".mixer.q_proj"))
    assert attention == [i for i, c in enumerate(pattern) if c == "*"]
    assert "model.layers.0.mixer.in_proj" in names  # Mamba-2
    assert "model.layers.1.mixer.shared_experts.up_proj" in names  # MoE


@pytest.mark.torch
def test_qwen3_next_hybrid_layers() -> None:
    """Qwen3-Next alternates Gated DeltaNet (``linear_attn``) with gated attention
    (``self_attn``) every ``full_attention_interval`` layers."""
    torch = pytest.importorskip("torch")
    file = "Qwen--Qwen3-Next-80B-A3B-Instruct.json"
    interval = RAW[file]["config"]["full_attention_interval"]
    _, model = _instantiate(file)
    names = {n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    attention = sorted(int(n.split(".")[2]) for n in names if n.endswith(".self_attn.q_proj"))
    assert attention == list(range(interval - 1, 48, interval))
    assert "model.layers.0.linear_attn.in_proj_qkvz" in names
    assert "model.layers.3.linear_attn.in_proj_qkvz" not in names
