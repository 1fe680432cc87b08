"""Bad input never crashes, hangs or hides the other files' findings.

Each class of bad input is linted next to a *witness* file with one known
finding: the bad file gets ``LL000 unreadable-input`` (or the precise rule) with
its path and the reason, and the witness finding is still reported. The CLI
tests check exit codes and that nothing but findings is printed (no traceback).
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from pathlib import Path

import pytest

from lora_lint.cli import main
from tests.robustness.helpers import (
    WITNESS,
    WITNESS_LINE,
    WITNESS_NAME,
    assert_witness,
    codes,
    lint,
    of,
    run_cli,
    write,
)

pytestmark = pytest.mark.torch  # the witness needs its base model built once per session

QWEN = "Qwen/Qwen2.5-0.5B"
SCRIPT = (
    "from peft import LoraConfig, get_peft_model\n"
    "from transformers import AutoModelForCausalLM\n"
    f'model = AutoModelForCausalLM.from_pretrained("{QWEN}")\n'
    'config = LoraConfig(target_modules=["q_proj", "v_prj"])\n'
    "model = get_peft_model(model, config)\n"
)
SCRIPT_FINDING = ("LL001", 4, 47)
AXOLOTL = f"base_model: {QWEN}\nadapter: lora\nlora_target_modules: [q_proj, v_prj]\n"
AXOLOTL_FINDING = ("LL001", 3, 31)
ADAPTER_JSON = (
    '{\n  "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",\n  "peft_type": "LORA",\n'
    '  "target_modules": ["q_proj", "v_prj"]\n}\n'
)
ADAPTER_FINDING = ("LL001", 4, 32)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # display paths relative to the project


def _ll000(result, path: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    found = of(result, path, "LL000")
    assert found, codes(result)
    assert any(reason in f.message for f in found), [f.message for f in found]
    assert not result.errors, result.errors
    assert_witness(result)


# -- syntax and parse errors ------------------------------------------------------------------


def test_python_syntax_error(tmp_path: Path) -> None:
    result = lint(
        tmp_path, {"bad.py": "from peft import LoraConfig\nc = LoraConfig(target_modules=[\n"}
    )
    _ll000(result, "bad.py", "cannot parse Python")


def test_invalid_yaml(tmp_path: Path) -> None:
    result = lint(tmp_path, {"bad.yaml": "lora_target_modules: [q_proj, v_proj\nadapter: lora\n"})
    _ll000(result, "bad.yaml", "invalid YAML")
    assert of(result, "bad.yaml", "LL000")[0].span.line == 2


def test_json_with_comments(tmp_path: Path) -> None:
    text = '{\n  // the targets\n  "target_modules": ["q_proj"]\n}\n'
    result = lint(tmp_path, {"adapter_config.json": text})
    _ll000(result, "adapter_config.json", "comments are not allowed")
    assert codes(result, "adapter_config.json") == [("LL000", 2, 3)]


def test_json_trailing_comma(tmp_path: Path) -> None:
    result = lint(tmp_path, {"cfg.json": '{"target_modules": ["q_proj",]}'})
    _ll000(result, "cfg.json", "trailing comma")


# -- YAML structure: duplicates, anchors, merge keys, several documents -----------------------


def test_yaml_duplicate_key_is_reported_and_the_last_one_wins(tmp_path: Path) -> None:
    text = (
        f"base_model: {QWEN}\n"
        "adapter: lora\n"
        "lora_target_modules: [q_proj, v_proj]\n"
        "lora_r: 16\n"
        "lora_target_modules: [q_proj, k_prj]\n"
    )
    result = lint(tmp_path, {"dup.yaml": text})
    assert codes(result, "dup.yaml") == [("LL018", 3, 1), ("LL001", 5, 31)]
    (dup,) = of(result, "dup.yaml", "LL018")
    assert "'lora_target_modules' appears twice" in dup.message and "(line 5)" in dup.message
    assert_witness(result)


def test_json_duplicate_key(tmp_path: Path) -> None:
    text = (
        '{\n  "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",\n  "peft_type": "LORA",\n'
        '  "target_modules": ["q_prj"],\n  "target_modules": ["q_proj"]\n}\n'
    )
    result = lint(tmp_path, {"adapter_config.json": text})
    assert codes(result, "adapter_config.json") == [("LL018", 4, 3)]  # json.load keeps the last


def test_yaml_key_three_times_points_at_the_last(tmp_path: Path) -> None:
    text = f"base_model: {QWEN}\nadapter: lora\nlora_r: 8\nlora_r: 16\nlora_r: 32\n"
    result = lint(tmp_path, {"dup.yaml": text})
    found = of(result, "dup.yaml", "LL018")
    assert [(f.span.line, f.span.column) for f in found] == [(3, 1), (4, 1)]
    assert all("(line 5)" in f.message for f in found)


def test_yaml_without_config_reports_no_duplicates(tmp_path: Path) -> None:
    # Not a training config (no config extracted): duplicate keys are not lora-lint's business.
    result = lint(tmp_path, {"compose.yaml": "services:\n  a: {target: x}\n  a: {target: y}\n"})
    assert codes(result, "compose.yaml") == []


def test_anchors_aliases_and_merge_keys_are_resolved(tmp_path: Path) -> None:
    text = (
        "targets: &targets [q_proj, v_prj]\n"
        "common: &common\n"
        f"  base_model: {QWEN}\n"
        "  adapter: lora\n"
        "<<: *common\n"
        "lora_target_modules: *targets\n"
    )
    result = lint(tmp_path, {"merge.yaml": text})
    # The typo is reported where it is written: in the anchored list.
    assert codes(result, "merge.yaml") == [("LL001", 1, 28)]
    assert_witness(result)


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a: &a [lora, lora, lora, lora, lora, lora, lora, lora, lora]"]
    for i in range(1, 12):  # 9**12 expanded scalars when fully expanded
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*{'a' if i == 1 else f'l{i - 1}'}"] * 9) + "]")
    lines.append("target_modules: *l11")
    started = time.monotonic()
    result = lint(tmp_path, {"bomb.yaml": "\n".join(lines) + "\n"})
    assert time.monotonic() - started < 10
    _ll000(result, "bomb.yaml", "aliases expand")


def test_shared_aliases_below_the_limit_are_fine(tmp_path: Path) -> None:
    text = (
        "base: &b [q_proj, v_prj]\n"
        "runs:\n"
        + "".join(f"  - {{name: r{i}, targets: *b}}\n" for i in range(50))
        + (f"base_model: {QWEN}\nadapter: lora\nlora_target_modules: *b\n")
    )
    result = lint(tmp_path, {"shared.yaml": text})
    assert codes(result, "shared.yaml") == [("LL001", 1, 19)]


def test_multi_document_yaml_checks_every_document(tmp_path: Path) -> None:
    text = AXOLOTL + "---\n" + AXOLOTL.replace("v_prj", "k_prj")
    result = lint(tmp_path, {"multi.yaml": text})
    assert codes(result, "multi.yaml") == [("LL001", 3, 31), ("LL001", 7, 31)]
    hints = [f.location_hint for f in of(result, "multi.yaml")]
    assert hints == ["document 1", "document 2"]


def test_error_in_a_later_document_keeps_the_earlier_ones(tmp_path: Path) -> None:
    text = AXOLOTL + "---\nlora_target_modules: [q_proj\n"
    result = lint(tmp_path, {"multi.yaml": text})
    assert codes(result, "multi.yaml") == [("LL001", 3, 31), ("LL000", 6, 1)]


# -- encodings and line endings ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("latin1.yaml", "lora_target_modules: [q_proj]  # caf\xe9\n".encode("latin-1"), "UTF-8"),
        ("utf16.py", "from peft import LoraConfig\n".encode("utf-16"), "UTF-16"),
        ("binary.py", b"\x7fELF\x02\x01\x01\x00\x00target_modules", "binary"),
        ("binary.yaml", b"\x00\x00\x00\x18ftypmp42lora_target_modules", "binary"),
    ],
)
def test_undecodable_and_binary_files(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    result = lint(tmp_path, {name: data})
    _ll000(result, name, reason)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # A GBK-encoded script (its coding cookie makes it valid Python) without a config.
        ("search.py", '# encoding=gbk\nprint(input("\u95ee\u9898"))\n'.encode("gbk")),
        ("data.json", '{"city": "S\u00e3o Paulo"}\n'.encode("latin-1")),
        ("blob.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ],
)
def test_undecodable_file_without_a_config_is_silent(
    tmp_path: Path, name: str, data: bytes
) -> None:
    """Not UTF-8 text and nothing the pre-filter looks for: no config, so no LL000."""
    result = lint(tmp_path, {name: data})
    assert of(result, name) == [], codes(result)
    assert not result.errors, result.errors
    assert_witness(result)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("train.py", SCRIPT, SCRIPT_FINDING),
        ("axolotl.yaml", AXOLOTL, AXOLOTL_FINDING),
        ("adapter_config.json", ADAPTER_JSON, ADAPTER_FINDING),
    ],
)
@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf", "cr"])
def test_bom_and_line_endings_keep_positions(
    tmp_path: Path, name: str, text: str, expected: tuple[str, int, int], variant: str
) -> None:
    data = text
    if "crlf" in variant:
        data = data.replace("\n", "\r\n")
    if variant == "cr":
        data = data.replace("\n", "\r")
    raw = data.encode("utf-8")
    if "bom" in variant:
        raw = b"\xef\xbb\xbf" + raw
    result = lint(tmp_path, {name: raw})
    assert codes(result, name) == [expected]
    assert not result.errors


def test_unicode_line_separators_do_not_shift_yaml_lines(tmp_path: Path) -> None:
    # PyYAML counts U+2028/U+2029/U+0085 as line breaks; editors, git and lora-lint's
    # reporters do not, so positions must still refer to "\n" lines.
    text = 'note: "a line\u2028separator, a next\x85line"\n' + AXOLOTL
    result = lint(tmp_path, {"u.yaml": text})
    assert codes(result, "u.yaml") == [("LL001", 4, 31)]
    # In a comment, U+2028 ends the comment for YAML: the error is at a "\n" position.
    result = lint(tmp_path, {"c.yaml": "# note:\u2028 not a comment: x\n" + AXOLOTL})
    assert codes(result, "c.yaml") == [("LL000", 2, 1)]


def test_wide_characters_count_as_one_column(tmp_path: Path) -> None:
    text = AXOLOTL.replace("adapter: lora", "adapter: lora  # 😀 é 中文")
    text = text.replace("[q_proj, v_prj]", "[q_proj, v_prj]  # 😀")
    text = "# 😀😀😀\n" + text.replace("lora_target_modules: ", "lora_target_modules:  ")
    result = lint(tmp_path, {"wide.yaml": text})
    assert codes(result, "wide.yaml") == [("LL001", 4, 32)]


# -- empty, large, deep --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.py", "empty.yaml", "empty.json", "empty.ipynb", "e.sh"])
def test_empty_files_are_fine(tmp_path: Path, name: str) -> None:
    result = lint(tmp_path, {name: b""})
    assert codes(result, name) == [] and not result.errors
    assert_witness(result)


def test_whitespace_and_comment_only_files(tmp_path: Path) -> None:
    files = {"a.yaml": "# lora target_modules\n\n", "b.json": "\n", "c.py": "# LoraConfig\n"}
    result = lint(tmp_path, files)
    assert codes(result) == [("LL001", 5, 5)] and not result.errors
    # JSON with LoRA keys but no value is parsed, and reported.
    result = lint(tmp_path, {"d.json": " \n // target_modules\n"})
    _ll000(result, "d.json", "comments are not allowed")


def test_very_large_file_has_a_clear_message(tmp_path: Path) -> None:
    big = "lora_target_modules: [q_proj]\n" + "# " + "x" * (6 * 1024 * 1024) + "\n"
    result = lint(tmp_path, {"big.yaml": big})
    _ll000(result, "big.yaml", "MiB limit")


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("deep.py", "from peft import LoraConfig\nx = " + "[" * 300 + "]" * 300 + "\n", 1),
        ("chain.py", "from peft import LoraConfig\nx = " + "-" * 20_000 + "1\n", 1),
        ("deep.yaml", "lora_target_modules: " + "[" * 5_000 + "]" * 5_000 + "\n", 1),
        ("deepmap.yaml", "lora_target_modules: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n", 1),
        ("deepblock.yaml", "lora_target_modules:\n" + "- " * 5_000 + "x\n", 2),
        ("deep.json", '{"target_modules": ' + "[" * 5_000 + "]" * 5_000 + "}", 1),
    ],
)
def test_deeply_nested_literals(tmp_path: Path, name: str, text: str, line: int) -> None:
    """Code and line only: which parser layer refuses the depth first (ours, or PyYAML's own
    limit since 6.0.4) and how it words it is not ours to pin."""
    result = lint(tmp_path, {name: text})
    found = of(result, name, "LL000")
    assert [f.span.line for f in found] == [line], codes(result)
    assert not result.errors, result.errors
    assert_witness(result)


# -- files that cannot be read -------------------------------------------------------------


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("lora_target_modules: [q_proj]\n")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: chmod cannot make a file unreadable")
        write(tmp_path, {WITNESS_NAME: WITNESS})
        from lora_lint.engine import Linter
        from lora_lint.settings import Settings

        result = Linter(Settings(project_root=tmp_path, offline=True)).run(
            [path, tmp_path / WITNESS_NAME]
        )
        _ll000(result, "secret.yaml", "Permission denied")
    finally:
        path.chmod(0o644)


def test_read_error_is_reported_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same as above where chmod cannot help: the read itself fails."""
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "secret.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    result = lint(tmp_path, {"secret.yaml": "lora_target_modules: [q_proj]\n"})
    _ll000(result, "secret.yaml", "Permission denied")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_with_a_lintable_name_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    write(tmp_path, {WITNESS_NAME: WITNESS})
    from lora_lint.engine import Linter
    from lora_lint.settings import Settings

    started = time.monotonic()
    result = Linter(Settings(project_root=tmp_path, offline=True)).run([tmp_path])
    assert time.monotonic() - started < 30
    _ll000(result, "pipe.yaml", "not a regular file")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_broken_symlink_and_symlink_loop(tmp_path: Path) -> None:
    write(tmp_path, {WITNESS_NAME: WITNESS})
    (tmp_path / "broken.yaml").symlink_to(tmp_path / "missing.yaml")
    (tmp_path / "loop1.yaml").symlink_to(tmp_path / "loop2.yaml")
    (tmp_path / "loop2.yaml").symlink_to(tmp_path / "loop1.yaml")
    from lora_lint.engine import Linter
    from lora_lint.settings import Settings

    for settings in (
        Settings(project_root=tmp_path, offline=True),
        Settings(
            project_root=tmp_path,
            offline=True,
            extend_exclude=["other/"],
            per_file_ignores={"*.json": ["LL013"]},
        ),
    ):
        linter = Linter(settings, force_exclude=True)
        for paths in ([tmp_path], sorted(tmp_path.iterdir())):
            result = linter.run(paths)
            assert not result.errors, result.errors
            _ll000(result, "broken.yaml", "No such file")
            _ll000(result, "loop1.yaml", "symbolic links")
            _ll000(result, "loop2.yaml", "symbolic links")


