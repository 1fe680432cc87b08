"""The one atomic cache store and the one display path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lora_lint.cache_io import write_json
from lora_lint.paths import display_path, relative_path


def test_write_json_is_atomic_and_cleans_up(tmp_path: Path) -> None:
    entry = tmp_path / "deep" / "dir" / "key.json"
    write_json(entry, {"a": [1, 2]})
    assert json.loads(entry.read_text()) == {"a": [1, 2]}
    with pytest.raises(TypeError):
        write_json(entry, {"a": {1}})  # a set is no JSON: the old entry stays whole
    assert json.loads(entry.read_text()) == {"a": [1, 2]}
    assert sorted(p.name for p in entry.parent.iterdir()) == ["key.json"]


def test_display_and_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inner = tmp_path / "pkg" / "train.py"
    inner.parent.mkdir()
    inner.write_text("")
    monkeypatch.chdir(tmp_path)
    assert display_path(inner) == os.path.join("pkg", "train.py")
    assert display_path(Path("/elsewhere/x.py")) == "/elsewhere/x.py"
    assert display_path(Path(os.fsdecode(b"bad\xff.py"))) == "bad\\xff.py"
    assert relative_path(inner, tmp_path) == "pkg/train.py"
