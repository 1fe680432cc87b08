from huggingface_hub import snapshot_download
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

snapshot_download("Qwen/Qwen2.5-0.5B", local_dir="./ckpt2")
model = AutoModelForCausalLM.from_pretrained("./ckpt2")
model = get_peft_model(model, LoraConfig(target_modules=["q_proj", "v_prj"]))
