"""``lora-lint inspect MODEL``: the command-line entry (argument parsing and wiring only).

Resolution and the meta-device build are ``check``'s own (same settings, same cache), so
``inspect`` answers for exactly the model ``check`` lints against, offline when the config is
bundled or cached. Exit codes: 0 shown, 1 ``--targets`` would make PEFT raise, 2 usage error
or a model that cannot be resolved or built.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_TARGETS_FAIL, EXIT_USAGE = 0, 1, 2
_REGEX_CHARS = re.compile(r"[*()\[\]|\\^$+?{}]")


def add_inspect_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``inspect`` on the CLI's subparsers (called from ``lora_lint.cli``)."""
    from lora_lint.inspect.emit import EMIT_FORMATS
    from lora_lint.inspect.presets import PRESET_KEYS
    from lora_lint.models.heads import HEAD_KINDS
    from lora_lint.settings import add_model_arguments

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "inspect",
        help="show a model's LoRA targets, presets and their cost",
        description="Show what a base model offers LoRA: module groups, preset costs, and "
        "exactly what given targets adapt (counts equal PEFT's).",
    )
    parser.add_argument(
        "model",
        metavar="MODEL",
        help="Hub id, bundled model, alias, local directory or config.json",
    )
    parser.add_argument(
        "--head",
        choices=HEAD_KINDS,
        help="head class to build (default: the config's `architectures`)",
    )
    parser.add_argument(
        "--targets",
        metavar="TARGETS",
        help="target_modules to evaluate: comma-separated names "
        "(q_proj,v_proj), a regex (.*\\.(q|v)_proj), or all-linear",
    )
    parser.add_argument(
        "--target-parameters",
        metavar="NAMES",
        help="comma-separated target_parameters (MoE experts), e.g. "
        "experts.gate_up_proj,experts.down_proj",
    )
    parser.add_argument("--r", type=int, default=8, metavar="R", help="LoRA rank (default 8)")
    parser.add_argument(
        "--alpha",
        type=int,
        metavar="ALPHA",
        help="lora_alpha for emitted configs (default 2*r); costs ignore it",
    )
    parser.add_argument(
        "--preset",
        choices=PRESET_KEYS,
        help="show the tree of, and --emit, this preset (default for --emit: qv)",
    )
    parser.add_argument(
        "--emit",
        choices=EMIT_FORMATS,
        help="print a ready-to-paste config for --targets or --preset",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_model_arguments(parser)
    return parser


def parse_targets(value: str) -> str | list[str]:
    """``all-linear`` and regexes stay a str (PEFT fullmatches it); names become a list."""
    value = value.strip()
    if value.lower() == "all-linear" or ("," not in value and _REGEX_CHARS.search(value)):
        return value
    return [v.strip() for v in value.split(",") if v.strip()]


def _error(message: str) -> int:
    print(f"lora-lint: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_inspect(args: argparse.Namespace) -> int:
    """Resolve, build (or read from cache), assemble the report, print it."""
    from lora_lint.inspect.emit import emit
    from lora_lint.inspect.groups import group_rows
    from lora_lint.inspect.presets import build_presets, custom_recipe
    from lora_lint.inspect.render import write_human
    from lora_lint.inspect.report import InspectReport, task_type_for
    from lora_lint.inspect.tree import build_tree
    from lora_lint.models.cache import InventoryCache, default_cache_dir
    from lora_lint.models.inventory import ModelInventory
    from lora_lint.models.resolve import ModelResolver, ResolvedModel, ResolverSettings
    from lora_lint.models.service import ModelService
    from lora_lint.settings import SettingsError, apply_cli_overrides, load_settings

    if args.r < 1:
        return _error("--r must be a positive integer")
    targets = parse_targets(args.targets) if args.targets else []
    if isinstance(targets, str):
        from lora_lint.match.regex_guard import catastrophic_reason

        reason = catastrophic_reason(targets)
        if reason is not None:  # PEFT (and matching here) would hang on it
            return _error(f"--targets {targets!r} backtracks exponentially: {reason}")
    try:
        settings = load_settings(Path.cwd())
    except SettingsError as exc:
        return _error(str(exc))
    apply_cli_overrides(
        settings,
        offline=args.offline,
        trust_remote_code=args.trust_remote_code,
        cache_dir=args.cache_dir,
        no_cache=args.no_cache,
    )

    resolver = ModelResolver(
        ResolverSettings(
            project_root=settings.project_root, models=settings.models, offline=settings.offline
        )
    )
    resolved = resolver.resolve(args.model)
    if not isinstance(resolved, ResolvedModel):
        hint = f" ({resolved.hint})" if resolved.hint else ""
        return _error(f"cannot resolve {args.model}: {resolved.reason}{hint}")
    cache_dir = None if settings.no_cache else (settings.cache_dir or default_cache_dir())
    service = ModelService(InventoryCache(cache_dir))
    inventory = service.get(resolved, args.head, settings.trust_remote_code)
    if not isinstance(inventory, ModelInventory):
        return _error(f"cannot build {resolved.model_id}: {inventory}")

    task_type = task_type_for(inventory, args.head)
    rows = group_rows(inventory, args.r)
    presets = build_presets(inventory, args.r, args.alpha, task_type, rows)
    report = InspectReport(
        model_id=resolved.model_id,
        how=resolved.how,
        head=args.head,
        inventory=inventory,
        r=args.r,
        rows=rows,
        presets=presets,
    )
    if resolved.alias_note:
        report.notes.append(resolved.alias_note)
    if service.from_packs:
        report.notes.append(
            "module inventory from lora-lint's shipped packs (no torch/transformers here); "
            "install `lora-lint[meta]` to build it with your own versions"
        )

    if args.targets or args.target_parameters:
        params = [p.strip() for p in (args.target_parameters or "").split(",") if p.strip()]
        report.selection = custom_recipe(
            inventory,
            targets,
            r=args.r,
            alpha=args.alpha,
            target_parameters=params,
            task_type=task_type,
        )
    elif args.preset or args.emit:
        chosen = args.preset or "qv"
        report.selection = next(p for p in presets if p.key == chosen)
        if not report.selection.available:
            return _error(f"preset {chosen!r} does not apply to {resolved.model_id}")
    if report.selection is not None:
        report.tree = build_tree(inventory, report.selection.cost)
        if args.emit:
            report.emit_format = args.emit
            report.emitted = emit(args.emit, report.selection, resolved.model_id)

    if args.format == "json":
        json.dump(report.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        write_human(report, sys.stdout)
    if report.selection is not None and report.selection.cost.error:
        return EXIT_TARGETS_FAIL
    return EXIT_OK
