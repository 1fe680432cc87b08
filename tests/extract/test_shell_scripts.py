"""A launcher calling the repository's own script: the flags mean what that script makes of them.

The script is read statically (libcst): its argparse flags or HfArgumentParser dataclass fields,
whether it splits the value at commas, and whether the value reaches peft's ``LoraConfig``. Only a
clear path is judged; anything else is reported as not checked, never as an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.extract.shell import extract_shell
from lora_lint.extract.types import ExtractedConfig, Located
from tests.lint_helpers import lint_files

ARGPARSE_SPLIT = """
import argparse

from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

parser = argparse.ArgumentParser()
parser.add_argument("--model_name_or_path", type=str, default="facebook/opt-125m")
parser.add_argument("--lora_r", type=int, default=8)
parser.add_argument("--lora_target_modules", type=str, default="q_proj,v_proj")
args = parser.parse_args()

tokenizer = AutoTokenizer.from_pretrained(args.model_name_or_path)
model = AutoModelForCausalLM.from_pretrained(args.model_name_or_path)
target_modules = [m.strip() for m in args.lora_target_modules.split(",")]
config = LoraConfig(r=args.lora_r, target_modules=target_modules)
model = get_peft_model(model, config)
"""

ARGPARSE_WHOLE = ARGPARSE_SPLIT.replace(
    'target_modules = [m.strip() for m in args.lora_target_modules.split(",")]',
    "target_modules = args.lora_target_modules",
)

DATACLASS_LIST = """
from dataclasses import dataclass, field
from typing import Optional

from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, HfArgumentParser


@dataclass
class ModelArguments:
    model_name_or_path: str = field(default="Qwen/Qwen2.5-0.5B")
    lora_target_modules: Optional[list[str]] = field(default=None, metadata={"help": "targets"})


(model_args,) = HfArgumentParser(ModelArguments).parse_args_into_dataclasses()
model = AutoModelForCausalLM.from_pretrained(model_args.model_name_or_path)
model = get_peft_model(model, LoraConfig(target_modules=model_args.lora_target_modules))
"""

# peft's examples/sft layout: the dataclass in train.py, LoraConfig in an imported utils.py
SFT_TRAIN = """
from dataclasses import dataclass, field
from typing import Optional

from transformers import HfArgumentParser
from utils import create_and_prepare_model


@dataclass
class ModelArguments:
    model_name_or_path: str = field(metadata={"help": "model"})
    lora_target_modules: Optional[str] = field(default="q_proj,k_proj,v_proj,o_proj")


(model_args,) = HfArgumentParser(ModelArguments).parse_args_into_dataclasses()
model, peft_config = create_and_prepare_model(model_args)
"""

SFT_UTILS = """
from peft import LoraConfig
from transformers import AutoModelForCausalLM


def create_and_prepare_model(args):
    model = AutoModelForCausalLM.from_pretrained(args.model_name_or_path)
    peft_config = LoraConfig(
        target_modules=args.lora_target_modules.split(",")
        if args.lora_target_modules != "all-linear"
        else args.lora_target_modules,
    )
    return model, peft_config
