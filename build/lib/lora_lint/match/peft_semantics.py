"""A pure-Python model of how PEFT decides which modules an adapter targets.

Mirrors ``peft.tuners.tuners_utils`` (``check_target_module_exists``,
``_maybe_include_all_linear_layers``, ``inject_adapter``) over a cached
:class:`~lora_lint.models.inventory.ModelInventory`, so the verdicts equal
what ``get_peft_model`` does without importing torch. The differential tests
run both side by side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lora_lint.match.methods import can_wrap
from lora_lint.models.inventory import LINEAR_KINDS, ModelInventory, ModuleInfo

ALL_LINEAR = "all-linear"
SEQ_CLS_HEAD_NAMES = ("score", "classifier")


@dataclass(frozen=True)
class PeftOptions:
    """The options PEFT's matching reads, as plain values."""

    peft_type: str = "LORA"
    target_modules: str | Sequence[str] | None = None
    exclude_modules: str | Sequence[str] | None = None
    modules_to_save: Sequence[str] | None = None
    layers_to_transform: int | Sequence[int] | None = None
    layers_pattern: str | Sequence[str] | None = None
    target_parameters: Sequence[str] | None = None
    task_type: str | None = None


def is_all_linear(value: object) -> bool:
    return isinstance(value, str) and value.lower() == ALL_LINEAR


def entry_matches(key: str, entry: str) -> bool:
    """A list entry matches a module name exactly or as a dot-bounded suffix."""
    return key == entry or key.endswith("." + entry)


def regex_fullmatch(pattern: str, key: str) -> bool:
    try:
        return re.fullmatch(pattern, key) is not None
    except re.error:
        return False


def all_linear_names(inventory: ModelInventory, task_type: str | None) -> list[str]:
    """What ``"all-linear"`` expands to: every Linear/Conv1D except the output layer."""
    names = [m.name for m in inventory.modules if m.kind in LINEAR_KINDS]
    excluded: set[str] = set()
    if inventory.output_embedding:
        excluded.add(inventory.output_embedding)
    elif (task_type or "").upper() == "SEQ_CLS" and inventory.seq_cls_head:
        excluded.add(inventory.seq_cls_head)
    return [n for n in names if n not in excluded]


def effective_modules_to_save(options: PeftOptions) -> list[str]:
    """``modules_to_save`` as PEFT sees it: SEQ_CLS models add their classifier heads."""
    saved = list(options.modules_to_save or [])
    if (options.task_type or "").upper() == "SEQ_CLS":
        saved.extend(SEQ_CLS_HEAD_NAMES)
    return saved


def is_excluded(options: PeftOptions, key: str) -> bool:
    """``exclude_modules`` (fullmatch str, exact/suffix list) and ``modules_to_save`` subtrees."""
    exclude = options.exclude_modules
    if exclude:
        if isinstance(exclude, str):
            if regex_fullmatch(exclude, key):
                return True
        elif any(entry_matches(key, x) for x in exclude):
            return True
    for saved in effective_modules_to_save(options):
        try:
            if re.match(rf"(^|.*\.){saved}($|\..*)", key):
                return True
        except re.error:
            continue
    return False


def layer_index(key: str, layers_pattern: str | Sequence[str] | None) -> int | None:
    """The layer index PEFT reads from a module name (the first numbered segment)."""
    if not layers_pattern:
        match = re.match(r".*?\.[^.]*\.(?P<idx>\d+)\.", key)
    else:
        patterns = [layers_pattern] if isinstance(layers_pattern, str) else list(layers_pattern)
        match = None
        for pattern in patterns:
            try:
                match = re.match(rf"(?:^|.*?\.){pattern}\.(?P<idx>\d+)\.", key)
            except re.error:
                match = None
            if match is not None:
                break
    return int(match.group("idx")) if match else None


def _layers_in_use(options: PeftOptions) -> bool:
    layers = options.layers_to_transform
    if layers is None:
        return False
    return len(layers) != 0 if isinstance(layers, (list, tuple)) else True


