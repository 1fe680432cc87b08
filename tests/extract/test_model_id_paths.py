"""The model id is followed through the paths scripts really use to name it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint_helpers import lint_files

pytestmark = pytest.mark.torch

DATA = Path(__file__).parent.parent / "data" / "follow"


@pytest.mark.parametrize(
    ("name", "how"),
    [
        ("a.py", "os.environ.get default"),
        ("b.py", "snapshot_download result"),
        ("c.py", "HfArgumentParser dataclass default"),
        ("d.py", "snapshot_download local_dir"),
    ],
)
def test_model_id_is_followed(tmp_path: Path, name: str, how: str) -> None:
    result = lint_files(tmp_path, {name: (DATA / name).read_text()})
    assert [(f.code, f.target, f.model) for f in result.findings] == [
        ("LL001", "v_prj", "Qwen/Qwen2.5-0.5B")
    ], how


@pytest.mark.parametrize(("written", "loaded"), [("ckpt2", "./ckpt2"), ("./ckpt2/", "ckpt2")])
def test_a_local_dir_is_the_same_directory_however_it_is_spelled(
    tmp_path: Path, written: str, loaded: str
) -> None:
    text = (DATA / "d.py").read_text()
    text = text.replace('local_dir="./ckpt2"', f'local_dir="{written}"')
    text = text.replace('from_pretrained("./ckpt2")', f'from_pretrained("{loaded}")')
    result = lint_files(tmp_path, {"d.py": text})
    assert [(f.code, f.model) for f in result.findings] == [("LL001", "Qwen/Qwen2.5-0.5B")]
    other = text.replace(f'from_pretrained("{loaded}")', 'from_pretrained("./ckpt3")')
    assert [f.code for f in lint_files(tmp_path, {"d.py": other}).findings] == ["LL010"]


def test_environment_without_default_is_not_guessed(tmp_path: Path) -> None:
    text = (DATA / "a.py").read_text().replace(', "Qwen/Qwen2.5-0.5B"', "")
    result = lint_files(tmp_path, {"a.py": text})
    assert [f.code for f in result.findings] == ["LL010"]
