"""Check lora-lint's ERROR findings against the real PEFT (``--verify`` of the ecosystem check).

Each error is a claim about what ``get_peft_model`` does. This module rebuilds the
finding's base model on the meta device (the class and config lora-lint itself built),
applies the relevant part of the finding's config with the installed PEFT and labels
the error TRUE (PEFT agrees), FALSE (PEFT does something else) or UNVERIFIED (the
claim is not about PEFT, or the check could not run), always with a one-line reason.

The verifier reads lora-lint's own reading of the config (``ConfigContext.options``):
it checks what PEFT does with that config, not whether a tool adapter translated the
tool's keys correctly. Nothing here decides by lora-lint's matching code: every label
comes from what PEFT did.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import dataclasses
import io
import json
import logging
import re
import signal
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lora_lint.diagnostics import Finding
from lora_lint.extract.types import to_plain
from lora_lint.match.outcomes import PeftOutcome, classify_peft_error
from lora_lint.models.resolve import ResolvedModel
from lora_lint.rules.base import ConfigContext

TRUE = "TRUE"
FALSE = "FALSE"
UNVERIFIED = "UNVERIFIED"

#: Seconds one model build or one get_peft_model may take before the finding is UNVERIFIED.
DEFAULT_TIME_LIMIT = 120
#: Models with more modules than this are not rebuilt (UNVERIFIED): deep copies get slow.
MAX_MODULES = 60_000

#: The replay outcomes that are no PEFT outcome: get_peft_model ran out of time, or PEFT
#: raised an exception that no :class:`PeftOutcome` stands for.
TIMEOUT = "timeout"
UNMODELLED = "error"
OK = PeftOutcome.OK
#: PEFT raises because the config reaches nothing (NoMatchingPeftModuleError's variants).
NO_MATCH = frozenset(o for o in PeftOutcome if o.nothing_matched)
#: The outcomes that are an error of their own kind in the checks below; any other error
#: (``_other_error``) is "PEFT raises" without more to say.
_NAMED = frozenset(
    {
        OK,
        *NO_MATCH,
        PeftOutcome.UNSUPPORTED,
        PeftOutcome.MODULES_TO_SAVE_INVALID,
        PeftOutcome.REGEX_INVALID,
        PeftOutcome.CONFIG_INVALID,
        TIMEOUT,
    }
)


def _other_error(kind: PeftOutcome | str) -> bool:
    """get_peft_model raised, for none of the reasons the checks name."""
    return kind not in _NAMED


@dataclass(frozen=True)
class Verdict:
    label: str
    reason: str


class _TimeLimit(Exception):
    pass


class Unverifiable(Exception):
    """The check cannot run (no model, too big...); the message is the reason."""


@dataclass
class Outcome:
    """What one real ``get_peft_model`` did."""

    #: The :class:`PeftOutcome` the real PEFT's exception stands for (``CONFIG_INVALID``:
    #: the config class raised), :data:`TIMEOUT`, or :data:`UNMODELLED` (another exception)
    kind: PeftOutcome | str
    message: str = ""
    modules: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)
    #: adapted module/parameter name -> (rank, alpha)
    ranks: dict[str, tuple[int, float]] = field(default_factory=dict)
    #: names of the modules wrapped for full training (modules_to_save)
    saved: list[str] = field(default_factory=list)

    @property
    def adapted(self) -> list[str]:
        return self.modules + self.parameters

    def describe(self) -> str:
        if self.kind is OK:
            names = self.adapted
            sample = f", e.g. {names[0]}" if names else ""
            return f"get_peft_model succeeds and adapts {len(names)} modules/parameters{sample}"
        return f"PEFT raises ({self.kind}): {self.message}"


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise _TimeLimit after ``seconds`` (SIGALRM; a no-op outside the main thread)."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise _TimeLimit

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    loggers = [logging.getLogger(n) for n in ("transformers", "peft", "torch", "accelerate")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=False):
            lg.setLevel(level)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return (line[:237] + "...") if len(line) > 240 else line


def _classify(exc: BaseException) -> PeftOutcome | str:
    """The same classification as the differential tests' oracle (one table, in lora-lint)."""
    return classify_peft_error(exc) or UNMODELLED


