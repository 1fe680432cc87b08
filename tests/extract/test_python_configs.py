"""Config forms: ``**dict``, unsloth ``get_peft_model``, TRL ``ModelConfig``, xtuner dicts."""

from __future__ import annotations

import textwrap

from lora_lint.extract.python import extract_python
from lora_lint.extract.types import ExtractedConfig, FileExtraction, Located, Unresolved


def extract(code: str) -> FileExtraction:
    result = extract_python(textwrap.dedent(code).lstrip("\n"), "train.py")
    assert result.findings == []
    return result


def only_config(code: str) -> ExtractedConfig:
    (config,) = extract(code).configs
    return config


# -- **dict -----------------------------------------------------------------


def test_double_star_dict_literal() -> None:
    config = only_config(
        """
        from peft import LoraConfig
        config = LoraConfig(**{"r": 8, "target_modules": ["q_proj", "v_proj"]})
        """
    )
    assert config.option("r") == 8
    assert config.option("target_modules") == ["q_proj", "v_proj"]
    key_span = config.key_spans["target_modules"]
    assert (key_span.line, key_span.column, key_span.end_column) == (2, 32, 48)
    assert config.option_keys["target_modules"] == "target_modules"
    assert not config.facts.partial


def test_double_star_name_bound_in_the_function() -> None:
    config = only_config(
        """
        from peft import LoraConfig, get_peft_model

        def train(model):
            lora_kwargs = dict(r=16, lora_alpha=32, target_modules=["q_proj", "k_proj"])
            return get_peft_model(model, LoraConfig(task_type="CAUSAL_LM", **lora_kwargs))
        """
    )
    assert config.option("task_type") == "CAUSAL_LM"
    assert config.option("lora_alpha") == 32
    assert config.option("target_modules") == ["q_proj", "k_proj"]
    assert config.key_spans["lora_alpha"].line == 4


def test_merged_dict_with_unknown_base_keeps_the_later_keys() -> None:
    config = only_config(
        """
        import json
        from peft import LoraConfig

        base = json.load(open("lora.json"))
        cfg = {**base, "target_modules": ["q_proj", "v_proj"]}
        config = LoraConfig(**cfg)
        """
    )
    assert config.option("target_modules") == ["q_proj", "v_proj"]
    assert config.facts.partial is True
    (hidden,) = config.unresolved
    # Reported where the unknown value is computed, with the reason.
    assert hidden.text == 'json.load(open("lora.json"))'
    assert hidden.span.line == 4
    assert "json.load()" in hidden.reason


def test_keys_written_before_an_unknown_spread_are_unresolved() -> None:
    config = only_config(
        """
        from peft import LoraConfig
        config = LoraConfig(**{"target_modules": ["q_proj"], **overrides})
        """
    )
    value = config.options["target_modules"]
    assert isinstance(value, Unresolved)
    assert value.reason == "'target_modules' may be overridden by **overrides"
    assert config.facts.partial is True


def test_merged_module_dicts_resolve() -> None:
    config = only_config(
        """
        from peft import LoraConfig
        BASE = {"r": 8, "lora_alpha": 16}
        config = LoraConfig(**{**BASE, "target_modules": ["q_proj"]}, lora_dropout=0.0)
        """
    )
    assert config.option("r") == 8
    assert config.option("target_modules") == ["q_proj"]
    assert config.option("lora_dropout") == 0.0
    assert config.unresolved == []


def test_unresolvable_double_star_marks_the_config_partial() -> None:
    config = only_config(
        """
        from peft import LoraConfig
        config = LoraConfig(r=8, **vars(args))
        """
    )
    assert config.option("r") == 8
    assert config.facts.partial is True
    (hidden,) = config.unresolved
    assert hidden.text == "vars(args)"


def test_dict_modified_in_place_is_not_trusted() -> None:
    config = only_config(
        """
        from peft import LoraConfig
        cfg = {"r": 8, "target_modules": ["q_proj"]}
        cfg["target_modules"] = args.targets
        config = LoraConfig(**cfg)
        """
    )
    assert config.options == {}
    assert config.facts.partial is True
    assert "modified in place (item assignment at line 3)" in config.unresolved[0].reason


# -- unsloth ----------------------------------------------------------------


UNSLOTH = """
from unsloth import FastLanguageModel

max_seq_length = 2048
model, tokenizer = FastLanguageModel.from_pretrained(
    model_name="unsloth/Meta-Llama-3.1-8B-bnb-4bit",
    max_seq_length=max_seq_length,
    load_in_4bit=True,
)
model = FastLanguageModel.get_peft_model(
    model,
    r=16,
    target_modules=["q_proj", "k_proj", "v_proj", "o_proj",
                    "gate_proj", "up_proj", "down_proj"],
    lora_alpha=16,
    lora_dropout=0,
    bias="none",
    use_gradient_checkpointing="unsloth",
    random_state=3407,
    use_rslora=False,
    loftq_config=None,
)
"""


def test_unsloth_get_peft_model_is_a_lora_config() -> None:
    result = extract(UNSLOTH)
    (config,) = result.configs
    assert config.peft_type == "LORA"
    assert config.facts.tool == "unsloth"
    assert config.facts.helper == "FastLanguageModel.get_peft_model"
    assert config.option("target_modules") == [
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    ]
    assert config.option("r") == 16
    assert config.option("use_rslora") is False
    assert "use_gradient_checkpointing" not in config.options
    assert "random_state" not in config.options
    tool_options = config.facts.unsloth_options
    assert isinstance(tool_options, dict) and set(tool_options) == {
        "use_gradient_checkpointing",
        "random_state",
    }
    assert config.unresolved == []
    assert config.model is not None
    assert config.model.name == "unsloth/Meta-Llama-3.1-8B-bnb-4bit"
    assert config.model.head == "trainer-lm"  # unsloth loads a VLM config as image-text-to-text


