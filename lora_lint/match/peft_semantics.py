"""A pure-Python model of how PEFT decides which modules an adapter targets.

Mirrors ``peft.tuners.tuners_utils`` (``check_target_module_exists``,
``_maybe_include_all_linear_layers``, ``inject_adapter``) over a cached
:class:`~lora_lint.models.inventory.ModelInventory`, so the verdicts equal
what ``get_peft_model`` does without importing torch. The differential tests
run both side by side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from lora_lint.match import regex_guard
from lora_lint.match.methods import can_wrap
from lora_lint.match.outcomes import PeftOutcome
from lora_lint.models.inventory import HF_CONV1D, LINEAR_KINDS, ModelInventory, ModuleInfo

ALL_LINEAR = "all-linear"
SEQ_CLS_HEAD_NAMES = ("score", "classifier")


@dataclass(frozen=True)
class PeftOptions:
    """The options PEFT's matching and injection read, as plain values (LoraConfig defaults)."""

    peft_type: str = "LORA"
    target_modules: str | Sequence[str] | None = None
    exclude_modules: str | Sequence[str] | None = None
    modules_to_save: Sequence[str] | None = None
    layers_to_transform: int | Sequence[int] | None = None
    layers_pattern: str | Sequence[str] | None = None
    target_parameters: Sequence[str] | None = None
    task_type: str | None = None
    r: int = 8
    lora_alpha: float = 8
    rank_pattern: Mapping[str, int] | None = None
    alpha_pattern: Mapping[str, float] | None = None
    lora_dropout: float = 0.0
    use_dora: bool = False
    fan_in_fan_out: bool = False
    lora_bias: bool = False
    bias: str = "none"


def is_all_linear(value: object) -> bool:
    return isinstance(value, str) and value.lower() == ALL_LINEAR


def entry_matches(key: str, entry: str) -> bool:
    """A list entry matches a module name exactly or as a dot-bounded suffix."""
    return key == entry or key.endswith("." + entry)


def regex_fullmatch(pattern: str, key: str) -> bool:
    try:
        return regex_guard.fullmatch(pattern, key) is not None
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
            if regex_guard.fullmatch(exclude, key):
                return True
        elif any(entry_matches(key, x) for x in exclude):
            return True
    return any(
        regex_guard.match(rf"(^|.*\.){saved}($|\..*)", key)
        for saved in effective_modules_to_save(options)
    )


def layer_index(key: str, layers_pattern: str | Sequence[str] | None) -> int | None:
    """The layer index PEFT reads from a module name (the first numbered segment)."""
    if not layers_pattern:
        match = re.match(r".*?\.[^.]*\.(?P<idx>\d+)\.", key)
    else:
        patterns = [layers_pattern] if isinstance(layers_pattern, str) else list(layers_pattern)
        match = None
        for pattern in patterns:
            match = regex_guard.match(rf"(?:^|.*?\.){pattern}\.(?P<idx>\d+)\.", key)
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
        return regex_guard.fullmatch(targets, key) is not None
    if key in targets:
        return True  # exact names bypass the layer filter
    if not any(key.endswith("." + t) for t in targets):
        return False
    return passes_layer_filter(options, key)


#: Model types on which PEFT refuses LoRA on ``out_proj``/``conv1d`` (Mamba mixers).
MAMBA_MODEL_TYPES = frozenset({"falcon_h1", "mamba", "mamba2", "falcon_mamba", "nemotron_h"})
MAMBA_INCOMPATIBLE = frozenset({"out_proj", "conv1d"})
_LORA_LIKE = frozenset({"LORA", "ADALORA", "XLORA", "RANDLORA"})
#: Methods that can wrap ``target_parameters`` (lora.ParamWrapper).
PARAMETER_METHODS = frozenset({"LORA", "ADALORA"})


