"""PEFT methods other than LoRA are judged with their own semantics, or not at all.

Each case is a snippet that real PEFT accepts (checked by ``test_peft_accepts``) and that
lora-lint once reported with LoRA's rules; a real mistake next to them is still found.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint_helpers import lint_files
from tests.peft_oracle import build_model

pytestmark = pytest.mark.torch

HEADER = "from peft import {cls}, get_peft_model\nfrom transformers import {auto}\n\n"
ROBERTA = 'model = AutoModelForSequenceClassification.from_pretrained("FacebookAI/roberta-base")\n'
QWEN = 'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'

ACCEPTED = {
    "ia3_defaults.py": ("IA3Config", ROBERTA, 'cfg = IA3Config(task_type="SEQ_CLS")\n'),
    "oft_block.py": (
        "OFTConfig",
        QWEN,
        'cfg = OFTConfig(r=0, oft_block_size=8, target_modules=["q_proj", "v_proj"])\n',
    ),
    "ln_tuning.py": (
        "LNTuningConfig",
        QWEN,
        'cfg = LNTuningConfig(target_modules=["input_layernorm", "post_attention_layernorm"])\n',
    ),
}


def _source(cls: str, model_line: str, config_line: str) -> str:
    auto = model_line.split("=")[1].split(".")[0].strip()
    return (
        HEADER.format(cls=cls, auto=auto)
        + model_line
        + config_line
        + ("model = get_peft_model(model, cfg)\n")
    )


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_configs_get_no_finding(tmp_path: Path, name: str) -> None:
    result = lint_files(tmp_path, {name: _source(*ACCEPTED[name])})
    assert [(f.code, f.message) for f in result.findings] == []


def test_adalora_rank_masks_are_not_pattern_keys(tmp_path: Path) -> None:
    adapter = (
        '{"base_model_name_or_path": "Qwen/Qwen2.5-0.5B", "peft_type": "ADALORA", '
        '"target_modules": ["q_proj", "v_proj"], "r": 8, "init_r": 12, "target_r": 8, '
        '"rank_pattern": {"model.layers.0.self_attn.q_proj.lora_E": [true, false, true]}}\n'
    )
    result = lint_files(tmp_path, {"adapter_config.json": adapter})
    assert [f.code for f in result.findings] == []


def test_a_real_typo_in_another_method_is_still_found(tmp_path: Path) -> None:
    source = _source(
        "IA3Config",
        ROBERTA,
        'cfg = IA3Config(task_type="SEQ_CLS", target_modules=["key", "valeu"], '
        "feedforward_modules=[])\n",
    )
    result = lint_files(tmp_path, {"ia3.py": source})
    assert [(f.code, f.target) for f in result.findings] == [("LL001", "valeu")]


def test_peft_accepts() -> None:
    """The 'accepted' snippets really work with the installed peft (tiny models)."""
    from peft import IA3Config, LNTuningConfig, OFTConfig, get_peft_model

    from tests.tiny_models import TINY

    roberta = dict(
        TINY["bert"], model_type="roberta", architectures=["RobertaForSequenceClassification"]
    )
    get_peft_model(build_model(roberta), IA3Config(task_type="SEQ_CLS"))
    qwen = TINY["qwen2"]
    get_peft_model(
        build_model(dict(qwen)),
        OFTConfig(r=0, oft_block_size=8, target_modules=["q_proj", "v_proj"]),
    )
    get_peft_model(
        build_model(dict(qwen)),
        LNTuningConfig(target_modules=["input_layernorm", "post_attention_layernorm"]),
    )
