"""One verdict per entry, from the one PEFT model (statuses, evidence, cost)."""

from __future__ import annotations

from functools import cache

import pytest

from lora_lint.match import peft_semantics
from lora_lint.match.outcomes import PeftOutcome
from lora_lint.match.peft_semantics import PeftOptions
from lora_lint.match.verdicts import Status, judge
from lora_lint.models.build import build_inventory
from lora_lint.models.inventory import ModelInventory
from tests.tiny_zoo import ZOO

pytestmark = pytest.mark.torch


@cache
def _inventory(arch: str) -> ModelInventory:
    return build_inventory(dict(ZOO[arch]), model_id=arch, head=None)


def _statuses(arch: str, **options: object) -> dict[str, Status]:
    verdict = judge(PeftOptions(**options), _inventory(arch))  # type: ignore[arg-type]
    assert verdict is not None
    return {v.entry: v.status for v in verdict.targets}


def test_statuses_on_a_dense_model() -> None:
    got = _statuses(
        "llama",
        target_modules=["q_proj", "v_prj", "self_attn", "q_proj", "self_attn.q_proj", "lm_head"],
        exclude_modules=["lm_head"],
    )
    assert got == {
        "q_proj": Status.DUPLICATE,  # the last occurrence wins the dict: a duplicate
        "v_prj": Status.NOTHING,
        "self_attn": Status.UNSUPPORTED,
        "self_attn.q_proj": Status.COVERED,
        "lm_head": Status.EXCLUDED,
    }


def test_layer_filtered_entry() -> None:
    got = _statuses("llama", target_modules=["q_proj"], layers_to_transform=[7])
    assert got == {"q_proj": Status.LAYER_FILTERED}


def test_moe_rewrite_moves_entries_to_parameters() -> None:
    verdict = judge(
        PeftOptions(target_modules=["q_proj", "w1", "w3", "w2", "gate_proj"]), _inventory("mixtral")
    )
    assert verdict is not None
    by_entry = {v.entry: v for v in verdict.targets}
    assert by_entry["w1"].status is Status.MOVED and by_entry["w1"].partners == ("w3",)
    assert all(p.endswith("experts.gate_up_proj") for p in by_entry["w1"].parameters)
    assert by_entry["gate_proj"].status is Status.NOTHING
    assert by_entry["q_proj"].status is Status.ADAPTS


def test_half_a_fused_pair_is_judged_with_its_partner() -> None:
    """PEFT raises for the config, but the entry itself reaches the experts."""
    verdict = judge(PeftOptions(target_modules=["q_proj", "gate_proj"]), _inventory("qwen3_moe"))
    assert verdict is not None
    assert verdict.injection.error is PeftOutcome.FUSED_PAIR
    assert {v.entry: v.status for v in verdict.targets}["gate_proj"] is Status.MOVED


def test_unmodelled_methods_are_not_judged() -> None:
    assert judge(PeftOptions(peft_type="LN_TUNING", target_modules=["norm"]), _inventory("llama")) is None


def test_judging_many_entries_builds_the_matching_tables_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cost per entry is its candidates, not the model: 1,000 unknown names must not
    rebuild the exclusion and leaf tables 1,000 times (that was quadratic)."""
    built = []
    real_init = peft_semantics.Matcher.__init__

    def counting(self: peft_semantics.Matcher, *args: object) -> None:
        built.append(1)
        real_init(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(peft_semantics.Matcher, "__init__", counting)
    names = [f"unknown_{i}" for i in range(1000)]
    verdict = judge(PeftOptions(target_modules=names), _inventory("llama"))
    assert verdict is not None and len(verdict.targets) == 1000
    assert len(built) <= 6
