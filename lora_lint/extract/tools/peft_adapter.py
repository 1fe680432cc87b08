"""PEFT's saved ``adapter_config.json`` (``PeftConfig.save_pretrained`` output).

Keys are already PEFT field names. ``PeftConfig.from_pretrained`` drops keys it
does not know with only a warning, so they are recorded as ``unknown_keys``.
``base_model_name_or_path`` is often a local training path; it is passed on as
written and the model resolver decides what it can do with it. A ``null`` one in an
experiment of PEFT's benchmark runner is the runner's model (:mod:`.peft_benchmark`).
"""

from __future__ import annotations

from dataclasses import replace

from lora_lint.extract.tools.base import (
    LORA_FIELDS,
    TASK_TYPE_HEADS,
    ConfigBuilder,
    ToolContext,
    entries,
    get,
    text,
)
from lora_lint.extract.tools.peft_benchmark import runner_model
from lora_lint.extract.types import ExtractedConfig

NAME = "peft-json"


def detect(ctx: ToolContext) -> bool:
    keys = ctx.keys
    return "peft_type" in keys and ("target_modules" in keys or "base_model_name_or_path" in keys)


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root = ctx.claim_root()
    if root is None:
        return []
    builder = ConfigBuilder(ctx, root, NAME)
    peft_type = (text(get(root, "peft_type")) or "LORA").upper()
    builder.config.peft_type = peft_type
    for key in entries(root):
        if key in LORA_FIELDS:
            builder.take(key, key)
        elif peft_type == "LORA":
            builder.unknown(key)
    if peft_type != "LORA":
        builder.config.facts = replace(
            builder.config.facts,
            unknown_keys_unchecked=(
                f"{peft_type} has its own config fields; only LoRA's are known here"
            ),
        )
    task_type = text(get(root, "task_type"))
    builder.model(
        "base_model_name_or_path",
        "base_model_name_or_path in the adapter config",
        head=TASK_TYPE_HEADS.get(task_type or ""),
    )
    if builder.config.model is None and get(root, "base_model_name_or_path") is not None:
        builder.config.model = runner_model(ctx.path)
    revision = text(get(root, "revision"))
    if revision:
        builder.config.facts = replace(builder.config.facts, revision=revision)
    return [builder.build()]
