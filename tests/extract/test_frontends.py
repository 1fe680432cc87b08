"""The front-end table: one entry per file type, and everything that depends on the type
reads it (discovery, size limits, pre-filter, extraction, comments, fix line breaks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint import discover
from lora_lint.edits.source import SourceText, format_of
from lora_lint.extract import frontends
from lora_lint.extract.reading import read_source
from lora_lint.lineindex import LineIndex


def test_each_suffix_has_one_front_end() -> None:
    suffixes = [s for front in frontends.FRONT_ENDS for s in front.suffixes]
    assert len(suffixes) == len(set(suffixes)) and all(s == s.lower() for s in suffixes)
    assert discover.SUFFIXES == frontends.SUFFIXES == frozenset(suffixes)
    assert frontends.front_end("Config.YML") is frontends.front_end("x.yaml")
    assert frontends.front_end("README.md") is None
    assert format_of("nb.ipynb") == "notebook" and format_of("notes.txt") is None


@pytest.mark.parametrize(
    ("name", "limit_mib", "read"),
    [("big.py", 5, False), ("big.yaml", 5, False), ("big.ipynb", 64, True)],
)
def test_size_limit_comes_from_the_table(
    tmp_path: Path, name: str, limit_mib: int, read: bool
) -> None:
    path = tmp_path / name
    path.write_text("#" * (6 * 2**20), encoding="utf-8")
    text, problem = read_source(path, name)
    assert (text is not None) is read
    if not read:
        assert problem is not None and problem.code == "LL000"
        assert f"{limit_mib} MiB" in problem.message


def test_line_breaks_per_file_type() -> None:
    """Reported positions count lines one way for every type; the table says how the
    tool that reads each type counts them (for converting the tool's own positions)."""
    text = "a\rb\nc"
    for fmt in ("python", "shell", "notebook", "yaml", "json"):
        assert len(SourceText.from_text("x", text, fmt).index) == 3
    tool_lines = {f.fix_format: len(LineIndex(text, f.line_breaks)) for f in frontends.FRONT_ENDS}
    assert tool_lines == {"python": 2, "shell": 2, "notebook": 3, "yaml": 3, "json": 3}


def test_prefilter_and_extraction_dispatch(tmp_path: Path) -> None:
    yaml_text = "adapter: lora\nlora_target_modules: [q_proj]\nbase_model: Qwen/Qwen2.5-0.5B\n"
    assert frontends.might_contain_config(Path("a.yaml"), yaml_text)
    assert not frontends.might_contain_config(Path("a.txt"), yaml_text)
    assert not frontends.might_contain_config(Path("package.json"), '{"lora_r": 8}')
    out = frontends.extract_text(tmp_path / "a.yaml", "a.yaml", yaml_text, tmp_path)
    assert [c.path for c in out.configs] == ["a.yaml"]
    assert frontends.extract_text(tmp_path / "a.txt", "a.txt", yaml_text, None).configs == []


def test_python_docstring_only_mentions_are_not_parsed(tmp_path: Path) -> None:
    text = '"""Trains with LoraConfig(target_modules=["q_proj"])."""\nprint(1)\n'
    assert frontends.might_contain_config(Path("t.py"), text)
    out = frontends.extract_text(tmp_path / "t.py", "t.py", text, tmp_path)
    assert out.configs == [] and out.findings == []


@pytest.mark.parametrize(
    ("name", "text", "lines"),
    [
        ("t.py", 's = "# noqa: LL001"\nx = 1  # noqa: LL001\n', [2]),
        ("t.sh", "cat <<EOF\n# noqa: LL001\nEOF\necho hi  # noqa: LL001\n", [4]),
        ("t.yaml", "a: |\n  # noqa: LL001\nb: 1  # noqa: LL001\n", [3]),
        ("t.json", '{"a": "# noqa: LL001"}\n', []),
        ("t.txt", "x  # noqa: LL001\n", [1]),
        ("t.py", "x = 1\n", []),
    ],
)
def test_comments_per_file_type(name: str, text: str, lines: list[int]) -> None:
    assert [c.line for c in frontends.comments_of(Path(name), text)] == lines


def test_notebook_comments_name_their_cell() -> None:
    nb = (
        '{"cells": [{"cell_type": "code", "source": ["x = 1\\n"]},'
        ' {"cell_type": "code", "source": ["y = 2\\n", "z = 3  # noqa: LL001\\n"]}],'
        ' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    (comment,) = frontends.comments_of(Path("n.ipynb"), nb)
    assert comment.hint == "cell 2, line 2" and comment.line == 1