@dataclass
class Injection:
    """What ``get_peft_model`` would do: the adapted modules/parameters or the error it raises.

    ``error`` is the :class:`PeftOutcome` PEFT raises (never ``OK``; ``None`` when it
    succeeds); ``message`` says it like PEFT.
    """

    targeted: list[str] = field(default_factory=list)
    targeted_parameters: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    error: PeftOutcome | None = None
    message: str | None = None
    #: The module PEFT refuses (``UNSUPPORTED``, ``MAMBA_INCOMPATIBLE``, ...).
    offending: ModuleInfo | None = None
    #: The options after PEFT's own rewrites (MoE conversion, defaults, all-linear).
    effective: PeftOptions = field(default_factory=PeftOptions)
    #: ``target_modules`` entry -> the expert parameter PEFT moved it to (MoE rewrite).
    moved_to_parameters: dict[str, str] = field(default_factory=dict)
    #: Pattern keys that matched no targeted *module* (PEFT warns about them).
    unmatched_pattern_keys: dict[str, list[str]] = field(default_factory=dict)
    #: RuntimeWarnings PEFT emits: "exclude-unused", "modules-unmatched", "parameters-unmatched".
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def pattern_key(keys: Iterable[str], name: str) -> str | None:
    """PEFT's ``get_pattern_key``: the first key matching ``(.*\\.)?(key)$`` of ``name``."""
    for key in keys:
        if regex_guard.match(rf"(.*\.)?({key})$", name):
            return key
    return None


def rank_and_alpha(options: PeftOptions, name: str) -> tuple[int, float]:
    r_key = pattern_key((options.rank_pattern or {}).keys(), name)
    a_key = pattern_key((options.alpha_pattern or {}).keys(), name)
    r = (options.rank_pattern or {})[r_key] if r_key is not None else options.r
    alpha = (options.alpha_pattern or {})[a_key] if a_key is not None else options.lora_alpha
    return int(r), float(alpha)


