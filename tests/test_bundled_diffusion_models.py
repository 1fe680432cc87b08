"""Bundled diffusion models (a pipeline's ``transformer``/``unet`` component config): each
builds with diffusers on the meta device, into the tree and parameter count measured on the
real model, and PEFT's own numbers on it are lora-lint's."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from lora_lint.models.build import build_inventory, is_diffusers_config
from tests.lint_helpers import lint_files

CONFIGS = resources.files("lora_lint.models.bundled").joinpath("configs")
RAW: dict[str, dict[str, Any]] = {
    item.name: json.loads(item.read_text(encoding="utf-8"))
    for item in CONFIGS.iterdir()
    if item.name.endswith(".json")
}
FILES = sorted(f for f, entry in RAW.items() if is_diffusers_config(entry["config"]))

#: Parameters of the real model: huggingface/peft's method_comparison/image-gen results record
#: num_total_params 3,913,883,136 with num_trainable_params 38,338,560 (LoRA r=32, below).
BASE_PARAMS = {"black-forest-labs--FLUX.2-klein-base-4B.json": 3_875_544_576}
FLUX2_LORA_TARGETS = [
    "to_k",
    "add_q_proj",
    "add_k_proj",
    "add_v_proj",
    "to_out.0",
    "linear_out",
    "to_q",
    "to_qkv_mlp_proj",
    "to_add_out",
    "to_v",
    "linear_in",
]


def test_every_diffusion_entry_has_a_measured_parameter_count() -> None:
    assert FILES and set(FILES) == set(BASE_PARAMS)


@pytest.mark.torch
@pytest.mark.parametrize("file", FILES)
def test_builds_on_meta_with_the_real_parameter_count(file: str) -> None:
    pytest.importorskip("diffusers")
    entry = RAW[file]
    inventory = build_inventory(entry["config"], model_id=entry["id"], head=None)
    assert inventory.class_name == entry["config"]["_class_name"]
    assert inventory.total_params == BASE_PARAMS[file]
    assert any(m.name.endswith("attn.to_q") for m in inventory.modules)


@pytest.mark.torch
def test_flux2_lora_findings_and_count_are_peft_s(tmp_path: Path) -> None:
    """The image-gen benchmark's LoRA config on FLUX.2-klein: PEFT makes 38,338,560 params
    trainable (its results file says so too), and lora-lint counts the same; a typo is an
    LL001 that real PEFT confirms matches nothing."""
    pytest.importorskip("diffusers")
    code = f"""\
from diffusers import Flux2Transformer2DModel
from peft import LoraConfig, get_peft_model

model = Flux2Transformer2DModel.from_pretrained(
    "black-forest-labs/FLUX.2-klein-base-4B", subfolder="transformer"
)
model = get_peft_model(model, LoraConfig(r=32, lora_alpha=32, target_modules={FLUX2_LORA_TARGETS!r}))
typo = get_peft_model(model, LoraConfig(target_modules=["to_q", "to_kk"]))
"""
    result = lint_files(tmp_path, {"train.py": code})
    first, second = result.configs
    assert first.checked and first.trainable_params == 38_338_560
    errors = [(f.code, f.target) for f in result.findings if f.severity.value == "error"]
    assert errors == [("LL001", "to_kk")]
    import diffusers
    import peft
    import torch

    config = {k: v for k, v in RAW[FILES[0]]["config"].items() if not k.startswith("_")}
    with torch.device("meta"):
        model = diffusers.Flux2Transformer2DModel.from_config(config)
    with pytest.raises(ValueError):
        peft.get_peft_model(model, peft.LoraConfig(target_modules=["to_kk"]))


def test_a_pipeline_s_components_are_its_models(tmp_path: Path) -> None:
    """``pipe.transformer`` of a pipeline loaded from the repository is the bundled
    transformer; another component (``text_encoder``) or the pipeline itself is not checked
    against it."""
    pytest.importorskip("diffusers")
    code = """\
from diffusers import Flux2KleinPipeline
from peft import LoraConfig, get_peft_model

pipe = Flux2KleinPipeline.from_pretrained("black-forest-labs/FLUX.2-klein-base-4B")
pipe.transformer = get_peft_model(pipe.transformer, LoraConfig(target_modules=["to_q", "to_kk"]))
pipe.text_encoder.add_adapter(LoraConfig(target_modules=["q_proj"]))
get_peft_model(pipe, LoraConfig(target_modules=["to_q"]))
"""
    result = lint_files(tmp_path, {"train.py": code})
    assert [c.checked for c in result.configs] == [True, False, False]
    errors = [(f.code, f.target) for f in result.findings if f.severity.value == "error"]
    assert errors == [("LL001", "to_kk")]
    reasons = sorted(f.message for f in result.findings if f.code == "LL010")
    assert "pipeline is not a model" in reasons[0] and "text_encoder" in reasons[1]


def test_a_transformers_auto_class_never_loads_a_diffusion_component(tmp_path: Path) -> None:
    """``AutoModel.from_pretrained(<FLUX.2 id>, subfolder="text_encoder")`` loads another
    component (a Qwen3 text encoder) than the bundled transformer: not checked against it."""
    code = """\
from transformers import AutoModel
from peft import LoraConfig, get_peft_model

encoder = AutoModel.from_pretrained("black-forest-labs/FLUX.2-klein-base-4B", subfolder="text_encoder")
encoder = get_peft_model(encoder, LoraConfig(target_modules=["q_proj"]))
"""
    result = lint_files(tmp_path, {"train.py": code})
    (summary,) = result.configs
    assert not summary.checked
    assert not [f for f in result.findings if f.severity.value == "error"]
    (why,) = [f.message for f in result.findings if f.code == "LL010"]
    assert "transformers auto class" in why
