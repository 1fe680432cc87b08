"""What the training tool does before PEFT sees the config is part of the verdict.

Each case is taken from the tool's own behaviour (see the adapter docstrings for the
source): a config the tool makes work gets no error, and a real mistake beside it is
still found.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from lora_lint.match.peft_semantics import PeftOptions
from lora_lint.match.tools import before_peft
from lora_lint.models.build import build_inventory
from tests.lint_helpers import lint_files
from tests.peft_oracle import build_model
from tests.tiny_zoo import ZOO

pytestmark = pytest.mark.torch

LLAMA_NAMES = '["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]'


def _codes(result) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return [(f.code, f.target) for f in result.findings]


def test_unsloth_adds_expert_parameters_on_gpt_oss(tmp_path: Path) -> None:
    source = (
        "from unsloth import FastLanguageModel\n\n"
        'model, tokenizer = FastLanguageModel.from_pretrained("unsloth/gpt-oss-20b")\n'
        f"model = FastLanguageModel.get_peft_model(model, r=8, target_modules={LLAMA_NAMES})\n"
    )
    result = lint_files(tmp_path, {"train.py": source})
    assert _codes(result) == []
    (summary,) = result.configs
    assert summary.checked and summary.tool_note and "unsloth adds" in summary.tool_note
    # attention (24 layers x 4) plus both fused expert parameters of every layer
    assert summary.matched_modules == 24 * 4 + 24 * 2


def test_plain_peft_on_gpt_oss_still_reports_the_mlp_names(tmp_path: Path) -> None:
    source = (
        "from peft import LoraConfig, get_peft_model\n"
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("openai/gpt-oss-20b")\n'
        f"model = get_peft_model(model, LoraConfig(target_modules={LLAMA_NAMES}))\n"
    )
    result = lint_files(tmp_path, {"train.py": source})
    assert sorted(_codes(result)) == [
        ("LL001", "down_proj"),
        ("LL001", "gate_proj"),
        ("LL001", "up_proj"),
    ]
    assert all("target_parameters" in f.message for f in result.findings)


def test_unsloth_step_reaches_what_peft_then_adapts() -> None:
    """The modelled unsloth step, given to the real PEFT, trains the experts."""
    from peft import LoraConfig, get_peft_model

    config = dict(ZOO["gpt_oss"])
    inventory = build_inventory(copy.deepcopy(config), model_id="gpt_oss", head=None)
    options, note = before_peft(
        "unsloth", PeftOptions(target_modules=["q_proj", "gate_proj"]), inventory, None
    )
    assert note is not None and options.target_parameters
    model = get_peft_model(
        build_model(config),
        LoraConfig(target_modules=["q_proj", "gate_proj"], target_parameters=list(options.target_parameters)),
    )
    assert any("experts.gate_up_proj" in n for n in model.base_model.targeted_parameter_names)


def test_unsloth_without_targets_is_not_judged(tmp_path: Path) -> None:
    source = (
        "from unsloth import FastModel\n\n"
        'model, tokenizer = FastModel.from_pretrained("unsloth/gemma-3-4b-it")\n'
        "model = FastModel.get_peft_model(model, finetune_vision_layers=False, r=8)\n"
    )
    result = lint_files(tmp_path, {"train.py": source})
    assert _codes(result) == []
    (summary,) = result.configs
    assert not summary.checked and "unsloth" in (summary.not_checked or "")


def test_xtuner_without_targets_is_not_judged(tmp_path: Path) -> None:
    source = (
        "from peft import LoraConfig\n"
        "from transformers import AutoModelForCausalLM\n\n"
        "model = dict(\n"
        "    type=SupervisedFinetune,\n"
        '    llm=dict(type=AutoModelForCausalLM.from_pretrained, '
        'pretrained_model_name_or_path="microsoft/phi-2"),\n'
        "    lora=dict(type=LoraConfig, r=64, lora_alpha=16, lora_dropout=0.1),\n"
        ")\n"
    )
    result = lint_files(tmp_path, {"xtuner_cfg.py": source})
    assert [c for c, _ in _codes(result) if c in ("LL009", "LL001")] == []
    (summary,) = result.configs
    assert not summary.checked and "xtuner" in (summary.not_checked or "")


def test_axolotl_without_adapter_trains_no_lora(tmp_path: Path) -> None:
    text = (
        "base_model: Qwen/Qwen2.5-0.5B\nadapter:\n"
        "lora_target_modules: [q_proj, v_prj]\nlora_dropout: 0.05\n"
    )
    result = lint_files(tmp_path, {"axolotl.yaml": text})
    assert [c for c, _ in _codes(result)] == ["LL016"]


MS_SWIFT = """\
model: Qwen/Qwen2.5-0.5B
model_name: [swift-robot, swift-robot]
tuner_type: {tuner}
target_modules: [q_proj, v_prj]
lora_rank: 8
"""


def test_ms_swift_reads_model_and_tuner_type(tmp_path: Path) -> None:
    result = lint_files(tmp_path, {"sft.yaml": MS_SWIFT.format(tuner="lora")})
    assert _codes(result) == [("LL001", "v_prj")]
    assert "Qwen/Qwen2.5-0.5B" in (result.findings[0].model or "")


def test_ms_swift_full_fine_tune_is_not_linted_as_lora(tmp_path: Path) -> None:
    result = lint_files(tmp_path, {"sft.yaml": MS_SWIFT.format(tuner="full")})
    assert "LL001" not in [c for c, _ in _codes(result)]
    (summary,) = result.configs
    assert not summary.checked


def test_ms_swift_older_train_type_key(tmp_path: Path) -> None:
    text = MS_SWIFT.format(tuner="full").replace("tuner_type", "train_type")
    result = lint_files(tmp_path, {"sft.yaml": text})
    assert "LL001" not in [c for c, _ in _codes(result)]


def test_llama_factory_all_is_its_own_expansion(tmp_path: Path) -> None:
    text = (
        "model_name_or_path: Qwen/Qwen3-30B-A3B\nstage: sft\nfinetuning_type: lora\n"
        "lora_target: all\nlora_dropout: 0.05\n"
    )
    result = lint_files(tmp_path, {"qwen3moe_lora.yaml": text})
    assert [c for c, _ in _codes(result) if c in ("LL001", "LL009", "LL014")] == []
    (summary,) = result.configs
    assert not summary.checked


@pytest.mark.parametrize(
    "name",
    ["tsconfig.json", "tsconfig.build.json", ".vscode/settings.json", "package.json",
     ".devcontainer/devcontainer.json"],
)
def test_foreign_jsonc_files_are_skipped(tmp_path: Path, name: str) -> None:
    text = '{\n  // comment\n  "compilerOptions": {"target": "es2020"},\n  "target_modules": 1,\n}\n'
    result = lint_files(tmp_path, {name: text})
    assert _codes(result) == [] and not result.errors


def test_axolotl_vision_regex_is_checked_against_the_class_axolotl_loads(tmp_path: Path) -> None:
    """axolotl loads AutoModelForImageTextToText for a VLM: names start model.language_model."""
    text = (
        "base_model: meta-llama/Llama-3.2-11B-Vision-Instruct\nprocessor_type: AutoProcessor\n"
        "adapter: lora\nlora_target_modules: "
        "'model.language_model.layers.[\\d]+.(mlp|cross_attn|self_attn).(up|down|gate|q|k|v|o)_proj'\n"
    )
    result = lint_files(tmp_path, {"mllama.yaml": text})
    assert _codes(result) == []
    assert "MllamaForConditionalGeneration" in str(result.model_notes) or result.configs[0].checked


def test_phi4_recipe_with_llama_mlp_names_is_reported(tmp_path: Path) -> None:
    """Phi-4 (phi3 architecture) fuses gate and up into gate_up_proj."""
    text = (
        "model:\n  model_name: microsoft/Phi-4-reasoning-plus\n"
        "training:\n  use_peft: true\n"
        "peft:\n  lora_r: 16\n  lora_target_modules: [qkv_proj, o_proj, gate_proj, up_proj, down_proj]\n"
    )
    result = lint_files(tmp_path, {"phi4_qlora.yaml": text})
    assert sorted(_codes(result)) == [("LL001", "gate_proj"), ("LL001", "up_proj")]
    assert "gate_up_proj" in result.findings[0].message


def test_unsloth_wraps_gemma4_clippable_linears(tmp_path: Path) -> None:
    """unsloth patches PEFT to target the inner .linear of Gemma4ClippableLinear."""
    call = 'model = {cls}.get_peft_model(model, r=8, target_modules=["q_proj", "v_proj"])\n'
    unsloth = (
        "from unsloth import FastModel\n\n"
        'model, tokenizer = FastModel.from_pretrained("google/gemma-4-E2B-it")\n'
        + call.format(cls="FastModel")
    )
    found = lint_files(tmp_path, {"u.py": unsloth}).findings
    assert [f.code for f in found if f.severity.value == "error"] == []
    plain = (
        "from peft import LoraConfig, get_peft_model\n"
        "from transformers import AutoModelForImageTextToText\n\n"
        'model = AutoModelForImageTextToText.from_pretrained("google/gemma-4-E2B-it")\n'
        'model = get_peft_model(model, LoraConfig(target_modules=["q_proj", "v_proj"]))\n'
    )
    assert {c for c, _ in _codes(lint_files(tmp_path, {"p.py": plain}))} == {"LL002"}


def test_verbose_output_says_what_the_tool_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lora_lint.cli import main

    (tmp_path / "train.py").write_text(
        "from unsloth import FastLanguageModel\n\n"
        'model, tokenizer = FastLanguageModel.from_pretrained("unsloth/gpt-oss-20b")\n'
        f"model = FastLanguageModel.get_peft_model(model, r=8, target_modules={LLAMA_NAMES})\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "train.py", "--offline", "-v"]) == 0
    err = capsys.readouterr().err
    assert "train.py:4: unsloth adds target_parameters" in err


def _phi_inventory():  # type: ignore[no-untyped-def]
    return build_inventory(copy.deepcopy(dict(ZOO["phi"])), model_id="phi", head=None)


def test_mlx_keys_are_block_paths_in_the_tool_model() -> None:
    """MLX-LM compares keys exactly with block-relative paths: a bare name PEFT would
    match is dropped by the tool, a block path is kept, a typo stays PEFT's NOTHING."""
    from lora_lint.match.verdicts import Status, judge

    inventory = _phi_inventory()
    options = PeftOptions(target_modules=["self_attn.q_proj", "v_proj", "v_prj"])
    verdict = judge(options, inventory, "mlx-lm")
    assert verdict is not None
    statuses = [(v.entry, v.status, v.suggestions) for v in verdict.targets]
    assert statuses == [
        ("self_attn.q_proj", Status.ADAPTS, ()),
        ("v_proj", Status.TOOL_DROPPED, ("self_attn.v_proj",)),
        ("v_prj", Status.NOTHING, ()),
    ]
    assert verdict.targets[2].tool_drop is None  # a typo is LL001's alone
    plain = judge(options, inventory, None)
    assert plain is not None and plain.targets[1].status is Status.ADAPTS


def test_trl_one_element_list_is_a_full_name_regex_in_the_tool_model() -> None:
    from lora_lint.match.tools import TRL_COLLAPSED
    from lora_lint.match.verdicts import Status, judge

    inventory = _phi_inventory()
    lone = judge(PeftOptions(target_modules=["q_proj"]), inventory, "trl")
    assert lone is not None and lone.targets[0].status is Status.TOOL_DROPPED
    assert lone.targets[0].suggestions == (".*\\.q_proj",)
    typo = judge(PeftOptions(target_modules=["q_prj"]), inventory, "trl")
    assert typo is not None  # LL001's typo, and TRL's collapse on top (LL015)
    assert (typo.targets[0].status, typo.targets[0].tool_drop) == (Status.NOTHING, TRL_COLLAPSED)
    head = judge(PeftOptions(target_modules=["lm_head"]), inventory, "trl")
    assert head is not None and head.targets[0].status is not Status.TOOL_DROPPED
    two = judge(PeftOptions(target_modules=["q_proj", "v_proj"]), inventory, "trl")
    assert two is not None and all(v.status is Status.ADAPTS for v in two.targets)
