"""LL004 invalid-layer-selection."""

from __future__ import annotations

from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity
from lora_lint.extract.types import Located
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid


class InvalidLayerSelection(Rule):
    """
    ## What it does
    Checks `layers_to_transform` and `layers_pattern` the way PEFT applies them: the
    layer index is read from the first numbered segment of a module name (or after
    `layers_pattern`), and only entries that match by suffix are filtered. The rule
    reports an index the model does not have (or a negative one), a `layers_pattern`
    that occurs in no module path, a layer selection PEFT cannot apply because the
    names carry no readable index (bare base models such as `LlamaModel`), and the
    combinations `LoraConfig` rejects: `layers_*` with a string `target_modules`, and
    `layers_pattern` without `layers_to_transform`.

    ## Why is this bad?
    An index beyond the model or a pattern that is never found silently removes those
    modules from training, or makes `get_peft_model` fail with "not found" after the
    weights are loaded.

    ## Fix
    Use indices in `0..num_layers-1`, the name of the layer list (`layers`, `h`,
    `block`) as `layers_pattern`, and a list of names when selecting layers.
    """

    code = "LL004"
    name = "invalid-layer-selection"
    severity = Severity.ERROR
    summary = "layers_to_transform / layers_pattern select no layer, or cannot be combined"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.2-1B")
            config = LoraConfig(
                target_modules=["q_proj", "v_proj"],
                layers_to_transform=[12, 13, 14, 15],
                layers_pattern="layers",
            )
            model = get_peft_model(model, config)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.2-1B")
            config = LoraConfig(
                target_modules=["q_proj", "v_proj"],
                layers_to_transform=[14, 15, 16],
                layers_pattern="layers",
            )
            model = get_peft_model(model, config)
            """,
            expect=[(7, 34)],
            message="layers 0-15",
        ),
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.2-1B")
            config = LoraConfig(
                target_modules=["q_proj", "v_proj"],
                layers_to_transform=[14, 15],
                layers_pattern="layer",
            )
            model = get_peft_model(model, config)
            """,
            expect=[(8, 20)],
            message="occurs in no module path",
        ),
        Invalid(
            r"""
            from peft import LoraConfig

            config = LoraConfig(target_modules=r".*\.q_proj", layers_to_transform=[0])
            """,
            expect=[(3, 71)],
            message="string",
            also=[("LL010", 3, 10)],
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        cfg = ctx.config
        layers = cfg.options.get("layers_to_transform")
        pattern = cfg.options.get("layers_pattern")
        target = cfg.target_modules
        layers_set = isinstance(layers, Located) and layers.value is not None
        pattern_set = isinstance(pattern, Located) and bool(pattern.value)
        if isinstance(target, Located) and isinstance(target.value, str):
            for key, given in (
                ("layers_to_transform", layers_set),
                ("layers_pattern", pattern_set),
            ):
                if given:
                    yield self.finding(
                        ctx,
                        ctx.span_of(key),
                        f"`{ctx.option_key(key)}` cannot be used when `target_modules` is a "
                        "string (a regex): LoraConfig raises a ValueError",
                        target=str(target.value),
                        help="select layers inside the regex, e.g. "
                        "r'.*\\.layers\\.(0|1)\\..*q_proj', or write target_modules as a list",
                        path=ctx.path_of(key),
                    )
            return
        if pattern_set and not layers_set:
            yield self.finding(
                ctx,
                ctx.span_of("layers_pattern"),
                "`layers_pattern` without `layers_to_transform`: LoraConfig raises 'When "
                "`layers_pattern` is specified, `layers_to_transform` must also be specified.'",
                help="add layers_to_transform=[...] or remove layers_pattern",
                path=ctx.path_of("layers_pattern"),
            )
            return
        if not layers_set or ctx.inventory is None:
            return
        yield from self._check_indices(ctx)

    def _check_indices(self, ctx: ConfigContext) -> Iterator[Finding]:
        inventory = ctx.inventory
        assert inventory is not None
        verdict = ctx.verdict
        if verdict is None or not isinstance(ctx.options.target_modules, (list, tuple)):
            return
        pattern = ctx.options.layers_pattern
        if verdict.layers_error is not None:
            yield self.finding(
                ctx,
                ctx.span_of("layers_pattern"),
                "`layers_pattern` is not a valid regular expression fragment "
                f"({verdict.layers_error})",
                path=ctx.path_of("layers_pattern"),
            )
            return
        indices = set(verdict.layer_indices)
        if verdict.unindexed_example and not indices:
            yield self._no_index(ctx, verdict.unindexed_example, pattern)
            return
        value = ctx.config.options.get("layers_to_transform")
        assert isinstance(value, Located)
        items = value.items if value.items else [value]
        known = sorted(indices)
        for item in items:
            if not isinstance(item, Located) or isinstance(item.value, bool):
                continue
            if not isinstance(item.value, int):
                continue
            index = item.value
            if index >= 0 and (not known or index in indices):
                continue
            where = f"layers {known[0]}-{known[-1]}" if known else "no numbered layers"
            why = "negative indices never match" if index < 0 else f"{ctx.model_label} has {where}"
            yield self.finding(
                ctx,
                item.span,
                f"layer {index} is selected by `{ctx.option_key('layers_to_transform')}` but "
                f"{why}, so it adapts nothing",
                target=str(index),
                help=f"use indices between {known[0]} and {known[-1]}" if known else None,
                path=item.path,
            )

    def _no_index(self, ctx: ConfigContext, example: str, pattern: object) -> Finding:
        inventory = ctx.inventory
        assert inventory is not None
        containers = _layer_lists(inventory.names)
        if pattern:
            message = (
                f"`layers_pattern`={pattern!r} occurs in no module path of {ctx.model_label} "
                f"(e.g. {example!r}), so PEFT finds no layer index and adapts nothing"
            )
        else:
            message = (
                f"PEFT cannot read a layer index from names like {example!r} (it needs a "
                f"segment before the layer list), so `layers_to_transform` adapts nothing"
            )
        return self.finding(
            ctx,
            ctx.span_of("layers_pattern" if pattern else "layers_to_transform"),
            message,
            suggestion=containers,
            help=(
                "set layers_pattern to the layer list's name: "
                + ", ".join(repr(c) for c in containers)
                if containers
                else None
            ),
            path=ctx.path_of("layers_pattern" if pattern else "layers_to_transform"),
        )


def _layer_lists(names: list[str]) -> list[str]:
    """Names of containers whose children are numbered (``layers``, ``h``, ``block``)."""
    found: dict[str, None] = {}
    for name in names:
        parts = name.split(".")
        for i in range(1, len(parts)):
            if parts[i].isdigit() and not parts[i - 1].isdigit():
                found.setdefault(parts[i - 1], None)
    return list(found)
