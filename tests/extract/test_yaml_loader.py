"""The positioned tree: scalar resolution, exact spans, documents, aliases, errors."""

from __future__ import annotations

import math

import pytest
import yaml

from lora_lint.diagnostics import Span
from lora_lint.extract.types import Located, Unresolved
from lora_lint.extract import positioned_yaml as loader
from lora_lint.extract.positioned import Document, read_json_positioned
from lora_lint.extract.positioned_yaml import load_json, load_yaml


def root_of(source: str) -> tuple[Document, Located]:
    parsed = load_yaml(source, "t.yaml")
    assert parsed.findings == []
    document = parsed.documents[0]
    assert isinstance(document.root, Located)
    return document, document.root


def entry(mapping: Located, key: str) -> Located:
    assert isinstance(mapping.value, dict)
    value = mapping.value[key]
    assert isinstance(value, Located)
    return value


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("8", 8),
        ("017", 15),
        ("0o17", "0o17"),  # YAML 1.2 octal is a string in YAML 1.1
        ("0x1F", 31),
        ("1_000", 1000),
        ("-3", -3),
        ("0.05", 0.05),
        ("1.0e-4", 1.0e-4),
        ("1e5", "1e5"),  # YAML 1.1: no dot, so a string (what yaml.safe_load gives too)
        ("true", True),
        ("yes", True),
        ("Off", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("'8'", "8"),
        ('"true"', "true"),
        ("!!str 8", "8"),
        ("!!float 1", 1.0),
        ("2024-01-01", "2024-01-01"),  # timestamps stay as written
        ("q_proj", "q_proj"),
    ],
)
def test_scalars_follow_safe_load(written: str, expected: object) -> None:
    _, root = root_of(f"v: {written}\n")
    assert entry(root, "v").value == expected
    if not written.startswith("2024"):  # safe_load builds a date; we keep the text
        assert entry(root, "v").value == yaml.safe_load(f"v: {written}\n")["v"]


def test_special_floats() -> None:
    _, root = root_of("a: .inf\nb: -.Inf\nc: .nan\n")
    assert entry(root, "a").value == math.inf
    assert entry(root, "b").value == -math.inf
    value = entry(root, "c").value
    assert isinstance(value, float) and math.isnan(value)


def test_custom_tag_is_unresolved_not_constructed() -> None:
    _, root = root_of("a: !!python/object:os.system echo\nb: !env ${TARGETS}\n")
    assert isinstance(root.value, dict)
    for key in ("a", "b"):
        value = root.value[key]
        assert isinstance(value, Unresolved)
        assert "tag" in value.reason


def test_bad_explicit_int_is_unresolved() -> None:
    _, root = root_of("r: !!int sixteen\n")
    assert isinstance(root.value, dict)
    assert isinstance(root.value["r"], Unresolved)


def test_marks_become_one_based_end_exclusive_spans() -> None:
    source = 'lora:\n  r: 8\n  target_modules: [q_proj, "v_porj"]\n'
    _, root = root_of(source)
    lora = entry(root, "lora")
    assert lora.container == "dict"
    assert lora.key_spans == {"r": Span(2, 3, 2, 4), "target_modules": Span(3, 3, 3, 17)}
    assert entry(lora, "r").span == Span(2, 6, 2, 7)
    targets = entry(lora, "target_modules")
    assert targets.container == "list"
    assert targets.span == Span(3, 19, 3, 37)
    first, second = targets.items
    assert first == Located("q_proj", Span(3, 20, 3, 26))
    # A quoted scalar's span includes its quotes.
    assert second == Located("v_porj", Span(3, 28, 3, 36))


def test_block_sequence_items() -> None:
    _, root = root_of("t:\n  - q_proj\n  - 'v_proj'\n")
    items = entry(root, "t").items
    assert [i.span for i in items if isinstance(i, Located)] == [
        Span(2, 5, 2, 11),
        Span(3, 5, 3, 13),
    ]


def test_comma_pieces_get_exact_spans() -> None:
    document, root = root_of("lora_target: q_proj, v_prj\n")
    split = document.split_commas(entry(root, "lora_target"))
    assert split.split_from_string and split.container == "list"
    assert split.span == Span(1, 14, 1, 27)
    assert split.items == [
        Located("q_proj", Span(1, 14, 1, 20)),
        Located("v_prj", Span(1, 22, 1, 27)),
    ]


