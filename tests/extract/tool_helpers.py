"""Shared helpers for the tool-adapter tests: extract one fixture, lint fixtures end to end."""

from __future__ import annotations

from pathlib import Path

from lora_lint.engine import Linter
from lora_lint.results import RunResult
from lora_lint.extract.types import ExtractedConfig, FileExtraction, Located, Value
from lora_lint.extract.yaml import extract_json, extract_yaml
from lora_lint.settings import Settings

TOOLS = Path(__file__).resolve().parent.parent / "data" / "tools"


def extract(tool: str, name: str) -> FileExtraction:
    path = TOOLS / tool / name
    text = path.read_text(encoding="utf-8")
    result = extract_json(text, name) if name.endswith(".json") else extract_yaml(text, name)
    assert result.findings == []
    return result


def only_config(tool: str, name: str, source: str) -> ExtractedConfig:
    [config] = extract(tool, name).configs
    assert config.source == source
    return config


def spans(value: Value | None) -> list[tuple[object, tuple[int, int, int, int]]]:
    """``[(value, (line, col, end_line, end_col)), ...]`` of a list option's items."""
    assert isinstance(value, Located)
    out = []
    for item in value.items:
        assert isinstance(item, Located)
        s = item.span
        out.append((item.value, (s.line, s.column, s.end_line, s.end_column)))
    return out


def lint(paths: list[Path], root: Path | None = None, **settings: object) -> RunResult:
    config = Settings(project_root=root or TOOLS, offline=True)
    for key, value in settings.items():
        setattr(config, key, value)
    return Linter(config).run(paths)


def findings(result: RunResult) -> list[tuple[str, int, int, str | None]]:
    assert not result.errors, result.errors
    return [(f.code, f.span.line, f.span.column, f.target) for f in result.findings]
