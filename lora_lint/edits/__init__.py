"""Fixes as rules build them: concrete edits of a file, or a refusal.

Below the rules (which call it while linting) and above the front ends (whose
values and spans it edits); applying, validating and writing fixes is
:mod:`lora_lint.fix`, above the engine.

* :mod:`lora_lint.edits.build` -- "replace this entry" / "remove this duplicate"
  as :class:`~lora_lint.diagnostics.Edit` s of the file, only for plain literals;
* :mod:`lora_lint.edits.source` -- a file's text and the way from spans to offsets;
* :mod:`lora_lint.edits.literals` -- what a literal's body is, per format.
"""
