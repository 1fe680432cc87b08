"""lora-lint: static checks for LoRA/PEFT fine-tuning setups.

The pipeline is visible in the sub-packages, in the order data flows:
``extract`` (find configs in Python/YAML/JSON) -> ``models`` (resolve the base
model, instantiate it on the meta device, cache its module inventory) ->
``match`` (PEFT's own target-matching semantics) -> ``rules`` (turn matches
into findings) -> ``report`` (text, JSON, ...).
"""

__version__ = "0.1.0"
