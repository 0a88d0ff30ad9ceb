"""qvm-run, qubes-dom0-update, rpm -q, lspci, xl, hostname, and the seed and import helpers."""

import argparse
import fnmatch
import json
import os
import re
import sys

from qsim_cli import make_parser
from qsim_model import CLASS_PROPERTIES, GLOBAL_PROPERTIES, LABELS, Model
from qsim_power import DOM0_RESERVED_MB, StartError, is_active, start_qube, used_memory_mb
from qsim_state import (
    EXIT_FAILURE, EXIT_OK, PROFILES, ToolError, empty_state, hardware, host_id, locked_state,
    seed_dom0_packages, seed_qvm_run, seed_state,
)

# ---------------------------------------------------------------------------
# qvm-run


def qvm_run(prog, argv):
    parser = make_parser(prog, description="Run a command in a qube (the command is recorded, "
                                           "not run; its output comes from the host's qvm_run rules).")
    parser.add_argument("--user", "-u", help="user to run the command as")
    autostart = parser.add_mutually_exclusive_group()
    autostart.add_argument("--autostart", "--auto", "-a", dest="autostart", action="store_true",
                           default=True, help="start the qube if it is halted (default)")
    autostart.add_argument("--no-autostart", "-n", dest="autostart", action="store_false",
                           help="fail when the qube is halted")
    parser.add_argument("--pass-io", "-p", action="store_true",
                        help="pass the command's stdin, stdout and stderr through")
    parser.add_argument("--localcmd", help="accepted for compatibility, no effect")
    parser.add_argument("--gui", dest="gui", action="store_true", default=True, help="no effect")
    parser.add_argument("--nogui", "--no-gui", dest="gui", action="store_false", help="no effect")
    parser.add_argument("--service", action="store_true", help="COMMAND is a qrexec service name")
    parser.add_argument("--no-color-output", action="store_true", help="no effect")
    parser.add_argument("--filter-escape-chars", action="store_true", help="no effect")
    parser.add_argument("--no-shell", action="store_true", help="run COMMAND without a shell")
    parser.add_argument("VMNAME", help="qube name")
    parser.add_argument("COMMAND", nargs=argparse.REMAINDER, help="command to run")
    args = parser.parse_args(argv)
    if not args.COMMAND:
        parser.error("the following arguments are required: COMMAND")
    command = " ".join(args.COMMAND)

    with locked_state(write=True) as state:
        model = Model(state)
        name = parser.parse_vm_name(model, args.VMNAME)
        if not is_active(model, name):
            if not args.autostart:
                # NOTE: the wording of this message is unverified.
                raise ToolError(f"Qube {name} is not running; start it or drop --no-autostart")
            try:
                start_qube(model, name)
            except StartError as error:
                print(f"Error: Starting qube failed: {name}: {error}", file=sys.stderr)
                return EXIT_FAILURE
        state.setdefault("qvm_run_log", []).append({
            "vm": name, "command": command, "user": args.user or "",
            "service": args.service, "pass_io": args.pass_io,
        })
        response = run_response(state.get("qvm_run") or seed_qvm_run(), name, command)
    if args.pass_io:
        sys.stdout.write(response.get("stdout", ""))
        sys.stderr.write(response.get("stderr", ""))
    # NOTE: without --pass-io the exit code is still the command's; whether the real tool
    # waits for it in that mode is unverified.
    return int(response.get("exit_code", 0))


def run_response(config, vm, command):
    target = f"{vm} {command}"
    for rule in config.get("rules", []):
        if fnmatch.fnmatchcase(target, rule.get("match", "")):
            return rule
    return config.get("default", {})


# ---------------------------------------------------------------------------
# qubes-dom0-update and rpm


def packages_of(state):
    return state.setdefault("dom0_packages", seed_dom0_packages())


