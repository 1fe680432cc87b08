"""Tool adapters: turn a tool's own config keys into PEFT-named options.

Adding a tool (TRL, torchtune, Oumi, Ludwig, H2O, MLX-LM, ...) is one module with
``NAME``, ``detect(ctx)`` and ``extract(ctx)``, plus one line in :data:`ADAPTERS`.
Specific adapters are tried in order and the first that detects its tool
handles the document; the generic adapter then picks up any other mapping with
a ``target_modules`` key that no specific adapter claimed.
"""

from __future__ import annotations

from lora_lint.extract.tools import (
    axolotl,
    generic,
    h2o,
    llama_factory,
    ludwig,
    mlx_lm,
    ms_swift,
    oumi,
    peft_adapter,
    torchtune,
    trl,
    unsloth_studio,
)
from lora_lint.extract.tools.base import Adapter, ToolContext
from lora_lint.extract.types import ExtractedConfig

#: Most specific first: a saved PEFT config also has ``base_model``-like keys, and
#: Ludwig's ``adapter:`` mapping must be claimed before axolotl sees ``adapter``.
ADAPTERS: tuple[Adapter, ...] = (
    Adapter(peft_adapter.NAME, peft_adapter.detect, peft_adapter.extract),
    Adapter(torchtune.NAME, torchtune.detect, torchtune.extract),
    Adapter(ludwig.NAME, ludwig.detect, ludwig.extract),
    Adapter(axolotl.NAME, axolotl.detect, axolotl.extract),
    Adapter(llama_factory.NAME, llama_factory.detect, llama_factory.extract),
    Adapter(ms_swift.NAME, ms_swift.detect, ms_swift.extract),
    Adapter(trl.NAME, trl.detect, trl.extract),
    Adapter(oumi.NAME, oumi.detect, oumi.extract),
    Adapter(h2o.NAME, h2o.detect, h2o.extract),
    Adapter(mlx_lm.NAME, mlx_lm.detect, mlx_lm.extract),
    Adapter(unsloth_studio.NAME, unsloth_studio.detect, unsloth_studio.extract),
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
