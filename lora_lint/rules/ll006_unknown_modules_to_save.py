"""LL006 unknown-modules-to-save."""

from __future__ import annotations

from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.match.outcomes import PeftOutcome
from lora_lint.match.peft_semantics import SEQ_CLS_HEAD_NAMES
from lora_lint.match.suggest import close_names
from lora_lint.match.verdicts import Status
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid, short_list


class UnknownModulesToSave(Rule):
    """
    ## What it does
    Checks every `modules_to_save` entry. PEFT trains (and saves) a full copy of each
    module whose name *ends with* the entry (plain `str.endswith`, no dot boundary),
    and it removes every module whose path contains the entry as a segment from LoRA.
    The rule reports an entry that matches no module, an entry that pulls modules out
    of LoRA that `target_modules` selects, and an entry PEFT cannot wrap (a
    `ModuleList`, or a module that is also a LoRA target).

    ## Why is this bad?
    A miss is silent: `modules_to_save=["lm_headd"]` leaves the head frozen. An entry
    such as `"self_attn"` silently turns LoRA on `q_proj`/`v_proj` into full training
    of the whole attention block.

    ## Fix
    Use the exact module name (`lm_head`, `embed_tokens`, `score`) shown in the message.
    """

    code = "LL006"
    name = "unknown-modules-to-save"
    severity = Severity.ERROR
    summary = "A modules_to_save entry matches no module, or pulls targeted modules out of LoRA"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=["q_proj", "v_proj"], modules_to_save=["lm_head"])
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
                target_modules=["q_proj", "v_proj"],
                modules_to_save=["lm_headd", "self_attn"],
            )
            model = get_peft_model(model, config)
            """,
            expect=[(7, 22), (7, 34)],
            message="lm_head",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        inventory = ctx.inventory
        injection = ctx.injection
        if inventory is None:
            return
        names = inventory.names + list(inventory.aliases)
        leaves = list(dict.fromkeys(n.rsplit(".", 1)[-1] for n in names))
        key = ctx.option_key("modules_to_save")
        for item, verdict in ctx.entries("modules_to_save"):
            entry = verdict.entry
            if entry in SEQ_CLS_HEAD_NAMES and (ctx.options.task_type or "").upper() == "SEQ_CLS":
                continue
            if verdict.status is Status.NOTHING:
                near = close_names(entry, leaves)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                yield self.finding(
                    ctx,
                    item.span,
                    f"{key} entry {entry!r} matches no module of {ctx.model_label}; PEFT "
                    f"silently trains nothing extra for it{hint}",
                    target=entry,
                    suggestion=near,
                    help="entries are matched with str.endswith against full module names",
                    path=item.path,
                )
                continue
            saved = {m.name for m in verdict.modules}
            if (
                injection is not None
                and injection.error is PeftOutcome.MODULES_TO_SAVE_INVALID
                and injection.offending is not None
                and injection.offending.name in saved
            ):
                yield self.finding(
                    ctx,
                    item.span,
                    f"{key} entry {entry!r} selects {injection.offending.name} "
                    f"({injection.offending.cls}), which PEFT cannot wrap: "
                    f"{injection.message}",
                    target=entry,
                    path=item.path,
                )
                continue
            removed = verdict.pulled if injection is not None else ()
            if removed:
                leaves_removed = list(dict.fromkeys(n.rsplit(".", 1)[-1] for n in removed))
                yield self.finding(
                    ctx,
                    item.span,
                    f"{key} entry {entry!r} also removes {len(removed)} targeted module"
                    f"{'s' if len(removed) != 1 else ''} ({short_list(leaves_removed)}) from LoRA: "
                    "PEFT trains the whole module in full instead",
                    target=entry,
                    help="name the module to train in full precisely (e.g. 'lm_head'), "
                    "not a container of LoRA targets",
                    path=item.path,
                )
