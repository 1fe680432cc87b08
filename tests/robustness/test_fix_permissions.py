"""``--fix`` respects permissions: a read-only file is not rewritten, a directory where the
fixed file cannot be written gives one clear line per file; the findings stay reported
and the other files are still fixed."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from lora_lint.cli import main
from lora_lint.edits import source

pytestmark = pytest.mark.torch

HEAD = (
    "from peft import LoraConfig, get_peft_model\n"
    "from transformers import AutoModelForCausalLM\n"
    'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
)
BAD = HEAD + 'config = LoraConfig(target_modules=["q_proj", "v_prj"])\nmodel = get_peft_model(model, config)\n'
GOOD = BAD.replace('"v_prj"', '"v_proj"')


@pytest.fixture(autouse=True)
def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    source.forget()


def _fix(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, str, str]:
    code = main(["check", "--offline", "--fix", "--unsafe-fixes", *paths])
    out, err = capsys.readouterr()
    return code, out, err


def test_read_only_file_is_not_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked, free = tmp_path / "locked.py", tmp_path / "free.py"
    locked.write_text(BAD)
    free.write_text(BAD)
    locked.chmod(0o444)
    code, out, err = _fix(capsys, "locked.py", "free.py")
    assert locked.read_text() == BAD and stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert free.read_text() == GOOD  # the writable one is fixed
    assert "locked.py: the file is read-only; not fixed" in out + err
    assert "locked.py:4:47: LL001" in out  # still reported
    assert "free.py:4:47: LL001" not in out
    assert "internal error" not in out + err and code == 1


def test_unwritable_directory_gives_a_message_and_keeps_the_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root ignores a 0555 directory, so the refusal of the OS is simulated at mkstemp."""
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "train.py").write_text(BAD)
    (tmp_path / "ok.py").write_text(BAD)
    real = tempfile.mkstemp

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        if str(kwargs.get("dir", "")).endswith(os.sep + "ro"):
            raise PermissionError(13, "Permission denied")
        return real(*args, **kwargs)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    code, out, err = _fix(capsys, "ro/train.py", "ok.py")
    assert (tmp_path / "ro" / "train.py").read_text() == BAD
    assert (tmp_path / "ok.py").read_text() == GOOD
    assert "ro/train.py: cannot write it (Permission denied); not fixed" in out + err
    assert "ro/train.py:4:47: LL001" in out
    assert "internal error" not in out + err and code == 1
