#!/bin/bash
# LLaMA-Factory v0 flags through deepspeed and python (src/train.py).
MODEL=meta-llama/Llama-2-7b-hf
LORA_TARGET="q_proj,v_proj"
OUT=saves/llama2-7b/lora/sft

deepspeed --num_gpus 8 src/train.py \
    --deepspeed ds_z3_config.json \
    --stage sft \
    --do_train \
    --model_name_or_path $MODEL \
    --dataset alpaca_gpt4_en,glaive_toolcall \
    --template default \
    --finetuning_type lora \
    --lora_target ${LORA_TARGET},o_prj \
    --output_dir $OUT \
    --fp16 2>&1 | tee train.log

CUDA_VISIBLE_DEVICES=0 python src/train.py \
    --stage sft \
    --model_name_or_path $MODEL \
    --finetuning_type lora \
    --lora_target "q_proj,
                   v_proj" \
    --output_dir "$OUT-single"