def peft_config_class(peft_type: str) -> Any:
    from peft.mapping import PEFT_TYPE_TO_CONFIG_MAPPING

    for key, cls in PEFT_TYPE_TO_CONFIG_MAPPING.items():
        if getattr(key, "value", str(key)) == peft_type.upper():
            return cls
    raise KeyError(peft_type)


def config_fields(peft_type: str) -> set[str]:
    return {f.name for f in dataclasses.fields(peft_config_class(peft_type))}


#: Options left out of the replayed config: they start weight-dependent initialisations
#: (SVD, data-driven, quantization) that cannot run on the meta device, or only record
#: provenance. None of them changes which modules are matched.
_NOT_REPLAYED = {
    "peft_type",
    "init_lora_weights",
    "init_weights",
    "loftq_config",
    "eva_config",
    "corda_config",
    "lora_ga_config",
    "megatron_config",
    "megatron_core",
    "runtime_config",
    "base_model_name_or_path",
    "revision",
    "auto_mapping",
    "peft_version",
    "inference_mode",
}


def _is_plain(value: object) -> bool:
    """No unresolved part (``to_plain`` turns those into None)."""
    if value is None:
        return False
    if isinstance(value, list):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_is_plain(v) for v in value.values())
    return True


def peft_kwargs(ctx: ConfigContext) -> dict[str, Any]:
    """The config as PEFT keyword arguments: its own resolved options (PEFT field names),
    with lora-lint's reading of the targets (tool translations, axolotl's linear leaves)."""
    o = ctx.options
    try:
        known = config_fields(o.peft_type)
    except KeyError:
        known = set()
    out: dict[str, Any] = {}
    for name, value in ctx.config.options.items():
        plain = to_plain(value)
        if name in known and name not in _NOT_REPLAYED and _is_plain(plain):
            out[name] = plain
    read: dict[str, Any] = {
        "target_modules": _listish(o.target_modules),
        "exclude_modules": _listish(o.exclude_modules),
        "modules_to_save": _listish(o.modules_to_save),
        "layers_to_transform": _listish(o.layers_to_transform),
        "layers_pattern": _listish(o.layers_pattern),
        "target_parameters": _listish(o.target_parameters),
        "task_type": o.task_type,
    }
    for name, value in read.items():
        if value is None or name not in known:
            continue
        if name == "target_modules" or name not in out:
            out[name] = value
    return out


def _listish(value: object) -> Any:
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return value


