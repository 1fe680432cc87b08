"""TRL / alignment-handbook YAML (``trl sft --config x.yaml``, ``run_sft.py recipe.yaml``).

The keys are ``trl.ModelConfig`` fields, read by ``HfArgumentParser``:
``model_name_or_path``, ``use_peft`` (default ``False``), ``lora_r``,
``lora_alpha``, ``lora_dropout``, ``lora_target_modules``,
``lora_modules_to_save``, ``lora_target_parameters``, ``lora_task_type``,
``use_rslora``, ``use_dora``. ``get_peft_config`` returns ``None`` unless
``use_peft`` is true, so the ``lora_*`` keys are inert without it.

``ModelConfig.__post_init__`` collapses a one-element ``lora_target_modules``
into its only string (``hasattr(x, "__len__") and len(x) == 1``), and PEFT
reads a string as a regex over *full* module names. ``["all-linear"]`` still
works (PEFT's shorthand); ``["q_proj"]`` becomes the regex ``q_proj`` that no
full name such as ``model.layers.0.self_attn.q_proj`` matches. A lone entry
that looks like a regex is modelled as the string TRL passes on; a lone plain
name stays a list (so typos are still checked as names) and is recorded in
``facts.collapsed_to_regex``; the tool model
(:func:`lora_lint.match.tools.dropped_by_tool`) judges what the collapse does to it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from lora_lint.extract.tools.base import (
    ALL_LINEAR,
    TRAINER_LORA_KEYS,
    ConfigBuilder,
    ToolContext,
    entries,
    get,
    is_true,
    text,
    trainer_head,
)
from lora_lint.extract.types import ExtractedConfig, Located, Value

NAME = "trl"

#: ``ModelConfig`` field -> LoraConfig field (``lora_target_modules`` is handled separately).
KEY_MAP: dict[str, str] = {
    **TRAINER_LORA_KEYS,
    "lora_task_type": "task_type",
    "use_rslora": "use_rslora",
    "use_dora": "use_dora",
}

_LORA_KEYS = ("lora_target_modules", *KEY_MAP)
#: Keys only LLaMA-Factory's flat schema has (its adapter handles those files).
_LLAMA_FACTORY_MARKERS = ("finetuning_type", "lora_target", "stage")
#: Characters that make a lone entry a deliberate regex rather than a module name.
_REGEX_CHARS = re.compile(r"[*+?\[\](){}|^$\\]")


def detect(ctx: ToolContext) -> bool:
    keys = ctx.keys
    if "model_name_or_path" not in keys or any(m in keys for m in _LLAMA_FACTORY_MARKERS):
        return False
    return "use_peft" in keys or "lora_target_modules" in keys


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root = ctx.claim_root()
    if root is None:
        return []
    builder = ConfigBuilder(ctx, root, NAME, tool=NAME)
    config = builder.config
    builder.take_all(KEY_MAP)
    _targets(builder, root)
    if not is_true(get(root, "use_peft")):
        if not any(key in entries(root) for key in _LORA_KEYS):
            return []
        builder.inert(
            "use_peft is not true, so TRL ignores the lora_* keys", switch=(root, "use_peft")
        )
    revision = text(get(root, "model_revision"))
    if revision and revision != "main":
        config.facts = replace(config.facts, revision=revision)
    builder.model(
        "model_name_or_path",
        "TRL model_name_or_path",
        head=trainer_head(get(root, "lora_task_type")),
        trust_remote_code=get(root, "trust_remote_code"),
    )
    return [builder.build()]


def collapse_single_target(value: Value, config: ExtractedConfig) -> Value:
    """TRL's ``ModelConfig.__post_init__``: a one-element target list becomes its string.

    Shared by the YAML/shell adapters and the Python ``ModelConfig(...)`` extractor.
    ``["all-linear"]`` and a regex-looking entry become that string (as PEFT then reads
    it); a plain name stays a list so typos are still checked, and is noted for LL015.
    """
    if isinstance(value, Located) and len(value.items) == 1:
        only = value.items[0]
        entry = text(only)
        if isinstance(only, Located) and entry is not None:
            if entry.lower() == ALL_LINEAR or _REGEX_CHARS.search(entry):
                return Located(entry, only.span, path=only.path)
            config.facts = replace(config.facts, collapsed_to_regex=only)
    return value


def _targets(builder: ConfigBuilder, root: Located) -> None:
    value = get(root, "lora_target_modules")
    if value is None or (isinstance(value, Located) and value.value is None):
        return  # None: PEFT's per-architecture default targets
    value = collapse_single_target(value, builder.config)
    builder.put("target_modules", "lora_target_modules", value)
