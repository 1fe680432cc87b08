"""``lora-lint inspect`` end to end, offline (bundled Llama-3.1-8B config, meta build cached)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from lora_lint.cli import main
from lora_lint.models import bundled
from tests.inspect.inspect_helpers import peft_counts
from tests.inspect.inspect_tiny import EXTRA
from tests.peft_oracle import build_model

pytestmark = pytest.mark.torch

LLAMA = "meta-llama/Llama-3.1-8B"
#: 32 layers x (8*(4096+4096) for q_proj + 8*(4096+1024) for v_proj).
QV_8B = 32 * (8 * (4096 + 4096) + 8 * (4096 + 1024))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["inspect", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_offline_has_summary_groups_and_presets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, LLAMA, "--format", "json", "--offline")
    assert code == 0
    data = json.loads(out)
    model = data["model"]
    assert model["id"] == LLAMA and model["resolved_from"] == "bundled offline config"
    assert model["hidden_size"] == 4096 and model["num_layers"] == 32
    assert model["num_key_value_heads"] == 8 and model["vocab_size"] == 128256
    assert model["total_params"] == 8_030_261_248
    assert model["tie_word_embeddings"] is False
    assert set(model["versions"]) == {"transformers", "peft"}
    groups = {g["group"]: g for g in data["groups"]}
    assert list(groups) == ["attention", "feed-forward", "embeddings", "output-head"]
    q = next(r for r in groups["attention"]["rows"] if r["name"] == "q_proj")
    assert (q["count"], q["shape"], q["lora_params_each"]) == (32, [4096, 4096], 65536)
    presets = {p["key"]: p for p in data["presets"]}
    assert presets["qv"]["cost"]["trainable_params"] == QV_8B == 3_407_872
    assert presets["qv"]["cost"]["matched_modules"] == 64
    assert presets["all-linear"]["cost"]["matched_modules"] == 224
    # The seed run's recipe: Q+V at r=8, gate/up/down at r=4 (rank_pattern).
    assert presets["qv-ffn"]["cost"]["matched_modules"] == 160
    assert presets["qv-ffn"]["cost"]["trainable_params"] == 10_485_760
    assert presets["qv-ffn"]["config"]["rank_pattern"] == {"gate_proj|up_proj|down_proj": 4}
    assert presets["qv"]["cost"]["size_bytes"] == {"bf16": 2 * QV_8B, "fp32": 4 * QV_8B}


def test_targets_q_v_gives_peft_count(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, LLAMA, "--targets", "q_proj,v_proj", "--format", "json")
    assert code == 0
    selection = json.loads(out)["selection"]
    assert selection["config"]["target_modules"] == ["q_proj", "v_proj"]
    assert selection["cost"]["trainable_params"] == 3_407_872
    assert selection["cost"]["all_params"] == 8_030_261_248 + 3_407_872
    layers = selection["tree"]["children"][0]["children"][1]["children"]
    assert [n["name"] for n in layers] == ["layers.0-31 ×32"]
    assert layers[0]["adapted_below"] == 64


def test_8b_presets_equal_peft_on_the_meta_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, LLAMA, "--format", "json")
    assert code == 0
    model = build_model(bundled.lookup(LLAMA).config)  # type: ignore[union-attr]
    for preset in json.loads(out)["presets"]:
        config = {k: v for k, v in preset["config"].items() if v not in (None, {}, [])}
        counts = peft_counts(model, **config)
        assert counts["trainable"] == preset["cost"]["trainable_params"], preset["key"]
        assert counts["all"] == preset["cost"]["all_params"], preset["key"]


def test_text_on_a_pipe_is_plain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, LLAMA, "--targets", "q_proj,v_proj", "--r", "8")
    assert code == 0
    assert "\x1b[" not in out
    assert "trainable params: 3,407,872 || all params: 8,033,669,120 || trainable%: 0.0424" in out
    assert "layers.0-31 ×32  LlamaDecoderLayer  [64 adapted]" in out
    assert "q_proj  Linear  4096→4096  ◀ LoRA r=8: 65,536 each, 2,097,152 total" in out
    code, out, _ = _run(capsys, LLAMA)
    assert "Module groups" in out and "attention Q+V (r=8)" in out and "all-linear (r=8)" in out


def test_rank_option_changes_the_presets(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, LLAMA, "--r", "16", "--format", "json")
    presets = {p["key"]: p for p in json.loads(out)["presets"]}
    assert presets["qv"]["cost"]["trainable_params"] == 2 * QV_8B
    assert presets["attn-ffn"]["config"]["rank_pattern"] == {"gate_proj|up_proj|down_proj": 8}


def test_emit(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, LLAMA, "--emit", "python")
    assert code == 0 and out.startswith("from peft import LoraConfig")
    assert "target_modules=['q_proj', 'v_proj']" in out
    code, out, _ = _run(capsys, LLAMA, "--targets", "all-linear", "--emit", "axolotl")
    assert "lora_target_linear: true" in out
    code, out, _ = _run(
        capsys, LLAMA, "--preset", "attn-ffn", "--emit", "peft-json", "--alpha", "32"
    )
    data = json.loads(out)
    assert data["lora_alpha"] == 32 and data["rank_pattern"] == {"gate_proj|up_proj|down_proj": 4}


def test_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "nobody/no-such-model", "--offline")
    assert code == 2 and "cannot resolve" in err
    code, out, _ = _run(capsys, LLAMA, "--targets", "q_projj")
    assert code == 1 and "PEFT raises (not-found)" in out
    code, _, err = _run(capsys, LLAMA, "--r", "0")
    assert code == 2


def test_local_vlm_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps(EXTRA["llava"]))
    code, out, _ = _run(capsys, str(tmp_path), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [g["group"] for g in data["groups"]] == [
        "attention",
        "feed-forward",
        "embeddings",
        "output-head",
        "vision-tower",
        "projector",
    ]
    qv = next(p for p in data["presets"] if p["key"] == "qv")
    assert isinstance(qv["config"]["target_modules"], str)  # a regex avoiding the vision tower
    assert qv["cost"]["matched_modules"] == 4


def test_rich_rendering_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a TTY the same report is drawn with rich (tables, a tree)."""
    from lora_lint.inspect import render

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    seen: list[str] = []
    original = render.write_human

    def capture(report: object, stream: object) -> None:
        tty = Tty()
        original(report, tty)  # type: ignore[arg-type]
        seen.append(tty.getvalue())

    monkeypatch.setattr(render, "write_human", capture)
    assert _run(capsys, LLAMA)[0] == 0
    assert _run(capsys, LLAMA, "--targets", "q_proj,v_proj")[0] == 0
    assert "Presets (r=8)" in seen[0] and "q_proj" in seen[0]
    assert "layers.0-31 ×32" in seen[1]
