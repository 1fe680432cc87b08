"""Model resolution order: mapping -> local -> HF cache -> bundled -> Hub (or LL010)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from lora_lint.models.resolve import (
    ModelResolver,
    ResolutionFailure,
    ResolvedModel,
    ResolverSettings,
)
from tests.tiny_models import TINY


def _resolver(root: Path, **kw: object) -> ModelResolver:
    return ModelResolver(ResolverSettings(project_root=root, offline=True, **kw))  # type: ignore[arg-type]


def _write_model(directory: Path, arch: str = "llama") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(TINY[arch]))
    return directory


def test_local_directory_relative_to_linted_file(tmp_path: Path) -> None:
    _write_model(tmp_path / "proj" / "models" / "tiny")
    script = tmp_path / "proj" / "train.py"
    result = _resolver(tmp_path / "elsewhere").resolve("./models/tiny", str(script))
    assert isinstance(result, ResolvedModel)
    assert result.config["model_type"] == "llama"
    assert "local directory" in result.how


def test_local_config_json_relative_to_project_root(tmp_path: Path) -> None:
    _write_model(tmp_path / "cfgs")
    result = _resolver(tmp_path).resolve("cfgs/config.json")
    assert isinstance(result, ResolvedModel) and result.local_dir == str(tmp_path / "cfgs")


def test_local_directory_shadows_bundled_id(tmp_path: Path) -> None:
    _write_model(tmp_path / "gpt2", "gpt2")
    result = _resolver(tmp_path).resolve("gpt2", str(tmp_path / "x.py"))
    assert isinstance(result, ResolvedModel) and "local" in result.how


def test_bundled_when_offline_and_gated(tmp_path: Path) -> None:
    result = _resolver(tmp_path).resolve("meta-llama/Llama-3.1-8B")
    assert isinstance(result, ResolvedModel)
    assert result.how == "bundled offline config"
    assert result.config["num_hidden_layers"] == 32


def test_mirror_says_alias_was_used(tmp_path: Path) -> None:
    result = _resolver(tmp_path).resolve("NousResearch/Meta-Llama-3.1-8B")
    assert isinstance(result, ResolvedModel)
    assert result.alias_note and "mirror" in result.alias_note


def test_project_mapping_wins(tmp_path: Path) -> None:
    _write_model(tmp_path / "private", "qwen2")
    result = _resolver(tmp_path, models={"my-org/secret": str(tmp_path / "private")}).resolve(
        "my-org/secret"
    )
    assert isinstance(result, ResolvedModel) and result.config["model_type"] == "qwen2"
    assert result.alias_note and "mapped" in result.alias_note


def test_hf_cache_is_used_before_bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub = tmp_path / "hub"
    snap = hub / "models--gpt2" / "snapshots" / "abc"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text(json.dumps({**TINY["gpt2"], "n_layer": 3}))
    (hub / "models--gpt2" / "refs").mkdir()
    (hub / "models--gpt2" / "refs" / "main").write_text("abc")
    monkeypatch.setenv("HF_HUB_CACHE", str(hub))
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_CACHE", str(hub))
    result = _resolver(tmp_path).resolve("gpt2")
    assert isinstance(result, ResolvedModel)
    assert result.how == "local Hugging Face cache" and result.config["n_layer"] == 3


def test_adapter_directory_follows_base_model(tmp_path: Path) -> None:
    adapter = tmp_path / "my-adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(
        json.dumps({"peft_type": "LORA", "base_model_name_or_path": "Qwen/Qwen2.5-0.5B"})
    )
    result = _resolver(tmp_path).resolve(str(adapter))
    assert isinstance(result, ResolvedModel) and result.model_id == "Qwen/Qwen2.5-0.5B"
    assert result.alias_note and "adapter" in result.alias_note


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("./nope/model", "does not exist"),
        ("some-org/unknown-model-xyz", "offline"),
        ("not a repo id!", "neither"),
    ],
)
def test_failures_say_why(tmp_path: Path, name: str, reason: str) -> None:
    result = _resolver(tmp_path).resolve(name)
    assert isinstance(result, ResolutionFailure)
    assert reason in result.reason and result.hint


def test_corrupt_local_config(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{oops")
    result = _resolver(tmp_path).resolve("./m")
    assert isinstance(result, ResolutionFailure) and "not valid JSON" in result.reason


def test_hub_unreachable_gives_clear_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Online mode with no route to the Hub: a short LL010 reason, no traceback, no hang."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hc, "ENDPOINT", "http://127.0.0.1:9")  # closed port: refused at once
    monkeypatch.setattr(
        hc, "HUGGINGFACE_CO_URL_TEMPLATE", "http://127.0.0.1:9/{repo_id}/resolve/{revision}/{filename}"
    )
    resolver = ModelResolver(ResolverSettings(project_root=tmp_path, offline=False, hub_timeout=2))
    import time

    started = time.monotonic()
    result = resolver.resolve("some-org/unknown-model-xyz")
    assert isinstance(result, ResolutionFailure)
    assert "could not be reached" in result.reason
    assert "HF_TOKEN" in result.hint or "offline" in result.hint or "bundled" in result.hint
    assert time.monotonic() - started < 10  # no exponential back-off


def test_offline_opens_no_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened while offline")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    result = _resolver(tmp_path).resolve("some-org/unknown-model-xyz")
    assert isinstance(result, ResolutionFailure)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unsloth/Llama-3.2-1B-Instruct-bnb-4bit", "meta-llama/Llama-3.2-1B"),
        ("TheBloke/Mistral-7B-v0.1-GPTQ", "mistralai/Mistral-7B-v0.1"),
        ("mlx-community/Qwen2.5-7B-Instruct-4bit", "Qwen/Qwen2.5-7B-Instruct"),
        ("unsloth/Qwen3-8B-unsloth-bnb-4bit", "Qwen/Qwen3-8B"),
        ("my-org/Qwen2.5-0.5B-Instruct-GPTQ-Int4", "Qwen/Qwen2.5-0.5B"),
        ("someuser/Llama-3.2-1B-Instruct-bnb-4bit", "meta-llama/Llama-3.2-1B"),
    ],
)
def test_quantized_reuploads_resolve_by_alias_offline(tmp_path: Path, name: str, expected: str) -> None:
    result = _resolver(tmp_path).resolve(name)
    assert isinstance(result, ResolvedModel) and result.model_id == expected
    assert result.alias_note and ("alias" in result.alias_note or "mirror" in result.alias_note)


@pytest.mark.parametrize(
    "name", ["unsloth/Phi-3-mini-4k-instruct-bnb-4bit", "someone/my-llama-finetune", "x/7b"]
)
def test_no_alias_guessing(tmp_path: Path, name: str) -> None:
    assert isinstance(_resolver(tmp_path).resolve(name), ResolutionFailure)


def test_an_alias_loaded_with_a_trust_remote_code_flag_is_not_taken_for_the_bundled_model(
    tmp_path: Path,
) -> None:
    """``nvidia/esm2_t6_8M_UR50D`` has the name of Meta's ESM2 but is NVIDIA's Transformer
    Engine re-implementation (its own code, ``layernorm_qkv`` modules): an alias is only a
    name, so with ``trust_remote_code`` passed at all it is not checked; without, it is."""
    from tests.lint_helpers import lint_files

    code = """\
