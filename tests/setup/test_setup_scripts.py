"""Bad set-up states get a clear message and change nothing. Each test runs the real
scripts against a scratch var/ folder, never the running portal's."""
from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / script), *args],
        env=env, capture_output=True, text=True, timeout=120,
    )


def test_taken_port_is_reported_and_nothing_starts(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        env = {**os.environ, "BD_VAR": str(tmp_path / "var"), "REDIS_PORT": str(taken),
               "PG_PORT": "1", "SOLR_PORT": "2", "CKAN_PORT": "3"}
        result = _run("services.sh", "start-backends", env=env)
    assert result.returncode != 0
    assert f"Port {taken} (needed for redis) is already taken" in result.stderr
    assert not (tmp_path / "var" / "run" / "supervisor.sock").exists()


def test_missing_java_is_reported_before_anything_is_installed(tmp_path):
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("bash", "dirname", "mkdir", "python3", "cat", "sha256sum", "cut", "id"):
        os.symlink(shutil.which(tool), tools / tool)
    env = {"PATH": str(tools), "BD_VAR": str(tmp_path / "var"), "HOME": str(tmp_path)}
    result = _run("install.sh", env=env)
    assert result.returncode != 0
    assert "Java is missing" in result.stderr
    assert not (tmp_path / "var" / "venv").exists()


def test_a_service_that_will_not_start_shows_its_log(tmp_path):
    log_file = tmp_path / "service.log"
    log_file.write_text("starting\nFATAL: could not bind to port\n")
    script = f'source "{ROOT}/scripts/lib.sh"; wait_for "Example service" 1 "{log_file}" false'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30,
                            env={**os.environ, "BD_VAR": str(tmp_path / "var")})
    assert result.returncode != 0
    assert "FATAL: could not bind to port" in result.stderr
    assert "Example service did not become ready within 1s" in result.stderr


def test_status_when_nothing_runs_says_so(tmp_path):
    result = _run("services.sh", "status", env={**os.environ, "BD_VAR": str(tmp_path / "var")})
    assert result.returncode == 0
    assert "Nothing is running" in result.stdout
