"""LL002 unsupported-target-module."""

from __future__ import annotations

from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.match.methods import (
    SIZES_SHARED_MATRICES,
    UNSUPPORTED_WORDING,
    can_wrap,
    method_name,
    supported_label,
)
from lora_lint.match.outcomes import PeftOutcome
from lora_lint.match.verdicts import Status
from lora_lint.models.inventory import ModelInventory, ModuleInfo
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid


class UnsupportedTargetModule(Rule):
    """
    ## What it does
    Flags a `target_modules` entry (or regex) that selects a module the PEFT method
    cannot wrap: a container such as `self_attn` or `mlp`, a norm, a dropout, an
    activation, an MoE router. LoRA wraps `torch.nn.Linear`, `Embedding`,
    `Conv1d/2d/3d`, transformers' `Conv1D` and `MultiheadAttention`; LoHa/LoKr,
    IA3, VeRA, OFT and BOFT support fewer types.

    ## Why is this bad?
    `get_peft_model` raises `Target module ... is not supported` after the model's
    weights are loaded, often on a GPU node, minutes into the job.

    ## Fix
    Target the Linear layers inside the container instead (the message lists them).
    """

    code = "LL002"
    name = "unsupported-target-module"
    severity = Severity.ERROR
    summary = "A target matches modules the PEFT method cannot wrap (containers, norms, ...)"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=["gate_proj", "up_proj", "down_proj"])
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
            config = LoraConfig(target_modules=["self_attn", "mlp"])
            model = get_peft_model(model, config)
            """,
            expect=[(5, 37), (5, 50)],
            message="cannot wrap",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        inventory = ctx.inventory
        if inventory is None:
            return
        for item, verdict in ctx.entries():
            if verdict.status is Status.UNSUPPORTED and verdict.raises is PeftOutcome.UNSUPPORTED:
                yield self._finding(
                    ctx, item.span, verdict.entry, list(verdict.unsupported), inventory, item.path
                )

    def _finding(
        self,
        ctx: ConfigContext,
        span: Span,
        entry: str,
        bad: list[ModuleInfo],
        inventory: ModelInventory,
        path: str | None,
    ) -> Finding:
        classes = list(dict.fromkeys(m.cls for m in bad))
        first = bad[0]
        children = _wrappable_children(bad, inventory, ctx.options.peft_type)
        method = method_name(ctx.options.peft_type)
        message = (
            f"{entry!r} selects {len(bad)} {'/'.join(classes)} module"
            f"{'s' if len(bad) != 1 else ''} of {ctx.model_label} (e.g. {first.name}), "
            f"which {method} cannot wrap"
        )
        peft_type = ctx.options.peft_type.upper()
        if peft_type in SIZES_SHARED_MATRICES:
            # which error comes first depends on the layer classes PEFT finds for the matches
            raised = "PEFT raises at injection"
        elif peft_type in UNSUPPORTED_WORDING:
            raised = f"PEFT raises '{UNSUPPORTED_WORDING[peft_type]}' at injection"
        else:
            raised = f"PEFT raises 'Target module {first.cls}(...) is not supported' at injection"
        help_text = f"{raised}; {method} wraps only {supported_label(ctx.options.peft_type)}"
        if children:
            help_text += f". Target the layers inside instead: {', '.join(children)}"
        return self.finding(
            ctx, span, message, target=entry, suggestion=children, help=help_text, path=path
        )


def _wrappable_children(
    bad: list[ModuleInfo], inventory: ModelInventory, peft_type: str
) -> list[str]:
    prefixes = tuple(m.name + "." for m in bad)
    seen: dict[str, None] = {}
    for module in inventory.modules:
        if module.name.startswith(prefixes) and can_wrap(module, peft_type):
            seen.setdefault(module.leaf, None)
    return list(seen)
