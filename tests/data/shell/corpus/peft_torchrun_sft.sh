# PEFT examples/sft style: train.py has its own arguments (use_peft_lora, a comma string).
# Note the space after the backslash on the use_reentrant line: bash ends the command
# there, so the LoRA flags below it never reach torchrun.
torchrun --nproc_per_node 8 --nnodes 1 train.py \
--seed 100 \
--model_name_or_path "mistralai/Mistral-7B-v0.1" \
--dataset_name "smangrul/ultrachat-10k-chatml" \
--max_seq_len 2048 \
--use_reentrant False \ 
--use_peft_lora True \
--lora_r 8 \
--lora_target_modules "q_proj,k_proj,v_proj,o_proj" \
--use_4bit_quantization True

python train.py \
--model_name_or_path "mistralai/Mistral-7B-v0.1" \
--use_peft_lora True \
--lora_r 8 \
--lora_alpha 16 \
--lora_target_modules "q_proj,k_proj,v_proj,o_proj,down_proj,up_proj,gate_proj" \
--output_dir "mistral-sft-lora"
