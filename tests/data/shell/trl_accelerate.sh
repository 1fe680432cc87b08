#!/usr/bin/env bash
# TRL SFT with PEFT, launched on 2 GPUs; the targets came from a blog post.
MODEL_NAME=${MODEL_NAME:-Qwen/Qwen2.5-0.5B}

accelerate launch --config_file examples/accelerate_configs/multi_gpu.yaml --num_processes 2 \
  examples/scripts/sft.py \
  --model_name_or_path $MODEL_NAME \
  --dataset_name trl-lib/Capybara \
  --learning_rate 2.0e-4 \
  --use_peft \
  --lora_r 32 --lora_alpha 16 \
  --lora_target_modules "q_proj," "v_proj" \
  --output_dir Qwen2-0.5B-SFT

# single target: TRL turns it into a regex
trl sft --model_name_or_path "$MODEL_NAME" --dataset_name trl-lib/Capybara \
  --use_peft --lora_target_modules q_proj --output_dir out-single
