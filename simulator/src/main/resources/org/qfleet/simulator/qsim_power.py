"""qvm-start, qvm-shutdown, qvm-kill, qvm-pause, qvm-unpause, qvm-remove and qvm-clone.

Power changes take effect at once: a started qube is Running and a shut down
qube is Halted when the tool returns, with no Transient or Halting phase.
"""

import copy
import sys

from qsim_cli import add_vm_list, make_parser, print_error, resolve_vm_list
from qsim_model import (
    GLOBAL_PROPERTIES, Model, PropertyError, parse_bool, validate_vm_name,
)
from qsim_state import EXIT_FAILURE, EXIT_OK, ToolError, hardware, locked_state

# Memory that dom0 keeps for itself, in MiB; qubes start only while the rest fits in host RAM.
DOM0_RESERVED_MB = 4096

ACTIVE_STATES = ("Running", "Paused", "Suspended")


def is_active(model, name):
    return model.vm(name)["state"] in ACTIVE_STATES


# ---------------------------------------------------------------------------
# qvm-start


class StartError(Exception):
    """qubesd's reason why a qube cannot start."""


def qvm_start(prog, argv):
    parser = make_parser(prog, description="Start qubes.")
    parser.add_argument("--skip-if-running", action="store_true",
                        help="do nothing for qubes that are already running")
    media = parser.add_mutually_exclusive_group()
    media.add_argument("--drive", help="attach this drive to the qube (no effect here)")
    media.add_argument("--hddisk", metavar="IMAGE", help="attach this disk image (no effect here)")
    media.add_argument("--cdrom", metavar="IMAGE", help="attach this CD-ROM image (no effect here)")
    media.add_argument("--install-windows-tools", action="store_true",
                       help="attach the Windows tools image (no effect here)")
    add_vm_list(parser)
    args = parser.parse_args(argv)

    failed = 0
    with locked_state(write=True) as state:
        model = Model(state)
        for name in resolve_vm_list(parser, model, args):
            if args.skip_if_running and is_active(model, name):
                continue
            try:
                start_qube(model, name)
            except StartError as error:
                print_error(f"Starting qube failed: {name}: {error}")
                failed += 1
    return EXIT_FAILURE if failed else EXIT_OK


def start_qube(model, name, starting=None):
    """Start a qube and, first, the halted qubes of its netvm chain."""
    vm = model.vm(name)
    # NOTE: a paused qube gets the same message as a running one; the real text is unverified.
    if vm["class"] == "AdminVM" or vm["state"] in ACTIVE_STATES:
        raise StartError("Domain is already running")
    starting = set() if starting is None else starting
    starting.add(name)
    netvm = model.effective_netvm(name)
    if netvm and netvm not in starting and model.has_vm(netvm) and not is_active(model, netvm):
        start_qube(model, netvm, starting)
    memory = int(model.get(name, "memory")[0])
    if used_memory_mb(model) + memory > int(hardware(model.state)["memory_mb"]) - DOM0_RESERVED_MB:
        raise StartError(f"Not enough memory to start domain {name!r}")
    vm["state"] = "Running"


def used_memory_mb(model):
    return sum(int(model.get(name, "memory")[0]) for name in model.vm_names()
               if model.vm(name)["class"] != "AdminVM" and is_active(model, name))


# ---------------------------------------------------------------------------
# qvm-shutdown and qvm-kill


def running_clients(model, name):
    return [other for other in model.vm_names()
            if other != name and is_active(model, other) and model.effective_netvm(other) == name]


def qvm_shutdown(prog, argv):
    parser = make_parser(prog, description="Shut down qubes.")
    parser.add_argument("--wait", action="store_true",
                        help="wait for the qubes to shut down (they halt at once here)")
    parser.add_argument("--timeout", type=float, help="deprecated, no effect")
    parser.add_argument("--force", action="store_true",
                        help="shut down a netvm even while other running qubes use it")
    parser.add_argument("--dry-run", action="store_true", help="change nothing")
    add_vm_list(parser)
    args = parser.parse_args(argv)
    force = args.force or (args.all and not args.exclude)

    with locked_state(write=not args.dry_run) as state:
        model = Model(state)
        names = [name for name in resolve_vm_list(parser, model, args) if is_active(model, name)]
        if args.dry_run:
            return EXIT_OK
        # Shut down what can go down now, then retry the netvms that were still in use:
        # their clients in the same request are halted by then.
        pending = []
        errors = {}
        for name in names:
            error = shutdown_one(model, name, force)
            if error is not None:
                pending.append(name)
                errors[name] = error
        if pending:
            print_error("Retrying shutdown of qubes that were in use ...")
            for name in list(pending):
                error = shutdown_one(model, name, force)
                if error is None:
                    pending.remove(name)
                else:
                    errors[name] = error
        for name in pending:
            print_error(f"Failed to shut down: {name}: {errors[name]}")
        return len(pending)


def shutdown_one(model, name, force):
    """Halt one qube; return qubesd's error message, or None on success."""
    vm = model.vm(name)
    if vm["class"] == "AdminVM":
        # NOTE: the message for dom0 is unverified.
        return "Cannot shutdown dom0"
    clients = running_clients(model, name)
    if clients and not force:
        return f"There are other VMs connected to this VM: {', '.join(clients)}"
    vm["state"] = "Halted"
    return None


def qvm_kill(prog, argv):
    parser = make_parser(prog, description="Kill qubes at once, without a clean shutdown.")
    add_vm_list(parser)
    args = parser.parse_args(argv)
    failed = 0
    with locked_state(write=True) as state:
        model = Model(state)
        for name in resolve_vm_list(parser, model, args):
            vm = model.vm(name)
            if not is_active(model, name):
                continue
            if vm["class"] == "AdminVM":
                # NOTE: the message for dom0 is unverified.
                print_error(f"Failed to kill: {name}: Cannot kill dom0")
                failed += 1
                continue
            vm["state"] = "Halted"
    return failed