class Verifier:
    """Rebuilds base models (cached per model and class) and runs the real PEFT."""

    def __init__(self, time_limit_s: float = DEFAULT_TIME_LIMIT) -> None:
        self.time_limit_s = time_limit_s
        self._models: dict[str, Any] = {}
        self.applications = 0

    # -- models --------------------------------------------------------------------------
    def base_model(self, ctx: ConfigContext) -> Any:
        """The meta-device model lora-lint built for ``ctx``, or a str saying why not."""
        resolved = ctx.resolution
        inventory = ctx.inventory
        if ctx.model_ref is not None and ctx.model_ref.local is not None and inventory is not None:
            key = json.dumps(["local", ctx.config.path, ctx.model_ref.local.line, inventory.names])
            if key not in self._models:
                self._models[key] = self._build_local(inventory)
            return self._models[key]
        if not isinstance(resolved, ResolvedModel) or inventory is None:
            return "the base model was not resolved/built by lora-lint"
        if len(inventory.modules) > MAX_MODULES:
            return f"the model has {len(inventory.modules)} modules (over {MAX_MODULES})"
        key = json.dumps([inventory.class_name, resolved.config], sort_keys=True, default=str)
        if key not in self._models:
            self._models[key] = self._build(resolved, inventory.class_name)
        return self._models[key]

    def _build(self, resolved: ResolvedModel, class_name: str) -> Any:
        import torch
        import transformers

        from lora_lint.models.build import BuildError, _make_config, is_diffusers_config

        if is_diffusers_config(resolved.config):
            import diffusers

            values = {k: v for k, v in resolved.config.items() if not k.startswith("_")}
            try:
                with _quiet(), time_limit(self.time_limit_s), torch.device("meta"):
                    return getattr(diffusers, class_name).from_config(values)
            except _TimeLimit:
                return f"building {class_name} took over {self.time_limit_s:.0f} s"
            except Exception as exc:
                return f"building {class_name} failed: {_first_line(exc)}"
        cls = getattr(transformers, class_name, None)
        if cls is None:
            return f"transformers has no class {class_name!r}"
        try:
            with _quiet(), time_limit(self.time_limit_s):
                cfg = _make_config(resolved.config, False, resolved.local_dir)
                with torch.device("meta"):
                    return cls(cfg)
        except _TimeLimit:
            return f"building {class_name} took over {self.time_limit_s:.0f} s"
        except (BuildError, Exception) as exc:
            return f"building {class_name} failed: {_first_line(exc)}"

    def _build_local(self, inventory: Any) -> Any:
        """A module class of the linted code, rebuilt on the meta device from the tree
        lora-lint read (the linted code is never run; tests/extract/test_module_tree.py
        compares such trees with the classes PyTorch builds)."""
        import torch
        from torch import nn
        from transformers.pytorch_utils import Conv1D

        def leaf(info: Any) -> nn.Module:
            fin, fout = info.in_features or 1, info.out_features or 1
            if info.cls == "Conv1D":
                return Conv1D(fout, fin)
            if info.kind == "multihead_attention":
                return nn.MultiheadAttention(fin, 1)
            if info.kind == "linear":
                return nn.Linear(fin, fout)
            if info.kind == "embedding":
                return nn.Embedding(fin, fout)
            if info.kind in ("conv1d", "conv2d", "conv3d"):
                return getattr(nn, f"Conv{info.kind[-2:]}")(fin, fout, 1)
            return nn.Module()  # containers and leaves LoRA cannot wrap

        with torch.device("meta"):
            root = nn.Module()
            made: dict[str, nn.Module] = {"": root}
            for info in inventory.modules:
                parent, _, name = info.name.rpartition(".")
                if info.name in made:  # MultiheadAttention's own out_proj
                    continue
                module = leaf(info)
                made[parent].add_module(name, module)
                made[info.name] = module
                for child, sub in module.named_modules():
                    if child:
                        made.setdefault(f"{info.name}.{child}", sub)
        return root

    def model(self, ctx: ConfigContext) -> Any:
        model = self.base_model(ctx)
        if isinstance(model, str):
            raise Unverifiable(f"cannot rebuild the model: {model}")
        return model

    # -- PEFT ------------------------------------------------------------------------------
    def make_config(self, peft_type: str, kwargs: dict[str, Any]) -> Any:
        cls = peft_config_class(peft_type)
        with _quiet():
            return cls(**kwargs)

    def run(self, ctx: ConfigContext, peft_type: str, kwargs: dict[str, Any]) -> Outcome:
        """``apply`` on the model of ``ctx`` (Unverifiable when it cannot be rebuilt)."""
        return self.apply(self.model(ctx), peft_type, kwargs)

    def apply(self, model: Any, peft_type: str, kwargs: dict[str, Any]) -> Outcome:
        """Run the PEFT config class and get_peft_model on a copy of ``model``."""
        from peft import get_peft_model
        from peft.tuners.tuners_utils import BaseTunerLayer

        self.applications += 1
        try:
            config = self.make_config(peft_type, kwargs)
        except Exception as exc:
            return Outcome(PeftOutcome.CONFIG_INVALID, _first_line(exc))
        try:
            with _quiet(), time_limit(self.time_limit_s):
                peft_model = get_peft_model(copy.deepcopy(model), config)
        except _TimeLimit:
            return Outcome(TIMEOUT, f"get_peft_model took over {self.time_limit_s:.0f} s")
        except Exception as exc:
            return Outcome(_classify(exc), _first_line(exc))
        base = peft_model.base_model
        ranks: dict[str, tuple[int, float]] = {}
        saved: list[str] = []
        for name, module in base.model.named_modules():
            if type(module).__name__ == "ModulesToSaveWrapper":
                saved.append(name)
                continue
            if not isinstance(module, BaseTunerLayer) or ".modules_to_save." in name:
                continue
            r = getattr(module, "r", None)
            alpha = getattr(module, "lora_alpha", None)
            if not isinstance(r, dict) or "default" not in r:
                continue
            clean = name.replace(".base_layer", "")
            if type(module).__name__ == "ParamWrapper":
                clean = f"{clean}.{getattr(module, 'parameter_name', '')}"
            a = alpha.get("default", 0) if isinstance(alpha, dict) else 0
            ranks.setdefault(clean, (int(r["default"]), float(a)))
        return Outcome(
            OK,
            modules=sorted(getattr(base, "targeted_module_names", [])),
            parameters=sorted(getattr(base, "targeted_parameter_names", [])),
            ranks=ranks,
            saved=saved,
        )

    # -- findings --------------------------------------------------------------------------
    def verify(self, finding: Finding, ctx: ConfigContext | None, root: Path) -> Verdict:
        if finding.code == "LL000":
            return verify_unreadable(finding, root)
        check = _CHECKS.get(finding.code)
        if check is None:
            return Verdict(UNVERIFIED, f"no mechanical check for {finding.code}: {_CLAIMS_ELSE}")
        if ctx is None:
            return Verdict(UNVERIFIED, "the finding is not linked to a config")
        tool = ctx.config.facts.tool
        if (
            tool
            and finding.code in _TARGETS_FROM_TOOL
            and "target_modules" not in ctx.config.options
        ):
            return Verdict(
                UNVERIFIED,
                f"target_modules is omitted in a {tool} call: {tool} may fill in its own "
                "targets before PEFT sees the config, which the replay does not model",
            )
        try:
            verdict = check(self, finding, ctx)
        except Unverifiable as exc:
            return Verdict(UNVERIFIED, str(exc))
        except _TimeLimit:
            return Verdict(UNVERIFIED, f"PEFT took over {self.time_limit_s:.0f} s")
        except Exception as exc:  # a verifier bug must not stop the run
            return Verdict(UNVERIFIED, f"verifier failed: {type(exc).__name__}: {_first_line(exc)}")
        if tool and verdict.label != UNVERIFIED:
            return Verdict(verdict.label, f"{verdict.reason} [as read through the {tool} adapter]")
        return verdict


