"""LL003 regex-target-no-match."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.extract.types import Located
from lora_lint.match import regex_guard
from lora_lint.match.peft_semantics import is_all_linear
from lora_lint.match.verdicts import Status
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid, read_by_unknown_script

_NAME_LIST = re.compile(r"^\s*[\w.\-]+(\s*,\s*[\w.\-]+)+\s*,?\s*$")
_BARE_NAME = re.compile(r"^[A-Za-z_][\w]*$")


class RegexTargetNoMatch(Rule):
    """
    ## What it does
    Checks a `target_modules` given as a *string*. PEFT treats a string (other than
    `"all-linear"`) as a regular expression that must `re.fullmatch` a module's
    **full** name, such as `model.layers.0.self_attn.q_proj`. The rule reports a
    pattern that matches no module, that is not a valid regex, or that is really a
    comma-separated list written as one string (`"q_proj,v_proj"`).

    ## Why is this bad?
    A string that matches nothing makes `get_peft_model` fail after the weights are
    loaded; `"q_proj"` as a string or `"q_proj,v_proj"` (a YAML/CLI habit) never
    match, because no full module name equals them.

    ## Fix
    Use a list (`["q_proj", "v_proj"]`) for names, or a pattern that spans the whole
    name (`".*\\.(q_proj|v_proj)"`).
    """

    code = "LL003"
    name = "regex-target-no-match"
    severity = Severity.ERROR
    summary = "A string target_modules (a regex) matches no full module name or is malformed"

    VALID = [
        Valid(
            r"""
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=r".*\.(q_proj|v_proj)")
            model = get_peft_model(model, config)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules="q_proj,v_proj")
            model = get_peft_model(model, config)
            """,
            expect=[(5, 36)],
            message="comma-separated",
        ),
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules="q_proj")
            model = get_peft_model(model, config)
            """,
            expect=[(5, 36)],
            message="full module name",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        target = ctx.config.target_modules
        if not isinstance(target, Located) or not isinstance(target.value, str):
            return
        pattern = target.value
        if is_all_linear(pattern):
            return
        if read_by_unknown_script(ctx.config) and (
            _NAME_LIST.match(pattern) or _BARE_NAME.match(pattern)
        ):
            # Names written as one string: a script that splits it or wraps it in a list
            # gives PEFT working names, one that passes it on gives PEFT a regex. Which
            # one runs is unknown, so the verdict is no proof.
            return
        key = ctx.option_key("target_modules")
        if _NAME_LIST.match(pattern):
            names = [p.strip() for p in pattern.split(",") if p.strip()]
            yield self.finding(
                ctx,
                target.span,
                f"{key}={pattern!r} is a comma-separated list written as one string; PEFT "
                "reads a string as a single regex over full module names, so it matches nothing",
                target=pattern,
                suggestion=[repr(names)],
                help=f"write a list: {key}={names!r}",
                path=target.path,
            )
            return
        try:
            re.compile(pattern)
        except re.error as exc:
            yield self.finding(
                ctx,
                target.span,
                f"{key}={pattern!r} is not a valid regular expression ({exc})",
                target=pattern,
                help="PEFT compiles a string target with re.fullmatch; fix the pattern "
                "or use a list of names",
                path=target.path,
            )
            return
        inventory = ctx.inventory
        verdict = ctx.verdict
        if inventory is None or verdict is None or not verdict.targets:
            return
        if verdict.targets[0].status is not Status.NOTHING:
            return
        partial = [m.name for m in inventory.modules if regex_guard.search(pattern, m.name)]
        if _BARE_NAME.match(pattern):
            help_text = (
                f"a string is a regex that must match the full module name; to target "
                f"every {pattern!r} write a list: {key}=[{pattern!r}]"
            )
            suggestion = [f"[{pattern!r}]"]
        elif partial:
            help_text = (
                f"it matches only part of names such as {partial[0]!r}; the pattern must "
                f"match the whole name, e.g. '.*{pattern}' or a list of names"
            )
            suggestion = [f".*{pattern}"]
        else:
            sample = next((m.name for m in inventory.modules if m.kind == "linear"), "")
            help_text = f"module names of {ctx.model_label} look like {sample!r}" + (
                f"; run `lora-lint inspect {ctx.model_id}` to see them all"
                if ctx.model_ref is None or ctx.model_ref.local is None
                else f". {ctx.listing_hint}"
            )
            suggestion = []
        yield self.finding(
            ctx,
            target.span,
            f"{key}={pattern!r} fully matches no module name of {ctx.model_label}",
            target=pattern,
            suggestion=suggestion,
            help=help_text,
            path=target.path,
        )