@pytest.mark.parametrize(
    ("line", "piece", "column"),
    [
        ('t: "q_proj,v_prj"', "v_prj", 12),
        ("t: 'q_proj , v_prj'", "v_prj", 14),
        ("t: &a q_proj,v_prj", "v_prj", 14),
        ("t: !!str q_proj,v_prj", "v_prj", 17),
        ("t:    q_proj,,  v_prj  # comment", "v_prj", 17),
    ],
)
def test_comma_pieces_in_quoted_and_tagged_scalars(line: str, piece: str, column: int) -> None:
    document, root = root_of(line + "\n")
    split = document.split_commas(entry(root, "t"))
    assert [i.value for i in split.items if isinstance(i, Located)] == ["q_proj", piece]
    last = split.items[-1]
    assert last.span == Span(1, column, 1, column + len(piece))
    assert line[column - 1 : column - 1 + len(piece)] == piece


@pytest.mark.parametrize(
    "source",
    [
        't: "q_proj,\\x76_prj"\n',  # an escape shifts offsets
        "t: 'it''s,v_prj'\n",  # so does a doubled quote
        "t: >\n  q_proj,\n  v_prj\n",  # folded over lines
        "t: q_proj,\n  v_prj\n",  # plain scalar over two lines
    ],
)
def test_comma_pieces_fall_back_to_whole_scalar_span(source: str) -> None:
    document, root = root_of(source)
    value = entry(root, "t")
    split = document.split_commas(value)
    assert len(split.items) == 2
    assert all(item.span == value.span for item in split.items)


def test_multi_document_stream() -> None:
    parsed = load_yaml("a: 1\n---\nb: 2\n---\n- x\n---\nscalar\n", "t.yaml")
    assert parsed.findings == []
    assert [d.index for d in parsed.documents] == [0, 1, 2, 3]
    roots = [d.root for d in parsed.documents]
    assert isinstance(roots[2], Located) and roots[2].container == "list"
    assert isinstance(roots[3], Located) and roots[3].value == "scalar"
    second = roots[1]
    assert isinstance(second, Located)
    assert entry(second, "b").span == Span(3, 4, 3, 5)


def test_anchor_alias_and_merge_keys() -> None:
    source = (
        "base: &b\n"
        "  r: 8\n"
        "  target_modules: [q_proj]\n"
        "run:\n"
        "  <<: *b\n"
        "  r: 16\n"
        "extra:\n"
        "  <<: [{r: 1, x: 1}, {r: 2, x: 2, y: 2}]\n"
    )
    _, root = root_of(source)
    run = entry(root, "run")
    assert run.plain() == {"r": 16, "target_modules": ["q_proj"]}
    # Explicit key wins and keeps its own position; merged keys point at the anchor.
    assert entry(run, "r").span == Span(6, 6, 6, 8)
    assert run.key_spans is not None
    assert run.key_spans["target_modules"] == Span(3, 3, 3, 17)
    assert entry(run, "target_modules") is entry(entry(root, "base"), "target_modules")
    # With a list of sources the earlier one wins (safe_load semantics).
    assert entry(root, "extra").plain() == yaml.safe_load(source)["extra"]


def test_merge_of_a_scalar_is_ll000() -> None:
    parsed = load_yaml("a: &s text\nb:\n  <<: *s\n", "t.yaml")
    assert [f.code for f in parsed.findings] == ["LL000"]
    assert "merging" in parsed.findings[0].message


def test_duplicate_keys_keep_last_and_are_recorded() -> None:
    source = "lora:\n  target_modules: [q_proj]\n  r: 8\n  target_modules: [v_proj]\n"
    document, root = root_of(source)
    lora = entry(root, "lora")
    assert entry(lora, "target_modules").plain() == ["v_proj"]
    assert lora.key_spans is not None
    assert lora.key_spans["target_modules"] == Span(4, 3, 4, 17)
    [dup] = document.duplicates
    assert dup.key == "target_modules"
    assert dup.first == Span(2, 3, 2, 17)
    assert dup.last == Span(4, 3, 4, 17)
    assert dup.mapping == lora.span


def test_merged_keys_are_not_duplicates() -> None:
    document, _ = root_of("a: &a {r: 1}\nb:\n  <<: *a\n  r: 2\n")
    assert document.duplicates == []


def test_recursive_alias_does_not_loop() -> None:
    _, root = root_of("a: &a [1, *a]\n")
    items = entry(root, "a").items
    assert isinstance(items[1], Unresolved)
    assert "recursive" in items[1].reason


def test_alias_bomb_stays_shared() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 4)]
    _, root = root_of("\n".join(lines) + "\n")  # 11,110 values once expanded: still read
    top = entry(root, "a3")
    assert top.items[0] is top.items[1]


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    parsed = load_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert parsed.documents == []
    [finding] = parsed.findings
    assert finding.code == "LL000" and "aliases expand" in finding.message


