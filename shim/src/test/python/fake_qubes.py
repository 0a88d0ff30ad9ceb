"""Fake qvm-* tools (prefs, features, tags, check, create, ls) for the shim's tests.

One script, installed under each tool's name, works on a JSON state file named by
FAKE_QUBES_STATE and appends each call's argv (tool name first) as one JSON line to
FAKE_QUBES_LOG. It models only what the tests use, with the output formats and messages of
the Qubes 4.2 tools.

State: {"qubes": {NAME: {"prefs": {PROP: {"default": V, "set": V, "vm": bool}},
"features": {NAME: VALUE}, "tags": [TAG], "frozen": [PROP]}}, "unreadable": [NAME]}. A property without "set" is
at its default; one with neither key has no value (marker U). A "frozen" property accepts a
new value and keeps the old one, like a property that qubesd recomputes. qvm-prefs fails for
an "unreadable" qube as it does without the Admin API permission.
"""

import json
import os
import sys
import time

STATE = os.environ["FAKE_QUBES_STATE"]


def load():
    with open(STATE) as file:
        return json.load(file)


def save(state):
    with open(STATE, "w") as file:
        json.dump(state, file, indent=1, sort_keys=True)


def fail(tool, message, code):
    sys.stderr.write(f"{tool}: error: {message}\n")
    sys.exit(code)


def find_qube(tool, state, name):
    if name not in state["qubes"]:
        fail(tool, f"no such domain: '{name}'", 2)
    return state["qubes"][name]


def prefs(args):
    state = load()
    reset = args[:1] in (["-D"], ["--default"])
    args = args[1:] if reset else args
    qube = find_qube("qvm-prefs", state, args[0])
    if args[0] in state.get("unreadable", []):
        # The error of a dom0 whose Admin API policy lacks a permission.
        fail("qvm-prefs", "Got empty response from qubesd. See journalctl in dom0 for details.", 1)
    table = qube["prefs"]
    if len(args) == 1:
        width = max(len(name) for name in table)
        for name in sorted(table):
            entry = table[name]
            if "set" in entry:
                marker, value = "-", entry["set"]
            elif "default" in entry:
                marker, value = "D", entry["default"]
            else:
                print(f"{name:<{width}}  U")
                continue
            if entry.get("vm") and value == "":
                value = "None"
            print(f"{name:<{width}}  {marker}  {value}")
        return
    name = args[1]
    if name not in table:
        fail("qvm-prefs", f"no such property: '{name}'", 2)
    entry = table[name]
    if len(args) == 2 and not reset:
        print(entry.get("set", entry.get("default", "")))
        return
    if name in qube.get("frozen", []):
        return
    if reset:
        entry.pop("set", None)
    else:
        value = args[2]
        if entry.get("vm"):
            value = "" if value.lower() == "none" else value
            if value and value not in state["qubes"]:
                fail("qvm-prefs", f"Can't set {name} to non-existing qube {value}", 1)
        entry["set"] = value
        # A qube's "side_effects" set other properties when one is set, as some qubesd
        # properties do, such as a new netvm changing dependent defaults.
        for other, forced in qube.get("side_effects", {}).get(name, {}).items():
            table[other]["set"] = forced
    save(state)


def features(args):
    state = load()
    unset = args[:1] in (["--unset"], ["-D"], ["--delete"])
    args = args[1:] if unset else args
    table = find_qube("qvm-features", state, args[0])["features"]
    if len(args) == 1:
        width = max((len(name) for name in table), default=0)
        for name in sorted(table):
            print(f"{name:<{width}}  {table[name]}".rstrip())
    elif unset:
        table.pop(args[1], None)
        save(state)
    elif len(args) == 2:
        if args[1] not in table:
            sys.exit(1)
        print(table[args[1]])
    else:
        table[args[1]] = args[2]
        save(state)


