"""Training scripts in the shapes people publish: QLoRA with argparse, unsloth, TRL, T5, RoBERTa.

Each file mirrors a common public recipe (written here). The expected findings are
exact: real mistakes are reported, and clean or dynamic code yields no false error.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lora_lint.engine import Linter
from lora_lint.settings import Settings

DATA = Path(__file__).parent / "data" / "realistic"

EXPECTED = {
    # find_all_linear_names(model) is only known at run time; r=args.lora_r is not reported.
    "qlora.py": [("LL011", 32, "find_all_linear_names")],
    "unsloth_nb.py": [],
    "trl_sft.py": [("LL006", 10, "embed_tokens")],
    "seqcls.py": [],
    "t5.py": [("LL001", 5, "'k'")],
}


@pytest.mark.torch
def test_realistic_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in EXPECTED:
        shutil.copy(DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    result = Linter(Settings(project_root=tmp_path, offline=True)).run([tmp_path])
    assert not result.errors
    got: dict[str, list[tuple[str, int, str]]] = {name: [] for name in EXPECTED}
    for f in result.findings:
        got[f.path].append((f.code, f.span.line, f.message))
    for name, expected in EXPECTED.items():
        assert [(c, line) for c, line, _ in got[name]] == [(c, line) for c, line, _ in expected], (
            name, got[name]
        )
        for (_, _, message), (_, _, needle) in zip(got[name], expected):
            assert needle in message
    models = {c.path: c.model for c in result.configs}
    assert models["qlora.py"] == "mistralai/Mistral-7B-v0.1"  # argparse default
    assert models["unsloth_nb.py"] == "meta-llama/Llama-3.1-8B"  # unsloth mirror, bundled
    assert models["trl_sft.py"] == "Qwen/Qwen2.5-0.5B"  # SFTTrainer(model="...")
