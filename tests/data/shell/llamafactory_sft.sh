#!/bin/bash
# Single-node LoRA SFT with LLaMA-Factory's CLI (v0 flags).
set -euo pipefail

MODEL=meta-llama/Llama-3.1-8B
OUTPUT=saves/llama3.1-8b/lora/sft
LORA_TARGET="q_proj,v_prj,o_proj"

CUDA_VISIBLE_DEVICES=0 llamafactory-cli train \
    --stage sft \
    --do_train \
    --model_name_or_path "${MODEL}" \
    --dataset alpaca_en_demo \
    --template llama3 \
    --finetuning_type lora \
    --lora_target ${LORA_TARGET} \
    --lora_rank 8 \
    --output_dir $OUTPUT \
    --per_device_train_batch_size 1 \
    --learning_rate 1e-4 \
    --num_train_epochs 3.0 \
    --bf16 2>&1 | tee "${OUTPUT}.log"
