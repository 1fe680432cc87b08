"""Notebooks saved as ``.py`` (Databricks sources, Jupytext/Colab exports): their
``%pip``/``!cmd`` lines are the notebook's, not a syntax error of the config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.extract.python import extract_python
from tests.lint_helpers import lint_files

EXPORT = (
    "# Databricks notebook source\n"
    "%pip install peft==0.5.0\n"
    "!nvidia-smi\n"
    "# COMMAND ----------\n"
    "from peft import LoraConfig, get_peft_model\n"
    "from transformers import AutoModelForCausalLM\n"
    'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
    'model = get_peft_model(model, LoraConfig(target_modules=["q_proj", "v_prj"]))\n'
)


def test_ipython_lines_of_an_exported_notebook_are_blanked() -> None:
    result = extract_python(EXPORT, "notebook.py")
    assert result.findings == []
    [config] = result.configs
    assert [item.span.line for item in config.target_modules.items] == [8, 8]  # type: ignore[union-attr]


@pytest.mark.torch
def test_exported_notebook_is_checked_at_the_right_position(tmp_path: Path) -> None:
    result = lint_files(tmp_path, {"notebook.py": EXPORT})
    assert not result.errors
    assert [(f.code, f.span.line, f.span.column) for f in result.findings] == [("LL001", 8, 68)]


def test_a_real_syntax_error_next_to_ipython_lines_is_still_ll000() -> None:
    source = "%pip install peft\nfrom peft import LoraConfig\nLoraConfig(target_modules=[\n"
    [finding] = extract_python(source, "broken.py").findings
    assert finding.code == "LL000"


def test_a_python_file_is_left_as_written() -> None:
    source = "from peft import LoraConfig\nx = 5 % 2\nLoraConfig(target_modules=['q_proj'])\n"
    result = extract_python(source, "ok.py")
    assert result.findings == [] and len(result.configs) == 1
