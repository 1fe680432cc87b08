"""MLX-LM LoRA YAML (``mlx_lm.lora -c config.yaml``) and MLX's own ``adapter_config.json``.

From ``mlx_lm/tuner/utils.py`` (``linear_to_lora_layers``): ``model`` is the
Hub id or path; ``fine_tune_type`` is ``lora`` (default), ``dora`` or ``full``;
``num_layers`` (older files: ``lora_layers``) adapts the *last* N transformer
blocks and must not exceed the model's block count (``-1`` = all);
``lora_parameters: {keys, rank, scale, dropout}``. Each key is compared with
``k in keys`` against ``block.named_modules()``, i.e. it must **equal** a path
relative to a block, such as ``self_attn.q_proj``: a bare ``q_proj`` (fine for
PEFT, which matches suffixes) matches nothing in MLX. Without ``keys`` MLX-LM
picks its own per-architecture default.

The keys become ``target_modules`` (PEFT's suffix matching accepts every key
MLX accepts, so typos are still reported as unknown modules) and
the stricter MLX rule is applied per entry by the tool model
(:func:`lora_lint.match.tools.dropped_by_tool`, read by LL015) from
``facts.exact_block_paths``; ``facts.num_layers`` keeps the located ``num_layers``.
"""

from __future__ import annotations

from dataclasses import replace

from lora_lint.extract.tools.base import (
    ConfigBuilder,
    ToolContext,
    as_mapping,
    get,
    key_span,
    text,
)
from lora_lint.extract.types import ExtractedConfig, Located

NAME = "mlx-lm"

#: ``lora_parameters`` key -> LoraConfig field (``keys`` is handled separately).
KEY_MAP: dict[str, str] = {"rank": "r", "dropout": "lora_dropout"}


def detect(ctx: ToolContext) -> bool:
    keys = ctx.keys
    if text(keys.get("model")) is None:
        return False
    return ctx.section("lora_parameters") is not None or "fine_tune_type" in keys


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root = ctx.claim_root()
    if root is None:
        return []
    params = as_mapping(get(root, "lora_parameters"))
    builder = ConfigBuilder(ctx, root, NAME, tool=NAME)
    config = builder.config
    kind = (text(get(root, "fine_tune_type")) or "lora").lower()
    if kind == "full":
        builder.inert(
            "fine_tune_type is full, so MLX-LM trains every weight and ignores lora_parameters",
            switch=(root, "fine_tune_type"),
        )
    elif kind == "dora":
        config.options["use_dora"] = Located(True, key_span(root, "fine_tune_type"))
        config.option_keys["use_dora"] = "fine_tune_type"
    if params is not None:
        for key, peft_name in KEY_MAP.items():
            value = get(params, key)
            if value is not None:
                _put(builder, peft_name, f"lora_parameters.{key}", value, params, key)
        keys = get(params, "keys")
        if keys is not None and not (isinstance(keys, Located) and keys.value is None):
            _put(builder, "target_modules", "lora_parameters.keys", keys, params, "keys")
            config.facts = replace(config.facts, exact_block_paths=True)
    if "target_modules" not in config.options:
        config.facts = replace(
            config.facts, implicit_target_modules="mlx-lm's per-architecture default keys"
        )
    for key in ("num_layers", "lora_layers"):
        layers = get(root, key)
        if isinstance(layers, Located) and isinstance(layers.value, int):
            config.facts = replace(config.facts, num_layers=layers, num_layers_key=key)
            break
    builder.model("model", "MLX-LM model", head="causal-lm")
    return [builder.build()]


def _put(
    builder: ConfigBuilder, peft_name: str, shown: str, value: object, mapping: Located, key: str
) -> None:
    """Set an option read from the nested ``lora_parameters`` mapping."""
    config = builder.config
    config.options[peft_name] = value  # type: ignore[assignment]
    config.option_keys[peft_name] = shown
    config.key_spans[peft_name] = key_span(mapping, key)
