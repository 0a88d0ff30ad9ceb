#!/usr/bin/python3
"""Simulated Qubes OS dom0 tools for qfleet's test fleet.

One program plays several tools and picks the tool by the name it was started
under (a symlink per tool in the fleet's bin directory). The tools mimic the
argument syntax, output, messages and exit codes of the Qubes 4.2 admin client.
The modules next to this file hold the pieces: qsim_state (state file, seed
profiles, hardware facts), qsim_model (properties and qubesd's rules), qsim_cli
(parsing and output helpers), qsim_qubes (prefs, create, check, features, tags,
template), qsim_ls (qvm-ls), qsim_power (start, shutdown, kill, pause, unpause,
remove, clone), qsim_config (service, firewall, volume), qsim_devices (qvm-pci
and qvm-device pci), qsim_host (qvm-run, dom0 packages, lspci, xl, hostname,
import), qsim_updates (qubes-vm-update) and qsim_faults (injected faults).

The simulated host lives in one JSON file named by QUBES_SIM_STATE. Writers
hold an exclusive flock on "<state>.lock" and replace the file atomically;
readers hold a shared lock. QUBES_SIM_HOST is the host's ID.

Only explicitly set properties are stored, as the strings that qvm-prefs
prints ("True", "400", a qube name, "" for no qube). Defaults are computed
when a property is read.

The shebang names /usr/bin/python3 rather than searching PATH, so the
"python3 missing" fault, which puts a failing python3 first on PATH, leaves
the tools working.
"""

import os
import sys

from qsim_state import EXIT_FAILURE, EXIT_USAGE, NoSuchProperty, ToolError
import qsim_config
import qsim_devices
import qsim_faults
import qsim_host
import qsim_ls
import qsim_power
import qsim_qubes
import qsim_updates

TOOLS = {
    "qvm-check": qsim_qubes.qvm_check,
    "qvm-create": qsim_qubes.qvm_create,
    "qvm-prefs": lambda prog, argv: qsim_qubes.prefs_main(prog, argv, global_prefs=False),
    "qubes-prefs": lambda prog, argv: qsim_qubes.prefs_main(prog, argv, global_prefs=True),
    "qvm-features": qsim_qubes.qvm_features,
    "qvm-tags": qsim_qubes.qvm_tags,
    "qvm-ls": qsim_ls.qvm_ls,
    "qvm-template": qsim_qubes.qvm_template,
    "qvm-start": qsim_power.qvm_start,
    "qvm-shutdown": qsim_power.qvm_shutdown,
    "qvm-kill": qsim_power.qvm_kill,
    "qvm-pause": qsim_power.qvm_pause,
    "qvm-unpause": qsim_power.qvm_unpause,
    "qvm-remove": qsim_power.qvm_remove,
    "qvm-clone": qsim_power.qvm_clone,
    "qvm-service": qsim_config.qvm_service,
    "qvm-firewall": qsim_config.qvm_firewall,
    "qvm-volume": qsim_config.qvm_volume,
    "qvm-pci": qsim_devices.qvm_pci,
    "qvm-device": qsim_devices.qvm_device,
    "qvm-run": qsim_host.qvm_run,
    "qubes-dom0-update": qsim_host.qubes_dom0_update,
    "qubes-vm-update": qsim_updates.qubes_vm_update,
    "rpm": qsim_host.rpm,
    "lspci": qsim_host.lspci,
    "xl": qsim_host.xl,
    "hostname": qsim_host.hostname,
    "qubes-sim-seed": qsim_host.print_seed,
    "qubes-sim-import": qsim_host.import_profile,
}


def main():
    prog = os.path.basename(sys.argv[0])
    if prog.endswith(".py"):
        prog = prog[:-3]
    tool = TOOLS.get(prog)
    if tool is None:
        print(f"{prog}: error: unknown tool name; start this program through one of these "
              f"names: {', '.join(sorted(TOOLS))}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        injected = qsim_faults.apply_tool_faults(prog)
        if injected is not None:
            return injected
        return tool(prog, sys.argv[1:])
    except ToolError as error:
        print(f"{prog}: error: {error.message}", file=sys.stderr)
        return error.exit_code
    except NoSuchProperty as error:
        print(f"{prog}: error: no such property: {str(error)!r}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