_CLAIMS_ELSE = "its claim is not about what get_peft_model does"
#: Claims that rest on PEFT's own default targets (``target_modules`` omitted).
_TARGETS_FROM_TOOL = ("LL009", "LL001", "LL002", "LL003")


# -- per-code checks ----------------------------------------------------------------------


def _moe(ctx: ConfigContext, part: str) -> dict[str, Any]:
    """A part ("fused" pairs or the entry -> parameter "mapping") of PEFT's MoE rewrite."""
    conv = ctx.inventory.moe_conversion if ctx.inventory else None
    value = conv.get(part) if isinstance(conv, dict) else None
    return dict(value) if isinstance(value, dict) else {}


def _entry_kwargs(ctx: ConfigContext, entry: str) -> tuple[dict[str, Any], str]:
    """The config with ``entry`` as its only target (plus its fused MoE partner)."""
    kwargs = peft_kwargs(ctx)
    entries = [entry]
    for pair in _moe(ctx, "fused").values():
        if entry in pair:
            entries += [p for p in pair if p != entry]
    kwargs["target_modules"] = entries
    kwargs.pop("target_parameters", None)
    note = f" (with its fused partner {', '.join(entries[1:])})" if len(entries) > 1 else ""
    return kwargs, note


#: What decides matching; the rest can fail injection on its own (dropout on parameters...).
_MATCHING = (
    "target_modules",
    "exclude_modules",
    "layers_to_transform",
    "layers_pattern",
    "task_type",
    "modules_to_save",
)


#: What decides whether an entry reaches modules: adapts, nothing, or an unwrappable module.
_REACH = frozenset({OK, *NO_MATCH, PeftOutcome.UNSUPPORTED})


def _matching(
    v: Verifier, ctx: ConfigContext, kwargs: dict[str, Any], decisive: frozenset[PeftOutcome]
) -> tuple[Outcome, str]:
    """Run ``kwargs``; when PEFT fails for another reason than the ones the claim is about,
    retry with only the matching options, then with LoRA (PEFT's matching is the shared
    BaseTuner code; some methods raise their own error before it when nothing fits)."""
    peft_type = ctx.options.peft_type
    out = v.run(ctx, peft_type, kwargs)
    note = ""
    if out.kind in decisive:
        return out, note
    minimal = {k: val for k, val in kwargs.items() if k in _MATCHING}
    first = out
    out = v.run(ctx, peft_type, minimal)
    note = f" [the full config fails first: {first.kind}: {first.message}; retried with "
    note += "the matching options only"
    if out.kind not in decisive and peft_type != "LORA":
        second = out
        out = v.run(ctx, "LORA", minimal)
        note += f"; {peft_type} then fails: {second.kind}: {second.message}; retried as LoRA"
    return out, note + "]"


