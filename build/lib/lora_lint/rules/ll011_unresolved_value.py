"""LL011 unresolved-value."""

from __future__ import annotations

from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid


class UnresolvedValue(Rule):
    """
    ## What it does
    Reports a config value lora-lint cannot evaluate without running the code:
    command-line arguments, environment variables, function calls, values that
    differ between branches. lora-lint never guesses, so the entries behind such a
    value are not checked.

    ## Why is this bad?
    The unchecked value is usually the target list itself, the part most worth
    checking.

    ## Fix
    Move the list into a literal or a module-level constant (an imported constant
    from the same repository works too), or check the launcher/config file that
    supplies it. Suppress with `# lora-lint: ignore[LL011]` when that is not possible.
    """

    code = "LL011"
    name = "unresolved-value"
    severity = Severity.WARNING
    summary = "A config value cannot be evaluated statically and was not checked"

    VALID = [
        Valid(
            """
            from peft import LoraConfig
            from transformers import AutoModelForCausalLM

            TARGETS = ["q_proj", "k_proj"] + ["v_proj", "o_proj"]
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=TARGETS)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import argparse
            from peft import LoraConfig
            from transformers import AutoModelForCausalLM

            args = argparse.ArgumentParser().parse_args()
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=args.lora_target_modules.split(","))
            """,
            expect=[(7, 36)],
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        for value in ctx.config.unresolved:
            text = f" ({value.text})" if value.text else ""
            yield self.finding(
                ctx,
                value.span,
                f"cannot evaluate this value statically{text}: {value.reason}",
                help="the entries it holds were not checked; use a literal or a module-level "
                "constant, or suppress with `# lora-lint: ignore[LL011]`",
                path=value.path,
            )
