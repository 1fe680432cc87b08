"""Differential test at scale: lora-lint's prediction == get_peft_model, over generated configs.

Hypothesis draws (architecture, LoRA config) pairs over 20 tiny architectures (dense,
GPT-2/Falcon/OPT/Phi, T5, BERT, MoE with and without PEFT's transformers-5 rewrite, and
vision-language models) with list/regex/all-linear/default targets, real, foreign and
misspelled names, layer selections, exclusions, modules_to_save, rank/alpha patterns,
target_parameters, dropout and DoRA. The prediction (adapted modules and parameters with
their rank and alpha, or the error PEFT raises) must equal what PEFT really does.

Profiles: ``LORA_LINT_DIFF_EXAMPLES`` (default 500, derandomized) sets the number of cases;
run with e.g. ``LORA_LINT_DIFF_EXAMPLES=5000 LORA_LINT_DIFF_RANDOM=1`` for a longer, random
hunt. Counterexamples found that way are kept as regular tests in ``REGRESSIONS`` below.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lora_lint.match.outcomes import PeftOutcome
from lora_lint.match.peft_semantics import PeftOptions, rank_and_alpha, simulate
from lora_lint.models.build import build_inventory
from lora_lint.models.inventory import ModelInventory
from tests.peft_oracle import Outcome, build_model, peft_outcome
from tests.tiny_zoo import ZOO

pytestmark = pytest.mark.torch

EXAMPLES = int(os.environ.get("LORA_LINT_DIFF_EXAMPLES", "500"))
RANDOM = os.environ.get("LORA_LINT_DIFF_RANDOM") == "1"
ARCHS = sorted(ZOO)


@cache
def _inventory(arch: str) -> ModelInventory:
    return build_inventory(dict(ZOO[arch]), model_id=arch, head=None)


@cache
def _model(arch: str) -> Any:
    return build_model(dict(ZOO[arch]))


@cache
def _vocabulary(arch: str) -> tuple[list[str], list[str], list[str]]:
    """(own leaf names, dotted suffixes, parameter suffixes) of one architecture."""
    inv = _inventory(arch)
    leaves = sorted({m.leaf for m in inv.modules if not m.leaf.isdigit()})
    dotted = sorted({".".join(m.name.split(".")[-2:]) for m in inv.modules if "." in m.name})[:40]
    params = sorted({".".join(k.split(".")[-2:]) for _, k, _ in inv.parameters})
    return leaves, dotted, params


FOREIGN = [
    "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "qkv_proj",
    "gate_up_proj", "query_key_value", "c_attn", "c_proj", "c_fc", "dense", "fc1", "fc2",
    "query", "value", "q", "v", "wo", "w1", "w2", "w3", "gate", "lm_head", "embed_tokens",
    "self_attn", "mlp", "experts", "shared_expert", "shared_experts", "router", "v_prj",
    "q_porj", "Q_PROJ", "all-linear", "model.layers.0.self_attn.q_proj", "proj",
    "out_proj", "linear_1", "linear_2", "multi_modal_projector.linear_1", "qkv", "attn.qkv",
]
REGEXES = [
    r".*\.(q_proj|v_proj)", r".*q_proj", r".*attn.*", r".*mlp.*", r".*\.layers\.0\..*proj",
    r"model\.layers\.\d+\.self_attn\.(q|k|v|o)_proj", r".*language_model.*\.(q_proj|v_proj)",
    r".*experts.*", r".*(gate|up|down)_proj", r"q_proj", r"q_proj,v_proj", r".*\.(c_attn|c_proj)",
    r".*(query|value)", r".*\.[qv]", r"(", r".*vision.*", r"ALL-LINEAR", r".*\.dense",
]


@st.composite
def configs(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    arch = draw(st.sampled_from(ARCHS))
    leaves, dotted, params = _vocabulary(arch)
    name = st.one_of(
        st.sampled_from(leaves), st.sampled_from(FOREIGN), st.sampled_from(dotted)
    )
    kwargs: dict[str, Any] = {}
    form = draw(st.sampled_from(["list", "list", "list", "regex", "all-linear", "none"]))
    if form == "list":
        kwargs["target_modules"] = draw(st.lists(name, min_size=1, max_size=4))
    elif form == "regex":
        kwargs["target_modules"] = draw(st.sampled_from(REGEXES))
    elif form == "all-linear":
        kwargs["target_modules"] = "all-linear"
    if draw(st.integers(0, 4)) == 0:
        kwargs["layers_to_transform"] = draw(
            st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), max_size=3))
        )
        if draw(st.booleans()):
            kwargs["layers_pattern"] = draw(st.sampled_from(["layers", "h", "block", "layer"]))
    if draw(st.integers(0, 4)) == 0:
        kwargs["exclude_modules"] = draw(
            st.one_of(st.lists(name, min_size=1, max_size=2), st.sampled_from(REGEXES[:6]))
        )
    if draw(st.integers(0, 5)) == 0:
        kwargs["modules_to_save"] = draw(st.lists(name, min_size=1, max_size=2))
    if draw(st.integers(0, 3)) == 0:
        kwargs["rank_pattern"] = {draw(name): 16}
    if draw(st.integers(0, 5)) == 0:
        kwargs["alpha_pattern"] = {draw(name): 32}
    if draw(st.integers(0, 4)) == 0 and params:
        kwargs["target_parameters"] = draw(
            st.lists(st.sampled_from(params + ["experts.gate_up_proj", "gate.weight"]), min_size=1, max_size=2)
        )
    if draw(st.integers(0, 3)) == 0:
        kwargs["lora_dropout"] = 0.05
    if draw(st.integers(0, 9)) == 0:
        kwargs["use_dora"] = True
    if draw(st.integers(0, 14)) == 0:
        kwargs["bias"] = "lora"
    kwargs["r"] = draw(st.sampled_from([4, 8]))
    kwargs["lora_alpha"] = draw(st.sampled_from([8, 16]))
    return arch, kwargs


def predict(arch: str, kwargs: dict[str, Any]) -> Outcome:
    options = PeftOptions(**kwargs)
    injection = simulate(options, _inventory(arch))
    if injection.error:
        return Outcome(injection.error)
    effective = injection.effective
    ranks = {n: rank_and_alpha(effective, n) for n in injection.targeted}
    ranks.update({k: rank_and_alpha(effective, k) for k in injection.targeted_parameters})
    return Outcome(
        PeftOutcome.OK, sorted(injection.targeted), sorted(injection.targeted_parameters), ranks
    )


def check_agreement(arch: str, kwargs: dict[str, Any], record: bool = False) -> None:
    expected = peft_outcome(_model(arch), **kwargs)
    if record:
        event(f"outcome: {expected.kind}")
    got = predict(arch, kwargs)
    assert (got.kind, got.modules, got.parameters) == (
        expected.kind, expected.modules, expected.parameters
    ), f"{arch} {kwargs}"
    if got.kind is PeftOutcome.OK:
        assert got.ranks == expected.ranks, f"ranks differ on {arch} {kwargs}"


@settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(configs())
def test_prediction_equals_peft(case: tuple[str, dict[str, Any]]) -> None:
    arch, kwargs = case
    check_agreement(arch, kwargs, record=True)


#: Counterexamples found by longer runs, kept as plain tests (arch, LoraConfig kwargs).
REGRESSIONS: list[tuple[str, dict[str, Any]]] = [
    ("mixtral", {"target_modules": ["w1", "w2"]}),
    ("mixtral", {"target_modules": ["w1", "w2", "w3"], "lora_dropout": 0.05}),
    ("mixtral", {"target_modules": None}),
    ("qwen3_moe", {"target_modules": "all-linear", "lora_dropout": 0.05}),
    ("qwen2_moe", {"target_modules": ["gate_proj", "up_proj", "down_proj"]}),
    ("deepseek_v3", {"target_modules": ["gate_proj", "up_proj", "down_proj", "q_proj"]}),
    ("gpt_oss", {"target_modules": "all-linear"}),
    ("llama", {"target_modules": ["q_proj", "lm_head"], "layers_to_transform": [1]}),
    ("bert", {"target_modules": ["query"], "layers_to_transform": 0}),
    ("llava", {"target_modules": ["q_proj"], "layers_to_transform": 0}),
    ("llama", {"target_modules": ["q_proj"], "modules_to_save": ["self_attn"]}),
    ("llama", {"target_modules": ["q_proj", "v_proj"], "exclude_modules": ["lm_head"]}),
    # PEFT flips config.fan_in_fan_out while wrapping GPT-2 Conv1D layers (found by a random run).
    ("gpt2", {"target_parameters": ["c_fc.weight"], "bias": "lora", "r": 4}),
    ("gpt2", {"target_modules": ["lm_head"], "target_parameters": ["c_fc.weight"]}),
    ("llama", {"target_modules": [], "fan_in_fan_out": True, "target_parameters": ["k_proj.weight"]}),
    # modules_to_save hitting an original child of a param-wrapped module (random run).
    ("deepseek_v3", {"target_modules": "all-linear", "modules_to_save": ["act_fn"], "r": 4}),
]


@pytest.mark.parametrize(("arch", "kwargs"), REGRESSIONS)
def test_known_cases(arch: str, kwargs: dict[str, Any]) -> None:
    check_agreement(arch, kwargs)
