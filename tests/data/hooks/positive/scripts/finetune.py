"""A script in a subdirectory: pre-commit must pass it to lora-lint too."""
