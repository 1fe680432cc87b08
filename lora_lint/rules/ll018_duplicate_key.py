"""LL018 duplicate-key."""

from __future__ import annotations

from lora_lint import codes
from lora_lint.diagnostics import Severity
from lora_lint.rules.base import Invalid, Rule, Valid


class DuplicateConfigKey(Rule):
    """
    ## What it does
    Reports a key written more than once in the same mapping of a YAML or JSON
    training config (an axolotl or LLaMA-Factory YAML, an `adapter_config.json`,
    ...). The finding is on every occurrence but the last, and says on which line
    the value that counts is written. Files in which lora-lint finds no LoRA
    config are not reported.

    ## Why is this bad?
    PyYAML, `json.load` and so every training tool silently keep the *last*
    value: a `lora_target_modules` edited near the top of a long config has no
    effect when the key appears again further down. lora-lint checks the value
    that trains (the last one), so the edited one is never checked either.

    ## Fix
    Keep one occurrence of the key: merge the two values, or delete the one that
    should not apply.
    """

    code = codes.DUPLICATE_KEY
    name = codes.name_of(code)
    severity = Severity.WARNING
    summary = "A key appears twice in one mapping of a YAML/JSON config; the last one wins"

    VALID = [
        Valid(
            """
            base_model: Qwen/Qwen2.5-0.5B
            adapter: lora
            lora_r: 16
            lora_target_modules: [q_proj, k_proj, v_proj, o_proj]
            """,
            filename="config.yaml",
        )
    ]
    INVALID = [
        Invalid(
            """
            base_model: Qwen/Qwen2.5-0.5B
            adapter: lora
            lora_target_modules: [q_proj, v_proj]
            lora_r: 16
            lora_target_modules: [q_proj, k_proj, v_proj, o_proj]
            """,
            filename="config.yaml",
            expect=[(3, 1)],
            message="'lora_target_modules' appears twice in this mapping; most loaders keep "
            "the last one (line 5)",
        ),
        Invalid(
            """
            {
              "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",
              "peft_type": "LORA",
              "r": 8,
              "target_modules": ["q_proj", "v_proj"],
              "r": 16
            }
            """,
            filename="adapter_config.json",
            expect=[(4, 3)],
            message="'r' appears twice",
        ),
    ]
