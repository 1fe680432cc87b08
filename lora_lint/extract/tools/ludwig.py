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

from lora_lint.extract.tools.base import ConfigBuilder, ToolContext, entries, get, text
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
    adapter = ctx.section("adapter")
    return "base_model" in ctx.keys and adapter is not None and "type" in entries(adapter)


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root, adapter = ctx.root, ctx.claim_section("adapter")
    if root is None or adapter is None:
        return []
    kind = (text(get(adapter, "type")) or "lora").lower()
    peft_type = PEFT_TYPES.get(kind)
    if peft_type is None and "target_modules" not in entries(adapter):
        return []
    builder = ConfigBuilder(ctx, adapter, NAME, tool=NAME)
    builder.config.peft_type = peft_type or kind.upper()
    builder.take_all(KEY_MAP)
    weights = text(get(adapter, "pretrained_adapter_weights"))
    if weights:
        builder.inert(
            "adapter.pretrained_adapter_weights is set, so Ludwig loads that adapter and its "
            "saved adapter_config.json decides the targets",
            switch=(adapter, "pretrained_adapter_weights"),
        )
    params = ctx.section("model_parameters")
    trust = get(params, "trust_remote_code") if params is not None else None
    builder.model(
        "base_model", "Ludwig base_model", head="causal-lm", trust_remote_code=trust, mapping=root
    )
    return [builder.build()]
