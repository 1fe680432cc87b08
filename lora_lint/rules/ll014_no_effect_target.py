"""LL014 no-effect-target."""

from __future__ import annotations

from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.extract.types import Located
from lora_lint.match.suggest import MLP_ROLES, role_of
from lora_lint.match.verdicts import Status
from lora_lint.models.inventory import MHA, ModelInventory
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid, short_list


class NoEffectTarget(Rule):
    """
    ## What it does
    Warns when LoRA is placed where it cannot change the model's output, or when the
    modules people mean are silently left frozen:
    `out_proj` inside a `torch.nn.MultiheadAttention` (selected by `all-linear` in
    vision towers: the attention reads `out_proj.weight` directly, bypassing LoRA); and
    MoE models whose routed experts are fused 3-D parameters that PEFT does *not*
    rewrite (Qwen3.5-MoE, Llama 4, Qwen2-MoE under transformers 5), where
    `gate_proj`/`up_proj`/`down_proj` reach only shared experts or dense layers. (An MLP
    name that reaches nothing at all, such as `gate_proj` on gpt-oss, is LL001's.)

    ## Why is this bad?
    The adapter trains, the loss moves, but the part of the model you meant to adapt is
    untouched: e.g. an "all MLP" LoRA on Qwen3.5-MoE that trains the shared experts only.

    ## Fix
    For fused experts add `target_parameters=["experts.gate_up_proj",
    "experts.down_proj"]` (with `lora_dropout=0`); for MultiheadAttention target the
    attention module itself or exclude `out_proj`.
    """

    code = "LL014"
    name = "no-effect-target"
    severity = Severity.WARNING
    summary = "LoRA lands where it has no effect, or routed experts are silently left frozen"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("openai/gpt-oss-20b")
            config = LoraConfig(
                target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                target_parameters=["experts.gate_up_proj", "experts.down_proj"],
            )
            model = get_peft_model(model, config)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForImageTextToText

            model = AutoModelForImageTextToText.from_pretrained("Qwen/Qwen3.5-35B-A3B")
            config = LoraConfig(
                target_modules=["q_proj", "v_proj", "gate_proj", "up_proj", "down_proj"],
            )
            model = get_peft_model(model, config)
            """,
            expect=[(6, 41), (6, 54), (6, 65)],
            message="experts",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        inventory = ctx.inventory
        injection = ctx.injection
        target = ctx.config.target_modules
        if inventory is None or injection is None or injection.error:
            return
        yield from self._mha_out_proj(ctx, inventory, injection.targeted, target)
        verdict = ctx.verdict
        if verdict is None or not verdict.frozen_experts:
            return
        expert_leaves = sorted({k.rsplit(".", 1)[-1] for k in verdict.frozen_experts})
        for item, entry_verdict in ctx.entries():
            entry = entry_verdict.entry
            # An entry that reaches nothing is LL001's (its hint names the experts).
            if entry_verdict.status not in (Status.ADAPTS, Status.COVERED):
                continue
            if role_of(entry) not in MLP_ROLES or entry_verdict.parameters:
                continue
            hits = [m.name for m in entry_verdict.modules]
            yield self.finding(
                ctx,
                item.span,
                f"the routed experts of {ctx.model_label} are fused 3-D parameters "
                f"({short_list(expert_leaves)}) that target_modules cannot reach: {entry!r} "
                f"leaves them frozen; it adapts only {len(hits)} non-routed "
                f"module{'s' if len(hits) != 1 else ''} (e.g. {hits[0]})",
                target=entry,
                suggestion=[f"experts.{leaf}" for leaf in expert_leaves],
                help=(f"{inventory.notes[0]}; " if inventory.notes else "")
                + "add target_parameters=["
                + ", ".join(repr(f"experts.{leaf}") for leaf in expert_leaves)
                + "] (PEFT >= 0.17, lora_dropout=0)",
                path=item.path,
            )

    def _mha_out_proj(
        self, ctx: ConfigContext, inventory: ModelInventory, targeted: list[str], target: object
    ) -> Iterator[Finding]:
        by_name = inventory.by_name
        dead = [
            n
            for n in targeted
            if "." in n
            and by_name.get(n.rsplit(".", 1)[0]) is not None
            and by_name[n.rsplit(".", 1)[0]].kind == MHA
        ]
        if not dead or not isinstance(target, Located):
            return
        yield self.finding(
            ctx,
            target.span,
            f"{len(dead)} targeted module{'s are' if len(dead) != 1 else ' is'} the out_proj of a "
            f"torch.nn.MultiheadAttention (e.g. {dead[0]}): MultiheadAttention reads "
            "out_proj.weight directly, so LoRA there has no effect",
            target="out_proj",
            help="target the MultiheadAttention module itself, or exclude its out_proj with "
            "exclude_modules",
            path=target.path,
        )
