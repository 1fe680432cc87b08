"""Inline suppressions (``# lora-lint: ignore[...]``, ``# noqa``), file-level, and LL017."""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.paths import matches_key as glob_matches
from lora_lint.suppress import parse_comment, suppressions_in
from tests.lint_helpers import lint_files

AXOLOTL = """\
base_model: Qwen/Qwen2.5-0.5B
adapter: lora
lora_target_modules:
  - q_proj
  - v_prj{comment}
"""
PYTHON = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
config = LoraConfig(target_modules=["q_proj", "v_prj"]){comment}
model = get_peft_model(model, config)
"""


def codes(result: object) -> list[tuple[str, int, int]]:
    assert not result.errors  # type: ignore[attr-defined]
    return [(f.code, f.span.line, f.span.column) for f in result.findings]  # type: ignore[attr-defined]


# --- parsing ---------------------------------------------------------------------------------


def test_parse_directive_codes_and_names() -> None:
    [s] = parse_comment("# lora-lint: ignore[LL001, unknown-target-module, LL011]", 3, 10)
    assert s.codes == {"LL001", "LL011"} and not s.file_level and s.directive
    assert (s.line, s.column) == (3, 10)
    [bare] = parse_comment("# lora-lint: ignore", 1, 1)
    assert bare.codes is None
    [whole] = parse_comment("# lora-lint: ignore-file[regex-target-no-match]", 1, 1)
    assert whole.file_level and whole.codes == {"LL003"}


def test_parse_noqa_keeps_only_lora_lint_codes() -> None:
    [s] = parse_comment("# noqa: E501, LL001 -- long line", 1, 1)
    assert s.codes == {"LL001"} and not s.directive and s.unknown == ()
    [other] = parse_comment("# noqa: E501", 1, 1)
    assert other.codes == frozenset()
    [bare] = parse_comment("# noqa", 1, 1)
    assert bare.codes is None
    [typo] = parse_comment("# noqa: LL999", 1, 1)
    assert typo.unknown == ("LL999",)


def test_comments_inside_python_strings_are_not_suppressions() -> None:
    source = 'x = "# lora-lint: ignore[LL001]"\ny = 1  # noqa: LL001\n'
    found = suppressions_in(source, ".py")
    assert [(s.line, s.column) for s in found] == [(2, 8)]


def test_yaml_hash_inside_a_value_is_not_a_comment() -> None:
    source = "url: http://x#lora-lint: ignore\nkey: 1  # lora-lint: ignore[LL001]\n"
    assert [(s.line, s.column) for s in suppressions_in(source, ".yaml")] == [(2, 9)]


def test_globs() -> None:
    assert glob_matches("scripts/train.py", "scripts/*")
    assert glob_matches("legacy/a/b.yaml", "legacy/**")
    assert glob_matches("legacy/a/b.yaml", "legacy/")
    assert glob_matches("a/b/notebook.ipynb", "*.ipynb")
    assert glob_matches("train.py", "**/train.py")
    assert not glob_matches("src/train.py", "scripts/*")


# --- whole pipeline ---------------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize(
    "comment",
    [
        "  # lora-lint: ignore[LL001]",
        "  # lora-lint: ignore[unknown-target-module]",
        "  # lora-lint: ignore",
        "  # noqa: LL001",
        "  # noqa: E501,LL001",
        "  # noqa",
        "  # NOQA:LL001",
    ],
)
def test_same_line_suppression_in_yaml(tmp_path: Path, comment: str) -> None:
    result = lint_files(tmp_path, {"axolotl.yaml": AXOLOTL.format(comment=comment)})
    assert codes(result) == []


@pytest.mark.torch
@pytest.mark.parametrize(
    "comment",
    ["  # lora-lint: ignore[LL001]", "  # noqa: LL001", "  # noqa: unknown-target-module"],
)
def test_same_line_suppression_in_python(tmp_path: Path, comment: str) -> None:
    result = lint_files(tmp_path, {"train.py": PYTHON.format(comment=comment)})
    assert codes(result) == []


@pytest.mark.torch
def test_suppression_for_another_code_keeps_the_finding_and_is_unused(tmp_path: Path) -> None:
    result = lint_files(tmp_path, {"train.py": PYTHON.format(comment="  # noqa: LL003")})
    assert codes(result) == [("LL001", 5, 47), ("LL017", 5, 58)]
    assert (
        result.findings[1].message == "unused suppression: LL003 suppressed no finding on this line"
    )


@pytest.mark.torch
def test_file_level_suppression(tmp_path: Path) -> None:
    text = "# lora-lint: ignore-file[LL001]\n" + AXOLOTL.format(comment="")
    assert codes(lint_files(tmp_path, {"axolotl.yaml": text})) == []
    stale = "# lora-lint: ignore-file[LL003]\n" + AXOLOTL.format(comment="")
    result = lint_files(tmp_path, {"other.yaml": stale})
    assert codes(result) == [("LL017", 1, 1), ("LL001", 6, 5)]
    assert "in this file" in result.findings[0].message


@pytest.mark.torch
def test_unused_suppressions_are_reported_but_other_linters_noqa_is_not(tmp_path: Path) -> None:
    files = {
        "clean.py": (
            "from peft import LoraConfig\n"
            "a = LoraConfig(target_modules=['q_proj'])  # noqa: E501\n"
            "b = LoraConfig(target_modules=['q_proj'])  # noqa\n"
            "c = LoraConfig(target_modules=['q_proj'])  # noqa: LL001\n"
            "d = LoraConfig(target_modules=['q_proj'])  # lora-lint: ignore\n"
            "e = LoraConfig(target_modules=['q_proj'])  # lora-lint: ignore[LL001, nope]\n"
        ),
    }
    result = lint_files(tmp_path, files, model="Qwen/Qwen2.5-0.5B")
    assert codes(result) == [("LL017", 4, 44), ("LL017", 5, 44), ("LL017", 6, 44), ("LL017", 6, 44)]
    messages = [f.message for f in result.findings]
    assert messages[0] == "unused suppression: LL001 suppressed no finding on this line"
    assert (
        messages[1] == "unused suppression: `lora-lint: ignore` suppressed no finding on this line"
    )
    assert "'nope', which is no lora-lint rule" in messages[2] + messages[3]


@pytest.mark.torch
def test_a_file_without_any_config_still_gets_ll017(tmp_path: Path) -> None:
    result = lint_files(tmp_path, {"run.sh": "echo hi  # lora-lint: ignore[LL001]\n"})
    assert codes(result) == [("LL017", 1, 10)]


@pytest.mark.torch
def test_ll017_can_be_turned_off_and_disabled_codes_are_not_stale(tmp_path: Path) -> None:
    text = AXOLOTL.format(comment="").replace("  - q_proj\n", "  - q_proj  # noqa: LL003\n")
    result = lint_files(tmp_path, {"a.yaml": text}, ignore=["LL017"])
    assert codes(result) == [("LL001", 5, 5)]
    result = lint_files(tmp_path, {"a.yaml": text}, ignore=["LL003"])
    assert codes(result) == [("LL001", 5, 5)]


@pytest.mark.torch
def test_shell_suppression(tmp_path: Path) -> None:
    script = (
        "trl sft --model_name_or_path Qwen/Qwen2.5-0.5B --use_peft \\\n"
        "  --lora_target_modules q_proj v_prj  # lora-lint: ignore[LL001]\n"
    )
    assert codes(lint_files(tmp_path, {"train.sh": script})) == []


# --- only real comments suppress ------------------------------------------------------------
# A directive written inside data (a YAML block scalar or quoted value, a shell heredoc body,
# a string in a notebook cell) is data: it must neither silence the file nor count as a comment.


def test_yaml_block_scalar_is_not_a_comment(tmp_path: Path) -> None:
    text = (
        "base_model: Qwen/Qwen2.5-0.5B\n"
        "adapter: lora\n"
        "notes: |\n"
        "  # lora-lint: ignore-file\n"
        "  some text # noqa\n"
        'prompt: "x # lora-lint: ignore-file"\n'
        "lora_target_modules:\n"
        "  - q_proj\n"
        "  - v_prj\n"
    )
    result = lint_files(tmp_path, {"train.yaml": text})
    assert codes(result) == [("LL001", 9, 5)]
    assert suppressions_in(text, ".yaml") == []


def test_yaml_real_comments_still_found_next_to_scalars() -> None:
    text = (
        "a: 'q # noqa' # lora-lint: ignore[LL001]\n"
        "b: >- # noqa: LL002\n"
        "  folded # noqa: LL003\n"
        "# lora-lint: ignore-file[LL013]\n"
    )
    found = suppressions_in(text, ".yaml")
    assert [(s.line, s.column, s.file_level) for s in found] == [
        (1, 15, False),
        (2, 7, False),
        (4, 1, True),
    ]


def test_yaml_that_does_not_scan_falls_back_to_lines() -> None:
    text = "a: [unclosed  # noqa: LL001\n"
    assert [(s.line, s.column) for s in suppressions_in(text, ".yaml")] == [(1, 15)]


SHELL = """\
#!/bin/bash
cat > /tmp/notes.txt <<EOF
# lora-lint: ignore-file
EOF
cat <<-'DOC'
\t# noqa: LL001
\tDOC
echo "# noqa: LL001" 'it # noqa'  # lora-lint: ignore[LL013]
python -m axolotl.cli.train cfg.yaml  # noqa: LL001
"""


def test_shell_heredoc_and_quotes_are_not_comments() -> None:
    found = suppressions_in(SHELL, ".sh")
    assert [(s.line, s.column) for s in found] == [(8, 35), (9, 39)]


def test_shell_heredoc_suppression_does_not_silence_the_file(tmp_path: Path) -> None:
    script = (
        "#!/bin/bash\n"
        "cat > notes.md <<'EOF'\n"
        "# lora-lint: ignore-file\n"
        "EOF\n"
        "llamafactory-cli train --model_name_or_path Qwen/Qwen2.5-0.5B "
        "--finetuning_type lora --lora_target q_proj,v_prj\n"
    )
    result = lint_files(tmp_path, {"run.sh": script})
    assert [f.code for f in result.findings] == ["LL001"]


def test_notebook_multiline_string_is_not_a_comment(tmp_path: Path) -> None:
    import json

    cell = [
        "from peft import LoraConfig, get_peft_model\n",
        "from transformers import AutoModelForCausalLM\n",
        'doc = """\n',
        "# lora-lint: ignore-file\n",
        '"""\n',
        'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n',
        'config = LoraConfig(target_modules=["q_proj", "v_prj"])\n',
        "model = get_peft_model(model, config)\n",
    ]
    nb = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": cell, "outputs": []}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    result = lint_files(tmp_path, {"train.ipynb": json.dumps(nb, indent=1)})
    assert [f.code for f in result.findings] == ["LL001"]


def test_notebook_real_comment_still_suppresses(tmp_path: Path) -> None:
    import json

    cell = [
        "from peft import LoraConfig, get_peft_model\n",
        "from transformers import AutoModelForCausalLM\n",
        'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n',
        'config = LoraConfig(target_modules=["q_proj", "v_prj"])  # noqa: LL001\n',
        "model = get_peft_model(model, config)\n",
    ]
    nb = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": cell, "outputs": []}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    result = lint_files(tmp_path, {"train.ipynb": json.dumps(nb, indent=1)})
    assert result.findings == []
