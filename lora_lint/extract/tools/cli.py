"""Training CLIs launched from shell scripts: which program is which tool, and its reader.

The shell front end finds the command line (after launchers such as ``torchrun`` or
``accelerate launch``) and turns its ``--flags`` into a positioned mapping; this module says
which tool a command is (``llamafactory-cli train``, ``trl sft``, ``swift sft``, a training
script) and hands the mapping to that tool's reader: the LLaMA-Factory and TRL adapters (the
flags are the same keys as their YAML files) or the ms-swift reader.
"""

from __future__ import annotations

from dataclasses import replace

from lora_lint.extract.tools import ADAPTERS, ms_swift
from lora_lint.extract.tools import llama_factory as lf_adapter
from lora_lint.extract.tools import trl as trl_adapter
from lora_lint.extract.tools.base import Adapter, ToolContext
from lora_lint.extract.types import ExtractedConfig, Located

LLAMA_FACTORY = "llama-factory"
TRL = "trl"
SWIFT = "swift"
#: ``python train.py ...``: a script whose flags may be any of the tools' argument parsers.
SCRIPT = "script"

_TRL_SUBCOMMANDS = frozenset({"sft", "dpo", "grpo", "kto", "orpo", "reward", "rloo", "ppo", "cpo"})
_LLAMA_FACTORY_SUBCOMMANDS = frozenset({"train", "export"})

#: Flags whose parser takes several values (``nargs="+"``): always a list.
LIST_FLAGS = frozenset(
    {
        "lora_target_modules",
        "lora_modules_to_save",
        "lora_target_parameters",
        "target_modules",
        "modules_to_save",
        "target_parameters",
    }
)
#: Boolean flags: ``--use_peft yes`` is true (HfArgumentParser's ``string_to_bool``).
BOOL_FLAGS = frozenset(
    {
        "use_peft",
        "use_dora",
        "use_rslora",
        "trust_remote_code",
        "load_in_4bit",
        "load_in_8bit",
        "create_new_adapter",
    }
)


def program(name: str, rest: list[str]) -> tuple[str, int] | None:
    """``(tool, words to skip)`` for a known CLI ``name`` followed by ``rest``."""
    first = rest[0] if rest else ""
    if name in ("llamafactory-cli", "lmf"):
        return (LLAMA_FACTORY, 1) if first in _LLAMA_FACTORY_SUBCOMMANDS else None
    if name == "trl":
        return (TRL, 1) if first in _TRL_SUBCOMMANDS else None
    if name == "swift":
        return (SWIFT, 1) if first in ms_swift.SUBCOMMANDS else None
    return None


def module(name: str, rest: list[str]) -> tuple[str, int] | None:
    """``python -m name rest...``: ``(tool, words of rest to skip)`` for a tool's module."""
    first = rest[0] if rest else ""
    if name.startswith("llamafactory") and first in _LLAMA_FACTORY_SUBCOMMANDS:
        return LLAMA_FACTORY, 1
    if name == "trl" and first in _TRL_SUBCOMMANDS:
        return TRL, 1
    if name.startswith("trl.scripts."):  # TRL's own scripts, run from the installed package
        return TRL, 0
    return None


def read(tool: str, ctx: ToolContext, root: Located) -> ExtractedConfig | None:
    """The config that ``tool`` builds from the flags in ``root`` (None: not a LoRA run)."""
    if tool == SWIFT:
        return ms_swift.read_flags(ctx, root)
    adapters: tuple[Adapter, ...]
    if tool == LLAMA_FACTORY:
        adapters = tuple(a for a in ADAPTERS if a.name == lf_adapter.NAME)
    elif tool == TRL:
        adapters = tuple(a for a in ADAPTERS if a.name == trl_adapter.NAME)
    else:
        adapters = tuple(a for a in ADAPTERS if a.name in (lf_adapter.NAME, trl_adapter.NAME))
    for adapter in adapters:
        if adapter.detect(ctx):
            configs = adapter.extract(ctx)
            if configs:
                config = configs[0]
                config.facts = replace(config.facts, launcher=config.facts.launcher or "shell")
                return configs[0]
    return None
