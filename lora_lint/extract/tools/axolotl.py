"""axolotl YAML: ``adapter: lora|qlora`` plus ``lora_*`` / ``peft_*`` keys.

Semantics from ``axolotl/loaders/adapter.py`` (``_build_peft_lora_config``):
``lora_target_modules`` is passed to PEFT as is (a list matches by suffix, a
string is a regex), ``cfg.lora_target_modules or []`` when unset, and
``lora_target_linear: true`` unions in every Linear leaf name -- after wrapping
a string target into ``[string]``, which silently turns a regex into a literal
name. With ``adapter`` unset axolotl never builds a LoRA config at all.
"""

from __future__ import annotations

from dataclasses import replace

from lora_lint.extract.tools.base import (
    LORA_R_KEYS,
    ConfigBuilder,
    ToolContext,
    get,
    head_from_class,
    is_blank,
    is_true,
    one_item_list,
    text,
)
from lora_lint.extract.types import ExtractedConfig, Located
from lora_lint.models.heads import TRAINER_LM

NAME = "axolotl"

#: Any of these next to ``base_model`` makes a file an axolotl config.
_MARKERS = ("adapter", "lora_target_modules", "lora_target_linear", "lora_r")

#: axolotl key -> LoraConfig field (``lora_target_modules`` is handled separately).
KEY_MAP: dict[str, str] = {
    **LORA_R_KEYS,
    "lora_modules_to_save": "modules_to_save",
    "lora_exclude_modules": "exclude_modules",
    "lora_target_parameters": "target_parameters",
    "peft_layers_to_transform": "layers_to_transform",
    "peft_layers_pattern": "layers_pattern",
    "lora_rank_pattern": "rank_pattern",
    "lora_alpha_pattern": "alpha_pattern",
    "peft_use_dora": "use_dora",
    "peft_use_rslora": "use_rslora",
    "lora_fan_in_fan_out": "fan_in_fan_out",
    "peft_layer_replication": "layer_replication",
    "peft_trainable_token_indices": "trainable_token_indices",
    "peft_init_lora_weights": "init_lora_weights",
    "peft_ensure_weight_tying": "ensure_weight_tying",
}

_LORA_ADAPTERS = ("lora", "qlora")


def detect(ctx: ToolContext) -> bool:
    return ctx.marked("base_model", _MARKERS)


def extract(ctx: ToolContext) -> list[ExtractedConfig]:
    root = ctx.claim_root()
    if root is None:
        return []
    builder = ConfigBuilder(ctx, root, NAME)
    builder.take_all(KEY_MAP)
    _targets(builder, root)
    _adapter_state(builder, root)
    _model(builder, root)
    return [builder.build()]


def _targets(builder: ConfigBuilder, root: Located) -> None:
    """``lora_target_modules`` + ``lora_target_linear``, as axolotl combines them."""
    config = builder.config
    linear = is_true(get(root, "lora_target_linear"))
    config.add_all_linear_leaves = linear
    value = get(root, "lora_target_modules")
    if value is None:
        if not linear:
            config.facts = replace(config.facts, implicit_target_modules=())  # `or []`
        return
    if isinstance(value, Located) and value.value is None:
        # `lora_target_modules:` left empty: axolotl passes [] (not PEFT's None defaults).
        value = Located([], value.span, container="list")
    elif linear and text(value) is not None:
        assert isinstance(value, Located)
        value = one_item_list(value)
        config.facts = replace(config.facts, regex_became_literal=True)
    builder.put("target_modules", "lora_target_modules", value)


def _adapter_state(builder: ConfigBuilder, root: Located) -> None:
    """Record why the lora_* keys may have no effect at all."""
    config = builder.config
    adapter = get(root, "adapter")
    name = text(adapter)
    if is_blank(adapter):
        builder.inert("adapter is not set, so axolotl ignores the lora_* keys")
    elif name is not None and name not in _LORA_ADAPTERS:
        config.facts = replace(config.facts, adapter=name)
        if name == "llama-adapter":
            builder.inert("adapter is llama-adapter, so axolotl ignores the lora_* keys")
    model_dir = text(get(root, "lora_model_dir"))
    if model_dir:
        config.facts = replace(config.facts, lora_model_dir=model_dir)
        builder.inert(
            "lora_model_dir is set, so axolotl loads that adapter and its saved "
            "adapter_config.json decides the targets",
            keep_earlier=True,
        )


def _model(builder: ConfigBuilder, root: Located) -> None:
    """``base_model_config`` (when set) is where axolotl reads the architecture from."""
    head_class = text(get(root, "type_of_model")) or text(get(root, "model_type"))
    head = head_from_class(head_class) if head_class else TRAINER_LM
    if head_class and head is None:
        builder.config.facts = replace(builder.config.facts, model_class=head_class)
    key = "base_model_config" if text(get(root, "base_model_config")) else "base_model"
    builder.model(
        key, f"axolotl {key}", head=head, trust_remote_code=get(root, "trust_remote_code")
    )
