"""qvm-service, qvm-firewall and qvm-volume."""

import re
import socket
import sys
import time

from qsim_cli import make_parser, print_error, print_table
from qsim_model import Model, PropertyError, parse_bool
from qsim_state import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, ToolError, locked_state

# ---------------------------------------------------------------------------
# qvm-service

SERVICE_PREFIX = "service."
SERVICE_TRUE = ("on", "1", "yes", "true")
SERVICE_FALSE = ("off", "0", "no", "false")


def qvm_service(prog, argv):
    parser = make_parser(prog, description="Manage qube services (features named service.NAME).")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--list", "-l", action="store_true", help="list the services")
    action.add_argument("--enable", "-e", action="store_true", help="enable the service")
    action.add_argument("--disable", "-d", action="store_true", help="disable the service")
    action.add_argument("--unset", "--default", "--delete", "-D", dest="unset",
                        action="store_true", help="remove the service setting")
    parser.add_argument("VMNAME", help="qube name")
    parser.add_argument("SERVICE", nargs="?", help="service name")
    parser.add_argument("VALUE", nargs="?", help="on or off")
    # Intermixed parsing lets options follow VMNAME, as in "qvm-service work -e cups".
    args = parser.parse_intermixed_args(argv)
    changing = args.enable or args.disable or args.unset
    if changing and args.SERVICE is None:
        parser.error("--enable, --disable and --unset need a SERVICE")
    if changing and args.VALUE is not None:
        parser.error("a VALUE cannot be given with --enable, --disable or --unset")
    writing = changing or args.VALUE is not None

    with locked_state(write=writing) as state:
        model = Model(state)
        name = parser.parse_vm_name(model, args.VMNAME)
        features = model.vm(name)["features"]
        if args.list or args.SERVICE is None:
            rows = [(key[len(SERVICE_PREFIX):], "on" if value else "off")
                    for key, value in sorted(features.items()) if key.startswith(SERVICE_PREFIX)]
            print_table(rows)
            return EXIT_OK
        key = SERVICE_PREFIX + args.SERVICE
        if args.enable:
            features[key] = "1"
        elif args.disable:
            features[key] = ""
        elif args.unset:
            features.pop(key, None)
        elif args.VALUE is not None:
            lowered = args.VALUE.lower()
            if lowered not in SERVICE_TRUE + SERVICE_FALSE:
                raise ToolError(f"Invalid literal for boolean value: {args.VALUE!r}")
            features[key] = "1" if lowered in SERVICE_TRUE else ""
        elif key in features:
            print("on" if features[key] else "off")
        else:
            return EXIT_FAILURE
    return EXIT_OK


# ---------------------------------------------------------------------------
# qvm-firewall

RULE_KEYS = ("action", "dsthost", "dst4", "dst6", "proto", "dstports", "icmptype",
             "specialtarget", "expire", "comment")
# The order in which qubesadmin's Rule.rule writes a rule, as `qvm-firewall --raw` prints it.
RAW_KEYS = ("action", "proto", "dsthost", "dst4", "dst6", "dstports", "icmptype",
            "specialtarget", "expire", "comment")
# Keys that the positional form "ACTION [HOST [PROTO [PORTS]]]" fills in order.
POSITIONAL_RULE_KEYS = ("action", "dsthost", "proto", "dstports")
HOST_PATTERN = re.compile(r"[a-zA-Z0-9.:/_-]+")


class RuleError(Exception):
    """A firewall rule that qubesd would reject."""


def parse_rule(tokens):
    """Parse RULE tokens ("key=value" or positional) into a rule dict in API key order."""
    rule = {}
    positional = list(POSITIONAL_RULE_KEYS)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.startswith("comment="):
            # The comment takes the rest of the rule, spaces included.
            rule["comment"] = " ".join([token[len("comment="):]] + tokens[index + 1:])
            break
        if "=" in token:
            key, value = token.split("=", 1)
            if key not in RULE_KEYS:
                raise RuleError(f"Unknown rule option: {key}")
            if key in positional:
                positional.remove(key)
        else:
            if not positional:
                raise RuleError(f"Unexpected rule argument: {token}")
            key, value = positional.pop(0), token
        if key in rule:
            raise RuleError(f"Option {key} given twice")
        rule[key] = value
        index += 1
    validate_rule(rule)
    return {key: rule[key] for key in RULE_KEYS if key in rule}


