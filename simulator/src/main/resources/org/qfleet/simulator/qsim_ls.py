"""qvm-ls: the qube table, with its column presets, filters and sorting."""

from qsim_cli import make_parser, print_table
from qsim_model import Model, parse_bool
from qsim_state import EXIT_OK, locked_state

LS_FORMATS = {
    "simple": ["name", "state", "class", "label", "template", "netvm"],
    "network": ["name", "state", "netvm", "ip", "ipback", "gateway"],
    "kernel": ["name", "state", "class", "template", "kernel", "kernelopts"],
    "full": ["name", "state", "class", "label", "qid", "xid", "uuid"],
    "prefs": ["name", "label", "template", "netvm", "vcpus", "memory", "maxmem",
              "kernel", "kernelopts"],
}


def ls_cell(model, name, field):
    """Return the printed value of one qvm-ls column for one qube."""
    vm = model.vm(name)
    if field == "name":
        return name
    if field == "class":
        return vm["class"]
    if field == "state":
        return vm["state"]
    if field == "label":
        return vm["label"]
    if field == "flags":
        return flags(model, name)
    if field == "memory":
        # The MEMORY column is the memory in use, so a halted qube shows 0.
        if vm["state"] == "Halted" or "memory" not in model.properties_of(name):
            return "0"
        return model.get(name, "memory")[0]
    prop_name = field.replace("-", "_")
    if prop_name not in model.properties_of(name):
        return "-"
    value = model.get(name, prop_name)[0]
    if value is None or value == "":
        return "-"
    return value


def qvm_ls(prog, argv):
    parser = make_parser(prog, description="List qubes and their properties.")
    parser.add_argument("--format", "-o", choices=sorted(LS_FORMATS), default="simple",
                        help="preset of columns (default: simple)")
    parser.add_argument("--fields", "-O", help="comma-separated columns to show")
    parser.add_argument("--raw-data", action="store_true",
                        help="print cells separated by '|', with no header")
    parser.add_argument("--raw-list", action="store_true",
                        help="print only qube names, one per line")
    parser.add_argument("--running", action="store_true", help="show running qubes")
    parser.add_argument("--paused", action="store_true", help="show paused qubes")
    parser.add_argument("--halted", action="store_true", help="show halted qubes")
    parser.add_argument("--class", dest="classes", action="append",
                        help="show only qubes of this class")
    parser.add_argument("--all", action="store_true", help="show all qubes (default)")
    add_filter_options(parser)
    parser.add_argument("VMNAME", nargs="*", help="qubes to show (default: all)")
    args = parser.parse_args(argv)

    fields = LS_FORMATS[args.format]
    if args.fields:
        fields = [field.strip().lower() for field in args.fields.split(",") if field.strip()]
    raw = args.raw_data
    if args.raw_list:
        fields = ["name"]
        raw = True

    with locked_state(write=False) as state:
        model = Model(state)
        for name in args.VMNAME:
            parser.parse_vm_name(model, name)
        names = sorted(set(args.VMNAME)) if args.VMNAME else model.vm_names()
        states = set()
        if args.running:
            states.add("Running")
        if args.paused:
            states.add("Paused")
        if args.halted:
            states.add("Halted")
        if states:
            names = [name for name in names if model.vm(name)["state"] in states]
        if args.classes:
            names = [name for name in names if model.vm(name)["class"] in args.classes]
        names = [name for name in names if passes_filters(model, name, args)]
        rows = [[ls_cell(model, name, field) for field in fields] for name in names]
        if args.sort:
            column = args.sort.lower().replace("-", "_")
            key_fields = [field.replace("-", "_") for field in fields]
            if column not in key_fields:
                parser.error(f"--sort {args.sort!r} is not one of the shown columns")
            index = key_fields.index(column)
            rows.sort(key=lambda row: row[index].lower() if args.ignore_case else row[index])
        if args.reverse:
            rows.reverse()

    if raw:
        for row in rows:
            print("|".join(row))
    else:
        header = [field.upper().replace("_", "-") for field in fields]
        print_table([header] + rows)
    return EXIT_OK


