"""LL008 invalid-config-option."""

from __future__ import annotations

import math
from collections.abc import Iterator

from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.extract.types import Located, to_plain
from lora_lint.match.suggest import close_names
from lora_lint.models.peft_schema import load_schema, method_fields
from lora_lint.rules.base import ConfigContext, Invalid, Rule, Valid, read_by_unknown_script

#: Names people write for PEFT fields (other tools' spellings, habits).
SYNONYMS: dict[str, str] = {
    "rank": "r",
    "lora_r": "r",
    "lora_rank": "r",
    "alpha": "lora_alpha",
    "lora_scale": "lora_alpha",
    "dropout": "lora_dropout",
    "target_module": "target_modules",
    "lora_target_modules": "target_modules",
    "lora_target": "target_modules",
    "target_layers": "target_modules",
    "modules": "target_modules",
    "exclude_module": "exclude_modules",
    "module_to_save": "modules_to_save",
    "modules_to_train": "modules_to_save",
    "lora_modules_to_save": "modules_to_save",
    "layers": "layers_to_transform",
    "layer_indices": "layers_to_transform",
    "task": "task_type",
    "dora": "use_dora",
    "rslora": "use_rslora",
}

_TYPE_CHECKS: dict[str, tuple[str, type | tuple[type, ...]]] = {
    "r": ("a positive integer", int),
    "lora_alpha": ("a number", (int, float)),
    "lora_dropout": ("a number between 0 and 1", (int, float)),
    "use_dora": ("true or false", bool),
    "use_rslora": ("true or false", bool),
    "fan_in_fan_out": ("true or false", bool),
    "inference_mode": ("true or false", bool),
    "target_modules": ("a list of names, a regex string, 'all-linear' or None", (list, str)),
    "modules_to_save": ("a list of module names", list),
    "target_parameters": ("a list of parameter names", list),
    "rank_pattern": ("a mapping of pattern to rank", dict),
    "alpha_pattern": ("a mapping of pattern to alpha", dict),
}


#: Options whose list entries PEFT compares with module or parameter names.
_NAME_LISTS = frozenset({"target_modules", "modules_to_save", "target_parameters"})


def _sweep_or_schema(ctx: ConfigContext, value: Located, types: tuple[type, ...]) -> bool:
    """A list or mapping where PEFT takes one value, in a file no modelled tool reads.

    Hand-written YAML/JSON has two common shapes that are no ``LoraConfig`` keywords:
    a hyper-parameter sweep (``r: [16, 32, 64]``, one run per value) and a schema or UI
    description of the field (``r: {ui_display_name: R}``). Which one a script makes of
    it is not known without a tool model, so no error is proven.
    """
    if not read_by_unknown_script(ctx.config):
        return False
    if value.container == "dict":
        return dict not in types
    return value.container in ("list", "tuple", "set") and list not in types


