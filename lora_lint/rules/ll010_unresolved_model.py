"""LL010 unresolved-model."""

from __future__ import annotations

from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.models.resolve import ResolutionFailure
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid


class UnresolvedModel(Rule):
    """
    ## What it does
    Reports a LoRA config whose base model lora-lint could not find or build, so
    its targets could not be checked against real module names. The message says
    why (no model in the code, a path that does not exist, a gated repo without a
    token, the Hub offline, custom model code that is never run without
    `--trust-remote-code`, ...).

    ## Why is this bad?
    An unchecked config is exactly where a typo slips through. The other checks
    that need no model (regex syntax, comma-joined strings) still run.

    ## Fix
    Pass `--model ID_OR_PATH`, set `default-model` or map the name to a local
    `config.json` in `[tool.lora-lint] models`, or use a model id lora-lint bundles.
    """

    code = "LL010"
    name = "unresolved-model"
    severity = Severity.WARNING
    summary = "The base model could not be resolved or built, so targets were not checked"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-v0.1")
            config = LoraConfig(target_modules=["q_proj", "v_proj"])
            model = get_peft_model(model, config)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("./checkpoints/does-not-exist")
            config = LoraConfig(target_modules=["q_proj", "v_proj"])
            model = get_peft_model(model, config)
            """,
            expect=[(4, 46)],
            message="does not exist",
        ),
        Invalid(
            """
            from peft import LoraConfig

            config = LoraConfig(target_modules=["q_proj", "v_proj"])
            """,
            expect=[(3, 10)],
            message="no base model",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        config = ctx.config
        if ctx.model_ref is None and config.notes.get("applied_to"):
            return  # a module class of the linted code: no Hugging Face model to check
        if ctx.model_ref is None:
            yield self.finding(
                ctx,
                config.span,
                "no base model found for this config, so its targets were not checked",
                help="lora-lint checks a config against the model the code applies it to "
                "(get_peft_model(model, config), a trainer's model= and peft_config=); "
                "pass --model ID_OR_PATH or set `default-model` in [tool.lora-lint] "
                "to name it",
            )
            return
        span = (
            ctx.model_ref.span
            if ctx.model_ref.span
            and ctx.model_ref.source_path
            in (
                None,
                config.path,
            )
            else config.span
        )
        if isinstance(ctx.resolution, ResolutionFailure):
            yield self.finding(
                ctx,
                span,
                f"cannot resolve base model {ctx.model_ref.name!r}: {ctx.resolution.reason}",
                help=ctx.resolution.hint or None,
            )
        elif ctx.inventory_error:
            yield self.finding(
                ctx,
                span,
                f"cannot build base model {ctx.model_id!r} on the meta device: "
                f"{ctx.inventory_error}",
                help="targets of this config were not checked; map the name to a "
                "supported config.json with `[tool.lora-lint] models`",
            )
