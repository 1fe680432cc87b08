"""Online resolution against a real HTTP server on 127.0.0.1 (``HF_ENDPOINT``): the exact
requests made (only ``config.json``), and a total deadline that ends a server trickling one
byte every few seconds (per-read timeouts never fire on it)."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.robustness.helpers import ROOT
from tests.tiny_models import TINY

BODY = json.dumps(TINY["gpt2"]).encode()


class _Hub(http.server.BaseHTTPRequestHandler):
    """``<repo>/resolve/main/config.json``; repos named ``slow-*`` trickle their answer."""

    protocol_version = "HTTP/1.1"
    requests: list[str] = []
    stop = threading.Event()

    def log_message(self, *args: object) -> None:
        pass

    def _trickle(self, data: bytes) -> None:
        for byte in data:
            if self.stop.wait(2.0):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def _answer(self, body: bool) -> None:
        self.requests.append(f"{self.command} {self.path}")
        slow = "/slow-" in self.path
        if slow and "slow-head" in self.path:  # even the status line comes byte by byte
            self._trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.send_header("ETag", '"0123"')
        self.send_header("X-Repo-Commit", "a" * 40)
        self.end_headers()
        if body:
            if slow:
                self._trickle(BODY)
            else:
                self.wfile.write(BODY)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)


@pytest.fixture
def hub() -> Iterator[str]:
    _Hub.requests = []
    _Hub.stop.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        _Hub.stop.set()
        server.shutdown()
        server.server_close()


RESOLVE = """
import sys, time
from pathlib import Path
from lora_lint.models.resolve import ModelResolver, ResolverSettings
settings = ResolverSettings(project_root=Path.cwd(), hub_timeout=10.0, hub_deadline=4.0)
start = time.perf_counter()
result = ModelResolver(settings).resolve(sys.argv[1])
print(round(time.perf_counter() - start, 1))
print(getattr(result, "reason", None) or getattr(result, "model_id", ""))
"""


def _resolve(tmp_path: Path, endpoint: str, repo: str) -> tuple[float, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HF_ENDPOINT": endpoint,
        "HF_HOME": str(tmp_path / "hf"),
        "HF_HUB_OFFLINE": "0",
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
    }
    proc = subprocess.run(
        [sys.executable, "-c", RESOLVE, repo],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    seconds, message = proc.stdout.strip().splitlines()
    return float(seconds), message


def test_only_config_json_is_requested(tmp_path: Path, hub: str) -> None:
    _, message = _resolve(tmp_path, hub, "some-org/fast-model")
    assert message == "some-org/fast-model", message
    paths = {line.split(" ", 1)[1] for line in _Hub.requests}
    assert paths == {"/some-org/fast-model/resolve/main/config.json"}, _Hub.requests
    assert {line.split(" ", 1)[0] for line in _Hub.requests} == {"HEAD", "GET"}


@pytest.mark.parametrize("repo", ["some-org/slow-body", "some-org/slow-head"])
def test_a_trickling_server_is_cut_off_by_the_deadline(tmp_path: Path, hub: str, repo: str) -> None:
    start = time.perf_counter()
    seconds, message = _resolve(tmp_path, hub, repo)
    assert seconds < 15 and time.perf_counter() - start < 60, seconds
    assert "within 4 s" in message, message
