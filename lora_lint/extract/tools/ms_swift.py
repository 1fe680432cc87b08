"""ms-swift, from its command line (``swift sft --model M --target_modules q_proj v_proj``) or
from the YAML/JSON file given to ``--config``: the same argument names either way.

Semantics from ms-swift's ``swift/arguments`` (``BaseArguments``, ``TunerArguments``):
- ``model`` (older: ``model_id_or_path``) is the base model. ``model_name`` is the
  *self-cognition* bot's name for the chat template, never a model.
- ``tuner_type`` (older releases: ``train_type``, ``sft_type``) picks the tuner and
  defaults to ``lora``; ``full`` and the other tuners make the LoRA arguments inert.
- ``target_modules`` defaults to ``['all-linear']``; ``all-linear`` inside the list adds
  ms-swift's own expansion of every linear layer (with its rules for multimodal models)
  to the other names; ``target_regex``, when set, replaces the list.
- ``lora_rank`` is ``r``; the other LoRA arguments map one to one onto ms-swift's
  ``LoraConfig``, a subclass of PEFT's.
"""

from __future__ import annotations

from dataclasses import replace

from lora_lint.extract.tools.base import (
    ALL_LINEAR,
    LORA_RANK_KEYS,
    ConfigBuilder,
    ToolContext,
    entries,
    get,
    text,
)
from lora_lint.extract.types import ExtractedConfig, Located
from lora_lint.models.heads import TRAINER_LM

NAME = "ms-swift"
#: ``swift <subcommand>`` that trains (and so reads the LoRA flags).
SUBCOMMANDS = frozenset({"sft", "pt", "rlhf"})
#: Tuner types that apply a LoRA adapter.
_LORA_TYPES = frozenset({"lora", "qlora", "dora", "longlora", "lora+"})
_TUNER_KEYS = ("tuner_type", "train_type", "sft_type")
#: Keys only ms-swift's argument classes have (to recognise its YAML files).
_MARKERS = ("tuner_type", "train_type", "lora_rank", "target_regex", "freeze_vit", "lora_dtype")

#: ms-swift argument -> LoraConfig field (targets and model are handled separately).
KEY_MAP = {
    **LORA_RANK_KEYS,
    "modules_to_save": "modules_to_save",
    "target_parameters": "target_parameters",
    "use_dora": "use_dora",
    "use_rslora": "use_rslora",
}


def detect(ctx: ToolContext) -> bool:
    """A YAML/JSON ``--config`` file of ms-swift."""
    return ctx.marked("model", _MARKERS)


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root = ctx.claim_root()
    if root is None:
        return []
    config = read_flags(ctx, root)
    return [config] if config is not None else []


def read_flags(ctx: ToolContext, root: Located) -> ExtractedConfig | None:
    """The config of one ``swift sft`` command (or ``--config`` file) whose keys form ``root``."""
    builder = ConfigBuilder(ctx, root, NAME, tool=NAME)
    config = builder.config
    tuner_key = next((k for k in _TUNER_KEYS if text(get(root, k))), None)
    tuner = (text(get(root, tuner_key)) if tuner_key else None) or "lora"
    if tuner.lower() not in _LORA_TYPES:
        if not any(k in KEY_MAP or k.startswith(("target_", "lora_")) for k in entries(root)):
            return None
        builder.inert(f"{tuner_key} is {tuner}, so ms-swift ignores the LoRA arguments")
    builder.take_all(KEY_MAP)
    regex = get(root, "target_regex")
    targets = get(root, "target_modules")
    if isinstance(regex, Located) and isinstance(regex.value, str) and regex.value:
        builder.put("target_modules", "target_regex", regex)
    elif isinstance(targets, Located) and targets.container == "list":
        names = [i for i in targets.items if not (isinstance(i, Located) and i.value == ALL_LINEAR)]
        if len(names) != len(targets.items):
            config.add_all_linear_leaves = True
            config.facts = replace(config.facts, all_means="ms-swift expands all-linear itself")
        if names:
            builder.put(
                "target_modules", "target_modules", Located(names, targets.span, container="list")
            )
        else:
            lone = next(i for i in targets.items if isinstance(i, Located))
            builder.put("target_modules", "target_modules", Located(ALL_LINEAR, lone.span))
    elif targets is not None:
        builder.put("target_modules", "target_modules", targets)
    else:
        config.facts = replace(
            config.facts,
            implicit_target_modules=ALL_LINEAR,
            tool_expands_targets="ms-swift's default target_modules is all-linear",
        )
    for key in ("model", "model_id_or_path"):
        if text(get(root, key)):
            builder.model(key, f"ms-swift {key}", head=TRAINER_LM)
            break
    return builder.build()
