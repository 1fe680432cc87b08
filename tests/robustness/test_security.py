"""Security: no code from the linted repository or a model repository ever runs; no network
when offline; only ``config.json`` is downloaded when online; safe YAML only.

Every "never" has a positive control where one is possible: the sentinel model *does*
write its sentinel with ``--trust-remote-code``, and the socket guard *does* see the
connection attempt of an online run, so the negative results are not vacuous.
"""

from __future__ import annotations

import ast
import json
import socket
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from lora_lint.engine import Linter
from lora_lint.settings import Settings
from tests.robustness.helpers import ROOT, run_cli, write
from tests.tiny_models import TINY

PACKAGE = ROOT / "lora_lint"


# -- model repositories with custom code --------------------------------------------------------


def _sentinel_model(directory: Path, sentinel: Path, model_type: str = "sentinel_arch") -> None:
    """A model directory whose custom code writes ``sentinel`` as soon as it is imported."""
    plant = f"import pathlib\npathlib.Path({str(sentinel)!r}).write_text('custom code ran')\n"
    write(
        directory,
        {
            "config.json": json.dumps(
                {
                    "model_type": model_type,
                    "architectures": ["SentinelForCausalLM"],
                    "auto_map": {
                        "AutoConfig": "configuration_sentinel.SentinelConfig",
                        "AutoModelForCausalLM": "modeling_sentinel.SentinelForCausalLM",
                    },
                    "hidden_size": 16,
                }
            ),
            "configuration_sentinel.py": plant
            + textwrap.dedent(
                f"""
                from transformers import PretrainedConfig


                class SentinelConfig(PretrainedConfig):
                    model_type = {model_type!r}
                """
            ),
            "modeling_sentinel.py": plant + "raise ImportError('never used')\n",
        },
    )


SCRIPT = """\
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("./sentinel-model", trust_remote_code=True)
config = LoraConfig(target_modules=["q_proj", "v_proj"])
model = get_peft_model(model, config)
"""


@pytest.mark.torch
def test_custom_model_code_is_never_run_without_the_opt_in(tmp_path: Path) -> None:
    project = tmp_path / "project"
    sentinel = tmp_path / "SENTINEL"
    _sentinel_model(project / "sentinel-model", sentinel)
    write(project, {"train.py": SCRIPT})
    proc = run_cli("check", ".", "--offline", "--cache-dir", str(tmp_path / "c"), cwd=project)
    assert proc.returncode == 0, proc.stderr  # LL010 is a warning
    assert "train.py:4:" in proc.stdout and "LL010" in proc.stdout
    assert "--trust-remote-code" in proc.stdout and "auto_map" in proc.stdout
    assert not sentinel.exists(), "custom model code was executed"

    # Positive control: with the explicit opt-in transformers does import the model's code.
    opted = run_cli(
        "check",
        ".",
        "--offline",
        "--trust-remote-code",
        "--cache-dir",
        str(tmp_path / "c2"),
        cwd=project,
    )
    assert opted.returncode in (0, 1), opted.stderr
    assert sentinel.exists(), "the sentinel model does not work: the negative test proves nothing"


@pytest.mark.torch
def test_known_model_type_with_auto_map_uses_transformers_own_code(tmp_path: Path) -> None:
    project = tmp_path / "project"
    sentinel = tmp_path / "SENTINEL"
    _sentinel_model(project / "sentinel-model", sentinel, model_type="llama")
    write(project, {"train.py": SCRIPT})
    proc = run_cli("check", ".", "--offline", "--cache-dir", str(tmp_path / "c"), cwd=project)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    assert not sentinel.exists()


