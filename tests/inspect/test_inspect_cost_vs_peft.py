"""inspect's parameter counts equal PEFT's ``get_nb_trainable_parameters`` on meta models.

Every preset of every architecture the issue names (llama, phi3, gpt2, falcon, t5, bert,
mixtral, two VLMs) is built with ``get_peft_model`` and compared: trainable parameters, all
parameters (so ``trainable%``), and the exact wrapped modules and parameters.
"""

from __future__ import annotations

import pytest

from lora_lint.match.cost import config_cost, estimate
from lora_lint.inspect.presets import PRESET_KEYS, build_presets
from lora_lint.inspect.report import task_type_for
from lora_lint.match.peft_semantics import PeftOptions
from tests.inspect.inspect_helpers import lora_kwargs, model_and_inventory, peft_counts
from tests.inspect.inspect_tiny import ARCHS

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("rank", [8, 5])
@pytest.mark.parametrize("arch", sorted(ARCHS))
def test_presets_equal_peft(arch: str, rank: int) -> None:
    model, inventory = model_and_inventory(arch)
    presets = build_presets(inventory, rank, task_type=task_type_for(inventory, None))
    assert [p.key for p in presets] == list(PRESET_KEYS)
    for recipe in presets:
        assert recipe.available, (arch, recipe.key)
        assert recipe.cost.error is None, (arch, recipe.key, recipe.cost.error_message)
        expected = peft_counts(model, **lora_kwargs(recipe))
        got = {
            "trainable": recipe.cost.trainable,
            "all": recipe.cost.all_params,
            "modules": sorted(t.name for t in recipe.cost.module_targets),
            "parameters": sorted(t.name for t in recipe.cost.parameter_targets),
        }
        assert got == expected, (arch, recipe.key)


CUSTOM: list[dict[str, object]] = [
    {"target_modules": ["q_proj", "v_proj"]},
    {"target_modules": "all-linear", "rank_pattern": {"down_proj": 2, "c_fc": 3}},
    {"target_modules": ".*\\.(q|v|query|value|q_proj|v_proj)"},
    {"target_modules": ["embed_tokens", "wte", "word_embeddings", "shared", "lm_head"]},
    {"target_modules": ["q_proj", "o_proj"], "use_dora": True},
    {"target_modules": ["q_proj"], "modules_to_save": ["lm_head"]},
]


@pytest.mark.parametrize("arch", ["llama", "gpt2", "t5", "bert", "llava"])
@pytest.mark.parametrize("case", range(len(CUSTOM)))
def test_custom_targets_equal_peft(arch: str, case: int) -> None:
    model, inventory = model_and_inventory(arch)
    kwargs = dict(CUSTOM[case])
    report = estimate(
        PeftOptions(
            target_modules=kwargs.get("target_modules"),  # type: ignore[arg-type]
            modules_to_save=kwargs.get("modules_to_save"),  # type: ignore[arg-type]
            use_dora=bool(kwargs.get("use_dora", False)),
            r=6,
        ),
        inventory,
        rank_pattern=kwargs.get("rank_pattern"),  # type: ignore[arg-type]
    )
    try:
        expected = peft_counts(model, r=6, **kwargs)
    except ValueError:
        assert report.error is not None
        return
    assert report.error is None, report.error_message
    assert (report.trainable, report.all_params) == (expected["trainable"], expected["all"])


def test_mixtral_expert_names_are_rewritten_like_peft() -> None:
    """w1/w3/w2 move to the fused expert parameters, gate_up_proj at rank 2r (PEFT's rewrite)."""
    model, inventory = model_and_inventory("mixtral")
    options = PeftOptions(target_modules=["q_proj", "w1", "w2", "w3"], r=8)
    report = estimate(options, inventory)
    expected = peft_counts(
        model, r=8, target_modules=["q_proj", "w1", "w2", "w3"], lora_dropout=0.0
    )
    assert (report.trainable, report.all_params) == (expected["trainable"], expected["all"])
    assert sorted(t.name for t in report.parameter_targets) == expected["parameters"]
    ranks = {t.name.rsplit(".", 1)[-1]: t.rank for t in report.parameter_targets}
    assert ranks == {"gate_up_proj": 16, "down_proj": 8}
    assert any("MoE rewrite" in note for note in report.notes)


def test_half_a_fused_pair_is_an_error_like_peft() -> None:
    _, inventory = model_and_inventory("mixtral")
    report = estimate(PeftOptions(target_modules=["w1", "w2"]), inventory)
    assert report.error == "fused-pair"
    assert config_cost(PeftOptions(target_modules=["w1", "w2"]), inventory, 8, None) is None


@pytest.mark.parametrize(
    ("arch", "head", "task"),
    [
        ("bert", "seq-cls", "SEQ_CLS"),
        ("bert", "token-cls", "TOKEN_CLS"),
        ("bert", "qa", "QUESTION_ANS"),
        ("llama", "seq-cls", "SEQ_CLS"),
    ],
)
def test_task_heads_are_trained_as_copies_like_peft(arch: str, head: str, task: str) -> None:
    """PEFT's task models add the classifier to modules_to_save: a full trainable copy."""
    model, inventory = model_and_inventory(arch, head)
    targets = ["query", "value"] if arch == "bert" else ["q_proj", "v_proj"]
    report = estimate(PeftOptions(target_modules=targets, task_type=task, r=8), inventory)
    expected = peft_counts(model, r=8, target_modules=targets, task_type=task)
    assert report.saved, "the head copy is counted"
    assert (report.trainable, report.all_params) == (expected["trainable"], expected["all"])


def test_token_cls_all_linear_raises_like_peft() -> None:
    """TOKEN_CLS adds the classifier after injection: LoRA on it, then PEFT raises TypeError."""
    model, inventory = model_and_inventory("bert", "token-cls")
    report = estimate(PeftOptions(target_modules="all-linear", task_type="TOKEN_CLS"), inventory)
    assert report.error == "modules-to-save-wrapped"
    with pytest.raises(TypeError):
        peft_counts(model, target_modules="all-linear", task_type="TOKEN_CLS")


@pytest.mark.parametrize("arch", sorted(ARCHS))
def test_config_cost_for_check(arch: str) -> None:
    model, inventory = model_and_inventory(arch)
    options = PeftOptions(target_modules="all-linear", r=4)
    cost = config_cost(options, inventory, 16, {"o_proj|dense|c_proj": 2})
    assert cost is not None
    matched, trainable, percent = cost
    expected = peft_counts(
        model,
        r=16,
        target_modules="all-linear",
        rank_pattern={"o_proj|dense|c_proj": 2},
        lora_dropout=0.0,
    )
    assert matched == len(expected["modules"]) + len(expected["parameters"])
    assert trainable == expected["trainable"]
    assert percent == pytest.approx(100 * expected["trainable"] / expected["all"])


def test_config_cost_is_none_when_not_countable() -> None:
    _, inventory = model_and_inventory("llama")
    assert (
        config_cost(PeftOptions(peft_type="IA3", target_modules=["q_proj"]), inventory, 8, None)
        is None
    )
    assert config_cost(PeftOptions(target_modules=["q_projj"]), inventory, 8, None) is None
    assert config_cost(PeftOptions(target_modules=["q_proj"]), inventory, 8, None) == (
        2,
        2 * 8 * (64 + 64),
        pytest.approx(100 * 2048 / (inventory.total_params + 2048)),
    )