def validate_rule(rule):
    # NOTE: the texts of these rule errors are this simulator's own; qubesd's wording is unverified.
    if "action" not in rule:
        raise RuleError("Rule must have an action: accept or drop")
    if rule["action"] not in ("accept", "drop"):
        raise RuleError(f"Invalid action: {rule['action']}; use accept or drop")
    hosts = [key for key in ("dsthost", "dst4", "dst6") if key in rule]
    if len(hosts) > 1:
        raise RuleError("Only one of dsthost, dst4 and dst6 may be given")
    for key in hosts:
        if not HOST_PATTERN.fullmatch(rule[key]):
            raise RuleError(f"Invalid {key}: {rule[key]}")
        normalise_host(rule, key)
    proto = rule.get("proto")
    if proto is not None and proto not in ("tcp", "udp", "icmp"):
        raise RuleError(f"Invalid protocol: {proto}; use tcp, udp or icmp")
    if "dstports" in rule:
        if proto not in ("tcp", "udp"):
            raise RuleError("dstports is valid only with proto=tcp or proto=udp")
        rule["dstports"] = normalise_ports(rule["dstports"])
    if "icmptype" in rule:
        if proto != "icmp":
            raise RuleError("icmptype is valid only with proto=icmp")
        if not rule["icmptype"].isdigit() or int(rule["icmptype"]) > 255:
            raise RuleError(f"Invalid icmptype: {rule['icmptype']}")
    if "specialtarget" in rule and rule["specialtarget"] != "dns":
        raise RuleError(f"Invalid specialtarget: {rule['specialtarget']}; use dns")
    if "expire" in rule:
        expire = rule["expire"]
        if expire.startswith("+") and expire[1:].isdigit():
            rule["expire"] = str(int(time.time()) + int(expire[1:]))
        elif not expire.isdigit():
            raise RuleError(f"Invalid expire: {expire}; use +SECONDS or a Unix time")


def normalise_host(rule, key):
    """Store an IP address or network as qubesadmin does: dst4 or dst6 with a prefix length."""
    value = rule.pop(key)
    address, _, prefix = value.partition("/")
    for family, kind, length in ((socket.AF_INET, "dst4", 32), (socket.AF_INET6, "dst6", 128)):
        try:
            socket.inet_pton(family, address)
        except OSError:
            continue
        rule[kind] = f"{address}/{prefix or length}"
        return
    if key != "dsthost" or prefix:
        raise RuleError(f"Invalid IP address: {address}")
    rule[key] = value


def normalise_ports(text):
    """Return a port range as the API writes it, "N-M" (also for one port)."""
    match = re.fullmatch(r"(\d+)(?:-(\d+))?", text)
    if not match:
        raise RuleError(f"Invalid port range: {text}")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if not 1 <= first <= last <= 65535:
        raise RuleError(f"Invalid port range: {text}")
    return f"{first}-{last}"


def rule_text(rule):
    return " ".join(f"{key}={rule[key]}" for key in RAW_KEYS if key in rule)


def rule_row(number, rule):
    ports = rule.get("dstports", "")
    if ports:
        first, last = ports.split("-")
        ports = first if first == last else ports
    host = rule.get("dsthost") or rule.get("dst4") or rule.get("dst6") or ""
    cells = [str(number), rule["action"], host, rule.get("proto", ""), ports,
             rule.get("specialtarget", ""), rule.get("icmptype", ""), rule.get("expire", ""),
             rule.get("comment", "")]
    return [cell or "-" for cell in cells]


DEFAULT_RULES = [{"action": "accept"}]


