"""The cold-build progress bar: only on a terminal, only for two or more cold models."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from lora_lint.report.progress import ModelBuildProgress, progress_callback
from tests.tiny_models import TINY

ROOT = Path(__file__).resolve().parents[2]


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_callback_on_pipes_and_files(tmp_path: Path) -> None:
    assert progress_callback(io.StringIO()) is None
    with open(tmp_path / "log", "w") as fh:
        assert progress_callback(fh) is None


def test_closed_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    stream.close()  # isatty() now raises ValueError
    assert progress_callback(stream) is None


def test_single_cold_model_shows_nothing() -> None:
    stream = FakeTTY()
    callback = progress_callback(stream)
    assert isinstance(callback, ModelBuildProgress)
    callback(1, 1, "org/model")
    callback.close()
    assert stream.getvalue() == ""


def test_two_cold_models_show_a_bar_that_goes_away() -> None:
    stream = FakeTTY()
    callback = progress_callback(stream)
    assert callback is not None
    callback(1, 2, "org/first")
    callback(2, 2, "org/second")
    callback.close()
    callback.close()  # idempotent
    text = stream.getvalue()
    assert "Building models" in text and "org/second" in text and "2/2" in text


def _tiny_project(root: Path) -> list[str]:
    names = []
    for arch in ("llama", "gpt2"):
        model_dir = root / "models" / arch
        model_dir.mkdir(parents=True)
        (model_dir / "config.json").write_text(json.dumps(TINY[arch]))
        target = "q_proj" if arch == "llama" else "c_attn"
        (root / f"{arch}.yaml").write_text(
            f"base_model: ./models/{arch}\nadapter: lora\nlora_target_modules: [{target}]\n"
        )
        names.append(f"{arch}.yaml")
    return names


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return env


@pytest.mark.torch
def test_cli_bar_on_a_terminal_only(tmp_path: Path) -> None:
    files = _tiny_project(tmp_path)
    cmd = [sys.executable, "-m", "lora_lint", "check", *files, "--offline", "--format", "json"]

    # stderr on a pseudo-terminal, cold cache: the bar is drawn there, JSON stays clean.
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [*cmd, "--cache-dir", str(tmp_path / "cache-tty")],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    stdout = proc.communicate(timeout=300)[0]
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert json.loads(stdout)["findings"] == []
    assert "Building models on the meta device" in terminal and "./models/" in terminal

    # Pipes, cold cache: nothing on stderr, identical stdout.
    piped = subprocess.run(
        [*cmd, "--cache-dir", str(tmp_path / "cache-pipe")],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert piped.returncode == 0
    assert piped.stderr == b""
    assert json.loads(piped.stdout) == json.loads(stdout)
