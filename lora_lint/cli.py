"""``lora-lint`` command line: ``check`` (the linter) and ``rule`` (rule docs).

Exit codes follow ruff: 0 no error findings, 1 error findings, 2 usage or
configuration error, or an internal error (after printing every finding).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from lora_lint import __version__

if TYPE_CHECKING:
    from lora_lint.fix.runner import FixReport

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line usage error (the reason, not the whole usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"lora-lint: error: {message} (see `lora-lint --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lora-lint",
        description="Check LoRA/PEFT target_modules against the real base model before training.",
    )
    parser.add_argument("--version", action="version", version=f"lora-lint {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = sub.add_parser("check", help="lint files and directories (default: .)")
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="files or directories (default: .); `-` reads standard input",
    )
    check.add_argument(
        "--format",
        choices=("text", "json", "json-lines", "sarif", "github", "gitlab"),
        default=None,
        help="output format (default: github when GITHUB_ACTIONS=true, else text)",
    )
    check.add_argument(
        "-o",
        "--output-file",
        type=Path,
        metavar="FILE",
        help="write the report to FILE instead of standard output",
    )
    check.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="the pyproject.toml or lora-lint.toml to use (no discovery)",
    )
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour text output (auto: on a terminal, unless NO_COLOR is set; "
        "FORCE_COLOR forces it)",
    )
    check.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="say on stderr which settings, models and files were used, and the timings",
    )
    check.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="the file name standard input is linted as (`-`): picks the front end "
        "(.py, .yaml, .sh...) and is shown in the output",
    )
    check.add_argument(
        "--statistics",
        action="store_true",
        help="print the number of findings per rule instead of the findings",
    )
    check.add_argument(
        "--model", metavar="ID_OR_PATH", help="base model for configs that name none"
    )
    check.add_argument(
        "--unchecked",
        choices=("warning", "error"),
        help="severity of LL010 for a config that could not be checked (default: warning)",
    )
    from lora_lint.settings import add_model_arguments

    add_model_arguments(check)
    # Repeatable, and the values add up (`--select LL001 --select LL002` is `LL001,LL002`),
    # as clap's Vec options in ruff do.
    check.add_argument(
        "--select",
        metavar="CODES",
        action="append",
        help="comma-separated rule codes or names (replaces the configured selection; "
        "repeated options add up)",
    )
    check.add_argument(
        "--extend-select",
        metavar="CODES",
        action="append",
        help="rules to add to the selection",
    )
    check.add_argument("--ignore", metavar="CODES", action="append", help="rules to switch off")
    check.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply exclude settings to files passed explicitly (pre-commit)",
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("-q", "--quiet", action="store_true", help="only print findings")
    check.add_argument(
        "--fix", action="store_true", help="apply safe fixes to the files, then report what remains"
    )
    check.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="also apply (with --fix/--diff) or show unsafe fixes, which change "
        "what trains (a misspelled target replaced by its one close candidate)",
    )
    check.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes as a unified diff instead of writing them "
        "(exit 1 when there are some)",
    )
    check.add_argument(
        "--show-fixes", action="store_true", help="with --fix, list every fix applied"
    )

    rule = sub.add_parser("rule", help="show a rule's documentation")
    rule.add_argument("code", nargs="?", help="rule code or name, e.g. LL001")
    rule.add_argument("--all", action="store_true", help="show every rule")

    from lora_lint.inspect.command import add_inspect_parser

    add_inspect_parser(sub)
    return parser


def _split(values: str | list[str] | None) -> list[str]:
    """Codes from one or several comma-separated option values."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _cmd_check(args: argparse.Namespace) -> int:
    import os

    from lora_lint.engine import Linter, StdinSource
    from lora_lint.report import default_format, write_report
    from lora_lint.report.progress import progress_callback
    from lora_lint.settings import SettingsError, apply_cli_overrides, load_settings

    paths: list[Path] = args.paths or [Path(".")]
    stdin_wanted = any(str(p) == "-" for p in paths)
    paths = [p for p in paths if str(p) != "-"]
    if args.stdin_filename and not stdin_wanted and not args.paths:
        stdin_wanted, paths = True, []  # `--stdin-filename X` alone reads stdin, as ruff does
    if stdin_wanted and (args.fix or args.diff):
        print("lora-lint: error: --fix and --diff cannot be used with stdin", file=sys.stderr)
        return EXIT_USAGE
    for path in paths:
        if not path.exists() and not path.is_symlink():
            print(f"lora-lint: error: {_shown(path)}: no such file or directory", file=sys.stderr)
            return EXIT_USAGE
    fmt = args.format or default_format()
    # pre-commit runs batches of files in parallel processes and shows their merged output:
    # a clean batch stays silent, so it cannot contradict a failing one.
    clean_summary = os.environ.get("PRE_COMMIT") != "1"
    try:
        settings = apply_cli_overrides(
            load_settings(Path.cwd(), config=args.config),
            offline=args.offline,
            trust_remote_code=args.trust_remote_code,
            cache_dir=args.cache_dir,
            no_cache=args.no_cache,
        )
        if args.unchecked:
            settings.unchecked = args.unchecked
        if args.select:
            settings.select = _split(args.select)
        if args.extend_select:
            settings.extend_select += _split(args.extend_select)
        if args.ignore:
            settings.ignore += _split(args.ignore)
        progress = None if args.quiet else progress_callback(sys.stderr)
        linter = Linter(
            settings,
            cli_model=args.model,
            force_exclude=args.force_exclude,
            progress=progress,
            on_cold_start=progress.cold_start if progress is not None else None,
        )
    except SettingsError as exc:
        print(f"lora-lint: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    stdin = None
    if stdin_wanted:
        name = Path(args.stdin_filename) if args.stdin_filename else Path("-")
        stdin = StdinSource(name, _read_stdin())

    fixing = None
    try:
        if args.fix or args.diff:
            from lora_lint.fix.runner import run_fixes

            fixing = run_fixes(linter, paths, unsafe=args.unsafe_fixes, write=not args.diff)
            result = fixing.result
            result.fixes_attempted = args.unsafe_fixes
        else:
            result = linter.run(paths, stdin=stdin)
    finally:
        if progress is not None:
            progress.close()
    if args.verbose:
        from lora_lint.report.verbose import write_verbose

        write_verbose(result, linter, sys.stderr)
    if fixing is not None and args.diff:
        return _report_diff(fixing, args)
    try:
        out, opened = _output_stream(args.output_file)
    except OSError as exc:
        print(
            f"lora-lint: error: {args.output_file}: cannot write ({exc.strerror or exc})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        colour = {"always": True, "never": False}.get(args.color)
        if colour is None:
            from lora_lint.report.text import use_colour

            colour = use_colour(out)
        write_report(
            result,
            fmt,
            out,
            quiet=args.quiet,
            statistics=args.statistics,
            stats_stream=sys.stderr,
            unsafe_fixes=args.unsafe_fixes,
            colour=colour,
            clean_summary=clean_summary,
        )
        if fixing is not None:
            _report_fixes(fixing, args, out if fmt == "text" else sys.stderr)
    finally:
        if opened:
            out.close()
    for line in result.errors:
        print(f"lora-lint: error: {_shown(line)}", file=sys.stderr)
    if result.errors:
        return EXIT_USAGE
    if result.has_errors and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def _shown(text: object) -> str:
    """A path or message from the linted repository, safe for a terminal."""
    from lora_lint.report.safe import printable, utf8_safe

    return printable(utf8_safe(str(text)))


def _read_stdin() -> str:
    """Standard input as UTF-8 text (a BOM dropped, undecodable bytes replaced)."""
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, bytes):
        return data.decode("utf-8-sig", "replace")
    return data


def _output_stream(path: Path | None) -> tuple[TextIO, bool]:
    """``--output-file``: the file (parent directories created), else stdout."""
    if path is None:
        return sys.stdout, False
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "w", encoding="utf-8"), True  # closed by the caller


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _report_fixes(fixing: FixReport, args: argparse.Namespace, stream: TextIO) -> None:
    """After the findings that remain: what ``--fix`` changed."""
    for line in fixing.skipped:
        print(f"lora-lint: warning: {_shown(line)}", file=sys.stderr)
    if args.show_fixes:
        for finding in sorted(fixing.applied, key=lambda f: f.sort_key()):
            assert finding.fix is not None
            stream.write(
                f"fixed {_shown(finding.path)}:{finding.span.line}:{finding.span.column}: "
                f"{finding.code} {finding.fix.message}\n"
            )
    if fixing.fixed and not args.quiet:
        stream.write(
            f"Fixed {_plural(fixing.fixed, 'finding')} in {_plural(len(fixing.changed), 'file')}.\n"
        )


