"""Property-based fuzzing of the front ends (hypothesis): generated and mutated sources.

Inputs are realistic on purpose: LoraConfig scripts, axolotl / LLaMA-Factory /
torchtune / PEFT YAML and JSON from the repository's own examples and test data,
then mutated (brackets, quotes, anchors, merge keys, document markers, tags,
BOMs, CR/CRLF/U+2028 line breaks, wide characters, NUL bytes...), plus sources
generated from a small grammar. For every input:

* no exception escapes, and no front end falls back to its catch-all
  ("internal error", "could not read YAML/JSON") -- those hide bugs as LL000;
* every span of every finding, config, value, key and model reference lies in
  the file: lines split at ``\\r\\n``/``\\r``/``\\n``, columns inside the line
  (end column at most one past its end);
* the same input gives the same result.

Profile: ``LORA_LINT_FUZZ_EXAMPLES`` examples per test (200 by default, derandomized,
so CI is reproducible). A long run by hand, with fresh randomness:

    LORA_LINT_FUZZ_EXAMPLES=20000 python -m pytest tests/robustness/test_fuzz_extractors.py

Every counterexample found is kept below as a regular test (``COUNTEREXAMPLES``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lora_lint.diagnostics import Span
from lora_lint.engine import Linter
from lora_lint.extract.filecache import Unencodable, encode
from lora_lint.extract.python import extract_python
from lora_lint.extract.shell import extract_shell
from lora_lint.extract.types import ExtractedConfig, FileExtraction, Located, Unresolved
from lora_lint.extract.yaml import extract_json, extract_yaml
from lora_lint.settings import Settings
from tests.robustness.helpers import ROOT

EXAMPLES = int(os.environ.get("LORA_LINT_FUZZ_EXAMPLES", "200"))
RANDOM = "LORA_LINT_FUZZ_EXAMPLES" in os.environ
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Whole-pipeline runs are slower (rules, suppressions, fixes): fewer of them.
PIPELINE = settings(FUZZ, max_examples=max(10, EXAMPLES // 5))

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: The catch-all messages of the front ends: an exception that a front end did not expect.
CATCH_ALL = ("internal error", "could not read YAML", "could not read JSON")


# -- seeds ------------------------------------------------------------------------------------


def _files(*patterns: str) -> list[str]:
    out = []
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and path.stat().st_size < 200_000:
                out.append(path.read_text("utf-8"))
    return out


PY_SNIPPETS = [
    """\
from peft import LoraConfig, TaskType, get_peft_model
from transformers import AutoModelForCausalLM

MODEL_ID = "meta-llama/Llama-3.1-8B"
ATTN = ["q_proj", "k_proj", "v_proj", "o_proj"]
MLP = ("gate_proj", "up_proj", "down_proj")
model = AutoModelForCausalLM.from_pretrained(MODEL_ID, torch_dtype="auto")
config = LoraConfig(
    r=16, lora_alpha=32, lora_dropout=0.05, task_type=TaskType.CAUSAL_LM,
    target_modules=ATTN + list(MLP), modules_to_save=["lm_head"],
    rank_pattern={"q_proj": 8, r"model\\.layers\\.0\\..*": 4}, layers_to_transform=[0, 1, 2],
)
model = get_peft_model(model, config)
""",
    """\
import os
import argparse
from peft import LoraConfig as LC
import transformers as tf

p = argparse.ArgumentParser()
p.add_argument("--model", default=os.environ.get("BASE", "Qwen/Qwen2.5-0.5B"))
p.add_argument("--targets", default="q_proj,v_proj")
args = p.parse_args()
TARGETS = "q_proj, v_proj,k_proj".split(",")
cfg = dict(r=8, target_modules=[t.strip() for t in TARGETS], bias="none")
model = tf.AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=2)
lora = LC(**cfg, task_type="SEQ_CLS")
other = LC(target_modules=args.targets.split(","), r=4 if args else 8)
""",
    """\
from unsloth import FastLanguageModel
model, tokenizer = FastLanguageModel.from_pretrained("unsloth/Llama-3.2-1B-Instruct-bnb-4bit")
model = FastLanguageModel.get_peft_model(
    model, r=16, target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj"],
    lora_alpha=16, use_gradient_checkpointing="unsloth",
)
""",
    """\
