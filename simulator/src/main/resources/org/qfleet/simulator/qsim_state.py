"""Host state of the simulated Qubes dom0: the state file, its lock, and the seed profiles."""

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

STATE_VERSION = 1

LABELS = ["red", "orange", "yellow", "green", "gray", "blue", "purple", "black"]

VM_CLASSES = ["AppVM", "TemplateVM", "StandaloneVM", "DispVM"]

# Simulated host hardware, used for computed defaults (maxmem) and read-only globals.
HOST_MEMORY_MB = 16384
HOST_CPUS = 4
DEFAULT_KERNEL = "6.6.63-1.fc37"

# VM-valued properties for which the client turns the value "none" into "" (no qube).
NONE_ALIASED_VM_PROPERTIES = {"default_dispvm", "netvm", "template", "guivm", "audiovm"}

USERNAME_CHARACTERS = string.ascii_letters + string.digits + "_-+."

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class ToolError(Exception):
    """A failure that the tool reports as "<prog>: error: <message>"."""

    def __init__(self, message, exit_code=EXIT_FAILURE):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class PropertyError(Exception):
    """A value that qubesd would reject; the message is qubesd's text."""


class NoSuchProperty(Exception):
    """A property name that the qube's class does not have."""


# ---------------------------------------------------------------------------
# State file


def state_path():
    path = os.environ.get("QUBES_SIM_STATE")
    if not path:
        raise ToolError(
            "QUBES_SIM_STATE is not set; set it to the simulated host's state.json path"
        )
    return path


def host_id():
    return os.environ.get("QUBES_SIM_HOST", "dom0")


