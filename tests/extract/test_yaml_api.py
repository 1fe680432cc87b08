"""The public front-end API: pre-filter, never raising, whole-file results."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lora_lint.diagnostics import Span
from lora_lint.extract.yaml import extract_json, extract_yaml, might_contain_config


@pytest.mark.parametrize(
    "text",
    [
        "target_modules: [q_proj]",
        "lora_target: all",
        "lora_r: 8",
        '{"peft_type": "LORA"}',
        "peft_config:\n  name: lora",
        "model_name_or_path: x\nfinetuning_type: full",
    ],
)
def test_prefilter_accepts_configs(text: str) -> None:
    assert might_contain_config(text)


def test_prefilter_rejects_unrelated_files() -> None:
    assert not might_contain_config("name: CI\non: push\njobs: {}\n")


@pytest.mark.parametrize("source", ["- a\n- b\n", "just text\n", "", "# only a comment\n", "~\n"])
def test_non_mapping_documents_yield_nothing(source: str) -> None:
    result = extract_yaml(source, "x.yaml")
    assert result.configs == []
    assert result.findings == []


def test_json_top_level_list_and_scalar() -> None:
    assert extract_json('[{"target_modules": ["q"]}]', "a.json").configs[0].option(
        "target_modules"
    ) == ["q"]
    assert extract_json("3", "a.json").configs == []


def test_invalid_yaml_reports_ll000_and_keeps_earlier_documents() -> None:
    source = "peft:\n  target_modules: [q_proj]\n---\npeft:\n  target_modules: [q_proj\n"
    result = extract_yaml(source, "x.yaml")
    [finding] = result.findings
    assert finding.code == "LL000"
    assert finding.path == "x.yaml"
    assert finding.message.startswith("invalid YAML: ")
    assert finding.span == Span.point(6, 1)
    assert [c.option("target_modules") for c in result.configs] == [["q_proj"]]
    assert result.configs[0].location_hint is None  # only one document was readable


def test_single_document_has_no_location_hint() -> None:
    [config] = extract_yaml("target_modules: [q]\n", "x.yaml").configs
    assert config.location_hint is None


def test_unresolved_values_are_collected() -> None:
    [config] = extract_yaml("target_modules: !env ${TARGETS}\nr: 8\n", "x.yaml").configs
    [unresolved] = config.unresolved
    assert unresolved.span == Span(1, 17, 1, 32)
    assert config.option("target_modules") is None


def test_deep_nesting_does_not_raise() -> None:
    source = "[" * 5000 + "]" * 5000
    result = extract_yaml(source, "deep.yaml")
    assert result.configs == []
    result = extract_json(source, "deep.json")
    assert result.configs == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{},'\"&*<! \n\t#|>?_target")), max_size=80))
def test_never_raises_on_arbitrary_yaml(source: str) -> None:
    result = extract_yaml(source, "fuzz.yaml")
    assert all(f.code == "LL000" for f in result.findings)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.sampled_from(["target_modules", "r", "x"]), children, max_size=3)
        ),
        max_leaves=12,
    )
)
def test_json_values_round_trip(value: object) -> None:
    # In a list: a mapping right under target_modules describes the field (no config).
    source = json.dumps({"target_modules": [value], "r": 8}, indent=1)
    result = extract_json(source, "v.json")
    assert result.findings == []
    assert result.configs[0].option("target_modules") == [value]


# -- files that fail to parse but are no config: data, not LL000 ---------------------------


def test_json_lines_saved_as_json_is_data_not_ll000() -> None:
    """A data set in JSON Lines named ``.json`` passes the pre-filter (``lora`` in
    "Colorado", a ``target`` column) but no tool reads it as a config."""
    rows = [{"question": "Capital of Colorado?", "target": "Denver"}] * 3
    source = "\n".join(json.dumps(row) for row in rows) + "\n"
    assert might_contain_config(source)
    assert extract_json(source, "data/val.json").findings == []
    # JSON Lines holding config words is still data, never a config read with json.load.
    lines = '{"target_modules": ["q_proj"]}\n{"target_modules": ["v_proj"]}\n'
    assert extract_json(lines, "rows.json").findings == []


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ('{"prompt": "Colorado", "target": "x",}', "d.json"),
        ("question: Colorado\ntarget: [a\n", "d.yaml"),
        ("input: exploration\ntarget_text: {x\n", "d.yml"),
    ],
)
def test_unparseable_file_without_a_config_word_is_silent(source: str, name: str) -> None:
    extract = extract_json if name.endswith(".json") else extract_yaml
    result = extract(source, name)
    assert result.findings == [] and result.configs == []


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ('{"lora_r": 8,}', "a.json"),
        ('{"peft_type": "LORA"\n"r": 8}', "adapter_config.json"),
        ("lora_target: [q_proj\n", "x.yaml"),
        ("adapter:\n  type: lora\n  r: [8\n", "ludwig.yaml"),
        ("LORA_R: 8\ntarget_modules: {q\n", "x.yml"),
    ],
)
def test_unparseable_config_still_gets_ll000(source: str, name: str) -> None:
    extract = extract_json if name.endswith(".json") else extract_yaml
    [finding] = extract(source, name).findings
    assert finding.code == "LL000" and finding.path == name


@pytest.mark.parametrize(
    "source",
    [
        "metadata:\n  name: {{ .Values.name }}\n  lora_adapters: [a\n",
        "env:\n  {{- if .Values.lora }}\n  - name: LORA_R\n  {{- end }}\n",
        "{% for r in ranks %}\nlora_r: {{ r }}\n{% endfor %}\n",
    ],
)
def test_unrendered_template_is_not_ll000(source: str) -> None:
    """Helm/Jinja source parses only once rendered; lora-lint reads no rendering."""
    result = extract_yaml(source, "templates/deployment.yaml")
    assert result.findings == [] and result.configs == []


def test_quoted_template_in_a_broken_config_is_still_ll000() -> None:
    source = 'chat_template: "{{ bos }}"\nlora_target_modules: [q_proj\n'
    [finding] = extract_yaml(source, "axolotl.yaml").findings
    assert finding.code == "LL000"
