#!/bin/bash
# Multi-node TRL training through python -m torch.distributed.run.
set -euo pipefail
GPUS=${GPUS:-8}
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
mkdir -p logs

python -m torch.distributed.run --nproc_per_node=$GPUS --nnodes=$NNODES \
    --node_rank=$NODE_RANK --master_addr=$MASTER_ADDR --master_port=29500 \
    sft.py \
    --model_name_or_path=meta-llama/Llama-3.2-1B \
    --use_peft \
    --lora_r=16 \
    --lora_target_modules q_proj v_proj \
    --bf16 2>&1 | tee logs/train.log
