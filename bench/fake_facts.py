#!/usr/bin/python3 -IS
"""The two dom0 tools that qfleet's facts need and the peer harness's fake hosts lack.

qvm-ls (--raw-data and --raw-list) and qubes-prefs, over the same per-host state file
($QUBES_FAKE_STATE/state.json) that the harness's fake qvm-* tools use, with the same
optional delay per call (QUBES_FAKE_DELAY_MS) to imitate qubesd. Read-only. The tool is
chosen by the name it is started under.
"""
import fcntl
import json
import os
import sys
import time

PROG = os.path.basename(sys.argv[0])
GLOBAL_PREFS = ("clockvm", "default_dispvm", "default_netvm", "default_template", "updatevm")


def fail(message, code=2):
    sys.stderr.write("%s: error: %s\n" % (PROG, message))
    sys.exit(code)


def load_state():
    directory = os.environ.get("QUBES_FAKE_STATE")
    if not directory:
        fail("QUBES_FAKE_STATE is not set", 3)
    with open(os.path.join(directory, "state.lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        with open(os.path.join(directory, "state.json")) as handle:
            return json.load(handle)


def column(name, domain):
    if name == "name":
        return domain["name"]
    if name == "class":
        return domain.get("klass", "AppVM")
    if name == "state":
        return domain.get("power_state", "Halted")
    value = domain.get("prefs", {}).get(name)
    if value is None and name == "netvm" and domain.get("klass") == "AppVM":
        value = "sys-firewall"
    return value if value else "-"


def qvm_ls(args):
    fields = ["name", "state", "class", "label", "template", "netvm"]
    raw_data = raw_list = False
    rest = list(args)
    while rest:
        argument = rest.pop(0)
        if argument == "--raw-data":
            raw_data = True
        elif argument == "--raw-list":
            raw_list = True
        elif argument == "--fields":
            if not rest:
                fail("--fields needs a comma-separated list")
            fields = rest.pop(0).split(",")
        elif argument.startswith("--fields="):
            fields = argument.split("=", 1)[1].split(",")
        else:
            fail("unrecognized argument: %s" % argument)
    domains = load_state()["domains"]
    for name in sorted(domains):
        domain = dict(domains[name], name=name)
        if raw_list:
            print(name)
        elif raw_data:
            print("|".join(column(field.lower(), domain) for field in fields))
        else:
            print("  ".join(column(field.lower(), domain) for field in fields))
    return 0


def qubes_prefs(args):
    if args:
        fail("only the listing form (no arguments) is supported here")
    state = load_state()
    values = {
        "clockvm": "sys-net",
        "default_dispvm": "",
        "default_netvm": "sys-firewall",
        "default_template": state.get("default_template", ""),
        "updatevm": "sys-firewall",
    }
    for name in GLOBAL_PREFS:
        print("%-20s D  %s" % (name, values[name]))
    return 0


def main():
    tools = {"qvm-ls": qvm_ls, "qubes-prefs": qubes_prefs}
    tool = tools.get(PROG)
    if tool is None:
        fail("start this program as one of: %s" % ", ".join(sorted(tools)))
    delay = os.environ.get("QUBES_FAKE_DELAY_MS")
    if delay:
        time.sleep(int(delay) / 1000.0)
    sys.exit(tool(sys.argv[1:]))


if __name__ == "__main__":
    main()
