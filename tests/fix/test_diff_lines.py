"""``--diff`` counts lines as git does: a form feed or U+2028 inside a line stays inside it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lora_lint.fix.diff import unified_diff
from lora_lint.lineindex import NEWLINE, split_keepends

OLD = "a = 1\n\x0c\nb = 'x\u2028y'  # \x1c\nc = ['q_proj', 'v_prj']\nd = 4\r\ne = 5"
NEW = OLD.replace("v_prj", "v_proj")


def test_split_keepends_only_at_the_rule() -> None:
    assert split_keepends("a\x0cb\nc\rd\r\ne") == ["a\x0cb\n", "c\r", "d\r\n", "e"]
    assert split_keepends("a\rb\nc\n", NEWLINE) == ["a\rb\n", "c\n"]
    assert split_keepends("") == []


def test_diff_lines_are_whole_lines() -> None:
    diff = unified_diff("m.py", OLD, NEW)
    body = split_keepends(diff, NEWLINE)
    assert "-c = ['q_proj', 'v_prj']\n" in diff and "+c = ['q_proj', 'v_proj']\n" in diff
    # form feed and U+2028 lines are context lines of their own, not cut in two
    assert " b = 'x\u2028y'  # \x1c\n" in diff
    assert body[-2:] == [" e = 5\n", "\\ No newline at end of file\n"]
    assert len([line for line in body if line.startswith(("-c", "+c"))]) == 2


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_applies_the_diff(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_bytes(OLD.encode())
    patch = tmp_path / "fix.patch"
    patch.write_bytes(unified_diff("m.py", OLD, NEW).encode())
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / "m.py").read_bytes() == NEW.encode()
