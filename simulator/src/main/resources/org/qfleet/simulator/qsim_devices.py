"""qvm-pci and qvm-device pci: PCI devices of the host's hardware facts and their assignments.

A qube's assignments are stored as vm["devices"]["pci"][DEVID] = {option: value}, where
DEVID is the PCI slot with ":" replaced by "_" (00:14.3 becomes 00_14.3), as Qubes names
dom0's PCI devices. Only persistent assignments are modelled.
"""

import sys

from qsim_cli import make_parser, print_error, print_table
from qsim_model import Model
from qsim_state import EXIT_FAILURE, EXIT_OK, hardware, locked_state


def device_id(device):
    return device["slot"].replace(":", "_")


def assigned_to(model, devid):
    """Return (qube, options) of the qube that has devid assigned, or (None, None)."""
    for name in model.vm_names():
        options = model.vm(name).get("devices", {}).get("pci", {}).get(devid)
        if options is not None:
            return name, options
    return None, None


def qvm_pci(prog, argv):
    return device_main(prog, argv, "pci")


def qvm_device(prog, argv):
    if not argv or argv[0].startswith("-"):
        print(f"{prog}: error: the device class is required; this simulator has: pci", file=sys.stderr)
        return 2
    if argv[0] != "pci":
        print(f"{prog}: error: device class {argv[0]!r} is not simulated; use pci", file=sys.stderr)
        return 2
    return device_main(prog, argv[1:], "pci")


def device_main(prog, argv, device_class):
    parser = make_parser(prog, description=f"List, attach and detach {device_class} devices.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    listing = commands.add_parser("list", aliases=["ls", "l"], help="list the devices (default)")
    listing.add_argument("VMNAME", nargs="*", help="only devices assigned to these qubes")
    attach = commands.add_parser("attach", aliases=["a", "at"], help="assign a device to a qube")
    attach.add_argument("--persistent", "-p", action="store_true",
                        help="keep the assignment across restarts (required here)")
    attach.add_argument("--option", "-o", action="append", default=[], metavar="NAME=VALUE",
                        help="assignment option, e.g. no-strict-reset=True")
    attach.add_argument("--ro", action="store_true", help="accepted, no effect for PCI")
    attach.add_argument("VMNAME")
    attach.add_argument("device", metavar="BACKEND:DEVID")
    detach = commands.add_parser("detach", aliases=["d", "dt"], help="remove a device assignment")
    detach.add_argument("VMNAME")
    detach.add_argument("device", metavar="BACKEND:DEVID")
    args = parser.parse_args(argv)
    command = {"ls": "list", "l": "list", "a": "attach", "at": "attach", "d": "detach",
               "dt": "detach"}.get(args.command, args.command or "list")

    with locked_state(write=command != "list") as state:
        model = Model(state)
        devices = {device_id(device): device for device in hardware(state)["pci_devices"]}
        if command == "list":
            names = getattr(args, "VMNAME", None) or []
            for name in names:
                parser.parse_vm_name(model, name)
            return device_list(model, devices, names)
        name = parser.parse_vm_name(model, args.VMNAME)
        backend, _, devid = args.device.partition(":")
        if backend != "dom0" or devid not in devices:
            parser.error(f"backend vm {backend!r} doesn't expose device {devid!r}")
        assignments = model.vm(name).setdefault("devices", {}).setdefault("pci", {})
        if command == "detach":
            if devid not in assignments:
                # NOTE: the wording of this error is unverified.
                print_error(f"Device {args.device} is not attached to {name}")
                return EXIT_FAILURE
            del assignments[devid]
            return EXIT_OK
        return device_attach(parser, model, name, assignments, devid, args)


def device_attach(parser, model, name, assignments, devid, args):
    options = {}
    for item in args.option:
        if "=" not in item:
            parser.error(f"option must be NAME=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        options[key] = value
    # NOTE: the wording of these errors is unverified.
    if not args.persistent:
        print_error("Only persistent PCI assignment (--persistent) is simulated")
        return EXIT_FAILURE
    holder, _ = assigned_to(model, devid)
    if holder is not None:
        print_error(f"Device dom0:{devid} is already assigned to {holder}")
        return EXIT_FAILURE
    if model.vm(name)["class"] == "AdminVM":
        print_error("Can't attach PCI device to dom0")
        return EXIT_FAILURE
    if model.get(name, "virt_mode")[0] == "pvh":
        print_error("Can't attach PCI device to VM in pvh mode")
        return EXIT_FAILURE
    assignments[devid] = options
    return EXIT_OK


def device_list(model, devices, names):
    # NOTE: the column layout follows the Qubes 4.2 client's list as far as known; the
    # options suffix in USED BY is unverified.
    rows = [["BACKEND:DEVID", "DESCRIPTION", "USED BY"]]
    for devid in sorted(devices):
        device = devices[devid]
        holder, options = assigned_to(model, devid)
        if names and holder not in names:
            continue
        used_by = holder or ""
        if holder and options:
            used_by += " (" + ", ".join(f"{key}={value}" for key, value in sorted(options.items())) + ")"
        description = f"{device['class_name']}: {device['vendor_name']} {device['device_name']}"
        rows.append([f"dom0:{devid}", description, used_by])
    print_table(rows)
    return EXIT_OK
