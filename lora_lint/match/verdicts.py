"""One verdict per entry: what the installed PEFT does with each thing a config names.

PEFT checks only the union of ``target_modules``: it raises when nothing matches and is
silent when one entry of several does. lora-lint judges every entry on its own, and the
judgement is made here, once, by the same model of PEFT that predicts the whole config
(:func:`~lora_lint.match.peft_semantics.simulate`): an entry is evaluated as PEFT would
treat a config that names it alone, with every other option unchanged (a half of a fused
MoE pair together with its partner, since PEFT refuses one half). Rules never match names
themselves; they turn these statuses into findings, so two findings cannot disagree about
one entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from lora_lint.match import regex_guard
from lora_lint.match.methods import judged_method
from lora_lint.match.outcomes import PeftOutcome
from lora_lint.match.peft_semantics import (
    Injection,
    Matcher,
    PeftOptions,
    PeftRaised,
    check_wrappable,
    entry_matches,
    is_all_linear,
    layer_index,
    matcher_for,
    pattern_key,
    reach,
    saved_module_names,
    simulate,
)
from lora_lint.match.tools import before_peft, dropped_by_tool, wraps
from lora_lint.models.inventory import ModelInventory, ModuleInfo


class Status(str, Enum):
    """What PEFT does with one entry."""

    #: Adapts (or, for other options, acts on) the modules in ``modules``.
    ADAPTS = "adapts"
    #: PEFT's transformers-5 MoE rewrite moves it into ``target_parameters``: it reaches
    #: the fused expert parameters in ``parameters``.
    MOVED = "moved-to-parameters"
    #: Names modules, but every one is removed by ``exclude_modules``/``modules_to_save``.
    EXCLUDED = "excluded"
    #: Names modules, but none lies in the layers ``layers_to_transform`` selects.
    LAYER_FILTERED = "layer-filtered"
    #: Selects modules the method cannot wrap (``unsupported``): PEFT raises.
    UNSUPPORTED = "unsupported"
    #: Reaches no module and no parameter.
    NOTHING = "nothing"
    #: Written twice: the same as ``covered_by``.
    DUPLICATE = "duplicate"
    #: Everything it adapts is adapted by ``covered_by`` too.
    COVERED = "covered"
    #: Not a valid regular expression (PEFT raises ``re.error``).
    INVALID = "invalid"
    #: PEFT would use it, but the training tool drops it first or turns it into something
    #: that matches nothing (``tool_drop`` says what the tool does).
    TOOL_DROPPED = "dropped-by-tool"


@dataclass(frozen=True)
class EntryVerdict:
    """The status of one entry and its evidence."""

    option: str
    #: Position in the value as written (0 for a string value, the key's order for patterns).
    index: int
    entry: str
    status: Status
    modules: tuple[ModuleInfo, ...] = ()
    parameters: tuple[str, ...] = ()
    #: Modules the name selects before exclusions and the layer filter.
    named: tuple[ModuleInfo, ...] = ()
    #: Selected modules the method cannot wrap (PEFT raises on the first).
    unsupported: tuple[ModuleInfo, ...] = ()
    #: What PEFT raises for this entry alone (``UNSUPPORTED``, ``MAMBA_INCOMPATIBLE``, ...).
    raises: PeftOutcome | None = None
    covered_by: str | None = None
    #: The fused-pair partners evaluated with it (PEFT's MoE rewrite refuses half a pair).
    partners: tuple[str, ...] = ()
    #: Modules the name selects that lose LoRA because the MoE rewrite moved the name.
    lost_to_rewrite: tuple[ModuleInfo, ...] = ()
    #: ``modules_to_save`` only: modules the entry pulls out of LoRA (subtree exclusion).
    pulled: tuple[str, ...] = ()
    detail: str | None = None
    #: What the training tool does to the entry first (:attr:`lora_lint.match.tools.ToolDrop.kind`;
    #: set with ``TOOL_DROPPED``, and with ``NOTHING`` when the tool's step is a second mistake)
    #: and what to write instead.
    tool_drop: str | None = None
    suggestions: tuple[str, ...] = ()

    @property
    def reaches_nothing(self) -> bool:
        return self.status in (Status.NOTHING, Status.EXCLUDED, Status.LAYER_FILTERED)


@dataclass
class ConfigVerdict:
    """The whole config's outcome and every entry's status."""

    injection: Injection
    #: ``target_modules`` entries (one for a string value), in written order.
    targets: list[EntryVerdict] = field(default_factory=list)
    target_parameters: list[EntryVerdict] = field(default_factory=list)
    modules_to_save: list[EntryVerdict] = field(default_factory=list)
    exclude_modules: list[EntryVerdict] = field(default_factory=list)
    pattern_keys: list[EntryVerdict] = field(default_factory=list)
    #: ``layers_to_transform``: the layer indices PEFT reads from the modules the targets
    #: name by suffix (exact names bypass the filter), and a named module with no index.
    layer_indices: tuple[int, ...] = ()
    unindexed_example: str | None = None
    #: ``layers_pattern`` is not a valid regular expression fragment (the reason).
    layers_error: str | None = None
    #: What the training tool changed before PEFT ("unsloth adds target_parameters=...").
    tool_note: str | None = None
    #: The options as PEFT receives them (after the tool's step).
    peft_options: PeftOptions = field(default_factory=PeftOptions)
    #: Routed-expert parameters (fused, 3-D) that no entry of this config reaches.
    frozen_experts: list[str] = field(default_factory=list)

    def target(self, index: int) -> EntryVerdict | None:
        return next((v for v in self.targets if v.index == index), None)


def judge(
    options: PeftOptions, inventory: ModelInventory, tool: object = None
) -> ConfigVerdict | None:
    """Every entry's verdict, or None when lora-lint does not model ``options.peft_type``.

    ``tool`` names the training tool that hands the config to PEFT (``"unsloth"``...):
    what it changes first (:mod:`lora_lint.match.tools`) is part of every verdict.
    """
    if not judged_method(options.peft_type):
        return None
    if options.target_modules is None and options.peft_type not in inventory.peft_defaults:
        return None  # the installed peft's defaults for this method are unknown: no claim
    peft_options, tool_note = before_peft(tool, options, inventory, options.target_parameters)
    injection = simulate(peft_options, inventory)
    verdict = ConfigVerdict(injection, tool_note=tool_note, peft_options=peft_options)
    matchers: dict[str, Matcher] = {}
    matcher = matcher_for(options, inventory, matchers)
    judge_entry = _EntryJudge(options, inventory, matcher, tool, matchers)
    targets = options.target_modules
    if isinstance(targets, str) and not is_all_linear(targets):
        verdict.targets = [judge_entry(targets, 0, regex=True)]
    elif isinstance(targets, (list, tuple)):
        entries = [str(t) for t in targets]
        verdict.targets = [
            _after_tool(tool, v, entries, inventory) for v in _judge_list(judge_entry, entries)
        ]
    verdict.target_parameters = _judge_parameters(options, inventory)
    verdict.modules_to_save = _judge_saved(options, inventory)
    verdict.exclude_modules = _judge_exclusions(options, inventory)
    verdict.pattern_keys = _judge_pattern_keys(options, inventory, injection)
    if options.layers_to_transform is not None and isinstance(targets, (list, tuple)):
        _judge_layers(options, inventory, [str(t) for t in targets], verdict)
    verdict.frozen_experts = _frozen_experts(options, inventory, injection, verdict.targets)
    return verdict


# -- target_modules ---------------------------------------------------------------------------


def _after_tool(
    tool: object, verdict: EntryVerdict, entries: list[str], inventory: ModelInventory
) -> EntryVerdict:
    """An entry the tool drops or rewrites before PEFT: ``TOOL_DROPPED`` when PEFT would have
    matched it; an entry PEFT matches nothing with keeps that status (LL001's) and carries
    what the tool does too (TRL's collapse is a second mistake to fix)."""
    if verdict.status in (Status.INVALID, Status.DUPLICATE):
        return verdict
    drop = dropped_by_tool(tool, verdict.entry, entries, inventory)
    if drop is None:
        return verdict
    status = Status.NOTHING if verdict.status is Status.NOTHING else Status.TOOL_DROPPED
    return replace(verdict, status=status, tool_drop=drop.kind, suggestions=drop.suggestions)


def _judge_list(judge_entry: _EntryJudge, entries: list[str]) -> list[EntryVerdict]:
    out: list[EntryVerdict] = []
    first: dict[str, int] = {}
    for index, entry in enumerate(entries):
        if entry in first:
            out.append(
                EntryVerdict("target_modules", index, entry, Status.DUPLICATE, covered_by=entry)
            )
            continue
        first[entry] = index
        out.append(judge_entry(entry, index, regex=False))
    return _mark_covered(out)


@dataclass(frozen=True)
class _EntryJudge:
    """Judges one entry as PEFT (after the tool) would treat a config naming it alone."""

    options: PeftOptions
    inventory: ModelInventory
    matcher: Matcher
    tool: object = None
    matchers: dict[str, Matcher] = field(default_factory=dict)

    def __call__(self, entry: str, index: int, *, regex: bool) -> EntryVerdict:
        return _judge_target(
            self.options,
            self.inventory,
            self.matcher,
            entry,
            index,
            regex=regex,
            tool=self.tool,
            matchers=self.matchers,
        )


def _partners(inventory: ModelInventory, entry: str) -> tuple[str, ...]:
    """The other halves of the fused pair ``entry`` belongs to under PEFT's MoE rewrite."""
    conv = inventory.moe_conversion
    if not conv:
        return ()
    mapping: dict[str, str] = dict(conv["mapping"])  # type: ignore[call-overload]
    fused: dict[str, list[str]] = dict(conv["fused"])  # type: ignore[call-overload]
    for old, new in mapping.items():
        if entry == old or entry.endswith("." + old):
            return tuple(o for o in fused.get(new, []) if o != old)
    return ()


def _alone(
    options: PeftOptions,
    inventory: ModelInventory,
    matcher: Matcher,
    targets: str | list[str],
    tool: object = None,
) -> tuple[list[ModuleInfo], list[str], dict[str, str]]:
    """What PEFT selects for ``targets`` alone: (modules, parameters, rewrite moves)."""
    scratch = Injection()
    alone = replace(options, target_modules=targets, target_parameters=None)
    alone, _ = before_peft(tool, alone, inventory, options.target_parameters)
    try:
        found = reach(alone, inventory, None, scratch, matcher)
    except PeftRaised:
        return [], [], {}
    return found.modules, [key for _, key, _ in found.parameters], scratch.moved_to_parameters


def _judge_target(
    options: PeftOptions,
    inventory: ModelInventory,
    matcher: Matcher,
    entry: str,
    index: int,
    *,
    regex: bool,
    tool: object = None,
    matchers: dict[str, Matcher] | None = None,
) -> EntryVerdict:
    partners = () if regex else _partners(inventory, entry)
    targets: str | list[str] = entry if regex else [entry, *partners]
    try:
        modules, parameters, moved = _alone(options, inventory, matcher, targets, tool)
    except re.error as exc:
        return EntryVerdict(
            "target_modules",
            index,
            entry,
            Status.INVALID,
            raises=PeftOutcome.REGEX_INVALID,
            detail=str(exc),
        )
    base = {
        "option": "target_modules",
        "index": index,
        "entry": entry,
        "partners": partners,
    }
    if modules or parameters:
        unsupported, raises = _unwrappable(options, inventory, modules, tool)
        lost: list[ModuleInfo] = []
        if moved and not regex:
            free = matcher_for(
                replace(options, exclude_modules=None, modules_to_save=None), inventory, matchers
            )
            lost = [inventory.modules[i] for i in free.matches([entry])]
        if unsupported:
            status = Status.UNSUPPORTED
        elif parameters and not modules:
            status = Status.MOVED
        else:
            status = Status.ADAPTS
        return EntryVerdict(
            **base,  # type: ignore[arg-type]
            status=status,
            modules=tuple(modules),
            parameters=tuple(parameters),
            unsupported=tuple(unsupported),
            raises=raises,
            lost_to_rewrite=tuple(lost),
        )
    unfiltered = replace(
        options,
        exclude_modules=None,
        modules_to_save=None,
        task_type=None,
        layers_to_transform=None,
        layers_pattern=None,
    )
    named, named_parameters, _ = _alone(
        unfiltered, inventory, matcher_for(unfiltered, inventory, matchers), targets, tool
    )
    if not named and not named_parameters:
        return EntryVerdict(**base, status=Status.NOTHING)  # type: ignore[arg-type]
    unlayered = replace(options, layers_to_transform=None, layers_pattern=None)
    kept, kept_parameters, _ = _alone(
        unlayered, inventory, matcher_for(unlayered, inventory, matchers), targets, tool
    )
    status = Status.LAYER_FILTERED if kept or kept_parameters else Status.EXCLUDED
    return EntryVerdict(**base, status=status, named=tuple(named))  # type: ignore[arg-type]


def _unwrappable(
    options: PeftOptions,
    inventory: ModelInventory,
    modules: Sequence[ModuleInfo],
    tool: object = None,
) -> tuple[list[ModuleInfo], PeftOutcome | None]:
    bad: list[ModuleInfo] = []
    kind: PeftOutcome | None = None
    for module in modules:
        if wraps(tool, module):
            continue
        try:
            check_wrappable(options, inventory, module)
        except PeftRaised as raised:
            bad.append(module)
            kind = kind or raised.kind
    return bad, kind


def _mark_covered(verdicts: list[EntryVerdict]) -> list[EntryVerdict]:
    """An entry whose modules another entry adapts too is redundant (the later of equals)."""
    sets = {
        v.index: {m.name for m in v.modules}
        for v in verdicts
        if v.status is Status.ADAPTS and v.modules and not v.parameters
    }
    holders: dict[str, list[int]] = {}
    for index, names in sets.items():
        for name in names:
            holders.setdefault(name, []).append(index)
    out = []
    for v in verdicts:
        mine = sets.get(v.index)
        cover = None
        if mine:
            probe = next(iter(mine))
            for other in holders[probe]:
                if other == v.index or not mine <= sets[other]:
                    continue
                if mine == sets[other] and other > v.index:
                    continue  # equal sets: the later entry is the redundant one
                cover = next(x.entry for x in verdicts if x.index == other)
                break
        out.append(replace(v, status=Status.COVERED, covered_by=cover) if cover else v)
    return out


def _judge_layers(
    options: PeftOptions, inventory: ModelInventory, targets: list[str], verdict: ConfigVerdict
) -> None:
    free = replace(options, layers_to_transform=None, layers_pattern=None)
    try:
        names = [inventory.modules[i].name for i in matcher_for(free, inventory).matches(targets)]
        suffix_named = [n for n in names if n not in set(targets)]
        found = [(n, layer_index(n, options.layers_pattern)) for n in suffix_named]
    except re.error as exc:
        verdict.layers_error = str(exc)
        return
    indices: set[int] = set()
    for name, index in found:
        if index is None:
            verdict.unindexed_example = verdict.unindexed_example or name
        else:
            indices.add(index)
    verdict.layer_indices = tuple(sorted(indices))


# -- the other options ------------------------------------------------------------------------


def _judge_parameters(options: PeftOptions, inventory: ModelInventory) -> list[EntryVerdict]:
    out = []
    for index, entry in enumerate(options.target_parameters or []):
        keys = tuple(
            key for _, key, _ in inventory.parameters if key == entry or key.endswith("." + entry)
        )
        status = Status.ADAPTS if keys else Status.NOTHING
        out.append(EntryVerdict("target_parameters", index, entry, status, parameters=keys))
    return out


def _judge_saved(options: PeftOptions, inventory: ModelInventory) -> list[EntryVerdict]:
    written = list(options.modules_to_save or [])
    if not written:
        return []
    wrapped = saved_module_names(options, inventory)
    without = simulate(replace(options, modules_to_save=None), inventory)
    base_targets = [] if without.error else without.targeted
    out = []
    for index, entry in enumerate(written):
        names = wrapped.get(entry, [])
        try:
            subtree = regex_guard.compile_guarded(rf"(^|.*\.){entry}($|\..*)")
            pulled = tuple(n for n in base_targets if subtree.match(n))
        except re.error as exc:
            out.append(
                EntryVerdict("modules_to_save", index, entry, Status.INVALID, detail=str(exc))
            )
            continue
        chosen = set(names)
        modules = tuple(m for m in inventory.modules if m.name in chosen)
        status = Status.ADAPTS if names else Status.NOTHING
        out.append(
            EntryVerdict(
                "modules_to_save",
                index,
                entry,
                status,
                modules=modules,
                pulled=pulled,
                detail=names[0] if names else None,
            )
        )
    return out


def _targets_or_empty(options: PeftOptions, inventory: ModelInventory) -> list[ModuleInfo]:
    try:
        return reach(options, inventory, _defaults(options, inventory), Injection()).modules
    except (PeftRaised, re.error):
        return []


def _defaults(options: PeftOptions, inventory: ModelInventory) -> str | list[str] | None:
    found = inventory.peft_defaults.get(options.peft_type)
    return found if isinstance(found, (str, list)) else None


def _judge_exclusions(options: PeftOptions, inventory: ModelInventory) -> list[EntryVerdict]:
    exclude = options.exclude_modules
    if not exclude:
        return []
    would_adapt = {
        m.name for m in _targets_or_empty(replace(options, exclude_modules=None), inventory)
    }
    entries = [exclude] if isinstance(exclude, str) else [str(x) for x in exclude]
    out = []
    for index, entry in enumerate(entries):
        try:
            if isinstance(exclude, str):
                compiled = regex_guard.compile_guarded(entry)
                named = [m for m in inventory.modules if compiled.fullmatch(m.name)]
            else:
                named = [m for m in inventory.modules if entry_matches(m.name, entry)]
        except re.error as exc:
            out.append(
                EntryVerdict("exclude_modules", index, entry, Status.INVALID, detail=str(exc))
            )
            continue
        hit = tuple(m for m in named if m.name in would_adapt)
        # It acts when it removes modules the targets select (or the targets select nothing).
        status = Status.ADAPTS if hit or (named and not would_adapt) else Status.NOTHING
        out.append(
            EntryVerdict("exclude_modules", index, entry, status, modules=hit, named=tuple(named))
        )
    return out


def _judge_pattern_keys(
    options: PeftOptions, inventory: ModelInventory, injection: Injection
) -> list[EntryVerdict]:
    if injection.error or options.peft_type != "LORA":
        # AdaLoRA saves rank_pattern as masks per module, not regexes: not judged.
        return []
    adapted = injection.targeted + injection.targeted_parameters
    out = []
    for option in ("rank_pattern", "alpha_pattern"):
        for index, key in enumerate(getattr(options, option) or {}):
            try:
                hits = tuple(n for n in adapted if pattern_key([key], n))
            except re.error as exc:
                out.append(EntryVerdict(option, index, key, Status.INVALID, detail=str(exc)))
                continue
            if hits:
                out.append(EntryVerdict(option, index, key, Status.ADAPTS, parameters=hits))
                continue
            named = tuple(m for m in inventory.modules if pattern_key([key], m.name))
            out.append(EntryVerdict(option, index, key, Status.NOTHING, named=named))
    return out


def _frozen_experts(
    options: PeftOptions,
    inventory: ModelInventory,
    injection: Injection,
    targets: list[EntryVerdict],
) -> list[str]:
    """Routed experts stored as fused 3-D parameters that nothing in the config reaches."""
    fused = [
        key
        for module, key, shape in inventory.parameters
        if len(shape) == 3 and "expert" in module.rsplit(".", 1)[-1]
    ]
    reached = set(injection.targeted_parameters)
    for v in targets:
        reached.update(v.parameters)
    for v in _judge_parameters(options, inventory):
        reached.update(v.parameters)
    return [k for k in fused if k not in reached]


def reaches(options: PeftOptions, inventory: ModelInventory, entry: str) -> bool:
    """Whether ``entry`` as a ``target_modules`` list entry would reach anything."""
    verdict = _judge_target(
        options, inventory, matcher_for(options, inventory), entry, 0, regex=False
    )
    return not verdict.reaches_nothing and verdict.status is not Status.INVALID


def reachable_leaf_names(options: PeftOptions, inventory: ModelInventory) -> list[str]:
    """Leaf names a list entry may use on this model: what the method can wrap, plus the
    names PEFT's MoE rewrite accepts for the fused experts (``w1``/``w3`` on Mixtral)."""
    names = [leaf for leaf in inventory.wrappable_leaf_names if not leaf.isdigit()]
    conv = inventory.moe_conversion
    if conv and options.peft_type == "LORA":
        names.extend(str(old) for old in dict(conv["mapping"]))  # type: ignore[call-overload]
    return list(dict.fromkeys(names))
