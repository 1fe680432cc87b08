"""ms-swift's command line (``swift sft --model M --target_modules q_proj v_proj``).

ms-swift reads LoRA settings from flags only: ``--target_modules`` is a list that defaults
to ``all-linear``; ``all-linear`` inside the list adds every linear layer to the other
names; ``--target_regex`` replaces the list. Other flags map one to one onto ``LoraConfig``
fields (``--lora_rank`` is ``r``). ``--train_type`` other than a LoRA variant makes the
LoRA flags inert.
"""

from __future__ import annotations

from lora_lint.extract.tools.base import ALL_LINEAR, ConfigBuilder, ToolContext, entries, get, text
from lora_lint.extract.types import ExtractedConfig, Located

NAME = "ms-swift"
#: ``swift <subcommand>`` that trains (and so reads the LoRA flags).
SUBCOMMANDS = frozenset({"sft", "pt", "rlhf"})
#: Train types that apply a LoRA adapter.
_LORA_TYPES = frozenset({"lora", "qlora", "dora", "longlora", "lora+"})

#: ms-swift flag -> LoraConfig field (targets and model are handled separately).
KEY_MAP = {
    "lora_rank": "r",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
    "modules_to_save": "modules_to_save",
    "target_parameters": "target_parameters",
    "use_dora": "use_dora",
    "use_rslora": "use_rslora",
}


def read_flags(ctx: ToolContext, root: Located) -> ExtractedConfig | None:
    """The config of one ``swift sft`` command whose flags form ``root``."""
    builder = ConfigBuilder(ctx, root, NAME)
    config = builder.config
    config.notes["tool"] = NAME
    train_type = text(get(root, "train_type")) or text(get(root, "sft_type")) or "lora"
    if train_type not in _LORA_TYPES:
        if not any(k in KEY_MAP or k.startswith(("target_", "lora_")) for k in entries(root)):
            return None
        config.notes["inert"] = f"train_type is {train_type}, so ms-swift ignores the LoRA flags"
    for key, peft_name in KEY_MAP.items():
        builder.take(key, peft_name)
    regex = get(root, "target_regex")
    targets = get(root, "target_modules")
    if regex is not None:
        builder.put("target_modules", "target_regex", regex)
    elif isinstance(targets, Located) and targets.container == "list":
        names = [i for i in targets.items if not (isinstance(i, Located) and i.value == ALL_LINEAR)]
        if len(names) != len(targets.items):
            config.add_all_linear_leaves = True
            config.notes["all_means"] = "ms-swift all-linear"
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
        config.notes["implicit_target_modules"] = ALL_LINEAR
    for key in ("model", "model_id_or_path"):
        if text(get(root, key)):
            builder.model(key, f"ms-swift --{key}", head="causal-lm")
            break
    return builder.build()
