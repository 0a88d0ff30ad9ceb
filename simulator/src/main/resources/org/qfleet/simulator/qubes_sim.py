#!/usr/bin/env python3
"""Simulated Qubes OS dom0 tools for qfleet's test fleet.

One program plays several tools and picks the tool by the name it was started
under (a symlink per tool): qvm-check, qvm-create, qvm-prefs, qubes-prefs,
qvm-features, qvm-tags, qvm-ls, qvm-template and hostname. They mimic the
argument syntax, output, messages and exit codes of the Qubes 4.2 admin client.

The simulated host lives in one JSON file named by QUBES_SIM_STATE. Writers
hold an exclusive flock on "<state>.lock" and replace the file atomically;
readers hold a shared lock. QUBES_SIM_HOST is the host's ID.

Only explicitly set properties are stored, as the strings that qvm-prefs
prints ("True", "400", a qube name, "" for no qube). Defaults are computed
when a property is read.
"""

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


def seed_state(host):
    catalogue = seed_catalogue()
    by_name = {entry["name"]: entry for entry in catalogue}
    vms = {"dom0": {
        "class": "AdminVM", "state": "Running", "label": "black", "qid": 0,
        "properties": {}, "features": {}, "tags": [],
    }}
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
    return {
        "version": STATE_VERSION,
        "host": host,
        "vms": vms,
        "global": {
            "default_template": "fedora-41-xfce",
            "default_netvm": "sys-firewall",
            "default_dispvm": "default-dvm",
            "updatevm": "sys-firewall",
            "clockvm": "sys-net",
        },
        "repositories": {ITL_REPO: True, COMMUNITY_REPO: False},
        "catalogue": catalogue,
    }


# ---------------------------------------------------------------------------
# Property model


class Prop:
    """One property: its type, how its default is computed and how a new value is checked.

    kind is one of str, int, bool, vm, label. default(model, vm_name) returns
    the default as a printed string, "" for no qube, or None when the
    property has no value (marker U). settable False means qubesd rejects
    every write; write_once means qubesd fails with an internal error.
    """

    def __init__(self, name, kind, default, settable=True, write_once=False, check=None,
                 vm_class=None):
        self.name = name
        self.kind = kind
        self.default = default
        self.settable = settable
        self.write_once = write_once
        self.check = check
        self.vm_class = vm_class


def inherit_from_template(prop_name, fallback):
    """Default that takes the template's value of prop_name when the qube has a template."""

    def default(model, vm):
        template = model.template_of(vm)
        if template is not None:
            return model.get(template, prop_name)[0]
        return fallback(model, vm) if callable(fallback) else fallback

    return default


def from_global(global_name):
    return lambda model, vm: model.get_global(global_name)[0]


def check_positive(prop, value):
    if int(value) <= 0:
        raise PropertyError(f"{prop} must be positive")


def check_maxmem(prop, value):
    if int(value) < 0:
        raise PropertyError("maxmem must be positive or zero")


def check_virt_mode(prop, value):
    if value.lower() not in ("hvm", "pv", "pvh"):
        raise PropertyError("Invalid virtualization mode, supported values: hvm, pv, pvh")
    return value.lower()


def check_kernel(prop, value):
    if "/" in value:
        raise PropertyError("Kernel name cannot contain '/'")


def check_kernelopts(prop, value):
    if len(value) > 512:
        raise PropertyError("Kernelopts value too long (512 chars max)")


def check_default_user(prop, value):
    if any(char not in USERNAME_CHARACTERS for char in value):
        raise PropertyError(f"Username can contain only those characters: {USERNAME_CHARACTERS}")


