"""PEFT's saved adapter_config.json: null/regex/list targets, unknown keys, heads."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lora_lint.diagnostics import Span
from lora_lint.extract.tools.base import LORA_FIELDS
from lora_lint.extract.types import ExtractedConfig, FileExtraction, Located
from lora_lint.extract.yaml import extract_json, extract_yaml

DATA = Path(__file__).resolve().parent.parent / "data" / "yaml" / "peft"


def extract(case: str) -> FileExtraction:
    path = DATA / case / "adapter_config.json"
    return extract_json(path.read_text(encoding="utf-8"), f"{case}/adapter_config.json")


def only_config(case: str) -> ExtractedConfig:
    result = extract(case)
    assert result.findings == []
    [config] = result.configs
    assert config.source == "peft-json"
    return config


def test_list_targets() -> None:
    config = only_config("llama_list")
    target = config.target_modules
    assert isinstance(target, Located)
    assert target.items == [
        Located("v_proj", Span(22, 5, 22, 13)),
        Located("q_proj", Span(23, 5, 23, 13)),
    ]
    assert config.key_spans["target_modules"] == Span(21, 3, 21, 19)
    assert config.option("r") == 8
    assert config.option("lora_dropout") == 0.05
    assert config.option("modules_to_save") is None
    assert config.option("megatron_core") == "megatron.core"
    assert config.unknown_keys == {}
    assert config.peft_type == "LORA"
    assert config.model is not None
    assert config.model.name == "meta-llama/Llama-2-7b-hf"
    assert config.model.span == Span(4, 30, 4, 56)
    assert config.model.head == "causal-lm"
    assert config.model.source_path == "llama_list/adapter_config.json"


def test_null_targets_stay_none_and_old_keys_are_unknown() -> None:
    config = only_config("null_targets")
    assert config.target_modules == Located(None, Span(13, 21, 13, 25))
    assert config.unknown_keys == {
        "enable_lora": Span(4, 3, 4, 16),
        "merge_weights": Span(9, 3, 9, 18),
    }
    assert config.model is not None
    assert config.model.name == "/home/user/checkpoints/opt-350m"  # local paths pass as-is
    assert config.model.head is None  # task_type: null


def test_regex_target_and_revision() -> None:
    config = only_config("regex_target")
    assert config.target_modules == Located(r".*\.(q_proj|v_proj)", Span(6, 21, 6, 43))
    assert config.option("exclude_modules") == "lm_head"
    assert config.facts.revision == "main"
    assert config.option("peft_version") == "0.17.1"


def test_tab_indented_seq_cls() -> None:
    config = only_config("seq_cls")
    assert config.model is not None
    assert config.model.head == "seq-cls"
    target = config.target_modules
    assert isinstance(target, Located)
    assert [i.span for i in target.items] == [Span(6, 21, 6, 28), Span(6, 30, 6, 37)]
    assert config.option("modules_to_save") == ["classifier", "score"]


def test_other_peft_types_keep_their_own_fields() -> None:
    config = only_config("loha")
    assert config.peft_type == "LOHA"
    assert config.option("target_modules") == ["to_k", "to_q", "to_v", "to_out.0"]
    assert config.unknown_keys == {}  # alpha, rank_dropout... are LoHa fields
    assert config.facts.unknown_keys_unchecked


def test_trailing_comma_is_ll000() -> None:
    result = extract("trailing_comma")
    assert result.configs == []
    [finding] = result.findings
    assert finding.code == "LL000"
    assert "trailing comma" in finding.message
    assert finding.span == Span(7, 13, 7, 14)


def test_comments_are_ll000() -> None:
    result = extract("comments")
    [finding] = result.findings
    assert finding.code == "LL000"
    assert "comments are not allowed" in finding.message
    assert (finding.span.line, finding.span.column) == (2, 3)


@pytest.mark.parametrize(
    ("task_type", "head"),
    [
        ("CAUSAL_LM", "causal-lm"),
        ("SEQ_CLS", "seq-cls"),
        ("TOKEN_CLS", "token-cls"),
        ("SEQ_2_SEQ_LM", "seq2seq"),
        ("QUESTION_ANS", "qa"),
        ("FEATURE_EXTRACTION", "base"),
        (None, None),
    ],
)
def test_task_type_heads(task_type: str | None, head: str | None) -> None:
    written = "null" if task_type is None else f'"{task_type}"'
    source = f'{{"peft_type": "LORA", "base_model_name_or_path": "x/y", "task_type": {written}}}'
    [config] = extract_json(source, "adapter_config.json").configs
    assert config.model is not None
    assert config.model.head == head


def test_same_config_written_as_yaml() -> None:
    source = "peft_type: LORA\nbase_model_name_or_path: x/y\ntarget_modules: [q_proj]\nrank: 4\n"
    [config] = extract_yaml(source, "adapter.yaml").configs
    assert config.source == "peft-json"
    assert config.unknown_keys == {"rank": Span(4, 1, 4, 5)}


@pytest.mark.torch
def test_lora_fields_match_installed_peft() -> None:
    peft = pytest.importorskip("peft")
    fields = {f.name for f in dataclasses.fields(peft.LoraConfig)}
    assert fields <= LORA_FIELDS | {"_custom_modules"}, sorted(fields - LORA_FIELDS)
