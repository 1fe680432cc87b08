"""``--fix`` on Python: only the string's body changes; quotes, comments and layout stay."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from tests.fix.conftest import Run, read, write

pytestmark = pytest.mark.torch

HEAD = (
    "from peft import LoraConfig, get_peft_model  # keep this comment\n"
    "from transformers import AutoModelForCausalLM\n"
    "\n"
    'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
)
#: Applies ``config`` to the model: what tells lora-lint which model the config is checked against.
APPLY = "model = get_peft_model(model, config)\n"

ODD_LAYOUT = HEAD + (
    "config = LoraConfig(\n"
    "    r=8,   # odd   spacing kept\n"
    "    target_modules=[ 'q_proj' ,  'v_prj',  # the typo\n"
    '                     "o_proj"],\n'
    ")\n" + APPLY
)


def test_unsafe_fix_rewrites_only_the_string_body(project: Path, run: Run) -> None:
    path = write(project, "train.py", ODD_LAYOUT)
    code, out, _ = run("--fix", "--unsafe-fixes", "train.py")
    assert read(path) == ODD_LAYOUT.replace("'v_prj'", "'v_proj'")
    assert code == 0 and "All checks passed" in out
    assert "Fixed 1 finding in 1 file." in out


def test_fix_without_unsafe_fixes_leaves_misspellings(project: Path, run: Run) -> None:
    path = write(project, "train.py", ODD_LAYOUT)
    code, out, _ = run("--fix", "train.py")
    assert read(path) == ODD_LAYOUT
    assert code == 1
    assert "LL001 [error] 'v_prj' matches no module" in out  # no [*]: not applicable
    assert "No fixes available (1 hidden fix can be enabled with `--unsafe-fixes`)." in out
    assert "Fixed" not in out


@pytest.mark.parametrize(
    ("written", "fixed"),
    [
        ("'v_prj'", "'v_proj'"),
        ('"v_prj"', '"v_proj"'),
        ("r'v_prj'", "r'v_proj'"),
        ('u"v_prj"', 'u"v_proj"'),
        ('"""v_prj"""', '"""v_proj"""'),
        # a misspelling with a unique close candidate among the dotted names
        ('"self_attn.v_prj"', '"self_attn.v_proj"'),
        # stray punctuation from a copied list or shell quoting
        ('"v_proj,"', '"v_proj"'),
        ("\"'v_proj'\"", '"v_proj"'),
    ],
)
def test_literal_forms_keep_prefix_and_quotes(
    project: Path, run: Run, written: str, fixed: str
) -> None:
    text = HEAD + f'config = LoraConfig(target_modules=["q_proj", {written}])\n' + APPLY
    path = write(project, "train.py", text)
    run("--fix", "--unsafe-fixes", "train.py")
    assert read(path) == text.replace(written, fixed)


@pytest.mark.parametrize(
    "written",
    [
        'f"v_prj"',  # f-string
        '"v_" "prj"',  # implicit concatenation
        '"v_p\\x72j"',  # escape: the source is not the value
        '"v_" + "prj"',  # an expression
        '"kv_proj"',  # two candidates at the same distance (k_proj, v_proj)
        '"v_pj"',  # two edits are too many for a name this short
    ],
)
def test_no_fix_when_the_literal_or_the_candidate_is_not_plain(
    project: Path, run: Run, written: str
) -> None:
    text = HEAD + f'config = LoraConfig(target_modules=["q_proj", {written}])\n' + APPLY
    path = write(project, "train.py", text)
    code, out, _ = run("--unsafe-fixes", "train.py")
    assert code == 1 and "LL001 [error]" in out and "[*]" not in out
    run("--fix", "--unsafe-fixes", "train.py")
    assert read(path) == text


def test_names_of_another_architecture_are_never_fixed(project: Path, run: Run) -> None:
    """q_proj on Falcon: the role table suggests query_key_value; that is a judgement."""
    text = (
        "from peft import LoraConfig, get_peft_model\n"
        "from transformers import AutoModelForCausalLM\n"
        'model = AutoModelForCausalLM.from_pretrained("tiiuae/falcon-7b")\n'
        'config = LoraConfig(target_modules=["q_proj", "v_proj", "dense_h_to_4hh"])\n'
        "model = get_peft_model(model, config)\n"
    )
    path = write(project, "train.py", text)
    code, out, _ = run("--fix", "--unsafe-fixes", "train.py")
    assert read(path) == text.replace("dense_h_to_4hh", "dense_h_to_4h")
    assert code == 1 and out.count("LL001 [error]") == 2 and "query_key_value" in out


def test_split_string_piece_is_fixed_inside_the_literal(project: Path, run: Run) -> None:
    text = HEAD + 'config = LoraConfig(target_modules="q_proj,v_prj,q_proj".split(","))\n' + APPLY
    path = write(project, "train.py", text)
    code, _, _ = run("--fix", "--unsafe-fixes", "train.py")
    assert read(path) == text.replace('"q_proj,v_prj,q_proj"', '"q_proj,v_proj"')
    assert code == 0


DUPLICATES = HEAD + (
    'inline = LoraConfig(target_modules=["q_proj", "v_proj", "q_proj"])\n'
    "TARGETS = [\n"
    '    "q_proj",  # attention\n'
    '    "v_proj",\n'
    '    "k_proj",\n'
    '    "k_proj",\n'
    "]\n"
    "block = LoraConfig(target_modules=TARGETS)\n"
)


def test_safe_fix_removes_exact_duplicates(project: Path, run: Run) -> None:
    path = write(project, "train.py", DUPLICATES)
    code, out, _ = run("train.py")
    assert out.count("LL013 [*] [warning]") == 2
    assert "[*] 2 fixable with `--fix`." in out
    code, out, _ = run("--fix", "train.py")
    expected = DUPLICATES.replace('["q_proj", "v_proj", "q_proj"]', '["q_proj", "v_proj"]').replace(
        '    "k_proj",\n    "k_proj",\n', '    "k_proj",\n'
    )
    assert read(path) == expected
    assert code == 0 and "Fixed 2 findings in 1 file." in out


def test_duplicate_with_a_comment_is_not_removed(project: Path, run: Run) -> None:
    text = HEAD + (
        "config = LoraConfig(target_modules=[\n"
        '    "q_proj",\n'
        '    "q_proj",  # on purpose?\n'
        '    "v_proj",\n'
        "])\n"
    )
    path = write(project, "train.py", text)
    _, out, _ = run("--fix", "train.py")
    assert read(path) == text
    assert "LL013 [warning]" in out


def test_fix_that_creates_a_duplicate_is_followed_by_its_removal(project: Path, run: Run) -> None:
    """Re-linted in the same run: v_prj -> v_proj duplicates v_proj, a second pass removes it."""
    text = HEAD + 'config = LoraConfig(target_modules=["v_proj", "v_prj", "o_proj"])\n' + APPLY
    path = write(project, "train.py", text)
    code, out, _ = run("--fix", "--unsafe-fixes", "train.py")
    assert read(path) == text.replace('"v_proj", "v_prj", ', '"v_proj", ')
    assert code == 0 and "All checks passed" in out and "Fixed 2 findings" in out


def test_second_run_changes_nothing(project: Path, run: Run) -> None:
    path = write(project, "train.py", DUPLICATES.replace('"v_proj",\n', '"v_prj",\n'))
    run("--fix", "--unsafe-fixes", "train.py")
    once = path.read_bytes()
    _, out, _ = run("--fix", "--unsafe-fixes", "train.py")
    assert path.read_bytes() == once and "Fixed" not in out


def test_constant_in_another_file_is_fixed_only_when_that_file_is_checked(
    project: Path, run: Run
) -> None:
    constants = write(project, "constants.py", 'TARGETS = ["q_proj", "v_prj"]\n')
    train = write(
        project,
        "train.py",
        HEAD
        + "from constants import TARGETS\n\nconfig = LoraConfig(target_modules=TARGETS)\n"
        + APPLY,
    )
    before = read(train)
    _, out, _ = run("--fix", "--unsafe-fixes", "train.py")
    assert read(constants) == 'TARGETS = ["q_proj", "v_prj"]\n'
    assert "constants.py:1:22: LL001" in out
    code, out, _ = run("--fix", "--unsafe-fixes", "train.py", "constants.py")
    assert read(constants) == 'TARGETS = ["q_proj", "v_proj"]\n' and read(train) == before
    assert code == 0


def test_bom_line_endings_and_mode_are_kept(project: Path, run: Run) -> None:
    text = "\ufeff" + ODD_LAYOUT.replace("\n", "\r\n")
    path = write(project, "train.py", text)
    if sys.platform != "win32":
        os.chmod(path, 0o754)
    run("--fix", "--unsafe-fixes", "train.py")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8") == text.replace("'v_prj'", "'v_proj'")
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o754
    assert not [p for p in project.iterdir() if p.name.endswith(".lora-lint")]  # no temp files