@contextlib.contextmanager
def locked_state(write):
    """Yield the host state under a shared (read) or exclusive (write) lock.

    With write=True the state is saved atomically when the block ends without
    an exception. A missing state file is seeded as a fresh host first.
    """
    path = state_path()
    lock_path = path + ".lock"
    with open(lock_path, "a+") as lock_file:
        exclusive = write or not os.path.exists(path)
        fcntl.flock(lock_file, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        if not os.path.exists(path):
            save_state(path, seed_state(host_id()))
        with open(path, encoding="utf-8") as state_file:
            state = json.load(state_file)
        yield state
        if write:
            save_state(path, state)


def save_state(path, state):
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp_path = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as temp_file:
            json.dump(state, temp_file, indent=2, sort_keys=True)
            temp_file.write("\n")
        os.replace(temp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_path)
        raise


# ---------------------------------------------------------------------------
# Seed: a default Qubes 4.2 installation

ITL_REPO = "qubes-templates-itl"
COMMUNITY_REPO = "qubes-templates-community"


def catalogue_entry(name, version, release, repo, size_mb, summary, license_name, url):
    return {
        "name": name,
        "epoch": "0",
        "version": version,
        "release": release,
        "reponame": repo,
        "size": str(size_mb * 1024 * 1024),
        "buildtime": "2025-01-15 10:00:00",
        "license": license_name,
        "url": url,
        "summary": summary,
        "description": summary + " (simulated package).",
    }


def seed_catalogue():
    itl = "https://www.qubes-os.org"
    whonix = "https://www.whonix.org"
    return [
        catalogue_entry("fedora-41-xfce", "4.2.0", "202501150000", ITL_REPO, 2048,
                        "Qubes template for fedora-41-xfce", "GPLv3+", itl),
        catalogue_entry("debian-12-xfce", "4.2.0", "202501150000", ITL_REPO, 1900,
                        "Qubes template for debian-12-xfce", "GPLv3+", itl),
        catalogue_entry("fedora-42-xfce", "4.2.0", "202505010000", ITL_REPO, 2100,
                        "Qubes template for fedora-42-xfce", "GPLv3+", itl),
        catalogue_entry("debian-13-xfce", "4.2.0", "202508200000", ITL_REPO, 1950,
                        "Qubes template for debian-13-xfce", "GPLv3+", itl),
        catalogue_entry("debian-12-minimal", "4.2.0", "202501150000", ITL_REPO, 700,
                        "Qubes template for debian-12-minimal", "GPLv3+", itl),
        catalogue_entry("whonix-gateway-17", "4.2.0", "202501150000", COMMUNITY_REPO, 2500,
                        "Qubes template for whonix-gateway-17", "AGPL-3+", whonix),
        catalogue_entry("whonix-workstation-17", "4.2.0", "202501150000", COMMUNITY_REPO, 3000,
                        "Qubes template for whonix-workstation-17", "AGPL-3+", whonix),
        catalogue_entry("whonix-gateway-18", "4.2.0", "202509010000", COMMUNITY_REPO, 2600,
                        "Qubes template for whonix-gateway-18", "AGPL-3+", whonix),
        catalogue_entry("whonix-workstation-18", "4.2.0", "202509010000", COMMUNITY_REPO, 3100,
                        "Qubes template for whonix-workstation-18", "AGPL-3+", whonix),
    ]


def new_vm(cls, label, qid, properties=None):
    return {
        "class": cls,
        "state": "Halted",
        "label": label,
        "qid": qid,
        "properties": dict(properties or {}),
        "features": {},
        "tags": ["created-by-dom0"],
    }


def template_features(entry, install_time):
    return {
        "template-name": entry["name"],
        "template-epoch": entry["epoch"],
        "template-version": entry["version"],
        "template-release": entry["release"],
        "template-reponame": entry["reponame"],
        "template-buildtime": entry["buildtime"],
        "template-installtime": install_time,
        "template-license": entry["license"],
        "template-url": entry["url"],
        "template-summary": entry["summary"],
        "template-description": entry["description"],
    }


def seed_hardware():
    """Return the hardware facts of a default host: a laptop with one Wi-Fi card, two USB
    controllers and one audio controller.

    PCI classes are the two-byte class codes that lspci prints with -n (0280 network
    controller, 0200 Ethernet controller, 0c03 USB controller, 0403 audio device).
    """
    return {
        "hostname": "",
        "qubes_release": "4.2.4",
        "kernel_cmdline": "placeholder root=/dev/mapper/qubes_dom0-root ro "
                          "rd.luks.uuid=luks-5e1c0d8a rd.lvm.lv=qubes_dom0/root "
                          "rd.lvm.lv=qubes_dom0/swap plymouth.ignore-serial-consoles "
                          "rhgb quiet",
        "xen_cmdline": "placeholder console=none dom0_mem=min:1024M dom0_mem=max:4096M "
                       "ucode=scan smt=off gnttab_max_frames=2048 gnttab_max_maptrack_frames=4096",
        "memory_mb": HOST_MEMORY_MB,
        "cpus": HOST_CPUS,
        "pci_devices": [
            pci_device("00:14.0", "0c03", "USB controller", "8086", "Intel Corporation",
                       "a36d", "Cannon Lake PCH USB 3.1 xHCI Host Controller", "10"),
            pci_device("00:1f.3", "0403", "Audio device", "8086", "Intel Corporation",
                       "a348", "Cannon Lake PCH cAVS", "10"),
            pci_device("00:1f.6", "0200", "Ethernet controller", "8086", "Intel Corporation",
                       "15bc", "Ethernet Connection (7) I219-V", "10"),
            pci_device("02:00.0", "0280", "Network controller", "8086", "Intel Corporation",
                       "2723", "Wi-Fi 6 AX200", "1a"),
            pci_device("3c:00.0", "0c03", "USB controller", "8086", "Intel Corporation",
                       "15e9", "JHL7540 Thunderbolt 3 USB Controller [Titan Ridge 2C 2018]", "06"),
        ],
    }


def pci_device(slot, class_code, class_name, vendor, vendor_name, device, device_name, revision):
    return {
        "slot": slot,
        "class": class_code,
        "class_name": class_name,
        "vendor": vendor,
        "vendor_name": vendor_name,
        "device": device,
        "device_name": device_name,
        "revision": revision,
    }


def seed_dom0_packages():
    """Return the dom0 packages of a default host: name -> version-release.arch."""
    installed = {
        "qubes-core-dom0": "4.2.29-1.fc37.x86_64",
        "qubes-core-admin-client": "4.2.17-1.fc37.noarch",
        "qubes-mgmt-salt-dom0-virtual-machines": "4.2.9-1.fc37.noarch",
        "qubes-template-fedora-41-xfce": "4.2.0-202501150000.noarch",
        "qubes-template-debian-12-xfce": "4.2.0-202501150000.noarch",
        "kernel": "6.6.63-1.fc37.x86_64",
        "xen": "4.17.5-5.fc37.x86_64",
    }
    available = {
        "qubes-usb-proxy-dom0": "4.2.3-1.fc37.noarch",
        "qubes-input-proxy": "1.0.36-1.fc37.x86_64",
        "qubes-input-proxy-sender": "1.0.36-1.fc37.x86_64",
        "qubes-repo-contrib": "4.2.1-1.fc37.noarch",
        "kernel-latest": "6.11.10-1.fc37.x86_64",
        "split-gpg2-dom0": "1.1.1-1.fc37.noarch",
    }
    return {"installed": installed, "available": available}


def seed_qvm_run():
    """Return the default qvm-run behaviour: every command succeeds with no output.

    A rule with "match" (a shell-style pattern matched against "VMNAME COMMAND") sets the
    stdout, stderr and exit code of the commands it matches; the first matching rule wins.
    """
    return {"default": {"stdout": "", "stderr": "", "exit_code": 0}, "rules": []}


PROFILES = ("fresh", "empty")


def seed_state(host, profile="fresh"):
    """Return the state of a new host: "fresh" is a default Qubes 4.2 installation with
    two templates and the usual service and app qubes, "empty" has dom0 only."""
    if profile not in PROFILES:
        raise ToolError(f"unknown profile {profile!r}; choose one of: {', '.join(PROFILES)}")
    state = empty_state(host)
    if profile == "fresh":
        add_fresh_qubes(state)
    return state


def empty_state(host):
    return {
        "version": STATE_VERSION,
        "host": host,
        "vms": {"dom0": {
            "class": "AdminVM", "state": "Running", "label": "black", "qid": 0,
            "properties": {}, "features": {}, "tags": [],
        }},
        "global": {},
        "repositories": {ITL_REPO: True, COMMUNITY_REPO: False},
        "catalogue": seed_catalogue(),
        "hardware": seed_hardware(),
        "dom0_packages": seed_dom0_packages(),
        "qvm_run": seed_qvm_run(),
        "qvm_run_log": [],
    }


def add_fresh_qubes(state):
    by_name = {entry["name"]: entry for entry in state["catalogue"]}
    vms = state["vms"]
    qid = 1
    for name in ("fedora-41-xfce", "debian-12-xfce"):
        vm = new_vm("TemplateVM", "black", qid)
        vm["features"] = template_features(by_name[name], "2025-02-01 12:00:00")
        vms[name] = vm
        qid += 1
    template = {"template": "fedora-41-xfce"}
    appvms = [
        ("sys-net", "red", {"provides_network": "True", "netvm": "", "autostart": "True",
                            "virt_mode": "hvm"}),
        ("sys-firewall", "green", {"provides_network": "True", "netvm": "sys-net",
                                   "autostart": "True"}),
        ("sys-usb", "red", {"netvm": ""}),
        ("default-dvm", "red", {"template_for_dispvms": "True"}),
        ("personal", "yellow", {}),
        ("work", "blue", {}),
        ("untrusted", "red", {}),
        ("vault", "black", {"netvm": ""}),
    ]
    for name, label, properties in appvms:
        vms[name] = new_vm("AppVM", label, qid, dict(template, **properties))
        qid += 1
    # The installer gives sys-net the network controllers and sys-usb the USB controllers.
    vms["sys-net"]["devices"] = {"pci": {"00_1f.6": {}, "02_00.0": {}}}
    vms["sys-usb"]["devices"] = {"pci": {"00_14.0": {}, "3c_00.0": {}}}
    state["global"].update({
        "default_template": "fedora-41-xfce",
        "default_netvm": "sys-firewall",
        "default_dispvm": "default-dvm",
        "updatevm": "sys-firewall",
        "clockvm": "sys-net",
    })


def hardware(state):
    """Return the host's hardware facts, filling in facts that an older state file lacks."""
    facts = seed_hardware()
    facts.update(state.get("hardware", {}))
    if not facts["hostname"]:
        facts["hostname"] = state.get("host") or host_id()
    return facts