def qubes_dom0_update(prog, argv):
    parser = argparse.ArgumentParser(prog=prog, description="Install and update dom0 packages.")
    parser.add_argument("--assumeyes", "-y", action="store_true", help="do not ask to confirm")
    parser.add_argument("--action", default=None,
                        help="dnf action: install, remove, reinstall, upgrade (default: install "
                             "with packages, upgrade without)")
    for flag in ("--clean", "--check-only", "--gui", "--console", "--show-output",
                 "--force-xen-upgrade", "--preserve-terminal", "--skip-boot-check"):
        parser.add_argument(flag, action="store_true", help="accepted, no effect")
    parser.add_argument("--enablerepo", action="append", default=[], help="accepted, no effect")
    parser.add_argument("--disablerepo", action="append", default=[], help="accepted, no effect")
    parser.add_argument("packages", nargs="*", metavar="PACKAGE")
    args = parser.parse_args(argv)
    action = args.action or ("install" if args.packages else "upgrade")

    with locked_state(write=True) as state:
        model = Model(state)
        updatevm = model.get_global("updatevm")[0]
        if not updatevm:
            print("UpdateVM not set, exiting", file=sys.stderr)
            return EXIT_FAILURE
        packages = packages_of(state)
        installed, available = packages["installed"], packages["available"]
        print(f"Using {updatevm} as UpdateVM to download updates for Dom0; "
              "this may take some time...")
        if action == "upgrade" and not args.packages:
            print("Dependencies resolved.\nNothing to do.\nComplete!")
            return EXIT_OK
        missing = [name for name in args.packages
                   if name not in installed and (action == "remove" or name not in available)]
        for name in missing:
            print(f"No match for argument: {name}", file=sys.stderr)
        if missing:
            print(f"Error: Unable to find a match: {' '.join(missing)}", file=sys.stderr)
            return EXIT_FAILURE
        if action == "remove":
            changes = [("Removing", name, installed[name]) for name in args.packages]
        elif action in ("install", "upgrade", "reinstall"):
            changes = [("Installing", name, available[name])
                       for name in args.packages if name not in installed]
            for name in args.packages:
                if name in installed and action != "reinstall":
                    print(f"Package {name}-{installed[name]} is already installed.")
            if action == "reinstall":
                changes = [("Reinstalling", name, installed[name]) for name in args.packages]
        else:
            print(f"Error: unknown action {action!r}; use install, remove, reinstall or upgrade",
                  file=sys.stderr)
            return EXIT_FAILURE
        if not changes:
            print("Dependencies resolved.\nNothing to do.\nComplete!")
            return EXIT_OK
        print("Dependencies resolved.")
        for verb, name, version in changes:
            print(f"{verb}: {name}-{version}")
        if not args.assumeyes:
            sys.stdout.write("Is this ok [y/N]: ")
            sys.stdout.flush()
            if sys.stdin.readline().strip().lower() not in ("y", "yes"):
                print("Operation aborted.")
                return EXIT_FAILURE
        for verb, name, version in changes:
            if verb == "Removing":
                available[name] = installed.pop(name)
            elif verb == "Installing":
                installed[name] = available.pop(name)
        print("Complete!")
    return EXIT_OK


def rpm(prog, argv):
    if not argv or argv[0] not in ("-q", "--query", "-qa"):
        print(f"{prog}: only queries are simulated: rpm -q PACKAGE... or rpm -qa",
              file=sys.stderr)
        return EXIT_FAILURE
    with locked_state(write=False) as state:
        installed = packages_of(state)["installed"]
    names = argv[1:]
    if argv[0] == "-qa" or names == ["-a"]:
        for name in sorted(installed):
            print(f"{name}-{installed[name]}")
        return EXIT_OK
    missing = 0
    for name in names:
        if name in installed:
            print(f"{name}-{installed[name]}")
        else:
            print(f"package {name} is not installed")
            missing += 1
    return missing


# ---------------------------------------------------------------------------
# lspci and xl


def lspci(prog, argv):
    parser = argparse.ArgumentParser(prog=prog, description="List the host's PCI devices.")
    parser.add_argument("-m", action="count", default=0, help="machine-readable (-mm: quoted)")
    parser.add_argument("-n", action="count", default=0,
                        help="numeric IDs instead of names (-nn: both)")
    parser.add_argument("-s", dest="slot", help="only the device in this slot")
    parser.add_argument("-d", dest="ids", help="only devices with VENDOR:[DEVICE] (hex)")
    parser.add_argument("-k", "-v", "-D", dest="ignored", action="count", default=0,
                        help="accepted, no effect")
    args = parser.parse_args(argv)
    with locked_state(write=False) as state:
        devices = hardware(state)["pci_devices"]
    for device in sorted(devices, key=lambda item: item["slot"]):
        if args.slot and device["slot"] != args.slot:
            continue
        if args.ids:
            vendor, _, product = args.ids.partition(":")
            if (vendor and vendor != device["vendor"]) or (product and product != device["device"]):
                continue
        print(lspci_line(device, args.m, args.n))
    return EXIT_OK