def passes_layer_filter(options: PeftOptions, key: str) -> bool:
    if not _layers_in_use(options):
        return True
    idx = layer_index(key, options.layers_pattern)
    if idx is None:
        return False
    layers = options.layers_to_transform
    if isinstance(layers, int):
        return idx == layers
    return idx in (layers or ())


def target_matches(options: PeftOptions, targets: str | Sequence[str] | set[str], key: str) -> bool:
    """PEFT's ``check_target_module_exists`` once exclusions have been applied."""
    if isinstance(targets, str):
        return regex_fullmatch(targets, key)
    if key in targets:
        return True  # exact names bypass the layer filter
    if not any(key.endswith("." + t) for t in targets):
        return False
    return passes_layer_filter(options, key)


@dataclass
class Injection:
    """What ``get_peft_model`` would do: the adapted modules or the error it raises."""

    targeted: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    #: "not-found" | "unsupported" | "all-excluded" | "no-targets" | "no-defaults" | None
    error: str | None = None
    #: The first module PEFT refuses to wrap ("unsupported").
    unsupported: ModuleInfo | None = None


def resolve_targets(
    options: PeftOptions, inventory: ModelInventory, defaults: str | Sequence[str] | None
) -> str | list[str] | None:
    """``target_modules`` after PEFT's defaults (``None``) and ``all-linear`` expansion."""
    targets = options.target_modules
    if targets is None:
        targets = defaults
    if is_all_linear(targets):
        return all_linear_names(inventory, options.task_type)
    if targets is None or isinstance(targets, str):
        return targets
    return list(targets)


def simulate(
    options: PeftOptions,
    inventory: ModelInventory,
    defaults: str | Sequence[str] | None = None,
) -> Injection:
    """Predict ``get_peft_model(model, config)`` for ``options`` on ``inventory``."""
    result = Injection()
    targets = resolve_targets(options, inventory, defaults)
    if targets is None:
        if not options.target_parameters:
            result.error = "no-defaults"
        return result
    for module in inventory.modules:
        key = module.name
        if is_excluded(options, key):
            result.excluded.append(key)
            continue
        if not target_matches(options, targets, key):
            continue
        if not can_wrap(module, options.peft_type):
            result.error = "unsupported"
            result.unsupported = module
            return result
        result.targeted.append(key)
    if not result.targeted and not options.target_parameters:
        if not targets and not isinstance(targets, str):
            result.error = "no-targets"
        elif result.excluded and _any_target_matches(options, targets, result.excluded):
            result.error = "all-excluded"
        else:
            result.error = "not-found"
    return result


def _any_target_matches(
    options: PeftOptions, targets: str | Sequence[str], keys: Iterable[str]
) -> bool:
    return any(target_matches(options, targets, k) for k in keys)


@dataclass
class EntryReport:
    """How one ``target_modules`` entry fares on its own (PEFT only checks the union)."""

    entry: str
    #: Modules the entry names (exact or suffix; fullmatch for a regex), before filters.
    matches: list[ModuleInfo] = field(default_factory=list)
    #: ... after exclusions, modules_to_save and the layer filter.
    effective: list[ModuleInfo] = field(default_factory=list)
    #: Effective matches the method cannot wrap (PEFT raises on the first).
    unsupported: list[ModuleInfo] = field(default_factory=list)
    regex_error: str | None = None


def report_entry(
    options: PeftOptions, inventory: ModelInventory, entry: str, *, regex: bool = False
) -> EntryReport:
    rep = EntryReport(entry)
    if regex:
        try:
            compiled = re.compile(entry)
        except re.error as exc:
            rep.regex_error = str(exc)
            return rep
        raw = [m for m in inventory.modules if compiled.fullmatch(m.name)]
    else:
        raw = [m for m in inventory.modules if entry_matches(m.name, entry)]
    rep.matches = raw
    targets: str | list[str] = entry if regex else [entry]
    for module in raw:
        if is_excluded(options, module.name) or not target_matches(options, targets, module.name):
            continue
        rep.effective.append(module)
        if not can_wrap(module, options.peft_type):
            rep.unsupported.append(module)
    return rep
