"""``--fix``: apply the fixes rules attach to findings, safely.

Rules build the fixes (:mod:`lora_lint.edits`, below them); this package, above
the engine, applies them:

* :mod:`lora_lint.fix.apply` -- edits applied to the text and the result proven
  to mean what was intended (per format);
* :mod:`lora_lint.fix.runner` -- lint, fix, write atomically, re-lint;
* :mod:`lora_lint.fix.diff` -- ``--diff`` output.

Safe fixes leave what trains unchanged (an exact duplicate removed); unsafe ones
change it (a misspelled target replaced by its only close candidate) and are
applied only with ``--unsafe-fixes``.
"""
