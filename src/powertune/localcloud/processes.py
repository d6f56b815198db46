"""Whether a process is alive, the one way every part of the local cloud asks it.

A zombie counts as dead: a crashed instance's process is reparented to PID 1,
which in containers often never reaps it, and `kill(pid, 0)` succeeds on a
zombie. Treating it as alive would keep the dead instance's cgroups and state
forever (seen here: PID 1 is not an init that reaps).
"""

from __future__ import annotations

import os
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """True if a process with this pid exists and is not a zombie."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    # Field 3 of /proc/PID/stat, after the parenthesised command name, is the state.
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"
