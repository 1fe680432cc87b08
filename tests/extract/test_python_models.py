"""Base-model references and which model each config is linked to."""

from __future__ import annotations

import textwrap

import pytest

from lora_lint.extract.python import extract_python
from lora_lint.extract.types import FileExtraction, ModelRef


def extract(code: str) -> FileExtraction:
    result = extract_python(textwrap.dedent(code).lstrip("\n"), "train.py")
    assert result.findings == []
    return result


def model_of_only_config(code: str) -> ModelRef | None:
    (config,) = extract(code).configs
    return config.model


def test_get_peft_model_flow_links_config_and_model() -> None:
    result = extract(
        """
        import torch
        from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification
        from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

        reward_model = AutoModelForSequenceClassification.from_pretrained("OpenAssistant/reward")
        policy = AutoModelForCausalLM.from_pretrained(
            "mistralai/Mistral-7B-v0.1", torch_dtype=torch.bfloat16, trust_remote_code=True
        )
        policy = prepare_model_for_kbit_training(policy)
        policy.gradient_checkpointing_enable()
        lora = LoraConfig(r=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
        reward_model.config.pad_token_id = 0
        last = AutoModelForSequenceClassification.from_pretrained("distilbert/distilbert-base")
        policy = get_peft_model(policy, lora)
        """
    )
    (config,) = result.configs
    model = config.model
    assert model is not None
    assert model.name == "mistralai/Mistral-7B-v0.1"
    assert model.head == "causal-lm"
    assert model.trust_remote_code is True
    assert model.origin == "AutoModelForCausalLM.from_pretrained at train.py:6"
    assert model.source_path == "train.py"
    assert model.span is not None and (model.span.line, model.span.column) == (7, 5)
    assert [m.name for m in result.models] == [
        "OpenAssistant/reward",
        "mistralai/Mistral-7B-v0.1",
        "distilbert/distilbert-base",
    ]
    assert [m.head for m in result.models] == ["seq-cls", "causal-lm", "seq-cls"]


@pytest.mark.parametrize(
    "link",
    [
        "model.add_adapter(config)",
        "peft_model = PeftModel(model, config)",
        "trainer = SFTTrainer(model=model, peft_config=config, train_dataset=ds)",
        "trainer = DPOTrainer(model, ref_model=None, peft_config=config)",
    ],
)
def test_other_link_calls(link: str) -> None:
    model = model_of_only_config(
        f"""
        from peft import LoraConfig, PeftModel
        from transformers import AutoModelForCausalLM
        from trl import SFTTrainer, DPOTrainer

        model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-1.5B")
        config = LoraConfig(target_modules=["q_proj"])
        other = AutoModelForCausalLM.from_pretrained("gpt2")
        {link}
        """
    )
    assert model is not None and model.name == "Qwen/Qwen2.5-1.5B"


def test_trainer_with_model_id_string() -> None:
    result = extract(
        """
        from peft import LoraConfig
        from trl import SFTTrainer

        trainer = SFTTrainer(
            model="Qwen/Qwen2.5-0.5B",
            train_dataset=dataset,
            peft_config=LoraConfig(r=16, target_modules="all-linear"),
        )
        """
    )
    (config,) = result.configs
    assert config.model is not None
    assert config.model.name == "Qwen/Qwen2.5-0.5B"
    assert config.model.head == "causal-lm"
    assert config.model.origin == "SFTTrainer(model=...) at train.py:5"
    assert result.models == [config.model]


def test_argparse_default_is_the_model() -> None:
    model = model_of_only_config(
        """
        import argparse
        from transformers import AutoModelForCausalLM
        from peft import LoraConfig, get_peft_model

        parser = argparse.ArgumentParser()
        parser.add_argument("--model-name-or-path", default="meta-llama/Llama-3.2-1B")
        parser.add_argument("--lora_r", type=int, default=8)
        args = parser.parse_args()

        model = AutoModelForCausalLM.from_pretrained(args.model_name_or_path)
        model = get_peft_model(model, LoraConfig(r=args.lora_r, target_modules=["q_proj"]))
        """
    )
    assert model is not None
    assert model.name == "meta-llama/Llama-3.2-1B"
    assert model.span is not None and model.span.line == 6


