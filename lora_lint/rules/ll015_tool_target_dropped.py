"""LL015 tool-target-dropped."""

from __future__ import annotations

from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.extract.types import Located
from lora_lint.match.suggest import close_names
from lora_lint.match.tools import MLX_NOT_BLOCK_PATH, TRL_COLLAPSED, layers_beyond_model
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid, string_items
from lora_lint.rules.ll001_unknown_target_module import cleaned_name

#: torchtune's ``LORA_ATTN_MODULES``.
TORCHTUNE_ATTN = ("q_proj", "k_proj", "v_proj", "output_proj")
#: Hugging Face names people write in torchtune recipes, and what torchtune calls them.
_TORCHTUNE_HINTS = {
    "o_proj": "'output_proj'",
    "out_proj": "'output_proj'",
    "gate_proj": "apply_lora_to_mlp: true",
    "up_proj": "apply_lora_to_mlp: true",
    "down_proj": "apply_lora_to_mlp: true",
    "w1": "apply_lora_to_mlp: true",
    "w2": "apply_lora_to_mlp: true",
    "w3": "apply_lora_to_mlp: true",
    "lm_head": "apply_lora_to_output: true",
    "output": "apply_lora_to_output: true",
}


class ToolTargetDropped(Rule):
    """
    ## What it does
    Reports target entries that the *training tool itself* drops or turns into
    something that can never match, before PEFT is even called:

    - **torchtune**: `lora_attn_modules` entries other than `q_proj`, `k_proj`,
      `v_proj`, `output_proj` (the builders test `"q_proj" in lora_modules`, so
      `o_proj`, `gate_proj` or `"q_proj,"` are silently ignored);
    - **MLX-LM**: `lora_parameters.keys` that are not paths relative to a
      transformer block (`q_proj` instead of `self_attn.q_proj`; MLX compares
      keys exactly), and `num_layers` larger than the model's block count;
    - **TRL**: a one-element `lora_target_modules` list, which `ModelConfig`
      collapses into a string that PEFT reads as a full-name regex (also for a
      repository's own script that parses its flags with TRL's `ModelConfig`);
    - **LLaMA-Factory v1**: a `"q_proj,v_proj"` string, which is wrapped into a
      list without being split;
    - **axolotl**: a regex string combined with `lora_target_linear: true`, which
      axolotl wraps into a list so the regex becomes a literal name.

    ## Why is this bad?
    The run starts and trains, but with fewer adapted modules than written (or
    none from that entry), and nothing in the logs says so.

    ## Fix
    Use the tool's own names and forms: `output_proj` and `apply_lora_to_mlp` in
    torchtune, block-relative keys in MLX-LM, two or more entries (or a regex
    written to match full names) in TRL, a YAML list in LLaMA-Factory v1.
    """

    code = "LL015"
    name = "tool-target-dropped"
    severity = Severity.ERROR
    summary = "The training tool drops a target entry or turns it into one that can never match"

    VALID = [
        Valid(
            """
            model:
              _component_: torchtune.models.llama3_2.lora_llama3_2_1b
              lora_attn_modules: ['q_proj', 'v_proj', 'output_proj']
              apply_lora_to_mlp: True
              lora_rank: 8
            """,
            filename="1B_lora.yaml",
        ),
        Valid(
            """
            model_name_or_path: Qwen/Qwen2.5-0.5B
            use_peft: true
            lora_target_modules: [q_proj, v_proj]
            """,
            filename="sft.yaml",
        ),
    ]
    INVALID = [
        Invalid(
            """
            model:
              _component_: torchtune.models.llama3_2.lora_llama3_2_1b
              lora_attn_modules: ['q_proj', 'v_proj', 'o_proj']
              lora_rank: 8
            """,
            expect=[(3, 43)],
            filename="1B_lora.yaml",
            message="output_proj",
        ),
        Invalid(
            """
            model_name_or_path: Qwen/Qwen2.5-0.5B
            use_peft: true
            lora_target_modules: [q_proj]
            """,
            expect=[(3, 23)],
            filename="sft.yaml",
            message="one-element",
        ),
        Invalid(
            """
            model: meta-llama/Llama-3.2-1B
            train: true
            num_layers: 8
            lora_parameters:
              keys: [self_attn.q_proj, v_proj]
              rank: 8
            """,
            expect=[(5, 28)],
            filename="mlx_lora.yaml",
            message="self_attn.v_proj",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        if ctx.not_judged is not None:
            return  # the tool does not run these targets as written (or not at all)
        facts = ctx.config.facts
        yield from self._torchtune(ctx, facts.dropped_entries)
        if facts.num_layers is not None:
            yield from self._mlx_layers(ctx, facts.num_layers, facts.num_layers_key or "num_layers")
        for item, verdict in ctx.entries():
            if verdict.tool_drop == MLX_NOT_BLOCK_PATH:
                yield self._mlx_key(ctx, item, verdict.suggestions)
            elif verdict.tool_drop == TRL_COLLAPSED:
                yield self._collapsed(ctx, item, verdict.suggestions)
        if facts.comma_not_split:
            yield from self._comma_not_split(ctx)
        if facts.regex_became_literal:
            yield from self._regex_literal(ctx)

    # -- torchtune ---------------------------------------------------------------------------
    def _torchtune(self, ctx: ConfigContext, dropped: tuple[Located, ...]) -> Iterator[Finding]:
        for item in dropped:
            entry = str(item.value)
            cleaned = cleaned_name(entry)
            if cleaned in TORCHTUNE_ATTN:
                message = (
                    f"{entry!r} is not one of torchtune's LoRA attention modules because of the "
                    f"stray punctuation around it; did you mean {cleaned!r}?"
                )
                suggestion = [cleaned]
            else:
                hint = _TORCHTUNE_HINTS.get(cleaned or entry)
                suggestion = (
                    [hint.strip("'")] if hint else close_names(cleaned or entry, TORCHTUNE_ATTN)
                )
                message = (
                    f"{entry!r} is not one of torchtune's LoRA attention modules "
                    f"({', '.join(TORCHTUNE_ATTN)}); torchtune silently ignores it"
                )
                if hint:
                    message += f"; use {hint}"
                elif suggestion:
                    message += f"; did you mean {suggestion[0]!r}?"
            yield self.finding(
                ctx,
                item.span,
                message,
                target=entry,
                suggestion=suggestion,
                help="torchtune builds each projection with `if 'q_proj' in lora_attn_modules`; "
                "other names are dropped without a warning. MLP and output layers are switched "
                "on with apply_lora_to_mlp / apply_lora_to_output",
                path=item.path,
            )

    # -- MLX-LM ------------------------------------------------------------------------------
    def _mlx_key(self, ctx: ConfigContext, item: Located, candidates: tuple[str, ...]) -> Finding:
        entry = str(item.value)
        key = ctx.option_key("target_modules")
        message = (
            f"{key} entry {entry!r} is not a path relative to a transformer block of "
            f"{ctx.model_label}; MLX-LM compares keys exactly, so it adapts nothing"
        )
        if candidates:
            message += f"; did you mean {candidates[0]!r}?"
        return self.finding(
            ctx,
            item.span,
            message,
            target=entry,
            suggestion=list(candidates),
            help="MLX-LM applies LoRA to `k` for each `k, m in block.named_modules()` with "
            "`k in keys`: write the full path inside the block, e.g. 'self_attn.q_proj'",
            path=item.path,
        )

    def _mlx_layers(self, ctx: ConfigContext, layers: Located, key: str) -> Iterator[Finding]:
        inventory = ctx.inventory
        value = layers.value
        if inventory is None or not isinstance(value, int) or ctx.not_judged is not None:
            return
        if layers_beyond_model(ctx.config.facts.tool, value, inventory):
            yield self.finding(
                ctx,
                layers.span,
                f"{key}: {value} but {ctx.model_label} has only {inventory.num_layers} "
                "transformer blocks; MLX-LM raises 'Requested "
                f"{value} LoRA layers but the model only has {inventory.num_layers} layers'",
                target=str(value),
                suggestion=[str(inventory.num_layers), "-1"],
                help=f"use at most {inventory.num_layers}, or -1 for every block",
                path=layers.path,
            )

    # -- TRL ---------------------------------------------------------------------------------
    def _collapsed(
        self, ctx: ConfigContext, item: Located, suggestions: tuple[str, ...]
    ) -> Finding:
        entry = str(item.value)
        key = ctx.option_key("target_modules")
        regex = suggestions[0] if suggestions else entry
        return self.finding(
            ctx,
            item.span,
            f"TRL collapses the one-element {key} list into the string {entry!r}, which PEFT "
            "reads as a regex that must match a full module name (such as "
            f"'model.layers.0.self_attn.{entry}'); it matches nothing",
            target=entry,
            suggestion=list(suggestions),
            help="ModelConfig.__post_init__ turns a one-element list into its only string; "
            "add a second entry, or write a full-name regex such as "
            f"'{regex}' ('all-linear' alone is fine)",
            path=item.path,
        )

    # -- LLaMA-Factory v1 / axolotl -----------------------------------------------------------
    def _comma_not_split(self, ctx: ConfigContext) -> Iterator[Finding]:
        key = ctx.option_key("target_modules")
        for item in string_items(ctx.config.target_modules):
            entry = str(item.value)
            if "," not in (cleaned_name(entry) or entry).strip():
                continue
            names = [p.strip() for p in entry.split(",") if p.strip()]
            yield self.finding(
                ctx,
                item.span,
                f"LLaMA-Factory v1 does not split {key}={entry!r} at commas: it becomes one "
                "module name that matches nothing",
                target=entry,
                suggestion=[repr(names)],
                help=f"write a YAML list: {key}: {names!r} (the v0 `lora_target` key did split)",
                path=item.path,
            )

    def _regex_literal(self, ctx: ConfigContext) -> Iterator[Finding]:
        key = ctx.option_key("target_modules")
        for item in string_items(ctx.config.target_modules):
            entry = str(item.value)
            yield self.finding(
                ctx,
                item.span,
                f"with lora_target_linear: true axolotl wraps the string {key} into a list, so "
                f"the regex {entry!r} becomes a literal module name that matches nothing",
                target=entry,
                help="remove lora_target_linear (the regex then selects the modules), or list "
                "module names instead of a regex",
                path=item.path,
            )
