"""qvm-check, qvm-prefs, qubes-prefs, qvm-create, qvm-features, qvm-tags and qvm-template."""

import argparse
import contextlib
import datetime
import fcntl
import fnmatch
import json
import os
import re
import string
import sys
import tempfile
import uuid

from qsim_state import *  # noqa: F401,F403
from qsim_model import *  # noqa: F401,F403
from qsim_cli import *  # noqa: F401,F403

# ---------------------------------------------------------------------------
# qvm-check


def qvm_check(prog, argv):
    parser = make_parser(prog, description="Check existence and state of a qube.")
    parser.add_argument("--running", action="store_true", help="check that the qube is running")
    parser.add_argument("--paused", action="store_true", help="check that the qube is paused")
    parser.add_argument("--template", action="store_true", help="check that the qube is a template")
    parser.add_argument("--networked", action="store_true",
                        help="check that the qube has network access")
    parser.add_argument("VMNAME", nargs="+", help="qube names")
    args = parser.parse_args(argv)

    # NOTE: --quiet silences every message here, "non-existent!" included; whether the real
    # tool still prints that warning under --quiet is unverified.
    with locked_state(write=False) as state:
        model = Model(state)
        missing = [name for name in args.VMNAME if not model.has_vm(name)]
        existing = [name for name in args.VMNAME if model.has_vm(name)]
        for name in missing:
            log(prog, f"{name}: non-existent!", args)
        if missing:
            return EXIT_FAILURE

        checks = []
        if args.running:
            checks.append(("running", lambda vm: model.vm(vm)["state"] == "Running"))
        if args.paused:
            checks.append(("paused", lambda vm: model.vm(vm)["state"] == "Paused"))
        if args.template:
            checks.append(("template", lambda vm: model.vm(vm)["class"] == "TemplateVM"))
        if args.networked:
            checks.append(("networked", lambda vm: is_networked(model, vm)))
        if not checks:
            log(prog, f"{', '.join(existing)}: exists", args)
            return EXIT_OK

        passing = [vm for vm in existing if all(check(vm) for _, check in checks)]
        filter_names = ", ".join(name for name, _ in checks)
        if not passing:
            log(prog, f"None of qubes: {filter_names}", args)
            return EXIT_FAILURE
        log(prog, f"{', '.join(passing)}: {filter_names}", args)
        return EXIT_OK if len(passing) == len(existing) else 3


def is_networked(model, name):
    if "provides_network" in model.properties_of(name) and parse_bool(
        model.get(name, "provides_network")[0]
    ):
        return True
    return model.effective_netvm(name) != ""


# ---------------------------------------------------------------------------
# qvm-prefs and qubes-prefs


def prefs_parser(prog, global_prefs):
    parser = make_parser(
        prog,
        description="Manage global properties." if global_prefs else "Manage qube properties.",
    )
    parser.add_argument("--hide-default", action="store_true",
                        help="do not show properties that have their default value")
    parser.add_argument("--default", "-D", action="store_true",
                        help="reset the property to its default value")
    parser.add_argument("--get", "-g", action="store_true", help="read the property (default)")
    parser.add_argument("--set", "-s", action="store_true", help="set the property")
    if not global_prefs:
        parser.add_argument("VMNAME", help="qube name")
    parser.add_argument("PROPERTY", nargs="?", help="property name")
    parser.add_argument("VALUE", nargs="?", help="new value of the property")
    return parser


def format_list_value(prop, value):
    if prop.kind == "vm" and value == "":
        return "None"
    return value


