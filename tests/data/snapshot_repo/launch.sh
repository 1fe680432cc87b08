#!/usr/bin/env bash
# Launch TRL's SFT with LoRA on Qwen2.5-0.5B.
# Mistake: Qwen2 has no fused qkv_proj (that is Phi-3's name), and a single
# --lora_target_modules value becomes a regex in TRL's ModelConfig.
set -euo pipefail

MODEL=Qwen/Qwen2.5-0.5B

accelerate launch --num_processes 2 \
  -m trl.scripts.sft \
  --model_name_or_path "$MODEL" \
  --dataset_name trl-lib/Capybara \
  --use_peft \
  --lora_r 16 \
  --lora_target_modules qkv_proj \
  --output_dir out/qwen-sft