def test_large_document_without_aliases_is_no_bomb() -> None:
    source = "target_modules: [q_proj]\ndata: [" + ", ".join(["1"] * 150_000) + "]\n"
    parsed = load_yaml(source, "big.yaml")
    assert parsed.findings == [] and len(parsed.documents) == 1


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 3, 2),
        ("a:\n  b: 1\n c: 2\n", 3, 2),
        ("a: 'unterminated\n", 2, 1),
        ("a: \x07\n", 1, 4),
    ],
)
def test_invalid_yaml_is_ll000_at_the_problem_mark(source: str, line: int, column: int) -> None:
    parsed = load_yaml(source, "bad.yaml")
    [finding] = parsed.findings
    assert finding.code == "LL000"
    assert finding.path == "bad.yaml"
    assert finding.message.startswith("invalid YAML: ")
    assert "\n" not in finding.message
    assert (finding.span.line, finding.span.column) == (line, column)


def test_documents_before_a_syntax_error_are_kept() -> None:
    parsed = load_yaml("a: 1\n---\nb: [\n", "t.yaml")
    assert len(parsed.documents) == 1
    assert [f.code for f in parsed.findings] == ["LL000"]


def test_pure_python_loader_gives_the_same_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    source = "a: &x\n  t: 'q_proj, v_prj'\nb:\n  <<: *x\n  r: 0o10\n"
    fast = load_yaml(source, "t.yaml").documents[0].root
    monkeypatch.setattr(loader, "LOADER", yaml.SafeLoader)
    slow = load_yaml(source, "t.yaml").documents[0].root
    assert fast == slow


def test_bom_does_not_shift_positions() -> None:
    document, root = root_of("\ufefft: q_proj,v_prj\n")
    assert entry(root, "t").span == Span(1, 4, 1, 16)
    assert document.split_commas(entry(root, "t")).items[1].span == Span(1, 11, 1, 16)


# --- JSON -----------------------------------------------------------------------------


def test_json_numbers_follow_json_rules() -> None:
    parsed = load_json('{"lora_dropout": 1e-05, "r": 8, "ok": true, "x": null}', "a.json")
    root = parsed.documents[0].root
    assert isinstance(root, Located)
    assert root.plain() == {"lora_dropout": 1e-05, "r": 8, "ok": True, "x": None}


def test_json_spans_include_quotes() -> None:
    parsed = load_json('{\n  "target_modules": ["q_proj", "v_proj"]\n}\n', "a.json")
    root = parsed.documents[0].root
    assert isinstance(root, Located)
    targets = entry(root, "target_modules")
    assert [i.span for i in targets.items] == [Span(2, 22, 2, 30), Span(2, 32, 2, 40)]
    assert root.key_spans == {"target_modules": Span(2, 3, 2, 19)}


@pytest.mark.parametrize(
    "source",
    [
        '\t{"target_modules": ["q_proj", "v_proj"], "r": 8}',  # PyYAML rejects the tab
        '{"target_modules": ["q_proj", "\\ud83d\\ude00"], "r": 8}',  # libyaml: surrogates
    ],
)
def test_json_that_pyyaml_rejects_uses_the_positioned_reader(source: str) -> None:
    parsed = load_json(source, "a.json")
    assert parsed.findings == []
    root = parsed.documents[0].root
    assert isinstance(root, Located)
    import json

    assert root.plain() == json.loads(source)
    first = entry(root, "target_modules").items[0]
    assert first.span.column == source.index('"q_proj"') + 1


def test_positioned_reader_matches_pyyaml_on_valid_json() -> None:
    source = (
        '{\n  "peft_type": "LORA",\n  "r": 8,\n  "lora_dropout": 0.05,\n'
        '  "target_modules": ["q_proj", "v_proj"],\n  "rank_pattern": {"q": 4},\n'
        '  "modules_to_save": null,\n  "use_dora": false,\n  "r": 16\n}\n'
    )
    via_yaml = load_json(source, "a.json").documents[0]
    via_reader = read_json_positioned(source)
    assert via_yaml.root == via_reader.root
    assert via_yaml.duplicates == via_reader.duplicates
    assert [d.key for d in via_reader.duplicates] == ["r"]


@pytest.mark.parametrize(
    ("source", "needle", "span"),
    [
        ('{\n  "target_modules": [\n    "q_proj",\n  ]\n}', "trailing comma", Span(3, 13, 3, 14)),
        ('{"r": 8,}', "trailing comma", Span(1, 8, 1, 9)),
        ('{\n  // note\n  "r": 8\n}', "comments are not allowed", Span.point(2, 3)),
        ('{"r": 8 "a": 1}', "invalid JSON: Expecting ',' delimiter", Span.point(1, 9)),
    ],
)
def test_invalid_json_is_ll000(source: str, needle: str, span: Span) -> None:
    parsed = load_json(source, "a.json")
    assert parsed.documents == []
    [finding] = parsed.findings
    assert finding.code == "LL000"
    assert needle in finding.message
    assert finding.span == span
