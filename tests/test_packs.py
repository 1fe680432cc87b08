"""Inventory packs: the light install (no torch) answers like the full one, and never drifts.

* codec: a generic, grouped encoding that round-trips every ModelInventory field;
* drift: regenerating the packs with the installed transformers/peft/torch gives exactly the
  shipped packs (rerun ``python scripts/build_packs.py`` when this fails);
* both routes: ``lora-lint check examples/`` gives the same findings with live meta-device
  builds and with torch/transformers/peft unimportable (packs), and a model outside the packs
  gets exactly one LL010 per config.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import pytest

from lora_lint.models import bundled, packs
from lora_lint.models.inventory import ModelInventory, ModuleInfo
from lora_lint.models.packcodec import decode_inventory, encode_inventory
from lora_lint.models.versions import library_versions

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "lora_lint" / "models" / "packs"

#: Runs lora-lint's CLI as if torch, transformers, peft and accelerate were not installed:
#: ``sys.modules[name] = None`` makes ``import name`` fail and ``find_spec(name)`` return None.
NO_META = (
    "import sys\n"
    "for name in ('torch', 'transformers', 'peft', 'accelerate'):\n"
    "    sys.modules[name] = None\n"
    "from lora_lint.cli import main\n"
    "sys.exit(main())\n"
)


def _linear(name: str, fin: int, fout: int) -> ModuleInfo:
    return ModuleInfo(name, "Linear", "linear", fin, fout, (("weight", (fout, fin)),))


def _block(prefix: str, width: int, experts: int) -> list[ModuleInfo]:
    out = [ModuleInfo(prefix, "Block", "container", has_children=True)]
    out.append(_linear(f"{prefix}.attn.q_proj", 8, 8))
    out.append(ModuleInfo(f"{prefix}.experts", "ModuleList", "container", has_children=True))
    for e in range(experts):
        out.append(_linear(f"{prefix}.experts.{e}", 8, width))
    out.append(
        ModuleInfo(
            f"{prefix}.mha",
            "MultiheadAttention",
            "multihead_attention",
            8,
            8,
            attrs=(("qkv_same_embed_dim", True), ("embed_dim", 8)),
        )
    )
    return out


def _inventory() -> ModelInventory:
    modules = [ModuleInfo("model", "Model", "container", has_children=True)]
    modules.append(ModuleInfo("model.layers", "ModuleList", "container", has_children=True))
    # Layers 0-1 dense-ish (width 16), 2-4 wider, 5 different again: three runs.
    for i in range(6):
        width = 16 if i < 2 else 32 if i < 5 else 64
        modules.extend(_block(f"model.layers.{i}", width, experts=4))
    modules.append(_linear("lm_head", 8, 100))
    modules.append(ModuleInfo("model.seq.0", "Linear", "linear", 2, 2))
    return ModelInventory(
        model_id="x/y",
        model_type="toy",
        class_name="ToyForCausalLM",
        modules=modules,
        output_embedding="lm_head",
        num_layers=6,
        total_params=123,
        summary={"hidden_size": 8, "tie_word_embeddings": None},
        versions={"transformers": "9.9"},
        notes=["a note"],
        peft_defaults={"LORA": ["q_proj"], "IA3": None},
        moe_conversion={"base": "toy", "mapping": {"a": "b"}, "fused": {"b": ["a"]}},
        aliases={"model.tied": "lm_head"},
    )


def test_codec_round_trips_every_field_and_groups_layers() -> None:
    inventory = _inventory()
    encoded = json.loads(json.dumps(encode_inventory(inventory)))
    assert decode_inventory(encoded) == inventory
    assert decode_inventory(encoded).names == inventory.names  # named_modules() order kept
    # Every dataclass field is written under its own name (new fields flow into packs).
    assert set(encoded) == {f.name for f in fields(ModelInventory)}
    assert encoded["modules"]["fields"] == [f.name for f in fields(ModuleInfo)][1:]
    rows = encoded["modules"]["rows"]
    runs = [(e["p"], e["s"], e["n"]) for e in rows if isinstance(e, dict)]
    # Layers 0-1 and 2-4 are runs; layer 5 differs and stays plain (its experts still group).
    assert runs == [
        ("model.layers.", 0, 2),
        ("model.layers.", 2, 3),
        ("model.layers.5.experts.", 0, 4),
    ]
    # Experts nest inside each layer's body as one run of four.
    body = rows[2]["b"]
    assert [(e["p"], e["s"], e["n"]) for e in body if isinstance(e, dict)] == [("experts.", 0, 4)]
    plain = json.dumps(rows)
    assert "model.layers.3" not in plain and "model.layers.5" in plain


def test_codec_ignores_unknown_columns_and_keeps_defaults_for_missing_fields() -> None:
    """A pack written by a newer lora-lint (extra column) or an older one (missing field)."""
    inventory = replace(_inventory(), notes=[])
    flat = encode_inventory(replace(inventory, modules=inventory.modules[:2]))
    flat["modules"]["fields"].append("future_column")
    for entry in flat["modules"]["rows"]:
        entry.append("x")
    del flat["notes"]
    decoded = decode_inventory(json.loads(json.dumps(flat)))
    assert decoded.modules == inventory.modules[:2] and decoded.notes == []


def test_shipped_packs_cover_every_bundled_config() -> None:
    index = packs.index()
    assert index is not None, "no usable packs: run `python scripts/build_packs.py`"
    digests = {packs.config_digest(m.config) for m in bundled.all_models()}
    assert set(index["models"]) == digests
    for entry in index["models"].values():
        assert (SHIPPED / entry["file"]).is_file()
    assert set(index["versions"]) == {"transformers", "peft", "torch", "diffusers"}
    assert index["peft_schema"]["methods"]["LORA"]["fields"]


def test_pack_answers_exactly_and_refuses_what_it_does_not_hold() -> None:
    entry = bundled.lookup("Qwen/Qwen2.5-0.5B")
    assert entry is not None
    causal = packs.answer(entry.config, "mirror/of-qwen", None)
    assert isinstance(causal, ModelInventory)
    assert causal.model_id == "mirror/of-qwen" and causal.class_name == "Qwen2ForCausalLM"
    assert causal.versions == packs.versions()
    assert "model.layers.23.self_attn.q_proj" in causal.by_name
    assert "model.layers.24.self_attn.q_proj" not in causal.by_name
    seq = packs.answer(entry.config, "q", "seq-cls")
    assert isinstance(seq, ModelInventory) and seq.seq_cls_head == "score"
    by_class = packs.answer(entry.config, "q", "Qwen2ForSequenceClassification")
    assert isinstance(by_class, ModelInventory) and by_class.names == seq.names
    # One changed value: another model, not answered from the pack.
    changed = dict(entry.config, num_hidden_layers=3)
    assert isinstance(packs.answer(changed, "q", None), str)
    assert isinstance(packs.answer(entry.config, "q", "NoSuchClassForX"), str)


def _check_json(args: list[str], cache: Path, *, meta: bool) -> dict[str, object]:
    env = dict(os.environ, LORA_LINT_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT), NO_COLOR="1")
    prefix = [sys.executable, "-m", "lora_lint"] if meta else [sys.executable, "-c", NO_META]
    proc = subprocess.run(
        [*prefix, "check", *args, "--offline", "--format", "json"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


@pytest.mark.torch
def test_both_routes_give_the_same_findings_on_examples(tmp_path: Path, shared_cache: Path) -> None:
    """The README quick start: the light install lints examples/ like the full install."""
    pack_versions = packs.versions()
    installed = library_versions()
    assert pack_versions == installed, (
        f"packs were built with {pack_versions}, installed are {installed}: "
        "run `python scripts/build_packs.py`"
    )
    live = _check_json(["examples/"], shared_cache, meta=True)
    light = _check_json(["examples/"], tmp_path / "light-cache", meta=False)
    assert live["libraries"] == {"source": "installed", **installed}
    assert light["libraries"] == {"source": "packs", **pack_versions}
    assert light["errors"] == [] and live["errors"] == []
    assert light["findings"] and light["findings"] == live["findings"]
    assert light["configs"] == live["configs"]


def test_a_model_outside_the_packs_gets_one_not_checked_finding(tmp_path: Path) -> None:
    model = tmp_path / "my-model"
    model.mkdir()
    entry = bundled.lookup("Qwen/Qwen2.5-0.5B")
    assert entry is not None
    (model / "config.json").write_text(json.dumps(dict(entry.config, num_hidden_layers=2)))
    script = tmp_path / "train.py"
    script.write_text(
        "from transformers import AutoModelForCausalLM\n"
        "from peft import LoraConfig, get_peft_model\n"
        f"model = AutoModelForCausalLM.from_pretrained({str(model)!r})\n"
        "config = LoraConfig(target_modules=['q_proj', 'nope'])\n"
        "model = get_peft_model(model, config)\n"
    )
    light = _check_json([str(script)], tmp_path / "cache", meta=False)
    findings: list[dict[str, object]] = light["findings"]  # type: ignore[assignment]
    assert [(f["code"], f["line"]) for f in findings] == [("LL010", 3)]
    assert "lora-lint[meta]" in str(findings[0]["message"])


@pytest.mark.torch
def test_packs_do_not_drift_from_the_installed_libraries(tmp_path: Path) -> None:
    """Regenerate with the installed transformers/peft/torch: must equal the shipped packs.

    Fails after upgrading a library or adding a bundled config until the packs are rebuilt
    with ``python scripts/build_packs.py`` (about a minute)."""
    from lora_lint.models.packbuild import build_packs, read_pack_dir

    build_packs(tmp_path / "packs")
    fresh, shipped = read_pack_dir(tmp_path / "packs"), read_pack_dir(SHIPPED)
    assert sorted(fresh) == sorted(shipped), "pack files differ: run scripts/build_packs.py"
    for name in fresh:
        assert fresh[name] == shipped[name], f"{name} drifted: run scripts/build_packs.py"


def _inspect_json(model: str, cache: Path, *, meta: bool) -> dict[str, object]:
    env = dict(os.environ, LORA_LINT_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT), NO_COLOR="1")
    prefix = [sys.executable, "-m", "lora_lint"] if meta else [sys.executable, "-c", NO_META]
    proc = subprocess.run(
        [*prefix, "inspect", model, "--offline", "--format", "json"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


@pytest.mark.torch
def test_inspect_gives_the_same_report_from_the_packs(tmp_path: Path, shared_cache: Path) -> None:
    live = _inspect_json("google/gemma-2-9b", shared_cache, meta=True)
    light = _inspect_json("google/gemma-2-9b", tmp_path / "light", meta=False)
    notes = light.pop("notes")
    assert any("packs" in str(n) for n in notes)  # type: ignore[attr-defined]
    live.pop("notes")
    assert light == live


def test_a_bundled_model_with_another_config_is_not_answered_from_the_packs() -> None:
    """The full config.json of a bundled model (local HF cache) is another config: the
    reason names that, and no inventory is guessed."""
    entry = bundled.lookup("Qwen/Qwen2.5-0.5B")
    assert entry is not None
    fuller = dict(entry.config, torch_dtype="bfloat16")
    reason = packs.answer(fuller, "Qwen/Qwen2.5-0.5B", None)
    assert isinstance(reason, str) and "bundled copy" in reason
    other = packs.answer(fuller, "someone/else", None)
    assert isinstance(other, str) and "bundled copy" not in other


@pytest.mark.torch
def test_the_packs_answer_for_a_diffusion_pipeline_s_transformer(tmp_path: Path) -> None:
    """FLUX.2-klein's transformer, reached through the pipeline (``pipe.transformer``) or
    loaded directly, is answered by the packs exactly like the live diffusers build."""
    script = tmp_path / "train_flux.py"
    script.write_text(
        "from diffusers import Flux2KleinPipeline, Flux2Transformer2DModel\n"
        "from peft import LoraConfig, get_peft_model\n"
        "pipe = Flux2KleinPipeline.from_pretrained('black-forest-labs/FLUX.2-klein-base-4B')\n"
        "pipe.transformer.add_adapter(LoraConfig(target_modules=['to_q', 'to_kk']))\n"
        "t = Flux2Transformer2DModel.from_pretrained(\n"
        "    'black-forest-labs/FLUX.2-klein-base-4B', subfolder='transformer'\n"
        ")\n"
        "t = get_peft_model(t, LoraConfig(r=32, target_modules=['to_q', 'to_v']))\n"
    )
    live = _check_json([str(script)], tmp_path / "live-cache", meta=True)
    light = _check_json([str(script)], tmp_path / "light-cache", meta=False)
    assert light["configs"] == live["configs"]
    assert light["findings"] == live["findings"]
    assert [c["checked"] for c in light["configs"]] == [True, True]  # type: ignore[index]
    assert [f["target"] for f in light["findings"]] == ["to_kk"]  # type: ignore[index]
