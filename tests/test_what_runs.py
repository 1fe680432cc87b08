"""What runs decides what is checked: a config is judged only against the model the code
applies it to, and only when its class resolves to PEFT's through the imports.

End to end (extract -> build -> match -> rules) on the bundled model configs, offline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.report.text import coverage_line
from lora_lint.results import REMOTE_CODE, RunResult
from tests.lint_helpers import lint_files

pytestmark = pytest.mark.torch


def summary(result: RunResult) -> list[tuple[str, int, int, str | None]]:
    assert not result.errors, result.errors
    return [(f.code, f.span.line, f.span.column, f.target) for f in result.findings]


# -- (a) several models in one file: the applied one is the checked one -----------------------

TWO_MODELS = """\
from peft import LoraConfig, TaskType, get_peft_model
from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM

t5 = AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-small")
opt = AutoModelForCausalLM.from_pretrained("facebook/opt-350m")
config = LoraConfig(task_type=TaskType.SEQ_2_SEQ_LM, target_modules=["q", "v"])
t5 = get_peft_model(t5, config)
"""


def test_a_t5_config_applied_to_t5_is_not_judged_against_the_nearest_loader(
    tmp_path: Path,
) -> None:
    """opt-350m is loaded last, right before the config; t5 is the model it is applied to."""
    assert summary(lint_files(tmp_path, {"train.py": TWO_MODELS})) == []


def test_the_same_config_applied_to_opt_is_an_error(tmp_path: Path) -> None:
    """Positive control: the T5 names really are wrong for OPT, so the test above can fail."""
    code = TWO_MODELS.replace(
        "t5 = get_peft_model(t5, config)", "opt = get_peft_model(opt, config)"
    )
    found = summary(lint_files(tmp_path, {"train.py": code}))
    assert ("LL001", 6, 70, "q") in found and ("LL001", 6, 75, "v") in found, found
    assert {f.model for f in lint_files(tmp_path, {"train.py": code}).findings} == {
        "facebook/opt-350m"
    }


def test_a_config_applied_to_nothing_is_not_checked_against_a_loader_of_the_file(
    tmp_path: Path,
) -> None:
    code = TWO_MODELS.replace("t5 = get_peft_model(t5, config)\n", "")
    result = lint_files(tmp_path, {"train.py": code})
    assert [f.code for f in result.findings] == ["LL010"], summary(result)
    (warning,) = result.findings
    assert (warning.span.line, warning.severity) == (6, "info")
    assert warning.model is None  # neither flan-t5 nor opt-350m was guessed


# -- (b) a config applied to a module class of the file -------------------------------------

LOCAL_MODULE = """\
import torch.nn as nn
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin0 = nn.Linear(10, 20)
        self.relu = nn.ReLU()


def test_lora_on_a_toy_module():
    model = get_peft_model(MLP(), LoraConfig(target_modules=["lin0"]))
    assert model is not None


def test_opt_loads():
    model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")
    assert model is not None
"""


def test_a_config_applied_to_a_local_module_class_is_judged_against_that_class(
    tmp_path: Path,
) -> None:
    """No LL001 against opt-125m (the other test's model): the config is checked against MLP."""
    result = lint_files(tmp_path, {"test_lora.py": LOCAL_MODULE})
    assert summary(result) == []
    (config,) = result.configs
    assert config.checked and config.model == "MLP" and config.matched_modules == 1
    typo = LOCAL_MODULE.replace('target_modules=["lin0"]', 'target_modules=["lin0", "lin9"]')
    result = lint_files(tmp_path, {"test_lora.py": typo})
    assert [(f.code, f.target) for f in result.findings] == [("LL001", "lin9")]


# -- unsloth's from_pretrained(full_finetuning=True): get_peft_model is a no-op ----------------

UNSLOTH_FULL = """from unsloth import FastModel

model, tokenizer = FastModel.from_pretrained("unsloth/Qwen2.5-0.5B", full_finetuning={value})
model = FastModel.get_peft_model(model, r=16, target_modules=["q_proj", "nope"])
"""


@pytest.mark.parametrize(
    ("value", "codes", "checked"),
    [
        ("True", ["LL016"], False),  # inert, said once (info); no LL001 about "nope"
        ("FULL", [], False),  # not static: not judged
        ("False", ["LL001"], True),
    ],
)
def test_unsloth_full_finetuning_makes_get_peft_model_a_no_op(
    tmp_path: Path, value: str, codes: list[str], checked: bool
) -> None:
    source = UNSLOTH_FULL.format(value=value)
    if value == "FULL":
        source = "import os\nFULL = os.environ.get('FULL') == '1'\n" + source
    result = lint_files(tmp_path, {"train.py": source})
    assert [f.code for f in result.findings if f.code != "LL010"] == codes
    assert [c.checked for c in result.configs] == [checked]


# -- (c) another package's LoraConfig is no PEFT config ----------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "from axolotl.utils.schemas.peft import LoraConfig as AxLoraConfig\n"
        'cfg = AxLoraConfig(adapter="lora", lora_r=8)\n',
        "from ludwig.schema.llms.peft import LoraConfig\ncfg = LoraConfig(r=8, alpha=16)\n",
    ],
    ids=["axolotl", "ludwig"],
)
def test_a_tools_own_lora_config_class_gives_no_finding(tmp_path: Path, code: str) -> None:
    """Their fields (adapter, lora_r, alpha) are not PEFT's: no LL008, no finding at all."""
    result = lint_files(tmp_path, {"schema.py": code})
    assert summary(result) == []
    assert result.configs == []


