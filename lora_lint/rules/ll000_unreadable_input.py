"""LL000 unreadable-input."""

from __future__ import annotations

from lora_lint import codes
from lora_lint.diagnostics import Severity
from lora_lint.rules.base import Invalid, Rule, Valid


class UnreadableInput(Rule):
    """
    ## What it does
    Reports a file lora-lint could not read or parse: a Python syntax error,
    invalid YAML or JSON, undecodable bytes, a file over the size limit, an
    unreadable path. The finding names the file and the reason; every other file
    is still checked.

    ## Why is this bad?
    A config that cannot be parsed cannot be checked, and the training launcher
    will fail on it too.

    ## Fix
    Fix the file, or exclude it with `extend-exclude` in `[tool.lora-lint]`.
    """

    code = codes.UNREADABLE_INPUT
    name = codes.name_of(code)
    severity = Severity.ERROR
    summary = "A file could not be read or parsed"

    VALID = [
        Valid(
            """
            base_model: Qwen/Qwen2.5-0.5B
            adapter: lora
            lora_target_modules: [q_proj, v_proj]
            """,
            filename="config.yaml",
        )
    ]
    INVALID = [
        Invalid(
            """
            base_model: Qwen/Qwen2.5-0.5B
            adapter: lora
            lora_target_modules: [q_proj, v_proj
            """,
            filename="config.yaml",
            expect=[(4, 1)],
        )
    ]
