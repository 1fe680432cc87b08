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
    TRAINER_LORA_KEYS,
    ConfigBuilder,
    ToolContext,
    entries,
    get,
    is_true,
    trainer_head,
)
from lora_lint.extract.types import ExtractedConfig, Located, Value

NAME = "oumi"

#: ``PeftParams`` field -> LoraConfig field (targets and excludes are handled separately).
KEY_MAP: dict[str, str] = {
    **TRAINER_LORA_KEYS,
    "lora_bias": "bias",
    "lora_task_type": "task_type",
    "use_rslora": "use_rslora",
}


def detect(ctx: ToolContext) -> bool:
    model = ctx.section("model")
    peft = ctx.section("peft")
    return (
        model is not None
        and "model_name" in entries(model)
        and peft is not None
        and any(key.startswith(("lora_", "q_lora")) for key in entries(peft))
    )


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    peft = ctx.claim_section("peft")
    if peft is None:
        return []
    builder = ConfigBuilder(ctx, peft, NAME, tool=NAME)
    config = builder.config
    builder.take_all(KEY_MAP)
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
    training = ctx.section("training")
    if training is None or not is_true(get(training, "use_peft")):
        builder.inert(
            "training.use_peft is not true, so Oumi ignores the peft section",
            switch=(training, "use_peft"),
        )
    model = ctx.section("model")
    if model is not None:
        builder.model(
            "model_name",
            "Oumi model.model_name",
            head=trainer_head(get(peft, "lora_task_type")),
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
