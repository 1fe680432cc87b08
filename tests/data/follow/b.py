from huggingface_hub import snapshot_download
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

path = snapshot_download(repo_id="Qwen/Qwen2.5-0.5B", local_dir="./ckpt")
model = AutoModelForCausalLM.from_pretrained(path)
model = get_peft_model(model, LoraConfig(target_modules=["q_proj", "v_prj"]))
