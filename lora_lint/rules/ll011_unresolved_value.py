"""LL011 unresolved-value."""

from __future__ import annotations

from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.extract.types import Unresolved, Value
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid

#: Options whose value decides what lora-lint checks (targets and what filters them).
CHECKED_OPTIONS = frozenset(
    {
        "target_modules",
        "exclude_modules",
        "modules_to_save",
        "layers_to_transform",
        "layers_pattern",
        "rank_pattern",
        "alpha_pattern",
        "target_parameters",
        "task_type",
        "feedforward_modules",
        "bias",
    }
)
#: Options only checked when the adapter wraps parameters (PEFT's ParamWrapper limits).
PARAMETER_OPTIONS = frozenset({"lora_dropout", "use_dora", "fan_in_fan_out", "lora_bias"})


class UnresolvedValue(Rule):
    """
    ## What it does
    Reports a config value lora-lint cannot evaluate without running the code:
    command-line arguments, environment variables, function calls, values that
    differ between branches. lora-lint never guesses, so the entries behind such a
    value are not checked. Only values that decide a check are reported (targets,
    exclusions, `modules_to_save`, layer selection, patterns, `task_type`, a
    `**kwargs` that may hide them; `lora_dropout`/DoRA only when parameters are
    wrapped): an unknown `r=args.lora_r` changes no verdict.

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
            import argparse
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            TARGETS = ["q_proj", "k_proj"] + ["v_proj", "o_proj"]
            args = argparse.ArgumentParser().parse_args()
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(r=args.rank, lora_alpha=args.alpha, target_modules=TARGETS)
            model = get_peft_model(model, config)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import argparse
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            args = argparse.ArgumentParser().parse_args()
            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=args.lora_target_modules.split(","))
            model = get_peft_model(model, config)
            """,
            expect=[(7, 36)],
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        owners = _owners(ctx)
        for value in ctx.config.unresolved:
            option = owners.get(value)
            if option is not None and not _matters(ctx, option):
                continue
            text = f" ({value.text})" if value.text else ""
            yield self.finding(
                ctx,
                value.span,
                f"cannot evaluate this value statically{text}: {value.reason}",
                help="the entries it holds were not checked; use a literal or a module-level "
                "constant, or suppress with `# lora-lint: ignore[LL011]`",
                path=value.path,
            )


def _walk(value: Value) -> list[Unresolved]:
    if isinstance(value, Unresolved):
        return [value]
    if isinstance(value.value, list):
        return [u for item in value.value for u in _walk(item)]
    if isinstance(value.value, dict):
        return [u for item in value.value.values() for u in _walk(item)]
    return []


def _owners(ctx: ConfigContext) -> dict[Unresolved, str]:
    """Each unresolved value -> the option whose value contains it.

    Keyed by value, not identity: an extraction read back from the file cache holds
    equal copies, and a warm run must report exactly what a cold one does.
    """
    owners: dict[Unresolved, str] = {}
    for name, value in ctx.config.options.items():
        for unresolved in _walk(value):
            owners.setdefault(unresolved, name)
    return owners


def _matters(ctx: ConfigContext, option: str) -> bool:
    """Whether an unknown value for ``option`` hides something lora-lint would check.

    ``r=args.lora_r`` changes no verdict (only the cost estimate), so reporting it on
    every argparse-driven script would be noise; an unknown target list, exclusion or
    layer selection hides exactly what the linter is for.
    """
    if option in CHECKED_OPTIONS or option not in ctx.config.options:
        return True
    if option in PARAMETER_OPTIONS:
        injection = ctx.injection
        return bool(injection and (injection.targeted_parameters or injection.moved_to_parameters))
    return False
