"""Every rule, in code order. One module per rule: code, name, docs, examples, check."""

from __future__ import annotations

from lora_lint.rules.base import ConfigContext, Example, Rule
from lora_lint.rules.ll000_unreadable_input import UnreadableInput
from lora_lint.rules.ll001_unknown_target_module import UnknownTargetModule
from lora_lint.rules.ll002_unsupported_target_module import UnsupportedTargetModule
from lora_lint.rules.ll003_regex_target_no_match import RegexTargetNoMatch
from lora_lint.rules.ll004_invalid_layer_selection import InvalidLayerSelection
from lora_lint.rules.ll005_unmatched_pattern_key import UnmatchedPatternKey
from lora_lint.rules.ll006_unknown_modules_to_save import UnknownModulesToSave
from lora_lint.rules.ll007_ineffective_exclude import IneffectiveExclude
from lora_lint.rules.ll008_invalid_config_option import InvalidConfigOption
from lora_lint.rules.ll009_peft_runtime_conflict import PeftRuntimeConflict
from lora_lint.rules.ll010_unresolved_model import UnresolvedModel
from lora_lint.rules.ll011_unresolved_value import UnresolvedValue
from lora_lint.rules.ll012_broad_target_match import BroadTargetMatch
from lora_lint.rules.ll013_redundant_target import RedundantTarget
from lora_lint.rules.ll014_no_effect_target import NoEffectTarget
from lora_lint.rules.ll015_tool_target_dropped import ToolTargetDropped
from lora_lint.rules.ll016_inert_lora_config import InertLoraConfig
from lora_lint.rules.ll017_unused_suppression import UnusedSuppression
from lora_lint.rules.ll018_duplicate_key import DuplicateConfigKey
from lora_lint.rules.ll019_catastrophic_regex import CatastrophicRegex

ALL_RULES: tuple[type[Rule], ...] = (
    UnreadableInput,
    UnknownTargetModule,
    UnsupportedTargetModule,
    RegexTargetNoMatch,
    InvalidLayerSelection,
    UnmatchedPatternKey,
    UnknownModulesToSave,
    IneffectiveExclude,
    InvalidConfigOption,
    PeftRuntimeConflict,
    UnresolvedModel,
    UnresolvedValue,
    BroadTargetMatch,
    RedundantTarget,
    NoEffectTarget,
    ToolTargetDropped,
    InertLoraConfig,
    UnusedSuppression,
    DuplicateConfigKey,
    CatastrophicRegex,
)

RULES_BY_CODE: dict[str, type[Rule]] = {r.code: r for r in ALL_RULES}
RULES_BY_NAME: dict[str, type[Rule]] = {r.name: r for r in ALL_RULES}


def lookup(code_or_name: str) -> type[Rule] | None:
    key = code_or_name.strip()
    return RULES_BY_CODE.get(key.upper()) or RULES_BY_NAME.get(key.lower())


__all__ = ["ALL_RULES", "ConfigContext", "Example", "Rule", "lookup"]
