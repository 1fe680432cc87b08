"""LL001 unknown-target-module."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from lora_lint.diagnostics import Finding, Severity
from lora_lint.edits.build import replace_fix
from lora_lint.extract.types import Located
from lora_lint.match.peft_semantics import is_all_linear
from lora_lint.match.suggest import (
    MLP_ROLES,
    close_names,
    levenshtein,
    role_alternatives,
    role_of,
    same_family,
)
from lora_lint.match.verdicts import Status, reachable_leaf_names, reaches
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid


class UnknownTargetModule(Rule):
    """
    ## What it does
    Checks every entry of a `target_modules` list against the real module names of
    the base model (instantiated on the meta device from its config). An entry
    matches when it equals a module's full name or is a dot-bounded suffix of it
    (`q_proj` matches `model.layers.0.self_attn.q_proj`), exactly as PEFT does.

    ## Why is this bad?
    PEFT raises only when *no* entry matches. With `["q_proj", "v_prj"]` it adapts
    `q_proj` alone, silently, and the run trains something other than what you
    planned. Names from another architecture (`q_proj` on Falcon or GPT-2, which
    fuse q/k/v into `query_key_value`/`c_attn`) fail the same way.

    ## Fix
    Use the suggested name. `lora-lint inspect MODEL` lists the real names.
    With `--fix --unsafe-fixes`, a misspelling with exactly one close candidate is
    replaced (unsafe: it changes what trains).
    """

    code = "LL001"
    name = "unknown-target-module"
    severity = Severity.ERROR
    summary = "A target_modules entry matches no module of the base model"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B")
            config = LoraConfig(r=16, target_modules=["q_proj", "v_proj", "self_attn.o_proj"])
            model = get_peft_model(model, config)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B")
            config = LoraConfig(r=16, target_modules=["q_proj", "v_prj"])
            model = get_peft_model(model, config)
            """,
            expect=[(5, 53)],
            message="did you mean 'v_proj'",
            # Unsafe: the corrected entry changes which modules train.
            fixed="""
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B")
            config = LoraConfig(r=16, target_modules=["q_proj", "v_proj"])
            model = get_peft_model(model, config)
            """,
            fix="unsafe",
        ),
        Invalid(
            """
            base_model: tiiuae/falcon-7b
            adapter: lora
            lora_target_modules:
              - q_proj
              - v_proj
            """,
            filename="axolotl.yaml",
            expect=[(4, 5), (5, 5)],
            message="query_key_value",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        target = ctx.config.target_modules
        #: Entries are pieces of a comma-separated string (written bare, without quotes).
        split = isinstance(target, Located) and target.split_from_string
        if isinstance(target, Located) and isinstance(target.value, str):
            return  # a string is one regex: LL003 reports it
        verdict = ctx.verdict
        inventory = ctx.inventory
        if verdict is None or inventory is None:
            return
        reaching = [v for _, v in ctx.entries() if not v.reaches_nothing]
        for item, entry_verdict in ctx.entries():
            if entry_verdict.status is not Status.NOTHING:
                continue
            entry = entry_verdict.entry
            if is_all_linear(entry):
                yield self.finding(
                    ctx,
                    item.span,
                    f"{entry!r} inside a list is a literal module name, and {ctx.model_label} "
                    "has no module called that",
                    target=entry,
                    suggestion=["all-linear"],
                    help="PEFT expands 'all-linear' only when it is the whole value: "
                    "target_modules='all-linear'",
                    path=item.path,
                )
                continue
            if _left_to_tool_rule(ctx, entry):
                continue
            consequence = (
                "PEFT silently skips it and adapts only the other entries"
                if reaching
                else "PEFT raises 'Target modules ... not found in the base model'"
            )
            yield from self._unknown(ctx, item, entry, split, consequence)
        for item, entry_verdict in ctx.entries("target_parameters"):
            if entry_verdict.status is not Status.NOTHING:
                continue
            entry = entry_verdict.entry
            keys = [key for _, key, _ in inventory.parameters]
            suggestions = close_names(entry, _dotted_candidates(entry, keys))
            message = f"target_parameters entry {entry!r} matches no parameter of {ctx.model_label}"
            if suggestions:
                message += f"; did you mean {suggestions[0]!r}?"
            yield self.finding(
                ctx,
                item.span,
                message,
                target=entry,
                suggestion=suggestions,
                help="an entry matches a parameter's full name or a dot-bounded suffix of it "
                "(e.g. 'experts.gate_up_proj'); PEFT only warns when none of them matches",
                path=item.path,
            )

    def _unknown(
        self, ctx: ConfigContext, item: Located, entry: str, split: bool, consequence: str
    ) -> Iterator[Finding]:
        inventory = ctx.inventory
        assert inventory is not None
        cleaned = cleaned_name(entry)
        if cleaned and reaches(ctx.options, inventory, cleaned):
            finding = self.finding(
                ctx,
                item.span,
                f"{entry!r} matches no module of {ctx.model_label} because of the stray "
                f"punctuation around it; did you mean {cleaned!r}?",
                target=entry,
                suggestion=[cleaned],
                help="quotes, commas, brackets or spaces left in a name by shell quoting "
                "or a copied list are part of the name; PEFT compares names literally",
                path=item.path,
            )
            yield _with_fix(finding, item, cleaned, split)
            return
        accepted = reachable_leaf_names(ctx.options, inventory)
        alternatives, why = role_alternatives(entry.rsplit(".", 1)[-1], accepted)
        candidates = _dotted_candidates(entry, inventory.names) if "." in entry else accepted
        close = [c for c in close_names(entry, candidates) if same_family(entry, c)]
        suggestions = list(dict.fromkeys([*alternatives, *close]))
        experts = expert_hint(ctx, entry)
        message = f"{entry!r} matches no module of {ctx.model_label}"
        if len(alternatives) > 1:
            message += f"; use {', '.join(repr(a) for a in alternatives)} instead"
        elif suggestions:
            message += f"; did you mean {suggestions[0]!r}?"
        elif experts:
            message += f"; {experts[0]}"
        hint = f"{why}; " if why else ""
        if experts and len(experts) > 1:
            hint += f"{experts[1]}; "
        finding = self.finding(
            ctx,
            item.span,
            message,
            target=entry,
            suggestion=suggestions,
            help=f"{hint}{consequence}. {ctx.listing_hint}",
            path=item.path,
        )
        fixed = fix_candidate(entry, candidates, suggestions)
        if fixed is not None and reaches(ctx.options, inventory, fixed):
            finding = _with_fix(finding, item, fixed, split)
        yield finding


def expert_hint(ctx: ConfigContext, entry: str) -> tuple[str, ...]:
    """Advice for an MLP name on a model whose routed experts are fused parameters."""
    verdict = ctx.verdict
    inventory = ctx.inventory
    if verdict is None or inventory is None or not verdict.frozen_experts:
        return ()
    if role_of(entry) not in MLP_ROLES:
        return ()
    leaves = sorted({k.rsplit(".", 1)[-1] for k in verdict.frozen_experts})
    params = ", ".join(repr(f"experts.{leaf}") for leaf in leaves)
    return (
        f"the routed experts are fused parameters: use target_parameters=[{params}]",
        "target_parameters needs lora_dropout=0",
    )


def fix_candidate(entry: str, candidates: Sequence[str], suggestions: Sequence[str]) -> str | None:
    """The replacement ``--unsafe-fixes`` may write for a misspelled entry, if there is one.

    Only a misspelling qualifies: exactly one real name at the smallest edit distance,
    and that distance at most 2 (at most 1 for names of up to 5 characters), the same
    name the message suggests. A name that plays a known role in another architecture
    (``q_proj`` on Falcon, ``gate_proj`` on Phi-3) is not misspelled: what to use
    instead is a judgement (``query_key_value``? ``gate_up_proj``?), never a fix.
    """
    if role_of(entry) is not None or not suggestions:
        return None
    scored = sorted((levenshtein(entry, name), name) for name in set(candidates))
    if not scored:
        return None
    best = scored[0][0]
    if not 0 < best <= min(2, max(1, len(entry) // 3)):
        return None
    tied = [name for distance, name in scored if distance == best]
    return tied[0] if len(tied) == 1 and tied[0] == suggestions[0] else None


def _with_fix(finding: Finding, item: Located, replacement: str, split: bool) -> Finding:
    """Attach the unsafe fix "write ``replacement`` instead" when the entry can be edited."""
    fix = replace_fix(
        finding.path,
        item,
        replacement,
        f"Replace {item.value!r} with {replacement!r}",
        applicability="unsafe",
        bare=split,
    )
    return dataclasses.replace(finding, fix=fix) if fix is not None else finding


#: What shell quoting and copied lists leave around a name: quotes, commas, brackets, spaces.
_STRAY = " \t\r\n'\"`,;[](){}"


def cleaned_name(entry: str) -> str | None:
    """``"q_proj,"`` / ``"'q_proj'"`` / ``" v_proj"`` -> ``"q_proj"``; ``None`` if already clean."""
    cleaned = entry.strip(_STRAY)
    return (
        cleaned if cleaned and cleaned != entry and not any(c in _STRAY for c in cleaned) else None
    )


def _left_to_tool_rule(ctx: ConfigContext, entry: str) -> bool:
    """Entries LL015 explains better: a regex axolotl made literal, a v1 comma string."""
    facts = ctx.config.facts
    return facts.regex_became_literal or (facts.comma_not_split and "," in entry.strip(_STRAY))


def _dotted_candidates(entry: str, names: list[str]) -> list[str]:
    """Real dotted suffixes with as many components as ``entry`` (e.g. ``self_attn.q_proj``)."""
    depth = entry.count(".") + 1
    seen: dict[str, None] = {}
    for name in names:
        parts = name.split(".")
        if len(parts) >= depth:
            seen.setdefault(".".join(parts[-depth:]), None)
    return list(seen)
