"""Run the whole pipeline in-process on files written to a temporary directory."""

from __future__ import annotations

from pathlib import Path

from lora_lint.engine import Linter
from lora_lint.results import RunResult
from lora_lint.settings import Settings


def lint_files(
    root: Path, files: dict[str, str], *, model: str | None = None, **settings: object
) -> RunResult:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = Settings(project_root=root, offline=True)
    for key, value in settings.items():
        setattr(config, key, value)
    linter = Linter(config, cli_model=model)
    return linter.run([root / name for name in files])
