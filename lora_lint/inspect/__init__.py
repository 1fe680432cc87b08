"""``lora-lint inspect``: what a base model offers LoRA, and what a choice of targets costs.

The package works on a cached :class:`~lora_lint.models.inventory.ModelInventory` only, so
its counting functions (:func:`config_cost`) are cheap enough for ``check``'s warm path:
nothing here imports torch, transformers or peft (rich is imported lazily, for a TTY).
"""

from __future__ import annotations

from lora_lint.inspect.cost import CostReport, config_cost, estimate

__all__ = ["CostReport", "config_cost", "estimate"]