def _attributable(outcome: Outcome, entry: str, ctx: ConfigContext) -> list[str]:
    """What ``entry`` itself adapted (its fused partner may adapt other modules)."""
    mods = [m for m in outcome.modules if m == entry or m.endswith("." + entry)]
    mapped = _moe(ctx, "mapping").get(entry)
    params = [
        p
        for p in outcome.parameters
        if p.endswith("." + entry) or (isinstance(mapped, str) and p.endswith("." + mapped))
    ]
    return mods + params


def _verify_ll001(v: Verifier, f: Finding, ctx: ConfigContext) -> Verdict:
    """LL001 claims the entry reaches nothing: PEFT with it alone adapts nothing for it."""
    entry = f.target
    if entry is None:
        return Verdict(UNVERIFIED, "the finding names no target entry")
    kwargs, note = _entry_kwargs(ctx, entry)
    out, retry = _matching(v, ctx, kwargs, _REACH)
    alone = f"PEFT with {entry!r} alone{note}"
    if out.kind in NO_MATCH:
        return Verdict(TRUE, f"{alone} raises: {out.message}{retry}")
    if out.kind is PeftOutcome.UNSUPPORTED:
        return Verdict(FALSE, f"{alone} reaches a module PEFT cannot wrap: {out.message}{retry}")
    if out.kind is OK:
        mine = _attributable(out, entry, ctx)
        if not mine:
            return Verdict(TRUE, f"{alone} adapts nothing for it{retry}")
        return Verdict(FALSE, f"{alone} adapts {len(mine)}, e.g. {mine[0]}{retry}")
    return Verdict(UNVERIFIED, f"{alone}: {out.describe()}{retry}")


def _verify_ll002(v: Verifier, f: Finding, ctx: ConfigContext) -> Verdict:
    """LL002 claims PEFT raises its unsupported-module error for the entry alone."""
    entry = f.target
    if entry is None:
        return Verdict(UNVERIFIED, "the finding names no target entry")
    kwargs = peft_kwargs(ctx)
    whole = kwargs.get("target_modules")
    kwargs["target_modules"] = entry if isinstance(whole, str) else [entry]
    kwargs.pop("target_parameters", None)
    out = v.run(ctx, ctx.options.peft_type, kwargs)
    retry = ""
    if out.kind not in _REACH:
        minimal = {k: val for k, val in kwargs.items() if k in _MATCHING}
        first, out = out, v.run(ctx, ctx.options.peft_type, minimal)
        retry = f" [the full config fails first: {first.kind}: {first.message}]"
    if out.kind is PeftOutcome.UNSUPPORTED:
        return Verdict(TRUE, f"PEFT with {entry!r} alone raises: {out.message}{retry}")
    if out.kind is OK or out.kind in NO_MATCH:
        return Verdict(FALSE, f"PEFT with {entry!r} alone: {out.describe()}{retry}")
    return Verdict(UNVERIFIED, f"PEFT with {entry!r} alone: {out.describe()}{retry}")


def _verify_ll003(v: Verifier, f: Finding, ctx: ConfigContext) -> Verdict:
    """LL003 claims the string target (a regex) matches no full name, or is malformed."""
    pattern = f.target
    if pattern is None:
        return Verdict(UNVERIFIED, "the finding names no pattern")
    kwargs = peft_kwargs(ctx)
    kwargs["target_modules"] = pattern
    out, retry = _matching(v, ctx, kwargs, frozenset({OK, *NO_MATCH, PeftOutcome.REGEX_INVALID}))
    if out.kind in NO_MATCH or out.kind is PeftOutcome.REGEX_INVALID:
        return Verdict(TRUE, f"PEFT with the string target raises: {out.message}{retry}")
    if out.kind is OK and not out.adapted:
        return Verdict(TRUE, f"PEFT with the string target adapts nothing{retry}")
    if out.kind is OK:
        return Verdict(FALSE, f"PEFT with the string target: {out.describe()}{retry}")
    return Verdict(UNVERIFIED, f"PEFT with the string target: {out.describe()}{retry}")


