"""Emitted configs say what the recipe says: run through PEFT they give the same counts."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import warnings

import pytest
import yaml

from lora_lint.inspect.emit import EMIT_FORMATS, emit
from lora_lint.inspect.presets import build_presets
from lora_lint.inspect.report import task_type_for
from lora_lint.match.peft_semantics import PeftOptions, simulate
from tests.inspect.inspect_helpers import model_and_inventory, peft_counts

pytestmark = pytest.mark.torch


def _recipes(arch: str) -> tuple[object, object, list]:
    model, inventory = model_and_inventory(arch)
    return model, inventory, build_presets(inventory, 8, task_type=task_type_for(inventory, None))


@pytest.mark.parametrize("arch", ["llama", "gpt2", "mixtral", "llava"])
def test_python_config_runs_and_counts_match(arch: str) -> None:
    model, _, recipes = _recipes(arch)
    for recipe in recipes:
        code = emit("python", recipe, arch)
        namespace = {"model": copy.deepcopy(model)}
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            exec(code, namespace)
        got = namespace["model"].get_nb_trainable_parameters()
        assert got == (recipe.cost.trainable, recipe.cost.all_params), (arch, recipe.key)


@pytest.mark.parametrize("arch", ["llama", "t5", "mixtral"])
def test_peft_json_loads_into_loraconfig(arch: str) -> None:
    model, _, recipes = _recipes(arch)
    for recipe in recipes:
        data = json.loads(emit("peft-json", recipe, arch))
        assert data["peft_type"] == "LORA" and data["base_model_name_or_path"] == arch
        kwargs = {
            k: v for k, v in data.items() if k not in ("peft_type", "base_model_name_or_path")
        }
        if kwargs["target_parameters"] is None:
            del kwargs["target_parameters"]
        counts = peft_counts(model, **kwargs)
        assert counts["trainable"] == recipe.cost.trainable, (arch, recipe.key)


def test_yaml_formats_parse_and_carry_the_targets() -> None:
    _, _, recipes = _recipes("llama")
    qv = recipes[0]
    axolotl = yaml.safe_load(emit("axolotl", qv, "m"))
    assert axolotl["adapter"] == "lora" and axolotl["lora_target_modules"] == ["q_proj", "v_proj"]
    factory = yaml.safe_load(emit("llama-factory", qv, "m"))
    assert factory["lora_target"] == "q_proj,v_proj" and factory["lora_rank"] == 8
    trl = yaml.safe_load(emit("trl", qv, "m"))
    assert trl["use_peft"] is True and trl["lora_target_modules"] == ["q_proj", "v_proj"]
    by_key = {recipe.key: recipe for recipe in recipes}
    all_linear = by_key["all-linear"]
    assert yaml.safe_load(emit("axolotl", all_linear, "m"))["lora_target_linear"] is True
    assert yaml.safe_load(emit("llama-factory", all_linear, "m"))["lora_target"] == "all"
    for key in ("attn-ffn", "qv-ffn"):
        for fmt in ("axolotl", "llama-factory", "trl"):
            assert "rank_pattern" in emit(fmt, by_key[key], "m")  # the NOTE about uniform rank


def test_trl_single_name_becomes_a_regex_that_still_matches() -> None:
    """TRL turns a one-item list into a str (a regex): a bare name would match nothing."""
    _, inventory, recipes = _recipes("gpt2")
    qv = recipes[0]
    assert qv.target_modules == ["c_attn"]
    (pattern,) = yaml.safe_load(emit("trl", qv, "m"))["lora_target_modules"]
    injection = simulate(PeftOptions(target_modules=pattern), inventory)
    assert injection.targeted == [t.name for t in qv.cost.module_targets]


def test_every_format_is_available() -> None:
    _, _, recipes = _recipes("llava")
    for fmt in EMIT_FORMATS:
        for recipe in recipes:
            assert emit(fmt, recipe, "llava").endswith("\n")
