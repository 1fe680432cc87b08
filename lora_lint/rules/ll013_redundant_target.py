"""LL013 redundant-target."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.edits.build import remove_fix
from lora_lint.extract.types import Located
from lora_lint.match.verdicts import Status
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid, string_items


class RedundantTarget(Rule):
    """
    ## What it does
    Flags `target_modules` entries that add nothing: an exact duplicate, or an entry
    whose modules are all already matched by another entry (`self_attn.q_proj` next to
    `q_proj`).

    ## Why is this bad?
    Redundant entries hide what is really targeted and often signal a copy-paste error
    (the entry meant to be something else).

    ## Fix
    Remove the redundant entry. Removing an exact duplicate is a safe fix: the set of
    adapted modules does not change.
    """

    code = "LL013"
    name = "redundant-target"
    severity = Severity.WARNING
    summary = "A target_modules entry is a duplicate or already covered by another entry"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=["q_proj", "k_proj", "v_proj"])
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
            config = LoraConfig(target_modules=["q_proj", "v_proj", "q_proj", "self_attn.v_proj"])
            model = get_peft_model(model, config)
            """,
            expect=[(5, 57), (5, 67)],
            message="duplicate",
            # Only the exact duplicate is removed: dropping the covered entry is a choice.
            fixed="""
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=["q_proj", "v_proj", "self_attn.v_proj"])
            model = get_peft_model(model, config)
            """,
        ),
        Invalid(
            """
            base_model: Qwen/Qwen2.5-0.5B
            adapter: lora
            lora_r: 16
            lora_target_modules:
              - q_proj
              - v_proj
              - q_proj
            """,
            expect=[(7, 5)],
            filename="config.yaml",
            message="duplicate of entry 1",
            fixed="""
            base_model: Qwen/Qwen2.5-0.5B
            adapter: lora
            lora_r: 16
            lora_target_modules:
              - q_proj
              - v_proj
            """,
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        target = ctx.config.target_modules
        items = string_items(target)
        every = target.items if isinstance(target, Located) else []
        split = isinstance(target, Located) and target.split_from_string
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            entry = str(item.value)
            if entry in seen:
                finding = self.finding(
                    ctx,
                    item.span,
                    f"{entry!r} is a duplicate of entry {seen[entry] + 1} of target_modules",
                    target=entry,
                    help="remove it (safe: what is adapted does not change)",
                    path=item.path,
                )
                position = next((n for n, other in enumerate(every) if other is item), None)
                fix = None
                if position is not None:
                    fix = remove_fix(
                        finding.path,
                        every,
                        position,
                        f"Remove the duplicate {entry!r}",
                        applicability="safe",
                        bare=split,
                    )
                yield dataclasses.replace(finding, fix=fix) if fix is not None else finding
            else:
                seen[entry] = index
        for item, verdict in ctx.entries():
            if verdict.status is not Status.COVERED or verdict.covered_by is None:
                continue
            yield self.finding(
                ctx,
                item.span,
                f"{verdict.entry!r} is already covered by {verdict.covered_by!r}: every module "
                "it adapts is adapted by that entry",
                target=verdict.entry,
                help="remove one of them",
                path=item.path,
            )
