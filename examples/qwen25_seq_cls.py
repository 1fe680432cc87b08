"""Sequence classification on Qwen2.5-0.5B with LoRA on every attention and MLP projection.

Clean: every entry matches real Linear layers of Qwen2ForSequenceClassification.
"""

from peft import LoraConfig, TaskType, get_peft_model
from transformers import AutoModelForSequenceClassification

ATTENTION = ["q_proj", "k_proj", "v_proj", "o_proj"]
MLP = ["gate_proj", "up_proj", "down_proj"]

model = AutoModelForSequenceClassification.from_pretrained("Qwen/Qwen2.5-0.5B", num_labels=3)
config = LoraConfig(
    task_type=TaskType.SEQ_CLS,
    r=8,
    lora_alpha=16,
    target_modules=ATTENTION + MLP,
)
model = get_peft_model(model, config)
