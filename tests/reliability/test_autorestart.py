"""Every supervised program restarts on its own (config/supervisord.conf.template): a harvest
consumer killed with SIGKILL is running again, under a new pid, within seconds, and
`make status` counts the restart."""
from __future__ import annotations

import os
import signal
import subprocess

from .supervisor import ROOT, state_and_pid, wait_until


def test_a_killed_program_is_restarted_and_counted():
    state, pid = state_and_pid("portal:harvest-fetch")
    assert state == "RUNNING" and pid
    os.kill(pid, signal.SIGKILL)
    new_pid = wait_until(lambda: (lambda s, p: p if s == "RUNNING" and p != pid else None)(*state_and_pid(
        "portal:harvest-fetch")), 60, "harvest-fetch running again")
    assert new_pid != pid
    status = subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), "status"], capture_output=True,
                            text=True, timeout=60).stdout
    restarts = status.split("Automatic restarts since supervisord started", 1)[1]
    assert any(line.split()[:1] == ["harvest-fetch"] and int(line.split()[1]) >= 1
               for line in restarts.splitlines() if line.strip()), status
