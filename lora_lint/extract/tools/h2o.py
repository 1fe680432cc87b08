"""H2O LLM Studio experiment YAML (``cfg.yaml``): ``llm_backbone`` + ``training: {lora_*}``.

From ``llm_studio/src/utils/modeling_utils.py`` (``prepare_lora``):
``training.lora_target_modules`` is one comma-separated string, split with
``[m.strip() for m in value.strip().split(",")]``; an empty string means every
``Linear``/``Conv1d`` leaf whose full path does not contain ``"head"``, by leaf
name. LoRA is applied only when ``training.lora`` is true.
"""

from __future__ import annotations

from dataclasses import replace

from lora_lint.extract.tools.base import (
    LORA_R_KEYS,
    ConfigBuilder,
    ToolContext,
    as_mapping,
    entries,
    get,
    is_true,
    text,
)
from lora_lint.extract.types import ExtractedConfig, Located

NAME = "h2o-llmstudio"

#: ``training`` key -> LoraConfig field (targets are handled separately).
KEY_MAP: dict[str, str] = {**LORA_R_KEYS, "use_dora": "use_dora", "use_rslora": "use_rslora"}

ALL_MEANS = "every Linear/Conv1d leaf whose path does not contain 'head'"


def detect(ctx: ToolContext) -> bool:
    training = ctx.section("training")
    return (
        "llm_backbone" in ctx.keys
        and training is not None
        and any(k.startswith("lora") for k in entries(training))
    )


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root, training = ctx.root, ctx.claim_section("training")
    if root is None or training is None:
        return []
    builder = ConfigBuilder(ctx, training, NAME, tool=NAME)
    config = builder.config
    builder.take_all(KEY_MAP)
    value = get(training, "lora_target_modules")
    written = text(value)
    if (
        value is None
        or (isinstance(value, Located) and value.value is None)
        or (written is not None and not written.strip())
    ):
        config.add_all_linear_leaves = True
        config.facts = replace(config.facts, implicit_target_modules=ALL_MEANS, all_means=ALL_MEANS)
    elif written is not None:
        assert isinstance(value, Located)
        builder.put("target_modules", "lora_target_modules", ctx.split_commas(value))
    else:
        builder.put("target_modules", "lora_target_modules", value)
    if not is_true(get(training, "lora")):
        builder.inert(
            "training.lora is not true, so H2O LLM Studio ignores the lora_* keys",
            switch=(training, "lora"),
        )
    environment = as_mapping(get(root, "environment"))
    trust = get(environment, "trust_remote_code") if environment is not None else None
    builder.model(
        "llm_backbone",
        "H2O LLM Studio llm_backbone",
        head="causal-lm",
        trust_remote_code=trust,
        mapping=root,
    )
    return [builder.build()]
