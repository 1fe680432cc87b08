"""The rule framework: one class per rule, with its code, name, docs and examples.

A rule is declared once, in its own module, Fixit/ruff style: ``code`` and
``name`` (the stable public interface), a severity, a docstring with the
sections "What it does", "Why is this bad?" and "Fix", and ``VALID``/
``INVALID`` examples that the test-suite runs through the whole pipeline and
that ``lora-lint rule`` and the README show.

Whether a rule has a fix is not declared: an INVALID example whose finding can
be fixed carries the whole file as ``lora-lint check --fix`` leaves it
(``fixed=``, with ``fix="unsafe"`` when only ``--unsafe-fixes`` applies it), the
tests apply the real ``--fix`` to the example and compare, and ``Rule.fix`` is
derived from those examples (as Fixit derives ``AUTOFIX`` from
``expected_replacement``). A rule cannot claim a fix its examples do not show.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal

from lora_lint import codes
from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.extract.types import ExtractedConfig, Located, ModelRef, Unresolved
from lora_lint.match.peft_semantics import Injection, PeftOptions
from lora_lint.match.tools import not_modelled
from lora_lint.match.verdicts import ConfigVerdict, EntryVerdict, judge
from lora_lint.models.inventory import ModelInventory
from lora_lint.models.resolve import ResolutionFailure, ResolvedModel

#: A fix's applicability, as in :class:`lora_lint.diagnostics.Fix`, or "none".
FixKind = Literal["safe", "unsafe", "none"]


@dataclass(frozen=True)
class Example:
    """A small input file for the docs and tests.

    ``filename`` decides the front end (``train.py``, ``config.yaml``, ...);
    for INVALID examples ``expect`` lists the (line, column) of every finding
    of this rule, in order.
    """

    code: str
    filename: str = "train.py"
    expect: tuple[tuple[int, int], ...] = ()
    #: Substring the first finding's message must contain.
    message: str | None = None
    #: ``--model`` for the example when the snippet itself names none.
    model: str | None = None
    #: Findings of *other* rules the example also produces, as (code, line, column): the
    #: tests compare the whole pipeline's output, so an example cannot hide a wrong finding.
    also: tuple[tuple[str, int, int], ...] = ()
    #: The whole file after ``lora-lint check --fix`` applied this rule's fixes (None: the
    #: rule offers no fix for this example, and the tests check that ``--fix`` changes nothing).
    fixed: str | None = None
    #: Which ``--fix`` applies ``fixed``: "safe" (``--fix``) or "unsafe" (``--unsafe-fixes``
    #: too); "none" when there is no fixed text.
    fix: FixKind = "none"


def Valid(
    code: str,
    filename: str = "train.py",
    model: str | None = None,
    also: Iterable[tuple[str, int, int]] = (),
) -> Example:
    return Example(inspect.cleandoc(code) + "\n", filename, (), None, model, tuple(also))


def Invalid(
    code: str,
    expect: Iterable[tuple[int, int]],
    filename: str = "train.py",
    message: str | None = None,
    model: str | None = None,
    also: Iterable[tuple[str, int, int]] = (),
    fixed: str | None = None,
    fix: Literal["safe", "unsafe"] = "safe",
) -> Example:
    """An example the rule flags at ``expect``; ``fixed`` is the file after ``--fix``
    (dedented like ``code``), ``fix="unsafe"`` when only ``--unsafe-fixes`` applies it."""
    return Example(
        inspect.cleandoc(code) + "\n",
        filename,
        tuple(expect),
        message,
        model,
        tuple(also),
        None if fixed is None else inspect.cleandoc(fixed) + "\n",
        "none" if fixed is None else fix,
    )


def fix_of(examples: Iterable[Example]) -> str:
    """A rule's fix applicability, derived from its INVALID examples' fixed texts.

    "none" when no example is fixed, "safe" or "unsafe" when every fixed example agrees,
    "mixed" when some fixes are safe and others unsafe.
    """
    kinds = {e.fix for e in examples if e.fixed is not None}
    if not kinds:
        return "none"
    return kinds.pop() if len(kinds) == 1 else "mixed"


@dataclass
class ConfigContext:
    """Everything rules know about one extracted config."""

    config: ExtractedConfig
    model_ref: ModelRef | None = None
    resolution: ResolvedModel | ResolutionFailure | None = None
    inventory: ModelInventory | None = None
    #: Why the inventory could not be built (the model resolved but transformers failed).
    inventory_error: str | None = None
    options: PeftOptions = field(default_factory=PeftOptions)
    _verdict: ConfigVerdict | None = field(default=None, repr=False)
    #: The run's cache directory (None: caching disabled), for data derived from libraries.
    cache_dir: Path | None = None

    @property
    def injection(self) -> Injection | None:
        """What get_peft_model would do with the whole config (None when the model, the
        method or any matching option is unknown: then nothing is claimed about it)."""
        if not self.fully_known or self.verdict is None:
            return None
        return self.verdict.injection

    @property
    def verdict(self) -> ConfigVerdict | None:
        """Every entry's status from the one PEFT model (None: not judged).

        None when the model or the targets are unknown, or the PEFT method is one lora-lint
        does not model: such configs are never judged with LoRA's rules.
        """
        if self.inventory is None or isinstance(self.config.target_modules, Unresolved):
            return None
        if self.not_judged is not None:
            return None
        if self._verdict is None:
            self._verdict = judge(self.options, self.inventory, self.config.facts.tool)
        return self._verdict

    def entries(self, option: str = "target_modules") -> Iterator[tuple[Located, EntryVerdict]]:
        """(written item, verdict) for each entry of ``option`` that has a verdict."""
        verdict = self.verdict
        if verdict is None:
            return
        verdicts = {
            "target_modules": verdict.targets,
            "target_parameters": verdict.target_parameters,
            "modules_to_save": verdict.modules_to_save,
            "exclude_modules": verdict.exclude_modules,
        }[option]
        value = self.config.options.get(option)
        if not isinstance(value, Located):
            return
        # The judged options keep only the string entries (see ``options_of``), in order.
        written = [value] if isinstance(value.value, str) else string_items(value)
        by_index = {v.index: v for v in verdicts}
        for index, item in enumerate(written):
            found = by_index.get(index)
            if found is not None and found.entry == str(item.value):
                yield item, found

    @property
    def not_judged(self) -> str | None:
        """Why PEFT's semantics do not decide this config (None: they do).

        The training tool does not run it (``inert``), or picks the targets itself: its
        own default list, its own ``all`` expansion (LLaMA-Factory's ``all`` is not PEFT's
        ``all-linear`` on MoE models), a regex from its own flags.
        """
        facts = self.config.facts
        for reason in (facts.inert, facts.tool_expands_targets, facts.all_means, facts.not_judged):
            if reason:
                return reason
        if facts.implicit_target_modules is not None and self.config.target_modules is None:
            return "the tool chooses the targets"
        if facts.partial and not {"target_modules", "target_parameters"} & set(self.config.options):
            return (
                "options are passed with ** or * that lora-lint cannot read, "
                "and the targets may be among them"
            )
        if self.inventory is not None:
            if not self.inventory.exact_shapes and self.config.options.get("target_parameters"):
                return (
                    f"the parameters of {self.inventory.class_name} are not all static, "
                    "and target_parameters names parameters"
                )
            return not_modelled(facts.tool, self.inventory)
        return None

    @property
    def fully_known(self) -> bool:
        """Every entry of the matching options is a known value (claims about the whole
        config, such as "PEFT raises", need all of them)."""
        for name in ("target_modules", "exclude_modules", "modules_to_save", "target_parameters"):
            value = self.config.options.get(name)
            if isinstance(value, Unresolved):
                return False
            if isinstance(value, Located) and any(
                isinstance(v, Unresolved)
                or (isinstance(v, Located) and not isinstance(v.value, str))
                for v in value.items
            ):
                return False  # unknown or non-string entries: PEFT's reaction is not modelled
        return True

    def span_of(self, option: str) -> Span:
        """Where an option's value is written (falls back to the key, then the config)."""
        value = self.config.options.get(option)
        if value is not None:
            return value.span
        return self.config.key_spans.get(option, self.config.span)

    def path_of(self, option: str) -> str | None:
        value = self.config.options.get(option)
        return value.path if value is not None else None

    @property
    def model_id(self) -> str | None:
        if isinstance(self.resolution, ResolvedModel):
            return self.resolution.model_id
        return self.model_ref.name if self.model_ref else None

    @property
    def listing_hint(self) -> str:
        """How the user sees every module name: ``inspect`` for a Hugging Face model, the
        names themselves for a module class of the linted code (``inspect`` cannot build it)."""
        local = self.model_ref.local if self.model_ref else None
        if local is not None and self.inventory is not None:
            names = self.inventory.wrappable_leaf_names
            shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
            return f"The modules LoRA can wrap in {local.class_name} are named: {shown or 'none'}"
        return f"Run `lora-lint inspect {self.model_id}` to list the real module names"

    @property
    def model_label(self) -> str:
        """``meta-llama/Llama-3.1-8B (LlamaForCausalLM)`` for messages."""
        name = self.model_id or "the model"
        local = self.model_ref.local if self.model_ref else None
        if local is not None:
            return f"{local.class_name} ({local.what} at line {local.line})"
        if self.inventory is not None:
            return f"{name} ({self.inventory.class_name})"
        return name

    def option_key(self, field_name: str) -> str:
        """The key as the user wrote it (``lora_target`` for LLaMA-Factory's targets)."""
        return self.config.option_keys.get(field_name, field_name)


