"""Snapshot fixture: a misspelled entry (unsafe fix), a duplicate (safe fix), a run-time value."""

import argparse

from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

parser = argparse.ArgumentParser()
parser.add_argument("--targets", default="q_proj,v_proj")
args = parser.parse_args()

model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B")
config = LoraConfig(r=16, target_modules=["q_proj", "v_prj", "q_proj"])
model = get_peft_model(model, config)

extra = LoraConfig(r=8, target_modules=args.targets.split(","))
model = get_peft_model(model, extra)
