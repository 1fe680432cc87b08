"""Ready-to-paste configs for a recipe: PEFT Python, ``adapter_config.json``, axolotl,
LLaMA-Factory and TRL.

Each format says exactly what the recipe says, or says in a comment what it cannot say:
axolotl, LLaMA-Factory and TRL's ``ModelConfig`` have no ``rank_pattern`` lora-lint can
vouch for, and LLaMA-Factory's ``lora_target`` is a comma-separated list (no regex, no
``target_parameters``), so those cases fall back to one rank and are flagged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from lora_lint.inspect.presets import Recipe

EMIT_FORMATS = ("python", "peft-json", "axolotl", "llama-factory", "trl")


def _py(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _yaml_scalar(value: object) -> str:
    """A YAML scalar; strings always double-quoted (regexes carry backslashes)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _yaml_value(key: str, value: object, indent: str = "") -> list[str]:
    if isinstance(value, list):
        return [f"{indent}{key}:"] + [f"{indent}  - {_yaml_scalar(v)}" for v in value]
    if isinstance(value, dict):
        return [f"{indent}{key}:"] + [
            f"{indent}  {_yaml_scalar(k)}: {_yaml_scalar(v)}" for k, v in value.items()
        ]
    return [f"{indent}{key}: {_yaml_scalar(value)}"]


def _task(recipe: Recipe) -> str | None:
    return recipe.task_type


def emit_python(recipe: Recipe, model_id: str) -> str:
    lines = [
        "from peft import LoraConfig, get_peft_model",
        "",
        f"# {recipe.title} on {model_id}: {recipe.cost.matched_modules} adapted, "
        f"{recipe.cost.trainable:,} trainable parameters ({recipe.cost.percent:.4f}%)",
        "lora_config = LoraConfig(",
        f"    r={recipe.r},",
        f"    lora_alpha={recipe.alpha},",
        f"    lora_dropout={recipe.lora_dropout},",
    ]
    if recipe.target_modules is not None:
        lines.append(f"    target_modules={_py(recipe.target_modules)},")
    if recipe.target_parameters:
        lines.append(f"    target_parameters={_py(recipe.target_parameters)},")
    if recipe.rank_pattern:
        lines.append(f"    rank_pattern={_py(recipe.rank_pattern)},")
    if _task(recipe):
        lines.append(f"    task_type={_py(_task(recipe))},")
    lines += [")", "model = get_peft_model(model, lora_config)"]
    return "\n".join(lines) + "\n"


def emit_peft_json(recipe: Recipe, model_id: str) -> str:
    data: dict[str, object] = {
        "peft_type": "LORA",
        "base_model_name_or_path": model_id,
        "task_type": _task(recipe),
        **recipe.config_fields(),
        "alpha_pattern": {},
        "bias": "none",
    }
    return json.dumps(data, indent=2) + "\n"


def _uniform_rank_warning(recipe: Recipe, tool: str) -> list[str]:
    if not recipe.rank_pattern:
        return []
    return [
        f"# NOTE: {tool} has no rank_pattern lora-lint can vouch for: every target trains at",
        f"# r={recipe.r} here. Use --emit python or --emit peft-json for "
        + ", ".join(f"{k}: r={v}" for k, v in recipe.rank_pattern.items())
        + ".",
    ]


def emit_axolotl(recipe: Recipe, model_id: str) -> str:
    lines = [
        f"base_model: {model_id}",
        "adapter: lora",
        f"lora_r: {recipe.r}",
        f"lora_alpha: {recipe.alpha}",
        f"lora_dropout: {recipe.lora_dropout}",
    ]
    if recipe.target_modules == "all-linear":
        lines.append("lora_target_linear: true")
    elif recipe.target_modules is not None:
        lines += _yaml_value("lora_target_modules", recipe.target_modules)
    if recipe.target_parameters:
        lines += _yaml_value("lora_target_parameters", recipe.target_parameters)
    lines += _uniform_rank_warning(recipe, "axolotl")
    return "\n".join(lines) + "\n"


def emit_llama_factory(recipe: Recipe, model_id: str) -> str:
    lines = [
        f"model_name_or_path: {model_id}",
        "stage: sft",
        "finetuning_type: lora",
        f"lora_rank: {recipe.r}",
        f"lora_alpha: {recipe.alpha}",
        f"lora_dropout: {recipe.lora_dropout}",
    ]
    targets = recipe.target_modules
    if targets == "all-linear":
        lines.append("lora_target: all")
    elif isinstance(targets, list):
        lines.append(f"lora_target: {','.join(targets)}")
    elif isinstance(targets, str):
        lines += [
            "# NOTE: LLaMA-Factory splits lora_target on commas and matches names, not regexes;",
            f"# this recipe needs the regex {targets!r}: use --emit python or peft-json.",
            "lora_target: all",
        ]
    if recipe.target_parameters:
        lines.append(
            "# NOTE: LLaMA-Factory has no target_parameters; the expert parameters "
            f"({', '.join(recipe.target_parameters)}) are not adapted by this file."
        )
    lines += _uniform_rank_warning(recipe, "LLaMA-Factory")
    return "\n".join(lines) + "\n"


def emit_trl(recipe: Recipe, model_id: str) -> str:
    """``trl sft --config this.yaml`` (TRL's ``ModelConfig`` fields).

    ``ModelConfig.__post_init__`` turns a one-item ``lora_target_modules`` list into a str,
    which PEFT then reads as a regex: a regex recipe goes through as one item, and a lone
    module name is written as the regex ``(?:.*\\.)?name`` so it still matches.
    """
    lines = [
        f"model_name_or_path: {model_id}",
        "use_peft: true",
        f"lora_r: {recipe.r}",
        f"lora_alpha: {recipe.alpha}",
        f"lora_dropout: {recipe.lora_dropout}",
    ]
    if _task(recipe):
        lines.append(f"lora_task_type: {_task(recipe)}")
    value = recipe.target_modules
    if isinstance(value, list) and len(value) == 1:
        lines.append("# one name: TRL makes a one-item list a str (a regex), hence the pattern")
        value = [rf"(?:.*\.)?{re.escape(value[0])}"]
    if value is not None:
        lines += _yaml_value("lora_target_modules", value if isinstance(value, list) else [value])
    if recipe.target_parameters:
        lines += _yaml_value("lora_target_parameters", recipe.target_parameters)
    lines += _uniform_rank_warning(recipe, "TRL's ModelConfig")
    return "\n".join(lines) + "\n"


EMITTERS: dict[str, Callable[[Recipe, str], str]] = {
    "python": emit_python,
    "peft-json": emit_peft_json,
    "axolotl": emit_axolotl,
    "llama-factory": emit_llama_factory,
    "trl": emit_trl,
}


def emit(fmt: str, recipe: Recipe, model_id: str) -> str:
    """The config text for ``recipe`` in format ``fmt`` (one of :data:`EMIT_FORMATS`)."""
    return EMITTERS[fmt](recipe, model_id)
