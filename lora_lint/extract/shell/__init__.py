"""Shell launchers (``.sh``): LoRA flags passed to known training CLIs.

The script is parsed by tree-sitter-bash (:mod:`.lexing`, into the plain data of
:mod:`.model`; syntax errors in :mod:`.syntax`), its variables are followed the
way bash expands them, within budgets (:mod:`.expansion`), and each simple command that
starts a known training tool has its ``--flags`` read into a positioned tree
(:mod:`.commands`) that the tool's reader turns into a config
(:mod:`lora_lint.extract.tools.cli`): ``llamafactory-cli train``, ``trl sft``, ``swift sft``,
and scripts launched by ``python``/``torchrun``/``deepspeed``/``accelerate launch`` with
LLaMA-Factory or TRL flags. Every value keeps the file position of its characters, so
findings and fixes point at the value as written (in the assignment, for ``$VAR``).

A value only known at run time (``$1``, ``$(cmd)``, a variable the script never sets and no
default covers, a value over the expansion budget) is an ``Unresolved`` entry: the config is
reported as not fully checked. A syntax error where bash would stop (an unterminated quote)
is an LL000 finding at its place; commands from that line on are not read, as bash would not
run them.

A ``llamafactory-cli train config.yaml`` without inline flags has nothing to check here: the
YAML file is linted on its own.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lora_lint.diagnostics import unreadable_input
from lora_lint.extract.types import ExtractedConfig, FileExtraction
from lora_lint.lineindex import LineIndex

if TYPE_CHECKING:
    from lora_lint.extract.shell.scripts import ScriptModel

_HINTS = ("lora", "target_modules", "peft", "llamafactory", "swift", "finetuning_type")


def might_contain_config(text: str) -> bool:
    """The text pre-filter: no hint, no config (tree-sitter is not even imported)."""
    return any(hint in text for hint in _HINTS)


def extract_shell(
    source: str,
    path: str,
    *,
    file_path: pathlib.Path | None = None,
    project_root: pathlib.Path | None = None,
) -> FileExtraction:
    """Every LoRA config passed on the command line of a known training CLI.

    ``file_path`` (the launcher on disk) and ``project_root`` locate the scripts it launches
    (``python train.py ...``), which are read to learn how they parse the flags.
    """
    from lora_lint.extract.shell.lexing import parse

    result = FileExtraction(path)
    lines = LineIndex(source)
    reader = _ScriptReader(file_path, project_root)
    try:
        script = parse(source)
        result.configs = list(_configs(script, source, path, lines, reader))
    except RecursionError:
        result.findings.append(
            unreadable_input(path, "cannot read shell script: nested too deeply")
        )
        return result
    if script.problem is not None and script.problem.certain:
        problem = script.problem
        span = lines.span(problem.offset, problem.offset + problem.length)
        result.findings.append(unreadable_input(path, problem.message, span))
    return result


class _ScriptReader:
    """The scripts one launcher calls, each read once (see :mod:`.scripts`)."""

    def __init__(self, launcher: pathlib.Path | None, project_root: pathlib.Path | None) -> None:
        self.launcher = launcher
        self.project_root = project_root
        self.read: dict[str, ScriptModel | str] = {}

    def __call__(self, written: str) -> ScriptModel | str:
        if written not in self.read:
            from lora_lint.extract.shell.scripts import find_script, read_script

            found = find_script(written, self.launcher, self.project_root)
            self.read[written] = (
                f"{written} is not in the repository"
                if found is None
                else read_script(found, self.project_root)
            )
        return self.read[written]


def _configs(
    script: object, source: str, path: str, lines: LineIndex, reader: _ScriptReader
) -> Iterator[ExtractedConfig]:
    from lora_lint.extract.shell.commands import read_command
    from lora_lint.extract.shell.expansion import Expanded, Expander
    from lora_lint.extract.shell.lexing import Command, Script

    assert isinstance(script, Script)
    expander = Expander()
    for step in script.steps:
        if not isinstance(step, Command):
            expander.follow(step)
        else:
            words: list[Expanded] = []
            for word in step.words:
                words.extend(expander.fields(word))
            config = read_command(words, lines.span, source, path, reader)
            if config is not None:
                yield config


def commands(source: str) -> list[list[str]]:
    """The simple commands of ``source`` bash would run, as written (for tests and tools)."""
    from lora_lint.extract.shell.lexing import Command, parse

    return [
        [word.raw for word in step.words]
        for step in parse(source).steps
        if isinstance(step, Command)
    ]


__all__ = ["commands", "extract_shell", "might_contain_config"]
