"""LL007 ineffective-exclude."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from lora_lint.diagnostics import Finding, Severity
from lora_lint.extract.types import Located
from lora_lint.match.outcomes import PeftOutcome
from lora_lint.match.peft_semantics import simulate
from lora_lint.match.suggest import close_names
from lora_lint.match.verdicts import Status
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid


class IneffectiveExclude(Rule):
    """
    ## What it does
    Checks `exclude_modules` (a list matches exact names or dot-bounded suffixes; a
    string is a regex that must fully match a module name). An entry that excludes no
    module that would otherwise be adapted is a warning; exclusions that leave nothing
    to adapt are an error, because `get_peft_model` then raises.

    ## Why is this bad?
    A misspelled exclusion silently keeps LoRA on the layers you meant to spare (often
    the vision tower or the last layers), changing what trains and its memory cost.

    ## Fix
    Use a real module name or suffix (the message suggests one), or drop the entry.
    """

    code = "LL007"
    name = "ineffective-exclude"
    severity = Severity.WARNING
    summary = "An exclude_modules entry excludes nothing, or exclusions leave nothing to adapt"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules="all-linear", exclude_modules=["down_proj"])
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
            config = LoraConfig(target_modules="all-linear", exclude_modules=["down_prj"])
            model = get_peft_model(model, config)
            """,
            expect=[(5, 67)],
            message="excludes nothing",
        ),
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=["q_proj"], exclude_modules=["q_proj"])
            model = get_peft_model(model, config)
            """,
            expect=[(5, 64)],
            message="nothing",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        inventory = ctx.inventory
        injection = ctx.injection
        value = ctx.config.options.get("exclude_modules")
        if inventory is None or injection is None or not isinstance(value, Located):
            return
        if (
            injection.error in (PeftOutcome.ALL_EXCLUDED, PeftOutcome.NONE_TARGETED)
            and injection.excluded
        ):
            without = simulate(replace(ctx.options, exclude_modules=None), inventory)
            if not without.error:
                yield self.finding(
                    ctx,
                    value.span,
                    f"`{ctx.option_key('exclude_modules')}` excludes every module the targets "
                    f"select on {ctx.model_label}, so nothing is adapted and get_peft_model raises",
                    help="narrow exclude_modules or widen target_modules",
                    path=value.path,
                    severity=Severity.ERROR,
                )
                return
        key = ctx.option_key("exclude_modules")
        leaves = inventory.wrappable_leaf_names
        for item, verdict in ctx.entries("exclude_modules"):
            entry = verdict.entry
            if verdict.status is Status.INVALID:
                yield self.finding(
                    ctx,
                    item.span,
                    f"{key}={entry!r} is not a valid regex ({verdict.detail})",
                    target=entry,
                    path=item.path,
                    severity=Severity.ERROR,
                )
                continue
            if verdict.status is not Status.NOTHING:
                continue
            regex = isinstance(value.value, str)
            suggestion = [] if regex else close_names(entry, leaves)
            yield self._nothing(ctx, item, entry, bool(verdict.named), suggestion)

    def _nothing(
        self, ctx: ConfigContext, item: Located, entry: str, exists: bool, suggestion: list[str]
    ) -> Finding:
        why = (
            "the modules it names would not be adapted anyway"
            if exists
            else f"no module of {ctx.model_label} matches it"
        )
        return self.finding(
            ctx,
            item.span,
            f"{ctx.option_key('exclude_modules')} entry {entry!r} excludes nothing: {why}",
            target=entry,
            suggestion=suggestion,
            help="list entries match exact names or dot-bounded suffixes; a string must "
            "fully match a module name",
            path=item.path,
        )