POWER_FLAGS = {"Running": "r", "Transient": "t", "Paused": "p", "Suspended": "s",
               "Halting": "h", "Dying": "d", "Crashed": "c", "Halted": "-"}
TYPE_FLAGS = {"AdminVM": "0", "AppVM": "a", "TemplateVM": "t", "StandaloneVM": "s", "DispVM": "d"}


def flags(model, name):
    """Return the FLAGS cell: type (upper case for HVM), power state, then U N R i D A or "-"."""
    vm = model.vm(name)
    props = model.properties_of(name)

    def flag(letter, prop_name):
        if prop_name not in props:
            return "-"
        value = model.get(name, prop_name)[0]
        return letter if value and parse_bool(value) else "-"

    kind = TYPE_FLAGS[vm["class"]]
    if "virt_mode" in props and model.get(name, "virt_mode")[0] == "hvm":
        kind = kind.upper()
    internal = "i" if vm["features"].get("internal") else "-"
    return (kind + POWER_FLAGS.get(vm["state"], "?") + flag("U", "updateable")
            + flag("N", "provides_network") + flag("R", "installed_by_rpm") + internal
            + flag("D", "debug") + flag("A", "autostart"))


def add_filter_options(parser):
    parser.add_argument("--label", nargs="+", metavar="LABEL", help="show qubes with these labels")
    parser.add_argument("--tags", nargs="+", metavar="TAG", help="show qubes with any of these tags")
    parser.add_argument("--exclude-tags", nargs="+", metavar="TAG",
                        help="hide qubes with any of these tags")
    parser.add_argument("--template-source", nargs="+", metavar="TEMPLATE",
                        help="show qubes based on these templates")
    parser.add_argument("--netvm-is", nargs="+", metavar="NETVM",
                        help="show qubes whose netvm is one of these")
    parser.add_argument("--internal", choices=["y", "n", "yes", "no"],
                        help="show only internal (y) or only non-internal (n) qubes")
    parser.add_argument("--servicevm", choices=["y", "n", "yes", "no"],
                        help="show only service qubes (y) or only other qubes (n)")
    parser.add_argument("--features", nargs="+", metavar="FEATURE=VALUE",
                        help="show qubes whose features have these values ('' for unset)")
    parser.add_argument("--prefs", nargs="+", metavar="PROPERTY=VALUE",
                        help="show qubes whose properties have these values")
    parser.add_argument("--sort", metavar="COLUMN", help="sort by this column (default: name)")
    parser.add_argument("--reverse", action="store_true", help="reverse the order")
    parser.add_argument("--ignore-case", action="store_true", help="sort without regard to case")


def passes_filters(model, name, args):
    vm = model.vm(name)
    if args.label and vm["label"] not in args.label:
        return False
    if args.tags and not set(args.tags) & set(vm["tags"]):
        return False
    if args.exclude_tags and set(args.exclude_tags) & set(vm["tags"]):
        return False
    if args.template_source and model.template_of(name) not in args.template_source:
        return False
    if args.netvm_is and model.effective_netvm(name) not in args.netvm_is:
        return False
    for option, feature in ((args.internal, "internal"), (args.servicevm, "servicevm")):
        if option is not None and bool(vm["features"].get(feature)) != option.startswith("y"):
            return False
    for item in args.features or []:
        feature, _, value = item.partition("=")
        if vm["features"].get(feature, "") != value:
            return False
    for item in args.prefs or []:
        prop_name, _, value = item.partition("=")
        prop_name = prop_name.replace("-", "_")
        if prop_name not in model.properties_of(name):
            return False
        actual = model.get(name, prop_name)[0] or ""
        if actual != value and not (value.lower() == "none" and actual == ""):
            return False
    return True
