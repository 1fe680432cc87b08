"""LL016 inert-lora-config."""

from __future__ import annotations

from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid


class InertLoraConfig(Rule):
    """
    ## What it does
    Points out LoRA settings that the training tool will not use at all: axolotl
    without `adapter: lora|qlora`, LLaMA-Factory with `finetuning_type: full` or
    `freeze`, TRL or Oumi without `use_peft: true`, H2O LLM Studio with
    `training.lora: false`, MLX-LM with `fine_tune_type: full`, Unsloth Studio
    with `training.training_type: full`, unsloth's `get_peft_model` on a model
    loaded with `full_finetuning=True` (it returns the model unchanged), and configs that
    resume a saved adapter (`lora_model_dir`, `adapter_name_or_path`), whose own
    `adapter_config.json` decides the targets.

    ## Why is this bad?
    The run trains something else than the file suggests (often the full model),
    and edits to the `lora_*` keys silently change nothing.

    ## Fix
    Turn the adapter on (`adapter: lora`, `use_peft: true`, ...) or delete the
    unused `lora_*` keys.
    """

    code = "LL016"
    name = "inert-lora-config"
    severity = Severity.INFO
    summary = "LoRA settings that the training tool ignores (LoRA is switched off)"

    VALID = [
        Valid(
            """
            base_model: Qwen/Qwen2.5-0.5B
            adapter: lora
            lora_r: 16
            lora_target_modules: [q_proj, v_proj]
            """,
            filename="axolotl.yaml",
        ),
    ]
    INVALID = [
        Invalid(
            """
            model_name_or_path: Qwen/Qwen2.5-0.5B
            stage: sft
            finetuning_type: full
            lora_target: q_proj,v_proj
            """,
            expect=[(4, 1)],
            filename="llamafactory.yaml",
            message="finetuning_type is full",
        ),
        Invalid(
            """
            model_name_or_path: Qwen/Qwen2.5-0.5B
            use_peft: false
            lora_target_modules: [q_proj, v_proj]
            """,
            expect=[(2, 1)],
            filename="sft.yaml",
            message="use_peft",
        ),
        Invalid(
            """
            from unsloth import FastLanguageModel

            model, tokenizer = FastLanguageModel.from_pretrained(
                "unsloth/Qwen2.5-0.5B", full_finetuning=True
            )
            model = FastLanguageModel.get_peft_model(model, r=16, target_modules=["q_proj"])
            """,
            expect=[(4, 29)],
            message="full_finetuning=True",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        reason = ctx.config.facts.inert
        if not reason:
            return
        yield self.finding(
            ctx,
            _anchor(ctx),
            f"these LoRA settings have no effect: {reason}",
            help="switch LoRA on where the tool decides it, or remove the LoRA settings so the "
            "file says what trains",
        )


def _anchor(ctx: ConfigContext) -> Span:
    """The switch key when the adapter recorded it, else the targets' key, else the first key."""
    config = ctx.config
    switch = config.facts.switch_span
    if switch is not None:
        return switch
    spans = config.key_spans
    if "target_modules" in spans:
        return spans["target_modules"]
    if spans:
        return min(spans.values())
    return Span.point(config.span.line, config.span.column)
