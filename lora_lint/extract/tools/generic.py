"""Any mapping, at any depth, with a ``target_modules`` key (YAML or JSON).

This catches hand-rolled training configs (``lora: {r: 8, target_modules: [...]}``)
that are passed to ``LoraConfig(**d)`` by a script. Only LoraConfig fields are
taken as options; the other keys of such a mapping usually belong to the
training script, so they are *not* reported as unknown.
"""

from __future__ import annotations

from lora_lint.extract.tools.base import (
    LORA_FIELDS,
    TASK_TYPE_HEADS,
    ConfigBuilder,
    ToolContext,
    as_mapping,
    entries,
    get,
    text,
)
from lora_lint.extract.tools.peft_benchmark import result_model
from lora_lint.extract.types import ExtractedConfig, Located, Value

NAME = "generic"

#: Where a model id is usually written, nearest-first within one mapping.
MODEL_KEYS = (
    "base_model",
    "model_name_or_path",
    "base_model_name_or_path",
    "pretrained_model_name_or_path",
    "model_name",
    "model_id",
)


def detect(ctx: ToolContext) -> bool:
    return ctx.document.root is not None


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    configs: list[ExtractedConfig] = []
    root = ctx.document.root
    if root is not None:
        _walk(ctx, root, [], set(), configs)
    return configs


def _walk(
    ctx: ToolContext,
    value: Value,
    ancestors: list[Located],
    seen: set[int],
    out: list[ExtractedConfig],
) -> None:
    """Depth-first over mappings and lists; ``seen`` keeps aliased subtrees to one visit."""
    if not isinstance(value, Located) or id(value) in seen:
        return
    seen.add(id(value))
    mapping = as_mapping(value)
    if mapping is not None:
        if _holds_targets(mapping) and not ctx.is_claimed(mapping):
            out.append(_config(ctx, mapping, ancestors))
        for child in entries(mapping).values():
            _walk(ctx, child, [*ancestors, mapping], seen, out)
    else:
        for item in value.items:
            _walk(ctx, item, ancestors, seen, out)


def _holds_targets(mapping: Located) -> bool:
    """A ``target_modules`` key whose value could be PEFT's (a list, a string, null...).

    A mapping under ``target_modules`` describes the field (a schema, UI metadata,
    documentation); no script passes it to ``LoraConfig`` as targets.
    """
    keys = entries(mapping)
    return "target_modules" in keys and as_mapping(keys["target_modules"]) is None


def _config(ctx: ToolContext, mapping: Located, ancestors: list[Located]) -> ExtractedConfig:
    builder = ConfigBuilder(ctx, mapping, ctx.kind)
    for name in entries(mapping):
        if name in LORA_FIELDS:
            builder.take(name, name)
    peft_type = text(get(mapping, "peft_type"))
    if peft_type:
        builder.config.peft_type = peft_type.upper()
    head = TASK_TYPE_HEADS.get(text(get(mapping, "task_type")) or "")
    found = _model_key(mapping, ancestors)
    if found is not None:
        scope, key, shown = found
        builder.model(key, f"{shown} in {ctx.kind}", head=head, mapping=scope)
    result_model(builder, mapping, ancestors)
    return builder.build()


def _model_key(mapping: Located, ancestors: list[Located]) -> tuple[Located, str, str] | None:
    """The nearest model key: in the mapping, then each ancestor outwards.

    At each level a ``model:`` sub-mapping counts too (``model: {model_name_or_path: ...}``
    next to ``lora: {...}`` is how many hand-written training configs are laid out).
    """
    for scope in [mapping, *reversed(ancestors)]:
        key = next((k for k in MODEL_KEYS if text(get(scope, k))), None)
        if key is not None:
            return scope, key, key
        nested = as_mapping(get(scope, "model"))
        if nested is not None and nested is not mapping:
            key = next((k for k in MODEL_KEYS if text(get(nested, k))), None)
            if key is not None:
                return nested, key, f"model.{key}"
    return None