from trl import ModelConfig, SFTConfig, SFTTrainer, get_peft_config
from peft import LoraConfig
mc = ModelConfig(model_name_or_path="Qwen/Qwen2.5-0.5B", use_peft=True,
                 lora_target_modules=["q_proj", "v_proj"], lora_r=8)
peft_config = {"type": LoraConfig, "target_modules": "all-linear", "r": 4}
trainer = SFTTrainer(model="Qwen/Qwen2.5-0.5B", peft_config=LoraConfig(target_modules=f"{'x'}"))
def build(targets=("q_proj",), model_id="gpt2"):
    return LoraConfig(target_modules=list(targets))
""",
]
PY_SEEDS = PY_SNIPPETS + _files("examples/*.py")
YAML_SNIPPETS = [
    """\
base: &base
  base_model: Qwen/Qwen2.5-0.5B
  adapter: lora
  lora_target_modules: &t [q_proj, v_proj]
<<: *base
lora_r: 16
lora_target_modules: *t
datasets:
  - path: x
    type: alpaca
---
model_name_or_path: meta-llama/Meta-Llama-3-8B
finetuning_type: lora
lora_target: q_proj,v_proj
""",
    """\
%YAML 1.1
--- !!map
model: {_component_: torchtune.models.llama3_1.lora_llama3_1_8b,
  lora_attn_modules: ['q_proj', "v_proj"], apply_lora_to_mlp: yes, lora_rank: 0o10}
? complex key
: value
peft:
  peft_type: LORA
  target_modules: !!str q_proj
  layers_to_transform: [0, 1, 0x2]
...
""",
]
YAML_SEEDS = YAML_SNIPPETS + _files(
    "examples/**/*.yaml", "tests/data/yaml/**/*.yaml", "tests/data/tools/**/*.yaml"
)
JSON_SEEDS = _files("examples/**/*.json", "tests/data/yaml/**/*.json", "tests/data/tools/**/*.json")
SH_SEEDS = _files("examples/*.sh", "tests/data/shell/**/*.sh")
assert PY_SEEDS and YAML_SEEDS and JSON_SEEDS

FRAGMENTS = [
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "  ",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    ",",
    ":",
    ": ",
    "'",
    '"',
    '"""',
    "#",
    "\\",
    "- ",
    "---\n",
    "...\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "<<: [*a, *b]\n",
    "? ",
    "!!python/object/apply:os.system ",
    "!include ",
    "!!binary ",
    "%YAML 1.1\n",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0c",
    "\x0b",
    "\x00",
    "é",
    "😀",
    "中",
    "\u200b",
    "lora_target_modules: ",
    "target_modules=",
    "target_modules",
    "LoraConfig(",
    "from_pretrained(",
    "get_peft_model(",
    "q_proj",
    "v_prj",
    "all-linear",
    "*",
    "**",
    "+",
    "lambda: ",
    " if ",
    " else ",
    "f'{",
    "}'",
    "import ",
    "from . import ",
    "def f(x=1):\n    ",
    "\n    ",
    "=",
    "0x1F",
    "1e-5",
    "null",
    "~",
    "yes",
    "NaN",
    "-.inf",
    '"q_proj,v_proj"',
    "[q_proj, v_proj]",
    '["q_proj", "v_proj"]',
    "// c\n",
    "/* c */",
    "[" * 60,
    "]" * 60,
    "(" * 60,
    ")" * 60,
]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str]) -> str:
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 6))):
        n = len(text)
        at = draw(st.integers(0, n))
        op = draw(
            st.sampled_from(
                ["insert", "insert", "delete", "duplicate", "swap", "truncate", "replace"]
            )
        )
        if op == "insert":
            text = text[:at] + draw(st.sampled_from(FRAGMENTS)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif op == "duplicate":
            end = min(n, at + draw(st.integers(1, 200)))
            text = text[:end] + text[at:end] + text[end:]
        elif op == "swap":
            lines = _LINE_BREAK.split(text)
            if len(lines) > 1:
                i = draw(st.integers(0, len(lines) - 1))
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
                text = "\n".join(lines)
        elif op == "truncate":
            text = text[:at]
        elif op == "replace" and n:
            pos = min(at, n - 1)
            text = text[:pos] + draw(st.characters(codec="utf-8")) + text[pos + 1 :]
    return text


# -- generated sources --------------------------------------------------------------------------

NAMES = [
    "q_proj",
    "k_proj",
    "v_proj",
    "o_proj",
    "gate_proj",
    "up_proj",
    "down_proj",
    "c_attn",
    "query_key_value",
    "lm_head",
    "embed_tokens",
    "all-linear",
    r".*\.(q|v)_proj",
    "model.layers.0.self_attn.q_proj",
    "v_prj",
    "",
    "q_proj,v_proj",
    "é😀",
]
KEYS = [
    "target_modules",
    "lora_target_modules",
    "lora_target",
    "base_model",
    "adapter",
    "model_name_or_path",
    "finetuning_type",
    "peft_type",
    "r",
    "lora_r",
    "lora_alpha",
    "modules_to_save",
    "layers_to_transform",
    "rank_pattern",
    "peft",
    "lora",
    "lora_target_linear",
    "exclude_modules",
    "task_type",
    "model",
    "_component_",
    "lora_attn_modules",
    "base_model_name_or_path",
    "use_peft",
    "target_parameters",
]
MODELS = ["Qwen/Qwen2.5-0.5B", "meta-llama/Llama-3.1-8B", "gpt2", "./local-model", "x/y/z"]

scalars = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(MODELS),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), children, max_size=6
        ),
    ),
    max_leaves=30,
)
configs = st.dictionaries(st.sampled_from(KEYS), trees, min_size=1, max_size=8)


