"""``--fix`` on notebooks (edits inside the cell source JSON strings) and shell launchers."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.fix.conftest import Run, read, write

pytestmark = [
    pytest.mark.torch,
    pytest.mark.skipif(
        importlib.util.find_spec("lora_lint.extract.notebook") is None,
        reason="the notebook front end (lora_lint/extract/notebook.py) is not in this tree",
    ),
]


def _notebook(cells: list[tuple[str, list[str]]]) -> str:
    """nbformat 4 JSON as Jupyter writes it (indent 1, one string per source line)."""
    doc = {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": lines}
            | ({"execution_count": None, "outputs": []} if kind == "code" else {})
            for kind, lines in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


NOTEBOOK = _notebook(
    [
        ("markdown", ["# LoRA\n", 'The "v_prj" typo below is on purpose.']),
        (
            "code",
            [
                "%pip install -q peft\n",
                "from peft import LoraConfig, get_peft_model\n",
                "from transformers import AutoModelForCausalLM",
            ],
        ),
        ("code", ['model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")']),
        (
            "code",
            [
                "config = LoraConfig(\n",
                "    r=8,  # rank\n",
                '    target_modules=["q_proj", "v_prj", \'o_proj,\', "q_proj"],\n',
                ")",
            ],
        ),
        ("code", ["model = get_peft_model(model, config)"]),
    ]
)


def test_notebook_cell_source_is_edited_in_place(project: Path, run: Run) -> None:
    path = write(project, "train.ipynb", NOTEBOOK)
    code, out, _ = run("--fix", "--unsafe-fixes", "train.ipynb")
    expected = NOTEBOOK.replace(
        '[\\"q_proj\\", \\"v_prj\\", \'o_proj,\', \\"q_proj\\"]',
        '[\\"q_proj\\", \\"v_proj\\", \'o_proj\']',
    )
    assert expected != NOTEBOOK
    assert read(path) == expected  # every other byte (markdown cell included) unchanged
    assert code == 0 and "All checks passed" in out and "Fixed 3 findings in 1 file." in out
    source = json.loads(read(path))["cells"][3]["source"]
    assert source[2] == '    target_modules=["q_proj", "v_proj", \'o_proj\'],\n'


def test_notebook_diff_and_safe_only(project: Path, run: Run) -> None:
    path = write(project, "train.ipynb", NOTEBOOK)
    code, out, _ = run("--diff", "train.ipynb")
    assert code == 1 and read(path) == NOTEBOOK
    changed = [
        line
        for line in out.splitlines()
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert changed == [  # safe fixes only: the duplicate goes, the misspelling stays
        '-    "    target_modules=[\\"q_proj\\", \\"v_prj\\", \'o_proj,\', \\"q_proj\\"],\\n",',
        '+    "    target_modules=[\\"q_proj\\", \\"v_prj\\", \'o_proj,\'],\\n",',
    ]
    code, _, _ = run("--fix", "train.ipynb")
    assert read(path) == NOTEBOOK.replace(', \\"q_proj\\"],', "],")


def test_notebook_multiline_duplicate_is_not_removed(project: Path, run: Run) -> None:
    """A removal across source lines would cross JSON strings: refused."""
    text = _notebook(
        [
            (
                "code",
                [
                    "from peft import LoraConfig\n",
                    "from transformers import AutoModelForCausalLM\n",
                    'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n',
                    "config = LoraConfig(target_modules=[\n",
                    '    "q_proj",\n',
                    '    "q_proj",\n',
                    "])",
                ],
            ),
        ]
    )
    path = write(project, "train.ipynb", text)
    _, out, _ = run("--fix", "train.ipynb")
    assert read(path) == text and "LL013 [warning]" in out


LAUNCHER = """#!/bin/bash
# LLaMA-Factory through its CLI
MODEL=Qwen/Qwen2.5-0.5B
TARGETS="q_proj,v_prj"   # typo

llamafactory-cli train \\
    --stage sft --do_train \\
    --model_name_or_path "${MODEL}" \\
    --finetuning_type lora \\
    --lora_target ${TARGETS} \\
    --output_dir out
"""


def test_shell_launcher_variable_is_fixed(project: Path, run: Run) -> None:
    path = write(project, "train.sh", LAUNCHER)
    code, _, _ = run("--fix", "--unsafe-fixes", "train.sh")
    assert read(path) == LAUNCHER.replace('"q_proj,v_prj"', '"q_proj,v_proj"')
    assert code == 0


MULTILINE_LAUNCHER = """#!/bin/bash
llamafactory-cli train \\
    --stage sft --do_train \\
    --model_name_or_path Qwen/Qwen2.5-0.5B \\
    --finetuning_type lora \\
    --lora_target "q_proj,
        v_prj" \\
    --output_dir out
"""


def test_shell_piece_on_its_own_line_is_fixed(project: Path, run: Run) -> None:
    """A comma-split piece inside a multi-line quoted value has its own span: the fix lands."""
    path = write(project, "train.sh", MULTILINE_LAUNCHER.replace("\n", "\r\n"))
    code, _, _ = run("--fix", "--unsafe-fixes", "train.sh")
    assert read(path) == MULTILINE_LAUNCHER.replace("v_prj", "v_proj").replace("\n", "\r\n")
    assert code == 0
