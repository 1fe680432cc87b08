"""Exact positions (1-based, end exclusive) and never raising on bad input."""

from __future__ import annotations

import textwrap

import pytest

from lora_lint.diagnostics import Span
from lora_lint.extract.python import extract_python
from lora_lint.extract.types import ExtractedConfig, Located


def config_of(code: str) -> ExtractedConfig:
    result = extract_python(textwrap.dedent(code).lstrip("\n"), "scripts/train.py")
    assert result.findings == []
    (config,) = result.configs
    return config


def item(config: ExtractedConfig, index: int) -> Located:
    targets = config.options["target_modules"]
    assert isinstance(targets, Located)
    found = targets.items[index]
    assert isinstance(found, Located)
    return found


def test_misspelled_entry_span_covers_the_quoted_literal() -> None:
    config = config_of(
        """
        from peft import LoraConfig
        config = LoraConfig(
            r=8, target_modules=["q_proj", "v_prj"],
        )
        """
    )
    typo = item(config, 1)
    assert typo.value == "v_prj"
    assert typo.span == Span(3, 36, 3, 43)
    assert config.span == Span(2, 10, 4, 2)
    assert config.key_spans["target_modules"] == Span(3, 10, 3, 24)
    targets = config.options["target_modules"]
    assert isinstance(targets, Located) and targets.span == Span(3, 25, 3, 44)


def test_entry_spans_survive_parentheses_and_multiple_lines() -> None:
    config = config_of(
        """
        from peft import LoraConfig
        TARGETS = [
            "q_proj",
            ("k_porj"),
        ]
        config = LoraConfig(target_modules=TARGETS)
        """
    )
    assert item(config, 0).span == Span(3, 5, 3, 13)
    assert item(config, 1).span == Span(4, 6, 4, 14)


def test_split_pieces_point_inside_the_string() -> None:
    config = config_of(
        """
        from peft import LoraConfig
        config = LoraConfig(target_modules="q_proj,v_prj, o_proj".split(","))
        """
    )
    assert [item(config, i).value for i in range(3)] == ["q_proj", "v_prj", " o_proj"]
    assert item(config, 0).span == Span(2, 37, 2, 43)
    assert item(config, 1).span == Span(2, 44, 2, 49)
    assert item(config, 2).span == Span(2, 50, 2, 57)
    targets = config.options["target_modules"]
    assert isinstance(targets, Located) and targets.split_from_string


def test_split_of_a_string_with_escapes_uses_the_whole_string_span() -> None:
    config = config_of(
        """
        from peft import LoraConfig
        config = LoraConfig(target_modules="q_proj\\tv_proj".split())
        """
    )
    assert [item(config, i).value for i in range(2)] == ["q_proj", "v_proj"]
    assert item(config, 0).span == item(config, 1).span == Span(2, 36, 2, 52)


def test_unicode_columns_count_characters() -> None:
    config = config_of(
        """
        from peft import LoraConfig
        config = LoraConfig(target_modules=["ünï", "v_prj"])  # 模型
        """
    )
    assert item(config, 1).span == Span(2, 44, 2, 51)


def test_syntax_error_is_an_ll000_finding() -> None:
    result = extract_python(
        "from peft import LoraConfig\nconfig = LoraConfig(r=8,\n\ndef oops(:\n",
        "broken.py",
    )
    assert result.configs == []
    (finding,) = result.findings
    assert finding.code == "LL000"
    assert finding.path == "broken.py"
    assert finding.message.startswith("cannot parse Python: ")
    assert finding.span.line >= 2


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 5000 + "1" + ")" * 5000,
        "1" + "+1" * 100_000,  # crashes libcst's native parser unless screened out
        "a" + ".b" * 50_000,
    ],
)
def test_deeply_nested_input_is_an_ll000_finding(expression: str) -> None:
    code = f"from peft import LoraConfig\nx = {expression}\n"
    result = extract_python(code, "deep.py")
    assert result.configs == []
    assert [f.code for f in result.findings] == ["LL000"]
    assert result.findings[0].message.startswith("cannot parse Python: ")


def test_moderately_deep_input_never_raises() -> None:
    chain = "1" + "+1" * 900
    code = f"from peft import LoraConfig\nconfig = LoraConfig(r={chain}, target_modules=['q'])\n"
    result = extract_python(code, "deep.py")
    assert len(result.configs) + len(result.findings) == 1


def test_display_path_is_used_everywhere() -> None:
    config = config_of(
        """
        from peft import LoraConfig
        config = LoraConfig(target_modules=args.targets)
        """
    )
    assert config.path == "scripts/train.py"
    assert config.unresolved[0].path is None
