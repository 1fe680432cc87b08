#!/usr/bin/env bash
# A sweep: a DeepSpeed config written by a heredoc, a loop over learning rates.
set -euo pipefail
RUN_ID=$(date +%Y%m%d)
TARGETS=${TARGETS:-q_proj,v_proj}

cat > ds_config.json <<'JSON'
{"zero_optimization": {"stage": 2}, "note": "it's written by the sweep"}
JSON

log() { echo "[$(date +%T)] $*"; }

for LR in 1e-4 2e-4; do
  log "lr=$LR"
  python src/train.py --stage sft --model_name_or_path Qwen/Qwen2.5-0.5B \
      --finetuning_type lora --lora_target "$TARGETS" --learning_rate "$LR" \
      --deepspeed ds_config.json --output_dir "runs/$RUN_ID/lr-$LR"
done
