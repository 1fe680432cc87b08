"""Every finding code lora-lint emits, with its name: the one registry of codes.

A leaf module (it imports nothing from lora-lint), so that every layer can name a
code without importing the layer that checks it: the front ends emit LL000 and
LL018, the suppression pass LL017, the configuration validates ``select``,
``ignore`` and ``per-file-ignores`` entries, and none of them imports the rules.
Each rule in :mod:`lora_lint.rules` declares one of these codes with its name;
a rule whose code or name is not registered here fails when it is defined.
"""

from __future__ import annotations

from types import MappingProxyType

UNREADABLE_INPUT = "LL000"
UNKNOWN_TARGET_MODULE = "LL001"
UNSUPPORTED_TARGET_MODULE = "LL002"
REGEX_TARGET_NO_MATCH = "LL003"
INVALID_LAYER_SELECTION = "LL004"
UNMATCHED_PATTERN_KEY = "LL005"
UNKNOWN_MODULES_TO_SAVE = "LL006"
INEFFECTIVE_EXCLUDE = "LL007"
INVALID_CONFIG_OPTION = "LL008"
PEFT_RUNTIME_CONFLICT = "LL009"
UNRESOLVED_MODEL = "LL010"
UNRESOLVED_VALUE = "LL011"
BROAD_TARGET_MATCH = "LL012"
REDUNDANT_TARGET = "LL013"
NO_EFFECT_TARGET = "LL014"
TOOL_TARGET_DROPPED = "LL015"
INERT_LORA_CONFIG = "LL016"
UNUSED_SUPPRESSION = "LL017"
DUPLICATE_KEY = "LL018"
CATASTROPHIC_REGEX = "LL019"

#: code -> name, in code order (the names are the rules' stable public names).
NAMES: MappingProxyType[str, str] = MappingProxyType(
    {
        UNREADABLE_INPUT: "unreadable-input",
        UNKNOWN_TARGET_MODULE: "unknown-target-module",
        UNSUPPORTED_TARGET_MODULE: "unsupported-target-module",
        REGEX_TARGET_NO_MATCH: "regex-target-no-match",
        INVALID_LAYER_SELECTION: "invalid-layer-selection",
        UNMATCHED_PATTERN_KEY: "unmatched-pattern-key",
        UNKNOWN_MODULES_TO_SAVE: "unknown-modules-to-save",
        INEFFECTIVE_EXCLUDE: "ineffective-exclude",
        INVALID_CONFIG_OPTION: "invalid-config-option",
        PEFT_RUNTIME_CONFLICT: "peft-runtime-conflict",
        UNRESOLVED_MODEL: "unresolved-model",
        UNRESOLVED_VALUE: "unresolved-value",
        BROAD_TARGET_MATCH: "broad-target-match",
        REDUNDANT_TARGET: "redundant-target",
        NO_EFFECT_TARGET: "no-effect-target",
        TOOL_TARGET_DROPPED: "tool-target-dropped",
        INERT_LORA_CONFIG: "inert-lora-config",
        UNUSED_SUPPRESSION: "unused-suppression",
        DUPLICATE_KEY: "duplicate-key",
        CATASTROPHIC_REGEX: "catastrophic-regex",
    }
)
ALL_CODES: tuple[str, ...] = tuple(NAMES)
_BY_NAME = {name: code for code, name in NAMES.items()}


def resolve(code_or_name: str) -> str | None:
    """The code for ``LL001`` or ``unknown-target-module`` (any case); None if unknown."""
    key = code_or_name.strip()
    if key.upper() in NAMES:
        return key.upper()
    return _BY_NAME.get(key.lower())


def selected(selector: str) -> set[str]:
    """The codes a ``select``/``ignore``/``per-file-ignores`` entry names: a code or name,
    ``ALL``, or a code prefix (``LL01``); empty when it names none."""
    code = resolve(selector)
    if code is not None:
        return {code}
    key = selector.upper()
    if key == "ALL":
        return set(ALL_CODES)
    return {c for c in ALL_CODES if key and c.startswith(key)}


def name_of(code: str) -> str:
    """The name of a registered ``code`` (KeyError for an unknown one)."""
    return NAMES[code]
