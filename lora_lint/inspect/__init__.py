"""``lora-lint inspect``: what a base model offers LoRA, and what a choice of targets costs.

The package works on a cached :class:`~lora_lint.models.inventory.ModelInventory` only;
the counting itself (:mod:`lora_lint.match.cost`) lives below, where ``check`` uses it
too. Nothing here imports torch, transformers or peft (rich is imported lazily, for a TTY).
"""
