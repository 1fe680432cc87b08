"""Edits are applied by span and refused unless the result means exactly what was intended."""

from __future__ import annotations

import json

import pytest

from lora_lint.diagnostics import Edit, Span
from lora_lint.extract.positioned import decode_json_fragment
from lora_lint.fix.apply import FixError, apply_edits, fixed_text
from lora_lint.fix.diff import unified_diff
from lora_lint.edits.literals import body_range
from lora_lint.edits.source import SourceText
from lora_lint.rules.ll001_unknown_target_module import fix_candidate

LLAMA_LEAVES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def _src(text: str, fmt: str = "python", path: str = "train.py") -> SourceText:
    return SourceText.from_text(path, text, fmt)


def _edit(line: int, start: int, end: int, text: str) -> Edit:
    return Edit(Span(line, start, line, end), text)


def test_apply_edits_replaces_spans_from_the_end() -> None:
    src = _src("a = ['x', 'yy']\r\nb = 1\n")
    assert (
        apply_edits(src, [_edit(1, 7, 8, "X1"), _edit(1, 12, 14, "Y")])
        == "a = ['X1', 'Y']\r\nb = 1\n"
    )
    with pytest.raises(FixError, match="overlapping"):
        apply_edits(src, [_edit(1, 7, 9, "X"), _edit(1, 8, 10, "Y")])
    with pytest.raises(FixError, match="outside"):
        apply_edits(src, [_edit(3, 1, 2, "X")])


def test_python_string_body_edit_is_accepted() -> None:
    src = _src('T = ["q_proj", "v_prj"]  # c\n')
    assert fixed_text(src, [_edit(1, 17, 22, "v_proj")]) == 'T = ["q_proj", "v_proj"]  # c\n'


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        ("v_prj = 1\nT = [v_prj]\n", _edit(2, 6, 11, "v_proj")),  # a name, not a string
        ('T = [f"v_prj"]\n', _edit(1, 8, 13, "v_proj")),  # inside an f-string
        ('T = ["v_" "prj"]\n', _edit(1, 7, 9, "v_p")),  # one piece of a concatenation
        ('T = ["v_prj"]\n', _edit(1, 6, 13, "v_proj")),  # eats the quotes
        ('T = ["a\\x62"]\n', _edit(1, 7, 8, "b")),  # a string with escapes
        ('T = ["q", "v", "w"]\n', _edit(1, 9, 19, "")),  # removes two elements at once
        ("T = 'a'\nU = 'b'\n", _edit(1, 6, 7, "a\nU = 'c")),  # new statement inside the edit
    ],
)
def test_python_edits_that_change_anything_else_are_refused(text: str, edit: Edit) -> None:
    with pytest.raises(FixError):
        fixed_text(_src(text), [edit])


def test_python_element_removal() -> None:
    src = _src('T = [\n    "a",\n    "b",\n    "a",\n]\n')
    removal = Edit(Span(3, 8, 4, 8), "")
    assert fixed_text(src, [removal]) == 'T = [\n    "a",\n    "b",\n]\n'


def test_yaml_scalar_edit_must_keep_the_type() -> None:
    src = _src("targets:\n  - q_proj  # c\n  - v_prj\n", "yaml", "a.yaml")
    assert fixed_text(src, [_edit(3, 5, 10, "v_proj")]).endswith("  - v_proj\n")
    with pytest.raises(FixError):  # would become a boolean
        fixed_text(src, [_edit(3, 5, 10, "true")])
    with pytest.raises(FixError):  # breaks the document
        fixed_text(src, [_edit(3, 5, 10, "[v")])
    with pytest.raises(FixError):  # touches the key, not a value
        fixed_text(src, [_edit(1, 1, 8, "target")])


def test_json_edit_must_stay_valid_json() -> None:
    text = '{"target_modules": ["q_proj", "v_prj"]}\n'
    src = _src(text, "json", "adapter_config.json")
    fixed = fixed_text(src, [_edit(1, 32, 37, "v_proj")])
    assert json.loads(fixed) == {"target_modules": ["q_proj", "v_proj"]}
    with pytest.raises(FixError):  # removes the only separator: invalid JSON
        fixed_text(src, [_edit(1, 29, 31, "")])


def test_notebook_edit_must_stay_inside_a_code_cell() -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ['"v_prj" in prose']},
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": ['T = ["v_prj"]'],
        },
    ]
    text = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    src = _src(text, "notebook", "a.ipynb")
    code_start = text.index('T = [\\"v_prj') + len('T = [\\"') + 1
    fixed = fixed_text(src, [_edit(1, code_start, code_start + 5, "v_proj")])
    assert json.loads(fixed)["cells"][1]["source"] == ['T = ["v_proj"]']
    prose = text.index("v_prj") + 1
    with pytest.raises(FixError):
        fixed_text(src, [_edit(1, prose, prose + 5, "v_proj")])


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("v_prj", "v_proj"),
        ("gate_prj", "gate_proj"),
        ("dwn_proj", "down_proj"),
        ("kv_proj", None),  # k_proj and v_proj are both one edit away
        ("q_proj", None),  # exists (never reported), and is a known role name anyway
        ("query_key_value", None),  # a name of another architecture: a judgement
        ("v_pj", None),  # two edits on a four-letter name
        ("xyz_proj", None),  # nothing close
    ],
)
def test_fix_candidate(entry: str, expected: str | None) -> None:
    suggestions = [expected] if expected else ["k_proj"]
    assert fix_candidate(entry, LLAMA_LEAVES, suggestions) == expected


def test_fix_candidate_agrees_with_the_message() -> None:
    assert fix_candidate("v_prj", LLAMA_LEAVES, ["o_proj"]) is None


def test_body_range_and_json_fragments() -> None:
    assert body_range('"v_prj"', "v_prj", "python", bare=False) == (1, 6)
    assert body_range("rb'v_prj'", "v_prj", "python", bare=False) is None
    assert body_range("v_prj", "v_prj", "python", bare=False) is None
    assert body_range("v_prj", "v_prj", "yaml", bare=True) == (0, 5)
    assert body_range("'it''s'", "it's", "yaml", bare=True) is None
    assert decode_json_fragment('\\"a\\u00e9\\"') == ('"aé"', [0, 2, 3, 9, 11])
    assert decode_json_fragment('a"b') is None


def test_unified_diff_marks_a_missing_final_newline() -> None:
    out = unified_diff("t.py", "x = 'a'", "x = 'b'")
    assert out == (
        "--- a/t.py\n+++ b/t.py\n@@ -1 +1 @@\n"
        "-x = 'a'\n\\ No newline at end of file\n"
        "+x = 'b'\n\\ No newline at end of file\n"
    )
    assert unified_diff("t.py", "same", "same") == ""
