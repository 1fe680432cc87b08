"""Ludwig LLM YAML: ``base_model`` + ``adapter: {type: lora, r, alpha, target_modules, ...}``.

From ``ludwig/schema/llms/peft.py``: the adapter section is a mapping (axolotl's
``adapter`` is a string, which is how the two are told apart); ``type`` picks
the PEFT method (``lora``, ``adalora``, ``ia3``), ``r``/``alpha``/``dropout``
are renamed to ``r``/``lora_alpha``/``lora_dropout``, ``bias_type`` is PEFT's
``bias``, and ``target_modules`` is passed through (``null`` = PEFT's default
targets for the architecture). ``pretrained_adapter_weights`` loads a saved
adapter, whose own ``adapter_config.json`` then decides the targets.
"""

from __future__ import annotations

from dataclasses import replace

from lora_lint.extract.tools.base import (
    ConfigBuilder,
    ToolContext,
    as_mapping,
    entries,
    get,
    key_span,
    text,
)
from lora_lint.extract.types import ExtractedConfig

NAME = "ludwig"

#: ``adapter.type`` -> PEFT type; other types (prompt tuning, ...) have no targets.
PEFT_TYPES: dict[str, str] = {"lora": "LORA", "adalora": "ADALORA", "ia3": "IA3"}

#: Ludwig adapter key -> PEFT field.
KEY_MAP: dict[str, str] = {
    "r": "r",
    "alpha": "lora_alpha",
    "dropout": "lora_dropout",
    "target_modules": "target_modules",
    "use_rslora": "use_rslora",
    "use_dora": "use_dora",
    "bias_type": "bias",
    "feedforward_modules": "feedforward_modules",
}


def detect(ctx: ToolContext) -> bool:
    root = ctx.root
    if root is None:
        return False
    adapter = as_mapping(get(root, "adapter"))
    return "base_model" in entries(root) and adapter is not None and "type" in entries(adapter)


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root = ctx.root
    adapter = as_mapping(get(root, "adapter")) if root is not None else None
    if root is None or adapter is None:
        return []
    ctx.claim(adapter)
    kind = (text(get(adapter, "type")) or "lora").lower()
    peft_type = PEFT_TYPES.get(kind)
    if peft_type is None and "target_modules" not in entries(adapter):
        return []
    builder = ConfigBuilder(ctx, adapter, NAME)
    config = builder.config
    config.peft_type = peft_type or kind.upper()
    config.facts = replace(config.facts, tool=NAME)
    for key, peft_name in KEY_MAP.items():
        builder.take(key, peft_name)
    weights = text(get(adapter, "pretrained_adapter_weights"))
    if weights:
        config.facts = replace(
            config.facts,
            switch_span=key_span(adapter, "pretrained_adapter_weights"),
            inert="adapter.pretrained_adapter_weights is set, so Ludwig loads that adapter "
            "and its saved adapter_config.json decides the targets",
        )
    params = as_mapping(get(root, "model_parameters"))
    trust = get(params, "trust_remote_code") if params is not None else None
    builder.model(
        "base_model", "Ludwig base_model", head="causal-lm", trust_remote_code=trust, mapping=root
    )
    return [builder.build()]
