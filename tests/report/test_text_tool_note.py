"""Text output: a verdict that depends on the training tool says so, once per config."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from lora_lint.report.text import write_text
from tests.lint_helpers import lint_files

pytestmark = pytest.mark.torch

FINDING = re.compile(r"train\.py:\d+:\d+: (LL\d+) ")
TYPOS = '["q_proj", "k_prj", "v_prj", "o_proj", "gate_proj", "up_proj", "down_proj"]'


def _text(tmp_path: Path, files: dict[str, str]) -> list[str]:
    result = lint_files(tmp_path, files)
    stream = io.StringIO()
    write_text(result, stream, colour=False)
    return stream.getvalue().splitlines()


def test_unsloth_moe_note_once_under_the_configs_findings(tmp_path: Path) -> None:
    source = (
        "from unsloth import FastLanguageModel\n\n"
        'model, tokenizer = FastLanguageModel.from_pretrained("unsloth/gpt-oss-20b")\n'
        f"model = FastLanguageModel.get_peft_model(model, r=8, target_modules={TYPOS})\n"
    )
    lines = _text(tmp_path, {"train.py": source})
    found = [(i, FINDING.search(line)) for i, line in enumerate(lines)]
    codes = [m.group(1) for _, m in found if m]
    assert codes == ["LL001", "LL001"]
    notes = [i for i, line in enumerate(lines) if line.startswith("  tool: ")]
    assert len(notes) == 1
    assert "unsloth adds target_parameters" in lines[notes[0]]
    assert "experts" in lines[notes[0]]
    # under the last finding of the config (after its help/note lines), before the summary
    last_finding = max(i for i, m in found if m)
    assert last_finding < notes[0] < lines.index("")


def test_no_tool_note_when_peft_alone_decides(tmp_path: Path) -> None:
    source = (
        "from peft import LoraConfig, get_peft_model\n"
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
        'model = get_peft_model(model, LoraConfig(target_modules=["q_proj", "v_prj"]))\n'
    )
    lines = _text(tmp_path, {"train.py": source})
    assert any(": LL001 " in line for line in lines)
    assert not any(line.startswith("  tool: ") for line in lines)
