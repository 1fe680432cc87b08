"""The one line index: every reported position counts lines the same way.

``str.splitlines`` also splits on ``\\x0c``, ``\\x1c``, U+2028 ...; no file type does, so a
finding and the comment that suppresses it must still agree on the line when a file holds
such characters (or a lone ``\\r``, which libcst counts and ``tokenize`` does not).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.extract.frontends import by_format
from lora_lint.lineindex import NEWLINE, REPORTED, YAML_BREAKS, LineIndex
from lora_lint.suppress import suppressions_in
from tests.lint_helpers import lint_files


def test_points_and_offsets_round_trip() -> None:
    text = "ab\r\ncd\re\u2028f\x0cg\nh"
    index = LineIndex(text)
    assert len(index) == 4
    assert [line for _, _, line in index.lines()] == ["ab", "cd", "e\u2028f\x0cg", "h"]
    for offset in range(len(text) + 1):
        line, column = index.point(offset, within_line=True)
        back = index.offset(line, column)
        assert back is not None and index.point(back) == (line, column)
    assert index.point(text.index("g")) == (3, 5)
    assert index.point(3, within_line=True) == (1, 3)  # inside "\r\n": the line's end
    assert index.offset(1, 4) is None  # past the end of line 1
    assert index.span(4, 6).column == 1 and index.span(4, 6).end_column == 3


def test_tool_rules() -> None:
    text = "a\rb\u2028c\nd"
    assert len(LineIndex(text, NEWLINE)) == 2
    assert len(LineIndex(text, YAML_BREAKS)) == 4
    assert len(LineIndex(text, REPORTED)) == 3
    assert by_format("python").line_breaks is NEWLINE
    assert by_format("yaml").line_breaks is YAML_BREAKS


def test_byte_offset_counts_utf8_columns() -> None:
    index = LineIndex("x\né = 'ü'\n")
    assert index.byte_offset(2, 6) == 2 + 5  # "é = '" is 6 bytes, 5 characters
    assert index.byte_offset(9, 0) is None


@pytest.mark.parametrize(
    ("suffix", "text", "line"),
    [
        (".py", "a = 1\rb = 2\nc = 3  # noqa: LL001\n", 3),
        (".py", "\x0ca = 1\nb = 2  # noqa: LL001\n", 2),
        (".yaml", "a: 'x\u2028y'\nb: 1  # noqa: LL001\n", 2),
        (".yaml", "a: 1\rb: 1  # noqa: LL001\n", 2),
        (".sh", "echo '\x0c\u2028'\ntrue  # noqa: LL001\n", 2),
        (".txt", "a\x1cb\u2028c\nd  # noqa: LL001\n", 2),
    ],
)
def test_comment_lines_use_the_reported_rule(suffix: str, text: str, line: int) -> None:
    [found] = suppressions_in(text, suffix)
    assert found.line == line


AXOLOTL = (
    "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\n{odd}lora_target_modules: [q_proj, v_prj]{c}\n"
)
PYTHON = (
    "from peft import LoraConfig, get_peft_model\n"
    "from transformers import AutoModelForCausalLM\n"
    "{odd}"
    'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
    'config = LoraConfig(target_modules=["q_proj", "v_prj"]){c}\n'
    "model = get_peft_model(model, config)\n"
)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("name", "template", "odd", "line"),
    [
        ("train.py", PYTHON, "x = 1\ry = 2\n", 6),
        ("train.py", PYTHON, "\x0cx = 1\n", 5),
        ("train.py", PYTHON, "# a\u2028b\x1cc\n", 5),
        ("axolotl.yaml", AXOLOTL, "note: 'a\u2028b'\nnext: 'c\u2029d'\n", 5),
        ("axolotl.yaml", AXOLOTL, "note: 1\rother: 2\n", 5),
    ],
)
def test_finding_and_its_suppression_agree(
    tmp_path: Path, name: str, template: str, odd: str, line: int
) -> None:
    plain = lint_files(tmp_path / "plain", {name: template.format(odd=odd, c="")})
    assert [(f.code, f.span.line) for f in plain.findings] == [("LL001", line)]
    quiet = lint_files(tmp_path / "quiet", {name: template.format(odd=odd, c="  # noqa: LL001")})
    assert [f.code for f in quiet.findings] == []
