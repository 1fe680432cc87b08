"""``python -m lora_lint`` entry point."""

from lora_lint.cli import main

raise SystemExit(main())