"""

SFT_UTILS_UNSLOTH = SFT_UTILS.replace(
    "    return model, peft_config",
    "    if args.use_unsloth:\n"
    "        model = FastLanguageModel.get_peft_model(\n"
    "            model, target_modules=args.lora_target_modules.split(',')\n"
    "        )\n"
    "    return model, peft_config",
).replace(
    "from peft import LoraConfig",
    "from peft import LoraConfig\nfrom unsloth import FastLanguageModel",
)

NO_LORA = """
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--lora_target_modules", type=str)
args = parser.parse_args()
print(args.lora_target_modules)
"""

LAUNCH = (
    "#!/bin/bash\n"
    "python train.py --model_name_or_path Qwen/Qwen2.5-0.5B --lora_r 16 \\\n"
    "  --lora_target_modules q_proj,v_prj\n"
)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _config(root: Path, launcher: str = "run.sh") -> ExtractedConfig:
    path = root / launcher
    [config] = extract_shell(
        path.read_text(encoding="utf-8"), launcher, file_path=path, project_root=root
    ).configs
    return config


def test_script_that_splits_gives_one_entry_per_piece(tmp_path: Path) -> None:
    _write(tmp_path, {"train.py": ARGPARSE_SPLIT, "run.sh": LAUNCH})
    config = _config(tmp_path)
    assert config.option("target_modules") == ["q_proj", "v_prj"]
    value = config.target_modules
    assert isinstance(value, Located) and value.split_from_string
    piece = value.items[1]
    assert (piece.span.line, piece.span.column, piece.span.end_column) == (3, 32, 37)
    assert config.option("r") == 16
    assert config.option_keys["target_modules"] == "--lora_target_modules"
    assert config.model is not None and config.model.name == "Qwen/Qwen2.5-0.5B"
    assert config.model.head == "causal-lm"  # AutoModelForCausalLM, not the tokenizer
    assert config.facts.tool is None and config.facts.not_judged is None


def test_script_that_does_not_split_passes_the_whole_string(tmp_path: Path) -> None:
    _write(tmp_path, {"train.py": ARGPARSE_WHOLE, "run.sh": LAUNCH})
    config = _config(tmp_path)
    value = config.target_modules
    assert isinstance(value, Located) and value.value == "q_proj,v_prj" and not value.container


def test_dataclass_list_field_takes_several_words(tmp_path: Path) -> None:
    launch = "accelerate launch scripts/train.py --lora-target-modules q_proj v_prj\n"
    _write(tmp_path, {"scripts/train.py": DATACLASS_LIST, "scripts/run.sh": launch})
    config = _config(tmp_path, "scripts/run.sh")
    assert config.option("target_modules") == ["q_proj", "v_prj"]
    # not passed on the command line: the field's default names the model
    assert config.model is not None and config.model.name == "Qwen/Qwen2.5-0.5B"


def test_script_found_from_the_repository_root(tmp_path: Path) -> None:
    # ``cd`` to the root then ``bash scripts/run.sh``: train.py is at the root
    _write(tmp_path, {"train.py": ARGPARSE_SPLIT, "scripts/run.sh": LAUNCH})
    assert _config(tmp_path, "scripts/run.sh").option("target_modules") == ["q_proj", "v_prj"]


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({}, "not in the repository"),
        ({"train.py": NO_LORA}, "no command-line flag to peft's LoraConfig"),
    ],
)
def test_unknown_script_is_not_judged(tmp_path: Path, files: dict[str, str], reason: str) -> None:
    launch = LAUNCH.replace("--lora_r 16", "--use_peft --lora_r 16")
    _write(tmp_path, {**files, "run.sh": launch})
    config = _config(tmp_path)
    assert reason in str(config.facts.not_judged)


def test_single_valued_flag_given_several_words_is_not_judged(tmp_path: Path) -> None:
    launch = "python train.py --lora_target_modules q_proj v_prj\n"
    _write(tmp_path, {"train.py": ARGPARSE_SPLIT, "run.sh": launch})
    assert "argparse rejects several" in str(_config(tmp_path).facts.not_judged)


def test_trl_script_in_the_repository_keeps_trl_semantics(tmp_path: Path) -> None:
    script = (
        "from trl import ModelConfig, SFTConfig, TrlParser, get_peft_config\n"
        "parser = TrlParser((SFTConfig, ModelConfig))\n"
    )
    launch = "python sft.py --model_name_or_path Qwen/Qwen2.5-0.5B --use_peft " + (
        "--lora_target_modules q_proj v_prj\n"
    )
    _write(tmp_path, {"sft.py": script, "run.sh": launch})
    config = _config(tmp_path)
    assert config.source == "trl"
    assert config.option("target_modules") == ["q_proj", "v_prj"]
    assert config.facts.not_judged is None


def test_trl_parser_script_with_its_own_lora_flag_is_read_as_written(tmp_path: Path) -> None:
    # TrlParser parses dataclasses too: the script's own field reaches LoraConfig itself
    script = DATACLASS_LIST.replace("HfArgumentParser", "TrlParser").replace(
        "from transformers import AutoModelForCausalLM, TrlParser",
        "from transformers import AutoModelForCausalLM\nfrom trl import TrlParser",
    )
    launch = "python train.py --lora_target_modules q_proj v_prj\n"
    _write(tmp_path, {"train.py": script, "run.sh": launch})
    config = _config(tmp_path)
    assert config.source == "shell" and config.facts.not_judged is None
    assert config.option("target_modules") == ["q_proj", "v_prj"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [("q_proj,v_prj", ["q_proj", "v_prj"]), ("all-linear", "all-linear")],
)
def test_imported_module_with_conditional_split(
    tmp_path: Path, written: str, expected: object
) -> None:
    launch = (
        "torchrun --nproc_per_node 8 train.py --model_name_or_path Qwen/Qwen2.5-0.5B "
        f"--lora_target_modules {written}\n"
    )
    _write(tmp_path, {"train.py": SFT_TRAIN, "utils.py": SFT_UTILS, "run.sh": launch})
    config = _config(tmp_path)
    assert config.facts.not_judged is None
    assert config.option("target_modules") == expected
    assert config.model is not None and config.model.name == "Qwen/Qwen2.5-0.5B"


def test_targets_that_may_go_to_unsloth_instead_are_not_judged(tmp_path: Path) -> None:
    launch = "python train.py --model_name_or_path Qwen/Qwen2.5-0.5B --lora_target_modules q_proj\n"
    _write(tmp_path, {"train.py": SFT_TRAIN, "utils.py": SFT_UTILS_UNSLOTH, "run.sh": launch})
    assert "unsloth" in str(_config(tmp_path).facts.not_judged)


GUARDED_TRAIN = SFT_TRAIN.replace(
    '    lora_target_modules: Optional[str] = field(default="q_proj,k_proj,v_proj,o_proj")\n',
    '    lora_target_modules: Optional[str] = field(default="q_proj,k_proj,v_proj,o_proj")\n'
    "    use_peft_lora: Optional[bool] = field(default=False)\n"
    "    use_unsloth: Optional[bool] = field(default=False)\n",
)
GUARDED_UTILS = """
from peft import LoraConfig
from transformers import AutoModelForCausalLM
from unsloth import FastLanguageModel


