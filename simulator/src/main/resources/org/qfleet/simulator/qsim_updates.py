"""qubes-vm-update: updates templates, standalones and running app qubes.

The simulated update of a qube installs nothing: it clears the qube's updates-available
feature, sets last-updates-check to the current time and appends the qube's name to the
state file's vm_update_log. Target selection follows the Qubes 4.2 tool (qubes-core-admin-client
vmupdate/vmupdate.py): the default targets are the updateable qubes, except halted app qubes
and disposables; --targets adds qubes by name; --skip and the skip-update feature remove
them; then a qube is updated when it reports updates-available, or with --force-update, or
when its last update check is older than --update-if-stale days.
"""

import argparse
import datetime
import sys

from qsim_model import Model, parse_bool
from qsim_power import is_active
from qsim_state import EXIT_OK, locked_state

# Exit codes of qubes-vm-update (vmupdate.agent.source.common.exit_codes.EXIT).
EXIT_NO_UPDATES = 100
EXIT_USAGE_ERROR = 128

DEFAULT_UPDATE_IF_STALE_DAYS = 7
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


class UsageError(Exception):
    """Arguments that name unknown qubes or invalid values; printed without usage."""


def qubes_vm_update(prog, argv):
    args = parse_args(prog, argv)
    with locked_state(write=not args.dry_run) as state:
        model = Model(state)
        try:
            targets = select_targets(model, args)
        except UsageError as error:
            print(str(error), file=sys.stderr)
            return EXIT_USAGE_ERROR
        if not targets:
            if not args.quiet:
                print("No qube selected for update")
            return EXIT_NO_UPDATES if args.signal_no_updates else EXIT_OK
        admin = [name for name in targets if model.vm(name)["class"] == "AdminVM"]
        independent = [name for name in targets
                       if model.vm(name)["class"] in ("TemplateVM", "StandaloneVM")]
        derived = [name for name in targets if name not in admin and name not in independent]
        if args.dry_run:
            print_plan(admin, independent, derived)
            return EXIT_OK
        # NOTE: the real tool shows progress bars and a per-qube summary; this one-line-per-qube
        # output is the simulator's own, and dom0 in --targets changes nothing here.
        for name in independent + derived:
            update_qube(state, model, name)
            if not args.quiet:
                print(f"{name}: updated")
    return EXIT_OK


def parse_args(prog, argv):
    parser = argparse.ArgumentParser(prog=prog, description="Update software in qubes (simulated).")
    parser.add_argument("--max-concurrency", "-x", type=int, help="accepted, no effect")
    parser.add_argument("--dry-run", action="store_true", help="only print which qubes would be updated")
    parser.add_argument("--signal-no-updates", action="store_true",
                        help="exit with 100 instead of 0 when no qube is updated")
    restart = parser.add_mutually_exclusive_group()
    restart.add_argument("--apply-to-sys", "--restart", "-r", action="store_true",
                         help="accepted, no effect")
    restart.add_argument("--apply-to-all", "-R", action="store_true", help="accepted, no effect")
    restart.add_argument("--no-apply", action="store_true", help="accepted, no effect (default)")
    selection = parser.add_mutually_exclusive_group()
    selection.add_argument("--force-update", action="store_true",
                           help="update every target, even without known updates")
    selection.add_argument("--update-if-stale", type=int, default=DEFAULT_UPDATE_IF_STALE_DAYS,
                           metavar="DAYS", help="also update targets not checked for DAYS days")
    selection.add_argument("--update-if-available", action="store_true",
                           help="update only targets with known updates")
    parser.add_argument("--skip", default="", help="comma-separated qubes to leave out")
    parser.add_argument("--targets", help="comma-separated qubes to target")
    parser.add_argument("--templates", "-T", action="store_true", help="target every template")
    parser.add_argument("--standalones", "-S", action="store_true", help="target every standalone")
    parser.add_argument("--apps", "-A", action="store_true", help="target running app qubes")
    parser.add_argument("--all", action="store_true", help="target every updateable qube (default)")
    parser.add_argument("--log", default="WARNING", help="accepted, no effect")
    for flag in ("--no-refresh", "--leave-obsolete", "--no-cleanup", "--no-progress"):
        parser.add_argument(flag, action="store_true", help="accepted, no effect")
    parser.add_argument("--force-upgrade", "-f", action="store_true", help="accepted, no effect")
    parser.add_argument("--show-output", "--verbose", "-v", action="store_true",
                        help="accepted, no effect")
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    return parser.parse_args(argv)


def select_targets(model, args):
    """Return the names of the qubes to update, in name order."""
    if args.update_if_stale < 0:
        raise UsageError("Wrong value for --update-if-stale")
    names = [name for name in model.vm_names() if model.vm(name)["class"] != "AdminVM"]
    updateable = [name for name in names if parse_bool(model.get(name, "updateable")[0])]
    targets = set()
    if args.all or not (args.templates or args.standalones or args.apps or args.targets):
        targets.update(name for name in updateable
                       if model.vm(name)["class"] not in ("AppVM", "DispVM") or is_active(model, name))
    if args.templates:
        targets.update(name for name in updateable if model.vm(name)["class"] == "TemplateVM")
    if args.standalones:
        targets.update(name for name in updateable if model.vm(name)["class"] == "StandaloneVM")
    if args.apps:
        targets.update(name for name in updateable
                       if model.vm(name)["class"] == "AppVM" and is_active(model, name))
    if args.targets:
        requested = args.targets.split(",")
        unknown = sorted(name for name in requested if not model.has_vm(name))
        if unknown:
            plural = "s" if len(unknown) != 1 else ""
            raise UsageError(f"Unknown qube name{plural}: {', '.join(unknown)}")
        targets.update(requested)
    skipped = set(args.skip.split(","))
    targets = {name for name in targets if name not in skipped}
    if not args.targets:
        targets = {name for name in targets if not model.vm(name)["features"].get("skip-update")}
    return sorted(name for name in targets if wants_update(model, name, args))


def wants_update(model, name, args):
    features = model.vm(name)["features"]
    if args.force_update or features.get("updates-available"):
        return True
    if args.update_if_available:
        return False
    # Like the real tool, only a Linux qube with qrexec counts as stale.
    if "qrexec" not in features or features.get("os", "") != "Linux":
        return False
    try:
        checked = datetime.datetime.strptime(features.get("last-updates-check", ""), TIMESTAMP_FORMAT)
    except ValueError:
        return True
    return (datetime.datetime.now() - checked).days > args.update_if_stale


def update_qube(state, model, name):
    features = model.vm(name)["features"]
    features["updates-available"] = ""
    features["last-updates-check"] = datetime.datetime.now().strftime(TIMESTAMP_FORMAT)
    state.setdefault("vm_update_log", []).append(name)


def print_plan(admin, independent, derived):
    if admin:
        print(f"The admin VM ({admin[0]}) will be updated.")
    else:
        print("The admin VM will not be updated.")
    if independent:
        print("Following templates and standalones will be updated: " + ", ".join(independent))
    else:
        print("No templates and standalones will be updated.")
    if derived:
        print("Following qubes will be updated: " + ", ".join(derived))