def test_the_linted_repository_is_never_imported(tmp_path: Path) -> None:
    project = tmp_path / "project"
    sentinel = tmp_path / "SENTINEL"
    plant = f"import pathlib\npathlib.Path({str(sentinel)!r}).write_text('repo code ran')\n"
    write(
        project,
        {
            "pkg/__init__.py": plant,
            "pkg/constants.py": plant + 'TARGETS = ["q_proj", "v_prj"]\n',
            "pkg/train.py": (
                "from peft import LoraConfig, get_peft_model\n"
                "from transformers import AutoModelForCausalLM\n"
                "from .constants import TARGETS\n"
                'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")\n'
                "config = LoraConfig(target_modules=TARGETS)\n"
                "model = get_peft_model(model, config)\n"
            ),
            # Modules that shadow lora-lint's dependencies when `python -m` puts the working
            # directory first on sys.path.
            **{f"{name}.py": plant for name in ("yaml", "libcst", "platformdirs", "peft", "torch")},
            "conftest.py": plant,
            "sitecustomize.py": plant,
        },
    )
    proc = run_cli("check", ".", "--offline", cwd=project)
    assert proc.returncode == 1, proc.stderr
    # The value was read statically from the sibling module, and reported where it is written.
    assert "pkg/constants.py:1:" not in proc.stdout  # the sentinel line shifts it down
    assert "pkg/constants.py:3:22: LL001 [error] 'v_prj'" in proc.stdout, proc.stdout
    assert not sentinel.exists(), "code of the linted repository was executed"


# -- the network ---------------------------------------------------------------------------------

#: Runs lora-lint with every way of opening a connection replaced by a tripwire.
SOCKET_GUARD = """
import pathlib, socket, sys
marker = pathlib.Path(sys.argv[1])
def tripwire(*args, **kwargs):
    with marker.open("a") as fh:
        fh.write(repr(args[:2]) + "\\n")
    raise OSError("network blocked by the test")
socket.socket.connect = tripwire
socket.socket.connect_ex = tripwire
socket.create_connection = tripwire
socket.getaddrinfo = tripwire
from lora_lint.cli import main
sys.exit(main(sys.argv[2:]))
"""

NEEDS_HUB = {
    "unknown.py": (
        "from peft import LoraConfig, get_peft_model\n"
        "from transformers import AutoModelForCausalLM\n"
        'model = AutoModelForCausalLM.from_pretrained("some-org/not-bundled-model-xyz")\n'
        'config = LoraConfig(target_modules=["q_proj", "v_proj"])\n'
        "model = get_peft_model(model, config)\n"
    ),
    "bundled.yaml": (
        "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_target_modules: [q_proj, v_prj]\n"
    ),
}


