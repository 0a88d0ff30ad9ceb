"""Qube and global properties with their defaults, inheritance and qubesd validation rules."""

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


def default_virt_mode(model, vm):
    """Return hvm for a qube with PCI devices assigned, else the template's mode, else pvh."""
    if model.vm(vm).get("devices", {}).get("pci"):
        return "hvm"
    return inherit_from_template("virt_mode", "pvh")(model, vm)


def default_maxmem(model, vm):
    memory = int(model.get(vm, "memory")[0])
    return str(min(memory * 10, host_memory_mb(model) // 2))


def host_memory_mb(model):
    return int(hardware(model.state)["memory_mb"])


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
        Prop("virt_mode", "str", default_virt_mode, check=check_virt_mode),
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
    admin["maxmem"] = Prop("maxmem", "int", lambda model, vm: str(host_memory_mb(model)),
                           settable=False)
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
        Prop("maxmem", "int", lambda model: str(host_memory_mb(model)), settable=False),
        Prop("no_cpus", "int", lambda model: str(hardware(model.state)["cpus"]), settable=False),
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
        default = GLOBAL_PROPERTIES[prop_name].default
        return (default(self) if callable(default) else default), True

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
        elif prop_name == "virt_mode" and value == "pvh" and vm.get("devices", {}).get("pci"):
            raise PropertyError("pvh mode can't be set if pci devices are assigned")
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