def default_maxmem(model, vm):
    memory = int(model.get(vm, "memory")[0])
    return str(min(memory * 10, HOST_MEMORY_MB // 2))


def default_netvm(model, vm):
    if model.vm(vm)["class"] == "TemplateVM":
        return ""
    return model.get_global("default_netvm")[0]


def default_dispvm(model, vm):
    if model.vm(vm)["class"] == "DispVM":
        return model.get(vm, "template")[0]
    return model.get_global("default_dispvm")[0]


def default_include_in_backups(model, vm):
    if model.vm(vm)["class"] == "DispVM":
        return str(not parse_bool(model.get(vm, "auto_cleanup")[0]))
    return "True"


def default_updateable(model, vm):
    return str(model.vm(vm)["class"] in ("TemplateVM", "StandaloneVM", "AdminVM"))


def default_xid(model, vm):
    return "-1" if model.vm(vm)["state"] == "Halted" else str(model.vm(vm)["qid"] + 1)


def default_ip(model, vm):
    if model.get(vm, "netvm")[0] == "":
        return ""
    return f"10.137.0.{model.vm(vm)['qid'] + 1}"


def default_icon(model, vm):
    prefixes = {"AppVM": "appvm", "TemplateVM": "templatevm", "StandaloneVM": "standalonevm",
                "DispVM": "dispvm", "AdminVM": "adminvm"}
    return f"{prefixes[model.vm(vm)['class']]}-{model.vm(vm)['label']}"


def qube_properties():
    props = [
        Prop("audiovm", "vm", from_global("default_audiovm")),
        Prop("autostart", "bool", "False"),
        Prop("backup_timestamp", "int", None),
        Prop("bootmode", "str", "default"),
        Prop("debug", "bool", "False"),
        Prop("default_dispvm", "vm", default_dispvm, vm_class="AppVM"),
        Prop("default_user", "str", inherit_from_template("default_user", "user"),
             check=check_default_user),
        Prop("devices_denied", "str", ""),
        Prop("guivm", "vm", from_global("default_guivm")),
        Prop("icon", "str", default_icon, settable=False),
        Prop("include_in_backups", "bool", default_include_in_backups),
        Prop("installed_by_rpm", "bool", "False"),
        Prop("ip", "str", default_ip),
        Prop("kernel", "str", inherit_from_template("kernel", from_global("default_kernel")),
             check=check_kernel),
        Prop("kernelopts", "str", inherit_from_template("kernelopts", ""), check=check_kernelopts),
        Prop("keyboard_layout", "str", "us++"),
        Prop("klass", "str", lambda model, vm: model.vm(vm)["class"], settable=False),
        Prop("label", "label", None),
        Prop("mac", "str", "00:16:3e:5e:6c:00"),
        Prop("management_dispvm", "vm",
             inherit_from_template("management_dispvm", from_global("management_dispvm")),
             vm_class="AppVM"),
        Prop("maxmem", "int", inherit_from_template("maxmem", default_maxmem), check=check_maxmem),
        Prop("memory", "int", inherit_from_template("memory", "400"), check=check_positive),
        Prop("name", "str", None, write_once=True),
        Prop("netvm", "vm", default_netvm),
        Prop("provides_network", "bool", "False"),
        Prop("qid", "int", lambda model, vm: str(model.vm(vm)["qid"]), write_once=True),
        Prop("qrexec_timeout", "int",
             inherit_from_template("qrexec_timeout", from_global("default_qrexec_timeout")),
             check=check_positive),
        Prop("shutdown_timeout", "int",
             inherit_from_template("shutdown_timeout", from_global("default_shutdown_timeout")),
             check=check_positive),
        Prop("stubdom_mem", "int", None),
        Prop("updateable", "bool", default_updateable, settable=False),
        Prop("uuid", "str", None, write_once=True),
        Prop("vcpus", "int", inherit_from_template("vcpus", "2"), check=check_positive),
        Prop("virt_mode", "str", inherit_from_template("virt_mode", "pvh"), check=check_virt_mode),
        Prop("xid", "int", default_xid, settable=False),
    ]
    return {prop.name: prop for prop in props}


def build_class_properties():
    common = qube_properties()

    def with_extra(*extra):
        table = dict(common)
        for prop in extra:
            table[prop.name] = prop
        return table

    template_for_dispvms = Prop("template_for_dispvms", "bool", "False")
    classes = {
        "AppVM": with_extra(
            Prop("template", "vm", from_global("default_template"), vm_class="TemplateVM"),
            template_for_dispvms,
        ),
        "TemplateVM": with_extra(Prop("appvm_default_bootmode", "str", "default")),
        "StandaloneVM": with_extra(template_for_dispvms),
        "DispVM": with_extra(
            Prop("template", "vm", from_global("default_dispvm"), vm_class="AppVM"),
            Prop("auto_cleanup", "bool", "False"),
            Prop("dispid", "int", lambda model, vm: str(model.vm(vm)["qid"]), write_once=True),
        ),
    }
    admin = {}
    for name in ("default_dispvm", "devices_denied", "include_in_backups", "keyboard_layout",
                 "label", "icon", "klass", "name", "qid", "uuid", "updateable"):
        admin[name] = common[name]
    admin["maxmem"] = Prop("maxmem", "int", str(HOST_MEMORY_MB), settable=False)
    admin["include_in_backups"] = Prop("include_in_backups", "bool", "True")
    # AdminVM properties that qubesd never lets a client write.
    for name in ("name", "qid", "uuid", "updateable", "klass", "icon"):
        original = admin[name]
        admin[name] = Prop(name, original.kind, original.default, settable=False)
    classes["AdminVM"] = admin
    return classes


CLASS_PROPERTIES = build_class_properties()


def global_properties():
    props = [
        Prop("check_updates_vm", "bool", "True"),
        Prop("clockvm", "vm", ""),
        Prop("default_audiovm", "vm", "dom0"),
        Prop("default_dispvm", "vm", "", vm_class="AppVM"),
        Prop("default_guivm", "vm", "dom0"),
        Prop("default_kernel", "str", DEFAULT_KERNEL, check=check_kernel),
        Prop("default_netvm", "vm", ""),
        Prop("default_pool", "str", "lvm"),
        Prop("default_pool_kernel", "str", "linux-kernel"),
        Prop("default_pool_private", "str", "lvm"),
        Prop("default_pool_root", "str", "lvm"),
        Prop("default_pool_volatile", "str", "lvm"),
        Prop("default_qrexec_timeout", "int", "60", check=check_positive),
        Prop("default_shutdown_timeout", "int", "60", check=check_positive),
        Prop("default_template", "vm", "", vm_class="TemplateVM"),
        Prop("management_dispvm", "vm", "", vm_class="AppVM"),
        Prop("maxmem", "int", str(HOST_MEMORY_MB), settable=False),
        Prop("no_cpus", "int", str(HOST_CPUS), settable=False),
        Prop("stats_interval", "int", "3", check=check_positive),
        Prop("updatevm", "vm", ""),
    ]
    return {prop.name: prop for prop in props}


GLOBAL_PROPERTIES = global_properties()

BOOL_TRUE = ("1", "yes", "true", "on")
BOOL_FALSE = ("0", "no", "false", "off")


def parse_bool(value):
    lowered = value.lower()
    if lowered in BOOL_TRUE:
        return True
    if lowered in BOOL_FALSE:
        return False
    raise PropertyError(f"Invalid literal for boolean property: {value!r}")


class Model:
    """Read and write access to one host's qubes, with qubesd's validation rules."""

    def __init__(self, state):
        self.state = state

    # -- lookup

    def has_vm(self, name):
        return name in self.state["vms"]

    def vm(self, name):
        return self.state["vms"][name]

    def vm_names(self):
        return sorted(self.state["vms"])

    def properties_of(self, name):
        return CLASS_PROPERTIES[self.vm(name)["class"]]

    def template_of(self, name):
        """Return the qube's template name, or None for classes without one."""
        if "template" not in self.properties_of(name):
            return None
        template = self.get(name, "template")[0]
        if not template or not self.has_vm(template):
            return None
        return template

    def get(self, name, prop_name):
        """Return (value, is_default) of a qube property; value None means no value."""
        props = self.properties_of(name)
        if prop_name not in props:
            raise NoSuchProperty(prop_name)
        vm = self.vm(name)
        if prop_name == "label":
            return vm["label"], False
        if prop_name == "name":
            return name, False
        if prop_name == "uuid":
            return vm.get("uuid") or self.vm_uuid(name), False
        if prop_name in vm["properties"]:
            return vm["properties"][prop_name], False
        default = props[prop_name].default
        value = default(self, name) if callable(default) else default
        return value, True

    def vm_uuid(self, name):
        if name == "dom0":
            return "00000000-0000-0000-0000-000000000000"
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"qubes-sim:{self.state['host']}:{name}"))

    def get_global(self, prop_name):
        if prop_name not in GLOBAL_PROPERTIES:
            raise NoSuchProperty(prop_name)
        stored = self.state["global"]
        if prop_name in stored:
            return stored[prop_name], False
        return GLOBAL_PROPERTIES[prop_name].default, True

    def effective_netvm(self, name):
        if "netvm" not in self.properties_of(name):
            return ""
        return self.get(name, "netvm")[0]

    # -- validation shared by qube and global properties

    def convert(self, prop, value):
        """Validate value for prop and return it in stored (printed) form."""
        if any(char not in string.printable or char in "\t\n\r\x0b\x0c" for char in value):
            raise PropertyError("Invalid characters in property value")
        if prop.kind == "int":
            try:
                value = str(int(value))
            except ValueError:
                raise PropertyError("Failed to parse property value as int") from None
        elif prop.kind == "bool":
            value = str(parse_bool(value))
        elif prop.kind == "label":
            if value not in LABELS:
                raise PropertyError(f"Label does not exist: {value}")
        elif prop.kind == "vm" and value != "":
            if value.lower() in ("none", "default"):
                raise PropertyError("VM name cannot be 'none' nor 'default'")
            if not self.has_vm(value):
                raise PropertyError(f"Can't set {prop.name} to non-existing qube {value}")
            target_class = self.vm(value)["class"]
            if prop.vm_class and target_class != prop.vm_class:
                raise PropertyError(
                    f"wrong VM class: domains['{value}'] is of type {target_class} "
                    f"and not {prop.vm_class}"
                )
        if prop.check:
            checked = prop.check(prop.name, value)
            if checked is not None:
                value = checked
        return value

    # -- qube properties

    def set(self, name, prop_name, value):
        props = self.properties_of(name)
        if prop_name not in props:
            raise NoSuchProperty(prop_name)
        prop = props[prop_name]
        vm = self.vm(name)
        self.check_writable(prop, vm["class"])
        value = self.convert(prop, value)
        self.check_qube_rules(name, prop_name, value)
        if prop_name == "label":
            vm["label"] = value
        else:
            vm["properties"][prop_name] = value

    def reset(self, name, prop_name):
        props = self.properties_of(name)
        if prop_name not in props:
            raise NoSuchProperty(prop_name)
        prop = props[prop_name]
        vm = self.vm(name)
        self.check_writable(prop, vm["class"])
        if prop_name == "label":
            raise PropertyError("Property 'label' has no default value")
        if prop_name == "template" and vm["state"] != "Halted":
            raise PropertyError("Cannot change template while qube is running")
        if prop_name == "provides_network":
            self.check_not_network_provider_in_use(name, "False")
        vm["properties"].pop(prop_name, None)

    @staticmethod
    def check_writable(prop, class_name):
        if prop.write_once:
            raise PropertyError(f"Failed to access '{prop.name}' property")
        if not prop.settable:
            raise PropertyError(f"property '{prop.name}' on {class_name} instance cannot be set")

    def check_qube_rules(self, name, prop_name, value):
        vm = self.vm(name)
        if prop_name == "netvm" and value:
            if not parse_bool(self.get(value, "provides_network")[0]):
                raise PropertyError(f"The {value} qube does not provide network")
            if self.creates_network_loop(name, value):
                raise PropertyError("Loops in network are unsupported")
        elif prop_name == "provides_network":
            self.check_not_network_provider_in_use(name, value)
        elif prop_name in ("default_dispvm", "management_dispvm") and value:
            if not parse_bool(self.get(value, "template_for_dispvms")[0]):
                raise PropertyError(
                    f"Cannot set invalid property to qube '{name}', {prop_name} '{value}' "
                    "has template_for_dispvms set to False"
                )
        elif prop_name == "template":
            if not value:
                raise PropertyError("Cannot unset template")
            if vm["state"] != "Halted":
                raise PropertyError("Cannot change template while qube is running")
            if vm["class"] == "DispVM" and not parse_bool(
                self.get(value, "template_for_dispvms")[0]
            ):
                raise PropertyError("template for disposable must have template_for_dispvms=True")

    def creates_network_loop(self, name, netvm):
        seen = set()
        current = netvm
        while current and current not in seen:
            if current == name:
                return True
            seen.add(current)
            current = self.effective_netvm(current) if self.has_vm(current) else ""
        return False

    def check_not_network_provider_in_use(self, name, value):
        if parse_bool(value):
            return
        for other in self.vm_names():
            if other != name and self.effective_netvm(other) == name:
                raise PropertyError(
                    "The qube is still used by other qubes, change theirs 'netvm' first"
                )

    # -- global properties

    def set_global(self, prop_name, value):
        if prop_name not in GLOBAL_PROPERTIES:
            raise NoSuchProperty(prop_name)
        prop = GLOBAL_PROPERTIES[prop_name]
        self.check_writable(prop, "Qubes")
        value = self.convert(prop, value)
        if prop_name == "default_netvm" and value:
            if not parse_bool(self.get(value, "provides_network")[0]):
                raise PropertyError(f"The {value} qube does not provide network")
        if prop_name in ("default_dispvm", "management_dispvm") and value:
            if not parse_bool(self.get(value, "template_for_dispvms")[0]):
                raise PropertyError(
                    f"Cannot set invalid property to qube 'dom0', {prop_name} '{value}' "
                    "has template_for_dispvms set to False"
                )
        self.state["global"][prop_name] = value

    def reset_global(self, prop_name):
        if prop_name not in GLOBAL_PROPERTIES:
            raise NoSuchProperty(prop_name)
        self.check_writable(GLOBAL_PROPERTIES[prop_name], "Qubes")
        self.state["global"].pop(prop_name, None)

    # -- qubes

    def next_qid(self):
        return max(vm["qid"] for vm in self.state["vms"].values()) + 1