def test_unsloth_vision_model() -> None:
    config = only_config(
        """
        from unsloth import FastVisionModel
        model, processor = FastVisionModel.from_pretrained("unsloth/Qwen2-VL-7B-Instruct")
        model = FastVisionModel.get_peft_model(
            model,
            finetune_vision_layers=False,
            finetune_language_layers=True,
            r=16,
            target_modules="all-linear",
        )
        """
    )
    assert config.facts.helper == "FastVisionModel.get_peft_model"
    assert config.option("target_modules") == "all-linear"
    assert config.model is not None and config.model.head == "image-text-to-text"


def test_plain_get_peft_model_carries_no_options() -> None:
    result = extract(
        """
        from peft import get_peft_model
        model = get_peft_model(model, peft_config)
        """
    )
    assert result.configs == []


# -- TRL ModelConfig --------------------------------------------------------


def test_trl_model_config_maps_lora_fields() -> None:
    config = only_config(
        """
        from trl import ModelConfig, get_peft_config

        model_args = ModelConfig(
            model_name_or_path="Qwen/Qwen2.5-0.5B",
            use_peft=True,
            lora_r=32,
            lora_alpha=64,
            lora_dropout=0.05,
            lora_target_modules=["q_proj", "v_proj"],
            lora_modules_to_save=["lm_head"],
            lora_target_parameters=["mlp.experts.down_proj"],
            lora_task_type="CAUSAL_LM",
            use_dora=True,
            torch_dtype="bfloat16",
        )
        peft_config = get_peft_config(model_args)
        """
    )
    assert config.facts.tool == "trl"
    assert config.option("r") == 32
    assert config.option("target_modules") == ["q_proj", "v_proj"]
    assert config.option("modules_to_save") == ["lm_head"]
    assert config.option("target_parameters") == ["mlp.experts.down_proj"]
    assert config.option("task_type") == "CAUSAL_LM"
    assert config.option("use_dora") is True
    assert "torch_dtype" not in config.options
    assert config.option_keys["target_modules"] == "lora_target_modules"
    assert config.option_keys["r"] == "lora_r"
    assert config.key_spans["target_modules"].line == 9
    assert not config.facts.inert
    assert config.model is not None
    assert config.model.name == "Qwen/Qwen2.5-0.5B"
    assert config.model.head == "causal-lm"
    assert config.model.origin == "ModelConfig(model_name_or_path=...) at train.py:3"


def test_trl_model_config_without_use_peft_is_inert() -> None:
    config = only_config(
        """
        from trl import ModelConfig
        model_args = ModelConfig(model_name_or_path="gpt2", lora_target_modules=["c_attn"])
        """
    )
    assert config.facts.inert == "use_peft is not set to True"


def test_model_config_not_from_trl_is_ignored() -> None:
    result = extract(
        """
        from mylib import ModelConfig
        cfg = ModelConfig(use_peft=True, lora_target_modules=["q"])
        """
    )
    assert result.configs == []


# -- xtuner / mmengine --------------------------------------------------------


def test_xtuner_style_dict_config() -> None:
    result = extract(
        """
        from peft import LoraConfig
        from transformers import AutoModelForCausalLM
        from xtuner.model import SupervisedFinetune

        pretrained_model_name_or_path = "internlm/internlm2-chat-7b"

        model = dict(
            type=SupervisedFinetune,
            llm=dict(
                type=AutoModelForCausalLM.from_pretrained,
                pretrained_model_name_or_path=pretrained_model_name_or_path,
                trust_remote_code=True,
            ),
            lora=dict(
                type=LoraConfig,
                r=64,
                lora_alpha=16,
                lora_dropout=0.1,
                bias="none",
                task_type="CAUSAL_LM",
            ),
        )
        """
    )
    (config,) = result.configs
    assert config.facts.tool == "xtuner"
    assert "type" not in config.options
    assert config.option("r") == 64
    assert config.span.line == 14
    assert config.model is not None
    assert config.model.name == "internlm/internlm2-chat-7b"
    assert config.model.trust_remote_code is True
    assert config.model.head == "causal-lm"


def test_dict_literal_with_type_key() -> None:
    config = only_config(
        """
        from peft import LoraConfig
        lora = {"type": LoraConfig, "r": 8, "target_modules": ["wqkv"]}
        """
    )
    assert config.option("target_modules") == ["wqkv"]
    assert set(config.options) == {"r", "target_modules"}
    targets = config.options["target_modules"]
    assert isinstance(targets, Located) and targets.span.line == 2


def test_trl_model_config_collapses_one_element_list_like_trl() -> None:
    """TRL's ModelConfig turns ["all-linear"] into the string PEFT expands (not a literal name)."""
    from lora_lint.extract.python import extract_python

    result = extract_python(
        "from trl import ModelConfig\n"
        'mc = ModelConfig(model_name_or_path="Qwen/Qwen2.5-0.5B", use_peft=True,\n'
        '                 lora_target_modules=["all-linear"])\n',
        "sft.py",
    )
    (config,) = result.configs
    assert config.options["target_modules"].value == "all-linear"
    result = extract_python(
        "from trl import ModelConfig\n"
        'mc = ModelConfig(use_peft=True, lora_target_modules=["q_proj"])\n',
        "sft.py",
    )
    assert result.configs[0].facts.collapsed_to_regex is not None
