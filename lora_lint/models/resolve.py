"""Resolve a model reference (Hub id, local path, alias) to its ``config.json``.

Order, first hit wins: the project's explicit ``models`` mapping -> a local
directory or config file (absolute, relative to the linted file, or to the
project root) -> the local Hugging Face cache (files only, no network) -> the
bundled offline configs -> a download of ``config.json`` alone from the Hub,
unless offline. Nothing here imports torch or runs model code; a failure
carries the reason and the fix, shown as LL010.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lora_lint.models import bundled
from lora_lint.models.limits import MAX_CONFIG_DEPTH, config_depth

#: ``org/name`` or ``name`` as the Hub accepts them.
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*(/[\w.\-]+)?$")
_MAX_CONFIG_BYTES = 4 * 1024 * 1024
_MAX_ADAPTER_HOPS = 4


#: What to do when the Hub could not give a config.json (unreachable, gated, private, missing).
HINT_ONLINE = (
    "for a gated or private repo, accept its licence on huggingface.co and set HF_TOKEN; "
    "without the Hub, use a model lora-lint bundles (`--model ID`, `default-model`; mirrors "
    "and quantized re-uploads of a bundled model are recognised by name) or map the name to "
    "a local config.json with `[tool.lora-lint] models` in pyproject.toml"
)


@dataclass(frozen=True)
class ResolvedModel:
    requested: str
    #: Canonical id (bundled/Hub) or the local path, for messages and JSON output.
    model_id: str
    config: dict[str, Any]
    #: How it was found, for messages: "bundled offline config", "local config.json", ...
    how: str
    alias_note: str | None = None
    local_dir: str | None = None
    #: The model repository ships its own modeling code (``auto_map``), which
    #: ``trust_remote_code=True`` runs instead of transformers' class.
    remote_code: bool = False
    #: Known only by its name, as a mirror of a bundled model (see ``aliases.py``).
    by_alias: bool = False


@dataclass(frozen=True)
class ResolutionFailure:
    requested: str
    reason: str
    hint: str
    #: Resolved, but ``trust_remote_code=True`` runs the repository's own modeling code.
    remote_code: bool = False


@dataclass
class ResolverSettings:
    project_root: Path = field(default_factory=Path.cwd)
    #: name -> local path or another name (``[tool.lora-lint] models``).
    models: dict[str, str] = field(default_factory=dict)
    offline: bool = False
    #: Per request (connect, each read) ...
    hub_timeout: float = 10.0
    #: ... and for the whole exchange of one model: a server that trickles a byte every few
    #: seconds never trips a per-read timeout, this one ends it.
    hub_deadline: float = 30.0


def hub_offline(settings: ResolverSettings) -> bool:
    if settings.offline:
        return True
    value = os.environ.get("HF_HUB_OFFLINE", "").strip().lower()
    return value in {"1", "true", "yes", "on"}


class ModelResolver:
    """Resolves and memoises model references for one lint run."""

    def __init__(self, settings: ResolverSettings) -> None:
        self.settings = settings
        self._memo: dict[tuple[str, str], ResolvedModel | ResolutionFailure] = {}

    def resolve(
        self, name: str, source_path: str | None = None
    ) -> ResolvedModel | ResolutionFailure:
        base = str(Path(source_path).parent) if source_path else ""
        key = (name, base)
        if key not in self._memo:
            self._memo[key] = self._resolve(name.strip(), base, hops=0)
        return self._memo[key]

    # -- the resolution chain ------------------------------------------------------------
    def _resolve(self, name: str, base: str, hops: int) -> ResolvedModel | ResolutionFailure:
        if not name:
            return ResolutionFailure(name, "the model name is empty", "set the model id or path")
        mapped = self.settings.models.get(name)
        if mapped is not None and mapped != name and hops < _MAX_ADAPTER_HOPS:
            result = self._resolve(mapped, str(self.settings.project_root), hops + 1)
            if isinstance(result, ResolvedModel):
                return _with_note(
                    result, name, f"mapped by the project's `models` setting to {mapped}"
                )
            return result

        local = self._local_candidate(name, base)
        if local is not None:
            return self._from_local(name, local, hops)
        if _looks_like_path(name):
            return ResolutionFailure(
                name,
                f"the local path {name!r} does not exist",
                "fix the path, or map the name to a config.json with "
                "`[tool.lora-lint] models` in pyproject.toml",
            )
        if not _REPO_ID.match(name):
            return ResolutionFailure(
                name,
                f"{name!r} is neither an existing path nor a valid Hugging Face repo id",
                "use a repo id such as `meta-llama/Llama-3.1-8B` or a path to a config.json",
            )
        cached = _from_hf_cache(name)
        if cached is not None:
            return self._from_config_file(name, cached, how="local Hugging Face cache", hops=hops)
        entry = bundled.lookup(name)
        if entry is not None:
            note = None
            if entry.matched_as == "mirror":
                note = f"{name} is a mirror of {entry.id}; its bundled offline config was used"
            return ResolvedModel(
                requested=name,
                model_id=entry.id,
                config=entry.config,
                how="bundled offline config",
                alias_note=note,
                remote_code=entry.remote_code,
            )
        hub = self._from_hub(name, hops)
        if isinstance(hub, ResolutionFailure):
            alias = _alias(name)
            if alias is not None:
                return alias
        return hub

    def _local_candidate(self, name: str, base: str) -> Path | None:
        raw = Path(os.path.expanduser(name))
        candidates = [raw] if raw.is_absolute() else []
        if not raw.is_absolute():
            for root in (base, str(self.settings.project_root), os.getcwd()):
                if root:
                    candidates.append(Path(root) / raw)
        for cand in candidates:
            try:
                if cand.is_dir() or (cand.is_file() and cand.suffix == ".json"):
                    return cand
            except OSError:
                continue
        return None

    def _from_local(self, name: str, path: Path, hops: int) -> ResolvedModel | ResolutionFailure:
        if path.is_file():
            return self._from_config_file(name, path, how=f"local file {path}", hops=hops)
        config = path / "config.json"
        if config.is_file():
            return self._from_config_file(name, config, how=f"local directory {path}", hops=hops)
        adapter = path / "adapter_config.json"
        if adapter.is_file():
            return self._from_config_file(name, adapter, how=f"adapter in {path}", hops=hops)
        return ResolutionFailure(
            name,
            f"the directory {path} has no config.json",
            "point to the directory that holds the base model's config.json",
        )

    def _from_config_file(
        self, name: str, path: Path, *, how: str, hops: int
    ) -> ResolvedModel | ResolutionFailure:
        try:
            if path.stat().st_size > _MAX_CONFIG_BYTES:
                return ResolutionFailure(name, f"{path} is too large for a config.json", "")
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except RecursionError:
            return ResolutionFailure(
                name, f"{path} nests too deeply to be a transformers config.json", "fix the file"
            )
        except (OSError, UnicodeDecodeError) as exc:
            return ResolutionFailure(name, f"cannot read {path} ({exc})", "check the file")
        except ValueError as exc:
            return ResolutionFailure(name, f"{path} is not valid JSON ({exc})", "fix the file")
        if not isinstance(data, dict):
            return ResolutionFailure(name, f"{path} does not hold a JSON object", "fix the file")
        if config_depth(data) > MAX_CONFIG_DEPTH:
            return ResolutionFailure(
                name,
                f"{path} nests more than {MAX_CONFIG_DEPTH} levels deep, which no transformers "
                "config.json does",
                "fix the file",
            )
        if "model_type" not in data and isinstance(data.get("base_model_name_or_path"), str):
            # A PEFT adapter used as a base: follow it to the real base model.
            base_name = data["base_model_name_or_path"]
            if hops >= _MAX_ADAPTER_HOPS:
                return ResolutionFailure(name, "too many adapter indirections", "")
            result = self._resolve(base_name, str(path.parent), hops + 1)
            if isinstance(result, ResolvedModel):
                return _with_note(result, name, f"{name} is an adapter of {base_name}")
            return result
        if not isinstance(data.get("model_type"), str):
            return ResolutionFailure(
                name,
                f"{path} has no `model_type`, so it is not a transformers config.json",
                "point to the base model's config.json",
            )
        return ResolvedModel(
            requested=name,
            model_id=name if hops == 0 else str(path.parent),
            config=data,
            how=how,
            local_dir=str(path.parent),
        )

    def _from_hub(self, name: str, hops: int) -> ResolvedModel | ResolutionFailure:
        hint_offline = (
            "map it to a local config.json with `[tool.lora-lint] models` in pyproject.toml, "
            "pass --model with a bundled model id, or run once online to fill the cache"
        )
        if hub_offline(self.settings):
            return ResolutionFailure(
                name,
                f"{name} is not in the local Hugging Face cache nor in lora-lint's bundled "
                "configs, and the Hub is offline (--offline / HF_HUB_OFFLINE)",
                hint_offline,
            )
        path, error = _download_with_deadline(
            name, self.settings.hub_timeout, self.settings.hub_deadline
        )
        if path is None:
            return ResolutionFailure(name, error, HINT_ONLINE)
        return self._from_config_file(name, Path(path), how="Hugging Face Hub", hops=hops)


def _alias(name: str) -> ResolvedModel | None:
    """A mirror/quantized re-upload of a bundled architecture, recognised by its name."""
    from lora_lint.models.aliases import alias_target

    target = alias_target(name)
    entry = bundled.lookup(target) if target else None
    if entry is None:
        return None
    return ResolvedModel(
        requested=name,
        model_id=entry.id,
        config=entry.config,
        how="bundled offline config (by alias)",
        alias_note=(
            f"{name} could not be fetched, so it was taken as an alias of {entry.id} "
            "(same architecture); map it in `[tool.lora-lint] models` if that is wrong"
        ),
        remote_code=entry.remote_code,
        by_alias=True,
    )


def _with_note(result: ResolvedModel, name: str, note: str) -> ResolvedModel:
    notes = "; ".join(n for n in (note, result.alias_note) if n)
    return ResolvedModel(
        requested=name,
        model_id=result.model_id,
        config=result.config,
        how=result.how,
        alias_note=notes,
        local_dir=result.local_dir,
    )


def _looks_like_path(name: str) -> bool:
    return (
        name.startswith((".", "/", "~", "\\"))
        or name.endswith(".json")
        or name.count("/") > 1
        or (len(name) > 2 and name[1] == ":")
    )


def _hf_repo_cache_missing(repo_id: str) -> bool:
    """True when the HF cache certainly has no folder for ``repo_id`` (checked without
    importing huggingface_hub, ~0.13 s, which the warm path must not pay for every model).

    Same directory as ``huggingface_hub.constants.HF_HUB_CACHE``; in staging mode the
    library decides.
    """
    if os.environ.get("HUGGINGFACE_CO_STAGING"):
        return False
    env = os.environ
    xdg = env.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache"))
    home = env.get("HF_HOME", os.path.join(xdg, "huggingface"))
    home = os.path.expandvars(os.path.expanduser(home))
    legacy = env.get("HUGGINGFACE_HUB_CACHE", os.path.join(home, "hub"))
    hub = os.path.expandvars(os.path.expanduser(env.get("HF_HUB_CACHE", legacy)))
    folder = "models--" + repo_id.replace("/", "--")
    return not os.path.isdir(os.path.join(hub, folder))


def _from_hf_cache(repo_id: str) -> Path | None:
    if _hf_repo_cache_missing(repo_id):
        return None
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - declared dependency
        return None
    try:
        found = try_to_load_from_cache(repo_id, "config.json")
    except Exception:  # invalid id for the cache layout, unreadable cache, ...
        return None
    return Path(found) if isinstance(found, str) else None


def _probe_hub(repo_id: str, timeout: float) -> str | None:
    """One HEAD request, no retries: None if config.json is downloadable, else the reason.

    huggingface_hub retries connection errors with exponential back-off (~25 s in
    all), which would stall every lint run on a machine without network; a single
    short probe through the library's own session (proxies, token, endpoint)
    fails fast instead.
    """
    from huggingface_hub import get_session, hf_hub_url
    from huggingface_hub.utils import build_hf_headers

    url = hf_hub_url(repo_id, "config.json")
    try:
        response = get_session().head(
            url, headers=build_hf_headers(), timeout=timeout, follow_redirects=True
        )
    except Exception as exc:
        return (
            f"the Hugging Face Hub could not be reached for {repo_id} "
            f"({type(exc).__name__}: {str(exc)[:120]})"
        )
    if response.status_code in (401, 403):
        if response.headers.get("X-Error-Code") == "GatedRepo" or response.status_code == 403:
            return (
                f"{repo_id} is a gated repository and no accepted token is available "
                "(accept its licence on huggingface.co, then set HF_TOKEN)"
            )
        return (
            f"{repo_id} was not found on the Hugging Face Hub or needs a token "
            "(a typo, or a private repo: set HF_TOKEN)"
        )
    if response.status_code == 404:
        return f"{repo_id} was not found on the Hugging Face Hub, or it has no config.json"
    if response.status_code >= 400:
        return f"the Hugging Face Hub answered HTTP {response.status_code} for {repo_id}"
    return None


def _download_with_deadline(
    repo_id: str, timeout: float, deadline: float
) -> tuple[str | None, str]:
    """:func:`_download_config` in a daemon thread, abandoned after ``deadline`` seconds.

    httpx's timeouts are per read: a server that sends one byte every 5 s keeps a
    download going forever. The abandoned thread is left to die with the process (its
    partial file stays an ``.incomplete`` in the HF cache, which huggingface_hub ignores).
    """
    import threading

    box: list[tuple[str | None, str]] = []

    def run() -> None:
        try:
            box.append(_download_config(repo_id, timeout))
        except BaseException as exc:
            box.append((None, f"downloading its config.json failed ({type(exc).__name__})"))

    worker = threading.Thread(target=run, name="lora-lint-hub", daemon=True)
    worker.start()
    worker.join(deadline)
    if box:
        return box[0]
    return None, (
        f"the Hugging Face Hub did not deliver {repo_id}'s config.json within {deadline:g} s "
        "(a stalled or very slow connection)"
    )


def _quiet_hub() -> None:
    """No request besides config.json: huggingface_hub's telemetry includes fetching an
    "agent harnesses" registry (``/api/agent-harnesses``) to build the User-Agent."""
    from huggingface_hub import constants

    constants.HF_HUB_DISABLE_TELEMETRY = True


def _download_config(repo_id: str, timeout: float) -> tuple[str | None, str]:
    """Fetch config.json only (never weights); return (path, "") or (None, reason)."""
    import logging

    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    try:
        from huggingface_hub import errors as hf_errors
        from huggingface_hub import hf_hub_download
    except ImportError:  # pragma: no cover
        return None, "huggingface_hub is not installed"
    _quiet_hub()
    problem = _probe_hub(repo_id, timeout)
    if problem is not None:
        return None, problem
    try:
        return hf_hub_download(repo_id, "config.json", etag_timeout=timeout), ""
    except hf_errors.GatedRepoError:
        return None, (
            f"{repo_id} is a gated repository and no accepted token is available "
            "(accept its licence on huggingface.co, then set HF_TOKEN)"
        )
    except hf_errors.RepositoryNotFoundError:
        return None, f"{repo_id} was not found on the Hugging Face Hub"
    except hf_errors.EntryNotFoundError:
        return None, f"{repo_id} has no config.json on the Hub"
    except Exception as exc:
        return None, (
            f"the Hugging Face Hub could not be reached for {repo_id} "
            f"({type(exc).__name__}: {str(exc)[:160]})"
        )


def runs_remote_code(
    resolved: ResolvedModel, trust_remote_code: bool, *, flag: bool = False
) -> ResolutionFailure | None:
    """Why the bundled architecture is not the model that runs, if it is not.

    With ``trust_remote_code=True`` transformers builds a model whose repository ships an
    ``auto_map`` from that repository's own modeling file, whose module names may differ
    from transformers' class (DeepSeek-V3's remote code keeps one Linear per expert, the
    native class fuses them). lora-lint never runs a repository's code, so such a config
    is not checked against the bundled architecture.

    A model known only as an alias (its name resembles a bundled one) may be a
    re-implementation with its own code (NVIDIA's Transformer Engine ESM2 keeps the name of
    Meta's): when the code passes ``trust_remote_code`` at all (``flag``: a value that is not a
    literal ``False``), the bundled architecture is not taken for it.
    """
    if resolved.by_alias and (trust_remote_code or flag):
        return ResolutionFailure(
            resolved.requested,
            f"{resolved.requested} is known here only by its name, as an alias of "
            f"{resolved.model_id}, and the code passes trust_remote_code, so the repository's "
            "own modeling code may build it (a re-implementation can name its modules "
            "differently)",
            "map the name to its config.json with `[tool.lora-lint] models`, or run online",
            remote_code=True,
        )
    if not (trust_remote_code and resolved.remote_code):
        return None
    return ResolutionFailure(
        resolved.requested,
        f"it is loaded with trust_remote_code=True, so {resolved.model_id}'s own modeling "
        "code builds it (its config.json has an auto_map), and lora-lint never runs a model "
        "repository's code",
        "map the name to a config.json whose architecture transformers builds itself with "
        "`[tool.lora-lint] models`, or drop trust_remote_code if transformers supports it",
        remote_code=True,
    )
