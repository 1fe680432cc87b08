"""Shell launchers: known CLIs, variables, spans of each value token."""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.extract.shell import commands, extract_shell
from lora_lint.extract.types import Located, Unresolved
from tests.extract.tool_helpers import findings, lint, spans

DATA = Path(__file__).resolve().parent.parent / "data" / "shell"


def configs(name: str) -> list:
    result = extract_shell((DATA / name).read_text(encoding="utf-8"), name)
    assert result.findings == []
    return result.configs


def test_llamafactory_flags_and_variables() -> None:
    [config] = configs("llamafactory_sft.sh")
    assert config.source == "llama-factory"
    # $LORA_TARGET expands to the assignment; each piece keeps its own span there
    assert spans(config.target_modules) == [
        ("q_proj", (7, 14, 7, 20)),
        ("v_prj", (7, 21, 7, 26)),
        ("o_proj", (7, 27, 7, 33)),
    ]
    assert config.option("r") == 8
    assert config.option_keys["target_modules"] == "lora_target"
    assert config.key_spans["target_modules"].line == 16
    assert config.model is not None
    assert config.model.name == "meta-llama/Llama-3.1-8B"
    assert config.model.span is not None and config.model.span.line == 5
    assert (config.span.line, config.span.end_line) == (9, 22)


def test_trl_nargs_and_collapse() -> None:
    first, second = configs("trl_accelerate.sh")
    assert first.source == second.source == "trl"
    assert spans(first.target_modules) == [
        ("q_proj,", (12, 26, 12, 33)),
        ("v_proj", (12, 36, 12, 42)),
    ]
    assert first.option("r") == 32
    assert first.model is not None and first.model.name == "Qwen/Qwen2.5-0.5B"
    assert not first.facts.inert
    note = second.facts.collapsed_to_regex
    assert isinstance(note, Located) and (note.value, note.span.line) == ("q_proj", 17)


def test_swift_all_linear_in_the_list() -> None:
    first, second, third = configs("swift_sft.sh")
    assert first.source == "ms-swift"
    target = first.target_modules
    assert isinstance(target, Located) and target.value == "all-linear"
    assert first.option("r") == 8
    assert second.option("target_modules") == ["q_proj", "k_proj", "v_proj", "o_proj", "gate_prj"]
    assert third.option("target_modules") == ["q_proj", "v_proj"]


def test_all_linear_plus_names_in_swift() -> None:
    script = "swift sft --model Qwen/Qwen2.5-0.5B --target_modules all-linear embed_tokens\n"
    [config] = extract_shell(script, "s.sh").configs
    assert config.option("target_modules") == ["embed_tokens"]
    assert config.add_all_linear_leaves is True


def test_unknown_variable_is_unresolved() -> None:
    script = (
        "#!/bin/bash\n"
        'trl sft --model_name_or_path "$1" --use_peft --lora_target_modules $TARGETS q_proj\n'
    )
    [config] = extract_shell(script, "s.sh").configs
    assert config.model is None
    [unresolved] = config.unresolved
    assert isinstance(unresolved, Unresolved)
    assert unresolved.reason == "shell variable $TARGETS is not set in this script"
    assert (unresolved.span.line, unresolved.span.column) == (2, 68)


def test_word_splitting_of_an_unquoted_variable() -> None:
    script = (
        'TARGETS="q_proj v_proj"\n'
        "python train.py --model_name_or_path Qwen/Qwen2.5-0.5B --use_peft "
        "--lora_target_modules $TARGETS\n"
    )
    [config] = extract_shell(script, "s.sh").configs
    assert spans(config.target_modules) == [
        ("q_proj", (1, 10, 1, 16)),
        ("v_proj", (1, 17, 1, 23)),
    ]


def test_equals_form_booleans_and_comments() -> None:
    script = (
        "# trl sft --lora_target_modules x   (a comment, not a command)\n"
        "trl sft --model_name_or_path=Qwen/Qwen2.5-0.5B --use_peft=false \\\n"
        "    --lora_target_modules=q_proj --lora_target_modules v_proj k_proj  # later wins\n"
    )
    [config] = extract_shell(script, "s.sh").configs
    assert config.option("target_modules") == ["v_proj", "k_proj"]
    assert "use_peft is not true" in str(config.facts.inert)
    assert config.model is not None and config.model.span is not None
    assert (config.model.span.line, config.model.span.column) == (2, 30)


def test_heredocs_redirects_and_unrelated_commands_are_skipped() -> None:
    script = (
        "cat > cfg.yaml <<'EOF'\n"
        "trl sft --model_name_or_path x --use_peft --lora_target_modules q_proj k_proj\n"
        "EOF\n"
        "echo --lora_target_modules q_proj\n"
        "pip install peft>=0.13 && python -c 'print(1)'\n"
    )
    assert extract_shell(script, "s.sh").configs == []
    assert len(list(commands(script))) == 4


def test_llamafactory_yaml_only_has_nothing_inline() -> None:
    script = "llamafactory-cli train examples/train_lora/llama3_lora_sft.yaml\n"
    assert extract_shell(script, "s.sh").configs == []


@pytest.mark.torch
def test_shell_fixtures_end_to_end() -> None:
    result = lint(sorted(DATA.glob("*.sh")), root=DATA)
    assert findings(result) == [
        ("LL001", 7, 21, "v_prj"),
        ("LL017", 13, 69, "LL001"),
        ("LL001", 12, 26, "q_proj,"),
        ("LL015", 17, 36, "q_proj"),
    ]
    assert result.findings[2].suggestion == ("q_proj",)
