"""A regex that backtracks exponentially is reported (LL019), never run: check and inspect
finish in seconds on ``(\\w+\\.?)*\\.q_projX``, on which PEFT's own ``re.fullmatch`` hangs.

The CLI runs are subprocesses with a timeout, so a regression fails instead of hanging."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from lora_lint.match import regex_guard
from lora_lint.match.regex_guard import UnsafeRegex, catastrophic_reason
from tests.robustness.helpers import WITNESS, WITNESS_LINE, run_cli, write

EVIL = r"(\w+\.?)*\.q_projX"

DANGEROUS = [
    EVIL,
    r"(a*)*b",
    r"(a|a)*b",
    r"(?:\w+)+x",
    r"(a|b|ab)*c",
    r"((\w+)*)x",
    r"(x+x+)+y",
    r"^(\w+\s?)*$",
    r"(\d+|_\d+)*x",
    r"(.*a){20}",
]
SAFE = [
    r".*\.(q_proj|v_proj)",
    r"model\.layers\.\d+\.self_attn\.(q|k|v)_proj",
    r"^(?!.*vision).*(q_proj|v_proj)$",
    r"(?:\w+\.)*q_proj",
    r"(?:.*\.)?(q_proj)",
    r"(^|.*\.)lm_head($|\..*)",
    r".*?\.[^.]*\.(?P<idx>\d+)\.",
    r"(a|ab)*c",
    r"(ab+)*",
    r"(\w|\d)+x",  # one character class for re: a single way to match
    r"(\w++)*x",  # possessive: never gives characters back
    r"(?>\w+)*x",  # atomic group
    r"(.*\.)*q_proj",  # ambiguous on dots only: names have few
    r".*(layers\.(0|1|2)\.).*(q|v)_proj",
    "[",  # invalid: LL003's business
]


@pytest.mark.parametrize("pattern", DANGEROUS)
def test_detector_flags_exponential_patterns(pattern: str) -> None:
    assert catastrophic_reason(pattern) is not None
    with pytest.raises(UnsafeRegex):
        regex_guard.fullmatch(pattern, "model.layers.0.self_attn.q_proj")


@pytest.mark.parametrize("pattern", SAFE)
def test_detector_passes_ordinary_patterns(pattern: str) -> None:
    assert catastrophic_reason(pattern) is None


def test_guarded_helpers_agree_with_re_on_safe_patterns() -> None:
    name = "model.layers.0.self_attn.q_proj"
    for pattern in SAFE[:-1]:
        assert bool(regex_guard.fullmatch(pattern, name)) == bool(re.fullmatch(pattern, name))
        assert bool(regex_guard.match(pattern, name)) == bool(re.match(pattern, name))
        assert bool(regex_guard.search(pattern, name)) == bool(re.search(pattern, name))


def _seconds(pattern: str, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        re.fullmatch(pattern, text)
        best = min(best, time.perf_counter() - start)
    return best


def test_the_flagged_pattern_really_is_exponential() -> None:
    """The claim LL019 makes, measured: 6 more characters cost far more than 6 times."""
    short, long = _seconds(EVIL, "a" * 14), _seconds(EVIL, "a" * 20)
    assert long > 8 * short, (short, long)


def test_analysis_is_fast() -> None:
    start = time.perf_counter()
    for pattern in DANGEROUS + SAFE:
        catastrophic_reason.__wrapped__(pattern)  # type: ignore[attr-defined]
    assert time.perf_counter() - start < 2.0


ADAPTER = {
    "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",
    "peft_type": "LORA",
    "target_modules": EVIL,
}
PYTHON = (
    "from peft import LoraConfig\n"
    "from transformers import AutoModelForCausalLM\n"
    'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
    f"config = LoraConfig(target_modules=r'{EVIL}')\n"
)
YAML = f"base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules: '{EVIL}'\n"


@pytest.mark.torch
@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("adapter_config.json", json.dumps(ADAPTER, indent=1) + "\n", ":4:"),
        ("train.py", PYTHON, ":4:36:"),
        ("peft.yaml", f"target_modules: '{EVIL}'\nr: 8\npeft_type: LORA\n", ":1:"),
    ],
)
def test_check_reports_ll019_and_finishes(
    tmp_path: Path, name: str, content: str, where: str
) -> None:
    write(tmp_path, {name: content, "witness.yaml": WITNESS})
    start = time.perf_counter()
    proc = run_cli("check", "--offline", ".", cwd=tmp_path, timeout=120)
    elapsed = time.perf_counter() - start
    assert "internal error" not in proc.stdout + proc.stderr
    assert WITNESS_LINE in proc.stdout, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if "LL019" in line]
    assert len(lines) == 1 and lines[0].startswith(name + where), proc.stdout
    assert proc.returncode == 1
    assert elapsed < 120


@pytest.mark.torch
def test_every_regex_option_is_guarded(tmp_path: Path) -> None:
    """exclude_modules, layers_pattern, modules_to_save and rank_pattern keys go through PEFT's
    ``re`` too: each one is reported and none is run."""
    script = (
        "from peft import LoraConfig\n"
        "from transformers import AutoModelForCausalLM\n"
        'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
        "config = LoraConfig(\n"
        '    target_modules=["q_proj"],\n'
        f"    exclude_modules=r'{EVIL}',\n"
        f"    modules_to_save=[r'{EVIL}'],\n"
        f"    layers_pattern=r'{EVIL}', layers_to_transform=[0],\n"
        f"    rank_pattern={{r'{EVIL}': 4}},\n"
        ")\n"
    )
    write(tmp_path, {"train.py": script})
    proc = run_cli("check", "--offline", "train.py", cwd=tmp_path, timeout=120)
    rows = sorted(line.split(": LL019")[0] for line in proc.stdout.splitlines() if "LL019" in line)
    assert [r.split(":")[1] for r in rows] == ["6", "7", "8", "9"], proc.stdout + proc.stderr


@pytest.mark.torch
def test_axolotl_yaml(tmp_path: Path) -> None:
    write(tmp_path, {"axolotl.yaml": YAML})
    proc = run_cli("check", "--offline", "axolotl.yaml", cwd=tmp_path, timeout=120)
    assert proc.stdout.startswith("axolotl.yaml:3:22: LL019 [error] lora_target_modules="), (
        proc.stdout + proc.stderr
    )


def test_inspect_refuses_the_pattern_quickly(tmp_path: Path) -> None:
    proc = run_cli(
        "inspect", "Qwen/Qwen2.5-0.5B", "--offline", "--targets", EVIL, cwd=tmp_path, timeout=60
    )
    assert proc.returncode == 2
    assert "backtracks exponentially" in proc.stderr
    assert "Traceback" not in proc.stderr
