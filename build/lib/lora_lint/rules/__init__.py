"""Every rule, in code order. One module per rule: code, name, docs, examples, check."""

from __future__ import annotations

from lora_lint.rules.base import ConfigContext, Example, Rule
from lora_lint.rules.ll000_unreadable_input import UnreadableInput
from lora_lint.rules.ll001_unknown_target_module import UnknownTargetModule
from lora_lint.rules.ll002_unsupported_target_module import UnsupportedTargetModule
from lora_lint.rules.ll003_regex_target_no_match import RegexTargetNoMatch
from lora_lint.rules.ll010_unresolved_model import UnresolvedModel
from lora_lint.rules.ll011_unresolved_value import UnresolvedValue

ALL_RULES: tuple[type[Rule], ...] = (
    UnreadableInput,
    UnknownTargetModule,
    UnsupportedTargetModule,
    RegexTargetNoMatch,
    UnresolvedModel,
    UnresolvedValue,
)

RULES_BY_CODE: dict[str, type[Rule]] = {r.code: r for r in ALL_RULES}
RULES_BY_NAME: dict[str, type[Rule]] = {r.name: r for r in ALL_RULES}


def lookup(code_or_name: str) -> type[Rule] | None:
    key = code_or_name.strip()
    return RULES_BY_CODE.get(key.upper()) or RULES_BY_NAME.get(key.lower())


__all__ = ["ALL_RULES", "ConfigContext", "Example", "Rule", "lookup"]