def _guarded_run(project: Path, marker: Path, args: list[str], env: dict[str, str]) -> Any:
    import os
    import subprocess

    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    if env.get("HF_HUB_OFFLINE") is None:
        full_env.pop("HF_HUB_OFFLINE", None)
    return subprocess.run(
        [sys.executable, "-c", SOCKET_GUARD, str(marker), *args],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.torch
@pytest.mark.parametrize(
    ("flag", "env", "cold"),
    [
        (["--offline"], {"HF_HUB_OFFLINE": None}, True),
        ([], {"HF_HUB_OFFLINE": "1"}, False),
    ],
    ids=["--offline-cold-cache", "HF_HUB_OFFLINE=1"],
)
def test_offline_opens_no_socket(
    tmp_path: Path, flag: list[str], env: dict[str, Any], cold: bool
) -> None:
    project = tmp_path / "project"
    write(project, NEEDS_HUB)
    marker = tmp_path / "connections.txt"
    cache = ["--cache-dir", str(tmp_path / "cold")] if cold else []
    proc = _guarded_run(project, marker, ["check", ".", *flag, *cache], env)
    assert proc.returncode == 1, proc.stderr
    assert "bundled.yaml:3:31: LL001" in proc.stdout
    assert "unknown.py:3:" in proc.stdout and "offline" in proc.stdout
    assert not marker.exists(), f"connections attempted: {marker.read_text()}"


def test_socket_guard_sees_an_online_run(tmp_path: Path) -> None:
    """Positive control, and the unreachable-Hub message: short, with what to do."""
    project = tmp_path / "project"
    write(project, {"unknown.py": NEEDS_HUB["unknown.py"]})
    marker = tmp_path / "connections.txt"
    proc = _guarded_run(project, marker, ["check", "."], {"HF_HUB_OFFLINE": None})
    assert marker.exists(), "the socket guard saw nothing: the offline tests prove nothing"
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "LL010" in proc.stdout and "could not be reached" in proc.stdout
    assert "HF_TOKEN" in proc.stdout and "bundle" in proc.stdout


def _online(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Online mode with every socket blocked; returns the list connection attempts go to."""
    import huggingface_hub.constants as hc

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(hc, "HF_HUB_OFFLINE", False)
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args[:2]))
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.mark.torch
def test_online_only_config_json_is_downloaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    from lora_lint.models import resolve

    attempts = _online(monkeypatch)
    downloaded = tmp_path / "hub" / "config.json"
    downloaded.parent.mkdir()
    downloaded.write_text(json.dumps(TINY["llama"]))
    calls: list[tuple[str, str, dict[str, object]]] = []
    probes: list[tuple[str, float]] = []

    def fake_download(repo_id: str, filename: str, **kwargs: object) -> str:
        calls.append((repo_id, filename, kwargs))
        return str(downloaded)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"unexpected Hub call {args} {kwargs}")

    def fake_probe(repo_id: str, timeout: float) -> None:
        probes.append((repo_id, timeout))

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", forbidden)
    monkeypatch.setattr(resolve, "_probe_hub", fake_probe)
    write(tmp_path, {"train.py": NEEDS_HUB["unknown.py"].replace('"v_proj"', '"v_prj"')})
    settings = Settings(project_root=tmp_path, offline=False, cache_dir=tmp_path / "cache")
    result = Linter(settings).run([tmp_path / "train.py"])
    assert not result.errors, result.errors
    assert [(f.code, f.span.line) for f in result.findings] == [("LL001", 4)]
    assert [(repo, name) for repo, name, _ in calls] == [
        ("some-org/not-bundled-model-xyz", "config.json")
    ]
    assert all(float(str(kw.get("etag_timeout", 99))) <= 10 for _, _, kw in calls)
    assert probes and all(timeout <= 10 for _, timeout in probes)
    assert attempts == []


@pytest.mark.parametrize(
    ("status", "headers", "needles"),
    [
        (401, {"X-Error-Code": "GatedRepo"}, ["gated", "HF_TOKEN"]),
        (403, {}, ["gated", "HF_TOKEN"]),
        (401, {}, ["needs a token", "HF_TOKEN"]),
        (404, {}, ["not found"]),
        (None, {}, ["could not be reached", "HF_TOKEN", "bundle"]),
    ],
    ids=["gated", "forbidden", "private", "missing", "unreachable"],
)
def test_hub_failures_say_what_to_do(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    status: int | None,
    headers: dict[str, str],
    needles: list[str],
) -> None:
    import huggingface_hub

    _online(monkeypatch)

    class Response:
        status_code = status

        def __init__(self) -> None:
            self.headers = headers

    class Session:
        def head(self, url: str, **kwargs: Any) -> Response:
            assert url.endswith("/config.json"), url  # the probe asks for config.json only
            assert kwargs["timeout"] <= 10
            if status is None:
                raise ConnectionError("no route to host")
            return Response()

    monkeypatch.setattr(huggingface_hub, "get_session", Session)
    write(tmp_path, {"train.py": NEEDS_HUB["unknown.py"]})
    settings = Settings(project_root=tmp_path, offline=False, no_cache=True)
    result = Linter(settings).run([tmp_path / "train.py"])
    (finding,) = result.findings
    assert finding.code == "LL010"
    text = f"{finding.message} {finding.help}"
    for needle in needles:
        assert needle in text, text


# -- YAML and the package's own code -------------------------------------------------------------


def test_yaml_is_read_with_the_safe_loader_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lora_lint.extract.yaml import extract_yaml
    from lora_lint.extract.positioned_yaml import LOADER

    assert LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert issubclass(LOADER, yaml.SafeLoader) or LOADER.__name__ == "CSafeLoader"

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unsafe YAML API was used")

    for name in ("load", "load_all", "unsafe_load", "full_load", "unsafe_load_all"):
        monkeypatch.setattr(yaml, name, forbidden)
    sentinel = tmp_path / "SENTINEL"
    text = (
        "base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\n"
        f"lora_target_modules: !!python/object/apply:os.system ['touch {sentinel}']\n"
        f"lora_r: !!python/object/new:pathlib.Path ['{sentinel}']\n"
    )
    result = extract_yaml(text, "evil.yaml")
    assert not sentinel.exists()
    (config,) = result.configs
    target = config.options["target_modules"]
    assert "unsupported YAML tag" in getattr(target, "reason", ""), target


def _package_sources() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text("utf-8"))) for path in sorted(PACKAGE.rglob("*.py"))]


def test_no_pickle_eval_exec_or_unsafe_yaml_in_the_package() -> None:
    banned_modules = {"pickle", "cPickle", "dill", "marshal", "shelve", "cloudpickle", "joblib"}
    banned_calls = {"eval", "exec", "__import__", "execfile", "runpy"}
    banned_attrs = {
        "load",
        "load_all",
        "unsafe_load",
        "unsafe_load_all",
        "full_load",
        "full_load_all",
        "Loader",
        "UnsafeLoader",
        "FullLoader",
        "CLoader",
        "CUnsafeLoader",
        "CFullLoader",
    }
    problems: list[str] = []
    for path, tree in _package_sources():
        rel = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "").split(".")[0]]
                if node.module == "yaml":
                    names += [a.name for a in node.names if a.name in banned_attrs]
                if node.module == "importlib":
                    names += [a.name for a in node.names if a.name == "import_module"]
            else:
                names = []
            problems += [
                f"{rel}:{node.lineno} imports {n}"
                for n in names
                if n in banned_modules
            ]
            problems += [
                f"{rel}:{node.lineno} imports {n}"
                for n in names
                if n in banned_attrs or n == "import_module"
            ]
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in banned_calls:
                    problems.append(f"{rel}:{node.lineno} calls {func.id}()")
                if isinstance(func, ast.Name) and func.id == "compile":
                    flags = ast.unparse(node)
                    if "PyCF_ONLY_AST" not in flags:
                        problems.append(f"{rel}:{node.lineno} compiles code to run it")
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    owner, attr = func.value.id, func.attr
                    if owner == "yaml" and attr in banned_attrs:
                        problems.append(f"{rel}:{node.lineno} calls yaml.{attr}()")
                    if owner == "importlib" and attr == "import_module":
                        problems.append(f"{rel}:{node.lineno} imports a module by name")
                    if owner == "os" and attr in {"system", "popen", "execv", "execvp", "spawnv"}:
                        problems.append(f"{rel}:{node.lineno} calls os.{attr}()")
                for keyword in node.keywords:
                    if keyword.arg == "shell" and not (
                        isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                    ):
                        problems.append(f"{rel}:{node.lineno} runs a shell")
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "yaml"
                and node.attr in banned_attrs - {"load", "load_all"}
            ):
                problems.append(f"{rel}:{node.lineno} uses yaml.{node.attr}")
    assert problems == []


def test_subprocesses_only_run_git_with_fixed_arguments() -> None:
    found = []
    for path, tree in _package_sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "subprocess"
            ):
                found.append((path.relative_to(ROOT).as_posix(), ast.unparse(node.args[0])))
    assert found and all(arg.startswith("['git', ") for _, arg in found), found


def test_trust_remote_code_is_only_passed_behind_the_opt_in() -> None:
    """``trust_remote_code=True`` appears only in the meta-device builder, behind the flag."""
    sites = []
    for path, tree in _package_sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.keyword)
                and node.arg == "trust_remote_code"
                and isinstance(node.value, ast.Constant)
                and node.value.value is True
            ):
                sites.append(path.relative_to(ROOT).as_posix())
    assert set(sites) <= {"lora_lint/models/build.py"}, sites
    source = (PACKAGE / "models" / "build.py").read_text("utf-8")
    assert 'if config.get("auto_map") and trust_remote_code and local_dir:' in source
    assert 'if trust_remote_code and getattr(cfg, "auto_map", None):' in source
