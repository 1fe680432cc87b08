# Test data for tests/extract/test_model_id_paths.py: one way each to name the model.
import os
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

MODEL = os.environ.get("BASE_MODEL", "Qwen/Qwen2.5-0.5B")
model = AutoModelForCausalLM.from_pretrained(MODEL)
model = get_peft_model(model, LoraConfig(target_modules=["q_proj", "v_prj"]))
