"""The CLI's ruff-like conventions and report rough edges (issue "[6 of 6]").

Options (``--output-file``, ``--config``, ``--color``, ``-v``, stdin with
``--stdin-filename``), safe output of hostile names and values, a total order,
repeated ``--select``, honest fix hints and summaries, pre-commit's merged
output, the cold-run status line, and the marks on assumed costs and aliased
models.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lora_lint.cli import main
from lora_lint.diagnostics import Finding, Severity, Span
from lora_lint.results import ConfigSummary, RunResult
from lora_lint.report import FORMATS, write_report
from lora_lint.report.progress import STATUS, ModelBuildProgress
from lora_lint.report.safe import printable
from lora_lint.report.text import plural, use_colour

ROOT = Path(__file__).resolve().parent.parent

BAD = "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules: [q_proj, v_prj]\n"
GOOD = BAD.replace("v_prj", "v_proj")
SCRIPT = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM
from common import TARGETS

model = AutoModelForCausalLM.from_pretrained("{model}")
config = LoraConfig(r=8, target_modules=TARGETS)
model = get_peft_model(model, config)
"""


@pytest.fixture(autouse=True)
def _no_precommit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)


def run(
    args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def finding(**kw: Any) -> Finding:
    base: dict[str, Any] = {
        "code": "LL001",
        "name": "unknown-target-module",
        "severity": Severity.ERROR,
        "path": "train.yaml",
        "span": Span(3, 31, 3, 36),
        "message": "'v_prj' matches no module",
        "target": "v_prj",
    }
    base.update(kw)
    return Finding(**base)


# --- --output-file, --config, --color, --verbose -------------------------------------------


@pytest.mark.torch
def test_output_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    write(tmp_path, {"bad.yaml": BAD})
    code, out, _ = run(
        ["check", "--offline", "--format", "json", "--output-file", "reports/ll.json"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert code == 1 and out == ""
    doc = json.loads((tmp_path / "reports" / "ll.json").read_text(encoding="utf-8"))
    assert [f["code"] for f in doc["findings"]] == ["LL001"]
    code, out, _ = run(["check", "--offline", "-o", "ll.txt"], tmp_path, monkeypatch, capsys)
    text = (tmp_path / "ll.txt").read_text(encoding="utf-8")
    assert code == 1 and out == "" and "bad.yaml:3:31: LL001" in text and "\x1b[" not in text


@pytest.mark.torch
@pytest.mark.parametrize("name", ["lora-lint.toml", "pyproject.toml"])
def test_config_file_replaces_discovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, name: str
) -> None:
    table = 'ignore = ["LL001"]\n'
    text = table if name == "lora-lint.toml" else "[tool.lora-lint]\n" + table
    write(
        tmp_path,
        {
            "bad.yaml": BAD,
            f"ci/{name}": text,
            "pyproject.toml": '[tool.lora-lint]\nselect = ["LL001"]\n',
        },
    )
    code, out, _ = run(["check", "--offline", "bad.yaml"], tmp_path, monkeypatch, capsys)
    assert code == 1 and "LL001" in out
    code, out, _ = run(
        ["check", "--offline", "--config", f"ci/{name}", "bad.yaml"], tmp_path, monkeypatch, capsys
    )
    assert code == 0 and "LL001" not in out


def test_config_file_errors_are_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, _, err = run(["check", "--config", "nope.toml"], tmp_path, monkeypatch, capsys)
    assert code == 2 and "nope.toml" in err
    write(tmp_path, {"x.toml": 'selekt = ["LL001"]\n'})
    code, _, err = run(["check", "--config", "x.toml"], tmp_path, monkeypatch, capsys)
    assert code == 2 and "x.toml" in err and "selekt" in err


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_decision() -> None:
    tty, pipe = _Tty(), io.StringIO()
    assert use_colour(tty, "auto", {}) and not use_colour(pipe, "auto", {})
    assert not use_colour(tty, "auto", {"NO_COLOR": "1"})
    assert use_colour(pipe, "auto", {"FORCE_COLOR": "1"})
    assert use_colour(pipe, "always", {"NO_COLOR": "1"})
    assert not use_colour(tty, "never", {"FORCE_COLOR": "1"})


@pytest.mark.torch
def test_color_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    write(tmp_path, {"bad.yaml": BAD})
    _, out, _ = run(["check", "--offline", "--color", "always"], tmp_path, monkeypatch, capsys)
    assert "\x1b[1mbad.yaml:3:31\x1b[0m" in out  # NO_COLOR is set by conftest: the flag wins
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, out, _ = run(["check", "--offline"], tmp_path, monkeypatch, capsys)
    assert "\x1b[" in out
    _, out, _ = run(["check", "--offline", "--color", "never"], tmp_path, monkeypatch, capsys)
    assert "\x1b[" not in out


@pytest.mark.torch
def test_verbose(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    write(tmp_path, {"bad.yaml": BAD.replace("Qwen2.5-0.5B", "Qwen2.5-0.5B-Instruct")})
    code, out, err = run(["check", "--offline", "-v"], tmp_path, monkeypatch, capsys)
    assert code == 1 and "lora-lint:" not in out
    lines = err.splitlines()
    assert "lora-lint: settings: none found (defaults)" in lines
    assert "lora-lint: files checked: 1" in lines
    [config] = [line for line in lines if line.startswith("lora-lint: config bad.yaml:1:")]
    assert "Qwen/Qwen2.5-0.5B-Instruct -> Qwen/Qwen2.5-0.5B" in config
    assert any(line.startswith("lora-lint: timings: extract ") for line in lines)


# --- stdin ---------------------------------------------------------------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


@pytest.mark.torch
def test_stdin_with_filename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    _stdin(monkeypatch, BAD)
    code, out, _ = run(
        ["check", "--offline", "-", "--stdin-filename", "configs/train.yaml"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert code == 1
    assert out.startswith(f"{Path('configs/train.yaml')}:3:31: LL001 ")
    assert "in 1 of 1 LoRA config (1 file checked)" in out


@pytest.mark.torch
def test_stdin_filename_picks_the_front_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    script = (
        "from peft import LoraConfig\n"
        "from transformers import AutoModelForCausalLM\n"
        'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
        'config = LoraConfig(target_modules=["q_proj", "v_prj"])\n'
        "model = get_peft_model(model, config)\n"
    )
    _stdin(monkeypatch, script)
    code, out, _ = run(
        ["check", "--offline", "--format", "json", "-", "--stdin-filename", "train.py"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    [f] = json.loads(out)["findings"]
    assert code == 1 and (f["path"], f["line"], f["column"]) == ("train.py", 4, 47)
    # The same text as YAML is no config at all: the name decides.
    _stdin(monkeypatch, script)
    code, out, _ = run(
        ["check", "--offline", "--format", "json", "-", "--stdin-filename", "train.yaml"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert code == 0 and json.loads(out)["findings"] == []


@pytest.mark.torch
def test_stdin_suppressions_and_force_exclude(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    _stdin(monkeypatch, BAD.replace("v_prj]", "v_prj]  # noqa: LL001"))
    code, out, _ = run(
        ["check", "--offline", "-", "--stdin-filename", "a.yaml"], tmp_path, monkeypatch, capsys
    )
    assert code == 0 and "All checks passed" in out
    write(tmp_path, {"pyproject.toml": '[tool.lora-lint]\nextend-exclude = ["vendor/"]\n'})
    _stdin(monkeypatch, BAD)
    code, out, _ = run(
        ["check", "--offline", "--force-exclude", "-", "--stdin-filename", "vendor/a.yaml"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert code == 0 and "0 files" in out


def test_stdin_with_fix_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    _stdin(monkeypatch, BAD)
    code, _, err = run(["check", "--fix", "-"], tmp_path, monkeypatch, capsys)
    assert code == 2 and "stdin" in err


# --- hostile names and values --------------------------------------------------------------

HOSTILE = "a\x1b]0;owned\x07\nb\rc\u202e.yaml"


def test_printable_escapes_controls() -> None:
    assert printable(HOSTILE) == "a\\x1b]0;owned\\x07\\nb\\rc\\u202e.yaml"
    assert printable("configs/日本語 é.yaml") == "configs/日本語 é.yaml"


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_file_names_are_escaped(fmt: str) -> None:
    result = RunResult(findings=[finding(path=HOSTILE, location_hint="cell\x1b[2J 1")])
    stream = io.StringIO()
    write_report(result, fmt, stream, quiet=True, colour=False)
    out = stream.getvalue()
    assert out.count("\n") == 1 and out.endswith("\n")  # one line: nothing forged
    assert not any(ch in out[:-1] for ch in "\x1b\x07\r\n\u202e")
    assert "\\x1b]0;owned\\x07" in out


@pytest.mark.torch
def test_file_names_are_escaped_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    name = "a\x1b]0;owned\x07\nb.yaml"
    write(tmp_path, {name: BAD})
    code, out, _ = run(["check", "--offline", "-q"], tmp_path, monkeypatch, capsys)
    assert code == 1
    assert out.splitlines()[0].startswith("a\\x1b]0;owned\\x07\\nb.yaml:3:31: LL001")
    assert "\x1b" not in out and "\x07" not in out


SURROGATE = finding(
    target="v_\ud800", message="'v_\\ud800' matches no module", suggestion=("v_\udfff",)
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_serializes_a_lone_surrogate(fmt: str) -> None:
    result = RunResult(findings=[SURROGATE], configs=[], files_checked=1)
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")
    write_report(result, fmt, stream, colour=False)
    stream.flush()
    data = raw.getvalue().decode("utf-8")  # strict: valid UTF-8
    assert data
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(data)
        assert "v_\\\\ud800" in data  # the escape text, readable by every JSON parser
    if fmt == "json-lines":
        [line] = data.splitlines()
        assert json.loads(line)["target"] == "v_\\ud800"


@pytest.mark.torch
@pytest.mark.parametrize("fmt", ["sarif", "json-lines", "json", "text", "gitlab"])
def test_lone_surrogate_in_a_target_end_to_end(tmp_path: Path, fmt: str) -> None:
    write(
        tmp_path,
        {
            "train.py": (
                "from peft import LoraConfig\n"
                "from transformers import AutoModelForCausalLM\n"
                'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
                'config = LoraConfig(target_modules=["q_proj", "v_\\ud800"])\n'
                "model = get_peft_model(model, config)\n"
            )
        },
    )
    proc = subprocess.run(
        [sys.executable, "-m", "lora_lint", "check", "--offline", "--format", fmt, "train.py"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout.decode("utf-8")
    if fmt == "json-lines":
        assert [json.loads(line)["code"] for line in out.splitlines()] == ["LL001"]
    elif fmt != "text":
        json.loads(out)
    else:
        assert "train.py:4:47: LL001" in out


# --- order, selection, fixes, summary ------------------------------------------------------


def test_findings_have_a_total_order() -> None:
    a = finding(message="'v_prj' matches no module of gpt2", model="gpt2")
    b = finding(message="'v_prj' matches no module of Qwen", model="Qwen")
    assert sorted([a, b], key=Finding.sort_key) == sorted([b, a], key=Finding.sort_key)
    assert a.sort_key() != b.sort_key()


@pytest.mark.torch
def test_shared_constant_output_is_identical_across_processes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "common.py": 'TARGETS = ["q_proj", "v_prj", "k_porj"]\n',
            "train_a.py": SCRIPT.format(model="Qwen/Qwen2.5-0.5B"),
            "train_b.py": SCRIPT.format(model="gpt2"),
        },
    )
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        proc = subprocess.run(
            [sys.executable, "-m", "lora_lint", "check", "--offline", "."],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed},
        )
        assert proc.returncode == 1, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1
    [out] = outputs
    lines = [line for line in out.splitlines() if ": LL001 " in line]
    assert len(lines) == 5 and lines == sorted(lines)  # by position, then message


@pytest.mark.torch
def test_select_given_twice_adds_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    write(tmp_path, {"bad.yaml": BAD.replace("v_prj]", "v_prj, q_proj]")})
    _, out, _ = run(
        ["check", "--offline", "--format", "json", "--select", "LL001", "--select", "LL013"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert sorted(f["code"] for f in json.loads(out)["findings"]) == ["LL001", "LL013"]
    _, out, _ = run(
        ["check", "--offline", "--format", "json", "--ignore", "LL001", "--ignore", "LL013"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert json.loads(out)["findings"] == []


@pytest.mark.torch
def test_no_fix_advertised_that_fix_would_not_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # The misspelling sits in a module that is not being checked: --fix never touches it.
    write(
        tmp_path,
        {
            "common.py": 'TARGETS = ["q_proj", "v_prj"]\n',
            "train_a.py": SCRIPT.format(model="Qwen/Qwen2.5-0.5B"),
        },
    )
    for args in (["--unsafe-fixes"], ["--fix", "--unsafe-fixes"]):
        code, out, _ = run(
            ["check", "--offline", *args, "train_a.py"], tmp_path, monkeypatch, capsys
        )
        assert code == 1 and "common.py:1:22: LL001 [error]" in out
        assert "[*]" not in out and "fixable" not in out, args
    assert "v_prj" in (tmp_path / "common.py").read_text(encoding="utf-8")


@pytest.mark.torch
def test_ll008_message_shows_plain_values(tmp_path: Path) -> None:
    from tests.lint_helpers import lint_files

    result = lint_files(
        tmp_path,
        {
            "t.py": (
                "from peft import LoraConfig\n"
                'config = LoraConfig(r=[8, 16], target_modules=["q_proj"])\n'
            )
        },
        model="Qwen/Qwen2.5-0.5B",
    )
    [f] = [f for f in result.findings if f.code == "LL008"]
    assert "Located(" not in f.message and "[8, 16]" in f.message


def test_plural() -> None:
    assert [plural(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]
    assert plural(1, "hidden fix", "hidden fixes") == "1 hidden fix"


def _configs(n: int) -> list[ConfigSummary]:
    return [ConfigSummary(f"c{i}.yaml", 1, "axolotl", "LORA", "m", [], 1) for i in range(n)]


def test_summary_counts_the_configs_with_findings() -> None:
    from lora_lint.report.text import summary_line

    clean = RunResult(configs=_configs(1), files_checked=1)
    assert summary_line(clean) == "All checks passed: 1 LoRA config in 1 file."
    result = RunResult(
        findings=[finding()] * 6, configs=_configs(6), files_checked=7, configs_with_findings=3
    )
    assert summary_line(result) == "Found 6 errors in 3 of 6 LoRA configs (7 files checked)."
    result.other_files_with_findings = 1
    assert summary_line(result).startswith("Found 6 errors in 3 of 6 LoRA configs and 1 other file")
    unreadable = RunResult(findings=[finding()], files_checked=2, other_files_with_findings=1)
    assert summary_line(unreadable) == "Found 1 error in 1 file (0 LoRA configs, 2 files checked)."


@pytest.mark.torch
def test_summary_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    write(
        tmp_path,
        {
            "bad.yaml": BAD,
            "good.yaml": GOOD,
            "broken.yaml": "adapter: lora\nlora_target_modules: [q_proj\n",
        },
    )
    _, out, _ = run(["check", "--offline"], tmp_path, monkeypatch, capsys)
    assert out.splitlines()[-2] == (
        "Found 2 errors in 1 of 2 LoRA configs and 1 other file (3 files checked)."
    )


# --- pre-commit ----------------------------------------------------------------------------


@pytest.mark.torch
def test_precommit_clean_batch_is_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    write(tmp_path, {"good.yaml": GOOD, "bad.yaml": BAD})
    monkeypatch.setenv("PRE_COMMIT", "1")
    code, out, err = run(["check", "--offline", "good.yaml"], tmp_path, monkeypatch, capsys)
    assert (code, out, err) == (0, "", "")
    code, out, _ = run(["check", "--offline", "bad.yaml"], tmp_path, monkeypatch, capsys)
    assert code == 1 and "bad.yaml:3:31: LL001" in out and "Found 1 error" in out
    code, out, _ = run(
        ["check", "--offline", "--format", "github", "good.yaml"], tmp_path, monkeypatch, capsys
    )
    assert (code, out) == (0, "")


# --- cold runs -----------------------------------------------------------------------------


def test_status_line_is_transient() -> None:
    stream = _Tty()
    bar = ModelBuildProgress(stream)
    bar.cold_start()
    bar.cold_start()  # once
    assert stream.getvalue() == STATUS
    bar.close()
    assert stream.getvalue() == STATUS + "\r\x1b[K"


@pytest.mark.torch
def test_cold_run_announces_before_torch(tmp_path: Path) -> None:
    write(tmp_path, {"bad.yaml": BAD})
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from lora_lint.engine import Linter\n"
        "from lora_lint.settings import Settings\n"
        "seen = []\n"
        "linter = Linter(Settings(project_root=Path('.'), offline=True),\n"
        "                on_cold_start=lambda: seen.append('torch' in sys.modules))\n"
        "result = linter.run([Path('bad.yaml')])\n"
        "print(seen, [f.code for f in result.findings])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LORA_LINT_CACHE_DIR": str(tmp_path / "c")}
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert proc.stdout.strip() == "[False] ['LL001']", proc.stderr
    proc = subprocess.run(  # warm: no announcement
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert proc.stdout.strip() == "[] ['LL001']", proc.stderr


# --- what the numbers rest on --------------------------------------------------------------


@pytest.mark.torch
def test_statistics_marks_an_assumed_rank(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    write(tmp_path, {"dyn.yaml": GOOD + "lora_r: ${LORA_R}\n", "fixed.yaml": GOOD + "lora_r: 8\n"})
    _, out, _ = run(["check", "--offline", "--statistics"], tmp_path, monkeypatch, capsys)
    [dyn] = [line for line in out.splitlines() if "dyn.yaml:1" in line]
    [fixed] = [line for line in out.splitlines() if "fixed.yaml:1" in line]
    assert "~" in dyn and "r=8 assumed" in dyn
    assert "~" not in fixed and "assumed" not in fixed
    _, out, _ = run(
        ["check", "--offline", "--statistics", "--format", "json"], tmp_path, monkeypatch, capsys
    )
    rows = {c["path"]: c for c in json.loads(out)["configs"]}
    assert rows["dyn.yaml"]["assumptions"] and rows["fixed.yaml"]["assumptions"] == []


@pytest.mark.torch
def test_aliased_model_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    write(tmp_path, {"bad.yaml": BAD.replace("Qwen2.5-0.5B", "Qwen2.5-0.5B-Instruct")})
    _, out, _ = run(["check", "--offline"], tmp_path, monkeypatch, capsys)
    assert "  note: checked as Qwen/Qwen2.5-0.5B (Qwen/Qwen2.5-0.5B-Instruct is an alias" in out
    write(tmp_path, {"bad.yaml": BAD})
    _, out, _ = run(["check", "--offline"], tmp_path, monkeypatch, capsys)
    assert "note:" not in out
