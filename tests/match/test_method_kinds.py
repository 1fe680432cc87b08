"""Each PEFT method lora-lint judges wraps exactly the module kinds the installed PEFT does.

For every judged method and every kind of module, a class of the linted file holds one
module of that kind (``target``) and a Linear (``other``); lora-lint lints the file
(``LL002`` when a matched module cannot be wrapped) and real ``get_peft_model`` runs on the
same class: an ``LL002`` error must appear exactly when PEFT raises, and never an ``LL001``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.codes import UNKNOWN_TARGET_MODULE, UNSUPPORTED_TARGET_MODULE
from lora_lint.diagnostics import Severity
from lora_lint.extract.python.catalog import PEFT_CONFIG_CLASSES
from lora_lint.match.methods import SUPPORTED_KINDS
from lora_lint.match.outcomes import PeftOutcome, classify_peft_error
from tests.lint_helpers import lint_files

pytestmark = pytest.mark.torch

#: Each kind as written in the linted file (256 wide: VB-LoRA's vector length and C3A's
#: block size divide it).
KINDS = {
    "linear": "nn.Linear(256, 256)",
    "hf_conv1d": "Conv1D(256, 256)",
    "embedding": "nn.Embedding(256, 256)",
    "conv1d": "nn.Conv1d(256, 256, 1)",
    "conv2d": "nn.Conv2d(256, 256, 1)",
    "conv3d": "nn.Conv3d(256, 256, 1)",
    "multihead_attention": "nn.MultiheadAttention(256, 4)",
    "norm": "nn.LayerNorm(256)",
}
CLASS_OF = {peft_type: cls for cls, peft_type in PEFT_CONFIG_CLASSES.items()}
#: Options a method needs before it runs at all (not about targets).
REQUIRED: dict[str, dict[str, object]] = {
    "ADALORA": {"total_step": 10},
    "IA3": {"feedforward_modules": []},
}


def _source(config_class: str, extra: str) -> tuple[str, list[tuple[str, list[str]]]]:
    lines = [
        "from torch import nn",
        "from transformers.pytorch_utils import Conv1D",
        f"from peft import {config_class}, get_peft_model",
        "",
    ]
    cases: list[tuple[str, list[str]]] = []
    for kind, module in KINDS.items():
        lines += [
            f"class With_{kind}(nn.Module):",
            "    def __init__(self):",
            "        super().__init__()",
            f"        self.target = {module}",
            "        self.other = nn.Linear(256, 256)",
            "",
        ]
    for kind in KINDS:
        for targets in (["target"], ["target", "other"]):
            cases.append((kind, targets))
            lines.append(
                f"model = get_peft_model(With_{kind}(), {config_class}(target_modules={targets!r}{extra}))"
            )
    return "\n".join(lines) + "\n", cases


@pytest.mark.parametrize("peft_type", sorted(SUPPORTED_KINDS))
def test_lora_lint_and_peft_agree_on_what_each_method_wraps(tmp_path: Path, peft_type: str) -> None:
    torch = pytest.importorskip("torch")
    peft = pytest.importorskip("peft")
    config_class = CLASS_OF[peft_type]
    required = REQUIRED.get(peft_type, {})
    source, cases = _source(config_class, "".join(f", {k}={v!r}" for k, v in required.items()))
    result = lint_files(tmp_path, {"train.py": source})
    assert not result.errors
    first = source.splitlines().index(next(l for l in source.splitlines() if l.startswith("model =")))
    flagged: dict[int, set[str]] = {}
    quoted: dict[int, str] = {}  # what LL002 says PEFT raises
    for finding in result.findings:
        if finding.severity is Severity.ERROR:
            flagged.setdefault(finding.span.line - first - 1, set()).add(finding.code)
            if "PEFT raises '" in (finding.help or ""):
                said = (finding.help or "").split("PEFT raises '", 1)[1].split("'", 1)[0]
                quoted[finding.span.line - first - 1] = said
    namespace: dict[str, object] = {}
    exec(compile(source.split("model =", 1)[0], "<kinds>", "exec"), namespace)  # noqa: S102 - our own code
    config_cls = getattr(peft, config_class)
    disagreements = []
    for index, (kind, targets) in enumerate(cases):
        torch.manual_seed(0)
        model = namespace[f"With_{kind}"]()  # type: ignore[operator]
        try:
            peft.get_peft_model(model, config_cls(target_modules=targets, **required))
            raises = False
        except (TypeError, ValueError) as exc:
            if classify_peft_error(exc) is not PeftOutcome.UNSUPPORTED:
                raise  # the case itself is wrong, not a disagreement
            raises = True
            said = quoted.get(index, "")
            if said:  # the message LL002 quotes is the one PEFT raises (up to the "...")
                assert str(exc).startswith(said.split("...")[0].split("(")[0]), (said, exc)
        codes = flagged.get(index, set())
        assert UNKNOWN_TARGET_MODULE not in codes
        if raises != (UNSUPPORTED_TARGET_MODULE in codes):
            disagreements.append((kind, targets, raises, sorted(codes)))
    assert disagreements == []
