"""PEFT outcomes: one enum for lora-lint's model and for the oracles that run real PEFT."""

from __future__ import annotations

import json
import re

from lora_lint.match import outcomes
from lora_lint.match.outcomes import PeftOutcome, classify_peft_error


def test_every_error_the_model_predicts_can_come_out_of_the_oracle() -> None:
    """A kind the oracle cannot produce would make the differential tests vacuous for it."""
    classified = {outcome for _, outcome in outcomes._MESSAGES} | {PeftOutcome.REGEX_INVALID}
    # CONFIG_INVALID: the config class raising, which the oracles catch before get_peft_model.
    assert classified == set(PeftOutcome) - {PeftOutcome.OK, PeftOutcome.CONFIG_INVALID}


def test_specific_fragments_come_before_the_generic_ones() -> None:
    """A fragment that contains another one must be tried first, or it is never reached."""
    needles = [needle for needle, _ in outcomes._MESSAGES]
    for i, needle in enumerate(needles):
        for later in needles[i + 1 :]:
            assert needle not in later, (needle, later)


def test_regex_errors_and_unknown_exceptions() -> None:
    assert classify_peft_error(re.error("bad")) is PeftOutcome.REGEX_INVALID
    assert classify_peft_error(RuntimeError("CUDA out of memory")) is None


def test_values_print_and_serialise_as_strings() -> None:
    kind = PeftOutcome.FUSED_PAIR
    assert f"{kind}" == str(kind) == "fused-pair"
    assert json.dumps({"error": kind}) == '{"error": "fused-pair"}'
    assert PeftOutcome("not-found").nothing_matched and not kind.nothing_matched
