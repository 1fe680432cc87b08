"""Recognising PEFT config classes however they are imported, and the text pre-filter."""

from __future__ import annotations

import textwrap

import pytest

from lora_lint.extract.python import extract_python, might_contain_config
from lora_lint.extract.types import FileExtraction


def extract(code: str, path: str = "train.py") -> FileExtraction:
    result = extract_python(textwrap.dedent(code).lstrip("\n"), path)
    assert result.findings == []
    return result


@pytest.mark.parametrize(
    "code",
    [
        """
        from peft import LoraConfig
        config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
        """,
        """
        from peft import LoraConfig as LC
        config = LC(r=8, target_modules=["q_proj", "v_proj"])
        """,
        """
        import peft
        config = peft.LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
        """,
        """
        import peft as p
        config = p.LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
        """,
        """
        from peft.tuners.lora import LoraConfig
        config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
        """,
        """
        from peft import *
        config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
        """,
        """
        import peft.tuners.lora
        config = peft.tuners.lora.LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
        """,
        """
        from swift.tuners import LoraConfig  # ms-swift's subclass of PEFT's class
        config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
        """,
        """
        try:
            from peft import LoraConfig
        except ImportError:
            LoraConfig = None
        config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
        """,
        """
        import peft
        LC = peft.LoraConfig
        config = LC(r=8, target_modules=["q_proj", "v_proj"])
        """,
        """
        def build():
            from peft import LoraConfig
            return LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
        """,
    ],
)
def test_every_import_style_is_recognised(code: str) -> None:
    result = extract(code)
    assert len(result.configs) == 1
    config = result.configs[0]
    assert config.source == "python"
    assert config.peft_type == "LORA"
    assert config.path == "train.py"
    assert config.option("target_modules") == ["q_proj", "v_proj"]
    assert config.option("r") == 8


@pytest.mark.parametrize(
    ("class_name", "peft_type"),
    [
        ("LoHaConfig", "LOHA"),
        ("LoKrConfig", "LOKR"),
        ("AdaLoraConfig", "ADALORA"),
        ("IA3Config", "IA3"),
        ("VeraConfig", "VERA"),
        ("OFTConfig", "OFT"),
        ("BOFTConfig", "BOFT"),
        ("HRAConfig", "HRA"),
        ("FourierFTConfig", "FOURIERFT"),
        ("VBLoRAConfig", "VBLORA"),
        ("LNTuningConfig", "LN_TUNING"),
        ("MissConfig", "MISS"),
        ("RandLoraConfig", "RANDLORA"),
        ("C3AConfig", "C3A"),
        ("ShiraConfig", "SHIRA"),
        ("DeloraConfig", "DELORA"),
        ("RoadConfig", "ROAD"),
    ],
)
def test_other_peft_methods(class_name: str, peft_type: str) -> None:
    result = extract(
        f"""
        from peft import {class_name}
        config = {class_name}(target_modules=["k_proj", "v_proj", "down_proj"])
        """
    )
    (config,) = result.configs
    assert config.peft_type == peft_type
    assert config.option("target_modules") == ["k_proj", "v_proj", "down_proj"]


def test_ia3_feedforward_modules_are_options() -> None:
    result = extract(
        """
        from peft import IA3Config, TaskType
        peft_config = IA3Config(
            task_type=TaskType.SEQ_2_SEQ_LM,
            target_modules=["k", "v", "wo"],
            feedforward_modules=["wo"],
        )
        """
    )
    (config,) = result.configs
    assert config.option("feedforward_modules") == ["wo"]
    assert config.option("task_type") == "SEQ_2_SEQ_LM"


def test_locally_defined_class_of_the_same_name_is_not_peft() -> None:
    result = extract(
        """
        from dataclasses import dataclass, field

        @dataclass
        class LoraConfig:
            r: int = 8
            target_modules: list = field(default_factory=lambda: ["q_proj"])

        cfg = LoraConfig(r=16, target_modules=["q", "v"])
        """
    )
    assert result.configs == []


@pytest.mark.parametrize(
    "code",
    [
        # No import at all: the name alone proves nothing.
        'config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"])\n',
        # Imports that do not resolve to PEFT: another package's class of the same name.
        'from unsloth import LoraConfig\nconfig = LoraConfig(r=8, target_modules=["q_proj"])\n',
        "from axolotl.utils.schemas.peft import LoraConfig\nconfig = LoraConfig(lora_r=8)\n",
        "from ludwig.schema.llms.peft import LoraConfig\nconfig = LoraConfig(r=8, alpha=16)\n",
        "from mylib import *\nconfig = LoraConfig(r=8)\n",
    ],
)
def test_a_name_that_does_not_resolve_to_peft_is_no_config(code: str) -> None:
    assert extract(code).configs == []


def test_attribute_of_a_local_object_is_not_peft() -> None:
    result = extract(
        """
        registry = make_registry()
        config = registry.LoraConfig(target_modules=["q_proj"])
        """
    )
    assert result.configs == []


def test_configs_are_listed_in_source_order() -> None:
    result = extract(
        """
        from peft import LoraConfig, LoHaConfig

        first = LoHaConfig(target_modules=["a"])
        second = LoraConfig(target_modules=["b"])
        """
    )
    assert [c.peft_type for c in result.configs] == ["LOHA", "LORA"]


@pytest.mark.parametrize(
    "text",
    [
        "from peft import LoraConfig",
        "cfg = dict(target_modules=['q'])",
        "model = get_peft_model(model, cfg)",
        "from peft import VBLoRAConfig",
        "model_args = ModelConfig(use_peft=True)",
        "x = IA3Config()",
    ],
)
def test_prefilter_accepts_files_that_may_hold_a_config(text: str) -> None:
    assert might_contain_config(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "import torch\nmodel = torch.nn.Linear(2, 2)\n",
        "from transformers import AutoModelForCausalLM\n",
        "def lora(): pass\n",
    ],
)
def test_prefilter_rejects_unrelated_files(text: str) -> None:
    assert not might_contain_config(text)


def test_rejected_files_are_not_parsed() -> None:
    # A syntax error in a file without any config is not lora-lint's business.
    result = extract_python("def broken(:\n", "other.py")
    assert result.findings == []
    assert result.configs == []