def prefs_main(prog, argv, global_prefs):
    parser = prefs_parser(prog, global_prefs)
    args = parser.parse_args(argv)
    if args.default and args.VALUE is not None:
        parser.error("--default and a VALUE cannot be used together")
    if args.default and args.PROPERTY is None:
        parser.error("--default requires a PROPERTY")
    writing = args.default or args.VALUE is not None

    with locked_state(write=writing) as state:
        model = Model(state)
        if global_prefs:
            table = GLOBAL_PROPERTIES
            getter = model.get_global
        else:
            vm_name = parser.parse_vm_name(model, args.VMNAME)
            table = model.properties_of(vm_name)

            def getter(prop_name):
                return model.get(vm_name, prop_name)

        if args.PROPERTY is None:
            rows = []
            for prop_name in sorted(table):
                value, is_default = getter(prop_name)
                if value is None:
                    rows.append((prop_name, "U", ""))
                elif not (is_default and args.hide_default):
                    rows.append((prop_name, "D" if is_default else "-",
                                 format_list_value(table[prop_name], value)))
            width = max((len(row[0]) for row in rows), default=0)
            for prop_name, marker, value in rows:
                print(f"{prop_name.ljust(width)}  {marker}  {value}".rstrip())
            return EXIT_OK

        prop_name = normalise_property_name(args.PROPERTY)
        if prop_name not in table:
            parser.error(f"no such property: {args.PROPERTY!r}")
        try:
            if args.default:
                if global_prefs:
                    model.reset_global(prop_name)
                else:
                    model.reset(vm_name, prop_name)
            elif args.VALUE is not None:
                value = args.VALUE
                is_vm = table[prop_name].kind == "vm"
                if is_vm and value.lower() == "none" and (
                    global_prefs or prop_name in NONE_ALIASED_VM_PROPERTIES
                ):
                    value = ""
                if global_prefs:
                    model.set_global(prop_name, value)
                else:
                    model.set(vm_name, prop_name, value)
            else:
                value, is_default = getter(prop_name)
                no_qube = table[prop_name].kind == "vm" and value == ""
                if value is not None and not no_qube and not (is_default and args.hide_default):
                    print(value)
        except PropertyError as error:
            raise ToolError(str(error)) from None
    return EXIT_OK


# ---------------------------------------------------------------------------
# qvm-create


def qvm_create(prog, argv):
    parser = make_parser(prog, description="Create a new qube.")
    parser.add_argument("--class", "-C", dest="cls", default="AppVM",
                        help="class of the new qube (default: AppVM)")
    parser.add_argument("--standalone", action="store_true",
                        help="create a StandaloneVM (same as --class StandaloneVM)")
    parser.add_argument("--disp", action="store_true",
                        help="create a DispVM (same as --class DispVM, label red by default)")
    parser.add_argument("--property", "--prop", action="append", default=[],
                        metavar="NAME=VALUE", help="set a property of the new qube")
    parser.add_argument("--pool", "-p", action="append", default=[], metavar="VOLUME=POOL",
                        help="storage pool of one volume")
    parser.add_argument("-P", dest="default_pool", metavar="POOL",
                        help="storage pool of every volume")
    parser.add_argument("--template", "-t", help="template of the new qube")
    parser.add_argument("--label", "-l", help="label of the new qube")
    parser.add_argument("--root-copy-from", "-r", metavar="FILENAME",
                        help="copy the root image from this file")
    parser.add_argument("--root-move-from", "-R", metavar="FILENAME",
                        help="move the root image from this file")
    parser.add_argument("VMNAME", nargs="?", help="name of the new qube")
    args = parser.parse_args(argv)

    cls = args.cls
    if args.standalone:
        cls = "StandaloneVM"
    if args.disp:
        cls = "DispVM"
        if args.label is None:
            args.label = "red"
    if args.VMNAME is None:
        parser.error("VMNAME is mandatory")
    if args.label is None:
        parser.error("--label option is mandatory")
    if args.label not in LABELS:
        parser.error(f"no such label: {args.label!r}; available: {', '.join(LABELS)}")
    for pool in args.pool:
        if "=" not in pool:
            parser.error("Pool argument must be of form: -p volume_name=pool_name")
    if (args.root_copy_from or args.root_move_from) and cls in ("AppVM", "DispVM"):
        parser.error("--root-copy-from and --root-move-from are useless for AppVM and DispVM")
    properties = []
    for item in args.property:
        if "=" not in item:
            parser.error(f"Property argument must be of form: NAME=VALUE, got {item!r}")
        name, value = item.split("=", 1)
        properties.append((normalise_property_name(name), value))

    with locked_state(write=True) as state:
        model = Model(state)
        try:
            template = create_qube(model, cls, args.VMNAME, args.label, args.template)
        except PropertyError as error:
            log("app", f"Error creating VM: {error}")
            return EXIT_FAILURE
        name = args.VMNAME
        for prop_name, value in properties:
            try:
                if value.lower() == "none" and prop_name in NONE_ALIASED_VM_PROPERTIES:
                    value = ""
                model.set(name, prop_name, value)
            except NoSuchProperty:
                log("app", f"Error setting property {prop_name} (but VM created): "
                           f"no such property: {prop_name!r}")
                return EXIT_USAGE
            except PropertyError as error:
                log("app", f"Error setting property {prop_name} (but VM created): {error}")
                return EXIT_USAGE
        if template is not None and cls in ("StandaloneVM", "TemplateVM"):
            # A standalone or template created from a template is a clone of it; only
            # the qube's features are modelled, so copy those.
            cloned = dict(model.vm(template)["features"])
            cloned.pop("template-name", None)
            model.vm(name)["features"].update(cloned)
    return EXIT_OK