# ---------------------------------------------------------------------------
# qvm-pause and qvm-unpause


def qvm_pause(prog, argv):
    parser = make_parser(prog, description="Pause running qubes.")
    parser.add_argument("--suspend", "-S", action="store_true",
                        help="suspend the qubes instead of pausing them")
    add_vm_list(parser)
    args = parser.parse_args(argv)
    failed = 0
    with locked_state(write=True) as state:
        model = Model(state)
        for name in resolve_vm_list(parser, model, args):
            vm = model.vm(name)
            if vm["state"] != "Running" or vm["class"] == "AdminVM":
                print_error(f"Failed to pause: {name}: Domain not running "
                            f"(either powered off or paused): {name!r}")
                failed += 1
                continue
            vm["state"] = "Suspended" if args.suspend else "Paused"
    return EXIT_FAILURE if failed else EXIT_OK


def qvm_unpause(prog, argv):
    parser = make_parser(prog, description="Resume paused or suspended qubes.")
    add_vm_list(parser)
    args = parser.parse_args(argv)
    failed = 0
    with locked_state(write=True) as state:
        model = Model(state)
        for name in resolve_vm_list(parser, model, args):
            vm = model.vm(name)
            if vm["state"] not in ("Paused", "Suspended"):
                print_error(f"Failed to unpause/resume: {name}: Domain is not paused: {name!r}")
                failed += 1
                continue
            vm["state"] = "Running"
    return EXIT_FAILURE if failed else EXIT_OK


# ---------------------------------------------------------------------------
# qvm-remove


def qvm_remove(prog, argv):
    parser = make_parser(prog, description="Remove qubes.")
    parser.add_argument("--force", "-f", action="store_true", help="do not ask for confirmation")
    add_vm_list(parser)
    args = parser.parse_args(argv)

    with locked_state(write=True) as state:
        model = Model(state)
        names = resolve_vm_list(parser, model, args)
        if "dom0" in names:
            print("Domain 'dom0' cannot be removed.", file=sys.stderr)
            return EXIT_FAILURE
        if not args.force:
            print("This will completely remove the selected VM(s)...")
            for name in names:
                print(f"  {name}")
            sys.stdout.write("Are you sure? [y/N] ")
            sys.stdout.flush()
            answer = sys.stdin.readline().strip().lower()
            if answer not in ("y", "yes"):
                print("Remove cancelled.")
                return EXIT_FAILURE
        for name in names:
            vm = model.vm(name)
            if vm["state"] != "Halted":
                raise ToolError(f"Domain is not powered off: {name!r}")
            uses = usages_of(model, name)
            if uses:
                print(f"VM {name} cannot be removed. It is in use as:", file=sys.stderr)
                for use in uses:
                    print(f" - {use}", file=sys.stderr)
                raise ToolError(f"Domain is in use: {name!r};  see 'journalctl -u qubesd -e' "
                                "in dom0 for details")
            if parse_bool(vm["properties"].get("installed_by_rpm", "False")):
                raise ToolError(f"VM installed by package manager: {name}")
            del model.state["vms"][name]
    return EXIT_OK


def usages_of(model, name):
    """Return the explicitly set qube and global properties whose value is qube name."""
    uses = []
    for holder in model.vm_names():
        if holder == name:
            continue
        props = model.properties_of(holder)
        for prop_name, value in sorted(model.vm(holder)["properties"].items()):
            if prop_name in props and props[prop_name].kind == "vm" and value == name:
                uses.append(f"{prop_name} for {holder}")
    for prop_name, value in sorted(model.state["global"].items()):
        if prop_name in GLOBAL_PROPERTIES and GLOBAL_PROPERTIES[prop_name].kind == "vm" \
                and value == name:
            uses.append(f"global property {prop_name}")
    return uses


# ---------------------------------------------------------------------------
# qvm-clone


def qvm_clone(prog, argv):
    parser = make_parser(prog, description="Clone a qube.")
    parser.add_argument("--class", "-C", dest="cls", help="class of the clone (default: the source's)")
    parser.add_argument("--ignore-errors", action="store_true",
                        help="keep going when a property cannot be copied")
    pools = parser.add_mutually_exclusive_group()
    pools.add_argument("-P", dest="pool", metavar="POOL", help="storage pool of every volume")
    pools.add_argument("--pool", "-p", dest="pools", action="append", default=[],
                       metavar="VOLUME=POOL", help="storage pool of one volume")
    parser.add_argument("VMNAME", help="qube to clone")
    parser.add_argument("NEWVM", help="name of the clone")
    args = parser.parse_args(argv)
    for pool in args.pools:
        if "=" not in pool:
            parser.error("Pool argument must be of form: -p volume_name=pool_name")

    with locked_state(write=True) as state:
        model = Model(state)
        source_name = parser.parse_vm_name(model, args.VMNAME)
        source = model.vm(source_name)
        if source["class"] == "AdminVM":
            # NOTE: the message for dom0 is unverified.
            raise ToolError("Cannot clone dom0")
        try:
            validate_vm_name(args.NEWVM)
        except PropertyError as error:
            raise ToolError(str(error)) from None
        if model.has_vm(args.NEWVM):
            raise ToolError(f"Qube already exists: {args.NEWVM}")
        clone = copy.deepcopy(source)
        clone["class"] = args.cls or source["class"]
        clone["state"] = "Halted"
        clone["qid"] = model.next_qid()
        clone.pop("uuid", None)
        model.state["vms"][args.NEWVM] = clone
    return EXIT_OK
