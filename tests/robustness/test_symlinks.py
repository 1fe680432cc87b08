"""Symlinks: broken links and loops are reported, links out of the tree are never followed.

Decision (README, "Guarantees"): a directory walk, with or without git, skips
every file that is a symlink to somewhere outside the walked directory, and
paths are always shown as found (relative to the working directory), never
resolved; so no path outside the project root ever appears in the output
because of a symlink. A sibling module reached through a link that leaves the
project is not read either. Broken links and link loops inside the tree are
read and give LL000, like any unreadable file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.robustness.helpers import run_cli, write

pytestmark = [
    pytest.mark.torch,
    pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows"),
]

AXOLOTL = "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules: [q_proj, v_prj]\n"
SCRIPT = (
    "from peft import LoraConfig\n"
    "from transformers import AutoModelForCausalLM\n"
    "from constants import TARGETS\n"
    'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
    "config = LoraConfig(target_modules=TARGETS)\n"
)


def _make(tmp_path: Path, use_git: bool) -> Path:
    outside = tmp_path / "outside"
    write(
        outside,
        {
            "out.yaml": AXOLOTL.replace("v_prj", "outside_prj"),
            "dir/x.yaml": AXOLOTL.replace("v_prj", "outside_dir_prj"),
            "constants.py": 'TARGETS = ["q_proj", "outside_const_prj"]\n',
        },
    )
    project = tmp_path / "project"
    write(project, {"configs/real.yaml": AXOLOTL, "train.py": SCRIPT})
    (project / "escape.yaml").symlink_to(outside / "out.yaml")
    (project / "relative-escape.yaml").symlink_to(Path("..") / "outside" / "out.yaml")
    (project / "linked").symlink_to(outside / "dir", target_is_directory=True)
    (project / "constants.py").symlink_to(outside / "constants.py")
    (project / "inside.yaml").symlink_to(Path("configs") / "real.yaml")
    (project / "broken.yaml").symlink_to(project / "missing.yaml")
    (project / "loop-a.yaml").symlink_to(project / "loop-b.yaml")
    (project / "loop-b.yaml").symlink_to(project / "loop-a.yaml")
    if use_git:
        subprocess.run(["git", "init", "-q"], cwd=project, check=True)
        subprocess.run(["git", "add", "train.py", "escape.yaml", "linked"], cwd=project, check=True)
    return project


@pytest.mark.parametrize("use_git", [False, True], ids=["walk", "git"])
def test_links_out_of_the_tree_are_skipped_and_never_shown(tmp_path: Path, use_git: bool) -> None:
    if use_git and shutil.which("git") is None:
        pytest.skip("git is not installed")
    project = _make(tmp_path, use_git)
    proc = run_cli("check", ".", "--offline", cwd=project)
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr
    out = proc.stdout
    assert "outside" not in out and "escape.yaml" not in out and "linked" not in out, out
    assert str(tmp_path) not in out
    assert "configs/real.yaml:3:31: LL001" in out
    assert "inside.yaml:3:31: LL001" in out  # a link inside the tree is checked, shown as found
    assert "broken.yaml:1:1: LL000" in out and "No such file" in out
    assert "loop-a.yaml:1:1: LL000" in out and "loop-b.yaml:1:1: LL000" in out
    # The sibling module behind a link that leaves the project is not read.
    assert "train.py:5:" in out and "outside_const_prj" not in out

    data = json.loads(run_cli("check", ".", "--offline", "--format", "json", cwd=project).stdout)
    paths = {f["path"] for f in data["findings"]} | {c["path"] for c in data["configs"]}
    assert all(not p.startswith(("/", "..")) for p in paths), paths
    assert data["errors"] == []


def test_explicit_symlink_is_shown_as_given(tmp_path: Path) -> None:
    project = _make(tmp_path, use_git=False)
    proc = run_cli("check", "inside.yaml", "--offline", cwd=project)
    assert proc.stdout.startswith("inside.yaml:3:31: LL001"), proc.stdout