def create_qube(model, cls, name, label, template):
    """Add a qube to the model; return the template given, or None.

    Raises PropertyError with qubesd's message when the qube cannot be created.
    """
    if cls not in VM_CLASSES:
        raise PropertyError("Got empty response from qubesd. See journalctl in dom0 for details.")
    validate_vm_name(name)
    if model.has_vm(name):
        raise PropertyError(f"Qube already exists: {name}")
    if template is not None:
        if not model.has_vm(template):
            raise PropertyError(f"No such domain: {template!r}")
        template_class = model.vm(template)["class"]
        expected = {"AppVM": "TemplateVM", "DispVM": "AppVM"}.get(cls)
        if expected and template_class != expected:
            raise PropertyError(
                f"wrong VM class: domains['{template}'] is of type {template_class} "
                f"and not {expected}"
            )
        if cls == "DispVM" and not parse_bool(model.get(template, "template_for_dispvms")[0]):
            raise PropertyError("template for disposable must have template_for_dispvms=True")
    elif cls == "AppVM":
        template = model.get_global("default_template")[0]
        if not template:
            raise PropertyError("No default template set; use --template")
    elif cls == "DispVM":
        template = model.get_global("default_dispvm")[0]
        if not template:
            raise PropertyError("No default disposable template set; use --template")
    vm = new_vm(cls, label, model.next_qid())
    if cls in ("AppVM", "DispVM"):
        vm["properties"]["template"] = template
    model.state["vms"][name] = vm
    return template


# ---------------------------------------------------------------------------
# qvm-features


FEATURE_NAME = re.compile(r"[a-zA-Z0-9_.-]+")


def qvm_features(prog, argv):
    parser = make_parser(prog, description="Manage qube features.")
    parser.add_argument("--unset", "--default", "--delete", "-D", dest="unset",
                        action="store_true", help="remove the feature")
    parser.add_argument("VMNAME", help="qube name")
    parser.add_argument("FEATURE", nargs="?", help="feature name")
    parser.add_argument("VALUE", nargs="?", help="new value of the feature")
    args = parser.parse_args(argv)
    if args.unset and args.FEATURE is None:
        parser.error("--unset requires a feature")
    if args.unset and args.VALUE is not None:
        parser.error("cannot both set and unset a value")
    writing = args.unset or args.VALUE is not None

    with locked_state(write=writing) as state:
        model = Model(state)
        name = parser.parse_vm_name(model, args.VMNAME)
        features = model.vm(name)["features"]
        if args.FEATURE is None:
            print_table([(key, features[key]) for key in sorted(features)])
            return EXIT_OK
        if not FEATURE_NAME.fullmatch(args.FEATURE):
            raise ToolError(f"Invalid feature name: {args.FEATURE!r}")
        if args.unset:
            features.pop(args.FEATURE, None)
        elif args.VALUE is not None:
            if any(char not in string.printable or char in "\t\n\r\x0b\x0c"
                   for char in args.VALUE):
                raise ToolError(f"Invalid value of feature {args.FEATURE!r}: only printable "
                                "ASCII characters are allowed")
            features[args.FEATURE] = args.VALUE
        elif args.FEATURE in features:
            print(features[args.FEATURE])
        else:
            return EXIT_FAILURE
    return EXIT_OK