class Rule:
    """Base class of every rule; subclasses set the class attributes and ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    #: One line, shown in the rule table and SARIF ``shortDescription``.
    summary: ClassVar[str]
    #: "safe", "unsafe", "mixed" or "none": which ``--fix`` mode applies this rule's fixes.
    #: Derived from the INVALID examples' ``fixed`` texts (:func:`fix_of`), never declared.
    fix: ClassVar[str] = "none"
    VALID: ClassVar[list[Example]] = []
    INVALID: ClassVar[list[Example]] = []

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Every rule declares a code registered in :mod:`lora_lint.codes`, with its name;
        whether it fixes (``fix``) is derived from its INVALID examples, never declared."""
        super().__init_subclass__(**kwargs)
        code = getattr(cls, "code", None)
        if code is not None and codes.NAMES.get(code) != getattr(cls, "name", None):
            raise TypeError(f"{cls.__name__}: {code} is not registered in lora_lint.codes")
        if "fix" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__}.fix is derived from its INVALID examples: give the example "
                "whose finding is fixed its `fixed=` text instead of declaring `fix`"
            )
        cls.fix = fix_of(cls.INVALID)

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        return iter(())

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    def finding(
        self,
        ctx: ConfigContext,
        span: Span,
        message: str,
        *,
        target: str | None = None,
        suggestion: Iterable[str] = (),
        help: str | None = None,
        path: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            path=path or ctx.config.path,
            span=span,
            message=message,
            target=target,
            suggestion=tuple(suggestion),
            model=ctx.model_id,
            help=help,
            location_hint=ctx.config.location_hint,
        )


def string_items(value: Located | Unresolved | None) -> list[Located]:
    """The string elements of a list/tuple/set value, with their spans."""
    if not isinstance(value, Located):
        return []
    return [v for v in value.items if isinstance(v, Located) and isinstance(v.value, str)]


def short_list(names: Iterable[str], limit: int = 4) -> str:
    items = list(names)
    shown = ", ".join(repr(n) for n in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


#: ``ExtractedConfig.source`` of the generic YAML/JSON reader (the file kind): any mapping
#: with ``target_modules``, which some script of the repository may or may not pass to
#: ``LoraConfig(**d)`` unchanged.
GENERIC_SOURCES = frozenset({"yaml", "json"})


def read_by_unknown_script(config: ExtractedConfig) -> bool:
    """The config comes from hand-written YAML/JSON that no modelled tool reads.

    What the script does with a value before PEFT sees it (split a comma string, run one
    job per list entry) is unknown: a claim that depends on it is no proof.
    """
    return config.source in GENERIC_SOURCES and not config.facts.tool