@st.composite
def generated_yaml(draw: st.DrawFn) -> str:
    documents = draw(st.lists(configs, min_size=1, max_size=3))
    if draw(st.booleans()) and len(documents[0]) > 1:  # a shared node: anchor + alias
        keys = list(documents[0])
        shared = documents[0][keys[0]]
        documents[0][keys[-1]] = shared
    return yaml.safe_dump_all(
        documents,
        default_flow_style=draw(st.sampled_from([False, True, None])),
        indent=draw(st.integers(2, 6)),
        width=draw(st.sampled_from([20, 80, 1000])),
        allow_unicode=draw(st.booleans()),
        explicit_start=draw(st.booleans()),
        sort_keys=draw(st.booleans()),
        line_break=draw(st.sampled_from(["\n", "\r\n", "\r"])),
    )


@st.composite
def generated_json(draw: st.DrawFn) -> str:
    data = draw(configs)
    return json.dumps(
        data,
        indent=draw(st.sampled_from([None, 0, 1, 2, 4, "\t"])),
        ensure_ascii=draw(st.booleans()),
        separators=draw(st.sampled_from([None, (",", ":"), (", ", ": ")])),
    ).replace("\n", draw(st.sampled_from(["\n", "\r\n"])))


def _py_literal(value: Any) -> str:
    return repr(value)


py_values = st.recursive(
    st.one_of(
        st.sampled_from(NAMES).map(repr),
        st.integers(-1000, 10**6).map(str),
        st.sampled_from(["True", "None", "1e-4", "0x10", "-3", "2**8"]),
        st.sampled_from(
            [
                "TARGETS",
                "MODEL_ID",
                "args.targets",
                "cfg",
                "os.environ['T']",
                "CONST[0]",
                "CONST[1:]",
                "undefined_name",
                "f'{x}'",
                "f'q_proj'",
            ]
        ),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(inner, max_size=3).map(lambda xs: "(" + ", ".join(xs) + ",)"),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: "{" + ", ".join(xs) + "}"),
        st.dictionaries(st.sampled_from(NAMES).map(repr), inner, max_size=3).map(
            lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"
        ),
        st.tuples(inner, st.sampled_from([" + ", " * ", " - ", " | "]), inner).map("".join),
        st.tuples(inner, inner).map(lambda t: f"({t[0]} if flag else {t[1]})"),
        inner.map(lambda x: f"list({x})"),
        inner.map(lambda x: f"sorted({x})"),
        inner.map(lambda x: f"[*{x}, 'o_proj']"),
        inner.map(lambda x: f"{x}.split(',')"),
        inner.map(lambda x: f"','.join({x})"),
        inner.map(lambda x: f"dict(target_modules={x})"),
        inner.map(lambda x: f"{{**{x}}}"),
    ),
    max_leaves=12,
)
KEYWORDS = [
    "target_modules",
    "r",
    "lora_alpha",
    "modules_to_save",
    "layers_to_transform",
    "layers_pattern",
    "rank_pattern",
    "alpha_pattern",
    "exclude_modules",
    "task_type",
    "bias",
    "use_dora",
    "target_parameters",
    "typo_option",
    "fan_in_fan_out",
]


