from peft import LoraConfig, get_peft_model, TaskType
from transformers import AutoModelForSeq2SeqLM
model_name_or_path = "google/flan-t5-base"
model = AutoModelForSeq2SeqLM.from_pretrained(model_name_or_path)
peft_config = LoraConfig(task_type=TaskType.SEQ_2_SEQ_LM, inference_mode=False, r=8, lora_alpha=32, lora_dropout=0.1, target_modules=["q", "v", "k_proj"])
model = get_peft_model(model, peft_config)
