"""The alternative a careful user would script today: let PEFT itself check every config.

    python bench/alternative.py SPECS.json            # every config, one process
    python bench/alternative.py SPECS.json --each     # one process per config
    python bench/alternative.py SPECS.json --index N  # config N only

``SPECS.json`` (written by ``bench/run.py``, untimed) lists each LoRA config of the
inputs with its base model's ``config.json`` content, the head and the PEFT config
arguments. For each, this script builds the model on the meta device (no weights)
and calls ``get_peft_model`` (``low_cpu_mem_usage=True``, the fast path), catching
the errors a wrong config raises (it still silently accepts a typo next to a valid
entry, which is what lora-lint reports).

Two shapes of the alternative: a check script run once per config file (``--each``:
each run imports torch/transformers/peft, as a per-file pre-commit hook or CI step
would), and the most favourable one, a single process that imports once and checks
every config.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
import warnings

started = time.perf_counter()

if __name__ == "__main__" and "--each" in sys.argv:  # before the heavy imports
    import subprocess

    with open(sys.argv[1], encoding="utf-8") as fh:
        count = len(json.load(fh))
    for index in range(count):
        subprocess.run([sys.executable, __file__, sys.argv[1], "--index", str(index)], check=True)
    raise SystemExit(0)

import torch  # noqa: E402
import transformers  # noqa: E402
from peft import get_peft_model  # noqa: E402
from peft.mapping import PEFT_TYPE_TO_CONFIG_MAPPING  # noqa: E402

imported = time.perf_counter()

AUTO = {
    "causal-lm": transformers.AutoModelForCausalLM,
    "seq-cls": transformers.AutoModelForSequenceClassification,
    "token-cls": transformers.AutoModelForTokenClassification,
    "seq2seq": transformers.AutoModelForSeq2SeqLM,
    "qa": transformers.AutoModelForQuestionAnswering,
    "base": transformers.AutoModel,
}


def build(spec: dict) -> torch.nn.Module:
    values = dict(spec["config"])
    model_type = values.pop("model_type")
    values.pop("auto_map", None)
    config = transformers.AutoConfig.for_model(model_type, **values)
    head = spec.get("head")
    with torch.device("meta"):
        if head in AUTO:
            return AUTO[head].from_config(config)
        if head:
            return getattr(transformers, head)(config)
        for arch in config.architectures or []:
            if hasattr(transformers, arch):
                return getattr(transformers, arch)(config)
        return transformers.AutoModelForCausalLM.from_config(config)


def check(spec: dict) -> str | None:
    """None when PEFT accepts the config, else the error it raises."""
    config_cls = PEFT_TYPE_TO_CONFIG_MAPPING[spec["peft_type"]]
    known = {f.name for f in dataclasses.fields(config_cls)}
    kwargs = {k: v for k, v in spec["kwargs"].items() if k in known}
    try:
        peft_config = config_cls(**kwargs)
        model = build(spec)
        with torch.device("meta"):
            get_peft_model(model, peft_config, low_cpu_mem_usage=True)
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc)[:120]}"
    return None


def main() -> int:
    warnings.simplefilter("ignore")
    transformers.logging.set_verbosity_error()
    with open(sys.argv[1], encoding="utf-8") as fh:
        specs = json.load(fh)
    if "--index" in sys.argv:
        specs = [specs[int(sys.argv[sys.argv.index("--index") + 1])]]
    raised = [(s["where"], e) for s in specs if (e := check(s)) is not None]
    print(
        json.dumps(
            {
                "configs": len(specs),
                "raised": len(raised),
                "import_s": round(imported - started, 3),
                "checks_s": round(time.perf_counter() - imported, 3),
                "examples": raised[:3],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
