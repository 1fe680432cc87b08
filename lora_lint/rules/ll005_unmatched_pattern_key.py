"""LL005 unmatched-pattern-key."""

from __future__ import annotations

from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.extract.types import Located
from lora_lint.match.suggest import close_names
from lora_lint.match.verdicts import Status
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid


class UnmatchedPatternKey(Rule):
    """
    ## What it does
    Checks every key of `rank_pattern` and `alpha_pattern`. PEFT matches a key against
    each adapted module (or parameter) name with `re.match(rf"(.*\\.)?({key})$", name)`;
    the first key that matches sets that module's rank or alpha. A key that matches no
    adapted module or parameter changes nothing.

    ## Why is this bad?
    The "extended targeting" recipe (attention at r=16, MLP at r=4) silently becomes
    uniform ranks when a key is misspelled, or names a module that is not targeted.

    ## Fix
    Use a key that ends at a targeted module name, e.g. `mlp.down_proj` or `down_proj`.
    """

    code = "LL005"
    name = "unmatched-pattern-key"
    severity = Severity.ERROR
    summary = "A rank_pattern / alpha_pattern key matches no adapted module or parameter"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(
                r=16,
                target_modules=["q_proj", "v_proj", "down_proj"],
                rank_pattern={"down_proj": 4},
            )
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
            config = LoraConfig(
                r=16,
                target_modules=["q_proj", "v_proj"],
                rank_pattern={"down_proj": 4, "k_porj": 8},
            )
            model = get_peft_model(model, config)
            """,
            expect=[(8, 19), (8, 35)],
            message="matches no adapted module",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        injection = ctx.injection
        verdict = ctx.verdict
        inventory = ctx.inventory
        if injection is None or verdict is None or inventory is None:
            return
        adapted = injection.targeted + injection.targeted_parameters
        leaves = sorted({n.rsplit(".", 1)[-1] for n in adapted})
        for key_verdict in verdict.pattern_keys:
            option, key = key_verdict.option, key_verdict.entry
            value = ctx.config.options.get(option)
            if not isinstance(value, Located):
                continue
            span = (value.key_spans or {}).get(key, value.span)
            if key_verdict.status is Status.INVALID:
                yield self.finding(
                    ctx,
                    span,
                    f"{option} key {key!r} is not a valid regex ({key_verdict.detail})",
                    target=key,
                    path=value.path,
                )
                continue
            if key_verdict.status is not Status.NOTHING:
                continue
            why = (
                "it names modules that are not adapted"
                if key_verdict.named
                else f"no module of {ctx.model_label} ends with it"
            )
            yield self.finding(
                ctx,
                span,
                f"{ctx.option_key(option)} key {key!r} matches no adapted module or "
                f"parameter ({why}), so the default "
                f"{'rank' if option == 'rank_pattern' else 'alpha'} applies",
                target=key,
                suggestion=close_names(key, leaves),
                help=f"adapted modules end with: {', '.join(leaves[:8])}",
                path=value.path,
            )
