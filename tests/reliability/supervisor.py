"""The project's supervisor, as the reliability tests stop, start and kill its programs."""
from __future__ import annotations

import pathlib
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONF = ROOT / "var" / "supervisord.conf"


def supervisorctl(*args: str) -> str:
    result = subprocess.run(["supervisorctl", "-c", str(CONF), *args], capture_output=True, text=True, timeout=120)
    return result.stdout


def state_and_pid(program: str) -> tuple[str, int | None]:
    line = supervisorctl("status", program).strip()
    parts = line.split()
    state = parts[1] if len(parts) > 1 else "UNKNOWN"
    pid = int(parts[3].rstrip(",")) if state == "RUNNING" and len(parts) > 3 and parts[2] == "pid" else None
    return state, pid


def wait_until(condition, seconds: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {seconds} s")
        time.sleep(interval)
