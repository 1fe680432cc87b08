"""The findings users see agree with what the real PEFT does (the findings-level oracle).

Hypothesis draws a LoRA config for one of 28 tiny architectures (dense, transformers-5
MoE with and without PEFT's rewrite, vision-language, seq2seq, encoders). lora-lint runs
the whole pipeline on a script that applies the config to the model (``get_peft_model``),
and real ``get_peft_model`` runs on the same model built on the meta device:

- an entry of ``target_modules`` gets LL001 (a regex string, LL003) if and only if PEFT,
  given that entry alone with the other options unchanged (half of a fused MoE pair
  together with its partner), adapts no module and no parameter for it, even without
  exclusions and the layer filter;
- an entry gets LL002 if and only if PEFT, given that entry alone, raises its
  unsupported-module error (and a config PEFT refuses for that reason has one);
- LL009 is reported if and only if PEFT raises for another reason than nothing matching;
- when PEFT succeeds, the trainable count in the run's ``configs`` equals PEFT's.

``LORA_LINT_FINDINGS_EXAMPLES`` (default 1000, derandomized) sets the number of cases;
``LORA_LINT_DIFF_RANDOM=1`` makes the run random for a longer hunt.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lora_lint.engine import Linter
from lora_lint.match.outcomes import PeftOutcome
from lora_lint.models.build import build_inventory
from lora_lint.models.inventory import ModelInventory
from lora_lint.results import RunResult
from lora_lint.settings import Settings
from tests.peft_oracle import build_model, peft_outcome
from tests.tiny_zoo import ZOO

pytestmark = pytest.mark.torch

EXAMPLES = int(os.environ.get("LORA_LINT_FINDINGS_EXAMPLES", "1000"))
RANDOM = os.environ.get("LORA_LINT_DIFF_RANDOM") == "1"
_T = dict(
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    vocab_size=128,
)
_MOE = dict(num_experts=4, num_experts_per_tok=2, moe_intermediate_size=16)

#: Architectures beyond tests/tiny_zoo.py, so at least 25 are covered.
EXTRA: dict[str, dict[str, object]] = {
    "qwen3": dict(model_type="qwen3", architectures=["Qwen3ForCausalLM"], head_dim=8, **_T),
    "bloom": dict(
        model_type="bloom",
        architectures=["BloomForCausalLM"],
        hidden_size=32,
        n_layer=2,
        n_head=4,
        vocab_size=128,
    ),
    "roberta": dict(
        model_type="roberta",
        architectures=["RobertaModel"],
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        vocab_size=128,
        max_position_embeddings=64,
    ),
    "olmoe": dict(model_type="olmoe", architectures=["OlmoeForCausalLM"], **_MOE, **_T),
    "deepseek_v2": dict(
        model_type="deepseek_v2",
        architectures=["DeepseekV2ForCausalLM"],
        hidden_size=32,
        intermediate_size=64,
        moe_intermediate_size=16,
        num_hidden_layers=2,
        first_k_dense_replace=1,
        num_attention_heads=4,
        num_key_value_heads=4,
        n_routed_experts=4,
        n_shared_experts=1,
        num_experts_per_tok=2,
        q_lora_rank=None,
        kv_lora_rank=16,
        qk_rope_head_dim=8,
        qk_nope_head_dim=8,
        v_head_dim=8,
        vocab_size=128,
        n_group=1,
        topk_group=1,
    ),
    "granitemoe": dict(
        model_type="granitemoe",
        architectures=["GraniteMoeForCausalLM"],
        num_local_experts=4,
        num_experts_per_tok=2,
        **_T,
    ),
    "phimoe": dict(
        model_type="phimoe",
        architectures=["PhimoeForCausalLM"],
        num_local_experts=4,
        num_experts_per_tok=2,
        **_T,
    ),
    "glm4_moe": dict(
        model_type="glm4_moe",
        architectures=["Glm4MoeForCausalLM"],
        n_routed_experts=4,
        n_shared_experts=1,
        num_experts_per_tok=2,
        moe_intermediate_size=16,
        first_k_dense_replace=1,
        n_group=1,
        topk_group=1,
        head_dim=8,
        **_T,
    ),
}
ARCHS: dict[str, dict[str, object]] = {**ZOO, **EXTRA}
ARCH_NAMES = sorted(ARCHS)

#: Outcomes of PEFT that mean "nothing matched" (NoMatchingPeftModuleError and friends).
NOTHING = {
    PeftOutcome.NOT_FOUND,
    PeftOutcome.NONE_TARGETED,
    PeftOutcome.ALL_EXCLUDED,
    PeftOutcome.NO_TARGETS,
}
#: Outcomes another rule explains: a module PEFT cannot wrap (LL002), a modules_to_save
#: entry (LL006), the config class (LL004/LL008), a regex (LL003).
OWNED_ELSEWHERE = {
    PeftOutcome.OK,
    PeftOutcome.UNSUPPORTED,
    PeftOutcome.MODULES_TO_SAVE_INVALID,
    PeftOutcome.CONFIG_INVALID,
    PeftOutcome.REGEX_INVALID,
}
#: Outcomes LL009 claims: PEFT raises, for another reason than nothing matching (but
#: asking for no target at all is one).
LL009_KINDS = {
    kind
    for kind in PeftOutcome
    if kind not in OWNED_ELSEWHERE
    and (not kind.nothing_matched or kind is PeftOutcome.NO_TARGETS)
}
FOREIGN = [
    "q_proj",
    "k_proj",
    "v_proj",
    "o_proj",
    "gate_proj",
    "up_proj",
    "down_proj",
    "qkv_proj",
    "gate_up_proj",
    "query_key_value",
    "c_attn",
    "c_proj",
    "c_fc",
    "dense",
    "fc1",
    "fc2",
    "query",
    "value",
    "q",
    "v",
    "wo",
    "w1",
    "w2",
    "w3",
    "gate",
    "lm_head",
    "embed_tokens",
    "self_attn",
    "mlp",
    "experts",
    "shared_expert",
    "shared_experts",
    "router",
    "v_prj",
    "q_porj",
    "all-linear",
    "proj",
    "out_proj",
    "kv_b_proj",
    "experts.gate_up_proj",
]
REGEXES = [
    r".*\.(q_proj|v_proj)",
    r".*q_proj",
    r".*attn.*",
    r".*\.layers\.0\..*proj",
    r"q_proj",
    r".*(gate|up|down)_proj",
    r".*language_model.*\.(q_proj|v_proj)",
    r".*\.dense",
]


@cache
def _inventory(arch: str, head: str) -> ModelInventory:
    return build_inventory(dict(ARCHS[arch]), model_id=arch, head=head)


@cache
def _model(arch: str, class_name: str) -> Any:
    return build_model(dict(ARCHS[arch]), head=class_name)


def _head(arch: str) -> str:
    return str(list(ARCHS[arch]["architectures"])[0])  # type: ignore[call-overload]


@cache
def _vocabulary(arch: str) -> tuple[str, ...]:
    inv = _inventory(arch, _head(arch))
    return tuple(sorted({m.leaf for m in inv.modules if m.leaf and not m.leaf.isdigit()}))


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    arch = draw(st.sampled_from(ARCH_NAMES))
    name = st.one_of(st.sampled_from(_vocabulary(arch)), st.sampled_from(FOREIGN))
    kwargs: dict[str, Any] = {}
    form = draw(st.sampled_from(["list"] * 5 + ["regex", "all-linear"]))
    if form == "list":
        kwargs["target_modules"] = draw(st.lists(name, min_size=1, max_size=5))
    elif form == "regex":
        kwargs["target_modules"] = draw(st.sampled_from(REGEXES))
    else:
        kwargs["target_modules"] = "all-linear"
    if form == "list" and draw(st.integers(0, 5)) == 0:
        kwargs["layers_to_transform"] = draw(st.lists(st.integers(0, 2), min_size=1, max_size=2))
    if draw(st.integers(0, 5)) == 0:
        kwargs["exclude_modules"] = draw(st.lists(name, min_size=1, max_size=2))
    if draw(st.integers(0, 6)) == 0:
        kwargs["modules_to_save"] = draw(st.sampled_from([["lm_head"], ["self_attn"], ["mlp"]]))
    if draw(st.integers(0, 2)) == 0:
        kwargs["lora_dropout"] = 0.05
    if draw(st.integers(0, 9)) == 0:
        kwargs["use_dora"] = True
    kwargs["r"] = draw(st.sampled_from([4, 8]))
    return arch, kwargs


def _script(arch: str, arch_dir: Path, kwargs: dict[str, Any]) -> str:
    args = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
    head = _head(arch)
    return (
        "from peft import LoraConfig, get_peft_model\n"
        f"from transformers import {head}\n\n"
        f"model = {head}.from_pretrained({str(arch_dir)!r})\n"
        f"config = LoraConfig({args})\n"
        "model = get_peft_model(model, config)\n"
    )


def _lint(tmp: Path, arch: str, kwargs: dict[str, Any]) -> RunResult:
    arch_dir = tmp / "models" / arch
    if not (arch_dir / "config.json").exists():
        arch_dir.mkdir(parents=True, exist_ok=True)
        (arch_dir / "config.json").write_text(json.dumps(ARCHS[arch]))
    script = tmp / "train.py"
    script.write_text(_script(arch, arch_dir, kwargs))
    return Linter(Settings(project_root=tmp, offline=True)).run([script])


def _quiet_outcome(model: Any, **kwargs: Any) -> Any:
    with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return peft_outcome(model, **kwargs)


def _partners(arch: str, entry: str) -> list[str]:
    """PEFT's own fused-pair table: the other halves ``entry`` must be given with."""
    from peft.utils import transformers_weight_conversion as twc

    model_type = str(ARCHS[arch]["model_type"])
    base = twc._MODEL_TO_CONVERSION_PATTERN.get(model_type)
    mapping = twc._MOE_TARGET_MODULE_MAPPING.get(base, {}) if base else {}
    fused = twc._MOE_FUSED_TARGETS.get(base, {}) if base else {}
    for old, new in mapping.items():
        if entry == old or entry.endswith("." + old):
            return [o for o in fused.get(new, ()) if o != old]
    return []


