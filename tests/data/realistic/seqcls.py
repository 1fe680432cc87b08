from peft import LoraConfig, TaskType, get_peft_model
from transformers import AutoModelForSequenceClassification

model_checkpoint = "roberta-base"
model = AutoModelForSequenceClassification.from_pretrained(model_checkpoint, num_labels=2)
peft_config = LoraConfig(task_type=TaskType.SEQ_CLS, inference_mode=False, r=8, lora_alpha=16, lora_dropout=0.1, target_modules=["query", "value"])
model = get_peft_model(model, peft_config)