@st.composite
def generated_python(draw: st.DrawFn) -> str:
    lines = [
        "import os",
        "from peft import LoraConfig, get_peft_model, LoHaConfig",
        "from transformers import AutoModelForCausalLM, AutoModel",
    ]
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(
            st.sampled_from(
                ["assign", "augassign", "config", "model", "peft", "def", "if", "config_dict"]
            )
        )
        value = draw(py_values)
        name = draw(st.sampled_from(["TARGETS", "MODEL_ID", "CONST", "cfg", "x", "flag"]))
        kwargs = ", ".join(
            f"{k}={draw(py_values)}"
            for k in draw(st.lists(st.sampled_from(KEYWORDS), max_size=4, unique=True))
        )
        cls = draw(st.sampled_from(["LoraConfig", "LoHaConfig"]))
        if kind == "assign":
            lines.append(f"{name} = {value}")
        elif kind == "augassign":
            lines.append(f"{name} {draw(st.sampled_from(['+=', '*=', '-=']))} {value}")
        elif kind == "config":
            lines.append(f"config = {cls}({kwargs})")
        elif kind == "config_dict":
            lines.append(f"config = {cls}(**{value})")
        elif kind == "model":
            auto = draw(st.sampled_from(["AutoModelForCausalLM", "AutoModel"]))
            lines.append(f"model = {auto}.from_pretrained({draw(py_values)})")
        elif kind == "peft":
            lines.append("model = get_peft_model(model, config)")
        elif kind == "def":
            lines.append(f"def main(model_id={value}):\n    return {cls}({kwargs})")
        else:
            lines.append(f"if {name}:\n    {name} = {value}\nelse:\n    config = {cls}({kwargs})")
    return "\n".join(lines) + "\n"


# -- the properties -------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text)


def _check_span(span: Span, lines: list[str], what: str) -> None:
    n = len(lines)
    assert 1 <= span.line <= n and 1 <= span.end_line <= n, f"{what}: {span} outside {n} lines"
    assert (span.line, span.column) <= (span.end_line, span.end_column), f"{what}: {span} reversed"
    assert 1 <= span.column <= len(lines[span.line - 1]) + 1, (
        f"{what}: {span} column outside line {span.line} ({len(lines[span.line - 1])} chars)"
    )
    assert 1 <= span.end_column <= len(lines[span.end_line - 1]) + 1, (
        f"{what}: {span} end column outside line {span.end_line}"
    )


def _value_spans(value: object, what: str) -> Iterator[tuple[Span, str]]:
    if isinstance(value, Unresolved):
        if value.path is None:
            yield value.span, f"{what} (unresolved)"
    elif isinstance(value, Located):
        if value.path is None:
            yield value.span, what
            for key, span in (value.key_spans or {}).items():
                yield span, f"{what} key {key!r}"
        if isinstance(value.value, list):
            for i, item in enumerate(value.value):
                yield from _value_spans(item, f"{what}[{i}]")
        elif isinstance(value.value, dict):
            for key, item in value.value.items():
                yield from _value_spans(item, f"{what}[{key!r}]")


def _config_spans(config: ExtractedConfig) -> Iterator[tuple[Span, str]]:
    yield config.span, "config"
    for name, span in config.key_spans.items():
        yield span, f"key of {name}"
    for name, span in config.unknown_keys.items():
        yield span, f"unknown key {name}"
    for name, value in config.options.items():
        yield from _value_spans(value, name)
    for item in config.unresolved:
        yield from _value_spans(item, "unresolved")
    model = config.model
    if model is not None and model.span is not None and model.source_path in (None, config.path):
        yield model.span, "model"


def check_extraction(result: FileExtraction, text: str, path: str) -> None:
    lines = _lines(text)
    for finding in result.findings:
        assert not any(needle in finding.message for needle in CATCH_ALL), finding.message
        assert finding.path == path
        _check_span(finding.span, lines, f"finding {finding.code} {finding.message}")
    for config in result.configs:
        assert config.path == path
        for span, what in _config_spans(config):
            _check_span(span, lines, what)
    for ref in result.models:
        if ref.span is not None and ref.source_path in (None, path):
            _check_span(ref.span, lines, f"model {ref.name}")