# ---------------------------------------------------------------------------
# qvm-tags


TAG_CHARACTERS = string.ascii_letters + string.digits + "-_"


def validate_tag(tag):
    if not tag:
        raise ToolError("tag cannot be empty")
    if any(char not in TAG_CHARACTERS for char in tag):
        raise ToolError(f"disallowed characters in tag {tag!r}")


def qvm_tags(prog, argv):
    parser = make_parser(prog, description="Manage qube tags.")
    parser.add_argument("VMNAME", help="qube name")
    parser.add_argument("COMMAND", nargs="?", default="list",
                        choices=["list", "ls", "l", "add", "a", "set", "del", "d", "unset", "u"],
                        help="what to do (default: list)")
    parser.add_argument("TAG", nargs="*", help="tags")
    args = parser.parse_args(argv)
    command = {"ls": "list", "l": "list", "a": "add", "set": "add", "d": "del",
               "unset": "del", "u": "del"}.get(args.COMMAND, args.COMMAND)
    if command == "list" and len(args.TAG) > 1:
        parser.error("list accepts at most one TAG")
    if command in ("add", "del") and not args.TAG:
        parser.error(f"{args.COMMAND} requires at least one TAG")

    with locked_state(write=command != "list") as state:
        model = Model(state)
        name = parser.parse_vm_name(model, args.VMNAME)
        tags = set(model.vm(name)["tags"])
        if command == "list":
            if args.TAG:
                if args.TAG[0] not in tags:
                    return EXIT_FAILURE
                print(args.TAG[0])
            else:
                for tag in sorted(tags):
                    print(tag)
            return EXIT_OK
        for tag in args.TAG:
            validate_tag(tag)
        if command == "add":
            tags.update(args.TAG)
        else:
            tags.difference_update(args.TAG)
        model.vm(name)["tags"] = sorted(tags)
    return EXIT_OK


# ---------------------------------------------------------------------------
# qvm-template


def add_repo_options(parser, prefix):
    parser.add_argument("--repoid", dest=prefix + "repoid", action="append", default=[],
                        metavar="REPOID", help="use only this repository (repeatable)")
    parser.add_argument("--enablerepo", dest=prefix + "enablerepo", action="append",
                        default=[], metavar="REPOID", help="also use this repository")
    parser.add_argument("--disablerepo", dest=prefix + "disablerepo", action="append",
                        default=[], metavar="REPOID", help="do not use this repository")


def template_parser(prog):
    parser = make_parser(prog, description="Install and list Qubes templates.")
    add_repo_options(parser, "")
    for option in ("--repo-files", "--keyring", "--updatevm", "--releasever", "--cachedir"):
        parser.add_argument(option, help="accepted for compatibility, no effect")
    for flag in ("--refresh", "--keep-cache", "--yes"):
        parser.add_argument(flag, action="store_true", help="accepted for compatibility, no effect")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    install = commands.add_parser("install", help="install templates")
    add_repo_options(install, "sub_")
    install.add_argument("--quiet", "-q", dest="sub_quiet", action="store_true",
                         help="do not print progress")
    no_effect = "accepted for compatibility, no effect"
    for flag in ("--allow-pv", "--skip-start", "--nogpgcheck"):
        install.add_argument(flag, action="store_true", help=no_effect)
    for option in ("--pool", "--downloaddir"):
        install.add_argument(option, help=no_effect)
    install.add_argument("--retries", type=int, help=no_effect)
    install.add_argument("templates", nargs="+", metavar="TEMPLATESPEC")

    for name in ("list", "info"):
        sub = commands.add_parser(name, help=f"{name} templates")
        add_repo_options(sub, "sub_")
        for flag in ("--all", "--installed", "--available", "--extras", "--upgrades",
                     "--all-versions"):
            sub.add_argument(flag, action="store_true", help=f"show {flag[2:]} templates")
        output = sub.add_mutually_exclusive_group()
        output.add_argument("--machine-readable", action="store_true",
                            help="print one '|'-separated line per template")
        output.add_argument("--machine-readable-json", action="store_true",
                            help="print one JSON document")
        sub.add_argument("templates", nargs="*", metavar="TEMPLATESPEC")

    remove = commands.add_parser("remove", help="remove installed templates")
    remove.add_argument("--disassoc", action="store_true",
                        help="move the template's qubes to a dummy template (not simulated)")
    remove.add_argument("templates", nargs="+", metavar="TEMPLATE")
    return parser


