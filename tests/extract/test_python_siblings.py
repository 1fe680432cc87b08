"""Constants imported from other modules of the same repository (parsed, never imported)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from lora_lint.extract.python import extract_python
from lora_lint.extract.types import ExtractedConfig, FileExtraction, Located, Unresolved


def write(root: Path, files: dict[str, str]) -> None:
    for name, code in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code).lstrip("\n"), encoding="utf-8")


def extract_file(root: Path, name: str) -> FileExtraction:
    path = root / name
    result = extract_python(
        path.read_text(encoding="utf-8"), name, project_root=root, file_path=path
    )
    assert result.findings == []
    return result


def only_config(root: Path, name: str) -> ExtractedConfig:
    (config,) = extract_file(root, name).configs
    return config


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths of sibling modules are shown relative to the working directory.
    monkeypatch.chdir(tmp_path)


CONSTANTS = """
ATTENTION = ["q_proj", "k_proj",
             "v_prj", "o_proj"]
MLP = ["gate_proj", "up_proj", "down_proj"]
TARGET_MODULES = ATTENTION + MLP
MODEL_ID = "meta-llama/Llama-3.1-8B"
"""


def test_relative_import_of_a_sibling_constant(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "proj/__init__.py": "",
            "proj/constants.py": CONSTANTS,
            "proj/train.py": """
                from peft import LoraConfig, get_peft_model
                from transformers import AutoModelForCausalLM
                from .constants import MODEL_ID, TARGET_MODULES

                model = AutoModelForCausalLM.from_pretrained(MODEL_ID)
                config = LoraConfig(target_modules=TARGET_MODULES)
                model = get_peft_model(model, config)
            """,
        },
    )
    config = only_config(tmp_path, "proj/train.py")
    assert config.option("target_modules") == [
        "q_proj",
        "k_proj",
        "v_prj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    ]
    targets = config.options["target_modules"]
    assert isinstance(targets, Located)
    assert targets.path == "proj/constants.py"
    typo = targets.items[2]
    assert isinstance(typo, Located)
    assert typo.path == "proj/constants.py"
    assert (typo.span.line, typo.span.column, typo.span.end_column) == (2, 14, 21)
    assert config.model is not None and config.model.name == "meta-llama/Llama-3.1-8B"
    # The id lives in another file: the span points at the argument in train.py.
    assert config.model.span is not None and config.model.span.line == 5


def test_absolute_import_from_project_root_and_src(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/myproj/__init__.py": "",
            "src/myproj/config.py": CONSTANTS,
            "scripts/train.py": """
                from peft import LoraConfig
                from myproj.config import MLP
                from myproj import config as cfg

                a = LoraConfig(target_modules=MLP)
                b = LoraConfig(target_modules=cfg.ATTENTION)
            """,
        },
    )
    first, second = extract_file(tmp_path, "scripts/train.py").configs
    assert first.option("target_modules") == ["gate_proj", "up_proj", "down_proj"]
    assert second.option("target_modules") == ["q_proj", "k_proj", "v_prj", "o_proj"]


def test_script_directory_module_and_module_attribute(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "settings.py": 'TARGETS = "q_proj,v_proj"\n',
            "train.py": """
                import settings
                from peft import LoraConfig
                config = LoraConfig(target_modules=settings.TARGETS.split(","))
            """,
        },
    )
    config = only_config(tmp_path, "train.py")
    assert config.option("target_modules") == ["q_proj", "v_proj"]
    targets = config.options["target_modules"]
    assert isinstance(targets, Located)
    first = targets.items[0]
    assert isinstance(first, Located) and first.path == "settings.py"
    assert (first.span.line, first.span.column, first.span.end_column) == (1, 12, 18)


def test_chained_re_export_and_star_import(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/base.py": 'TARGETS = ["query", "value"]\n',
            "pkg/defaults.py": "from .base import TARGETS\n",
            "pkg/everything.py": "from .base import *\n",
            "pkg/train.py": """
                from peft import LoraConfig
                from .defaults import TARGETS as T
                from .everything import *
                a = LoraConfig(target_modules=T)
                b = LoraConfig(target_modules=TARGETS)
            """,
        },
    )
    first, second = extract_file(tmp_path, "pkg/train.py").configs
    assert first.option("target_modules") == ["query", "value"]
    assert second.option("target_modules") == ["query", "value"]


def test_unresolvable_sibling_values_carry_their_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "consts.py": """
                import os
                TARGETS = os.environ["TARGETS"].split(",")
                if os.environ.get("BIG"):
                    RANK = 64
                else:
                    RANK = 8
            """,
            "train.py": """
                from peft import LoraConfig
                from consts import TARGETS, RANK, MISSING
                config = LoraConfig(r=RANK, target_modules=TARGETS, lora_alpha=MISSING)
            """,
        },
    )
    config = only_config(tmp_path, "train.py")
    targets = config.options["target_modules"]
    assert isinstance(targets, Unresolved)
    assert targets.path == "consts.py"
    assert "environment variable TARGETS" in targets.reason
    rank = config.options["r"]
    assert isinstance(rank, Unresolved)
    assert rank.path is None  # reported at the use, with the other file named
    assert rank.reason.endswith("at line 3 in consts.py")
    missing = config.options["lora_alpha"]
    assert (
        isinstance(missing, Unresolved)
        and "'MISSING' is not defined in consts.py" in missing.reason
    )
    assert len(config.unresolved) == 3


def test_third_party_imports_are_never_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "train.py": """
                from peft import LoraConfig
                from some_library.presets import LLAMA_TARGETS
                config = LoraConfig(target_modules=LLAMA_TARGETS)
            """,
        },
    )
    config = only_config(tmp_path, "train.py")
    value = config.options["target_modules"]
    assert isinstance(value, Unresolved)
    assert value.reason == (
        "'LLAMA_TARGETS' is imported from some_library.presets, which is not part of the project"
    )


def test_files_outside_the_project_root_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "repo"
    write(outside, {"consts.py": 'TARGETS = ["q_proj"]\n'})
    write(
        root,
        {
            "train.py": """
                from peft import LoraConfig
                from ..outside.consts import TARGETS
                config = LoraConfig(target_modules=TARGETS)
            """,
        },
    )
    config = only_config(root, "train.py")
    assert isinstance(config.options["target_modules"], Unresolved)


def test_import_cycles_terminate(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.py": "from b import X\n",
            "b.py": "from a import X\n",
            "train.py": """
                from peft import LoraConfig
                from a import X
                config = LoraConfig(target_modules=X)
            """,
        },
    )
    config = only_config(tmp_path, "train.py")
    assert isinstance(config.options["target_modules"], Unresolved)


def test_sibling_changes_are_seen_by_the_cache(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "consts.py": 'TARGETS = ["q_proj"]\n',
            "train.py": """
                from peft import LoraConfig
                from consts import TARGETS
                config = LoraConfig(target_modules=TARGETS)
            """,
        },
    )
    assert only_config(tmp_path, "train.py").option("target_modules") == ["q_proj"]
    consts = tmp_path / "consts.py"
    consts.write_text('TARGETS = ["q_proj", "v_proj"]\n', encoding="utf-8")
    stat = consts.stat()
    os.utime(consts, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert only_config(tmp_path, "train.py").option("target_modules") == ["q_proj", "v_proj"]


def test_syntax_error_in_a_sibling_is_an_unresolved_value(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "consts.py": "TARGETS = [\n",
            "train.py": """
                from peft import LoraConfig
                from consts import TARGETS
                config = LoraConfig(target_modules=TARGETS)
            """,
        },
    )
    value = only_config(tmp_path, "train.py").options["target_modules"]
    assert isinstance(value, Unresolved) and value.reason.startswith("cannot parse consts.py")