class InvalidConfigOption(Rule):
    """
    ## What it does
    Checks the keywords of `LoraConfig(...)` (and the other PEFT configs, a `**dict`
    passed to them, an mmengine `dict(type=LoraConfig, ...)`, a saved
    `adapter_config.json`) against the fields of the installed PEFT, and checks the
    values PEFT validates: `task_type`, `bias`, and the basic types (`r` a positive
    integer, `lora_dropout` in [0, 1), booleans, lists).

    ## Why is this bad?
    `LoraConfig(rank=16)` raises `TypeError: ... unexpected keyword argument 'rank'`;
    in an `adapter_config.json` an unknown key is dropped with only a warning, so the
    setting silently does not apply. `task_type="CAUSAL"` fails at construction.

    ## Fix
    Use the field the message suggests (`r`, `lora_alpha`, `target_modules`, ...).
    """

    code = "LL008"
    name = "invalid-config-option"
    severity = Severity.ERROR
    summary = "Unknown PEFT config keyword or key, or an invalid task_type/bias/value type"

    VALID = [
        Valid(
            """
            from peft import LoraConfig, TaskType

            config = LoraConfig(r=16, lora_alpha=32, task_type=TaskType.CAUSAL_LM, bias="none")
            """,
            model="Qwen/Qwen2.5-0.5B",
        ),
    ]
    INVALID = [
        Invalid(
            """
            from peft import LoraConfig

            config = LoraConfig(rank=16, target_module=["q_proj"], task_type="CAUSAL")
            """,
            expect=[(3, 21), (3, 30), (3, 66)],
            message="'r'",
            model="Qwen/Qwen2.5-0.5B",
        ),
    ]

    def check(self, ctx: ConfigContext) -> Iterator[Finding]:
        cfg = ctx.config
        strict = cfg.source == "peft-json" or (
            cfg.source == "python"
            and cfg.facts.config_class is not None
            and cfg.facts.tool != "unsloth"
        )
        if not strict and not cfg.unknown_keys:
            # A tool passes these values on to PEFT's LoraConfig: they are checked too.
            if cfg.peft_type.upper() == "LORA" and not cfg.facts.inert:
                yield from self._values(ctx, None)
            return
        schema = load_schema(ctx.cache_dir)
        known = method_fields(schema, cfg.peft_type) if schema else None
        if known is not None:
            class_name, fields = known
            field_set = set(fields) | set(cfg.facts.extra_fields or ())
            unknown: dict[str, Span] = dict(cfg.unknown_keys)
            if strict:
                for key in cfg.options:
                    if key not in field_set:
                        unknown.setdefault(key, cfg.key_spans.get(key, cfg.span))
            for key, span in unknown.items():
                yield self._unknown(ctx, key, span, class_name, fields)
        yield from self._values(ctx, schema)

    def _unknown(
        self, ctx: ConfigContext, key: str, span: Span, class_name: str, fields: list[str]
    ) -> Finding:
        guess = SYNONYMS.get(key)
        suggestion = [guess] if guess in fields else close_names(key, fields)
        if ctx.config.source == "peft-json":
            consequence = "PeftConfig.from_pretrained drops it with only a warning"
        else:
            consequence = f"{class_name}() raises TypeError: unexpected keyword argument {key!r}"
        message = f"{key!r} is not a {class_name} field; {consequence}"
        if suggestion:
            message += f"; did you mean {suggestion[0]!r}?"
        return self.finding(ctx, span, message, target=key, suggestion=suggestion)

    def _values(self, ctx: ConfigContext, schema: dict[str, object] | None) -> Iterator[Finding]:
        options = ctx.config.options
        task = options.get("task_type")
        task_types = list(schema.get("task_types", [])) if schema else []  # type: ignore[call-overload]
        if (
            isinstance(task, Located)
            and isinstance(task.value, str)
            and task_types
            and task.value not in task_types
        ):
            yield self.finding(
                ctx,
                task.span,
                f"Invalid task type: {task.value!r}. Must be one of the following task "
                f"types: {', '.join(task_types)}",
                target=task.value,
                suggestion=close_names(task.value.upper(), task_types) or task_types[:1],
                path=task.path,
            )
        bias = options.get("bias")
        if (
            isinstance(bias, Located)
            and isinstance(bias.value, str)
            and ctx.config.peft_type == "LORA"
        ) and bias.value not in ("none", "all", "lora_only"):
            yield self.finding(
                ctx,
                bias.span,
                f"bias={bias.value!r} is not one of 'none', 'all', 'lora_only'",
                target=bias.value,
                suggestion=close_names(bias.value, ["none", "all", "lora_only"]),
                path=bias.path,
            )
        if ctx.config.peft_type.upper() != "LORA":
            # Other methods validate differently (OFT's documented r=0 with oft_block_size,
            # AdaLoRA's boolean rank masks): only their field names are checked above.
            return
        for name, (expected, types) in _TYPE_CHECKS.items():
            value = options.get(name)
            if not isinstance(value, Located) or value.value is None:
                continue
            if _sweep_or_schema(ctx, value, _as_tuple(types)):
                continue
            plain = value.value
            container_ok = value.container in ("list", "tuple", "set") and list in (
                types if isinstance(types, tuple) else (types,)
            )
            ok = container_ok or (
                isinstance(plain, types)
                and not (isinstance(plain, bool) and bool not in _as_tuple(types))
            )
            if value.container == "dict":
                ok = dict in _as_tuple(types)
            if ok and isinstance(plain, float) and not math.isfinite(plain):
                ok = False  # NaN, inf, 1e999: PEFT's arithmetic on them fails or is meaningless
            if ok and name == "r" and isinstance(plain, int) and plain <= 0:
                ok = False
            if ok and name == "lora_dropout" and isinstance(plain, (int, float)):
                ok = 0 <= plain < 1
            if ok and value.container in ("list", "tuple", "set") and name in _NAME_LISTS:
                bad = [
                    item
                    for item in value.items
                    if isinstance(item, Located) and not isinstance(item.value, str)
                ]
                for item in bad:
                    yield self.finding(
                        ctx,
                        item.span,
                        f"`{ctx.option_key(name)}` entries must be strings, got {item.value!r}",
                        target=str(item.value),
                        path=item.path,
                    )
            if not ok:
                shown = to_plain(value)
                yield self.finding(
                    ctx,
                    value.span,
                    f"`{ctx.option_key(name)}` must be {expected}, got {shown!r}",
                    target=str(shown),
                    path=value.path,
                )


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)
