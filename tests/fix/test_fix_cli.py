"""The ``--fix``/``--unsafe-fixes``/``--diff`` command line, reporters, and the examples."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from tests.fix.conftest import Run, read, write

pytestmark = pytest.mark.torch

ROOT = Path(__file__).resolve().parents[2]
FINDING_KEYS = {
    "code",
    "name",
    "severity",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "message",
    "target",
    "suggestion",
    "model",
}
TRAIN = (
    "from peft import LoraConfig, get_peft_model\n"
    "from transformers import AutoModelForCausalLM\n"
    'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
    'config = LoraConfig(target_modules=["q_proj", "v_prj", "q_proj"])  # comment\n'
    "model = get_peft_model(model, config)\n"
)


def test_diff_prints_a_patch_and_writes_nothing(project: Path, run: Run) -> None:
    path = write(project, "train.py", TRAIN)
    stamp = path.stat().st_mtime_ns
    code, out, err = run("--diff", "--unsafe-fixes", "train.py")
    assert code == 1
    assert out == (
        "--- a/train.py\n"
        "+++ b/train.py\n"
        "@@ -1,5 +1,5 @@\n"
        " from peft import LoraConfig, get_peft_model\n"
        " from transformers import AutoModelForCausalLM\n"
        ' model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
        '-config = LoraConfig(target_modules=["q_proj", "v_prj", "q_proj"])  # comment\n'
        '+config = LoraConfig(target_modules=["q_proj", "v_proj"])  # comment\n'
        " model = get_peft_model(model, config)\n"
    )
    assert "Would fix 2 findings in 1 file." in err
    assert read(path) == TRAIN and path.stat().st_mtime_ns == stamp
    code, out, _ = run("--diff", "train.py")  # safe fixes only
    assert code == 1 and '+config = LoraConfig(target_modules=["q_proj", "v_prj"])' in out


def test_diff_without_fixes_exits_0(project: Path, run: Run) -> None:
    write(project, "train.py", TRAIN.replace(', "v_prj", "q_proj"', ""))
    code, out, _ = run("--diff", "--unsafe-fixes", "train.py")
    assert code == 0 and out == ""


def test_text_marks_fixable_findings_and_hints(project: Path, run: Run) -> None:
    write(project, "train.py", TRAIN)
    _, out, _ = run("train.py")
    assert "train.py:4:47: LL001 [error] 'v_prj'" in out
    assert "train.py:4:56: LL013 [*] [warning] 'q_proj' is a duplicate" in out
    assert out.endswith(
        "[*] 1 fixable with `--fix` (1 hidden fix can be enabled with `--unsafe-fixes`).\n"
    )
    _, out, _ = run("--unsafe-fixes", "train.py")
    assert "train.py:4:47: LL001 [*] [error] 'v_prj'" in out
    assert out.endswith("[*] 2 fixable with `--fix --unsafe-fixes`.\n")
    _, out, _ = run("-q", "train.py")
    assert "fixable" not in out


def test_show_fixes(project: Path, run: Run) -> None:
    write(project, "train.py", TRAIN)
    _, out, _ = run("--fix", "--unsafe-fixes", "--show-fixes", "train.py")
    assert "fixed train.py:4:47: LL001 Replace 'v_prj' with 'v_proj'" in out
    assert "fixed train.py:4:56: LL013 Remove the duplicate 'q_proj'" in out


def test_json_findings_keep_their_keys(project: Path, run: Run) -> None:
    path = write(project, "train.py", TRAIN)
    _, out, _ = run("--format", "json", "train.py")
    doc = json.loads(out)
    assert set(doc) == {"version", "findings", "configs", "errors", "libraries"}
    assert all(set(f) == FINDING_KEYS for f in doc["findings"]) and len(doc["findings"]) == 2
    _, out, err = run("--format", "json", "--fix", "train.py")
    doc = json.loads(out)  # the fix summary goes to stderr, stdout stays one JSON document
    assert [f["code"] for f in doc["findings"]] == ["LL001"]
    assert "Fixed 1 finding in 1 file." in err and "v_prj" in read(path)


def test_sarif_carries_fixes_and_validates(project: Path, run: Run) -> None:
    write(project, "train.py", TRAIN)
    _, out, _ = run("--format", "sarif", "train.py")
    log = json.loads(out)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_bytes())
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(log))
    assert not errors, errors[0].message
    fixes = {r["ruleId"]: r["fixes"][0] for r in log["runs"][0]["results"]}
    assert fixes["LL001"]["properties"]["applicability"] == "unsafe"
    (change,) = fixes["LL001"]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "train.py"
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 4, "startColumn": 48, "endLine": 4, "endColumn": 53},
            "insertedContent": {"text": "v_proj"},
        }
    ]
    assert fixes["LL013"]["properties"]["applicability"] == "safe"
    assert fixes["LL013"]["artifactChanges"][0]["replacements"] == [
        {"deletedRegion": {"startLine": 4, "startColumn": 54, "endLine": 4, "endColumn": 64}}
    ]


def test_examples_misspellings_are_repaired_and_nothing_else(project: Path, run: Run) -> None:
    """Done-when: `check --fix --unsafe-fixes` on a copy of examples/."""
    shutil.copytree(ROOT / "examples", project / "examples")
    before = {
        p.relative_to(project): p.read_bytes()
        for p in (project / "examples").rglob("*")
        if p.is_file()
    }
    code, out, _ = run("--fix", "--unsafe-fixes", "examples")
    after = {p: (project / p).read_bytes() for p in before}

    sft = Path("examples/sft_llama31_lora.py")
    lf = Path("examples/llama-factory/qwen2.5-7b-lora-sft.yaml")
    assert after[sft].decode() == before[sft].decode().replace(
        'target_modules=["q_proj", "v_prj"]', 'target_modules=["q_proj", "v_proj"]'
    )
    assert after[lf].decode() == before[lf].decode().replace(
        "lora_target: q_proj,v_proj,gate_prj", "lora_target: q_proj,v_proj,gate_proj"
    )
    assert b'"gate_prj" is a typo' in after[lf]  # the comment is not a target
    for rel in set(before) - {sft, lf}:
        if rel.suffix in (".ipynb", ".sh"):  # examples other front ends may add
            _assert_only_names_changed(before[rel].decode(), after[rel].decode())
        else:
            assert after[rel] == before[rel], rel

    # Re-linted in the same run: what remains is what no fix may decide.
    assert "v_prj" not in out and "gate_prj" not in out
    assert "falcon-7b-qlora.yaml:18:5: LL001 [error] 'q_proj'" in out
    assert "falcon-7b-qlora.yaml:19:5: LL001 [error] 'v_proj'" in out
    assert "did you mean 'query_key_value'" in out and "did you mean 'gate_up_proj'" in out
    assert "Fixed 2 findings in 2 files." in out and code == 1
    # Idempotent: nothing left to fix.
    _, out, _ = run("--fix", "--unsafe-fixes", "examples")
    assert {p: (project / p).read_bytes() for p in before} == after and "Fixed" not in out


def _assert_only_names_changed(old: str, new: str) -> None:
    """Line for line, each changed line differs by a few characters (a name)."""
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        assert tag == "replace" and a1 - a0 == b1 - b0, (tag, old.splitlines()[a0:a1])
        for x, y in zip(old.splitlines()[a0:a1], new.splitlines()[b0:b1], strict=True):
            ops = difflib.SequenceMatcher(a=x, b=y, autojunk=False).get_opcodes()
            assert sum(max(i2 - i1, j2 - j1) for t, i1, i2, j1, j2 in ops if t != "equal") <= 3