def _entry_outcomes(
    model: Any, arch: str, kwargs: dict[str, Any], entry: str
) -> list[PeftOutcome]:
    """PEFT's outcome kind for ``entry`` alone: as configured, then unfiltered."""
    neutral = {  # options that only decide whether PEFT raises after matching
        "lora_dropout": 0.0,
        "use_dora": False,
        "target_parameters": None,
    }
    group: Any = (
        entry if isinstance(kwargs["target_modules"], str) else [entry, *_partners(arch, entry)]
    )
    kinds = []
    for drop in ((), ("exclude_modules", "modules_to_save", "layers_to_transform")):
        alone = {k: v for k, v in kwargs.items() if k not in drop}
        alone.update(neutral, target_modules=group)
        outcome = _quiet_outcome(model, **alone)
        if outcome.kind is PeftOutcome.MODULES_TO_SAVE_INVALID:
            pytest.skip("modules_to_save refuses a module: PEFT's reach is not observable")
        kinds.append(outcome.kind)
    return kinds


def _nothing(kinds: list[PeftOutcome]) -> bool:
    return all(k in NOTHING or k is PeftOutcome.REGEX_INVALID for k in kinds)


def _trainable(model: Any, kwargs: dict[str, Any]) -> int:
    import copy

    from peft import LoraConfig, get_peft_model

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peft_model = get_peft_model(copy.deepcopy(model), LoraConfig(**kwargs))
    return sum(p.numel() for p in peft_model.parameters() if p.requires_grad)


