"""The on-disk caches under bad conditions: unusable directories, corrupt and foreign entries.

Eight concurrent cold ``lora-lint check`` processes (as pre-commit starts them) are
covered by ``tests/test_precommit.py::test_parallel_processes_share_a_cold_cache``:
identical output, only complete entries, no temporary files left.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lora_lint.engine import Linter
from lora_lint.results import RunResult
from lora_lint.extract.filecache import FileCache
from lora_lint.models import cache as cache_mod
from lora_lint.models.cache import InventoryCache, inventory_key
from lora_lint.models.inventory import ModelInventory
from lora_lint.settings import Settings
from tests.robustness.helpers import run_cli, write
from tests.tiny_models import TINY

pytestmark = pytest.mark.torch

SCRIPT = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("./tiny")
config = LoraConfig(target_modules=["q_proj", "v_prj"])
model = get_peft_model(model, config)
"""


def _project(root: Path) -> Path:
    write(root, {"tiny/config.json": json.dumps(TINY["llama"]), "train.py": SCRIPT})
    return root


def _lint(root: Path, cache_dir: Path | None) -> RunResult:
    settings = Settings(
        project_root=root, offline=True, cache_dir=cache_dir, no_cache=cache_dir is None
    )
    return Linter(settings).run([root / "train.py"])


def _summary(result: RunResult) -> list[tuple[str, int, int, str]]:
    return [(f.code, f.span.line, f.span.column, f.message) for f in result.findings]


def _inventories(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("inventory-v*/*.json"))


def test_missing_cache_directory_is_created(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    cache_dir = tmp_path / "does" / "not" / "exist"
    result = _lint(project, cache_dir)
    assert [f.code for f in result.findings] == ["LL001"]
    assert _inventories(cache_dir)
    assert all(json.loads(p.read_bytes()) for p in cache_dir.rglob("*.json"))


def test_read_only_cache_degrades_with_one_warning(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    cache_dir = tmp_path / "ro"
    cache_dir.mkdir()
    cache_dir.chmod(0o555)
    try:
        if os.access(cache_dir, os.W_OK):
            pytest.skip("running as root: chmod cannot make a directory read-only")
        proc = run_cli("check", ".", "--offline", "--cache-dir", str(cache_dir), cwd=project)
        reference = run_cli("check", ".", "--offline", "--no-cache", cwd=project)
    finally:
        cache_dir.chmod(0o755)
    assert proc.returncode == reference.returncode == 1
    assert proc.stdout == reference.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "continuing without a cache" in lines[0], proc.stderr


def test_cache_path_that_is_a_file_degrades_with_one_warning(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    write(project, {"second.py": SCRIPT.replace("./tiny", "Qwen/Qwen2.5-0.5B")})
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    proc = run_cli("check", ".", "--offline", "--cache-dir", str(blocker), cwd=project)
    reference = run_cli("check", ".", "--offline", "--no-cache", cwd=project)
    assert proc.returncode == reference.returncode == 1
    assert proc.stdout == reference.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "continuing without a cache" in lines[0], proc.stderr
    assert blocker.read_text() == "a file where the cache directory should be"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated by a crash mid-write (not atomic)
        lambda data: b"",
        lambda data: b"\x00" * len(data),
        lambda data: b"[" * 100_000,  # deeper than json can read
        lambda data: json.dumps({"failure": 42}).encode(),
        lambda data: json.dumps({"inventory": {"format": 2, "classes": 5}}).encode(),
        lambda data: json.dumps({"inventory": None}).encode(),
    ],
    ids=["truncated", "empty", "zeroed", "deep", "bad-failure", "bad-classes", "null"],
)
def test_corrupt_inventory_entry_is_rebuilt(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path / "p")
    cache_dir = tmp_path / "cache"
    first = _lint(project, cache_dir)
    (entry,) = _inventories(cache_dir)
    entry.write_bytes(damage(entry.read_bytes()))
    second = _lint(project, cache_dir)
    assert not second.errors, second.errors
    assert _summary(second) == _summary(first) and second.models_built == 1
    assert "inventory" in json.loads(entry.read_bytes())  # rewritten, complete


def test_corrupt_extraction_entries_are_misses(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    cache_dir = tmp_path / "cache"
    first = _lint(project, cache_dir)
    entries = sorted(cache_dir.glob("extract-v*/*.json"))
    assert entries
    for damage in (b"", b"{", b"[" * 100_000, b'{"format": 1, "deps": {}, "result": 3}'):
        for entry in entries:
            entry.write_bytes(damage)
        again = _lint(project, cache_dir)
        assert not again.errors and _summary(again) == _summary(first)


def _poisoned(inventory: ModelInventory) -> ModelInventory:
    """The same inventory with a module named like the typo: if it were used, LL001 vanishes."""
    from dataclasses import replace

    extra = [
        replace(m, name=m.name.replace("q_proj", "v_prj"))
        for m in inventory.modules
        if m.name.endswith("q_proj")
    ]
    return replace(inventory, modules=[*inventory.modules, *extra])


def test_entries_of_other_versions_are_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "p")
    cache_dir = tmp_path / "cache"
    first = _lint(project, cache_dir)
    assert [f.code for f in first.findings] == ["LL001"]
    (entry,) = _inventories(cache_dir)
    cache = InventoryCache(cache_dir)
    real = cache.get(entry.stem)
    assert isinstance(real, ModelInventory)
    poison = _poisoned(real)

    config, head = TINY["llama"], "causal-lm"
    assert inventory_key(config, head) == entry.stem  # the key the run uses
    foreign = [
        {"transformers": "4.0.0", "peft": "0.10.0", "torch": "2.0.0"},
        {**cache_mod.library_versions(), "peft": "0.0.1"},
        {**cache_mod.library_versions(), "transformers": "99.0"},
    ]
    for versions in foreign:
        with monkeypatch.context() as m:
            m.setattr(cache_mod, "library_versions", lambda v=versions: v)
            key = inventory_key(config, head)
        assert key != entry.stem
        cache.put(key, poison)
    with monkeypatch.context() as m:
        m.setattr(cache_mod, "__version__", "0.0.0-other", raising=False)
        key = inventory_key(config, head)
    assert key != entry.stem, "the key does not depend on lora-lint's own version"
    cache.put(key, poison)

    again = _lint(project, cache_dir)
    assert _summary(again) == _summary(first)  # the foreign entries were not used

    # Positive control: the same poisoned entry under the real key *is* used.
    cache.put(entry.stem, poison)
    assert [f.code for f in _lint(project, cache_dir).findings] == []


def test_extraction_cache_of_another_version_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lora_lint.extract import filecache

    project = _project(tmp_path / "p")
    cache = FileCache(tmp_path / "cache")
    text = SCRIPT
    key_now = cache.key(text, project / "train.py", "train.py", project)
    filecache.code_fingerprint.cache_clear()
    try:
        monkeypatch.setattr("lora_lint.__version__", "0.0.0-other")
        key_other = cache.key(text, project / "train.py", "train.py", project)
    finally:
        filecache.code_fingerprint.cache_clear()
    assert key_now != key_other
