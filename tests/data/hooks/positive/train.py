"""Sample training script for tests/test_hook_file_matches.py (never executed)."""

from peft import LoraConfig
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
