from dataclasses import dataclass, field
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, HfArgumentParser

@dataclass
class ModelArguments:
    model_name_or_path: str = field(default="Qwen/Qwen2.5-0.5B")

def main():
    (model_args,) = HfArgumentParser((ModelArguments,)).parse_args_into_dataclasses()
    model = AutoModelForCausalLM.from_pretrained(model_args.model_name_or_path)
    model = get_peft_model(model, LoraConfig(target_modules=["q_proj", "v_prj"]))
