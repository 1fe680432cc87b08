"""LL009 peft-runtime-conflict."""

from __future__ import annotations

from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.extract.types import Located
from lora_lint.match.outcomes import PeftOutcome
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid, string_items

#: Injection errors this rule explains (the others belong to LL001-LL007).
_KINDS = frozenset(
    {
        PeftOutcome.FUSED_PAIR,
        PeftOutcome.PARAM_WRAPPER,
        PeftOutcome.PARAM_DIMS,
        PeftOutcome.BIAS_LORA,
        PeftOutcome.NO_DEFAULTS,
        PeftOutcome.MHA_UNEQUAL_DIMS,
        PeftOutcome.MAMBA_INCOMPATIBLE,
        PeftOutcome.PARAMETER_OF_TARGETED_MODULE,
        PeftOutcome.TOP_LEVEL_PARAMETER,
        PeftOutcome.REGEX_INVALID,
        PeftOutcome.NO_TARGETS,
    }
)

_WRAPPER_OPTIONS = (
    ("lora_dropout != 0", "lora_dropout", "set lora_dropout=0"),
    ("fan_in_fan_out", "fan_in_fan_out", "remove fan_in_fan_out"),
    ("lora_bias=True", "lora_bias", "remove lora_bias"),
    ("use_dora=True", "use_dora", "remove use_dora (DoRA is not available for parameter targets)"),
)


class PeftRuntimeConflict(Rule):
    """
    ## What it does
    Reports combinations PEFT accepts when the config is built but rejects while
    injecting the adapter: parameter targets (`target_parameters`, including those the
    transformers-5 MoE rewrite creates from `w1`/`w3` or `gate_proj`/`up_proj` on
    Mixtral, Qwen3-MoE, DeepSeek-V3, OLMoE...) with `lora_dropout != 0`, DoRA,
    `fan_in_fan_out` or `lora_bias`; half of a fused expert pair; `bias="lora"`; a
    model type without default targets when `target_modules` is omitted; LoRA on a
    `MultiheadAttention` with unequal q/k/v dimensions or on Mamba mixers.

    ## Why is this bad?
    These fail inside `get_peft_model`, after the model has been downloaded and loaded
    on the GPU. The common QLoRA recipe `all-linear` + `lora_dropout=0.05` fails this
    way on Mixtral and Qwen3-MoE under transformers 5.

    ## Fix
    Follow the message: set `lora_dropout=0` for parameter targets, target both halves
    of a fused pair, name `target_modules` explicitly, use `bias="lora_only"`.
    """

    code = "LL009"
    name = "peft-runtime-conflict"
    severity = Severity.ERROR
    summary = "A combination PEFT rejects only while injecting the adapter"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("mistralai/Mixtral-8x7B-v0.1")
            config = LoraConfig(target_modules="all-linear", lora_dropout=0.0)
            model = get_peft_model(model, config)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("mistralai/Mixtral-8x7B-v0.1")
            config = LoraConfig(target_modules="all-linear", lora_dropout=0.05)
            model = get_peft_model(model, config)
            """,
            expect=[(5, 63)],
            message="lora_dropout",
        ),
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("mistralai/Mixtral-8x7B-v0.1")
            config = LoraConfig(target_modules=["q_proj", "w1", "w2"], lora_dropout=0.0)
            model = get_peft_model(model, config)
            """,
            expect=[(5, 47)],
            message="w3",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        injection = ctx.injection
        if injection is None or injection.error not in _KINDS:
            return
        target = ctx.config.target_modules
        if (
            injection.error is PeftOutcome.REGEX_INVALID
            and isinstance(target, Located)
            and isinstance(target.value, str)
        ):
            return  # LL003 reports the target regex itself
        model = ctx.model_label
        moved = injection.moved_to_parameters
        rewrite = (
            f"on {model}, PEFT's transformers-5 MoE rewrite moves "
            f"{', '.join(repr(k) for k in moved)} into target_parameters "
            f"({', '.join(sorted(set(moved.values())))}); "
            if moved
            else ""
        )
        if injection.error is PeftOutcome.PARAM_WRAPPER:
            for needle, option, fix in _WRAPPER_OPTIONS:
                if injection.message and needle in injection.message:
                    yield self._at(
                        ctx,
                        option,
                        f"{rewrite}{injection.message} (PEFT raises this in get_peft_model)",
                        fix,
                    )
                    return
        if injection.error is PeftOutcome.FUSED_PAIR:
            span, path = _entry_span(ctx, set(moved))
            yield self.finding(
                ctx,
                span,
                f"{injection.message} ({model}: PEFT's transformers-5 MoE rewrite fuses the "
                "expert projections)",
                help="target both halves of the fused pair, or neither",
                path=path,
            )
            return
        if injection.error is PeftOutcome.BIAS_LORA:
            yield self._at(
                ctx,
                "bias",
                "bias='lora' passes LoraConfig but get_peft_model raises "
                "'Requested bias: lora, is not implemented.'",
                "use bias='lora_only'",
            )
            return
        if injection.error is PeftOutcome.NO_DEFAULTS:
            yield self.finding(
                ctx,
                ctx.config.key_spans.get("target_modules", ctx.config.span),
                f"target_modules is not set and PEFT has no default targets for "
                f"model_type {ctx.inventory.model_type if ctx.inventory else '?'!r}: "
                "get_peft_model raises 'Please specify `target_modules` or `target_parameters`'",
                help="name the targets explicitly, e.g. 'all-linear' or a list",
            )
            return
        span, path = _entry_span(ctx, set())
        yield self.finding(
            ctx,
            span,
            f"{rewrite}{injection.message} (raised by get_peft_model on {model})",
            path=path,
        )

    def _at(self, ctx: ConfigContext, option: str, message: str, fix: str) -> Finding:
        if option in ctx.config.options:
            span, path = ctx.span_of(option), ctx.path_of(option)
        else:
            span, path = _entry_span(ctx, set())
        return self.finding(ctx, span, message, help=fix, path=path)


def _entry_span(ctx: ConfigContext, prefer: set[str]) -> tuple[Span, str | None]:
    """The first target entry among ``prefer`` (else the whole value, else the config)."""
    target = ctx.config.target_modules
    for item in string_items(target):
        if str(item.value) in prefer:
            return item.span, item.path
    if isinstance(target, Located):
        return target.span, target.path
    return ctx.config.span, None
