"""Every script with a shebang is executable as committed: supervisord and the set-up run them
directly, and a fresh clone gets the mode git records, not the one of a working copy."""
from __future__ import annotations

import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_scripts_with_a_shebang_are_committed_executable():
    listing = subprocess.run(["git", "ls-files", "-s", "--", "scripts", "cluster", "bench", "docker"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    checked, not_executable = 0, []
    for line in listing.splitlines():
        mode, _, _, path = line.split(None, 3)
        if not (ROOT / path).is_file() or not (ROOT / path).read_bytes().startswith(b"#!"):
            continue
        checked += 1
        if mode != "100755":
            not_executable.append(path)
    assert checked >= 10, listing
    assert not not_executable, f"committed without the executable bit: {not_executable}"
