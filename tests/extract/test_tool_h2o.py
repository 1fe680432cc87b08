"""H2O LLM Studio: llm_backbone + training.lora_* (comma string; empty = all linear)."""

from __future__ import annotations

import pytest

from lora_lint.extract.tools.h2o import ALL_MEANS
from tests.extract.tool_helpers import TOOLS, findings, lint, only_config, spans


def test_comma_string_is_split_with_piece_spans() -> None:
    config = only_config("h2o", "danube_lora.yaml", "h2o-llmstudio")
    assert spans(config.target_modules) == [
        ("q_proj", (34, 26, 34, 32)),
        ("k_proj", (34, 34, 34, 40)),
        ("v_prj", (34, 41, 34, 46)),
    ]
    assert config.option("r") == 4
    assert config.option_keys["target_modules"] == "lora_target_modules"
    assert not config.facts.inert
    assert config.model is not None
    assert config.model.name == "Qwen/Qwen2.5-0.5B"
    assert config.model.trust_remote_code is True


def test_empty_string_means_every_linear_leaf_outside_heads() -> None:
    config = only_config("h2o", "all_linear_lora_off.yaml", "h2o-llmstudio")
    assert "target_modules" not in config.options
    assert config.add_all_linear_leaves is True
    assert config.facts.implicit_target_modules == ALL_MEANS
    assert config.facts.inert == (
        "training.lora is not true, so H2O LLM Studio ignores the lora_* keys"
    )


@pytest.mark.torch
def test_h2o_fixtures_end_to_end() -> None:
    result = lint(sorted((TOOLS / "h2o").glob("*.yaml")), root=TOOLS / "h2o")
    assert findings(result) == [("LL016", 5, 5, None), ("LL001", 34, 41, "v_prj")]