def qvm_firewall(prog, argv):
    parser = make_parser(prog, description="Manage a qube's firewall rules.")
    parser.add_argument("--reload", "-r", action="store_true",
                        help="reload the rules in the qube (no effect here)")
    parser.add_argument("--raw", action="store_true", help="print rules as the API writes them")
    parser.add_argument("VMNAME", help="qube name")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add = commands.add_parser("add", help="add a rule")
    add.add_argument("--before", type=int, metavar="N", help="insert before rule number N")
    add.add_argument("rule", nargs="+", metavar="RULE")
    delete = commands.add_parser("del", help="remove a rule")
    delete.add_argument("--rule-no", type=int, metavar="N", help="number of the rule to remove")
    delete.add_argument("rule", nargs="*", metavar="RULE")
    commands.add_parser("list", help="list the rules (default)")
    commands.add_parser("reset", help="replace the rules with a single accept rule")
    args = parser.parse_args(argv)
    command = args.command or "list"
    if command == "del" and (args.rule_no is None) == (not args.rule):
        parser.error("del needs either --rule-no N or a RULE")

    with locked_state(write=command != "list") as state:
        model = Model(state)
        name = parser.parse_vm_name(model, args.VMNAME)
        vm = model.vm(name)
        rules = vm.get("firewall", [dict(rule) for rule in DEFAULT_RULES])
        try:
            if command == "add":
                rule = parse_rule(args.rule)
                position = len(rules) if args.before is None else args.before
                if not 0 <= position <= len(rules):
                    raise RuleError(f"Rule number {position} out of range")
                rules.insert(position, rule)
            elif command == "del":
                if args.rule_no is not None:
                    if not 0 <= args.rule_no < len(rules):
                        raise RuleError(f"Rule number {args.rule_no} out of range")
                    del rules[args.rule_no]
                else:
                    rule = parse_rule(args.rule)
                    if rule not in rules:
                        raise RuleError("Rule not found")
                    rules.remove(rule)
            elif command == "reset":
                rules = [dict(rule) for rule in DEFAULT_RULES]
        except RuleError as error:
            print_error(str(error))
            return EXIT_FAILURE
        if command != "list":
            vm["firewall"] = rules
            return EXIT_OK
    if args.raw:
        for rule in rules:
            print(rule_text(rule))
        return EXIT_OK
    header = ["NO", "ACTION", "HOST", "PROTOCOL", "PORT(S)", "SPECIAL TARGET", "ICMP TYPE",
              "EXPIRE", "COMMENT"]
    print_table([header] + [rule_row(number, rule) for number, rule in enumerate(rules)])
    return EXIT_OK


# ---------------------------------------------------------------------------
# qvm-volume

GIB = 1024 ** 3
VOLUME_KEYS = ("pool", "vid", "rw", "source", "save_on_stop", "snap_on_start", "size", "usage",
               "revisions_to_keep", "ephemeral", "is_outdated")
SIZE_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": GIB, "t": 1024 ** 4,
              "kib": 1024, "mib": 1024 ** 2, "gib": GIB, "tib": 1024 ** 4,
              "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3, "tb": 1000 ** 4}


def volume_names(vm_class):
    if vm_class == "AdminVM":
        return []
    return ["kernel", "private", "root", "volatile"]


