#!/bin/sh
# ms-swift LoRA: all-linear plus the embeddings, then a run with a typo.
swift sft \
    --model Qwen/Qwen2.5-0.5B \
    --train_type lora \
    --dataset AI-ModelScope/alpaca-gpt4-data-en#500 \
    --target_modules all-linear \
    --lora_rank 8 \
    --lora_alpha 32 \
    --output_dir output

swift sft --model Qwen/Qwen2.5-0.5B --train_type lora --target_modules q_proj k_proj v_proj o_proj gate_prj  # lora-lint: ignore[LL001]
swift sft --model Qwen/Qwen2.5-0.5B --target_modules q_proj v_proj  # noqa: LL001
