"""A commit that changes only a shared constants module re-checks the files importing it.

pre-commit passes only the changed file (``lora_targets.py``); lora-lint adds the project
files whose extraction read it (known from the import index in the cache directory) and
reports their findings.
"""

from __future__ import annotations

from pathlib import Path

from lora_lint.engine import Linter
from lora_lint.settings import Settings

TRAIN = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

from lora_targets import TARGETS

model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
config = LoraConfig(r=8, target_modules=TARGETS)
model = get_peft_model(model, config)
"""


def _project(root: Path) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (root / "lora_targets.py").write_text('TARGETS = ["q_proj", "v_proj"]\n')
    (root / "train.py").write_text(TRAIN)
    (root / "notes.py").write_text("print('unrelated')\n")


def _run(root: Path, cache: Path, *names: str, **settings: object) -> tuple[list, int]:
    config = Settings(project_root=root, offline=True, cache_dir=cache)
    for key, value in settings.items():
        setattr(config, key, value)
    result = Linter(config).run([root / n for n in names])
    assert result.errors == []
    return [(f.code, Path(f.path).name, f.span.line) for f in result.findings], (
        result.files_checked
    )


def test_changing_only_the_constants_module_rechecks_its_importers(
    tmp_path: Path, shared_cache: Path
) -> None:
    root, cache = tmp_path / "repo", shared_cache  # the import index is per project root
    root.mkdir()
    _project(root)
    # First run over one file of a project never seen: a one-off scan builds the index.
    assert _run(root, cache, "lora_targets.py") == ([], 2)
    (root / "lora_targets.py").write_text('TARGETS = ["q_proj", "v_prj"]\n')
    # Warm index: train.py is added and its finding (in the module, where the value is) shown.
    findings, checked = _run(root, cache, "lora_targets.py")
    assert findings == [("LL001", "lora_targets.py", 1)] and checked == 2
    # A file that imports nothing adds nothing.
    assert _run(root, cache, "notes.py") == ([], 1)
    # train.py stops importing the module (pre-commit passes train.py): no longer added.
    (root / "train.py").write_text(
        TRAIN.replace("from lora_targets import TARGETS\n", "TARGETS = ['q_proj']\n")
    )
    assert _run(root, cache, "train.py") == ([], 1)
    assert _run(root, cache, "lora_targets.py") == ([], 1)


def test_excluded_importers_and_runs_without_cache_add_nothing(
    tmp_path: Path, shared_cache: Path
) -> None:
    root, cache = tmp_path / "repo", shared_cache
    root.mkdir()
    _project(root)
    (root / "lora_targets.py").write_text('TARGETS = ["q_proj", "v_prj"]\n')
    assert _run(root, cache, "lora_targets.py", exclude=["train.py"]) == ([], 1)
    assert _run(root, cache, "lora_targets.py", no_cache=True) == ([], 1)
    assert _run(root, cache, "lora_targets.py")[1] == 2
