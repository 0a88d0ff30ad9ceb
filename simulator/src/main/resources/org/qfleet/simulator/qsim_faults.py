"""Faults injected into the simulated tools of one host.

The host's faults live in the JSON file named by QUBES_SIM_FAULTS, which the
fleet's SSH server also reads: {"faults": [{"kind": ..., "tool": ..., ...}]}.
The tools act on three kinds, matched by a shell-style pattern against the
tool's name:

- fail: exit 1 with the message the admin client prints when qubesd returns
  no response;
- hang: sleep until killed (the SSH server kills the process when its channel
  closes);
- slow: sleep "seconds" and then run normally.

The server handles the other kinds (auth-refused, drop-after, no-python3).
"""

import fnmatch
import json
import os
import sys
import time

QUBESD_EMPTY_RESPONSE = "Got empty response from qubesd. See journalctl in dom0 for details."

# A hanging tool wakes up at this interval and sleeps again, so it never exits by itself.
HANG_SLEEP_SECONDS = 60


def read_faults():
    path = os.environ.get("QUBES_SIM_FAULTS")
    if not path or not os.path.exists(path):
        return []
    try:
        with open(path, encoding="utf-8") as faults_file:
            return json.load(faults_file).get("faults", [])
    except (OSError, ValueError) as error:
        print(f"qubes-sim: ignoring unreadable fault file {path}: {error}", file=sys.stderr)
        return []


def apply_tool_faults(prog):
    """Apply the faults that match tool prog; return an exit code when the tool must not run."""
    for fault in read_faults():
        pattern = fault.get("tool") or "*"
        if not fnmatch.fnmatchcase(prog, pattern):
            continue
        kind = fault.get("kind")
        if kind == "fail":
            print(f"{prog}: error: {QUBESD_EMPTY_RESPONSE}", file=sys.stderr)
            return 1
        if kind == "hang":
            while True:
                time.sleep(HANG_SLEEP_SECONDS)
        if kind == "slow":
            time.sleep(float(fault.get("seconds", 1)))
    return None
