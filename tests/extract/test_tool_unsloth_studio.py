"""Unsloth Studio YAML (``unsloth train --config``, the UI's saved file), as Studio reads it:
comma strings split and stripped, a lone ``all-linear`` handed to PEFT as its string, ``all-linear``
beside other entries dropped, ``model`` only in the ``unsloth train`` layout."""

from __future__ import annotations

import pytest

from lora_lint.extract.tools.unsloth_studio import DEFAULT_MEANS
from lora_lint.extract.types import Located
from tests.extract.tool_helpers import TOOLS, extract, findings, lint, only_config, spans

SOURCE = "unsloth-studio"


def test_comma_string_is_split_stripped_and_empty_pieces_dropped() -> None:
    config = only_config("unsloth_studio", "qwen_lora.yaml", SOURCE)
    assert spans(config.target_modules) == [
        ("q_proj", (17, 20, 17, 26)),
        ("k_proj", (17, 28, 17, 34)),
        ("v_prj", (17, 35, 17, 40)),
    ]
    assert config.option("r") == 16
    assert config.model is not None
    assert config.model.name == "unsloth/Qwen2.5-0.5B"
    assert config.facts.tool == SOURCE
    assert config.unknown_keys == {}  # pydantic ignores extra keys; finetune_* are Studio's


def test_lone_all_linear_becomes_peft_string() -> None:
    config = only_config("unsloth_studio", "all_linear.yaml", SOURCE)
    value = config.target_modules
    assert isinstance(value, Located) and value.value == "all-linear" and not value.container


def test_all_linear_beside_other_entries_is_dropped() -> None:
    config = only_config("unsloth_studio", "mixed_all_linear.yaml", SOURCE)
    assert config.option("target_modules") == ["q_proj"]
    assert [item.value for item in config.facts.dropped_all_linear] == ["all-linear"]


def test_full_finetune_is_inert_and_empty_string_means_studio_defaults() -> None:
    config = only_config("unsloth_studio", "full_finetune.yaml", SOURCE)
    assert "target_modules" not in config.options
    assert config.facts.tool_expands_targets == DEFAULT_MEANS
    assert "training_type is full" in str(config.facts.inert)


def test_ui_file_list_all_linear_has_no_model() -> None:
    config = only_config("unsloth_studio", "ui_saved.yaml", SOURCE)
    assert config.option("target_modules") == "all-linear"
    assert config.model is None  # the Studio UI picks the model, not the file


def test_list_in_cli_layout_is_not_tied_to_the_model_key() -> None:
    # ``unsloth train`` rejects a list (str field); the UI takes it but ignores ``model``.
    config = only_config("unsloth_studio", "cli_list.yaml", SOURCE)
    assert config.option("target_modules") == ["q_proj", "v_prj"]
    assert config.model is None


def test_other_lora_sections_are_not_studio() -> None:
    from lora_lint.extract.yaml import extract_yaml

    text = "model: Qwen/Qwen2.5-0.5B\nlora:\n  r: 8\n  target_modules: [q_proj]\n"
    [config] = extract_yaml(text, "train.yaml").configs
    assert config.source != SOURCE
    assert extract("unsloth_studio", "vision.yaml").configs[0].source == SOURCE


@pytest.mark.torch
def test_unsloth_studio_fixtures_end_to_end() -> None:
    result = lint(sorted((TOOLS / "unsloth_studio").glob("*.yaml")), root=TOOLS / "unsloth_studio")
    assert [f for f in findings(result) if f[0] != "LL010"] == [
        ("LL016", 3, 3, None),
        ("LL001", 17, 35, "v_prj"),
    ]
    summaries = {s.path.rsplit("/", 1)[-1]: s for s in result.configs}
    assert summaries["all_linear.yaml"].checked
    assert summaries["vision.yaml"].not_checked == (
        "Unsloth Studio ignores lora.target_modules on a vision model"
    )
