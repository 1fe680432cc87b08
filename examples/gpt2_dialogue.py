"""LoRA on GPT-2 copied from a Llama recipe.

Mistake: GPT-2 has no q_proj/v_proj; its attention is one fused Conv1D called c_attn.
Mistake: "mlp" is a container (GPT2MLP) that LoRA cannot wrap.
"""

import argparse

from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

parser = argparse.ArgumentParser()
parser.add_argument("--model_name_or_path", default="openai-community/gpt2")
parser.add_argument("--lora_targets", default="c_attn")
args = parser.parse_args()

model = AutoModelForCausalLM.from_pretrained(args.model_name_or_path)
peft_config = LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj", "mlp"])
model = get_peft_model(model, peft_config)

# The target list of this second config comes from the command line: not checkable statically.
cli_config = LoraConfig(r=8, target_modules=args.lora_targets.split(","))
model.add_adapter("cli", cli_config)