def test_argparse_dest_and_intermediate_variable() -> None:
    model = model_of_only_config(
        """
        import argparse
        from transformers import AutoModelForCausalLM
        from peft import LoraConfig, get_peft_model

        parser = argparse.ArgumentParser()
        parser.add_argument("-m", "--base", dest="base_model", default="google/gemma-2-2b")
        args = parser.parse_args()
        model_id = args.base_model
        model = AutoModelForCausalLM.from_pretrained(model_id)
        config = LoraConfig(target_modules=["q_proj"])
        model = get_peft_model(model, config)
        """
    )
    assert model is not None and model.name == "google/gemma-2-2b"


def test_function_parameter_default_is_the_model() -> None:
    model = model_of_only_config(
        """
        from transformers import AutoModelForCausalLM
        from peft import LoraConfig, get_peft_model

        def main(model_id: str = "meta-llama/Llama-3.1-8B", rank: int = 16):
            model = AutoModelForCausalLM.from_pretrained(model_id, device_map="auto")
            config = LoraConfig(r=rank, target_modules=["q_proj", "v_proj"])
            return get_peft_model(model, config)
        """
    )
    assert model is not None and model.name == "meta-llama/Llama-3.1-8B"


def test_dataclass_field_default_is_the_model() -> None:
    model = model_of_only_config(
        """
        from dataclasses import dataclass, field
        from transformers import AutoModelForSeq2SeqLM, HfArgumentParser
        from peft import LoraConfig, TaskType, get_peft_model

        @dataclass
        class ModelArguments:
            model_name_or_path: str = field(default="google/flan-t5-base")
            cache_dir: str = None

        model_args, = HfArgumentParser(ModelArguments).parse_args_into_dataclasses()
        model = AutoModelForSeq2SeqLM.from_pretrained(model_args.model_name_or_path)
        config = LoraConfig(task_type=TaskType.SEQ_2_SEQ_LM, target_modules=["q", "v"])
        model = get_peft_model(model, config)
        """
    )
    assert model is not None
    assert model.name == "google/flan-t5-base"
    assert model.head == "seq2seq"


def test_unresolvable_model_id_gives_no_reference() -> None:
    result = extract(
        """
        import sys
        from transformers import AutoModelForCausalLM
        from peft import LoraConfig

        model = AutoModelForCausalLM.from_pretrained(sys.argv[1])
        config = LoraConfig(target_modules=["q_proj"])
        """
    )
    assert result.models == []
    assert result.configs[0].model is None
    assert result.configs[0].unresolved == []


def test_a_loader_near_a_config_is_not_its_model() -> None:
    """No data flow, no model: the nearest loader is often another model."""
    result = extract(
        """
        from transformers import AutoModelForCausalLM, AutoModelForTokenClassification
        from peft import LoraConfig

        def token_task():
            model = AutoModelForTokenClassification.from_pretrained("dslim/bert-base-NER")
            return LoraConfig(target_modules=["query", "value"])

        def chat_task():
            config = LoraConfig(target_modules=["q_proj", "v_proj"])
            model = AutoModelForCausalLM.from_pretrained("HuggingFaceTB/SmolLM2-135M")
            return model, config
        """
    )
    first, second = result.configs
    assert first.model is None and second.model is None
    # The loaders are still seen; they are just not guessed to be the configs' models.
    assert {m.name for m in result.models} == {
        "dslim/bert-base-NER",
        "HuggingFaceTB/SmolLM2-135M",
    }


def test_the_model_a_config_is_applied_to_wins_over_the_nearest() -> None:
    code = """
        from transformers import AutoModel
        from peft import LoraConfig, get_peft_model

        teacher = AutoModel.from_pretrained("bert-large-uncased")
        student = AutoModel.from_pretrained("bert-base-uncased")
        config = LoraConfig(target_modules=["query"])
        """
    assert model_of_only_config(code) is None  # no guess between teacher and student
    model = model_of_only_config(code + "teacher = get_peft_model(teacher, config)\n")
    assert model is not None and model.name == "bert-large-uncased" and model.head == "base"


