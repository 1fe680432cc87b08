"""Settings: command-line options over ``[tool.lora-lint]`` over defaults.

The nearest ``lora-lint.toml`` or ``pyproject.toml`` with a ``[tool.lora-lint]``
table (searched from the working directory upwards) is used, as ruff does
("closest file wins", no merging), unless ``--config PATH`` names the file.
Bad keys and values become :class:`SettingsError` naming the file and the key.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lora_lint import codes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class SettingsError(Exception):
    """A configuration problem, reported as a usage error (exit 2)."""


@dataclass
class Settings:
    project_root: Path = field(default_factory=Path.cwd)
    config_file: Path | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    default_model: str | None = None
    models: dict[str, str] = field(default_factory=dict)
    offline: bool = False
    trust_remote_code: bool = False
    cache_dir: Path | None = None
    no_cache: bool = False
    exclude: list[str] = field(default_factory=list)
    extend_exclude: list[str] = field(default_factory=list)
    #: Pattern (gitignore-style, :func:`lora_lint.paths.matches`) -> codes or names ignored there.
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    #: Severity of LL010 "not checked" findings: "warning" (default) or "error" (CI that
    #: must not pass a config it could not check).
    unchecked: str = "warning"


if TYPE_CHECKING:
    import argparse


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The options ``check`` and ``inspect`` share for finding and building models."""
    parser.add_argument(
        "--offline", action="store_true", default=None, help="never contact the Hub"
    )
    parser.add_argument(
        "--trust-remote-code",
        action="store_true",
        default=None,
        help="allow instantiating models whose code lives in their repository",
    )
    parser.add_argument(
        "--cache-dir", type=cache_dir_argument, help="model inventory cache directory"
    )
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")


def cache_dir_argument(value: str) -> Path:
    """``--cache-dir``'s argparse type: an empty value would mean the working directory
    (``Path("")`` is ``.``), i.e. cache files written into the linted project; refused."""
    if not value.strip():
        import argparse

        raise argparse.ArgumentTypeError(
            "empty path (it would write the cache into the current directory); "
            "use --no-cache to run without a cache"
        )
    return Path(value).expanduser()


def apply_cli_overrides(
    settings: Settings,
    *,
    offline: bool | None = None,
    trust_remote_code: bool | None = None,
    cache_dir: Path | None = None,
    no_cache: bool = False,
) -> Settings:
    """Command-line options win over the configuration file (shared by every subcommand)."""
    if offline:
        settings.offline = True
    if trust_remote_code:
        settings.trust_remote_code = True
    if cache_dir:
        settings.cache_dir = cache_dir
    if no_cache:
        settings.no_cache = True
    return settings


