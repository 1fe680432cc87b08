"""LL017 unused-suppression."""

from __future__ import annotations

from lora_lint import codes
from lora_lint.diagnostics import Severity
from lora_lint.rules.base import Invalid, Rule, Valid


class UnusedSuppression(Rule):
    """
    ## What it does
    Reports a suppression comment that no longer suppresses anything:
    `# lora-lint: ignore[...]`, `# lora-lint: ignore-file[...]` or a
    `# noqa: LL...` whose codes had no finding on that line (or in that file),
    and entries that name no lora-lint rule. Like ruff's `RUF100`, it keeps
    suppressions from outliving the problem they hid.

    A `# noqa` meant for another linter (`# noqa: E501`) or a bare `# noqa` is
    never reported; other tools' codes in a mixed list are left alone.

    ## Why is this bad?
    A stale suppression hides the *next* problem on that line: after the target
    list is fixed, a new typo there would go unreported.

    ## Fix
    Remove the unused code from the comment, or the whole comment.
    """

    code = codes.UNUSED_SUPPRESSION
    name = codes.name_of(code)
    severity = Severity.WARNING
    summary = "A suppression comment that suppresses nothing"

    VALID = [
        Valid(
            """
            base_model: Qwen/Qwen2.5-0.5B
            adapter: lora
            lora_target_modules:
              - q_proj
              - v_prj  # lora-lint: ignore[LL001]
            """,
            filename="axolotl.yaml",
        ),
        Valid(
            """
            from peft import LoraConfig

            config = LoraConfig(target_modules=["q_proj", "v_proj"])  # noqa: E501
            """,
            also=[("LL010", 3, 10)],
        ),
    ]
    INVALID = [
        Invalid(
            """
            base_model: Qwen/Qwen2.5-0.5B
            adapter: lora
            lora_target_modules:
              - q_proj  # lora-lint: ignore[unknown-target-module]
              - v_proj
            """,
            expect=[(4, 13)],
            filename="axolotl.yaml",
            message="unknown-target-module suppressed no finding",
        ),
        Invalid(
            """
            from peft import LoraConfig, get_peft_model
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
            config = LoraConfig(target_modules=["q_proj", "v_proj"])  # noqa: LL001, E501
            model = get_peft_model(model, config)
            """,
            expect=[(5, 59)],
            message="LL001 suppressed no finding",
        ),
    ]