# -- notebooks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"cells": [{"cell_type": "code", "source": "LoraConfig(target_modules', "notebook"),
        ('["LoraConfig", "target_modules"]', "notebook"),
        ('{"cells": "LoraConfig target_modules"}', "notebook"),
        ('{"cells": [{"cell_type": "code", "source": 42}], "x": "LoraConfig"}', "notebook"),
        ('{"cells": [{"cell_type": "code", "source": ["LoraConfig(", 1]}]}', "notebook"),
    ],
)
def test_broken_notebooks(tmp_path: Path, text: str, reason: str) -> None:
    result = lint(tmp_path, {"nb.ipynb": text})
    assert not result.errors, result.errors
    found = of(result, "nb.ipynb")
    assert all(f.code == "LL000" for f in found)
    assert_witness(result)


# -- a model's config.json ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{oops", "not valid JSON"),
        ("[1, 2]", "does not hold a JSON object"),
        ('{"hidden_size": 8}', "no `model_type`"),
        ('{"model_type": "no-such-architecture-xyz"}', "not known to transformers"),
        (
            '{"model_type": "llama", "hidden_size": "wide", "architectures": ["LlamaForCausalLM"]}',
            "",
        ),
        (b"\xff\xfe{}", "cannot read"),
        ("", "not valid JSON"),
    ],
)
def test_corrupt_or_foreign_model_config(tmp_path: Path, content: str | bytes, reason: str) -> None:
    files: dict[str, str | bytes] = {
        "model/config.json": content,
        "train.py": SCRIPT.replace(QWEN, "./model"),
    }
    result = lint(tmp_path, files)
    assert not result.errors, result.errors
    (finding,) = of(result, "train.py")
    assert finding.code == "LL010" and (finding.span.line, finding.span.column) == (3, 46)
    assert reason in finding.message, finding.message
    assert_witness(result)