_STR_LIST_KEYS = {"select", "ignore", "extend-select", "exclude", "extend-exclude"}
_BOOL_KEYS = {"offline", "trust-remote-code"}
_STR_KEYS = {"default-model", "cache-dir", "unchecked"}
UNCHECKED_LEVELS = ("warning", "error")
KNOWN_KEYS = _STR_LIST_KEYS | _BOOL_KEYS | _STR_KEYS | {"models", "per-file-ignores"}


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The closest config file with lora-lint settings, and its table."""
    start = start.resolve()
    for directory in (start, *start.parents):
        dedicated = directory / "lora-lint.toml"
        if dedicated.is_file():
            return dedicated, _read_toml(dedicated)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            data = _read_toml(pyproject)
            table = data.get("tool", {}).get("lora-lint")
            if table is not None:
                if not isinstance(table, dict):
                    raise SettingsError(f"{pyproject}: [tool.lora-lint] must be a table")
                return pyproject, {"tool": {"lora-lint": table}}
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: invalid TOML ({exc})") from exc


def load_settings(start: Path | None = None, *, config: Path | None = None) -> Settings:
    """Settings from ``config`` (``--config``) or else the closest config file above ``start``."""
    if config is not None:
        return load_config_file(config)
    start = start or Path.cwd()
    found = find_config_file(start)
    if found is None:
        return Settings(project_root=_project_root(start))
    path, data = found
    table = data.get("tool", {}).get("lora-lint", data) if path.name == "pyproject.toml" else data
    settings = Settings(project_root=path.parent, config_file=path)
    apply_table(settings, table, path)
    return settings


def load_config_file(path: Path) -> Settings:
    """``--config PATH``: this file instead of discovery, as ruff's ``--config``.

    A ``pyproject.toml`` is read for its ``[tool.lora-lint]`` table (none: the
    defaults); any other file (``lora-lint.toml``) holds the settings at its top
    level, as a discovered ``lora-lint.toml`` does. Relative paths in it
    (``cache-dir``, ``models``, ``per-file-ignores`` globs) are relative to the
    file's directory, which is the project root.
    """
    path = path.expanduser()
    if not path.is_file():
        raise SettingsError(f"{path}: --config file not found")
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("lora-lint", {})
        if not isinstance(table, dict):
            raise SettingsError(f"{path}: [tool.lora-lint] must be a table")
    else:
        table = data
    absolute = path.resolve()
    settings = Settings(project_root=absolute.parent, config_file=absolute)
    apply_table(settings, table, absolute)
    return settings


def _project_root(start: Path) -> Path:
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists() or (directory / "pyproject.toml").is_file():
            return directory
    return start


def apply_table(settings: Settings, table: dict[str, Any], path: Path) -> None:
    for key, value in table.items():
        where = f"{path}: [tool.lora-lint] {key}"
        if key not in KNOWN_KEYS:
            known = ", ".join(sorted(KNOWN_KEYS))
            raise SettingsError(f"{where}: unknown setting (known: {known})")
        if key in _STR_LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SettingsError(f"{where}: expected a list of strings")
            if key in ("exclude", "extend-exclude"):
                _check_patterns(value, where)
            setattr(settings, key.replace("-", "_"), list(value))
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                raise SettingsError(f"{where}: expected true or false")
            setattr(settings, key.replace("-", "_"), value)
        elif key == "default-model":
            if not isinstance(value, str) or not value.strip():
                raise SettingsError(f"{where}: expected a model id or path")
            settings.default_model = value
        elif key == "unchecked":
            if value not in UNCHECKED_LEVELS:
                raise SettingsError(f'{where}: expected "warning" or "error"')
            settings.unchecked = value
        elif key == "cache-dir":
            if not isinstance(value, str):
                raise SettingsError(f"{where}: expected a path")
            if not value.strip():  # "" would put the cache into the project directory
                raise SettingsError(f"{where}: empty path (remove it, or use --no-cache)")
            settings.cache_dir = (path.parent / value).expanduser()
        elif key == "per-file-ignores":
            settings.per_file_ignores = _per_file_ignores(value, where)
        elif key == "models":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise SettingsError(f'{where}: expected a table of name = "id or path"')
            settings.models = {
                k: (str(path.parent / v) if v.startswith((".", "/")) or v.endswith(".json") else v)
                for k, v in value.items()
            }


def _check_patterns(patterns: list[str], where: str) -> None:
    from lora_lint.paths import pattern_error

    for pattern in patterns:
        problem = pattern_error(pattern)
        if problem is not None:
            raise SettingsError(f"{where}: {pattern!r}: {problem}")


def _per_file_ignores(value: Any, where: str) -> dict[str, list[str]]:
    """``{"glob" = ["LL001", "unknown-target-module"]}``, every entry naming a real rule."""
    if not isinstance(value, dict):
        raise SettingsError(f'{where}: expected a table of "glob" = ["codes or names"]')
    out: dict[str, list[str]] = {}
    _check_patterns([p[1:] if p.startswith("!") else p for p in value], where)
    for pattern, names in value.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise SettingsError(f"{where}: {pattern!r}: expected a list of rule codes or names")
        for name in names:
            if not (name.strip() and codes.selected(name)):
                raise SettingsError(f"{where}: {pattern!r}: unknown rule {name!r}")
        out[pattern] = list(names)
    return out
