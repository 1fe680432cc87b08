"""Tool adapters: turn a tool's own config keys into PEFT-named options.

Adding a tool (TRL, torchtune, Oumi, Ludwig, H2O, MLX-LM, ...) is one module with
``NAME``, ``detect(ctx)`` and ``extract(ctx)``, plus one line in :data:`ADAPTERS`.
Specific adapters are tried in order and the first that detects its tool
handles the document; the generic adapter then picks up any other mapping with
a ``target_modules`` key that no specific adapter claimed.
"""

from __future__ import annotations

from lora_lint.extract.tools import axolotl, generic, llama_factory, peft_adapter
from lora_lint.extract.tools.base import Adapter, ToolContext
from lora_lint.extract.types import ExtractedConfig

#: Most specific first: a saved PEFT config also has ``base_model``-like keys.
ADAPTERS: tuple[Adapter, ...] = (
    Adapter(peft_adapter.NAME, peft_adapter.detect, peft_adapter.extract),
    Adapter(axolotl.NAME, axolotl.detect, axolotl.extract),
    Adapter(llama_factory.NAME, llama_factory.detect, llama_factory.extract),
)
GENERIC = Adapter(generic.NAME, generic.detect, generic.extract)


def extract_document(ctx: ToolContext) -> list[ExtractedConfig]:
    """All configs of one document: the first matching tool adapter, then the generic one."""
    configs: list[ExtractedConfig] = []
    for adapter in ADAPTERS:
        if adapter.detect(ctx):
            configs.extend(adapter.extract(ctx))
            break
    if GENERIC.detect(ctx):
        configs.extend(GENERIC.extract(ctx))
    return configs


__all__ = ["ADAPTERS", "GENERIC", "Adapter", "ToolContext", "extract_document"]
