"""torchtune recipe YAML: ``model: {_component_: torchtune.models...lora_xxx, ...}``.

torchtune builds its own modules, named after its own convention, from the
builder's keyword arguments (``torchtune/models/*/_component_builders.py``):

* ``lora_attn_modules`` is typed ``List[Literal["q_proj", "k_proj", "v_proj",
  "output_proj"]]`` but the type is never enforced: each projection is built
  with ``if "q_proj" in lora_modules``, so any other entry (``o_proj``,
  ``"q_proj,"``, ``gate_proj``) is **silently dropped**;
* ``apply_lora_to_mlp`` adapts ``w1``/``w2``/``w3`` (gate/down/up);
* ``apply_lora_to_output`` adapts the final ``output`` projection.

There is no Hugging Face id in the file, only the builder, so the builder is
mapped to the Hugging Face checkpoint it loads (same architecture) for the
model-level checks, and torchtune's names are translated to Hugging Face names
(``output_proj`` -> ``o_proj``, ``w1`` -> ``gate_proj``, ``w2`` ->
``down_proj``, ``w3`` -> ``up_proj``, ``output`` -> ``lm_head``; Phi-3/4 fuse
q/k/v into ``qkv_proj`` and gate/up into ``gate_up_proj`` on the Hugging Face
side). Each translated entry keeps the span of what was written. Dropped
entries go to ``facts.dropped_entries`` for LL015.
"""

from __future__ import annotations

from dataclasses import replace

from lora_lint.extract.tools.base import (
    LORA_RANK_KEYS,
    ConfigBuilder,
    ToolContext,
    entries,
    get,
    is_true,
    text,
)
from lora_lint.extract.types import ExtractedConfig, Located, ModelRef, Unresolved, Value

NAME = "torchtune"

#: What ``lora_attn_modules`` may hold (``LORA_ATTN_MODULES`` in torchtune).
ATTN_MODULES: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "output_proj")

#: torchtune module name -> Hugging Face module name (Llama-style checkpoints).
TO_HF: dict[str, str] = {
    "q_proj": "q_proj",
    "k_proj": "k_proj",
    "v_proj": "v_proj",
    "output_proj": "o_proj",
    "w1": "gate_proj",
    "w2": "down_proj",
    "w3": "up_proj",
    "output": "lm_head",
}
#: Families whose Hugging Face checkpoints fuse projections torchtune keeps apart.
_FUSED_HF: dict[str, dict[str, str]] = {
    "phi3": {
        "q_proj": "qkv_proj",
        "k_proj": "qkv_proj",
        "v_proj": "qkv_proj",
        "w1": "gate_up_proj",
        "w3": "gate_up_proj",
    },
    "phi4": {
        "q_proj": "qkv_proj",
        "k_proj": "qkv_proj",
        "v_proj": "qkv_proj",
        "w1": "gate_up_proj",
        "w3": "gate_up_proj",
    },
}

_QWEN2_5 = {
    "0_5b": "Qwen/Qwen2.5-0.5B",
    "1_5b_base": "Qwen/Qwen2.5-1.5B",
    "1_5b_instruct": "Qwen/Qwen2.5-1.5B-Instruct",
    "3b": "Qwen/Qwen2.5-3B-Instruct",
    "7b_base": "Qwen/Qwen2.5-7B",
    "7b_instruct": "Qwen/Qwen2.5-7B-Instruct",
    "14b_base": "Qwen/Qwen2.5-14B",
    "14b_instruct": "Qwen/Qwen2.5-14B-Instruct",
    "32b_base": "Qwen/Qwen2.5-32B",
    "32b_instruct": "Qwen/Qwen2.5-32B-Instruct",
    "72b_base": "Qwen/Qwen2.5-72B",
    "72b_instruct": "Qwen/Qwen2.5-72B-Instruct",
}
_QWEN3 = {"0_6b": "0.6B", "1_7b": "1.7B", "4b": "4B", "8b": "8B", "14b": "14B"}

