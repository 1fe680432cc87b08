"""A generated training-code repository for the "large repo" benchmark scenario.

Deterministic (fixed seed). Shapes follow what a fine-tuning monorepo holds:

* 2,000 Python files of 60-400 lines: data utilities, ``nn.Module`` model code
  (attention blocks with ``q_proj``/``o_proj`` attributes), Trainer scripts,
  evaluation and CLI helpers. Only a few hold a PEFT config (:data:`LORA_PY`),
  and a few more only *mention* LoRA in prose (:data:`MENTION_PY`), which the
  text pre-filter lets through to libcst, which then finds nothing;
* 200 YAML files: GitHub workflows, accelerate/DeepSpeed/Hydra/data/sweep
  configs, and 20 LoRA configs (10 axolotl, 10 LLaMA-Factory), two per base
  model over :data:`MODELS` (10 bundled base models).

Some configs carry the typical mistakes (a typo, Llama names on GPT-2), so the
run has findings to report like a real one.
"""

from __future__ import annotations

import random
from pathlib import Path

N_PY = 2000
N_YAML = 200
#: Python files with a LoRA config / that only mention LoRA in comments or docstrings.
LORA_PY = 60
MENTION_PY = 30
LORA_YAML = 20

#: (model id, good target_modules) for the 10 base models of the repository.
MODELS: list[tuple[str, list[str]]] = [
    ("meta-llama/Llama-3.1-8B", ["q_proj", "k_proj", "v_proj", "o_proj"]),
    ("mistralai/Mistral-7B-v0.3", ["q_proj", "v_proj", "gate_proj", "up_proj", "down_proj"]),
    ("Qwen/Qwen2.5-7B-Instruct", ["q_proj", "k_proj", "v_proj", "o_proj"]),
    ("Qwen/Qwen3-8B", ["q_proj", "v_proj"]),
    ("google/gemma-2-9b", ["q_proj", "k_proj", "v_proj", "o_proj"]),
    ("microsoft/Phi-3-mini-4k-instruct", ["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]),
    ("openai-community/gpt2", ["c_attn", "c_proj"]),
    ("facebook/opt-1.3b", ["q_proj", "v_proj", "out_proj", "fc1", "fc2"]),
    ("EleutherAI/pythia-1.4b", ["query_key_value", "dense"]),
    ("tiiuae/falcon-7b", ["query_key_value", "dense_h_to_4h", "dense_4h_to_h"]),
]


def _block(rng: random.Random, kind: str, n: int) -> str:
    """One function/class of ~15-30 lines, in the style of ``kind`` files."""
    name = f"{kind}_{n}_{rng.randrange(10**6)}"
    if kind == "model":
        return f'''

class Block{n}(nn.Module):
    """Decoder block {n}: pre-norm attention and a gated MLP."""

    def __init__(self, hidden: int = {rng.choice([512, 768, 1024, 2048])}, heads: int = 8) -> None:
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(hidden, hidden, bias=False)
        self.k_proj = nn.Linear(hidden, hidden, bias=False)
        self.v_proj = nn.Linear(hidden, hidden, bias=False)
        self.o_proj = nn.Linear(hidden, hidden, bias=False)
        self.gate_proj = nn.Linear(hidden, 4 * hidden, bias=False)
        self.down_proj = nn.Linear(4 * hidden, hidden, bias=False)
        self.norm = nn.LayerNorm(hidden)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        b, t, d = x.shape
        h = self.norm(x)
        q = self.q_proj(h).view(b, t, self.heads, -1).transpose(1, 2)
        k = self.k_proj(h).view(b, t, self.heads, -1).transpose(1, 2)
        v = self.v_proj(h).view(b, t, self.heads, -1).transpose(1, 2)
        att = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + self.o_proj(att.transpose(1, 2).reshape(b, t, d))
        return x + self.down_proj(F.silu(self.gate_proj(self.norm(x))))
'''
    if kind == "train":
        return f'''

def {name}(args: argparse.Namespace) -> dict[str, float]:
    """Train for one configuration and return the final metrics."""
    tokenizer = AutoTokenizer.from_pretrained(args.model_name)
    model = AutoModelForCausalLM.from_pretrained(args.model_name, torch_dtype=torch.bfloat16)
    dataset = load_dataset(args.dataset, split="train")
    dataset = dataset.map(lambda ex: tokenizer(ex["text"], truncation=True), batched=True)
    training_args = TrainingArguments(
        output_dir=os.path.join(args.output_dir, "{name}"),
        per_device_train_batch_size={rng.choice([1, 2, 4, 8])},
        gradient_accumulation_steps={rng.choice([1, 4, 8, 16])},
        learning_rate={rng.choice(["1e-5", "2e-5", "5e-5"])},
        num_train_epochs={rng.randint(1, 5)},
        logging_steps=10,
        bf16=True,
    )
    trainer = Trainer(model=model, args=training_args, train_dataset=dataset)
    result = trainer.train()
    return {{"loss": float(result.training_loss), "steps": float(result.global_step)}}
'''
    if kind == "eval":
        return f'''

@torch.no_grad()
def {name}(model: nn.Module, loader: Iterable[dict[str, torch.Tensor]]) -> float:
    """Perplexity of ``model`` over ``loader``."""
    model.eval()
    total, count = 0.0, 0
    for batch in loader:
        out = model(**batch)
        total += float(out.loss) * batch["input_ids"].numel()
        count += batch["input_ids"].numel()
    if count == 0:
        return float("nan")
    return math.exp(total / count)
'''
    return f'''

@dataclass
class Record{n}:
    """One example of shard {n}."""

    prompt: str
    answer: str
    weight: float = {rng.random():.3f}
    tags: list[str] = field(default_factory=list)


def {name}(
    rows: Iterable[dict[str, str]], max_len: int = {rng.choice([512, 1024, 2048])}
) -> list[Record{n}]:
    """Normalise raw rows, drop the ones that are too long, deduplicate."""
    seen: set[str] = set()
    out: list[Record{n}] = []
    for row in rows:
        prompt = " ".join(row.get("prompt", "").split())
        answer = row.get("answer", "").strip()
        if not prompt or len(prompt) + len(answer) > max_len or prompt in seen:
            continue
        seen.add(prompt)
        out.append(Record{n}(prompt, answer, tags=sorted(row.get("tags", "").split(","))))
    return out
'''


_HEADER = {
    "model": "import torch\nimport torch.nn.functional as F\nfrom torch import nn\n",
    "train": (
        "import argparse\nimport os\n\nimport torch\nfrom datasets import load_dataset\n"
        "from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments\n"
    ),
    "eval": (
        "import math\nfrom collections.abc import Iterable\n\nimport torch\nfrom torch import nn\n"
    ),
    "data": ("from collections.abc import Iterable\nfrom dataclasses import dataclass, field\n"),
}


def _plain_python(rng: random.Random, index: int, mention: bool) -> str:
    kind = rng.choice(["data", "data", "model", "train", "eval"])
    doc = f'"""{kind.capitalize()} helpers, part {index} of the training stack.'
    if mention:
        doc += (
            "\n\nNote: adapters are configured in configs/lora/*.yaml; the target_modules "
            "listed there must exist in the base model (see lora-lint)."
        )
    parts = [doc + '\n"""\n\nfrom __future__ import annotations\n\n' + _HEADER[kind]]
    for n in range(rng.randint(2, 14)):
        parts.append(_block(rng, kind, n))
    return "".join(parts)


def _lora_python(rng: random.Random, index: int) -> str:
    """The ``index``-th LoRA training script (index 0..LORA_PY-1)."""
    model, targets = MODELS[index % len(MODELS)]
    targets = list(targets)
    if index % 7 == 3:  # a typo, the classic silent mistake
        targets[-1] = targets[-1].replace("proj", "prj")
    if index % 11 == 5 and "gpt2" in model:  # Llama names on GPT-2
        targets = ["q_proj", "v_proj"]
    style = (index // len(MODELS)) % 3
    body = _plain_python(rng, index, mention=False)
    if style == 0:
        return (
            body
            + f'''

MODEL_ID = "{model}"
TARGETS = {targets!r}


def build_lora_model():
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(MODEL_ID)
    config = LoraConfig(
        r={rng.choice([8, 16, 32, 64])},
        lora_alpha={rng.choice([16, 32, 64])},
        lora_dropout=0.05,
        target_modules=TARGETS,
        task_type=TaskType.CAUSAL_LM,
    )
    return get_peft_model(model, config)
'''
        )
    if style == 1:
        return (
            body
            + f'''

import argparse

from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM


def parse_args(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="{model}")
    parser.add_argument("--rank", type=int, default={rng.choice([8, 16])})
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    model = AutoModelForCausalLM.from_pretrained(args.model)
    peft_config = LoraConfig(r=args.rank, lora_alpha=2 * args.rank, target_modules={targets!r})
    model = get_peft_model(model, peft_config)
    model.print_trainable_parameters()
'''
        )
    return (
        body
        + f'''

from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

LORA_KWARGS = dict(r={rng.choice([4, 8, 16])}, lora_alpha=16, target_modules={targets!r})


def wrap(model_name: str = "{model}"):
    base = AutoModelForCausalLM.from_pretrained(model_name)
    return get_peft_model(base, LoraConfig(**LORA_KWARGS))
'''
    )


def _lora_yaml(index: int) -> tuple[str, str]:
    model, targets = MODELS[index % len(MODELS)]
    targets = list(targets)
    if index % 4 == 1:
        targets.append("gate_prj")  # a typo
    if index < LORA_YAML // 2:
        lines = "\n".join(f"  - {t}" for t in targets)
        return f"axolotl-{index}.yaml", (
            f"base_model: {model}\nadapter: lora\nlora_r: 16\nlora_alpha: 32\n"
            f"lora_dropout: 0.05\nlora_target_modules:\n{lines}\n"
            "datasets:\n  - path: tatsu-lab/alpaca\n    type: alpaca\n"
            "sequence_len: 2048\nmicro_batch_size: 2\nnum_epochs: 1\nlearning_rate: 0.0002\n"
        )
    return f"llama-factory-{index}.yaml", (
        f"### model\nmodel_name_or_path: {model}\n\n### method\nstage: sft\ndo_train: true\n"
        f"finetuning_type: lora\nlora_rank: 8\nlora_target: {','.join(targets)}\n\n"
        "### dataset\ndataset: alpaca_en_demo\ntemplate: default\ncutoff_len: 2048\n\n"
        f"### output\noutput_dir: saves/run-{index}\n"
    )


def _plain_yaml(rng: random.Random, index: int) -> tuple[str, str]:
    kind = index % 6
    if kind == 0:
        return f"workflows/ci-{index}.yaml", (
            f"name: ci-{index}\non:\n  push:\n    branches: [main]\n  pull_request:\n"
            "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v5\n"
            "        with:\n          python-version: '3.11'\n"
            "      - run: pip install -e .[test]\n      - run: pytest -q\n"
        )
    if kind == 1:
        return f"accelerate/multi-gpu-{index}.yaml", (
            "compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\n"
            f"num_processes: {rng.choice([2, 4, 8])}\nmixed_precision: bf16\n"
            "machine_rank: 0\nmain_training_function: main\nuse_cpu: false\n"
        )
    if kind == 2:  # Hydra: `_target_` passes the YAML pre-filter, then holds no LoRA config
        return f"hydra/optim-{index}.yaml", (
            "optimizer:\n  _target_: torch.optim.AdamW\n"
            f"  lr: {rng.choice(['1e-4', '3e-4', '5e-5'])}\n  weight_decay: 0.01\n"
            "scheduler:\n  _target_: transformers.get_cosine_schedule_with_warmup\n"
            f"  num_warmup_steps: {rng.choice([100, 500])}\n"
        )
    if kind == 3:
        return f"deepspeed/zero-{index}.yaml", (
            "zero_optimization:\n  stage: 3\n  offload_optimizer:\n    device: cpu\n"
            "  overlap_comm: true\n  contiguous_gradients: true\n"
            "bf16:\n  enabled: true\ngradient_clipping: 1.0\ntrain_micro_batch_size_per_gpu: auto\n"
        )
    if kind == 4:
        rows = "\n".join(
            f"  - name: shard-{index}-{i}\n    path: s3://bucket/data/{i:05d}.jsonl\n"
            f"    weight: {rng.random():.2f}"
            for i in range(rng.randint(5, 40))
        )
        return f"data/mix-{index}.yaml", f"seed: {index}\nshards:\n{rows}\n"
    return f"sweeps/sweep-{index}.yaml", (
        "program: train.py\nmethod: bayes\nmetric:\n  name: eval/loss\n  goal: minimize\n"
        "parameters:\n  learning_rate:\n    min: 0.00001\n    max: 0.001\n"
        "  per_device_train_batch_size:\n    values: [4, 8, 16]\n"
    )


def generate(root: Path, seed: int = 0) -> dict[str, int]:
    """Write the repository under ``root`` (created); return its counts."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "bench-repo"\nversion = "0"\n')
    # Spread the special files evenly over the 2,000.
    lora_at = {round(i * N_PY / LORA_PY) + 7 for i in range(LORA_PY)}
    mention_at = {round(i * N_PY / MENTION_PY) + 3 for i in range(MENTION_PY)} - lora_at
    lines = 0
    for i in range(N_PY):
        package = root / "src" / f"pkg{i // 100:02d}"  # namespace packages: 2,000 .py files
        package.mkdir(parents=True, exist_ok=True)
        if i in lora_at:
            text = _lora_python(rng, len([j for j in lora_at if j < i]))
        else:
            text = _plain_python(rng, i, mention=i in mention_at)
        lines += text.count("\n")
        (package / f"module_{i:04d}.py").write_text(text)
    configs = root / "configs"
    for i in range(LORA_YAML):
        name, text = _lora_yaml(i)
        (configs / "lora").mkdir(parents=True, exist_ok=True)
        (configs / "lora" / name).write_text(text)
    for i in range(N_YAML - LORA_YAML):
        name, text = _plain_yaml(rng, i)
        path = configs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return {
        "python_files": N_PY,
        "python_lines": lines,
        "python_with_lora": len(lora_at),
        "python_mentioning_lora": len(mention_at),
        "yaml_files": N_YAML,
        "yaml_with_lora": LORA_YAML,
        "models": len(MODELS),
    }


if __name__ == "__main__":
    import sys

    print(generate(Path(sys.argv[1])))
