"""The typed record extractors hand to rules survives the extraction cache and notebooks."""

from __future__ import annotations

import dataclasses
import json

import pytest

from lora_lint.diagnostics import Span
from lora_lint.extract.filecache import decode, encode
from lora_lint.extract.types import ExtractedConfig, FileExtraction, Located, ToolFacts


def _every_field_set() -> ToolFacts:
    span = Span(3, 5, 3, 11)
    item = Located("q_proj", span)
    return ToolFacts(
        tool="trl",
        config_class="LoraConfig",
        helper="FastLanguageModel.get_peft_model",
        launcher="shell",
        builder="torchtune.models.llama3_1.lora_llama3_1_8b",
        inert="use_peft is not true",
        switch_span=span,
        adapter="llama-adapter",
        lora_model_dir="out/",
        adapter_name_or_path="saves/x",
        implicit_target_modules=(),
        all_means="every linear",
        tool_expands_targets="the tool picks",
        not_judged="train.py is not in the repository",
        collapsed_to_regex=item,
        regex_became_literal=True,
        dropped_all_linear=(Located("all-linear", span),),
        comma_not_split=True,
        targets_joined=True,
        exclude_joined=True,
        attn_modules_string=True,
        dropped_entries=(item, Located("o_proj", Span(4, 5, 4, 11))),
        exact_block_paths=True,
        num_layers=Located(16, span),
        num_layers_key="lora_layers",
        model_class="MyModel",
        revision="v2",
        applied_to="a module class of this file",
        expects_failure="pytest.raises(...)",
        script="scripts/train.py",
        partial=True,
        unsloth_options={"random_state": Located(3407, span)},
        extra_fields=("extra",),
        unknown_keys_unchecked="LOHA has its own fields",
    )


def test_every_field_is_set_by_the_fixture() -> None:
    facts = _every_field_set()
    defaults = ToolFacts()
    unset = [
        f.name
        for f in dataclasses.fields(ToolFacts)
        if getattr(facts, f.name) == getattr(defaults, f.name)
    ]
    assert unset == []


def test_facts_round_trip_through_the_cache_codec() -> None:
    config = ExtractedConfig(path="x.yaml", span=Span(1, 1, 1, 2), source="trl")
    config.facts = _every_field_set()
    extraction = FileExtraction(path="x.yaml", configs=[config])
    decoded = decode(json.loads(json.dumps(encode(extraction))))
    assert decoded == extraction
    assert isinstance(decoded.configs[0].facts.dropped_entries, tuple)


def test_facts_are_frozen() -> None:
    facts = ToolFacts()
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.inert = "x"  # type: ignore[misc]
