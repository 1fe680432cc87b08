"""The whole feature set in one run: a repo mixing scripts, a notebook, several tools' YAML,
a shell launcher and a pyproject with model aliases, per-file-ignores and extend-exclude."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lora_lint.engine import Linter
from lora_lint.report.text import format_finding
from lora_lint.settings import load_settings

PYPROJECT = """\
[project]
name = "acme-finetune"

[tool.lora-lint]
offline = true
extend-exclude = ["vendor"]

[tool.lora-lint.models]
"acme/llama-3.2-1b-chat" = "meta-llama/Llama-3.2-1B"

[tool.lora-lint.per-file-ignores]
"experiments/**" = ["unknown-target-module"]
"""

TRAIN_PY = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("acme/llama-3.2-1b-chat")
config = LoraConfig(r=16, target_modules=["q_proj", "v_prj"])
model = get_peft_model(model, config)
"""

AXOLOTL = """\
base_model: meta-llama/Llama-3.1-8B
adapter: qlora
load_in_4bit: true
lora_r: 32
lora_alpha: 16
lora_target_modules:
  - q_proj
  - "k_proj,"
  - v_proj
"""

LLAMA_FACTORY = """\
### model
model_name_or_path: Qwen/Qwen2.5-0.5B
### method
stage: sft
do_train: true
finetuning_type: full
lora_target: q_proj,v_proj
"""

TORCHTUNE = """\
model:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_attn_modules: ['q_proj', 'v_proj', 'o_proj']
  apply_lora_to_mlp: True
  lora_rank: 64
"""

LAUNCH_SH = """\
#!/usr/bin/env bash
MODEL=Qwen/Qwen2.5-0.5B
trl sft --model_name_or_path "$MODEL" --dataset_name trl-lib/Capybara \\
  --use_peft --lora_target_modules q_proj  # noqa: LL001
"""

EXPERIMENT = "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules: [q_prj]\n"
VENDORED = "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules: [nope]\n"


def notebook() -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# QLoRA on Qwen"]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [],
            "source": [
                "!pip install -q peft\n",
                "from transformers import AutoModelForCausalLM\n",
                'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")',
            ],
        },
        {
            "cell_type": "code",
            "execution_count": 2,
            "metadata": {},
            "outputs": [],
            "source": [
                "from peft import LoraConfig, get_peft_model\n",
                'cfg = LoraConfig(target_modules=["q_proj", "k_prj"])\n',
                "model = get_peft_model(model, cfg)",
            ],
        },
    ]
    return json.dumps(
        {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


@pytest.mark.torch
def test_mixed_repository_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "pyproject.toml": PYPROJECT,
        "scripts/train.py": TRAIN_PY,
        "scripts/utils.py": "def helper():\n    return 1\n",
        "notebooks/qlora.ipynb": notebook(),
        "configs/axolotl.yaml": AXOLOTL,
        "configs/llamafactory.yaml": LLAMA_FACTORY,
        "configs/torchtune.yaml": TORCHTUNE,
        "launch.sh": LAUNCH_SH,
        "experiments/try.yaml": EXPERIMENT,
        "vendor/third_party.yaml": VENDORED,
        "README.md": "# not linted\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(tmp_path)
    result = Linter(settings).run([Path(".")])
    assert not result.errors
    got = [
        (f.path, f.span.line, f.span.column, f.code, f.target, f.location_hint)
        for f in result.findings
    ]
    assert got == [
        ("configs/axolotl.yaml", 8, 5, "LL001", "k_proj,", None),
        ("configs/llamafactory.yaml", 7, 1, "LL016", None, None),
        ("configs/torchtune.yaml", 3, 43, "LL015", "o_proj", None),
        ("launch.sh", 4, 36, "LL015", "q_proj", None),
        ("launch.sh", 4, 44, "LL017", "LL001", None),
        ("notebooks/qlora.ipynb", 28, 51, "LL001", "k_prj", "cell 3, line 2"),
        ("scripts/train.py", 5, 53, "LL001", "v_prj", None),
    ]
    by_path = {f.path: f for f in result.findings}
    assert by_path["scripts/train.py"].model == "meta-llama/Llama-3.2-1B"  # via the alias
    assert by_path["configs/axolotl.yaml"].suggestion == ("k_proj",)
    assert by_path["configs/torchtune.yaml"].model == "meta-llama/Llama-3.2-1B"
    assert by_path["notebooks/qlora.ipynb"].model == "Qwen/Qwen2.5-0.5B"
    assert format_finding(by_path["notebooks/qlora.ipynb"]).startswith(
        "notebooks/qlora.ipynb:28:51 (cell 3, line 2): LL001 [error] 'k_prj'"
    )
    # every lintable file but the excluded vendor one was checked
    assert result.files_checked == 8
    sources = sorted({c.source for c in result.configs})
    assert sources == ["axolotl", "llama-factory", "python", "torchtune", "trl"]