def lspci_line(device, machine, numeric):
    def pick(name_key, id_key):
        if numeric == 1:
            return device[id_key]
        if numeric >= 2:
            return f"{device[name_key]} [{device[id_key]}]"
        return device[name_key]

    cls = pick("class_name", "class")
    vendor = pick("vendor_name", "vendor")
    product = pick("device_name", "device")
    revision = device.get("revision", "")
    if machine:
        rev = f" -r{revision}" if revision else ""
        return f'{device["slot"]} "{cls}" "{vendor}" "{product}"{rev} "" ""'
    rev = f" (rev {revision})" if revision else ""
    if numeric == 1:
        return f'{device["slot"]} {cls}: {vendor}:{product}{rev}'
    if numeric >= 2:
        ids = f'[{device["vendor"]}:{device["device"]}]'
        return f'{device["slot"]} {cls}: {device["vendor_name"]} {device["device_name"]} {ids}{rev}'
    return f'{device["slot"]} {cls}: {vendor} {product}{rev}'


def xl(prog, argv):
    if argv not in (["info"], ["list"]):
        print(f"{prog}: only 'xl info' and 'xl list' are simulated", file=sys.stderr)
        return EXIT_FAILURE
    with locked_state(write=False) as state:
        model = Model(state)
        facts = hardware(state)
        total = int(facts["memory_mb"])
        if argv == ["list"]:
            print(f"{'Name':<40}{'ID':>5}{'Mem':>6}{'VCPUs':>6}      State   Time(s)")
            print(f"{'Domain-0':<40}{0:>5}{DOM0_RESERVED_MB:>6}{facts['cpus']:>6}     r-----      10.0")
            for name in model.vm_names():
                vm = model.vm(name)
                if vm["class"] == "AdminVM" or not is_active(model, name):
                    continue
                flags = "r-----" if vm["state"] == "Running" else "--p---"
                memory = model.get(name, "memory")[0]
                vcpus = model.get(name, "vcpus")[0]
                print(f"{name:<40}{vm['qid'] + 1:>5}{memory:>6}{vcpus:>6}     {flags}       1.0")
            return EXIT_OK
        free = total - DOM0_RESERVED_MB - used_memory_mb(model)
        rows = [
            ("host", facts["hostname"]),
            ("release", model.get_global("default_kernel")[0]),
            ("machine", "x86_64"),
            ("nr_cpus", str(facts["cpus"])),
            ("max_cpu_id", str(int(facts["cpus"]) - 1)),
            ("nr_nodes", "1"),
            ("threads_per_core", "1"),
            ("total_memory", str(total)),
            ("free_memory", str(max(free, 0))),
            ("xen_major", "4"),
            ("xen_minor", "17"),
            ("xen_extra", ".5"),
            ("xen_version", "4.17.5"),
            ("xen_commandline", facts["xen_cmdline"]),
            ("xend_config_format", "4"),
        ]
    for key, value in rows:
        print(f"{key:<23}: {value}")
    return EXIT_OK


# ---------------------------------------------------------------------------
# hostname, seed and import


def hostname(prog, argv):
    with locked_state(write=False) as state:
        print(hardware(state)["hostname"])
    return EXIT_OK


