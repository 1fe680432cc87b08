"""PEFT's saved adapter_config.json: null/regex/list targets, unknown keys, heads."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lora_lint.diagnostics import Span
from lora_lint.extract.tools.base import LORA_FIELDS
from lora_lint.extract.types import ExtractedConfig, FileExtraction, Located
from lora_lint.extract.yaml import extract_json, extract_yaml

DATA = Path(__file__).resolve().parent.parent / "data" / "yaml" / "peft"


def extract(case: str) -> FileExtraction:
    path = DATA / case / "adapter_config.json"
    return extract_json(path.read_text(encoding="utf-8"), f"{case}/adapter_config.json")


def only_config(case: str) -> ExtractedConfig:
    result = extract(case)
    assert result.findings == []
    [config] = result.configs
    assert config.source == "peft-json"
    return config


def test_list_targets() -> None:
    config = only_config("llama_list")
    target = config.target_modules
    assert isinstance(target, Located)
    assert target.items == [
        Located("v_proj", Span(22, 5, 22, 13)),
        Located("q_proj", Span(23, 5, 23, 13)),
    ]
    assert config.key_spans["target_modules"] == Span(21, 3, 21, 19)
    assert config.option("r") == 8
    assert config.option("lora_dropout") == 0.05
    assert config.option("modules_to_save") is None
    assert config.option("megatron_core") == "megatron.core"
    assert config.unknown_keys == {}
    assert config.peft_type == "LORA"
    assert config.model is not None
    assert config.model.name == "meta-llama/Llama-2-7b-hf"
    assert config.model.span == Span(4, 30, 4, 56)
    assert config.model.head == "causal-lm"
    assert config.model.source_path == "llama_list/adapter_config.json"


def test_null_targets_stay_none_and_old_keys_are_unknown() -> None:
    config = only_config("null_targets")
    assert config.target_modules == Located(None, Span(13, 21, 13, 25))
    assert config.unknown_keys == {
        "enable_lora": Span(4, 3, 4, 16),
        "merge_weights": Span(9, 3, 9, 18),
    }
    assert config.model is not None
    assert config.model.name == "/home/user/checkpoints/opt-350m"  # local paths pass as-is
    assert config.model.head is None  # task_type: null


def test_regex_target_and_revision() -> None:
    config = only_config("regex_target")
    assert config.target_modules == Located(r".*\.(q_proj|v_proj)", Span(6, 21, 6, 43))
    assert config.option("exclude_modules") == "lm_head"
    assert config.facts.revision == "main"
    assert config.option("peft_version") == "0.17.1"


def test_tab_indented_seq_cls() -> None:
    config = only_config("seq_cls")
    assert config.model is not None
    assert config.model.head == "seq-cls"
    target = config.target_modules
    assert isinstance(target, Located)
    assert [i.span for i in target.items] == [Span(6, 21, 6, 28), Span(6, 30, 6, 37)]
    assert config.option("modules_to_save") == ["classifier", "score"]


def test_other_peft_types_keep_their_own_fields() -> None:
    config = only_config("loha")
    assert config.peft_type == "LOHA"
    assert config.option("target_modules") == ["to_k", "to_q", "to_v", "to_out.0"]
    assert config.unknown_keys == {}  # alpha, rank_dropout... are LoHa fields
    assert config.facts.unknown_keys_unchecked


def test_trailing_comma_is_ll000() -> None:
    result = extract("trailing_comma")
    assert result.configs == []
    [finding] = result.findings
    assert finding.code == "LL000"
    assert "trailing comma" in finding.message
    assert finding.span == Span(7, 13, 7, 14)


def test_comments_are_ll000() -> None:
    result = extract("comments")
    [finding] = result.findings
    assert finding.code == "LL000"
    assert "comments are not allowed" in finding.message
    assert (finding.span.line, finding.span.column) == (2, 3)


@pytest.mark.parametrize(
    ("task_type", "head"),
    [
        ("CAUSAL_LM", "causal-lm"),
        ("SEQ_CLS", "seq-cls"),
        ("TOKEN_CLS", "token-cls"),
        ("SEQ_2_SEQ_LM", "seq2seq"),
        ("QUESTION_ANS", "qa"),
        ("FEATURE_EXTRACTION", "base"),
        (None, None),
    ],
)
def test_task_type_heads(task_type: str | None, head: str | None) -> None:
    written = "null" if task_type is None else f'"{task_type}"'
    source = f'{{"peft_type": "LORA", "base_model_name_or_path": "x/y", "task_type": {written}}}'
    [config] = extract_json(source, "adapter_config.json").configs
    assert config.model is not None
    assert config.model.head == head


def test_same_config_written_as_yaml() -> None:
    source = "peft_type: LORA\nbase_model_name_or_path: x/y\ntarget_modules: [q_proj]\nrank: 4\n"
    [config] = extract_yaml(source, "adapter.yaml").configs
    assert config.source == "peft-json"
    assert config.unknown_keys == {"rank": Span(4, 1, 4, 5)}


@pytest.mark.torch
def test_lora_fields_match_installed_peft() -> None:
    peft = pytest.importorskip("peft")
    fields = {f.name for f in dataclasses.fields(peft.LoraConfig)}
    assert fields <= LORA_FIELDS | {"_custom_modules"}, sorted(fields - LORA_FIELDS)


def _benchmark(root: Path, experiment_params: str | None) -> Path:
    """PEFT's method_comparison layout: a benchmark folder with its default parameters and
    one experiment whose adapter_config.json has no base model."""
    bench = root / "method_comparison" / "Bench"
    experiment = bench / "experiments" / "lora" / "qwen-rank8"
    experiment.mkdir(parents=True)
    (bench / "default_training_params.json").write_text(
        '{"model_id": "Qwen/Qwen2.5-0.5B", "max_steps": 10}', encoding="utf-8"
    )
    if experiment_params is not None:
        (experiment / "training_params.json").write_text(experiment_params, encoding="utf-8")
    adapter = experiment / "adapter_config.json"
    adapter.write_text(
        '{"peft_type": "LORA", "base_model_name_or_path": null, "task_type": "CAUSAL_LM",'
        ' "r": 8, "target_modules": ["q_proj", "v_projj"]}',
        encoding="utf-8",
    )
    return adapter


@pytest.mark.parametrize(
    ("params", "model"),
    [
        (None, "Qwen/Qwen2.5-0.5B"),  # the benchmark's default
        ('{"max_steps": 5}', "Qwen/Qwen2.5-0.5B"),  # the experiment leaves the model alone
        ('{"model_id": "facebook/opt-125m"}', "facebook/opt-125m"),  # and overrides it
    ],
)
def test_a_benchmark_runner_experiment_gets_the_runner_s_model(
    tmp_path: Path, params: str | None, model: str
) -> None:
    adapter = _benchmark(tmp_path, params)
    [config] = extract_json(adapter.read_text(encoding="utf-8"), str(adapter)).configs
    assert config.model is not None and config.model.name == model
    assert config.model.head == "causal-lm"


def test_an_adapter_config_outside_the_runner_layout_has_no_model(tmp_path: Path) -> None:
    adapter = _benchmark(tmp_path, None)
    elsewhere = tmp_path / "adapter_config.json"
    elsewhere.write_text(adapter.read_text(encoding="utf-8"), encoding="utf-8")
    [config] = extract_json(elsewhere.read_text(encoding="utf-8"), str(elsewhere)).configs
    assert config.model is None


def test_a_new_experiment_params_file_invalidates_the_cached_extraction(tmp_path: Path) -> None:
    from tests.lint_helpers import lint_files

    adapter = _benchmark(tmp_path, None)
    rel = adapter.relative_to(tmp_path).as_posix()
    text = adapter.read_text(encoding="utf-8")
    cache = tmp_path / "cache"
    first = lint_files(tmp_path, {rel: text}, cache_dir=cache)
    assert [c.model for c in first.configs] == ["Qwen/Qwen2.5-0.5B"]
    assert [f.code for f in first.findings] == ["LL001"]  # v_projj
    (adapter.parent / "training_params.json").write_text(
        '{"model_id": "facebook/opt-125m"}', encoding="utf-8"
    )
    second = lint_files(tmp_path, {rel: text}, cache_dir=cache)
    assert [c.model for c in second.configs] == ["facebook/opt-125m"]


RESULT = """{
  "run_info": {
    "experiment_name": "lora/qwen-rank8",
    "peft_branch": "main",
    "train_config": {"model_id": "Qwen/Qwen2.5-0.5B", "max_steps": 10},
    "peft_config": {"peft_type": "LORA", "base_model_name_or_path": null, "r": 8,
                    "target_modules": ["q_proj", "v_projj"]}
  },
  "train_info": {"num_trainable_params": 1}
}"""


def test_a_benchmark_result_gets_the_model_its_run_trained() -> None:
    [config] = extract_json(RESULT, "results/lora--qwen-rank8.json").configs
    assert config.model is not None and config.model.name == "Qwen/Qwen2.5-0.5B"
    assert config.model.span is not None and config.model.span.line == 5
    # not the runner's layout (no peft_branch): another tool's file, not followed
    other = RESULT.replace('"peft_branch": "main",', "")
    [config] = extract_json(other, "results/x.json").configs
    assert config.model is None


def test_an_image_generation_benchmark_adapts_the_pipeline_s_transformer(tmp_path: Path) -> None:
    """The runner's ``utils.py`` loads a diffusers pipeline: its experiments and results are
    the pipeline's ``transformer`` (read, never run), not a causal LM."""
    adapter = _benchmark(tmp_path, None)
    bench = adapter.parent.parent.parent.parent
    (bench / "utils.py").write_text(
        "from diffusers import Flux2KleinPipeline\n"
        "def load(model_id):\n"
        "    pipeline = Flux2KleinPipeline.from_pretrained(model_id)\n"
        "    return pipeline.transformer\n",
        encoding="utf-8",
    )
    [config] = extract_json(adapter.read_text(encoding="utf-8"), str(adapter)).configs
    assert config.model is not None and config.model.head == "component:transformer"
    results = bench / "results"
    results.mkdir()
    result = results / "lora--qwen-rank8.json"
    result.write_text(RESULT, encoding="utf-8")
    [config] = extract_json(RESULT, str(result)).configs
    assert config.model is not None and config.model.head == "component:transformer"