def test_a_module_model_does_not_serve_a_config_in_a_function() -> None:
    model = model_of_only_config(
        """
        from transformers import AutoModelForQuestionAnswering
        from peft import LoraConfig

        def make_config():
            return LoraConfig(target_modules=["query", "value"])

        model = AutoModelForQuestionAnswering.from_pretrained("deepset/roberta-base-squad2")
        """
    )
    assert model is None


def test_a_config_applied_to_a_module_class_of_the_file_gets_that_class_not_a_loader() -> None:
    result = extract(
        """
        import torch.nn as nn
        from transformers import AutoModelForCausalLM
        from peft import LoraConfig, get_peft_model

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin0 = nn.Linear(10, 20)

        def test_mlp():
            model = get_peft_model(MLP(), LoraConfig(target_modules=["lin0"]))

        def test_opt():
            model = AutoModelForCausalLM.from_pretrained("facebook/opt-125m")
        """
    )
    (config,) = result.configs
    assert config.model is not None and config.model.local is not None  # not opt-125m
    assert config.model.name == "MLP" and [m.name for m in config.model.local.modules] == ["lin0"]


@pytest.mark.parametrize(
    ("loader", "head"),
    [
        ("AutoModelForCausalLM", "causal-lm"),
        ("AutoModelForSequenceClassification", "seq-cls"),
        ("AutoModelForTokenClassification", "token-cls"),
        ("AutoModelForSeq2SeqLM", "seq2seq"),
        ("AutoModelForQuestionAnswering", "qa"),
        ("AutoModel", "base"),
        ("AutoModelForImageTextToText", "image-text-to-text"),
        ("AutoModelForVision2Seq", "image-text-to-text"),
        ("LlamaForCausalLM", "LlamaForCausalLM"),
        ("Qwen2VLForConditionalGeneration", "Qwen2VLForConditionalGeneration"),
        ("BertForSequenceClassification", "BertForSequenceClassification"),
        ("LlamaModel", "LlamaModel"),
    ],
)
def test_head_kinds(loader: str, head: str) -> None:
    model = model_of_only_config(
        f"""
        import transformers
        from transformers import {loader}
        from peft import LoraConfig, get_peft_model
        model = {loader}.from_pretrained("org/model")
        config = LoraConfig(target_modules=["q_proj"])
        model = get_peft_model(model, config)
        """
    )
    assert model is not None and model.head == head


@pytest.mark.parametrize(
    "loader",
    [
        "from peft import AutoPeftModelForCausalLM as Loader",
        "from peft import PeftModel as Loader",
        "from transformers import AutoTokenizer as Loader",
        "from transformers import AutoConfig as Loader",
        "from mylib import MyModel as Loader",
    ],
)
def test_non_base_loaders_are_ignored(loader: str) -> None:
    result = extract(
        f"""
        {loader}
        from peft import LoraConfig, get_peft_model
        thing = Loader.from_pretrained("org/model")
        config = LoraConfig(target_modules=["q_proj"])
        thing = get_peft_model(thing, config)
        """
    )
    assert result.models == []
    assert result.configs[0].model is None


def test_unsloth_tuple_unpacking_and_module_constant() -> None:
    model = model_of_only_config(
        """
        from unsloth import FastModel
        MODEL = "unsloth/gemma-3-4b-it"
        model, tokenizer = FastModel.from_pretrained(model_name=MODEL, load_in_4bit=True)
        model = FastModel.get_peft_model(model, r=8, target_modules=["q_proj"])
        """
    )
    assert model is not None
    assert model.name == "unsloth/gemma-3-4b-it"
    assert model.head == "trainer-lm"  # gemma-3-4b-it has a vision tower: unsloth loads the VLM
    assert model.origin == "FastModel.from_pretrained at train.py:3"
    assert model.span is not None and model.span.line == 2
