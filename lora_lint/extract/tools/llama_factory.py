"""LLaMA-Factory YAML, both schemas.

v0 (``llamafactory-cli train x.yaml``): flat keys parsed by ``HfArgumentParser``.
``lora_target`` is a comma-separated string (default ``all``) split with
``[item.strip() for item in value.split(",")]``; a lone ``all`` means
``find_all_linear_modules`` while ``all`` inside a longer list is a literal
name. ``finetuning_type`` defaults to ``lora``.

v1 (``model:`` + ``peft_config: {name: lora, ...}``): ``target_modules`` is
``all``, a list, or a string that is wrapped into ``[string]`` **without**
splitting, so a v0-style ``"q_proj,v_proj"`` becomes one bogus name
(``v1/plugins/model_plugins/peft.py``).
"""

from __future__ import annotations

from dataclasses import replace

from lora_lint.extract.tools.base import (
    ALL_LINEAR,
    LORA_RANK_KEYS,
    ConfigBuilder,
    ToolContext,
    as_mapping,
    entries,
    get,
    is_true,
    one_item_list,
    text,
)
from lora_lint.extract.types import ExtractedConfig, Located, Value
from lora_lint.models.heads import TRAINER_LM

NAME = "llama-factory"

ALL_MEANS = "llama-factory find_all_linear_modules"

_V0_MARKERS = ("finetuning_type", "lora_target", "stage")
_V0_LORA_KEYS = ("lora_target", "lora_rank", "lora_alpha", "lora_dropout", "additional_target")
#: v0 key -> LoraConfig field (``lora_target``/``additional_target`` are split first).
_V0_KEY_MAP = {**LORA_RANK_KEYS, "use_dora": "use_dora", "use_rslora": "use_rslora"}
#: Keys ``LoraConfigDict`` reads in v1; anything else in ``peft_config`` is silently ignored.
_V1_KNOWN = frozenset(
    {
        "name",
        "r",
        "lora_alpha",
        "lora_dropout",
        "target_modules",
        "use_rslora",
        "use_dora",
        "modules_to_save",
        "adapter_name_or_path",
        "export_dir",
        "export_size",
        "export_hub_model_id",
        "infer_dtype",
        "export_legacy_format",
    }
)
_V1_OPTIONS = ("r", "lora_alpha", "lora_dropout", "use_rslora", "use_dora", "modules_to_save")


def detect(ctx: ToolContext) -> bool:
    if ctx.marked("model_name_or_path", _V0_MARKERS):
        return True
    return "model" in ctx.keys and ctx.section("peft_config") is not None


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root = ctx.claim_root()
    if root is None:
        return []
    if "model_name_or_path" in entries(root):
        return _extract_v0(ctx, root)
    return _extract_v1(ctx, root)


def _all_or_names(value: Located, builder: ConfigBuilder) -> Located:
    """A lone ``all`` becomes PEFT's ``all-linear`` (LLaMA-Factory expands it the same way)."""
    if len(value.items) == 1:
        only = value.items[0]
        if isinstance(only, Located) and only.value == "all":
            builder.config.facts = replace(builder.config.facts, all_means=ALL_MEANS)
            return Located(ALL_LINEAR, only.span, path=only.path)
    return value


def _comma_list(ctx: ToolContext, value: Value) -> Value:
    """``"a, b"`` -> a list with one span per piece; lists and unresolved values stay."""
    if isinstance(value, Located) and isinstance(value.value, str) and not value.container:
        return ctx.split_commas(value)
    return value


def _extract_v0(ctx: ToolContext, root: Located) -> list[ExtractedConfig]:
    builder = ConfigBuilder(ctx, root, NAME)
    config = builder.config
    finetuning_type = text(get(root, "finetuning_type")) or "lora"
    has_lora_keys = any(key in entries(root) for key in _V0_LORA_KEYS)
    if finetuning_type != "lora":
        if not has_lora_keys:
            return []
        builder.inert(
            f"finetuning_type is {finetuning_type}, so LLaMA-Factory ignores the lora_* keys"
        )
    target = get(root, "lora_target")
    if target is None:
        config.facts = replace(
            config.facts, implicit_target_modules=ALL_LINEAR, all_means=ALL_MEANS
        )
    else:
        split = _comma_list(ctx, target)
        if isinstance(split, Located) and split.container == "list":
            split = _all_or_names(split, builder)
        builder.put("target_modules", "lora_target", split)
    extra = get(root, "additional_target")
    if extra is not None and not (isinstance(extra, Located) and extra.value is None):
        builder.put("modules_to_save", "additional_target", _comma_list(ctx, extra))
    builder.take_all(_V0_KEY_MAP)
    adapters = text(get(root, "adapter_name_or_path"))
    if adapters and not is_true(get(root, "create_new_adapter")):
        config.facts = replace(config.facts, adapter_name_or_path=adapters)
        builder.inert(
            "adapter_name_or_path is set, so LLaMA-Factory resumes that adapter "
            "and its saved adapter_config.json decides the targets",
            keep_earlier=True,
        )
    builder.model(
        "model_name_or_path",
        "LLaMA-Factory model_name_or_path",
        head=TRAINER_LM,
        trust_remote_code=get(root, "trust_remote_code"),
    )
    return [builder.build()]


def _extract_v1(ctx: ToolContext, root: Located) -> list[ExtractedConfig]:
    peft = ctx.claim_section("peft_config")
    if peft is None:
        return []
    name = text(get(peft, "name"))
    if name != "lora" and "target_modules" not in entries(peft):
        return []
    builder = ConfigBuilder(ctx, peft, NAME)
    if name != "lora":
        builder.inert(f"peft_config.name is {name}, so LLaMA-Factory ignores target_modules")
    _v1_targets(builder, peft)
    for key in _V1_OPTIONS:
        builder.take(key, key)
    for key in entries(peft):
        if key not in _V1_KNOWN:
            builder.unknown(key)
    if text(get(peft, "adapter_name_or_path")):
        builder.inert(
            "peft_config.adapter_name_or_path is set, so LLaMA-Factory loads that "
            "adapter and its saved adapter_config.json decides the targets"
        )
    _v1_model(builder, root)
    return [builder.build()]


def _v1_targets(builder: ConfigBuilder, peft: Located) -> None:
    value = get(peft, "target_modules")
    config = builder.config
    if value is None:
        config.facts = replace(
            config.facts, implicit_target_modules=ALL_LINEAR, all_means=ALL_MEANS
        )
        return
    written = text(value)
    if written == "all":
        config.facts = replace(config.facts, all_means=ALL_MEANS)
        assert isinstance(value, Located)
        value = Located(ALL_LINEAR, value.span, path=value.path)
    elif written is not None:
        assert isinstance(value, Located)
        value = one_item_list(value)
        if "," in written:
            config.facts = replace(config.facts, comma_not_split=True)
    builder.put("target_modules", "target_modules", value)


def _v1_model(builder: ConfigBuilder, root: Located) -> None:
    head = TRAINER_LM if text(get(root, "model_class")) in (None, "llm") else None
    trust = get(root, "trust_remote_code")
    model = get(root, "model")
    nested = as_mapping(model)
    if nested is None:
        builder.model(
            "model", "LLaMA-Factory model", head=head, trust_remote_code=trust, mapping=root
        )
        return
    key = "model_name_or_path" if text(get(nested, "model_name_or_path")) else "name"
    trust = get(nested, "trust_remote_code") or trust
    builder.model(
        key, f"LLaMA-Factory model.{key}", head=head, trust_remote_code=trust, mapping=nested
    )
