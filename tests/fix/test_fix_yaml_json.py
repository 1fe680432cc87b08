"""``--fix`` on YAML and JSON: only the scalar's characters change (comments, quotes kept)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fix.conftest import Run, read, write

pytestmark = pytest.mark.torch

AXOLOTL = (
    "# axolotl LoRA config\n"
    "base_model: Qwen/Qwen2.5-0.5B\n"
    "adapter: lora\n"
    "lora_target_modules:   # which layers\n"
    "  - q_proj\n"
    '  - "v_prj"    # typo, double-quoted\n'
    "  - 'o_prj'\n"
    "  -   k_prj\n"
    "lora_r: 8\n"
)


def test_axolotl_block_list(project: Path, run: Run) -> None:
    path = write(project, "axolotl.yaml", AXOLOTL)
    code, out, _ = run("--fix", "--unsafe-fixes", "axolotl.yaml")
    expected = (
        AXOLOTL.replace('"v_prj"', '"v_proj"')
        .replace("'o_prj'", "'o_proj'")
        .replace("-   k_prj", "-   k_proj")
    )
    assert read(path) == expected
    assert code == 0 and "Fixed 3 findings in 1 file." in out


def test_flow_list_and_duplicates(project: Path, run: Run) -> None:
    text = (
        "base_model: Qwen/Qwen2.5-0.5B\n"
        "adapter: lora\n"
        "lora_target_modules: [q_proj, v_proj, q_proj]  # flow style\n"
    )
    path = write(project, "axolotl.yml", text)
    code, _, _ = run("--fix", "axolotl.yml")
    assert read(path) == text.replace("[q_proj, v_proj, q_proj]", "[q_proj, v_proj]")
    assert code == 0


def test_block_list_duplicate_line_is_removed(project: Path, run: Run) -> None:
    text = (
        "base_model: Qwen/Qwen2.5-0.5B\n"
        "adapter: lora\n"
        "lora_target_modules:\n"
        "  - q_proj\n"
        "  - v_proj\n"
        "  - q_proj\n"
        "# trailing comment\n"
        "lora_r: 8\n"
    )
    path = write(project, "axolotl.yaml", text)
    code, _, _ = run("--fix", "axolotl.yaml")
    assert read(path) == text.replace("  - v_proj\n  - q_proj\n", "  - v_proj\n")
    assert code == 0


LLAMA_FACTORY = (
    "### model\n"
    "model_name_or_path: Qwen/Qwen2.5-0.5B\n"
    "\n"
    "### method\n"
    "stage: sft\n"
    "finetuning_type: lora\n"
    "lora_target: q_proj,v_prj,gate_prj  # two typos in one string\n"
    "lora_rank: 8\n"
)


def test_llama_factory_comma_string_pieces(project: Path, run: Run) -> None:
    path = write(project, "sft.yaml", LLAMA_FACTORY)
    code, _, _ = run("--fix", "--unsafe-fixes", "sft.yaml")
    assert read(path) == LLAMA_FACTORY.replace("q_proj,v_prj,gate_prj", "q_proj,v_proj,gate_proj")
    assert code == 0


@pytest.mark.parametrize(
    ("written", "fixed"),
    [
        ('"q_proj, v_prj"', '"q_proj, v_proj"'),
        ("'q_proj,v_proj,q_proj'", "'q_proj,v_proj'"),
        ("q_proj, v_proj, q_proj, o_proj", "q_proj, v_proj, o_proj"),
    ],
)
def test_llama_factory_quoted_and_duplicate_pieces(
    project: Path, run: Run, written: str, fixed: str
) -> None:
    text = LLAMA_FACTORY.replace("q_proj,v_prj,gate_prj", written)
    path = write(project, "sft.yaml", text)
    run("--fix", "--unsafe-fixes", "sft.yaml")
    assert read(path) == text.replace(written, fixed)


@pytest.mark.parametrize(
    "targets",
    [
        "[q_proj, &typo v_prj]",  # an anchor is written inside the scalar's span
        "[q_proj, !!str v_prj]",  # so is a tag
        '[q_proj, "v_pr\\x6a"]',  # an escape: the source is not the value
        "[q_proj, v_\n    prj]",  # a plain scalar folded over two lines
    ],
)
def test_no_fix_for_scalars_not_written_verbatim(project: Path, run: Run, targets: str) -> None:
    text = f"base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules: {targets}\n"
    path = write(project, "axolotl.yaml", text)
    code, out, _ = run("--fix", "--unsafe-fixes", "axolotl.yaml")
    assert read(path) == text
    assert code == 1 and "LL001 [error]" in out


ADAPTER_CONFIG = """{
  "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",
  "bias": "none",
  "lora_alpha": 16,
  "peft_type": "LORA",
  "r": 8,
  "target_modules": [
    "q_proj",
    "v_prj",
    "q_proj"
  ],
  "task_type": "CAUSAL_LM"
}
"""


def test_adapter_config_json(project: Path, run: Run) -> None:
    path = write(project, "adapter/adapter_config.json", ADAPTER_CONFIG)
    code, out, _ = run("--fix", "adapter")
    safe_only = ADAPTER_CONFIG.replace('"v_prj",\n    "q_proj"\n', '"v_prj"\n')
    assert read(path) == safe_only
    assert code == 1 and "Fixed 1 finding in 1 file." in out
    code, out, _ = run("--fix", "--unsafe-fixes", "adapter")
    assert read(path) == safe_only.replace('"v_prj"', '"v_proj"')
    assert json.loads(read(path))["target_modules"] == ["q_proj", "v_proj"]
    assert code == 0


def test_json_last_element_removal_keeps_json_valid(project: Path, run: Run) -> None:
    text = (
        '{"base_model_name_or_path": "Qwen/Qwen2.5-0.5B", "peft_type": "LORA",\n'
        ' "target_modules": ["q_proj", "v_proj", "v_proj"]}\n'
    )
    path = write(project, "adapter_config.json", text)
    run("--fix", "adapter_config.json")
    assert json.loads(read(path))["target_modules"] == ["q_proj", "v_proj"]
    assert read(path) == text.replace('"v_proj", "v_proj"]', '"v_proj"]')
