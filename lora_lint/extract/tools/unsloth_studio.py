"""Unsloth Studio YAML: ``unsloth train --config run.yaml`` and the Studio UI's saved configs.

Read from unslothai/unsloth at commit 015bdef0d94a241bcd94eec7a405b1700632180d:

- ``unsloth_cli/config.py``: ``load_config`` feeds ``yaml.safe_load`` to a pydantic ``Config``
  with top-level ``model`` (the base model), ``data``, ``training``, ``lora``, ``logging``
  (extra keys ignored). ``lora.target_modules`` is typed ``str`` (a YAML list is a validation
  error, so that run never starts); ``Config.model_kwargs`` splits it with
  ``[m.strip() for m in s.split(",") if m and m.strip()]`` and passes ``None`` when nothing
  is left. ``training.training_type: full`` skips LoRA. On a vision model the string is
  ignored (``"all-linear"`` if ``vision_all_linear`` else ``None``).
- ``studio/backend/core/training/trainer.py`` (``prepare_model_for_training``): a list holding
  ``"all-linear"`` becomes the string ``"all-linear"`` when it is the only entry, and loses
  that entry otherwise; ``None`` or ``[]`` becomes ``q/k/v/o/gate/up/down_proj``. Text
  models then go to ``FastLanguageModel.get_peft_model`` (unsloth's own semantics apply:
  see :mod:`lora_lint.match.tools`).
- ``studio/frontend/src/features/training/lib/yaml-config.ts`` (the UI's "Save/Load YAML"):
  top-level ``training``/``lora``/``logging``/``inference`` only, no model (the model is
  picked in the UI); ``model-defaults.ts`` keeps a ``target_modules`` list's strings
  (deduplicated) and ignores any other value, and the list reaches the same trainer step.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lora_lint.extract.tools.base import (
    ALL_LINEAR,
    ConfigBuilder,
    ToolContext,
    as_mapping,
    entries,
    get,
    text,
)
from lora_lint.extract.types import ExtractedConfig, Located, Unresolved, Value

NAME = "unsloth-studio"

#: ``Config`` fields (unsloth_cli/config.py) plus the UI file's ``inference`` section.
_TOP_KEYS = frozenset({"model", "data", "training", "lora", "logging", "inference"})
#: Top-level keys only the ``unsloth train`` layout has.
_CLI_KEYS = frozenset({"model", "data"})
#: ``LoraConfig`` fields of unsloth_cli/config.py and the UI's ``lora`` section.
_LORA_KEYS = frozenset(
    {
        "lora_r",
        "lora_alpha",
        "lora_dropout",
        "target_modules",
        "vision_all_linear",
        "use_rslora",
        "use_loftq",
        "use_dora",
        "finetune_vision_layers",
        "finetune_language_layers",
        "finetune_attention_modules",
        "finetune_mlp_modules",
    }
)
#: ``lora`` key -> PeftConfig field (as ``FastLanguageModel.get_peft_model`` receives them).
KEY_MAP: dict[str, str] = {
    "lora_r": "r",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
    "use_rslora": "use_rslora",
    "use_dora": "use_dora",
}
#: ``prepare_model_for_training``'s targets when it receives none.
DEFAULT_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
DEFAULT_MEANS = "Unsloth Studio targets " + ", ".join(DEFAULT_TARGETS) + " when none are given"


def detect(ctx: ToolContext) -> bool:
    """A mapping of Studio's sections only, whose ``lora`` section has Studio's keys only."""
    root = ctx.root
    if root is None:
        return False
    keys = set(entries(root))
    lora = as_mapping(get(root, "lora"))
    if lora is None or not keys <= _TOP_KEYS or not keys & {"model", "training"}:
        return False
    lora_keys = set(entries(lora))
    return bool(lora_keys) and lora_keys <= _LORA_KEYS and bool(lora_keys & set(KEY_MAP))


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root = ctx.root
    lora = as_mapping(get(root, "lora")) if root is not None else None
    if root is None or lora is None:
        return []
    ctx.claim(lora)
    builder = ConfigBuilder(ctx, lora, NAME, tool=NAME)
    for key, peft_name in KEY_MAP.items():
        builder.take(key, peft_name)
    cli_layout = bool(set(entries(root)) & _CLI_KEYS)
    value = get(lora, "target_modules")
    if isinstance(value, Located) and value.container in ("list", "tuple"):
        _from_list(builder, value)
        if cli_layout:
            # ``unsloth train`` rejects the list (a str field); the UI ignores ``model``.
            _set(
                builder,
                not_judged="unsloth train accepts lora.target_modules only as a comma string, "
                "and the Studio UI, which takes the list, ignores the file's model",
            )
            return [builder.build()]
    elif cli_layout:
        _from_string(ctx, builder, value)
    else:
        # The UI keeps its current targets for anything but a list: not in the file.
        _set(
            builder,
            tool_expands_targets="the Studio UI ignores a lora.target_modules that is not a list",
        )
    if cli_layout:
        _training_type(builder, root)
    builder.model("model", "Unsloth Studio model", mapping=root)
    return [builder.build()]


def _from_string(ctx: ToolContext, builder: ConfigBuilder, value: Value | None) -> None:
    """``Config.model_kwargs``: split on commas, strip, drop empty pieces."""
    if value is None:
        _set(builder, tool_expands_targets=DEFAULT_MEANS)
        return
    if isinstance(value, Unresolved):
        builder.put("target_modules", "target_modules", value)
        return
    written = text(value)
    if written is None:
        builder.inert(
            "unsloth train requires lora.target_modules to be a string, so this run stops"
        )
        return
    _from_list(builder, ctx.split_commas(value))


def _from_list(builder: ConfigBuilder, value: Located) -> None:
    """``prepare_model_for_training``: a lone ``all-linear`` becomes PEFT's string, with
    other entries it is dropped; no entry at all means Studio's default list."""
    items = [item for item in value.items if not _is_all_linear(item)]
    if not value.items:
        _set(builder, tool_expands_targets=DEFAULT_MEANS)
        return
    if not items:
        only = value.items[0]
        builder.put("target_modules", "target_modules", Located(ALL_LINEAR, only.span))
        return
    if len(items) < len(value.items):
        dropped = tuple(
            item for item in value.items if isinstance(item, Located) and _is_all_linear(item)
        )
        _set(builder, dropped_all_linear=dropped)
    kept = [item for item in items if not isinstance(item, Located) or item.value is not None]
    builder.put(
        "target_modules",
        "target_modules",
        Located(
            kept,
            value.span,
            container="list",
            split_from_string=value.split_from_string,
            path=value.path,
        ),
    )


def _is_all_linear(item: Located | Unresolved) -> bool:
    return isinstance(item, Located) and item.value == ALL_LINEAR


def _training_type(builder: ConfigBuilder, root: Located) -> None:
    training = as_mapping(get(root, "training"))
    if training is None:
        return
    kind = text(get(training, "training_type"))
    if kind is not None and kind.lower() == "full":
        builder.inert(
            "training.training_type is full, so Unsloth Studio trains without LoRA",
            switch=(training, "training_type"),
        )


def _set(builder: ConfigBuilder, **facts: Any) -> None:
    """Record what Studio does with this config (see :class:`ToolFacts`)."""
    builder.config.facts = dataclasses.replace(builder.config.facts, **facts)
