"""Inputs that crash or stall libcst's native parser never reach it (issue 8: never crash)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lora_lint.extract.python import extract_python
from lora_lint.extract.python.guard import bracket_depth, too_deep_reason

HEADER = "from peft import LoraConfig\n"
SHAPES = {
    "parens": lambda n: "x = " + "(" * n + "1" + ")" * n,
    "unary": lambda n: "x = " + "-" * n + "1",
    "not": lambda n: "x = " + "not " * n + "1",
    "binop": lambda n: "x = " + "1+" * n + "1",
    "attr": lambda n: "x = a" + ".b" * n,
    "call": lambda n: "x = f" + "()" * n,
    "subscript": lambda n: "x = a" + "[0]" * n,
    "lambda": lambda n: "x = " + "lambda: " * n + "1",
    "ifexp": lambda n: "x = " + "1 if 1 else " * n + "1",
    "list": lambda n: "x = " + "[" * n + "]" * n,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("n", [1_500, 20_000])
def test_pathological_nesting_is_an_ll000_not_a_crash(shape: str, n: int) -> None:
    # In a subprocess: a libcst stack overflow would kill the test runner itself.
    code = HEADER + SHAPES[shape](n) + "\n"
    probe = (
        "import sys; from lora_lint.extract.python import extract_python\n"
        "r = extract_python(sys.stdin.read(), 'deep.py')\n"
        "print([f.code for f in r.findings])"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        input=code,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.strip() in ("['LL000']", "[]")


def test_reasonable_nesting_still_parses() -> None:
    code = HEADER + "config = LoraConfig(target_modules=" + "[" * 50 + "]" * 50 + ")\n"
    assert too_deep_reason(code) is None
    assert extract_python(code, "ok.py").configs


def test_newer_syntax_errors_still_reach_libcst() -> None:
    # a plain syntax error is reported by libcst with its position, not by the guard
    result = extract_python(HEADER + "config = LoraConfig(r=8,\n\ndef oops(:\n", "bad.py")
    (finding,) = result.findings
    assert finding.message.startswith("cannot parse Python: ") and "nested" not in finding.message


def test_bracket_depth_ignores_strings_and_comments() -> None:
    assert bracket_depth("x = '((((' # ((((\ny = [(1)]\n") == 2
    assert bracket_depth('s = """\n(((\n"""\n') == 0