def volume_info(model, name, volume):
    """Return a qube volume's properties as the strings that qvm-volume info prints."""
    vm = model.vm(name)
    cls = vm["class"]
    pool = model.get_global("default_pool")[0]
    info = {
        "pool": pool, "vid": f"qubes_dom0/vm-{name}-{volume}", "rw": "True", "source": "",
        "save_on_stop": "False", "snap_on_start": "False", "size": "0", "usage": "0",
        "revisions_to_keep": "2", "ephemeral": "False", "is_outdated": "False",
    }
    template = model.template_of(name)
    if volume == "private":
        info["size"] = str(2 * GIB)
        if cls == "DispVM" and template:
            info.update(snap_on_start="True", source=f"qubes_dom0/vm-{template}-private",
                        revisions_to_keep="0")
        else:
            info["save_on_stop"] = "True"
    elif volume == "root":
        info["size"] = str(20 * GIB)
        if template:
            root_owner = model.template_of(template) if cls == "DispVM" else template
            info.update(snap_on_start="True", source=f"qubes_dom0/vm-{root_owner}-root",
                        revisions_to_keep="0")
        else:
            info["save_on_stop"] = "True"
    elif volume == "volatile":
        info.update(size=str(10 * GIB), revisions_to_keep="0")
    elif volume == "kernel":
        info.update(pool="linux-kernel", vid=model.get(name, "kernel")[0] or "", rw="False",
                    revisions_to_keep="0")
    info.update(vm.get("volumes", {}).get(volume, {}))
    if vm["state"] != "Halted" and volume != "kernel":
        info["usage"] = str(int(info["size"]) // 10)
    return info


def parse_size(text):
    match = re.fullmatch(r"(\d+)\s*([a-zA-Z]*)", text.strip())
    if not match or match.group(2).lower() not in SIZE_UNITS:
        return None
    return int(match.group(1)) * SIZE_UNITS[match.group(2).lower()]


def qvm_volume(prog, argv):
    parser = make_parser(prog, description="Manage qube volumes.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    info = commands.add_parser("info", aliases=["i"], help="show a volume's properties")
    info.add_argument("volume", metavar="VM:VOLUME")
    info.add_argument("property", nargs="?", metavar="PROPERTY")
    config = commands.add_parser("config", aliases=["c", "set", "s"], help="set a volume property")
    config.add_argument("volume", metavar="VM:VOLUME")
    config.add_argument("property", metavar="PROPERTY")
    config.add_argument("value", metavar="VALUE")
    resize = commands.add_parser("resize", aliases=["extend"], help="change a volume's size")
    resize.add_argument("volume", metavar="VM:VOLUME")
    resize.add_argument("size", metavar="SIZE", help="bytes, or a number with K, M, G or T")
    resize.add_argument("--force", "-f", action="store_true", help="allow shrinking")
    listing = commands.add_parser("list", aliases=["ls", "l"], help="list volumes (default)")
    listing.add_argument("-p", "--pool", help="only volumes in this pool")
    listing.add_argument("--full", action="store_true", help="print full volume IDs")
    listing.add_argument("--all", action="store_true", help="list the volumes of every qube")
    listing.add_argument("VMNAME", nargs="*")
    args = parser.parse_args(argv)
    command = {"i": "info", "c": "config", "set": "config", "s": "config",
               "extend": "resize", "ls": "list", "l": "list"}.get(args.command, args.command)
    if command is None:
        args = parser.parse_args(argv + ["list"])
        command = "list"

    if command == "list":
        return volume_list(parser, args)
    if ":" not in args.volume:
        parser.error("expected a vm & volume combination like foo:bar")
    vm_name, volume = args.volume.split(":", 1)
    with locked_state(write=command != "info") as state:
        model = Model(state)
        if not model.has_vm(vm_name):
            raise ToolError(f"no vm {vm_name!r}")
        if volume not in volume_names(model.vm(vm_name)["class"]):
            raise ToolError(f"vm {vm_name!r} has no volume {volume!r}")
        current = volume_info(model, vm_name, volume)
        overrides = model.vm(vm_name).setdefault("volumes", {}).setdefault(volume, {})
        if command == "info":
            return volume_show(current, args.property)
        if command == "resize":
            size = parse_size(args.size)
            if size is None:
                parser.error(f"invalid size: {args.size!r}; use bytes or a number with K, M, G or T")
            if size < int(current["size"]) and not args.force:
                # NOTE: the wording of this refusal is unverified.
                print_error(f"For your own safety, shrinking of {volume} is disabled "
                            f"({current['size']} to {size} bytes); use --force to shrink it")
                return EXIT_FAILURE
            overrides["size"] = str(size)
            return EXIT_OK
        return volume_config(overrides, args.property, args.value)


def volume_show(info, prop):
    if prop is not None:
        if prop == "revisions":
            return EXIT_OK
        if prop not in info:
            print_error(f"Invalid property: {prop}")
            return EXIT_FAILURE
        print(volume_value(prop, info[prop]))
        return EXIT_OK
    print_table([(key, volume_value(key, info[key])) for key in VOLUME_KEYS])
    print("List of available revisions (for revert): none")
    return EXIT_OK


def volume_value(key, value):
    if key == "revisions_to_keep" and value == "-1":
        return "-1 (snapshot disabled)"
    return value


def volume_config(overrides, prop, value):
    try:
        if prop == "revisions_to_keep":
            if not re.fullmatch(r"-?\d+", value) or int(value) < -1:
                raise PropertyError("Invalid value for revisions_to_keep")
            overrides[prop] = str(int(value))
        elif prop in ("rw", "ephemeral"):
            overrides[prop] = str(parse_bool(value))
        else:
            raise PropertyError(f"Invalid property: {prop}")
    except PropertyError as error:
        print_error(str(error))
        return EXIT_FAILURE
    return EXIT_OK


def volume_list(parser, args):
    with locked_state(write=False) as state:
        model = Model(state)
        names = args.VMNAME or model.vm_names()
        for name in names:
            parser.parse_vm_name(model, name)
        rows = []
        for name in names:
            for volume in volume_names(model.vm(name)["class"]):
                info = volume_info(model, name, volume)
                if args.pool and info["pool"] != args.pool:
                    continue
                rows.append([f"{info['pool']}:{info['vid']}", name, volume, "No"])
    rows.sort()
    print_table([["POOL:VOLUME", "VMNAME", "VOLUME_NAME", "REVERT_POSSIBLE"]] + rows)
    return EXIT_OK