def _report_diff(fixing: FixReport, args: argparse.Namespace) -> int:
    """``--diff``: the unified diff of every file a fix would change; nothing is written."""
    from lora_lint.fix.diff import unified_diff

    for path, (old, new) in sorted(fixing.changed.items()):
        sys.stdout.write(unified_diff(path, old, new))
    for line in fixing.skipped:
        print(f"lora-lint: warning: {_shown(line)}", file=sys.stderr)
    if not args.quiet:
        count = _plural(fixing.fixed, "finding")
        print(f"Would fix {count} in {_plural(len(fixing.changed), 'file')}.", file=sys.stderr)
    for line in fixing.result.errors:
        print(f"lora-lint: error: {_shown(line)}", file=sys.stderr)
    if fixing.result.errors:
        return EXIT_USAGE
    return EXIT_FINDINGS if fixing.changed and not args.exit_zero else EXIT_OK


def _cmd_rule(args: argparse.Namespace) -> int:
    from lora_lint.rules import ALL_RULES, lookup

    if args.all:
        chosen = list(ALL_RULES)
    elif args.code:
        rule = lookup(args.code)
        if rule is None:
            print(f"lora-lint: error: unknown rule {args.code!r}", file=sys.stderr)
            return EXIT_USAGE
        chosen = [rule]
    else:
        for rule in ALL_RULES:
            print(f"{rule.code}  {rule.name:<28} {rule.severity.value:<8} {rule.summary}")
        return EXIT_OK
    from lora_lint.docs import all_rules_markdown

    sys.stdout.write(all_rules_markdown(chosen))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    from lora_lint.fastexit import finish

    try:
        return finish(_main(argv), argv)  # the program skips a slow teardown after torch
    except BrokenPipeError:
        # Output piped into `head` and friends: stop quietly, as grep does.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug outside any one file: one line, never a traceback
        import os

        if os.environ.get("LORA_LINT_DEBUG"):
            raise
        print(
            f"lora-lint: error: internal error: {type(exc).__name__}: {exc} (this is a "
            "lora-lint bug; please report it; LORA_LINT_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_USAGE


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.command == "check":
        return _cmd_check(args)
    if args.command == "inspect":
        from lora_lint.inspect.command import run_inspect

        return run_inspect(args)
    return _cmd_rule(args)
