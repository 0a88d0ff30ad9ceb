"""Argument parsing, logging and table output shared by the simulated tools."""

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

# ---------------------------------------------------------------------------
# Shared tool plumbing


class Parser(argparse.ArgumentParser):
    """argparse parser whose errors and usage match the Qubes admin tools."""

    def parse_vm_name(self, model, name):
        if not model.has_vm(name):
            self.error(f"no such domain: {name!r}")
        return name


def make_parser(prog, **kwargs):
    parser = Parser(prog=prog, **kwargs)
    parser.add_argument("--verbose", "-v", action="count", default=0,
                        help="increase verbosity")
    parser.add_argument("--quiet", "-q", action="count", default=0,
                        help="decrease verbosity")
    parser.add_argument("--force-root", action="store_true", help=argparse.SUPPRESS)
    return parser


def log(prog, message, args=None):
    """Write a log line as the tools' stderr handler formats it."""
    if args is not None and args.quiet > args.verbose:
        return
    print(f"{prog}: {message}", file=sys.stderr)


def print_table(rows):
    """Print rows aligned like `column -t`: two spaces between columns."""
    if not rows:
        return
    widths = [0] * max(len(row) for row in rows)
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    for row in rows:
        cells = [cell.ljust(widths[index]) for index, cell in enumerate(row)]
        print("  ".join(cells).rstrip())


def normalise_property_name(name):
    return name.replace("-", "_")




def add_vm_list(parser, allow_all=True):
    """Add the VMNAME... arguments, with --all and --exclude when allow_all is set."""
    if allow_all:
        parser.add_argument("--all", action="store_true", help="act on every qube except dom0")
        parser.add_argument("--exclude", action="append", default=[], metavar="EXCLUDE",
                            help="with --all, skip this qube (repeatable)")
    parser.add_argument("VMNAME", nargs="*", help="qube names; shell-style wildcards expand")


def resolve_vm_list(parser, model, args):
    """Return the qube names that the VMNAME, --all and --exclude arguments select.

    Names with wildcards expand to the matching qubes; an unknown name is a usage error.
    """
    use_all = getattr(args, "all", False)
    excluded = getattr(args, "exclude", [])
    if excluded and not use_all:
        parser.error("--exclude can only be used with --all")
    if use_all:
        return [name for name in model.vm_names()
                if model.vm(name)["class"] != "AdminVM" and name not in excluded]
    if not args.VMNAME:
        parser.error("one of the arguments --all VMNAME is required")
    names = []
    for name in args.VMNAME:
        if any(char in name for char in "*?[!"):
            names.extend(match for match in model.vm_names()
                         if fnmatch.fnmatchcase(match, name) and match not in names)
        else:
            parser.parse_vm_name(model, name)
            if name not in names:
                names.append(name)
    return names


def print_error(message):
    """Write "Error: <message>" to stderr, as the admin client's print_error does."""
    print(f"Error: {message}", file=sys.stderr)
