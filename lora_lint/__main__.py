"""``python -m lora_lint`` entry point."""

import os
import sys

# ``python -m`` puts the working directory first on ``sys.path``: run from the root of the
# linted repository, its ``yaml.py`` or ``torch.py`` would be imported instead of the real
# library. lora-lint itself is imported already (its own modules come from its package).
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from lora_lint.cli import main

raise SystemExit(main())