def enabled_repositories(state, args):
    repoids = args.repoid + args.sub_repoid
    if repoids:
        enabled = set(repoids)
    else:
        enabled = {repo for repo, on in state["repositories"].items() if on}
    enabled.update(args.enablerepo + args.sub_enablerepo)
    enabled.difference_update(args.disablerepo + args.sub_disablerepo)
    return enabled


def installed_templates(model):
    """Return info dicts of the templates that qvm-template counts as installed."""
    sizes = {entry["name"]: entry["size"] for entry in model.state["catalogue"]}
    result = []
    for name in model.vm_names():
        vm = model.vm(name)
        features = vm["features"]
        if vm["class"] != "TemplateVM" or features.get("template-name") != name:
            continue
        result.append({
            "name": name,
            "epoch": features.get("template-epoch", "0"),
            "version": features.get("template-version", ""),
            "release": features.get("template-release", ""),
            "reponame": "@" + features.get("template-reponame", ""),
            "size": sizes.get(name, "0"),
            "buildtime": features.get("template-buildtime", ""),
            "installtime": features.get("template-installtime", ""),
            "license": features.get("template-license", ""),
            "url": features.get("template-url", ""),
            "summary": features.get("template-summary", ""),
            "description": features.get("template-description", ""),
        })
    return result


def available_templates(state, enabled):
    result = []
    for entry in state["catalogue"]:
        if entry["reponame"] in enabled:
            info = dict(entry)
            info["installtime"] = ""
            result.append(info)
    return sorted(result, key=lambda info: info["name"])


def evr(info):
    return f"{info['epoch']}:{info['version']}-{info['release']}"


def qvm_template(prog, argv):
    parser = template_parser(prog)
    args = parser.parse_args(argv)
    if args.command == "install":
        return template_install(prog, args)
    if args.command == "remove":
        return template_remove(prog, args)
    return template_query(prog, args)


def template_remove(prog, args):
    """Remove installed templates as qvm-remove does, with its confirmation and in-use checks."""
    # Imported here because qsim_power imports this module's neighbours at load time.
    from qsim_power import usages_of

    if args.disassoc:
        raise ToolError("--disassoc is not simulated; change the template of the qubes that use "
                        "it first, then remove it")
    with locked_state(write=True) as state:
        model = Model(state)
        installed = {info["name"] for info in installed_templates(model)}
        for name in args.templates:
            if name not in installed:
                # NOTE: the wording of this error is unverified.
                raise ToolError(f"Template {name!r} not installed.", EXIT_USAGE)
        if not args.yes:
            print("This will completely remove the selected VM(s)...")
            for name in args.templates:
                print(f"  {name}")
            sys.stdout.write("Are you sure? [y/N] ")
            sys.stdout.flush()
            if sys.stdin.readline().strip().lower() not in ("y", "yes"):
                print("Remove cancelled.")
                return EXIT_FAILURE
        for name in args.templates:
            if model.vm(name)["state"] != "Halted":
                raise ToolError(f"Domain is not powered off: {name!r}")
            uses = usages_of(model, name)
            if uses:
                print(f"VM {name} cannot be removed. It is in use as:", file=sys.stderr)
                for use in uses:
                    print(f" - {use}", file=sys.stderr)
                raise ToolError(f"Domain is in use: {name!r};  see 'journalctl -u qubesd -e' "
                                "in dom0 for details")
            del model.state["vms"][name]
    return EXIT_OK


