"""Notebooks: code cells linted as one module, spans mapped back into the .ipynb file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lora_lint.diagnostics import Span
from lora_lint.extract.notebook import build_map, extract_notebook
from lora_lint.extract.types import Located
from lora_lint.report.text import format_finding
from tests.extract.tool_helpers import findings, lint

DATA = Path(__file__).resolve().parent.parent / "data" / "notebooks"


def notebook(*cells: list[str] | str, kinds: tuple[str, ...] = ()) -> str:
    out = []
    for i, source in enumerate(cells):
        kind = kinds[i] if i < len(kinds) else "code"
        out.append({"cell_type": kind, "metadata": {}, "source": source})
    return json.dumps({"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def test_lines_map_to_the_json_file_with_escapes() -> None:
    text = notebook(
        ["x = 1\n", 'y = "a\\"b"  # note\n'], "# title", ["z = 2"], kinds=("code", "markdown")
    )
    nb = build_map(text)
    assert [(line.cell, line.line_in_cell, line.text) for line in nb.lines] == [
        (1, 1, "x = 1"),
        (1, 2, 'y = "a\\"b"  # note'),
        (3, 1, "z = 2"),
    ]
    raw = text.splitlines()
    line, column = nb.lines[1].position(5)  # the opening quote of "a\"b"
    assert raw[line - 1][column - 1 :].startswith('\\"a')
    line, column = nb.lines[1].position(13)  # the '#' after the escaped string
    assert raw[line - 1][column - 1 :].startswith("# note")
    assert nb.hint(3) == "cell 3, line 1"


def test_magics_are_blanked_and_line_count_kept() -> None:
    text = notebook(
        ["%%capture\n", "!pip install peft\n", "x = 1"], ["files = !ls\n", "%time y = 2\n", "z?"]
    )
    nb = build_map(text)
    assert nb.code == ["", "", "x = 1", "", "", ""]
    bash = build_map(notebook(["%%bash\n", "echo target_modules\n"]))
    assert bash.code == ["", ""]


def test_config_spans_and_hints_point_into_the_notebook() -> None:
    path = DATA / "llama_lora_colab.ipynb"
    text = path.read_text(encoding="utf-8")
    result = extract_notebook(text, "nb.ipynb")
    assert result.findings == []
    [config, extra] = result.configs
    target = config.target_modules
    assert isinstance(target, Located)
    raw = text.splitlines()
    third = target.items[2]
    assert isinstance(third, Located) and third.value == "v_prj"
    assert third.span == Span(64, 50, 64, 59)
    assert raw[63][49:58] == '\\"v_prj\\"'
    assert config.location_hint == "cell 6, line 1"
    assert config.model is not None and config.model.name == "meta-llama/Llama-3.2-1B"
    assert config.model.span == Span(40, 17, 40, 44)
    assert raw[39][16:43] == '\\"meta-llama/Llama-3.2-1B\\"'
    assert extra.location_hint == "cell 8, line 2"


def test_a_cell_that_is_not_python_is_left_out() -> None:
    text = notebook(
        ["from peft import LoraConfig\n"],
        ["def broken(:\n"],
        ['config = LoraConfig(target_modules=["q_proj"])'],
    )
    result = extract_notebook(text, "nb.ipynb")
    assert result.findings == []
    [config] = result.configs
    assert config.option("target_modules") == ["q_proj"]


def test_broken_json_is_ll000_at_the_error() -> None:
    text = (DATA / "broken.ipynb").read_text(encoding="utf-8")
    result = extract_notebook(text, "broken.ipynb")
    [finding] = result.findings
    assert finding.code == "LL000"
    assert finding.message.startswith("invalid notebook JSON")
    assert finding.span.line == 4
    assert (
        extract_notebook("[1, 2]", "x.ipynb")
        .findings[0]
        .message.startswith("not a Jupyter notebook")
    )


@pytest.mark.torch
def test_notebook_findings_end_to_end() -> None:
    result = lint(sorted(DATA.glob("*.ipynb")), root=DATA)
    assert findings(result) == [
        ("LL000", 4, 2, None),
        ("LL001", 64, 50, "v_prj"),
        ("LL001", 88, 56, "up_proj,"),
        ("LL010", 10, 15, None),
        ("LL017", 10, 68, "LL001"),
    ]
    hints = [f.location_hint for f in result.findings]
    assert hints == [None, "cell 6, line 4", "cell 8, line 2", "cell 1, line 2", "cell 1, line 2"]
    text = format_finding(result.findings[1])
    assert text.startswith(f"{result.findings[1].path}:64:50 (cell 6, line 4): LL001")


@pytest.mark.torch
def test_suppression_comment_inside_a_cell(tmp_path: Path) -> None:
    source = notebook(
        [
            "from transformers import AutoModelForCausalLM\n",
            'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")',
        ],
        [
            "from peft import LoraConfig, get_peft_model\n",
            'config = LoraConfig(target_modules=["q_proj", "v_prj"])  # lora-lint: ignore[LL001]\n',
            "model = get_peft_model(model, config)",
        ],
    )
    path = tmp_path / "nb.ipynb"
    path.write_text(source, encoding="utf-8")
    assert findings(lint([path], root=tmp_path)) == []
