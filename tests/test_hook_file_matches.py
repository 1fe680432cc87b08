"""Each shipped hook selects exactly the intended files (as check-jsonschema tests its hooks).

pre-commit decides which staged files a hook gets from ``files``/``exclude``
(regexes applied with ``re.search``) and the ``identify`` tags of each path
(``types``: all must match, ``types_or``: one must, ``exclude_types``: none).
This test applies the same logic, with pre-commit's own manifest loader and
``identify``, to real sample files under ``tests/data/hooks/{positive,negative}``:
a positive path must reach every hook, a negative one no hook.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from identify.identify import tags_from_path
from pre_commit.clientlib import load_manifest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "data" / "hooks"
HOOKS: list[dict[str, Any]] = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))

#: What each hook must receive (relative to tests/data/hooks/positive).
POSITIVE = [
    "train.py",
    "scripts/finetune.py",
    "configs/axolotl.yaml",
    "configs/llama_factory.yml",
    "adapter/adapter_config.json",
    "notebooks/finetune.ipynb",
    "train.sh",
]
#: What no hook may receive (relative to tests/data/hooks/negative).
NEGATIVE = [
    "README.md",
    "weights/model.safetensors",
    "setup.cfg",
    "requirements.txt",
]


def selected(hook: dict[str, Any], path: str, tags: set[str]) -> bool:
    """Whether pre-commit would pass ``path`` (repository-relative, POSIX) to ``hook``."""
    if not re.search(hook["files"], path) or re.search(hook["exclude"], path):
        return False
    if not set(hook["types"]) <= tags:
        return False
    if hook["types_or"] and not set(hook["types_or"]) & tags:
        return False
    return not set(hook["exclude_types"]) & tags


def _check(kind: str, rel: str) -> tuple[str, set[str]]:
    sample = SAMPLES / kind / rel
    assert sample.is_file(), f"missing sample file {sample}"
    return rel, tags_from_path(str(sample))


def test_manifest_has_both_hooks() -> None:
    ids = {hook["id"]: hook for hook in HOOKS}
    assert set(ids) == {"lora-lint", "lora-lint-system", "lora-lint-fix"}
    assert ids["lora-lint"]["language"] == "python"
    assert ids["lora-lint-fix"]["language"] == "python"
    # pre-commit >= 4.4 loads `language: system` as its new name `unsupported`.
    assert ids["lora-lint-system"]["language"] in {"system", "unsupported"}
    assert ids["lora-lint-fix"]["entry"] == "lora-lint check --fix --force-exclude"
    for hook in HOOKS:
        if hook["id"] != "lora-lint-fix":
            assert hook["entry"] == "lora-lint check --force-exclude"
        assert hook["pass_filenames"] is True
        assert hook["minimum_pre_commit_version"] == "2.9.0"  # types_or


@pytest.mark.parametrize("hook", HOOKS, ids=[h["id"] for h in HOOKS])
@pytest.mark.parametrize("rel", POSITIVE)
def test_hook_selects_training_files(hook: dict[str, Any], rel: str) -> None:
    path, tags = _check("positive", rel)
    assert selected(hook, path, tags), f"{hook['id']} would not receive {path} (tags {tags})"


@pytest.mark.parametrize("hook", HOOKS, ids=[h["id"] for h in HOOKS])
@pytest.mark.parametrize("rel", NEGATIVE)
def test_hook_skips_other_files(hook: dict[str, Any], rel: str) -> None:
    path, tags = _check("negative", rel)
    assert not selected(hook, path, tags), f"{hook['id']} would receive {path} (tags {tags})"


def test_samples_are_all_listed() -> None:
    """A sample file added to tests/data/hooks without a test case would test nothing."""
    for kind, listed in (("positive", POSITIVE), ("negative", NEGATIVE)):
        on_disk = {p.relative_to(SAMPLES / kind).as_posix() for p in (SAMPLES / kind).rglob("*")}
        on_disk = {p for p in on_disk if (SAMPLES / kind / p).is_file()}
        assert on_disk == set(listed), kind