def validate_vm_name(name):
    if len(name) > 31:
        raise PropertyError("VM name must be shorter than 32 characters")
    if re.match(r"[0-9_.-]", name):
        raise PropertyError("VM name cannot start with hyphen, underscore, dot or numbers")
    if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_.-]*", name):
        raise PropertyError("VM name contains illegal characters")
    if name == "Domain-0":
        raise PropertyError("VM name cannot be 'Domain-0'")
    if name in ("none", "default"):
        raise PropertyError("VM name cannot be 'none' nor 'default'")
    if name.endswith("-dm"):
        raise PropertyError("VM name cannot end with -dm")


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
# qvm-ls


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
        rows = [[ls_cell(model, name, field) for field in fields] for name in names]

    if raw:
        for row in rows:
            print("|".join(row))
    else:
        header = [field.upper().replace("_", "-") for field in fields]
        print_table([header] + rows)
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
    return template_query(prog, args)


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


# ---------------------------------------------------------------------------
# hostname and the seed helper


def hostname(prog, argv):
    print(host_id())
    return EXIT_OK


def print_seed(prog, argv):
    """Print a fresh host's state as JSON (used by the Java fleet to seed hosts)."""
    json.dump(seed_state(host_id()), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return EXIT_OK


TOOLS = {
    "qvm-check": qvm_check,
    "qvm-create": qvm_create,
    "qvm-prefs": lambda prog, argv: prefs_main(prog, argv, global_prefs=False),
    "qubes-prefs": lambda prog, argv: prefs_main(prog, argv, global_prefs=True),
    "qvm-features": qvm_features,
    "qvm-tags": qvm_tags,
    "qvm-ls": qvm_ls,
    "qvm-template": qvm_template,
    "hostname": hostname,
    "qubes-sim-seed": print_seed,
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
        return tool(prog, sys.argv[1:])
    except ToolError as error:
        print(f"{prog}: error: {error.message}", file=sys.stderr)
        return error.exit_code
    except NoSuchProperty as error:
        print(f"{prog}: error: no such property: {str(error)!r}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
