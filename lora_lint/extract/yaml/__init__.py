"""The YAML/JSON front end: positioned tree (``extract.positioned``) + tool adapters (``tools``).

``extract_yaml``/``extract_json`` never raise: a file that cannot be read
becomes an LL000 finding at the position of the problem, so one bad file never
stops a lint run.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePath

from lora_lint import codes
from lora_lint.diagnostics import Finding, Severity, Span, unreadable_input
from lora_lint.extract.positioned import Document, DuplicateKey
from lora_lint.extract.positioned_yaml import ParsedFile, load_json, load_yaml
from lora_lint.extract.types import FileExtraction

#: Substrings of the keys the adapters look for (``target_modules``, ``lora_*``,
#: ``peft_type``, ``peft_config``, ``finetuning_type``).
_HINTS = ("target", "lora", "peft", "finetuning_type")


#: JSON-with-comments files of other ecosystems: never LoRA configs, never parsed.
_JSONC_NAMES = re.compile(
    r"^(tsconfig|jsconfig)(\.[\w.-]+)?\.json$|^(package|package-lock|composer|devcontainer|"
    r"\.devcontainer|\.eslintrc|tslint|deno|biome|turbo|lerna|nx|angular|renovate)\.json$"
)
_JSONC_DIRS = frozenset({".vscode", ".devcontainer", ".idea", "node_modules"})


def is_foreign_json(path: PurePath) -> bool:
    """A JSON file that belongs to another tool (TypeScript, VS Code, npm...): skipped
    silently, since such files are JSONC and hold no LoRA config."""
    return bool(_JSONC_NAMES.match(path.name)) or any(p in _JSONC_DIRS for p in path.parts[:-1])


def might_contain_config(text: str) -> bool:
    """Cheap pre-filter before composing a file.

    False positives only cost a parse. The one config it lets through
    unextracted is a LLaMA-Factory file that relies on every default (no
    ``lora_*`` key, no ``finetuning_type``): its targets are the implicit
    ``all``, which has nothing to check.
    """
    return any(hint in text for hint in _HINTS)


#: A config word standing as a word of its own, or joined by ``_``/``-``/``.`` (``lora_r``,
#: ``use_peft``, ``peft_type``, ``lora_target``), never inside another word ("Colorado").
_CONFIG_WORD = re.compile(
    r"(?<![a-z0-9])(?:q?lora|peft|target_modules|finetuning_type)(?![a-z0-9])", re.IGNORECASE
)


def names_a_config_key(text: str) -> bool:
    """Whether a file that could not be parsed may still be a LoRA config.

    The pre-filter lets through any file with ``lora``/``target``/``peft`` anywhere in it
    (data files about Colorado or with a ``target`` column). Such a file that fails to
    parse is somebody's data, not a broken config: LL000 is said only when the text
    names a config word of its own.
    """
    return _CONFIG_WORD.search(text) is not None


def is_json_lines(text: str) -> bool:
    """JSON Lines saved as ``.json`` (one JSON value per line: a data set, never a config
    that PEFT or a training tool reads with ``json.load``)."""
    first: list[str] = []
    start = 0
    while len(first) < 2 and start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].strip()
        if line:
            first.append(line)
        start = end + 1
    if len(first) < 2:
        return False
    try:
        return all(isinstance(json.loads(line), (dict, list)) for line in first)
    except ValueError:
        return False


#: A template tag opening a line (``{{- if .Values.x }}``, ``{% for %}``) or standing as a
#: bare value (``replicas: {{ .Values.n }}``): Helm/Jinja source, YAML only once rendered.
_TEMPLATE_TAG = re.compile(r"^[ \t]*(?:-[ \t]+)?\{[{%]|:[ \t]+\{\{", re.MULTILINE)


def is_template(text: str) -> bool:
    """A Helm chart or Jinja template: what a tool reads is its rendering, not this text."""
    return _TEMPLATE_TAG.search(text) is not None


def _config_or_silence(parsed: ParsedFile, source: str) -> ParsedFile:
    """Drop the LL000 of a file that is not a config: it names no config word
    (``names_a_config_key``) or it is a template that only parses once rendered."""
    unreadable = parsed.findings and not parsed.documents
    if unreadable and (not names_a_config_key(source) or is_template(source)):
        return ParsedFile(parsed.path)
    return parsed


def extract_yaml(source: str, path: str) -> FileExtraction:
    """Every LoRA config in a ``.yaml``/``.yml`` file (each document is checked)."""
    try:
        return _extract(_config_or_silence(load_yaml(source, path), source), "yaml")
    except Exception as exc:  # never let one file stop the run
        return FileExtraction(
            path, findings=[unreadable_input(path, f"could not read YAML: {exc}")]
        )


def extract_json(source: str, path: str) -> FileExtraction:
    """Every LoRA config in a ``.json`` file (``adapter_config.json`` and JSON configs)."""
    try:
        parsed = load_json(source, path)
        if parsed.findings and not parsed.documents and is_json_lines(source):
            return FileExtraction(path)
        return _extract(_config_or_silence(parsed, source), "json")
    except Exception as exc:  # never let one file stop the run
        return FileExtraction(
            path, findings=[unreadable_input(path, f"could not read JSON: {exc}")]
        )


def _extract(parsed: ParsedFile, kind: str) -> FileExtraction:
    # Imported here: a file without LoRA keys never loads the tool adapters.
    from lora_lint.extract.tools import ToolContext, extract_document

    result = FileExtraction(parsed.path, findings=list(parsed.findings))
    several = len(parsed.documents) > 1
    for document in parsed.documents:
        hint = f"document {document.index + 1}" if several else None
        ctx = ToolContext(parsed.path, kind, document, location_hint=hint)
        configs = extract_document(ctx)
        result.configs.extend(configs)
        if configs:  # duplicate keys in other YAML files are not lora-lint's business
            result.findings.extend(duplicate_key_findings(parsed.path, document, hint))
    return result


def duplicate_key_findings(path: str, document: Document, hint: str | None) -> list[Finding]:
    """LL018 at every occurrence of a key that a later one in the same mapping overrides."""
    final: dict[tuple[Span, str], Span] = {}
    count: dict[tuple[Span, str], int] = {}
    for dup in document.duplicates:
        key = (dup.mapping, dup.key)
        final[key] = max(final.get(key, dup.last), dup.last)
        count[key] = count.get(key, 1) + 1
    findings = []
    for dup in document.duplicates:
        key = (dup.mapping, dup.key)
        times = "twice" if count[key] == 2 else f"{count[key]} times"
        line = final[key].line
        findings.append(
            Finding(
                code=codes.DUPLICATE_KEY,  # see rules.ll018_duplicate_key
                name=codes.name_of(codes.DUPLICATE_KEY),
                severity=Severity.WARNING,
                path=path,
                span=dup.first,
                message=f"key {dup.key!r} appears {times} in this mapping; most loaders keep "
                f"the last one (line {line})",
                target=dup.key,
                help=f"this value is ignored by PyYAML, json.load and the training tools; "
                f"keep one {dup.key!r} (the one at line {line} is what trains)",
                location_hint=hint,
            )
        )
    return findings


__all__ = [
    "Document",
    "DuplicateKey",
    "ParsedFile",
    "extract_json",
    "extract_yaml",
    "load_json",
    "load_yaml",
    "might_contain_config",
]
