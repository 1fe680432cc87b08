# ms-swift LoRA runs (shape of ms-swift's examples/train).
CUDA_VISIBLE_DEVICES=0 \
swift sft \
    --model Qwen/Qwen2.5-7B-Instruct \
    --train_type lora \
    --dataset 'AI-ModelScope/alpaca-gpt4-data-zh#500' \
              'swift/self-cognition#500' \
    --num_train_epochs 1 \
    --lora_rank 8 \
    --lora_alpha 32 \
    --target_modules all-linear \
    --model_author swift \
    --model_name swift-robot

nproc_per_node=2
NPROC_PER_NODE=$nproc_per_node \
CUDA_VISIBLE_DEVICES=0,1 \
swift sft \
    --model Qwen/Qwen2.5-7B-Instruct \
    --train_type lora \
    --target_modules q_proj k_proj v_prj \
    --deepspeed zero2 \
    --output_dir output
