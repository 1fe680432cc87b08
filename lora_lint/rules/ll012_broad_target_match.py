"""LL012 broad-target-match."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.extract.types import Located
from lora_lint.match.peft_semantics import is_all_linear
from lora_lint.match.towers import LANGUAGE, tower_of
from lora_lint.match.verdicts import Status
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid


class BroadTargetMatch(Rule):
    """
    ## What it does
    Warns when one `target_modules` entry, or `all-linear`, adapts modules in more than
    one sub-model of a multimodal model (the vision tower or projector *and* the
    language model: `q_proj` exists in both), and when PEFT's transformers-5 MoE
    rewrite gives a familiar name a different meaning: on DeepSeek-V3/Qwen3-MoE-style
    models `gate_proj`/`up_proj`/`down_proj` are moved to the routed experts' fused
    parameters, so the dense MLPs and shared experts with those names silently get no
    LoRA.

    ## Why is this bad?
    LoRA on the vision tower changes image features you meant to keep, costs memory and
    changes results; losing LoRA on shared experts changes what trains, silently.

    ## Fix
    Anchor the target to the sub-model with a regex
    (`r"model\\.language_model\\..*\\.(q_proj|v_proj)"`) or exclude the tower with
    `exclude_modules`; for MoE models name `target_parameters` and the modules you want
    explicitly.
    """

    code = "LL012"
    name = "broad-target-match"
    severity = Severity.WARNING
    summary = "A target adapts several sub-models (vision + language) or changes meaning on MoE"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B")
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

            model = AutoModelForCausalLM.from_pretrained("deepseek-ai/DeepSeek-V2-Lite")
            config = LoraConfig(target_modules=["q_proj", "gate_proj", "up_proj"], lora_dropout=0.0)
            model = get_peft_model(model, config)
            """,
            expect=[(5, 47), (5, 60)],
            message="target_parameters",
        ),
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForImageTextToText

            model = AutoModelForImageTextToText.from_pretrained("Qwen/Qwen2-VL-2B-Instruct")
            model = get_peft_model(model, LoraConfig(target_modules="all-linear"))
            """,
            expect=[(5, 57)],
            message="vision tower",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        target = ctx.config.target_modules
        if isinstance(target, Located) and is_all_linear(target.value):
            yield from self._all_linear(ctx, target)
            return
        listed = [v.entry for _, v in ctx.entries() if not v.reaches_nothing]
        for item, verdict in ctx.entries():
            entry = verdict.entry
            if verdict.lost_to_rewrite and verdict.parameters:
                names = [m.name for m in verdict.lost_to_rewrite]
                moved_to = ", ".join(sorted({p.rsplit(".", 1)[-1] for p in verdict.parameters}))
                yield self.finding(
                    ctx,
                    item.span,
                    f"on {ctx.model_label}, PEFT's transformers-5 MoE rewrite moves {entry!r} to "
                    f"the routed experts' target_parameters ({moved_to}), so the {len(names)} "
                    f"module{'s' if len(names) != 1 else ''} named {entry!r} (e.g. {names[0]}) "
                    "get no LoRA",
                    target=entry,
                    help="if you meant the dense/shared-expert MLPs, target them by a longer "
                    "suffix (e.g. 'shared_expert.gate_proj'); the rewrite applies to bare names",
                    path=item.path,
                )
                continue
            if verdict.status not in (Status.ADAPTS, Status.COVERED):
                continue
            spread = _beyond_language(m.name for m in verdict.modules)
            if spread is None:
                continue
            yield self.finding(
                ctx,
                item.span,
                f"{entry!r} adapts {spread} of {ctx.model_label}",
                target=entry,
                help=_language_only_help(listed),
                path=item.path,
            )

    def _all_linear(self, ctx: ConfigContext, target: Located) -> Iterator[Finding]:
        """``all-linear`` on a VLM: every vision-tower and projector Linear is adapted too."""
        injection = ctx.injection
        if injection is None or injection.error:
            return
        spread = _beyond_language(injection.targeted)
        if spread is None:
            return
        yield self.finding(
            ctx,
            target.span,
            f"'all-linear' adapts {spread} of {ctx.model_label}",
            target=str(target.value),
            help="if you meant the language model only, use a regex such as "
            "r'.*language_model.*\\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)'",
            path=target.path,
        )


def _beyond_language(names: Iterable[str]) -> str | None:
    """ "N modules in the language model and also M in the vision tower, ..." when the
    adapted modules lie in the language model and in another tower; else None."""
    towers = Counter(tower_of(name) for name in names)
    if len(towers) < 2 or LANGUAGE not in towers:
        return None
    others = ", ".join(f"{n} in the {t}" for t, n in towers.items() if t != LANGUAGE)
    return f"{towers[LANGUAGE]} modules in the language model and also {others}"


def _language_only_help(entries: list[str]) -> str:
    """Replace the *whole list* by one regex: a regex inside a list is a literal name."""
    names = "|".join(dict.fromkeys(re.escape(e) for e in entries))
    return (
        "a regex inside a list is read as a literal name, so replace the whole list with one "
        f"regex string: target_modules=r'.*language_model.*\\.({names})', or exclude the "
        "tower with exclude_modules"
    )
