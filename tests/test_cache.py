"""The inventory cache: warm runs never import torch; corrupt entries are rebuilt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lora_lint.models.cache import InventoryCache, inventory_key
from lora_lint.models.inventory import ModelInventory, ModuleInfo
from tests.lint_helpers import lint_files

AXOLOTL = """\
base_model: Qwen/Qwen2.5-0.5B
adapter: lora
lora_target_modules:
  - q_proj
  - v_prj
"""

PROBE = """
import sys
from lora_lint.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("torch", "transformers", "peft", "accelerate") if m in sys.modules)
print("HEAVY=" + ",".join(heavy))
sys.exit(code)
"""


def _run(cache: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, "check", "--offline", "--cache-dir", str(cache), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.torch
def test_second_run_imports_no_torch(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.yaml").write_text(AXOLOTL)
    script = project / "train.py"
    script.write_text(
        "from peft import LoraConfig\n"
        "from transformers import AutoModelForCausalLM\n"
        'model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B")\n'
        'config = LoraConfig(target_modules=["q_proj", "v_prj"])\n'
    )
    cache = tmp_path / "cache"
    cold = _run(cache, ".", cwd=project)
    assert cold.returncode == 1, cold.stderr
    assert "torch" in cold.stdout.split("HEAVY=")[1]  # the cold run did build on meta
    warm = _run(cache, ".", cwd=project)
    assert warm.returncode == 1, warm.stderr
    assert warm.stdout.split("HEAVY=")[1].strip() == ""
    assert warm.stdout.split("HEAVY=")[0] == cold.stdout.split("HEAVY=")[0]


def _inventory() -> ModelInventory:
    return ModelInventory(
        model_id="x",
        model_type="llama",
        class_name="LlamaForCausalLM",
        modules=[ModuleInfo("model.q_proj", "Linear", "linear", 4, 4, (("weight", (4, 4)),))],
    )


def test_roundtrip_and_atomic_write(tmp_path: Path) -> None:
    cache = InventoryCache(tmp_path)
    key = inventory_key({"model_type": "llama"}, "causal-lm")
    cache.put(key, _inventory())
    entries = list((tmp_path).rglob("*.json"))
    assert len(entries) == 1 and not list(tmp_path.rglob("*.tmp"))
    got = cache.get(key)
    assert isinstance(got, ModelInventory)
    assert got.by_name["model.q_proj"].in_features == 4


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b'{"inventory": {"format": 999}}', b'{"inventory": []}', b"\x00\x01"],
)
def test_corrupt_entry_is_a_miss(tmp_path: Path, content: bytes) -> None:
    cache = InventoryCache(tmp_path)
    key = inventory_key({"model_type": "llama"}, None)
    cache.put(key, _inventory())
    (path,) = list(tmp_path.rglob("*.json"))
    path.write_bytes(content)
    assert cache.get(key) is None
    cache.put(key, _inventory())  # rebuilt entry replaces the corrupt one
    assert isinstance(cache.get(key), ModelInventory)


def test_failures_are_cached_too(tmp_path: Path) -> None:
    cache = InventoryCache(tmp_path)
    cache.put("k", "model_type 'foo' is not known")
    assert cache.get("k") == "model_type 'foo' is not known"


def test_key_depends_on_versions_head_and_config(monkeypatch: pytest.MonkeyPatch) -> None:
    base = inventory_key({"model_type": "llama"}, "causal-lm")
    assert base != inventory_key({"model_type": "llama"}, "seq-cls")
    assert base != inventory_key({"model_type": "llama", "hidden_size": 8}, "causal-lm")
    from lora_lint.models import cache as cache_mod

    monkeypatch.setattr(cache_mod, "library_versions", lambda: {"peft": "0.0.1"})
    assert base != inventory_key({"model_type": "llama"}, "causal-lm")


def test_unwritable_cache_degrades_with_one_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = InventoryCache(blocker)
    cache.put("a", "x")
    cache.put("b", "y")
    assert not cache.enabled
    err = capsys.readouterr().err
    assert err.count("continuing without a cache") == 1


@pytest.mark.torch
def test_lint_uses_cache_between_runs(tmp_path: Path) -> None:
    files = {"cfg.yaml": AXOLOTL}
    first = lint_files(tmp_path, files, cache_dir=tmp_path / "c")
    second = lint_files(tmp_path, files, cache_dir=tmp_path / "c")
    assert second.models_built == 0
    assert [f.message for f in first.findings] == [f.message for f in second.findings]
    stored = list((tmp_path / "c").rglob("*.json"))
    assert stored and all(json.loads(p.read_text()) for p in stored)