def _verify_ll004(v: Verifier, f: Finding, ctx: ConfigContext) -> Verdict:
    """LL004: the config class rejects the combination, or the selection adapts nothing."""
    kwargs = peft_kwargs(ctx)
    peft_type = ctx.options.peft_type
    if "cannot be used when" in f.message or "without `layers_to_transform`" in f.message:
        try:
            v.make_config(peft_type, kwargs)
        except Exception as exc:
            return Verdict(TRUE, f"the PEFT config class raises: {_first_line(exc)}")
        return Verdict(FALSE, "the PEFT config class accepts this combination")
    if f.target is not None and re.fullmatch(r"-?\d+", f.target):
        kwargs["layers_to_transform"] = [int(f.target)]
        out = v.run(ctx, peft_type, kwargs)
        selection = f"PEFT with layers_to_transform=[{f.target}]"
        if out.kind in NO_MATCH or (out.kind is OK and not out.modules):
            return Verdict(TRUE, f"{selection} adapts nothing")
        if out.kind is OK:
            return Verdict(FALSE, f"{selection}: {out.describe()}")
        return Verdict(UNVERIFIED, f"{selection}: {out.describe()}")
    out = v.run(ctx, peft_type, kwargs)
    if "regular expression" in f.message:
        raised = out.kind in (PeftOutcome.REGEX_INVALID, PeftOutcome.CONFIG_INVALID)
        label = TRUE if raised or _other_error(out.kind) else FALSE
        return Verdict(label, f"PEFT with the whole config: {out.describe()}")
    if out.kind in NO_MATCH:
        return Verdict(TRUE, f"PEFT with the whole config raises: {out.message}")
    if out.kind is OK:
        targets = kwargs.get("target_modules") or []
        by_suffix = [m for m in out.modules if m not in targets]
        if not by_suffix:
            return Verdict(TRUE, "PEFT adapts no module through the layer selection")
        return Verdict(FALSE, f"PEFT adapts {len(by_suffix)} modules, e.g. {by_suffix[0]}")
    return Verdict(UNVERIFIED, f"PEFT with the whole config: {out.describe()}")


def _verify_ll005(v: Verifier, f: Finding, ctx: ConfigContext) -> Verdict:
    """LL005 claims the key, alone, changes no adapted module's rank/alpha."""
    key = f.target
    if key is None:
        return Verdict(UNVERIFIED, "the finding names no pattern key")
    kwargs = peft_kwargs(ctx)
    option = next(
        (o for o in ("rank_pattern", "alpha_pattern") if key in (kwargs.get(o) or {})), None
    )
    if option is None:
        return Verdict(UNVERIFIED, f"{key!r} is in no resolved rank_pattern/alpha_pattern")
    value = kwargs[option][key]
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return Verdict(
            UNVERIFIED,
            f"{ctx.options.peft_type} {option} value {str(value)[:40]!r} is not a rank/alpha "
            "(AdaLoRA stores its trained rank masks there); not replayed",
        )
    sentinel: float
    if option == "rank_pattern":
        sentinel = int(kwargs.get("r", ctx.options.r)) + 3
    else:
        sentinel = float(kwargs.get("lora_alpha", ctx.options.lora_alpha)) + 0.5
    kwargs["rank_pattern"] = {key: sentinel} if option == "rank_pattern" else {}
    kwargs["alpha_pattern"] = {key: sentinel} if option == "alpha_pattern" else {}
    out = v.run(ctx, ctx.options.peft_type, kwargs)
    if out.kind is PeftOutcome.REGEX_INVALID:
        return Verdict(TRUE, f"PEFT raises for the key: {out.message}")
    if out.kind is not OK:
        return Verdict(UNVERIFIED, f"PEFT with the whole config: {out.describe()}")
    index = 0 if option == "rank_pattern" else 1
    hit = [n for n, ra in out.ranks.items() if ra[index] == sentinel]
    if hit:
        return Verdict(
            FALSE, f"{option} key {key!r} sets {len(hit)} adapted modules, e.g. {hit[0]}"
        )
    return Verdict(TRUE, f"{option} key {key!r} alone changes no adapted module's value")


def _some_linear(v: Verifier, ctx: ConfigContext, avoid: str) -> str | None:
    """The full name of a Linear layer of the model (not under ``avoid``)."""
    from torch import nn

    for name, module in v.model(ctx).named_modules():
        if isinstance(module, nn.Linear) and avoid not in name.split("."):
            return str(name)
    return None