class PeftRaised(Exception):
    """Internal: PEFT would raise here (kind, message, offending module)."""

    def __init__(self, kind: PeftOutcome, message: str, module: ModuleInfo | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.module = module


def _check_target(
    options: PeftOptions, targets: str | Sequence[str] | set[str], key: str
) -> bool | None:
    """``check_target_module_exists``: None = excluded, else matched or not."""
    if is_excluded(options, key):
        return None
    if options.target_modules is None and options.target_parameters is not None:
        return False
    return target_matches(options, targets, key)


def _resolve_moe_string(
    options: PeftOptions, inventory: ModelInventory, mapping: Mapping[str, str]
) -> set[str]:
    """``_resolve_string_target_modules``: a regex/all-linear as leaf names, experts recovered."""
    target = options.target_modules
    assert isinstance(target, str)
    if is_all_linear(target):
        names = all_linear_names(inventory, options.task_type)
        return {n.rsplit(".", 1)[-1] for n in names} | set(mapping)
    keys = [m.name for m in inventory.modules] + [k for _, k, _ in inventory.parameters]
    matched = {k.rsplit(".", 1)[-1] for k in keys if _check_target(options, target, k)}
    containers: dict[str, set[str]] = {}
    for module_name, key, _ in inventory.parameters:
        containers.setdefault(key.rsplit(".", 1)[-1], set()).add(module_name)
    for old, new in mapping.items():
        if old in matched:
            continue
        for container in containers.get(new, ()):
            if _check_target(options, target, f"{container}.{old}"):
                matched.add(old)
                break
    return matched


def _convert_moe(options: PeftOptions, inventory: ModelInventory, result: Injection) -> PeftOptions:
    """The transformers-5 MoE rewrite (``_convert_peft_config_moe``), LoRA only."""
    conv = inventory.moe_conversion
    if options.peft_type != "LORA" or not conv:
        return options
    mapping: dict[str, str] = dict(conv["mapping"])  # type: ignore[call-overload]
    fused: dict[str, list[str]] = dict(conv["fused"])  # type: ignore[call-overload]
    targets = options.target_modules
    if isinstance(targets, str):
        resolved = _resolve_moe_string(options, inventory, mapping)
        if not resolved:
            return options
        targets = sorted(resolved)
    rank_pattern = dict(options.rank_pattern or {})
    alpha_pattern = dict(options.alpha_pattern or {})
    parameters = set(options.target_parameters or [])
    remaining: list[str] = []
    present: dict[str, set[str]] = {new: set() for new in fused}
    for target in list(dict.fromkeys(targets or [])):
        hit = next(
            (
                (old, new)
                for old, new in mapping.items()
                if target == old or target.endswith("." + old)
            ),
            None,
        )
        if hit is None:
            remaining.append(target)
            continue
        old, new = hit
        parameters.add(new)
        result.moved_to_parameters[target] = new
        if new in fused:
            present.setdefault(new, set()).add(old)
    for new, required in fused.items():
        got = present.get(new, set())
        if 0 < len(got) < len(required):
            missing = ", ".join(sorted(set(required) - got))
            raise PeftRaised(
                PeftOutcome.FUSED_PAIR,
                f"Cannot convert PEFT target(s) {', '.join(sorted(got))} without also targeting "
                f"{missing} because they are fused into {new}.",
            )
        if len(got) == len(required) and len(required) > 1:
            rank_pattern[rf".*\.{re.escape(new)}"] = options.r * len(required)
            alpha_pattern[rf".*\.{re.escape(new)}"] = options.lora_alpha * len(required)
    return replace(
        options,
        target_modules=remaining,
        target_parameters=sorted(parameters),
        rank_pattern=rank_pattern,
        alpha_pattern=alpha_pattern,
    )


def simulate(
    options: PeftOptions,
    inventory: ModelInventory,
    defaults: str | Sequence[str] | None = None,
) -> Injection:
    """Predict ``get_peft_model(model, config)`` for ``options`` on ``inventory``.

    ``defaults`` are PEFT's default targets for the model type (``target_modules=None``);
    when omitted they are taken from the inventory (captured from the installed peft).
    """
    if defaults is None:
        found = inventory.peft_defaults.get(options.peft_type)
        defaults = found if isinstance(found, (str, list)) else None
    result = Injection(effective=options)
    try:
        _simulate(options, inventory, defaults, result)
    except PeftRaised as raised:
        result.error = raised.kind
        result.message = str(raised)
        result.offending = raised.module
    except re.error as exc:
        result.error = PeftOutcome.REGEX_INVALID
        result.message = f"a pattern is not a valid regular expression: {exc}"
    if result.error:
        result.targeted = []
        result.targeted_parameters = []
    return result


def config_error(options: PeftOptions) -> tuple[PeftOutcome, str] | None:
    """The ``LoraConfig.__post_init__`` checks on matching options: (kind, PEFT's message)."""
    targets = options.target_modules
    if isinstance(options.target_parameters, str):
        return PeftOutcome.CONFIG_INVALID, "`target_parameters` must be a list of strings or None."
    if isinstance(targets, str) and options.layers_to_transform is not None:
        return (
            PeftOutcome.CONFIG_INVALID,
            "`layers_to_transform` cannot be used when `target_modules` is a str.",
        )
    if isinstance(targets, str) and options.layers_pattern is not None:
        return (
            PeftOutcome.CONFIG_INVALID,
            "`layers_pattern` cannot be used when `target_modules` is a str.",
        )
    if options.layers_pattern and options.layers_to_transform is None:
        return (
            PeftOutcome.CONFIG_INVALID,
            "When `layers_pattern` is specified, `layers_to_transform` must also be specified.",
        )
    if options.peft_type == "LORA" and options.lora_bias and options.use_dora:
        return PeftOutcome.CONFIG_INVALID, "The argument lora_bias=True is not supported for DoRA."
    return None


class Matcher:
    """PEFT's per-module matching for one set of options, with what does not depend on the
    targets computed once: exclusions (``exclude_modules``, ``modules_to_save``) and a
    leaf-name index, so checking one entry costs its candidates, not the whole model.

    Every verdict (the whole config in :func:`simulate`, one entry in
    :mod:`lora_lint.match.verdicts`) goes through :meth:`matches`, so both see the same
    ``check_target_module_exists``.
    """

    def __init__(self, options: PeftOptions, inventory: ModelInventory) -> None:
        self.options = options
        self.inventory = inventory
        self.by_leaf: dict[str, list[int]] = {}
        for index, module in enumerate(inventory.modules):
            self.by_leaf.setdefault(module.leaf, []).append(index)
        self._excluded: list[int] | None = None

    @property
    def excluded(self) -> list[int]:
        """Indices of the modules PEFT skips before looking at the targets."""
        if self._excluded is None:
            self._excluded = [
                i for i, m in enumerate(self.inventory.modules) if is_excluded(self.options, m.name)
            ]
        return self._excluded

    def matches(self, targets: str | Sequence[str] | None) -> list[int]:
        """Indices (model order) of the modules ``check_target_module_exists`` accepts."""
        options = self.options
        if targets is None:
            return []
        modules = self.inventory.modules
        excluded = set(self.excluded)
        if isinstance(targets, str):
            compiled = regex_guard.compile_guarded(targets)
            return [
                i
                for i, m in enumerate(modules)
                if i not in excluded and compiled.fullmatch(m.name) is not None
            ]
        wanted = set(targets)
        found: set[int] = set()
        for target in wanted:
            for i in self.by_leaf.get(target.rsplit(".", 1)[-1], ()):
                if i in excluded or i in found:
                    continue
                name = modules[i].name
                if name in wanted or (
                    name.endswith("." + target) and passes_layer_filter(options, name)
                ):
                    found.add(i)
        return sorted(found)


@dataclass
class Reach:
    """What a config's targets select before PEFT checks what it can wrap.

    ``simulate`` raises on top of this (unsupported modules, ParamWrapper limits, nothing
    targeted); per-entry verdicts read it directly, so an entry's reach never depends on
    an error another entry causes.
    """

    options: PeftOptions
    modules: list[ModuleInfo] = field(default_factory=list)
    #: Direct parameters ``target_parameters`` (after the MoE rewrite) selects.
    parameters: list[tuple[str, str, tuple[int, ...]]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    #: Modules neither excluded nor matched (PEFT's error variant depends on it).
    unmatched: int = 0


def reach(
    options: PeftOptions,
    inventory: ModelInventory,
    defaults: str | Sequence[str] | None,
    result: Injection,
    matcher: Matcher | None = None,
) -> Reach:
    """PEFT's rewrites (MoE, defaults, ``all-linear``), then matching: no wrap checks.

    Raises :class:`PeftRaised` only for what PEFT raises before matching (a half fused
    pair, no default targets).
    """
    options = _convert_moe(options, inventory, result)
    if options.target_modules is None:
        if defaults is not None:
            options = replace(options, target_modules=defaults)
        elif not options.target_parameters:
            method = "LoRA" if options.peft_type == "LORA" else options.peft_type
            raise PeftRaised(
                PeftOutcome.NO_DEFAULTS,
                f"PEFT has no default {method} targets for model_type {inventory.model_type!r}: "
                "Please specify `target_modules` or `target_parameters` in `peft_config`",
            )
    if is_all_linear(options.target_modules):
        options = replace(options, target_modules=all_linear_names(inventory, options.task_type))
    if matcher is None or matcher.options != _match_view(options):
        matcher = Matcher(_match_view(options), inventory)
    out = Reach(options)
    modules = inventory.modules
    out.excluded = [modules[i].name for i in matcher.excluded]
    if not (options.target_modules is None and options.target_parameters is not None):
        out.modules = [modules[i] for i in matcher.matches(options.target_modules)]
    out.unmatched = len(modules) - len(out.excluded) - len(out.modules)
    wanted = set(options.target_parameters or [])
    if wanted:
        out.parameters = [
            (module_name, key, shape)
            for module_name, key, shape in inventory.parameters
            if key in wanted or any(key.endswith("." + t) for t in wanted)
        ]
    return out


def _match_view(options: PeftOptions) -> PeftOptions:
    """The options matching reads besides the targets (a Matcher can be shared on them)."""
    return PeftOptions(
        exclude_modules=options.exclude_modules,
        modules_to_save=options.modules_to_save,
        task_type=options.task_type,
        layers_to_transform=options.layers_to_transform,
        layers_pattern=options.layers_pattern,
    )


def matcher_for(
    options: PeftOptions, inventory: ModelInventory, cache: dict[str, Matcher] | None = None
) -> Matcher:
    """The Matcher for ``options`` (shared through ``cache`` by options that match alike:
    judging thousands of entries must not rebuild the exclusion table each time)."""
    view = _match_view(options)
    if cache is None:
        return Matcher(view, inventory)
    key = repr(view)
    found = cache.get(key)
    if found is None:
        found = cache[key] = Matcher(view, inventory)
    return found


def _simulate(
    options: PeftOptions,
    inventory: ModelInventory,
    defaults: str | Sequence[str] | None,
    result: Injection,
) -> None:
    problem = config_error(options)
    if problem:
        raise PeftRaised(*problem)
    found = reach(options, inventory, defaults, result)
    options = found.options
    result.effective = options
    result.excluded = list(found.excluded)
    for module in found.modules:
        result.targeted.append(module.name)
        check_wrappable(options, inventory, module)
        rank_and_alpha(options, module.name)
        # LoRA's dispatcher rewrites config.fan_in_fan_out in place for every module it
        # wraps (Linear -> False, transformers Conv1D -> True); ParamWrapper reads the result.
        if options.peft_type in PARAMETER_METHODS and module.kind in LINEAR_KINDS:
            options = replace(options, fan_in_fan_out=module.kind == HF_CONV1D)
    targeted_set = set(result.targeted)

    if options.target_parameters:
        _inject_parameters(options, found.parameters, inventory, targeted_set, result)

    if not result.targeted and not result.targeted_parameters:
        _raise_nothing_targeted(options, result.excluded, found.unmatched)
    if options.bias == "lora":
        raise PeftRaised(PeftOutcome.BIAS_LORA, "Requested bias: lora, is not implemented.")
    _apply_modules_to_save(options, inventory, result)
    if options.exclude_modules and not result.excluded:
        result.warnings.append("exclude-unused")
    elif options.target_modules and not result.targeted:
        result.warnings.append("modules-unmatched")
    elif options.target_parameters and not result.targeted_parameters:
        result.warnings.append("parameters-unmatched")
    for attr in ("rank_pattern", "alpha_pattern"):
        keys = getattr(options, attr) or {}
        missing = [k for k in keys if not any(pattern_key([k], n) for n in result.targeted)]
        if missing:
            result.unmatched_pattern_keys[attr] = sorted(missing)


def check_wrappable(options: PeftOptions, inventory: ModelInventory, module: ModuleInfo) -> None:
    if (
        options.peft_type in _LORA_LIKE
        and inventory.model_type in MAMBA_MODEL_TYPES
        and module.leaf in MAMBA_INCOMPATIBLE
    ):
        raise PeftRaised(
            PeftOutcome.MAMBA_INCOMPATIBLE,
            f"[PEFT:{options.peft_type}] Module {module.leaf!r} is incompatible with Mamba-based "
            f"models (model_type={inventory.model_type!r}).",
            module,
        )
    if (
        module.kind == "multihead_attention"
        and options.peft_type == "LORA"
        and module.attr("qkv_same_embed_dim") is False
    ):
        raise PeftRaised(
            PeftOutcome.MHA_UNEQUAL_DIMS,
            "Only same dim for query/key/value is supported as of now for MultiheadAttention.",
            module,
        )
    if not can_wrap(module, options.peft_type):
        raise PeftRaised(
            PeftOutcome.UNSUPPORTED,
            f"Target module {module.cls}(...) is not supported.",
            module,
        )


def _inject_parameters(
    options: PeftOptions,
    matched: list[tuple[str, str, tuple[int, ...]]],
    inventory: ModelInventory,
    targeted: set[str],
    result: Injection,
) -> None:
    """``_inject_parameters``: wrap each matching direct parameter in lora.ParamWrapper."""
    for module_name, key, shape in matched:
        if module_name == "":
            raise PeftRaised(
                PeftOutcome.TOP_LEVEL_PARAMETER,
                f"Targeting an nn.Parameter on the top-level module is not supported ({key}).",
            )
        if module_name in targeted:
            raise PeftRaised(
                PeftOutcome.PARAMETER_OF_TARGETED_MODULE,
                f"Trying to wrap an `nn.Parameter` of layer {module_name!r}, which is also "
                "targeted with `target_modules`.",
                inventory.by_name.get(module_name),
            )
        if len(shape) not in (2, 3):
            raise PeftRaised(
                PeftOutcome.PARAM_DIMS,
                f"lora.ParamWrapper was initialized with {len(shape)} dimensional Parameter "
                f"({key}), but only 2d and 3d are supported.",
            )
        problem = _param_wrapper_problem(options)
        if problem:
            raise PeftRaised(
                PeftOutcome.PARAM_WRAPPER, f"lora.ParamWrapper does not work with {problem}."
            )
        result.targeted_parameters.append(key)


#: Containers ``ModulesToSaveWrapper`` refuses (``check_module``).
_UNSAVABLE = frozenset({"ModuleList", "ModuleDict", "ParameterList", "ParameterDict"})
#: Children every LoRA layer adds (name, class), as ``named_modules`` lists them.
_LORA_CHILDREN = (
    ("base_layer", ""),
    ("lora_dropout", "ModuleDict"),
    ("lora_dropout.default", "Dropout"),
    ("lora_A", "ModuleDict"),
    ("lora_A.default", "Linear"),
    ("lora_B", "ModuleDict"),
    ("lora_B.default", "Linear"),
    ("lora_embedding_A", "ParameterDict"),
    ("lora_embedding_B", "ParameterDict"),
    ("lora_magnitude_vector", "ModuleDict"),
)


def saved_module_names(options: PeftOptions, inventory: ModelInventory) -> dict[str, list[str]]:
    """modules_to_save entry -> module names ``_set_trainable`` wraps (plain ``endswith``)."""
    names = [m.name for m in inventory.modules] + list(inventory.aliases)
    return {
        entry: [n for n in names if n.endswith(entry)]
        for entry in effective_modules_to_save(options)
    }


def _apply_modules_to_save(
    options: PeftOptions, inventory: ModelInventory, result: Injection
) -> None:
    """``_set_trainable`` after injection: wrapping a container or a LoRA layer raises."""
    saved = effective_modules_to_save(options)
    if not saved:
        return
    lora_layers = set(result.targeted)
    lora_layers.update(k.rsplit(".", 1)[0] for k in result.targeted_parameters)
    keys: list[tuple[str, str, str | None]] = []  # (name, class, lora layer it belongs to)
    for module in inventory.modules:
        parent = module.name.rsplit(".", 1)[0] if "." in module.name else ""
        if parent in lora_layers:
            # An original child of a wrapped module now sits under `<layer>.base_layer`: its
            # grandparent is the LoRA layer, which _set_trainable refuses.
            keys.append((f"{parent}.base_layer.{module.leaf}", module.cls, parent))
        else:
            keys.append((module.name, module.cls, None))
        if module.name in lora_layers:
            keys.extend(
                (f"{module.name}.{child}", cls or module.cls, module.name)
                for child, cls in _LORA_CHILDREN
            )
    keys.extend(
        (alias, inventory.by_name[real].cls, None)
        for alias, real in inventory.aliases.items()
        if real in inventory.by_name
    )
    for name, cls, owner in keys:
        if not any(name.endswith(entry) for entry in saved):
            continue
        if owner is not None and name.count(".") - owner.count(".") >= 2:
            raise PeftRaised(
                PeftOutcome.MODULES_TO_SAVE_INVALID,
                f"modules_to_save matches {name}, inside the LoRA layer {owner}.",
            )
        real = inventory.aliases.get(name, name)
        if real in lora_layers or (owner is not None and name.endswith(".base_layer")):
            raise PeftRaised(
                PeftOutcome.MODULES_TO_SAVE_INVALID,
                f"modules_to_save cannot be applied to {name}, which is also adapted by LoRA.",
                inventory.by_name.get(real),
            )
        if cls in _UNSAVABLE:
            raise PeftRaised(
                PeftOutcome.MODULES_TO_SAVE_INVALID,
                f"modules_to_save cannot be applied to modules of type {cls} ({name}).",
                inventory.by_name.get(real),
            )


def _param_wrapper_problem(options: PeftOptions) -> str | None:
    if options.lora_dropout:
        return "lora_dropout != 0"
    if options.fan_in_fan_out:
        return "fan_in_fan_out"
    if options.lora_bias:
        return "lora_bias=True"
    if options.use_dora:
        return "use_dora=True"
    return None


def _raise_nothing_targeted(options: PeftOptions, excluded: list[str], unmatched: int) -> None:
    if excluded and not unmatched:
        raise PeftRaised(
            PeftOutcome.ALL_EXCLUDED,
            "All modules were excluded. This is likely unintended. Check your `target_modules`, "
            "`exclude_modules` and `modules_to_save` configuration.",
        )
    if not excluded and unmatched and not options.target_modules:
        raise PeftRaised(
            PeftOutcome.NO_TARGETS,
            "No `target_modules` passed but also no `target_parameters` found. Please check the "
            "values for these arguments.",
        )
    if not excluded and unmatched:
        raise PeftRaised(
            PeftOutcome.NOT_FOUND,
            f"Target modules {options.target_modules} not found in the base model.",
        )
    raise PeftRaised(
        PeftOutcome.NONE_TARGETED,
        "No modules were targeted for adaptation. This might be caused by a combination of "
        "mismatched target modules and excluded modules.",
    )