def _snapshot(result: FileExtraction) -> str:
    """The whole extraction as text (NaN == NaN there, unlike in the objects)."""
    try:
        return json.dumps(encode(result))
    except (Unencodable, RecursionError, ValueError):
        return repr(result)


def run_front_end(text: str, suffix: str) -> FileExtraction:
    path = "fuzz" + suffix
    started = time.monotonic()
    if suffix == ".py":
        result = extract_python(text, path)
    elif suffix == ".sh":
        result = extract_shell(text, path)
    elif suffix == ".json":
        result = extract_json(text, path)
    else:
        result = extract_yaml(text, path)
    assert time.monotonic() - started < 20, "an extraction took more than 20 s"
    return result


def check_input(text: str, suffix: str) -> None:
    """The three properties for one input (the engine hands over BOM-less text)."""
    text = text[1:] if text.startswith("\ufeff") else text
    first = run_front_end(text, suffix)
    check_extraction(first, text, "fuzz" + suffix)
    assert _snapshot(run_front_end(text, suffix)) == _snapshot(first), "not deterministic"


# -- the tests -----------------------------------------------------------------------------------


@FUZZ
@given(mutated(PY_SEEDS))
def test_mutated_python(text: str) -> None:
    check_input(text, ".py")


@FUZZ
@given(generated_python())
def test_generated_python(text: str) -> None:
    check_input(text, ".py")


@FUZZ
@given(mutated(YAML_SEEDS))
def test_mutated_yaml(text: str) -> None:
    check_input(text, ".yaml")


@FUZZ
@given(generated_yaml())
def test_generated_yaml(text: str) -> None:
    check_input(text, ".yaml")


@FUZZ
@given(mutated(SH_SEEDS))
def test_mutated_shell(text: str) -> None:
    check_input(text, ".sh")


@FUZZ
@given(
    st.one_of(
        mutated(JSON_SEEDS),
        generated_json(),
        mutated(
            [
                json.dumps(c)
                for c in (
                    {"target_modules": ["q_proj"], "r": 8},
                    {"peft_type": "LORA", "x": [1, {"a": None}]},
                )
            ]
        ),
    )
)
def test_json(text: str) -> None:
    check_input(text, ".json")


# -- the whole pipeline (rules, suppressions, fixes) on some of them ----------------------------

_PIPELINE_DIR = Path(tempfile.mkdtemp(prefix="lora-lint-fuzz-"))
_RUNS = iter(range(10**9))


def check_pipeline(text: str, suffix: str) -> None:
    """Lint ``text`` twice: cold (a new file name misses the extraction cache), then warm."""
    path = _PIPELINE_DIR / f"fuzz-{next(_RUNS)}{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    settings_ = Settings(
        project_root=_PIPELINE_DIR, offline=True, default_model="Qwen/Qwen2.5-0.5B"
    )
    try:
        runs = [Linter(settings_).run([path]) for _ in range(2)]
    finally:
        path.unlink()
    result = runs[0]
    assert not result.errors, result.errors
    decoded = text[1:] if text.startswith("\ufeff") else text
    lines = _lines(decoded)
    for finding in result.findings:
        assert not any(needle in finding.message for needle in CATCH_ALL), finding.message
        if finding.code == "LL000" and "UTF-8" in finding.message:
            continue
        _check_span(finding.span, lines, f"finding {finding.code} {finding.message}")
        for edit in finding.fix.edits if finding.fix else ():
            _check_span(edit.span, lines, f"fix of {finding.code}")
    assert [(f.code, f.span, f.message) for f in runs[1].findings] == [
        (f.code, f.span, f.message) for f in result.findings
    ], "not deterministic (or a warm run differs from a cold one)"


@pytest.mark.torch
@PIPELINE
@given(
    st.one_of(
        mutated(YAML_SEEDS).map(lambda t: (t, ".yaml")),
        mutated(PY_SEEDS).map(lambda t: (t, ".py")),
        generated_python().map(lambda t: (t, ".py")),
        mutated(JSON_SEEDS).map(lambda t: (t, ".json")),
    )
)
def test_whole_pipeline(case: tuple[str, str]) -> None:
    check_pipeline(*case)


# -- counterexamples found by the fuzzer, kept as regular tests ---------------------------------