def template_install(prog, args):
    quiet = args.sub_quiet or args.quiet > 0
    with locked_state(write=True) as state:
        model = Model(state)
        enabled = enabled_repositories(state, args)
        available = {info["name"]: info for info in available_templates(state, enabled)}
        to_install = []
        for name in args.templates:
            if model.has_vm(name):
                print(f"Template '{name}' already installed, skipping... (You may want to use "
                      "the {reinstall,upgrade,downgrade} operations.)", file=sys.stderr)
                continue
            if name not in available:
                raise ToolError(f"Template '{name}' not found.", EXIT_USAGE)
            to_install.append(available[name])
        install_time = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        for info in to_install:
            if not quiet:
                print(f"Installing template '{info['name']}'...", file=sys.stderr)
            vm = new_vm("TemplateVM", "black", model.next_qid())
            vm["features"] = template_features(info, install_time)
            model.state["vms"][info["name"]] = vm
    return EXIT_OK


def template_query(prog, args):
    with locked_state(write=False) as state:
        model = Model(state)
        enabled = enabled_repositories(state, args)
        installed = installed_templates(model)
        installed_names = {info["name"] for info in installed}
        available = [info for info in available_templates(state, enabled)
                     if info["name"] not in installed_names]

    if args.templates:
        patterns = args.templates
        installed = [info for info in installed if matches_any(info["name"], patterns)]
        available = [info for info in available if matches_any(info["name"], patterns)]
    sections = []
    show_all = args.all or not (args.installed or args.available or args.extras or args.upgrades)
    if show_all or args.installed:
        sections.append(("installed", "Installed Templates", installed))
    if show_all or args.available:
        sections.append(("available", "Available Templates", available))
    if args.extras:
        sections.append(("extra", "Extra Templates", []))
    if args.upgrades:
        sections.append(("upgrades", "Available Upgrades", []))
    if not any(rows for _, _, rows in sections):
        raise ToolError(f"No matching templates to {args.command}", EXIT_USAGE)

    if args.machine_readable_json:
        document = {}
        for key, _, rows in sections:
            if args.command == "list":
                document[key] = [{"name": info["name"], "evr": evr(info),
                                  "reponame": info["reponame"]} for info in rows]
            else:
                document[key] = [info_fields(info) for info in rows]
        print(json.dumps(document))
        return EXIT_OK
    for key, title, rows in sections:
        if args.machine_readable:
            for info in rows:
                if args.command == "list":
                    print(f"{key}|{info['name']}|{evr(info)}|{info['reponame']}")
                else:
                    values = info_fields(info).values()
                    print("|".join([key] + [value.replace("\n", " ") for value in values]))
        elif rows:
            print(title)
            if args.command == "list":
                print_table([(info["name"], evr(info), info["reponame"]) for info in rows])
            else:
                for info in rows:
                    print_info(info)
    return EXIT_OK


def matches_any(name, patterns):
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def info_fields(info):
    keys = ("name", "epoch", "version", "release", "reponame", "size", "buildtime",
            "installtime", "license", "url", "summary", "description")
    return {key: info[key] for key in keys}


def print_info(info):
    rows = [
        ("Name", info["name"]),
        ("Epoch", info["epoch"]),
        ("Version", info["version"]),
        ("Release", info["release"]),
        ("Size", f"{int(info['size']) / (1024 ** 3):.1f} GiB"),
        ("Repository", info["reponame"]),
        ("Buildtime", info["buildtime"]),
        ("Install time", info["installtime"]),
        ("URL", info["url"]),
        ("License", info["license"]),
        ("Summary", info["summary"]),
        ("Description", info["description"]),
    ]
    for key, value in rows:
        print(f"{key:<12} : {value}")
    print()


