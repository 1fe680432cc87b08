"""lora-lint's per-entry verdict equals get_peft_model's on the meta model.

For each tiny architecture, every real leaf name, a misspelling of it, the
containers, and a few regexes are tried *alone* (PEFT checks only the union,
lora-lint checks each entry), and the predicted outcome (adapted modules, or
the error kind) must equal PEFT's.
"""

from __future__ import annotations

import pytest

from lora_lint.match.outcomes import PeftOutcome
from lora_lint.match.peft_semantics import PeftOptions, simulate
from lora_lint.models.build import build_inventory
from tests.peft_oracle import build_model, peft_verdict
from tests.tiny_models import TINY

pytestmark = pytest.mark.torch


def _entries(inventory) -> list[object]:
    leaves = list(dict.fromkeys(m.leaf for m in inventory.modules if not m.leaf.isdigit()))
    typos = [leaf[:-1] + "x" for leaf in leaves[:6]]
    dotted = [".".join(m.name.split(".")[-2:]) for m in inventory.modules if m.kind == "linear"][:3]
    regexes = [r".*\.(q_proj|v_proj)", r".*attn.*", "q_proj", "q_proj,v_proj", ".*mlp.*"]
    return [[e] for e in leaves + typos + dotted] + regexes + ["all-linear"]


@pytest.mark.parametrize("arch", sorted(TINY))
def test_each_entry_matches_peft(arch: str) -> None:
    config = TINY[arch]
    inventory = build_inventory(dict(config), model_id=arch, head=None)
    model = build_model(dict(config))
    disagreements = []
    for target in _entries(inventory):
        predicted = simulate(PeftOptions(target_modules=target), inventory)
        expected_kind, expected_names = peft_verdict(model, target_modules=target)
        got_kind = predicted.error or PeftOutcome.OK
        got_names = sorted(predicted.targeted) if got_kind is PeftOutcome.OK else []
        if (got_kind, got_names) != (expected_kind, expected_names):
            disagreements.append((target, (got_kind, len(got_names)), (expected_kind, len(expected_names))))
    assert not disagreements, f"{arch}: lora-lint vs PEFT: {disagreements}"