def check_case(tmp: Path, arch: str, kwargs: dict[str, Any]) -> None:
    result = _lint(tmp, arch, kwargs)
    assert not result.errors, result.errors
    assert len(result.configs) == 1, result.configs
    summary = result.configs[0]
    model = _model(arch, _head(arch))
    findings = [f for f in result.findings if f.code not in ("LL010", "LL011")]
    codes = {f.code for f in findings}
    where = f"{arch} {kwargs}: " + "; ".join(f"{f.code} {f.message}" for f in findings)

    whole = _quiet_outcome(model, **kwargs)
    targets = kwargs["target_modules"]
    if isinstance(targets, list):
        column_of = _entry_columns(tmp / "train.py", targets)
        for index, entry in enumerate(targets):
            if entry in targets[:index]:
                continue  # a duplicate: judged with its first occurrence
            kinds = _entry_outcomes(model, arch, kwargs, entry)
            at_entry = {
                f.code for f in findings if f.span.line == 5 and f.span.column == column_of[index]
            }
            nothing = _nothing(kinds)
            assert ("LL001" in at_entry) == nothing, f"LL001 {entry!r}: PEFT {kinds}. {where}"
            unsupported = kinds[0] is PeftOutcome.UNSUPPORTED
            assert ("LL002" in at_entry) == unsupported, f"LL002 {entry!r}: {kinds}. {where}"
    elif targets != "all-linear":
        kinds = _entry_outcomes(model, arch, kwargs, targets)
        assert ("LL003" in codes) == _nothing(kinds), f"LL003 vs PEFT {kinds}. {where}"
        unsupported = kinds[0] is PeftOutcome.UNSUPPORTED
        assert ("LL002" in codes) == unsupported, f"LL002: {kinds}. {where}"
    if whole.kind is PeftOutcome.UNSUPPORTED:
        assert "LL002" in codes, where
    assert ("LL009" in codes) == (whole.kind in LL009_KINDS), f"LL009 vs {whole.kind}. {where}"
    if whole.kind is PeftOutcome.OK:
        assert summary.error is None, where
        assert summary.trainable_params == _trainable(model, kwargs), where


