"""LL019 catastrophic-regex."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.extract.types import ExtractedConfig, Located
from lora_lint.match.regex_guard import catastrophic_reason
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid

#: Options PEFT matches as a regex: the whole string (``target_modules``, ``exclude_modules``)
#: or each entry/key inside PEFT's own wrapper pattern.
_WHOLE_STRING = ("target_modules", "exclude_modules")
_ENTRIES = ("layers_pattern", "modules_to_save")
_KEYS = ("rank_pattern", "alpha_pattern")


@dataclass(frozen=True)
class RegexHazard:
    """One pattern of a config that backtracks exponentially, and where it is written."""

    option: str
    pattern: str
    reason: str
    span: Span
    path: str | None


def regex_hazards(config: ExtractedConfig) -> list[RegexHazard]:
    """Every pattern of ``config`` that PEFT would run and that backtracks exponentially.

    The engine asks this before matching: a config with a hazard is not matched against
    its model at all (lora-lint would hang exactly like PEFT).
    """
    found: list[RegexHazard] = []

    def add(option: str, value: object, span: Span, path: str | None) -> None:
        if isinstance(value, str):
            reason = catastrophic_reason(value)
            if reason is not None:
                found.append(RegexHazard(option, value, reason, span, path))

    for option in _WHOLE_STRING:
        value = config.options.get(option)
        if isinstance(value, Located) and isinstance(value.value, str):
            add(option, value.value, value.span, value.path)
    for option in _ENTRIES:
        value = config.options.get(option)
        if not isinstance(value, Located):
            continue
        if isinstance(value.value, str):
            add(option, value.value, value.span, value.path)
        for item in value.items:
            if isinstance(item, Located):
                add(option, item.value, item.span, item.path or value.path)
    for option in _KEYS:
        value = config.options.get(option)
        if isinstance(value, Located) and isinstance(value.value, dict):
            spans = value.key_spans or {}
            for key in value.value:
                add(option, key, spans.get(key, value.span), value.path)
    return found


class CatastrophicRegex(Rule):
    """
    ## What it does
    Reports a regular expression in a LoRA config that backtracks exponentially:
    a string `target_modules` or `exclude_modules`, a `layers_pattern` or
    `modules_to_save` entry, or a `rank_pattern`/`alpha_pattern` key. The check is
    static: lora-lint proves that a repeated part of the pattern can match the same
    text in several ways (`(\\w+\\.?)*` matches `ab` as one iteration or as two)
    without ever running the pattern on a module name. The config is then not
    matched against its model.

    ## Why is this bad?
    PEFT runs these patterns with Python's backtracking `re` against every module
    name. On a name the pattern does not match, it tries every way to split the name
    into iterations: the time doubles with each character (about half a second for a
    31-character name such as `model.layers.0.self_attn.q_proj`, minutes for 40), and it is
    paid for every module of the model, so `get_peft_model` does not return.

    ## Fix
    Repeat something that can match in only one way, such as `(?:\\w+\\.)*` (the dot
    ends each iteration), or use a list of module names instead of a regex.
    """

    code = "LL019"
    name = "catastrophic-regex"
    severity = Severity.ERROR
    summary = "A regex in the config backtracks exponentially; PEFT would hang matching it"

    VALID = [
        Valid(
            r"""
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=r"(?:\w+\.)*(q_proj|v_proj)")
            model = get_peft_model(model, config)
            """
        ),
    ]
    INVALID = [
        Invalid(
            r"""
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=r"(\w+\.?)*\.q_projX")
            model = get_peft_model(model, config)
            """,
            expect=[(5, 36)],
            message="backtracks exponentially",
        ),
        Invalid(
            """
            {
              "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",
              "peft_type": "LORA",
              "target_modules": ["q_proj", "v_proj"],
              "exclude_modules": "(a|a)*b"
            }
            """,
            filename="adapter_config.json",
            expect=[(5, 22)],
            message="backtracks exponentially",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        for hazard in regex_hazards(ctx.config):
            key = ctx.option_key(hazard.option)
            yield self.finding(
                ctx,
                hazard.span,
                f"{key}={hazard.pattern!r} backtracks exponentially: {hazard.reason}; "
                "PEFT runs it on every module name and would hang",
                target=hazard.pattern,
                help="make each repetition match in one way only (e.g. '(?:\\w+\\.)*' "
                "instead of '(\\w+\\.?)*') or list the module names; this config was not "
                "checked against its model",
                path=hazard.path,
            )