def _verify_ll006(v: Verifier, f: Finding, ctx: ConfigContext) -> Verdict:
    """LL006: the entry wraps no module / pulls LoRA targets out / PEFT cannot wrap it."""
    entry = f.target
    if entry is None:
        return Verdict(UNVERIFIED, "the finding names no modules_to_save entry")
    peft_type = ctx.options.peft_type
    kwargs = peft_kwargs(ctx)
    kwargs["modules_to_save"] = [entry]
    out = v.run(ctx, peft_type, kwargs)
    note = ""
    if out.kind in NO_MATCH:
        stand_in = _some_linear(v, ctx, entry)
        if stand_in is None:
            return Verdict(UNVERIFIED, f"the config's targets match nothing: {out.message}")
        kwargs["target_modules"] = [stand_in]
        for drop in ("layers_to_transform", "layers_pattern", "exclude_modules"):
            kwargs.pop(drop, None)
        note = f" [target_modules replaced by {stand_in!r}: the config's own match nothing]"
        out = v.run(ctx, peft_type, kwargs)
    with_entry = f"PEFT with modules_to_save=[{entry!r}]"
    if "cannot wrap" in f.message:
        if out.kind is PeftOutcome.MODULES_TO_SAVE_INVALID or _other_error(out.kind):
            return Verdict(TRUE, f"{with_entry} raises: {out.message}{note}")
        return Verdict(FALSE, f"{with_entry}: {out.describe()}{note}")
    if out.kind is not OK:
        return Verdict(UNVERIFIED, f"{with_entry}: {out.describe()}{note}")
    without = {k: val for k, val in kwargs.items() if k != "modules_to_save"}
    base = v.run(ctx, peft_type, without)
    if base.kind is not OK:
        return Verdict(UNVERIFIED, f"PEFT without modules_to_save: {base.describe()}{note}")
    if "also removes" in f.message:
        lost = sorted(set(base.modules) - set(out.modules))
        if lost:
            return Verdict(TRUE, f"{len(lost)} LoRA targets are lost, e.g. {lost[0]}{note}")
        return Verdict(FALSE, f"the LoRA targets are the same with and without it{note}")
    extra = sorted(set(out.saved) - set(base.saved))
    if extra:
        return Verdict(FALSE, f"{with_entry} trains {len(extra)} modules in full, e.g. {extra[0]}")
    return Verdict(TRUE, f"{with_entry} wraps no module for training in full{note}")


def _verify_ll008(v: Verifier, f: Finding, ctx: ConfigContext) -> Verdict:
    """LL008: an unknown keyword raises (Python) or is dropped (adapter_config.json);
    an invalid value is rejected by the config class or by get_peft_model."""
    key = f.target
    peft_type = ctx.options.peft_type
    try:
        fields = config_fields(peft_type)
    except KeyError:
        return Verdict(UNVERIFIED, f"the installed PEFT has no config for {peft_type}")
    raw = {k: to_plain(val) for k, val in ctx.config.options.items()}
    unknown = dict(ctx.config.unknown_keys)
    if key is not None and (key in unknown or (key in raw and key not in fields)):
        if ctx.config.source == "peft-json":
            return _json_drops(peft_type, key, raw.get(key))
        try:
            v.make_config(peft_type, {key: raw.get(key)})
        except Exception as exc:
            return Verdict(TRUE, f"the PEFT config class raises: {_first_line(exc)}")
        return Verdict(FALSE, f"the PEFT config class accepts {key!r}")
    option = _option_with_value(ctx, f)
    if option is None:
        return Verdict(UNVERIFIED, "cannot tell which option the finding is about")
    kwargs = peft_kwargs(ctx)
    kwargs[option] = raw.get(option)
    shown = f"{option}={raw.get(option)!r}"
    try:
        v.make_config(peft_type, kwargs)
    except Exception as exc:
        return Verdict(TRUE, f"the PEFT config class raises for {shown}: {_first_line(exc)}")
    try:
        out = v.run(ctx, peft_type, kwargs)
    except Unverifiable as exc:
        return Verdict(
            UNVERIFIED, f"the PEFT config class accepts {shown}; get_peft_model not run: {exc}"
        )
    if out.kind is PeftOutcome.CONFIG_INVALID or _other_error(out.kind):
        return Verdict(TRUE, f"get_peft_model raises for {shown}: {out.message}")
    if out.kind is OK:
        return Verdict(FALSE, f"PEFT accepts {shown}: {out.describe()}")
    return Verdict(UNVERIFIED, f"PEFT with {shown}: {out.describe()}")