#: ``family.size`` of a LoRA builder -> the Hugging Face checkpoint the recipe loads.
BUILDER_MODELS: dict[str, str] = {
    "llama2.7b": "meta-llama/Llama-2-7b-hf",
    "llama2.13b": "meta-llama/Llama-2-13b-hf",
    "llama2.70b": "meta-llama/Llama-2-70b-hf",
    "llama3.8b": "meta-llama/Meta-Llama-3-8B",
    "llama3.70b": "meta-llama/Meta-Llama-3-70B",
    "llama3_1.8b": "meta-llama/Llama-3.1-8B",
    "llama3_1.70b": "meta-llama/Llama-3.1-70B",
    "llama3_1.405b": "meta-llama/Llama-3.1-405B",
    "llama3_2.1b": "meta-llama/Llama-3.2-1B",
    "llama3_2.3b": "meta-llama/Llama-3.2-3B",
    "llama3_3.70b": "meta-llama/Llama-3.3-70B-Instruct",
    "mistral.7b": "mistralai/Mistral-7B-v0.1",
    "qwen2.0_5b": "Qwen/Qwen2-0.5B",
    "qwen2.1_5b": "Qwen/Qwen2-1.5B",
    "qwen2.7b": "Qwen/Qwen2-7B",
    **{f"qwen2_5.{size}": model for size, model in _QWEN2_5.items()},
    **{f"qwen3.{size}_base": f"Qwen/Qwen3-{hf}-Base" for size, hf in _QWEN3.items()},
    **{f"qwen3.{size}_instruct": f"Qwen/Qwen3-{hf}" for size, hf in _QWEN3.items()},
    "qwen3.32b": "Qwen/Qwen3-32B",
    "gemma.2b": "google/gemma-2b",
    "gemma.7b": "google/gemma-7b",
    "gemma2.2b": "google/gemma-2-2b",
    "gemma2.9b": "google/gemma-2-9b",
    "gemma2.27b": "google/gemma-2-27b",
    "phi3.mini": "microsoft/Phi-3-mini-4k-instruct",
    "phi4.14b": "microsoft/phi-4",
}


def detect(ctx: ToolContext) -> bool:
    model = ctx.section("model")
    if model is None:
        return False
    component = text(get(model, "_component_")) or ""
    if not component.startswith("torchtune.models."):
        return False
    return "lora_attn_modules" in entries(model) or "lora_" in component.rsplit(".", 1)[-1]


def builder_key(component: str) -> tuple[str, str] | None:
    """``torchtune.models.llama3_1.lora_llama3_1_8b`` -> ``("llama3_1", "8b")``."""
    parts = component.split(".")
    if len(parts) < 4:
        return None
    family, function = parts[2], parts[-1]
    for prefix in ("qlora_", "lora_"):
        if function.startswith(prefix + family + "_"):
            return family, function[len(prefix) + len(family) + 1 :]
    return None


def hf_model_for(component: str) -> str | None:
    """The Hugging Face checkpoint a torchtune LoRA builder loads (same architecture)."""
    key = builder_key(component)
    return BUILDER_MODELS.get(f"{key[0]}.{key[1]}") if key else None


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    model = ctx.claim_section("model")
    if model is None:
        return []
    component = text(get(model, "_component_")) or ""
    key = builder_key(component)
    family = key[0] if key else ""
    builder = ConfigBuilder(ctx, model, NAME, tool=NAME)
    builder.config.facts = replace(builder.config.facts, builder=component)
    builder.take_all({**LORA_RANK_KEYS, "use_dora": "use_dora"})
    names = {**TO_HF, **_FUSED_HF.get(family, {})}
    targets = _targets(builder, model, names)
    if targets is not None:
        builder.put("target_modules", "lora_attn_modules", targets)
    component_value = get(model, "_component_")
    hf_id = hf_model_for(component)
    if hf_id is not None and isinstance(component_value, Located):
        builder.config.model = ModelRef(
            name=hf_id,
            span=component_value.span,
            head="causal-lm",
            origin=f"torchtune builder {component.rsplit('.', 1)[-1]} (architecture of {hf_id})",
            source_path=ctx.path,
        )
    return [builder.build()]


def _targets(builder: ConfigBuilder, model: Located, names: dict[str, str]) -> Value | None:
    """The Hugging Face names torchtune will adapt, each with the span it was written at."""
    attn = get(model, "lora_attn_modules")
    if isinstance(attn, Unresolved):
        return attn
    items: list[Located | Unresolved] = []
    dropped: list[Located] = []
    if isinstance(attn, Located) and attn.container == "list":
        for item in attn.items:
            name = text(item)
            if isinstance(item, Unresolved):
                items.append(item)
            elif name in ATTN_MODULES:
                assert isinstance(item, Located)
                items.append(Located(names[name], item.span, path=item.path))
            elif isinstance(item, Located):
                dropped.append(item)
    elif isinstance(attn, Located) and isinstance(attn.value, str):
        # ``"q_proj" in "q_proj,v_proj"`` is a substring test on a string: it works by accident.
        builder.config.facts = replace(builder.config.facts, attn_modules_string=True)
        for name in ATTN_MODULES:
            if name in attn.value:
                items.append(Located(names[name], attn.span, path=attn.path))
    for flag, leaves in (
        ("apply_lora_to_mlp", ("w1", "w2", "w3")),
        ("apply_lora_to_output", ("output",)),
    ):
        value = get(model, flag)
        if is_true(value):
            assert isinstance(value, Located)
            items.extend(Located(names[leaf], value.span, path=value.path) for leaf in leaves)
    if dropped:
        builder.config.facts = replace(builder.config.facts, dropped_entries=tuple(dropped))
    if attn is None and not items:
        return None
    seen: set[object] = set()
    unique: list[Located | Unresolved] = []
    for item in items:
        marker = item.value if isinstance(item, Located) else id(item)
        if marker not in seen:
            seen.add(marker)
            unique.append(item)
    span = attn.span if isinstance(attn, Located) else model.span
    return Located(unique, span, container="list")
