"""The base model of an experiment (or a run result) of PEFT's ``method_comparison`` runner.

``method_comparison/<benchmark>/experiments/<method>/<name>/adapter_config.json`` is saved
with ``base_model_name_or_path: null``: the runner (``run.py``, ``utils.py`` of each
benchmark in huggingface/peft) loads the model ``model_id`` of the experiment's own
``training_params.json`` when it has one, else of the benchmark's
``default_training_params.json`` two folders up, with ``AutoModelForCausalLM``. Forks and
copies of the runner keep that layout. Both files are read (never run) and recorded, so a
changed or new ``training_params.json`` invalidates the cached extraction.

A run's result (``results/<experiment>.json``) records the config it trained as
``run_info.peft_config`` next to ``run_info.train_config``, whose ``model_id`` is the model
the run loaded: that is data in the same document.

The runner of a text benchmark loads ``AutoModelForCausalLM``; the image-generation one
loads a diffusers pipeline and adapts its ``transformer``: the benchmark's ``utils.py``
(read, never run, recorded) says which, by importing from ``diffusers``.
"""

from __future__ import annotations

import json
from pathlib import Path

from lora_lint.extract.filecache import note_probe, note_read
from lora_lint.extract.tools.base import ConfigBuilder, as_mapping, entries, get, text
from lora_lint.extract.types import Located, ModelRef
from lora_lint.models.heads import DIFFUSERS_COMPONENT

#: The runner's file names (``FILE_NAME_DEFAULT_TRAIN_PARAMS``, ``FILE_NAME_TRAIN_PARAMS``).
DEFAULT_PARAMS = "default_training_params.json"
EXPERIMENT_PARAMS = "training_params.json"
#: Larger parameter files are not read.
MAX_BYTES = 1_000_000


def runner_model(adapter_config: str) -> ModelRef | None:
    """The model the runner trains the experiment of ``adapter_config`` on, if it is one."""
    experiment = Path(adapter_config).parent
    benchmark = experiment.parent.parent.parent
    if experiment.parent.parent.name != "experiments":
        return None
    for path in (experiment / EXPERIMENT_PARAMS, benchmark / DEFAULT_PARAMS):
        exists = path.is_file()
        note_probe(path, exists)
        if not exists:
            continue
        model_id = _model_id(path)
        if model_id is not None:
            shown = path.relative_to(experiment.parent.parent.parent).as_posix()
            return ModelRef(
                model_id,
                head=runner_head(benchmark),
                origin=f"model_id of {shown}, which PEFT's method_comparison runner loads "
                "for this experiment",
            )
        if path.name == EXPERIMENT_PARAMS:
            continue  # the experiment's file may leave the model to the default
    return None


def runner_head(benchmark: Path) -> str:
    """What the benchmark's runner loads the model as: the ``transformer`` of a diffusers
    pipeline when its ``utils.py`` imports from diffusers, else a causal LM."""
    utils = benchmark / "utils.py"
    exists = utils.is_file()
    note_probe(utils, exists)
    if exists:
        try:
            if utils.stat().st_size <= MAX_BYTES:
                note_read(utils)
                source = utils.read_text(encoding="utf-8")
                if "from diffusers import" in source and ".transformer" in source:
                    return f"{DIFFUSERS_COMPONENT}transformer"
        except (OSError, UnicodeDecodeError):
            pass
    return "causal-lm"


def _model_id(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        note_read(path)
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    value = data.get("model_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def result_model(builder: ConfigBuilder, mapping: Located, ancestors: list[Located]) -> None:
    """``{"run_info": {"train_config": {"model_id": ...}, "peft_config": {...}}}``: the model
    of a run result is its ``train_config``'s ``model_id`` (sets ``builder``'s model)."""
    if len(ancestors) < 2 or builder.config.model is not None:
        return
    run_info, root = ancestors[-1], ancestors[-2]
    if get(root, "run_info") is not run_info or get(run_info, "peft_config") is not mapping:
        return
    train = as_mapping(get(run_info, "train_config"))
    if train is None or not text(get(train, "model_id")) or "peft_branch" not in entries(run_info):
        return
    builder.model(
        "model_id",
        "run_info.train_config.model_id of this PEFT method_comparison result "
        "(the model the run trained)",
        head=runner_head(Path(builder.ctx.path).parent.parent),
        mapping=train,
    )
