#!/usr/bin/env bash
# TRL SFT with LoRA on two GPUs (shape of TRL's docs), settings from variables.
set -euo pipefail

MODEL_NAME=${MODEL_NAME:-Qwen/Qwen2.5-0.5B}
OUTPUT_DIR="outputs/${MODEL_NAME##*/}-sft-lora"
TARGETS="q_proj k_proj v_proj o_proj"

accelerate launch \
    --config_file examples/accelerate_configs/multi_gpu.yaml \
    --num_processes 2 \
    trl/scripts/sft.py \
    --model_name_or_path "$MODEL_NAME" \
    --dataset_name trl-lib/Capybara \
    --learning_rate 2.0e-4 \
    --num_train_epochs 1 \
    --per_device_train_batch_size 2 \
    --gradient_accumulation_steps 8 \
    --gradient_checkpointing \
    --eval_strategy steps \
    --eval_steps 100 \
    --use_peft \
    --lora_r 32 \
    --lora_alpha 16 \
    --lora_target_modules $TARGETS gate_prj \
    --output_dir "$OUTPUT_DIR"
