"""A hostile model config.json ends in LL010, never in a hang, a RecursionError or gigabytes.

``"num_hidden_layers": 1000000`` used to grow past 5.5 GB without end; a deeply nested
config.json gave an internal RecursionError."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import pytest

from lora_lint.models import limits
from lora_lint.models.build import BuildError, BuildTimedOut, build_inventory
from lora_lint.models.bundled import all_models
from lora_lint.models.cache import InventoryCache
from lora_lint.models.resolve import ResolvedModel
from lora_lint.models.service import ModelService
from tests.robustness.helpers import WITNESS, WITNESS_LINE, run_cli, write
from tests.tiny_models import TINY

SCRIPT = (
    "from peft import LoraConfig, get_peft_model\n"
    "from transformers import AutoModelForCausalLM\n"
    'model = AutoModelForCausalLM.from_pretrained("./model")\n'
    'config = LoraConfig(target_modules=["q_proj"])\n'
    "model = get_peft_model(model, config)\n"
)


def _check_with_model(tmp_path: Path, config_json: str) -> str:
    write(
        tmp_path,
        {"model/config.json": config_json, "train.py": SCRIPT, "witness.yaml": WITNESS},
    )
    start = time.perf_counter()
    proc = run_cli("check", "--offline", "train.py", "witness.yaml", cwd=tmp_path, timeout=120)
    assert time.perf_counter() - start < 120
    out = proc.stdout + proc.stderr
    assert "internal error" not in out and "Traceback" not in out, out
    assert WITNESS_LINE in proc.stdout, out
    lines = [line for line in proc.stdout.splitlines() if line.startswith("train.py:3:")]
    assert len(lines) == 1 and "LL010" in lines[0], out
    return lines[0]


@pytest.mark.torch
def test_a_million_layers_is_refused_before_building(tmp_path: Path) -> None:
    config = {**TINY["llama"], "num_hidden_layers": 1_000_000}
    line = _check_with_model(tmp_path, json.dumps(config))
    assert "1,000,000 layers" in line and f"limit of {limits.MAX_LAYERS:,}" in line


@pytest.mark.torch
def test_too_many_experts_is_refused_before_building(tmp_path: Path) -> None:
    config = {**TINY["llama"], "num_hidden_layers": 100, "num_local_experts": 100_000}
    line = _check_with_model(tmp_path, json.dumps(config))
    assert "modules (layers times experts)" in line


@pytest.mark.torch
def test_deeply_nested_config_json(tmp_path: Path) -> None:
    deep = '{"model_type": "llama", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    line = _check_with_model(tmp_path, deep)
    assert "nests" in line


@pytest.mark.torch
def test_moderately_nested_config_json(tmp_path: Path) -> None:
    """Deep enough for json, too deep for a config: refused with the same LL010."""
    config = {**TINY["llama"], "x": json.loads("[" * 500 + "]" * 500)}
    line = _check_with_model(tmp_path, json.dumps(config))
    assert "nests more than" in line


def test_every_bundled_config_is_within_the_limits() -> None:
    for model in all_models():
        limits.check_config(model.config)


def test_nested_sub_config_layers_are_checked() -> None:
    config = {"model_type": "llava", "vision_config": {"depth": 5000}}
    with pytest.raises(limits.LimitExceeded, match=r"vision_config\.depth"):
        limits.check_config(config)


@pytest.mark.torch
def test_the_module_fence_stops_a_construction() -> None:
    from torch import nn

    with (
        pytest.raises(limits.LimitExceeded, match="more than 10 modules"),
        limits.build_fence(max_modules=10),
    ):
        nn.Sequential(*[nn.Linear(2, 2) for _ in range(20)])
    nn.Sequential(*[nn.Linear(2, 2) for _ in range(20)])  # the hook is gone afterwards


@pytest.mark.torch
def test_the_time_fence_stops_a_build_and_is_not_cached(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(limits, "BUILD_SECONDS", 0.001)
    with pytest.raises(BuildTimedOut, match="seconds"):
        build_inventory(dict(TINY["llama"]), model_id="tiny", head=None)
    service = ModelService(InventoryCache(tmp_path / "cache"))
    resolved = ResolvedModel(requested="tiny", model_id="tiny", config=dict(TINY["llama"]), how="")
    assert "seconds" in str(service.get(resolved, None, False))
    assert service.cache.get(service.key(resolved, None, False)) is None
    monkeypatch.setattr(limits, "BUILD_SECONDS", 240.0)
    service = ModelService(InventoryCache(tmp_path / "cache"))
    assert not isinstance(service.get(resolved, None, False), str)  # built this time
    # The stop is an ordinary exception, never one that interrupts a critical section: a
    # lock left held (logging's) would hang the next thread that logs.
    worker = threading.Thread(target=lambda: logging.getLogger("lora-lint-test").setLevel(10))
    worker.start()
    worker.join(10)
    assert not worker.is_alive()


@pytest.mark.torch
def test_module_fence_in_a_real_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """A config key the pre-check does not know still cannot grow the build without end."""
    monkeypatch.setattr(limits, "MAX_MODULES", 12)
    monkeypatch.setattr(limits, "check_config", lambda config: None)
    with pytest.raises(BuildError, match="more than 12 modules"):
        build_inventory(dict(TINY["llama"]), model_id="tiny", head=None)