import argparse
from transformers import AutoModelForTokenClassification
from peft import LoraConfig, get_peft_model

parser = argparse.ArgumentParser()
parser.add_argument("--trust_remote_code", action="store_true")
args = parser.parse_args()
model = AutoModelForTokenClassification.from_pretrained(
    "nvidia/esm2_t6_8M_UR50D", trust_remote_code=args.trust_remote_code
)
model = get_peft_model(model, LoraConfig(target_modules=["layernorm_qkv"]))
plain = AutoModelForTokenClassification.from_pretrained("nvidia/esm2_t6_8M_UR50D")
plain = get_peft_model(plain, LoraConfig(target_modules=["query", "nope"]))
literal = AutoModelForTokenClassification.from_pretrained(
    "nvidia/esm2_t6_8M_UR50D", trust_remote_code=False
)
literal = get_peft_model(literal, LoraConfig(target_modules=["query"]))
"""
    result = lint_files(tmp_path, {"train.py": code})
    assert [c.checked for c in result.configs] == [False, True, True]
    errors = [(f.code, f.target) for f in result.findings if f.severity.value == "error"]
    assert errors == [("LL001", "nope")]
    (why,) = [f.message for f in result.findings if f.code == "LL010"]
    assert "alias" in why and "trust_remote_code" in why