def _entry_columns(script: Path, targets: list[str]) -> list[int]:
    """1-based columns of each list entry on the LoraConfig line (line 5)."""
    line = script.read_text().splitlines()[4]
    start = line.index("target_modules=[") + len("target_modules=[")
    columns = []
    position = start
    for entry in targets:
        text = repr(entry)
        position = line.index(text, position)
        columns.append(position + 1)
        position += len(text)
    return columns


@settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(cases())
def test_findings_agree_with_peft(tmp_path: Path, case: tuple[str, dict[str, Any]]) -> None:
    arch, kwargs = case
    check_case(tmp_path, arch, kwargs)


def test_at_least_25_architectures_build() -> None:
    assert len(ARCHS) >= 25
    for arch in ARCH_NAMES:
        assert _inventory(arch, _head(arch)).modules, arch


#: The issue's cases, and counterexamples from longer runs (arch, LoraConfig kwargs).
KNOWN: list[tuple[str, dict[str, Any]]] = [
    ("mixtral", {"target_modules": ["q_proj", "w1", "w2", "w3"]}),
    ("mixtral", {"target_modules": ["q_proj", "w1", "w2", "w3"], "lora_dropout": 0.1}),
    ("mixtral", {"target_modules": ["q_proj", "gate_proj", "up_proj", "down_proj"]}),
    (
        "qwen3_moe",
        {
            "target_modules": [
                "q_proj",
                "k_proj",
                "v_proj",
                "o_proj",
                "gate_proj",
                "up_proj",
                "down_proj",
            ]
        },
    ),
    (
        "qwen3_moe",
        {"target_modules": ["q_proj", "gate_proj", "up_proj", "down_proj"], "lora_dropout": 0.05},
    ),
    ("qwen3_moe", {"target_modules": ["q_proj", "gate_proj"]}),
    ("gpt_oss", {"target_modules": ["q_proj", "gate_proj", "down_proj"]}),
    ("deepseek_v3", {"target_modules": ["q_proj", "gate_proj", "up_proj", "down_proj"]}),
    ("llama", {"target_modules": ["q_proj", "v_prj"]}),
    ("llama", {"target_modules": ["q_proj", "self_attn"]}),
]


@pytest.mark.parametrize(("arch", "kwargs"), KNOWN)
def test_known_cases(tmp_path: Path, arch: str, kwargs: dict[str, Any]) -> None:
    check_case(tmp_path, arch, kwargs)


def test_regexes_are_valid() -> None:
    for pattern in REGEXES:
        re.compile(pattern)