COUNTEREXAMPLES: list[tuple[str, str, str]] = [
    # (why, suffix, text)
    (
        "doubling chain: exponential evaluation time",
        ".py",
        "from peft import LoraConfig\nt = ['q']\n"
        + "t = t + t\n" * 40
        + "c = LoraConfig(target_modules=t)\n",
    ),
    (
        "squaring chain: an integer of 2**40 bits",
        ".py",
        "from peft import LoraConfig\nx = 3\n" + "x = x * x\n" * 40 + "c = LoraConfig(r=x)\n",
    ),
    (
        "integer literal over Python's 4,300-digit limit",
        ".py",
        "from peft import LoraConfig\nc = LoraConfig(r=" + "9" * 5000 + ")\n",
    ),
    (
        "float times a huge integer overflows",
        ".py",
        "from peft import LoraConfig\nc = LoraConfig(lora_alpha=1e308 * " + "9" * 400 + ")\n",
    ),
    (
        "billion laughs",
        ".yaml",
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"b{i}: &b{i} [" + ", ".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 9) + "]\n"
            for i in range(10)
        )
        + "target_modules: *b9\n",
    ),
    (
        "nesting deep enough to crash libyaml's composer",
        ".yaml",
        "target_modules: " + "[" * 50_000 + "]" * 50_000 + "\n",
    ),
    (
        "U+2028 counted as a line break by PyYAML only",
        ".yaml",
        'note: "a\u2028b"\nlora_target_modules: [q_proj, v_prj]\nadapter: lora\n',
    ),
    (
        "JSON with old Mac line endings",
        ".json",
        '{\r"target_modules": ["q_proj",\r "v_prj"],\r"peft_type": "LORA"}\r',
    ),
    (
        "JSON that PyYAML rejects (escaped slash): the positioned reader",
        ".json",
        '{"target_modules": ["q_proj"], "url": "http:\\/\\/x",\r\n "r": 8}',
    ),
    (
        "python tag on a collection",
        ".yaml",
        "lora_target_modules: !!python/object/apply:os.system ['echo']\nadapter: lora\n",
    ),
    (
        "shell: a quote left open at the end of the file ended one past it",
        ".sh",
        "trl sft --model_name_or_path Qwen/Qwen2.5-0.5B --use_peft \\\n"
        '  --lora_target_modules "q_6 \\\n  --lora_r 8\n',
    ),
    (
        "shell: a lone CR is a line break for lora-lint's positions",
        ".sh",
        "swift sft \\\n    -\r-model Qwen/Qwen2.5-0.5B \\\n    --train_type lora \\\n"
        "    --target_modules all-linear \\\n    --lora_rank 8\n",
    ),
    (
        "libyaml reports a bad character's position in UTF-8 bytes, not characters",
        ".yaml",
        "\u0800\nmodel: Qwen/Qwen3-4B\npeft_config:\n  target_modules: all\n\x0c",
    ),
    (
        "NaN is unequal to itself: compare extractions as JSON text",
        ".json",
        '{"target_modules": {"\\u007f": null}, "lora_target_modules": {"target_modules": NaN}}',
    ),
]


@pytest.mark.parametrize(
    ("why", "suffix", "text"), COUNTEREXAMPLES, ids=[c[0] for c in COUNTEREXAMPLES]
)
def test_counterexample(why: str, suffix: str, text: str) -> None:
    check_input(text, suffix)


PIPELINE_COUNTEREXAMPLES: list[tuple[str, str, str]] = [
    (
        "LL011 matched unresolved values by identity: a warm run reported one more",
        ".py",
        "from peft import LoraConfig\n"
        "c = LoraConfig(lora_alpha={**','.join('q_proj,v_proj'.split(','))}, use_dora={'q'})\n",
    ),
]


@pytest.mark.torch
@pytest.mark.parametrize(
    ("why", "suffix", "text"),
    PIPELINE_COUNTEREXAMPLES,
    ids=[c[0] for c in PIPELINE_COUNTEREXAMPLES],
)
def test_pipeline_counterexample(why: str, suffix: str, text: str) -> None:
    check_pipeline(text, suffix)


def test_positioned_json_reader_is_linear() -> None:
    """The fallback reader once computed every position from the start of the text."""
    items = ",\n".join(f'  {{"a\\/b": {i}, "target_modules": ["q_proj"]}}' for i in range(20_000))
    text = "[\n" + items + "\n]\n"
    started = time.monotonic()
    result = extract_json(text, "big.json")
    assert time.monotonic() - started < 20
    assert not result.findings
