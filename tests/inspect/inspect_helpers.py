"""Shared fixtures of the inspect tests: tiny models on meta and PEFT's real counts."""

from __future__ import annotations

import contextlib
import copy
import io
import warnings
from functools import cache
from typing import Any

from tests.inspect.inspect_tiny import ARCHS
from tests.peft_oracle import build_model


@cache
def model_and_inventory(arch: str, head: str | None = None) -> tuple[Any, Any]:
    from lora_lint.models.build import build_inventory

    config = dict(ARCHS[arch])
    inventory = build_inventory(dict(config), model_id=arch, head=head)
    return build_model(dict(config), head), inventory


def peft_counts(model: Any, **lora_kwargs: Any) -> dict[str, Any]:
    """What ``get_peft_model`` really builds: trainable/all parameters and the wrapped names."""
    from peft import LoraConfig, get_peft_model

    model = copy.deepcopy(model)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        peft_model = get_peft_model(model, LoraConfig(**lora_kwargs))
    trainable, total = peft_model.get_nb_trainable_parameters()
    base = peft_model.base_model
    return {
        "trainable": trainable,
        "all": total,
        "modules": sorted(base.targeted_module_names),
        "parameters": sorted(getattr(base, "targeted_parameter_names", []) or []),
    }


def lora_kwargs(recipe: Any) -> dict[str, Any]:
    """The LoraConfig arguments of a :class:`~lora_lint.inspect.presets.Recipe`."""
    kwargs: dict[str, Any] = {
        "r": recipe.r,
        "lora_alpha": recipe.alpha,
        "lora_dropout": recipe.lora_dropout,
        "target_modules": recipe.target_modules,
    }
    if recipe.target_parameters:
        kwargs["target_parameters"] = list(recipe.target_parameters)
    if recipe.rank_pattern:
        kwargs["rank_pattern"] = dict(recipe.rank_pattern)
    if recipe.task_type:
        kwargs["task_type"] = recipe.task_type
    return kwargs
