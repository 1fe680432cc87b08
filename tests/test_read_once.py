"""A file is read once per run: the suppression pass and the rules' fixes use the text
(and the comments) found while it was read for extraction."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lora_lint.edits import source
from tests.lint_helpers import lint_files

TRAIN = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
config = LoraConfig(target_modules=["q_proj", "v_prj", "q_proj"])  # noqa: LL011
model = get_peft_model(model, config)
"""
AXOLOTL = """\
base_model: Qwen/Qwen2.5-0.5B
adapter: lora
lora_target_modules:
  - q_proj
  - k_proj  # lora-lint: ignore[LL001]
"""
NOTES = "# lora-lint: ignore-file\nprint('no config here')\n"


def test_every_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LORA_LINT_JOBS", "1")
    reads: Counter[str] = Counter()
    real = Path.read_bytes

    def counted(self: Path) -> bytes:
        if self.name in files:
            reads[self.name] += 1
        return real(self)

    def no_reread(path: str) -> None:
        raise AssertionError(f"{path} read again to build a fix")

    files = {"train.py": TRAIN, "axolotl.yaml": AXOLOTL, "notes.py": NOTES}
    monkeypatch.setattr(Path, "read_bytes", counted)
    monkeypatch.setattr(source, "read", no_reread)
    source.forget()
    result = lint_files(tmp_path, files, no_cache=True)
    assert reads == {"train.py": 1, "axolotl.yaml": 1, "notes.py": 1}
    found = {(f.path, f.code, f.span.line) for f in result.findings}
    # the typo and the duplicate carry their fixes, built from the text read once
    fixes = {f.code: f.fix for f in result.findings if f.path == "train.py"}
    assert fixes["LL001"] is not None and fixes["LL013"] is not None
    # comments came from the same read: the unused directives are reported...
    assert ("train.py", "LL017", 5) in found
    assert ("axolotl.yaml", "LL017", 5) in found
    assert ("notes.py", "LL017", 1) in found


def test_notebook_cells_are_named_on_warm_runs_too(tmp_path: Path) -> None:
    """The cell of a finding comes with the (cached) extraction, not from a second read."""
    import json

    cells = [
        {"cell_type": "markdown", "source": ["# Fine-tune"]},
        {"cell_type": "code", "source": TRAIN.splitlines(keepends=True)},
    ]
    notebook = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    runs = [
        lint_files(tmp_path, {"nb.ipynb": notebook}, cache_dir=tmp_path / "cache") for _ in range(2)
    ]
    cold, warm = ({(f.code, f.location_hint) for f in run.findings} for run in runs)
    assert ("LL001", "cell 2, line 5") in cold
    assert ("LL017", "cell 2, line 5") in cold
    assert cold == warm