def _option_with_value(ctx: ConfigContext, f: Finding) -> str | None:
    """The option whose value the finding points at (same span)."""
    for name, value in ctx.config.options.items():
        span = getattr(value, "span", None)
        if span is not None and (span.line, span.column) == (f.span.line, f.span.column):
            return name
    return None


def _json_drops(peft_type: str, key: str, value: object) -> Verdict:
    """adapter_config.json: PeftConfig.from_pretrained drops an unknown key."""
    from peft import PeftConfig

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "adapter_config.json").write_text(
            json.dumps({"peft_type": peft_type, key: value}), encoding="utf-8"
        )
        try:
            with _quiet():
                loaded = PeftConfig.from_pretrained(tmp)
        except Exception as exc:
            return Verdict(TRUE, f"PeftConfig.from_pretrained raises: {_first_line(exc)}")
    if hasattr(loaded, key):
        return Verdict(FALSE, f"PeftConfig.from_pretrained keeps {key!r}")
    return Verdict(TRUE, f"PeftConfig.from_pretrained drops {key!r}")


def _verify_ll009(v: Verifier, f: Finding, ctx: ConfigContext) -> Verdict:
    """LL009 claims get_peft_model raises with the whole config (not for a non-match)."""
    out = v.run(ctx, ctx.options.peft_type, peft_kwargs(ctx))
    if out.kind is OK:
        return Verdict(FALSE, out.describe())
    if out.kind in NO_MATCH:
        return Verdict(FALSE, f"PEFT raises only because nothing matches: {out.message}")
    if out.kind == TIMEOUT:
        return Verdict(UNVERIFIED, out.message)
    return Verdict(TRUE, f"PEFT raises ({out.kind}): {out.message}")


def _verify_tool(v: Verifier, f: Finding, ctx: ConfigContext) -> Verdict:
    """LL015 is about the training tool, which is not installed here."""
    return Verdict(
        UNVERIFIED,
        f"the claim is about what the training tool ({ctx.config.source}) does before PEFT "
        "is called; checking it needs that tool's code",
    )


def verify_unreadable(finding: Finding, root: Path) -> Verdict:
    """LL000: does the standard parser for the file's type reject it too?"""
    path = root / finding.path
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Verdict(TRUE, f"the file cannot be read: {exc.strerror or exc}")
    if len(data) > 5 * 1024 * 1024 and suffix != ".ipynb":
        return Verdict(UNVERIFIED, "a lora-lint size limit, not a parse claim")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Verdict(TRUE, f"not UTF-8: {exc.reason}")
    parsers: dict[str, Callable[[str], object]] = {
        ".py": ast.parse,
        ".json": json.loads,
        ".ipynb": json.loads,
    }
    if suffix in (".yaml", ".yml"):
        import yaml

        parsers[suffix] = lambda s: list(yaml.safe_load_all(s))
    parse = parsers.get(suffix)
    if parse is None:
        return Verdict(UNVERIFIED, f"no reference parser for {suffix or 'this file'}")
    if finding.location_hint:
        return Verdict(UNVERIFIED, f"the problem is inside {finding.location_hint}")
    try:
        parse(text)
    except RecursionError:
        return Verdict(TRUE, "the reference parser fails: nesting too deep")
    except Exception as exc:
        return Verdict(TRUE, f"the reference parser fails: {_first_line(exc)}")
    return Verdict(FALSE, f"the file parses with the reference {suffix} parser")


_CHECKS: dict[str, Callable[[Verifier, Finding, ConfigContext], Verdict]] = {
    "LL001": _verify_ll001,
    "LL002": _verify_ll002,
    "LL003": _verify_ll003,
    "LL004": _verify_ll004,
    "LL005": _verify_ll005,
    "LL006": _verify_ll006,
    "LL008": _verify_ll008,
    "LL009": _verify_ll009,
    "LL015": _verify_tool,
}


def verify_all(
    pairs: Sequence[tuple[Finding, ConfigContext | None]],
    root: Path,
    verifier: Verifier | None = None,
) -> list[Verdict]:
    v = verifier or Verifier()
    return [v.verify(f, ctx, root) for f, ctx in pairs]