def print_seed(prog, argv):
    """Print a new host's state as JSON (the Java fleet seeds its hosts from it)."""
    parser = argparse.ArgumentParser(prog=prog, description="Print a new host's state as JSON.")
    parser.add_argument("--profile", default="fresh", choices=PROFILES, help="host profile")
    args = parser.parse_args(argv)
    json.dump(seed_state(host_id(), args.profile), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return EXIT_OK


IMPORT_FIELDS = "name,class,label,state"
PREFS_LINE = re.compile(r"(\S+)\s+([-DU])(?:  (.*))?")
POWER_STATES = {"Running": "Running", "Paused": "Paused", "Suspended": "Suspended",
                "Halted": "Halted", "Transient": "Running", "Halting": "Halted",
                "Dying": "Halted", "Crashed": "Halted", "NA": "Halted"}


def import_profile(prog, argv):
    """Build a host profile (a state file without a host ID) from real tools' output files."""
    parser = argparse.ArgumentParser(prog=prog, description=import_profile.__doc__)
    parser.add_argument("--fields", default=IMPORT_FIELDS,
                        help=f"the --fields given to qvm-ls (default: {IMPORT_FIELDS})")
    parser.add_argument("--output", "-o", required=True, help="profile file to write")
    parser.add_argument("directory", help="directory with qvm-ls.txt, and optionally "
                                          "qubes-prefs.txt and prefs/, features/, tags/ with VM.txt")
    args = parser.parse_args(argv)
    try:
        state = build_profile(args.directory, args.fields)
    except ImportError_ as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    temp = args.output + ".new"
    with open(temp, "w", encoding="utf-8") as out:
        json.dump(state, out, indent=2, sort_keys=True)
        out.write("\n")
    os.replace(temp, args.output)
    print(f"Imported {len(state['vms'])} qubes into {args.output}")
    return EXIT_OK


class ImportError_(Exception):
    """Invalid import input; the message names the file, line and value."""


def read_lines(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as text_file:
        return text_file.read().splitlines()


def build_profile(directory, fields_text):
    fields = [field.strip().lower().replace("-", "_") for field in fields_text.split(",")]
    for required in ("name", "class", "label"):
        if required not in fields:
            raise ImportError_(f"--fields {fields_text!r} lacks {required!r}; capture qvm-ls "
                               f"with --fields {IMPORT_FIELDS}")
    ls_path = os.path.join(directory, "qvm-ls.txt")
    lines = read_lines(ls_path)
    if lines is None:
        raise ImportError_(f"{ls_path} is missing; write it with: "
                           f"qvm-ls --raw-data --fields {IMPORT_FIELDS.upper()} > qvm-ls.txt")
    state = empty_state("")
    state["global"] = {}
    vms = state["vms"]
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        cells = line.split("|")
        if len(cells) != len(fields):
            raise ImportError_(f"{ls_path}:{number}: expected {len(fields)} cells ({fields_text}) "
                               f"separated by '|', found {len(cells)}: {line!r}")
        rows.append((number, dict(zip(fields, cells))))
    for number, row in sorted(rows, key=lambda item: item[1]["name"]):
        name, cls, label = row["name"], row["class"], row["label"]
        if cls == "AdminVM":
            continue
        if cls not in CLASS_PROPERTIES:
            raise ImportError_(f"{ls_path}:{number}: qube {name}: class {cls!r} is not simulated; "
                               f"supported: {', '.join(sorted(CLASS_PROPERTIES))}")
        if label not in LABELS:
            raise ImportError_(f"{ls_path}:{number}: qube {name}: unknown label {label!r}")
        power = POWER_STATES.get(row.get("state", "Halted"), "Halted")
        vms[name] = {"class": cls, "state": power, "label": label, "qid": len(vms),
                     "properties": {}, "features": {}, "tags": []}
    for name, vm in vms.items():
        import_prefs(directory, name, vm)
        import_features(directory, name, vm)
        import_tags(directory, name, vm)
    import_global_prefs(directory, state)
    return state


def parse_prefs_file(path):
    """Return (property, value) for each explicitly set ("-") line of qvm-prefs output."""
    lines = read_lines(path)
    if lines is None:
        return []
    result = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        match = PREFS_LINE.fullmatch(line.rstrip())
        if not match:
            raise ImportError_(f"{path}:{number}: expected 'NAME  MARKER  VALUE' as qvm-prefs "
                               f"prints it, found {line!r}")
        if match.group(2) == "-":
            result.append((match.group(1), match.group(3) or ""))
    return result


def import_prefs(directory, name, vm):
    path = os.path.join(directory, "prefs", name + ".txt")
    table = CLASS_PROPERTIES[vm["class"]]
    for prop_name, value in parse_prefs_file(path):
        if prop_name == "label":
            vm["label"] = value
            continue
        if prop_name == "uuid":
            vm["uuid"] = value
            continue
        prop = table.get(prop_name)
        if prop is None or not prop.settable or prop.write_once:
            continue
        if prop.kind == "vm" and value == "None":
            value = ""
        vm["properties"][prop_name] = value


def import_global_prefs(directory, state):
    path = os.path.join(directory, "qubes-prefs.txt")
    for prop_name, value in parse_prefs_file(path):
        # The read-only maxmem and no_cpus are the host's memory in MiB and its CPU count.
        if prop_name == "maxmem" and value.isdigit():
            state["hardware"]["memory_mb"] = int(value)
        if prop_name == "no_cpus" and value.isdigit():
            state["hardware"]["cpus"] = int(value)
        prop = GLOBAL_PROPERTIES.get(prop_name)
        if prop is None or not prop.settable:
            continue
        state["global"][prop_name] = "" if prop.kind == "vm" and value == "None" else value


def import_features(directory, name, vm):
    for line in read_lines(os.path.join(directory, "features", name + ".txt")) or []:
        if line.strip():
            parts = line.split(None, 1)
            vm["features"][parts[0]] = parts[1].strip() if len(parts) > 1 else ""


def import_tags(directory, name, vm):
    for line in read_lines(os.path.join(directory, "tags", name + ".txt")) or []:
        if line.strip() and line.strip() not in vm["tags"]:
            vm["tags"].append(line.strip())
    vm["tags"].sort()