# -- the project configuration -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ("[tool.lora-lint]\nselect = 'LL001'\n", "[tool.lora-lint] select: expected a list"),
        ("[tool.lora-lint]\nno-such-key = 1\n", "[tool.lora-lint] no-such-key: unknown setting"),
        ("[tool.lora-lint]\noffline = 'yes'\n", "[tool.lora-lint] offline: expected true or false"),
        ("[tool.lora-lint\nselect = []\n", "invalid TOML"),
        ("tool = 1\n[tool.lora-lint]\n", "invalid TOML"),
        ('[tool]\nlora-lint = "x"\n', "[tool.lora-lint] must be a table"),
    ],
)
def test_bad_pyproject_section_is_one_line_and_exit_2(
    tmp_path: Path, toml: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"pyproject.toml": toml, WITNESS_NAME: WITNESS})
    assert main(["check", ".", "--offline"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "pyproject.toml" in lines[0] and needle in lines[0], lines[0]
    assert "Traceback" not in captured.err


# -- the whole run, through the CLI --------------------------------------------------------


def _everything_bad() -> dict[str, str | bytes]:
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    laughs += [
        f"b{i}: &b{i} [" + ", ".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 9) + "]"
        for i in range(10)
    ]
    laughs.append("target_modules: *b9")
    return {
        WITNESS_NAME: WITNESS,
        "syntax.py": "from peft import LoraConfig\nLoraConfig(target_modules=[\n",
        "invalid.yaml": "lora_target_modules: [q\n",
        "comments.json": '{"target_modules": ["q"] // no\n}',
        "latin1.yaml": b"lora_target_modules: [caf\xe9]\n",
        "binary.py": b"LoraConfig\x00\x01\x02",
        "empty.py": b"",
        "big.yaml": "lora_target_modules: [q]\n" + "#" * (6 * 1024 * 1024),
        "laughs.yaml": "\n".join(laughs) + "\n",
        "deep.yaml": "target_modules: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "deep.json": '{"target_modules": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "deep.py": "from peft import LoraConfig\nx = " + "(" * 100_000 + ")" * 100_000 + "\n",
        "broken.ipynb": '{"cells": [{"source": "LoraConfig(',
        "crlf.yaml": AXOLOTL.replace("\n", "\r\n").replace("v_prj", "o_prj"),
    }


def test_cli_over_every_bad_input_at_once(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project, _everything_bad())
    (project / "dangling.yaml").symlink_to(project / "nowhere.yaml")
    started = time.monotonic()
    proc = run_cli("check", ".", "--offline", cwd=project)
    assert time.monotonic() - started < 120
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr == "", proc.stderr
    out = proc.stdout
    assert WITNESS_LINE in out
    assert "crlf.yaml:3:31: LL001" in out
    for name in _everything_bad():
        if name in (WITNESS_NAME, "empty.py", "crlf.yaml"):
            continue
        assert f"{name}:" in out and "LL000" in out.split(f"{name}:", 1)[1].split("\n", 1)[0], name
    assert "dangling.yaml:1:1: LL000" in out

    as_json = run_cli("check", ".", "--offline", "--format", "json", cwd=project)
    data = json.loads(as_json.stdout)
    assert data["errors"] == [] and as_json.returncode == 1
    assert {f["path"] for f in data["findings"] if f["code"] == "LL000"} >= {
        "syntax.py",
        "invalid.yaml",
        "laughs.yaml",
        "deep.yaml",
        "deep.json",
        "dangling.yaml",
    }


def test_internal_error_is_one_line_and_other_findings_still_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lora_lint.extract import frontends

    real = frontends.extract_text

    def flaky(path, shown, text, project_root):  # type: ignore[no-untyped-def]
        if path.name == "crash.yaml":
            raise KeyError("simulated front-end bug")
        return real(path, shown, text, project_root)

    monkeypatch.setattr(frontends, "extract_text", flaky)
    write(tmp_path, {WITNESS_NAME: WITNESS, "crash.yaml": AXOLOTL})
    status = main(["check", ".", "--offline", "--no-cache"])
    captured = capsys.readouterr()
    assert status == 2
    assert WITNESS_LINE in captured.out
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "crash.yaml" in lines[0] and "bug" in lines[0], captured.err
    assert "Traceback" not in captured.err


def test_unexpected_error_outside_the_files_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lora_lint import engine

    def boom(self, paths):  # type: ignore[no-untyped-def]
        raise RuntimeError("simulated bug in the run itself")

    monkeypatch.setattr(engine.Linter, "files", boom)
    monkeypatch.delenv("LORA_LINT_DEBUG", raising=False)
    write(tmp_path, {WITNESS_NAME: WITNESS})
    assert main(["check", ".", "--offline"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "bug" in err and "Traceback" not in err, err


def test_undecodable_file_name(tmp_path: Path) -> None:
    if sys.platform in ("darwin", "win32"):
        pytest.skip("file names must be valid Unicode on this platform")
    project = tmp_path / "project"
    project.mkdir()
    name = os.fsdecode(b"bad-\xff.yaml")
    (project / name).write_text(AXOLOTL)
    proc = run_cli("check", ".", "--offline", cwd=project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "LL001" in proc.stdout and ".yaml:3:31" in proc.stdout
    st = (project / name).stat()
    assert stat.S_ISREG(st.st_mode)
