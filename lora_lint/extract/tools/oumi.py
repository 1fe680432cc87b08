"""Oumi training YAML: ``model.model_name`` + ``training.use_peft`` + ``peft: {lora_*}``.

From ``oumi/core/configs/params/peft_params.py`` (``PeftParams.to_lora``):
``lora_target_modules`` is a list; exactly ``["all-linear"]`` is passed to PEFT
as the string ``"all-linear"``; with ``lora_target_modules_regex: true`` the
entries are joined into one regex ``(a)|(b)`` that must ``re.fullmatch`` a full
module name. ``lora_exclude_modules`` entries are regexes joined the same way
into one full-match pattern (PEFT would have read the list as name suffixes).
The PEFT model is only built when ``training.use_peft`` is true.
"""

from __future__ import annotations

from dataclasses import replace

from lora_lint.extract.tools.base import (
    ALL_LINEAR,
    TASK_TYPE_HEADS,
    ConfigBuilder,
    ToolContext,
    as_mapping,
    entries,
    get,
    is_true,
    key_span,
    text,
)
from lora_lint.extract.types import ExtractedConfig, Located, Value
from lora_lint.models.heads import TRAINER_LM

NAME = "oumi"

#: ``PeftParams`` field -> LoraConfig field (targets and excludes are handled separately).
KEY_MAP: dict[str, str] = {
    "lora_r": "r",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
    "lora_modules_to_save": "modules_to_save",
    "lora_target_parameters": "target_parameters",
    "lora_bias": "bias",
    "lora_task_type": "task_type",
    "use_rslora": "use_rslora",
}


def detect(ctx: ToolContext) -> bool:
    root = ctx.root
    if root is None:
        return False
    model = as_mapping(get(root, "model"))
    peft = as_mapping(get(root, "peft"))
    return (
        model is not None
        and "model_name" in entries(model)
        and peft is not None
        and any(key.startswith(("lora_", "q_lora")) for key in entries(peft))
    )


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root = ctx.root
    peft = as_mapping(get(root, "peft")) if root is not None else None
    if root is None or peft is None:
        return []
    ctx.claim(peft)
    builder = ConfigBuilder(ctx, peft, NAME)
    config = builder.config
    config.facts = replace(config.facts, tool=NAME)
    for key, peft_name in KEY_MAP.items():
        builder.take(key, peft_name)
    regex = is_true(get(peft, "lora_target_modules_regex"))
    targets = get(peft, "lora_target_modules")
    if targets is not None and not (isinstance(targets, Located) and targets.value is None):
        builder.put("target_modules", "lora_target_modules", _targets(targets, regex))
        if regex:
            config.facts = replace(config.facts, targets_joined=True)
    excluded = get(peft, "lora_exclude_modules")
    if isinstance(excluded, Located) and excluded.items:
        builder.put("exclude_modules", "lora_exclude_modules", joined_regex(excluded))
        config.facts = replace(config.facts, exclude_joined=True)
    training = as_mapping(get(root, "training"))
    if training is None or not is_true(get(training, "use_peft")):
        config.facts = replace(
            config.facts,
            inert="training.use_peft is not true, so Oumi ignores the peft section",
        )
        if training is not None and "use_peft" in entries(training):
            config.facts = replace(config.facts, switch_span=key_span(training, "use_peft"))
    model = as_mapping(get(root, "model"))
    head = TASK_TYPE_HEADS.get((text(get(peft, "lora_task_type")) or "CAUSAL_LM").upper())
    if head == "causal-lm":
        head = TRAINER_LM  # its VLM scripts load the image-text-to-text class
    if model is not None:
        builder.model(
            "model_name",
            "Oumi model.model_name",
            head=head,
            trust_remote_code=get(model, "trust_remote_code"),
            mapping=model,
        )
    return [builder.build()]


def _targets(value: Value, regex: bool) -> Value:
    if not isinstance(value, Located) or value.container != "list":
        return value
    items = value.items
    if len(items) == 1 and isinstance(items[0], Located) and items[0].value == ALL_LINEAR:
        return Located(ALL_LINEAR, items[0].span, path=items[0].path)
    if regex and items:
        return joined_regex(value)
    return value


def joined_regex(value: Located) -> Located:
    """``["a", "b"]`` -> ``"(a)|(b)"``, one full-match regex with the list's span."""
    parts = [str(i.value) for i in value.items if isinstance(i, Located) and i.value is not None]
    return Located("|".join(f"({p})" for p in parts), value.span, path=value.path)
