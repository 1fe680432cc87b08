"""Code CPython parses is parsed and positioned, however deeply libcst's own passes recurse:
a 490-term ``"a" + "b" + ...`` chain used to give a false LL000 (RecursionError in the
position step); it now gets the same findings as without the chain."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.robustness.helpers import assert_witness, codes, lint

pytestmark = pytest.mark.torch

HEAD = (
    "from peft import LoraConfig, get_peft_model\n"
    "from transformers import AutoModelForCausalLM\n"
    'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _chain(n: int, last: str = "a") -> str:
    return " + ".join([*(f'"a{i}"' for i in range(n - 1)), f'"{last}"'])


@pytest.mark.parametrize("terms", [490, 1500])
def test_long_plus_chain_is_parsed_and_positioned(tmp_path: Path, terms: int) -> None:
    code = (
        HEAD
        + f"x = {_chain(terms)}\n"
        + 'config = LoraConfig(target_modules=["q_proj", "v_prj"])\n'
        + "model = get_peft_model(model, config)\n"
    )
    limit = sys.getrecursionlimit()
    result = lint(tmp_path, {"train.py": code})
    assert codes(result, "train.py") == [("LL001", 5, 47)], codes(result)
    assert not result.errors
    assert_witness(result)
    assert sys.getrecursionlimit() == limit  # the raised limit does not leak


def test_long_chain_as_the_value_itself(tmp_path: Path) -> None:
    """Parsed and positioned; its value is beyond the evaluator's depth budget (60), which
    says so (LL011 on the chain), never LL000."""
    chain = " + ".join(['""'] * 489 + ['"v_prj"'])
    code = HEAD + f"name = {chain}\n" + 'config = LoraConfig(target_modules=["q_proj", name])\n'
    code += "model = get_peft_model(model, config)\n"
    result = lint(tmp_path, {"train.py": code})
    found = [f for f in result.findings if f.path == "train.py"]
    assert [(f.code, f.span.line, f.span.column) for f in found] == [("LL011", 4, 8)]
    assert "nested too deeply to evaluate" in found[0].message
    assert not result.errors


def test_nesting_cpython_refuses_is_still_ll000(tmp_path: Path) -> None:
    code = HEAD + f"x = {_chain(4000)}\n" + 'config = LoraConfig(target_modules=["q_proj"])\n'
    result = lint(tmp_path, {"train.py": code})
    assert [c[0] for c in codes(result, "train.py")] == ["LL000"]
    assert_witness(result)
