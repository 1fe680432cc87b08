"""MLX-LM: model, lora_parameters.keys (exact block-relative paths), num_layers."""

from __future__ import annotations

import pytest

from lora_lint.extract.types import Located
from tests.extract.tool_helpers import TOOLS, extract, findings, lint, only_config, spans


def test_yaml_config() -> None:
    config = only_config("mlx_lm", "lora_config.yaml", "mlx-lm")
    assert spans(config.target_modules) == [
        ("self_attn.q_proj", (13, 10, 13, 28)),
        ("self_attn.v_proj", (13, 30, 13, 48)),
        ("o_proj", (13, 50, 13, 58)),
        ("mlp.gate_prj", (13, 60, 13, 74)),
    ]
    assert config.option_keys["target_modules"] == "lora_parameters.keys"
    assert config.option("r") == 8
    assert config.option_keys["r"] == "lora_parameters.rank"
    assert config.facts.exact_block_paths is True
    layers = config.facts.num_layers
    assert isinstance(layers, Located) and layers.value == 24
    assert config.model is not None and config.model.name == "meta-llama/Llama-3.2-1B"


def test_mlx_adapter_config_json() -> None:
    [config] = extract("mlx_lm", "adapter_config.json").configs
    assert config.source == "mlx-lm"
    assert config.option("target_modules") == ["self_attn.q_proj", "self_attn.v_proj"]
    assert config.model is not None and config.model.name == "Qwen/Qwen2.5-0.5B"


def test_full_fine_tune_is_inert() -> None:
    config = only_config("mlx_lm", "full_finetune.yaml", "mlx-lm")
    assert "fine_tune_type is full" in str(config.facts.inert)
    assert config.facts.implicit_target_modules == "mlx-lm's per-architecture default keys"


@pytest.mark.torch
def test_mlx_fixtures_end_to_end() -> None:
    paths = sorted((TOOLS / "mlx_lm").glob("*.*"))
    result = lint(paths, root=TOOLS / "mlx_lm")
    assert findings(result) == [
        ("LL016", 3, 1, None),
        ("LL015", 7, 13, "24"),
        ("LL015", 13, 50, "o_proj"),
        ("LL001", 13, 60, "mlp.gate_prj"),
    ]
    by_target = {f.target: f for f in result.findings}
    assert by_target["o_proj"].suggestion == ("self_attn.o_proj",)
    assert by_target["24"].suggestion == ("16", "-1")
