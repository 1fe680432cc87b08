"""Supervised fine-tuning of Llama 3.1 8B with LoRA (PEFT + transformers Trainer).

Mistake: "v_prj" is a typo. PEFT would silently adapt q_proj alone.
"""

import torch
from datasets import load_dataset
from peft import LoraConfig, TaskType, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

MODEL_ID = "meta-llama/Llama-3.1-8B"


def main() -> None:
    tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
    model = AutoModelForCausalLM.from_pretrained(MODEL_ID, torch_dtype=torch.bfloat16)

    lora_config = LoraConfig(
        r=16,
        lora_alpha=32,
        lora_dropout=0.05,
        target_modules=["q_proj", "v_prj"],
        task_type=TaskType.CAUSAL_LM,
    )
    model = get_peft_model(model, lora_config)
    model.print_trainable_parameters()

    dataset = load_dataset("tatsu-lab/alpaca", split="train[:1%]")
    trainer = Trainer(
        model=model,
        args=TrainingArguments(output_dir="out", per_device_train_batch_size=4),
        train_dataset=dataset,
        tokenizer=tokenizer,
    )
    trainer.train()


if __name__ == "__main__":
    main()
