"""ms-swift YAML/JSON (``swift sft --config x.yaml``): ``model`` plus tuner arguments.

Semantics from ms-swift's ``swift/arguments`` (``BaseArguments``, ``TunerArguments``):
- ``model`` is the base model. ``model_name`` is the *self-cognition* bot's name, a
  string for the chat template, never a model.
- ``tuner_type`` (older releases: ``train_type``) picks the tuner; it defaults to
  ``lora``. ``full`` and the other tuners ignore the LoRA keys.
- ``target_modules`` defaults to ``['all-linear']``; ``target_regex``, when set,
  replaces it. The ``all-*`` names (``all-linear``, ``all-embedding``, ...) are
  expanded by ms-swift itself, with its own rules for multimodal models, so a list
  that contains one is not judged by PEFT's semantics.
- ``lora_rank``/``lora_alpha``/``lora_dropout``/``modules_to_save``/``use_dora`` feed
  ms-swift's ``LoraConfig``, a subclass of PEFT's.
"""

from __future__ import annotations

from lora_lint.extract.tools.base import ConfigBuilder, ToolContext, entries, get, text
from lora_lint.extract.types import ExtractedConfig, Located

NAME = "ms-swift"

KEY_MAP: dict[str, str] = {
    "lora_rank": "r",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
    "modules_to_save": "modules_to_save",
    "use_dora": "use_dora",
    "target_parameters": "target_parameters",
}
#: Keys that only ms-swift's argument classes have.
_MARKERS = ("tuner_type", "train_type", "lora_rank", "target_regex", "freeze_vit", "lora_dtype")
_TUNER_KEYS = ("tuner_type", "train_type")


def detect(ctx: ToolContext) -> bool:
    root = ctx.root
    if root is None:
        return False
    keys = entries(root)
    return "model" in keys and any(marker in keys for marker in _MARKERS)


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root = ctx.root
    if root is None:
        return []
    ctx.claim(root)
    builder = ConfigBuilder(ctx, root, NAME)
    notes = builder.config.notes
    notes["tool"] = NAME
    for key, peft_name in KEY_MAP.items():
        builder.take(key, peft_name)
    tuner_key = next((k for k in _TUNER_KEYS if k in entries(root)), None)
    tuner = (text(get(root, tuner_key)) or "lora") if tuner_key else "lora"
    if tuner.lower() != "lora":
        notes["inert"] = f"{tuner_key} is {tuner}, so ms-swift ignores the LoRA keys"
    regex = get(root, "target_regex")
    if isinstance(regex, Located) and isinstance(regex.value, str) and regex.value:
        builder.put("target_modules", "target_regex", regex)
    else:
        targets = get(root, "target_modules")
        if targets is None:
            notes["tool_expands_targets"] = "ms-swift's default target_modules is all-linear"
        elif _has_swift_shorthand(targets):
            notes["tool_expands_targets"] = "ms-swift expands its all-* target names itself"
        else:
            builder.take("target_modules", "target_modules")
    builder.model("model", "ms-swift model")
    return [builder.build()]


def _has_swift_shorthand(value: object) -> bool:
    items = value.items if isinstance(value, Located) and value.items else [value]
    return any(
        isinstance(item, Located) and isinstance(item.value, str) and item.value.startswith("all-")
        for item in items
    )