# -- (d) ms-swift's subclass of PEFT's LoraConfig --------------------------------------------

SWIFT = """\
from peft import get_peft_model
from swift.tuners import LoraConfig
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
config = LoraConfig(r=8, lora_dtype="bf16", target_modules=["q_proj", "v_proj"])
model = get_peft_model(model, config)
"""


def test_swift_lora_dtype_is_no_invalid_option(tmp_path: Path) -> None:
    """``lora_dtype`` is a field of swift's subclass, dropped before PEFT sees it."""
    assert summary(lint_files(tmp_path, {"train.py": SWIFT})) == []


def test_swift_config_targets_are_still_checked(tmp_path: Path) -> None:
    code = SWIFT.replace('"v_proj"]', '"v_prj"]')
    found = summary(lint_files(tmp_path, {"train.py": code}))
    assert found == [("LL001", 6, 71, "v_prj")]


def test_lora_dtype_on_peft_s_own_class_is_an_invalid_option(tmp_path: Path) -> None:
    """Positive control: the same keyword on PEFT's class is LL008, so the swift test can fail."""
    code = SWIFT.replace("from swift.tuners import LoraConfig", "from peft import LoraConfig")
    found = summary(lint_files(tmp_path, {"train.py": code}))
    assert [f[0] for f in found] == ["LL008"] and found[0][1] == 6, found


# -- unsloth loads a config with a vision tower as the VLM -----------------------------------

UNSLOTH_VLM = """\
from unsloth import FastLanguageModel

model, tokenizer = FastLanguageModel.from_pretrained(model_name="{model}", max_seq_length=2048)
model = FastLanguageModel.get_peft_model(
    model, r=16, target_modules=["q_proj", "v_prj", "gate_proj"]
)
"""


@pytest.mark.parametrize(
    ("model", "also"),
    [
        ("unsloth/Qwen3.5-27B", []),
        # gemma-3-4b-it's SigLIP tower has q_proj too: PEFT adapts it (LL012 says so).
        ("unsloth/gemma-3-4b-it", [("LL012", 5, 34, "q_proj")]),
    ],
)
def test_unsloth_vlm_config_is_checked_on_the_class_unsloth_loads(
    tmp_path: Path, model: str, also: list[tuple[str, int, int, str]]
) -> None:
    """FastLanguageModel hands families without an own class to FastModel, which loads a
    config with a vision tower through the image-text-to-text class (unsloth's loader):
    Qwen3.5's composite config builds that way (as a causal LM it does not), and the typo
    is found on the language model inside it."""
    result = lint_files(tmp_path, {"train.py": UNSLOTH_VLM.format(model=model)})
    assert summary(result) == [*also, ("LL001", 5, 44, "v_prj")]
    (config,) = result.configs
    assert config.checked and config.matched_modules


# -- trust_remote_code: the repository's own modeling code runs ------------------------------

REMOTE = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("deepseek-ai/DeepSeek-V3"{trust})
model = get_peft_model(model, LoraConfig(target_modules=["gate_proj", "up_proj", "v_prj"]))
"""


def test_trust_remote_code_on_a_model_with_its_own_code_is_not_checked(tmp_path: Path) -> None:
    """DeepSeek-V3's config.json has an auto_map: with trust_remote_code=True its own
    modeling file (one Linear per expert) builds the model, not transformers' class (fused
    experts), so nothing is judged; without it, transformers' class runs and is judged."""
    trusted = lint_files(tmp_path / "a", {"t.py": REMOTE.format(trust=", trust_remote_code=True")})
    assert [f.code for f in trusted.findings] == ["LL010"]
    assert "trust_remote_code=True" in trusted.findings[0].message
    (config,) = trusted.configs
    assert not config.checked and config.not_checked == REMOTE_CODE
    assert "not bundled" not in (coverage_line(trusted) or "")  # no model is missing
    native = lint_files(tmp_path / "b", {"t.py": REMOTE.format(trust="")})
    assert ("LL001", "v_prj") in [(f.code, f.target) for f in native.findings]


def test_remote_code_is_marked_on_every_bundled_model_whose_config_has_an_auto_map() -> None:
    """The bundled files drop ``auto_map`` from the config (transformers builds the native
    class); each says so in its source, and each must then carry ``remote_code``."""
    from lora_lint.models import bundled

    for name in bundled.all_names():
        entry = bundled.lookup(name)
        assert entry is not None
        assert entry.remote_code == ("auto_map" in entry.source), entry.file
