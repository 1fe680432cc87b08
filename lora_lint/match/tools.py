"""What a training tool does to a LoRA config before PEFT sees it.

Most tools hand their options to PEFT unchanged once their keys are renamed (the
extract adapters do that). Some rewrite them on the way, with the model in hand; those
steps are modelled here, so a verdict is about what really runs. Each step is applied to
the whole config and to every entry judged alone, exactly as the tool would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lora_lint.match.peft_semantics import PeftOptions, entry_matches, regex_fullmatch
from lora_lint.match.towers import VISION, tower_of
from lora_lint.models.inventory import ModelInventory, ModuleInfo

#: Tools that hand the config to unsloth's ``get_peft_model`` (Unsloth Studio's trainer
#: calls ``FastLanguageModel.get_peft_model`` for text models).
_UNSLOTH = frozenset({"unsloth", "unsloth-studio"})
#: ``<prefix>.<layer index>.<path inside the block>``.
_IN_BLOCK = re.compile(r"^(?:.*?\.)?\d+\.(?P<rel>.+)$")

#: :attr:`ToolDrop.kind`: MLX-LM compares keys exactly with paths inside a block.
MLX_NOT_BLOCK_PATH = "mlx-not-block-path"
#: TRL's ``ModelConfig`` turns a one-element list into its string, a full-name regex.
TRL_COLLAPSED = "trl-collapsed-regex"


@dataclass(frozen=True)
class ToolDrop:
    """A target entry PEFT would use but the tool drops or rewrites into one matching nothing."""

    kind: str
    #: What to write instead, best first.
    suggestions: tuple[str, ...] = ()


#: unsloth's ``get_moe_target_parameters``: these target names switch on the experts.
_UNSLOTH_GATE_UP = frozenset({"gate_proj", "up_proj", "gate_up_proj"})
_UNSLOTH_DOWN = frozenset({"down_proj"})


def before_peft(
    tool: object,
    options: PeftOptions,
    inventory: ModelInventory,
    user_parameters: Sequence[str] | None,
) -> tuple[PeftOptions, str | None]:
    """``options`` as the tool passes them to PEFT, and what it changed (for messages).

    ``user_parameters`` is ``target_parameters`` as the user wrote it: tools add their
    own only when it is unset.
    """
    if tool in _UNSLOTH:
        return _unsloth_moe(options, inventory, user_parameters)
    return options, None


def dropped_by_tool(
    tool: object, entry: str, targets: Sequence[str], inventory: ModelInventory
) -> ToolDrop | None:
    """What the tool does to one ``target_modules`` entry (of the list ``targets``) when it
    keeps it from reaching PEFT as written (None: it does not).

    - MLX-LM (``linear_to_lora_layers``) applies LoRA to ``k`` for each
      ``k, m in block.named_modules()`` with ``k in keys``: only a path inside a block
      (``self_attn.q_proj``) counts, a bare ``q_proj`` adapts nothing.
    - TRL's ``ModelConfig.__post_init__`` collapses a one-element list into its string, which
      PEFT reads as a regex over full module names (``["lm_head"]`` still matches).
    """
    if tool == "mlx-lm":
        relative = block_relative_paths(inventory)
        if entry in relative or entry in inventory.names:
            return None
        if not any(entry_matches(name, entry) for name in inventory.names):
            return None  # a name the model does not have: LL001's, not MLX's
        return ToolDrop(
            MLX_NOT_BLOCK_PATH, tuple(sorted(p for p in relative if entry_matches(p, entry)))
        )
    if tool == "trl" and len(targets) == 1 and entry.lower() != "all-linear":
        if any(regex_fullmatch(entry, name) for name in inventory.names):
            return None
        return ToolDrop(TRL_COLLAPSED, (f".*\\.{re.escape(entry)}",))
    return None


def block_relative_paths(inventory: ModelInventory) -> set[str]:
    """Every module path inside a numbered block (``self_attn.q_proj``, ``mlp.down_proj``)."""
    out: set[str] = set()
    for name in inventory.names:
        match = _IN_BLOCK.match(name)
        if match:
            out.add(match.group("rel"))
    return out


def layers_beyond_model(tool: object, requested: int, inventory: ModelInventory) -> bool:
    """MLX-LM raises when ``num_layers`` asks for more blocks than the model has."""
    return (
        tool == "mlx-lm" and inventory.num_layers is not None and requested > inventory.num_layers
    )


def not_modelled(tool: object, inventory: ModelInventory) -> str | None:
    """Why the tool's handling of this model is not modelled (None: it is).

    Unsloth Studio ignores ``lora.target_modules`` for a vision model and builds the targets
    from its ``finetune_*`` flags (``Config.model_kwargs``, ``FastVisionModel``)."""
    if tool == "unsloth-studio" and any(tower_of(name) == VISION for name in inventory.names):
        return "Unsloth Studio ignores lora.target_modules on a vision model"
    return None


def wraps(tool: object, module: ModuleInfo) -> bool:
    """Modules the tool makes wrappable although PEFT alone refuses them: unsloth patches
    PEFT to put LoRA on the inner ``.linear`` of Gemma 4's ``Gemma4ClippableLinear``."""
    return tool in _UNSLOTH and module.cls.endswith("ClippableLinear")


def _unsloth_moe(
    options: PeftOptions, inventory: ModelInventory, user_parameters: Sequence[str] | None
) -> tuple[PeftOptions, str | None]:
    """unsloth's ``get_peft_model`` on an MoE model: when ``target_parameters`` is unset it
    adds ``mlp.experts.gate_up_proj`` for ``gate_proj``/``up_proj``/``gate_up_proj`` and
    ``mlp.experts.down_proj`` for ``down_proj`` (names compared exactly; a regex string
    counts when it mentions ``proj`` and ``mlp``/``ffn``), leaving ``target_modules`` as
    written."""
    if user_parameters is not None or not _is_moe(inventory):
        return options, None
    targets = options.target_modules
    if targets is None:
        wanted = set(_UNSLOTH_GATE_UP | _UNSLOTH_DOWN)
    elif isinstance(targets, str):
        wanted = {targets}
        if "proj" in targets and ("mlp" in targets or "ffn" in targets):
            wanted |= _UNSLOTH_GATE_UP | _UNSLOTH_DOWN
    else:
        wanted = set(targets)
    keys = [key for _, key, _ in inventory.parameters]
    prefix = "mlp.experts" if any(".mlp.experts." in key for key in keys) else "experts"
    added = []
    if wanted & _UNSLOTH_GATE_UP:
        added.append(f"{prefix}.gate_up_proj")
    if wanted & _UNSLOTH_DOWN:
        added.append(f"{prefix}.down_proj")
    if not added:
        return options, None
    note = f"unsloth adds target_parameters={added} for the MoE experts"
    return replace(options, target_parameters=added), note


def _is_moe(inventory: ModelInventory) -> bool:
    """unsloth's ``is_moe_model``: the config declares experts."""
    experts = inventory.summary.get("num_experts")
    if isinstance(experts, int) and experts > 0:
        return True
    return any(len(shape) == 3 and "expert" in key for _, key, shape in inventory.parameters)