def tags(args):
    state = load()
    qube = find_qube("qvm-tags", state, args[0])
    action = args[1] if len(args) > 1 else "list"
    if action in ("list", "ls", "l"):
        for tag in sorted(qube["tags"]):
            print(tag)
        return
    for tag in args[2:]:
        if action in ("add", "a", "set") and tag not in qube["tags"]:
            qube["tags"].append(tag)
        if action in ("del", "d", "unset", "u") and tag in qube["tags"]:
            qube["tags"].remove(tag)
    save(state)


def check(args):
    state = load()
    quiet = "--quiet" in args or "-q" in args
    names = [arg for arg in args if not arg.startswith("-")]
    missing = [name for name in names if name not in state["qubes"]]
    for name in names:
        status = "non-existent!" if name in missing else "exists"
        if not quiet:
            sys.stderr.write(f"qvm-check: {name}: {status}\n")
    sys.exit(1 if missing else 0)


def create(args):
    """qvm-create, setting each --property after creating the qube, in order.

    A property that fails leaves the qube with the properties before it and exits 2, as the
    real tool does. With "create_rollback" in the state, it removes the qube and exits 1
    instead, as simpler stand-ins do.
    """
    state = load()
    options = {"--class": "AppVM", "--label": None, "--template": None}
    properties = []
    name = None
    while args:
        argument = args.pop(0)
        if argument in options:
            options[argument] = args.pop(0)
        elif argument == "--property":
            properties.append(args.pop(0).split("=", 1))
        else:
            name = argument
    if options["--label"] is None:
        fail("qvm-create", "--label option is mandatory", 2)
    if name in state["qubes"]:
        sys.stderr.write(f"app: Error creating VM: Qube already exists: {name}\n")
        sys.exit(1)
    if options["--template"] and options["--template"] not in state["qubes"]:
        sys.stderr.write(f"app: Error creating VM: No such domain: '{options['--template']}'\n")
        sys.exit(1)
    qube_prefs = {
        "label": {"default": "red", "set": options["--label"]},
        "memory": {"default": "400"},
        "netvm": {"default": "sys-firewall", "vm": True},
        "template": {"default": "", "vm": True},
    }
    if options["--template"]:
        qube_prefs["template"]["set"] = options["--template"]
    state["qubes"][name] = {"prefs": qube_prefs, "features": {}, "tags": []}
    for prop, value in properties:
        if prop not in qube_prefs:
            if state.get("create_rollback"):
                sys.stderr.write(f"qvm-create: error: no such property: '{prop}'\n")
                sys.exit(1)
            save(state)
            sys.stderr.write(f"app: Error setting property {prop} (but VM created): "
                             f"no such property: '{prop}'\n")
            sys.exit(2)
        qube_prefs[prop]["set"] = value
    save(state)


def list_qubes(args):
    if args != ["--raw-list"]:
        fail("qvm-ls", "this fake supports only --raw-list", 2)
    for name in sorted(load()["qubes"]):
        print(name)


TOOLS = {
    "qvm-prefs": prefs,
    "qvm-features": features,
    "qvm-tags": tags,
    "qvm-check": check,
    "qvm-create": create,
    "qvm-ls": list_qubes,
}

if __name__ == "__main__":
    tool = os.path.basename(sys.argv[0])
    with open(os.environ["FAKE_QUBES_LOG"], "a") as log:
        log.write(json.dumps([tool] + sys.argv[1:]) + "\n")
    events = os.environ.get("FAKE_QUBES_EVENTS")
    call = [tool] + sys.argv[1:]
    if events:
        with open(events, "a") as log:
            log.write(json.dumps(["start"] + call) + "\n")
    try:
        # A delay per call, in seconds, as a round trip to qubesd adds one.
        time.sleep(float(os.environ.get("FAKE_QUBES_DELAY", "0")))
        TOOLS[tool](sys.argv[1:])
    finally:
        if events:
            with open(events, "a") as log:
                log.write(json.dumps(["end"] + call) + "\n")