def create_and_prepare_model(args):
    if args.use_unsloth:
        model, _ = FastLanguageModel.from_pretrained(model_name=args.model_name_or_path)
    else:
        model = AutoModelForCausalLM.from_pretrained(args.model_name_or_path)
    peft_config = None
    if args.use_peft_lora and not args.use_unsloth:
        peft_config = LoraConfig(
            target_modules=args.lora_target_modules.split(",")
            if args.lora_target_modules != "all-linear"
            else args.lora_target_modules,
        )
    if args.use_unsloth:
        model = FastLanguageModel.get_peft_model(
            model, target_modules=args.lora_target_modules.split(",")
        )
    return model, peft_config
"""


@pytest.mark.parametrize(
    ("flags", "tool", "inert"),
    [
        ("--use_peft_lora True", None, False),
        ("--use_peft_lora --use_unsloth true", "unsloth", False),
        ("", None, True),
    ],
)
def test_if_flag_guards_decide_which_call_gets_the_targets(
    tmp_path: Path, flags: str, tool: str | None, inert: bool
) -> None:
    launch = (
        "python train.py --model_name_or_path Qwen/Qwen2.5-0.5B "
        f"--lora_target_modules q_proj,v_prj {flags}\n"
    )
    _write(tmp_path, {"train.py": GUARDED_TRAIN, "utils.py": GUARDED_UTILS, "run.sh": launch})
    config = _config(tmp_path)
    assert config.facts.not_judged is None
    assert config.option("target_modules") == ["q_proj", "v_prj"]
    assert config.facts.tool == tool
    assert (config.facts.inert is not None) is inert
    assert config.model is not None and config.model.head == "causal-lm"  # not unsloth's class


@pytest.mark.torch
def test_end_to_end_split_script_reports_only_the_typo(tmp_path: Path) -> None:
    result = lint_files(tmp_path, {"train.py": ARGPARSE_SPLIT, "run.sh": LAUNCH})
    shell = [(f.code, f.span.line, f.span.column, f.target) for f in result.findings]
    shell = [f for f in shell if f[0] != "LL011"]
    # the script's own LoraConfig (targets from args) is not judged; the launcher's value is
    assert [f for f in shell if f[3] is not None] == [("LL001", 3, 32, "v_prj")]
    [summary] = [s for s in result.configs if s.path.endswith("run.sh")]
    assert summary.checked


@pytest.mark.torch
def test_end_to_end_unknown_script_is_not_checked(tmp_path: Path) -> None:
    launch = LAUNCH.replace("--lora_r 16", "--use_peft --lora_r 16")
    result = lint_files(tmp_path, {"run.sh": launch})
    assert not [f for f in result.findings if f.severity.value == "error"]
    [summary] = result.configs
    assert not summary.checked
    assert "not in the repository" in str(summary.not_checked)


@pytest.mark.torch
def test_end_to_end_script_that_does_not_split_gets_peft_string_verdict(tmp_path: Path) -> None:
    result = lint_files(tmp_path, {"train.py": ARGPARSE_WHOLE, "run.sh": LAUNCH})
    launcher = [
        (f.code, f.span.line, f.span.column) for f in result.findings if f.path.endswith("run.sh")
    ]
    # PEFT receives the string 'q_proj,v_prj': one regex over full names, matching nothing
    assert launcher == [("LL003", 3, 25)]


@pytest.mark.torch
def test_directory_run_checks_the_launcher_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lora_lint.engine import Linter
    from lora_lint.settings import Settings

    _write(tmp_path, {"train.py": ARGPARSE_SPLIT, "run.sh": LAUNCH})
    monkeypatch.chdir(tmp_path)
    result = Linter(Settings(project_root=tmp_path, offline=True)).run([Path(".")])
    assert sorted(c.path for c in result.configs) == ["run.sh", "train.py"]
