"""The issues' "done when" scenarios, verbatim, through the installed command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B")
config = LoraConfig(
    r=16,
    target_modules=["q_proj", "v_prj"],
)
model = get_peft_model(model, config)
"""

PROBE = """
import sys
from lora_lint.cli import main
code = main(sys.argv[1:])
print("HEAVY=" + ",".join(m for m in ("torch", "transformers", "peft") if m in sys.modules),
      file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.torch
def test_issue_2_done_when(tmp_path: Path) -> None:
    """LL001 for v_prj at the element, suggestion v_proj, offline, no token; warm run: no torch."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(SCRIPT)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")},
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "empty-hf-home"),
        "LORA_LINT_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(ROOT),
    }
    runs = []
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-c", PROBE, "check", "--format", "json", "train.py"],
            cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False,
        )
        assert proc.returncode == 1, proc.stderr
        runs.append(proc)
    doc = json.loads(runs[0].stdout)
    (finding,) = doc["findings"]
    assert finding["code"] == "LL001" and finding["target"] == "v_prj"
    assert (finding["line"], finding["column"]) == (7, 31)
    assert finding["suggestion"][0] == "v_proj"
    assert finding["model"] == "meta-llama/Llama-3.1-8B"
    assert "torch" in runs[0].stderr.split("HEAVY=")[1]  # cold: built on the meta device
    assert runs[1].stderr.split("HEAVY=")[1].strip() == ""  # warm: no torch/transformers/peft
    assert runs[1].stdout == runs[0].stdout
