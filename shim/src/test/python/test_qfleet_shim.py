"""Tests of the qfleet shim: the real shim, started by the real bootstrap command through
/bin/sh, against fake qvm-* tools that keep their state in a JSON file.

Run from the repository: python3 -m unittest discover -s shim/src/test/python -v
"""

import importlib.util
import io
import json
import os
import select
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

TEST_DIR = Path(__file__).resolve().parent
SHIM_PATH = TEST_DIR.parents[1] / "main/resources/org/qfleet/shim/qfleet_shim.py"
FAKE_TOOLS = ("qvm-prefs", "qvm-features", "qvm-tags", "qvm-check", "qvm-create", "qvm-ls")
# The interpreter that runs the shim and the fakes; set QFLEET_SHIM_PYTHON to try another
# version, such as the Python 3.8 of Qubes 4.1 dom0.
PYTHON = os.environ.get("QFLEET_SHIM_PYTHON", "/usr/bin/python3")

# The exec command of the protocol, as the master sends it. ShimTest in Java checks that
# Shim.bootstrapCommand() and docs/plan-format.md hold the same text.
BOOTSTRAP = (
    "python3 -I -S -c 'import sys;n=int(sys.stdin.buffer.readline());"
    'exec(compile(sys.stdin.buffer.read(n),"qfleet_shim.py","exec"))\''
)
RUN_TIMEOUT = 60


def load_shim_module():
    # No __pycache__ next to the shim, because Maven would package it as a resource.
    sys.dont_write_bytecode = True
    spec = importlib.util.spec_from_file_location("qfleet_shim", SHIM_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shim = load_shim_module()


def initial_state():
    """Four qubes in the fake tools' state format. The maxmem of `work` ignores changes."""

    def appvm(netvm_set=None, label="blue"):
        netvm = {"default": "sys-firewall", "vm": True}
        if netvm_set is not None:
            netvm["set"] = netvm_set
        return {
            "prefs": {
                "label": {"default": "red", "set": label},
                "memory": {"default": "400"},
                "maxmem": {"default": "4000"},
                "netvm": netvm,
                "kernelopts": {"default": "swiotlb=2048 nopat"},
                "backup_timestamp": {},
                "template": {"default": "", "set": "fedora-40", "vm": True},
            },
            "features": {"service.cups": "1", "gui": ""},
            "tags": ["audit", "created-by-dom0"],
        }

    work = appvm()
    work["frozen"] = ["maxmem"]
    return {
        "qubes": {
            "work": work,
            "personal": appvm(netvm_set="", label="yellow"),
            "sys-firewall": appvm(label="green"),
            "sys-whonix": appvm(label="black"),
            # The template of the qubes that the tests create.
            "fedora-40": {"prefs": {"label": {"default": "red", "set": "black"}},
                          "features": {}, "tags": []},
        }
    }


class FakeHost:
    """A temporary directory with the fake tools first on PATH, their state and their log."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="qfleet-shim-test-"))
        self.bin = self.directory / "bin"
        self.bin.mkdir()
        source = (TEST_DIR / "fake_qubes.py").read_text()
        for tool in FAKE_TOOLS:
            path = self.bin / tool
            path.write_text(f"#!{PYTHON} -IS\n" + source)
            path.chmod(0o755)
        # dom0 runs /usr/bin/python3, so the bootstrap's python3 is that one here too.
        (self.bin / "python3").symlink_to(PYTHON)
        self.state_path = self.directory / "state.json"
        self.log_path = self.directory / "calls.log"
        self.state_path.write_text(json.dumps(initial_state(), indent=1, sort_keys=True))
        self.log_path.write_text("")
        self.env = dict(os.environ)
        # An SSH exec has no PYTHONUNBUFFERED, so the shim's own flushing is what is tested.
        self.env.pop("PYTHONUNBUFFERED", None)
        self.env["PATH"] = f"{self.bin}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"
        self.env["FAKE_QUBES_STATE"] = str(self.state_path)
        self.env["FAKE_QUBES_LOG"] = str(self.log_path)

    def remove(self):
        shutil.rmtree(self.directory, ignore_errors=True)

    def stdin_for(self, request):
        source = SHIM_PATH.read_bytes()
        body = request if isinstance(request, bytes) else json.dumps(request).encode()
        return str(len(source)).encode() + b"\n" + source + body

    def run(self, request):
        """Run the shim through /bin/sh and the bootstrap command, and parse its lines."""
        completed = subprocess.run(
            ["/bin/sh", "-c", BOOTSTRAP],
            input=self.stdin_for(request),
            capture_output=True,
            env=self.env,
            timeout=RUN_TIMEOUT,
        )
        lines = [json.loads(line) for line in completed.stdout.decode().splitlines()]
        return ShimRun(completed.returncode, lines, completed.stderr.decode())

    def state(self):
        return json.loads(self.state_path.read_text())

    def calls(self):
        return [json.loads(line) for line in self.log_path.read_text().splitlines()]

    def count_calls(self, *argv):
        return sum(1 for call in self.calls() if call == list(argv))


class ShimRun:
    def __init__(self, exit_code, lines, stderr):
        self.exit_code = exit_code
        self.lines = lines
        self.stderr = stderr

    def results(self):
        return [line for line in self.lines if line["type"] == "result"]

    def result(self, chunk_id):
        matches = [line for line in self.results() if line["__id__"] == chunk_id]
        if len(matches) != 1:
            raise AssertionError(f"expected one result for {chunk_id}, got {self.lines}")
        return matches[0]

    def done(self):
        return self.lines[-1]


# ---------------------------------------------------------------------------------------------
# Plan builders


def plan(*chunks, test=False, **fields):
    request = {"protocol": 1, "kind": "plan", "jid": "20261204153012345678", "host": "lab-01",
               "test": test, "chunks": list(chunks)}
    request.update(fields)
    return request


def chunk(chunk_id, *steps, sls="qvm.test", fun="prefs", requisites=None, comment_ok=None):
    document = {"tag": f"qvm_|-{chunk_id}_|-{chunk_id}_|-{fun}", "id": chunk_id, "sls": sls,
                "state": "qvm", "fun": fun, "name": chunk_id, "steps": list(steps)}
    if requisites is not None:
        document["requisites"] = requisites
    if comment_ok is not None:
        document["comment_ok"] = comment_ok
    return document


def tag(chunk_id, fun="prefs"):
    return f"qvm_|-{chunk_id}_|-{chunk_id}_|-{fun}"


def prefs_step(vm, field, value=None, default=False, vm_valued=False):
    expect = {"default": True} if default else {"value": value}
    change = [["qvm-prefs", "-D", vm, field]] if default else [["qvm-prefs", vm, field, value]]
    return {"group": "qvm.prefs", "key": field, "vm": vm,
            "probe": {"argv": ["qvm-prefs", vm], "read": "prefs", "field": field,
                      "vm_valued": vm_valued},
            "expect": expect, "change": change}


def feature_step(vm, name, value):
    change = [["qvm-features", "--unset", vm, name]] if value is None else [
        ["qvm-features", vm, name, value]]
    return {"group": "qvm.features", "key": name, "vm": vm,
            "probe": {"argv": ["qvm-features", vm], "read": "features", "field": name},
            "expect": {"value": value}, "change": change}


def tag_step(vm, name, present):
    action = "add" if present else "del"
    return {"group": "qvm.tags", "key": name, "vm": vm,
            "probe": {"argv": ["qvm-tags", vm, "list"], "read": "lines", "field": name},
            "expect": {"present": present}, "change": [["qvm-tags", vm, action, name]]}


def exists_step(vm, creates=False):
    step = {"group": None, "key": "exists", "vm": vm,
            "probe": {"argv": ["qvm-check", vm], "read": "exit"},
            "expect": {"exit": 0},
            "change": [["qvm-create", "--class", "AppVM", "--template", "fedora-40",
                        "--label", "red", vm]],
            "report": {"created": vm}}
    if creates:
        step["creates"] = vm
    return step


def stdout_step(vm, field, value):
    return {"group": "qvm.prefs", "key": field, "vm": vm,
            "probe": {"argv": ["qvm-prefs", vm, field], "read": "stdout"},
            "expect": {"value": value}, "change": [["qvm-prefs", vm, field, value]]}


# ---------------------------------------------------------------------------------------------


class ShimTestCase(unittest.TestCase):
    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.remove)

    def run_plan(self, *chunks, test=False, **fields):
        run = self.host.run(plan(*chunks, test=test, **fields))
        self.assertEqual(0, run.exit_code, run.stderr)
        self.assertEqual("", run.stderr)
        return run


class ProbeTest(ShimTestCase):
    """Each probe kind, holding and not holding, evaluated in test mode."""

    def assert_holds(self, step):
        run = self.run_plan(chunk("held", step), test=True)
        result = run.result("held")
        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual({}, result["changes"])
        self.assertEqual("All checks passed, nothing to change", result["comment"])

    def assert_predicts(self, step, old, new):
        run = self.run_plan(chunk("differs", step), test=True)
        result = run.result("differs")
        self.assertIsNone(result["result"], result["comment"])
        changes = result["changes"]
        if step["group"] is not None:
            changes = changes[step["group"]]
        self.assertEqual({"old": old, "new": new}, changes[step["key"]])
        self.assertEqual("Would run: " + " ".join(shlex.quote(word) for word in step["change"][0]),
                         result["comment"])

    def test_exit_probe(self):
        holding = exists_step("work")
        holding.pop("report")
        self.assert_holds(holding)
        missing = exists_step("nowhere")
        missing.pop("report")
        self.assert_predicts(missing, 1, 0)

    def test_stdout_probe(self):
        self.assert_holds(stdout_step("work", "label", "blue"))
        self.assert_predicts(stdout_step("work", "label", "purple"), "blue", "purple")

    def test_prefs_value_probe(self):
        self.assert_holds(prefs_step("work", "label", "blue"))
        self.assert_predicts(prefs_step("work", "label", "green"), "blue", "green")

    def test_prefs_value_equal_to_default_is_not_set(self):
        self.assert_predicts(prefs_step("work", "memory", "400"), "*default*", "400")

    def test_prefs_default_probe(self):
        self.assert_holds(prefs_step("work", "memory", default=True))
        self.assert_holds(prefs_step("work", "backup_timestamp", default=True))
        self.assert_predicts(prefs_step("work", "label", default=True), "blue", "*default*")

    def test_prefs_value_with_spaces(self):
        self.assert_predicts(prefs_step("work", "kernelopts", "nopat"), "*default*", "nopat")
        self.assert_holds(self.kernelopts_set("swiotlb=2048 nopat"))

    def kernelopts_set(self, value):
        state = self.host.state()
        state["qubes"]["work"]["prefs"]["kernelopts"]["set"] = value
        self.host.state_path.write_text(json.dumps(state))
        return prefs_step("work", "kernelopts", value)

    def test_prefs_vm_valued_none_reads_as_empty(self):
        self.assert_holds(prefs_step("personal", "netvm", "", vm_valued=True))
        self.assert_predicts(prefs_step("personal", "netvm", "sys-firewall", vm_valued=True),
                             "", "sys-firewall")

    def test_prefs_without_vm_valued_keeps_none(self):
        self.assert_predicts(prefs_step("personal", "netvm", ""), "None", "")

    def test_features_probe(self):
        self.assert_holds(feature_step("work", "service.cups", "1"))
        self.assert_holds(feature_step("work", "gui", ""))
        self.assert_holds(feature_step("work", "service.absent", None))
        self.assert_predicts(feature_step("work", "service.cups", "0"), "1", "0")
        self.assert_predicts(feature_step("work", "service.cups", None), "1", None)
        self.assert_predicts(feature_step("work", "vm-config.x", "1"), None, "1")

    def test_lines_probe(self):
        self.assert_holds(tag_step("work", "audit", True))
        self.assert_holds(tag_step("work", "backup", False))
        self.assert_predicts(tag_step("work", "backup", True), "absent", "present")
        self.assert_predicts(tag_step("work", "audit", False), "present", "absent")

    def test_probe_of_missing_qube_fails(self):
        run = self.run_plan(chunk("ghost", prefs_step("ghost", "label", "red")), test=True)
        result = run.result("ghost")
        self.assertIs(False, result["result"])
        self.assertEqual("qvm-prefs ghost failed with exit code 2: "
                         "qvm-prefs: error: no such domain: 'ghost'", result["comment"])

    def test_unknown_property_fails(self):
        run = self.run_plan(chunk("odd", prefs_step("work", "no_such_prop", "1")))
        result = run.result("odd")
        self.assertIs(False, result["result"])
        self.assertEqual("property no_such_prop is not in the output of qvm-prefs work",
                         result["comment"])

    def test_comment_ok_replaces_default_comment(self):
        run = self.run_plan(chunk("work", prefs_step("work", "label", "blue"),
                                  comment_ok="Qube work is in the desired state"))
        self.assertEqual("Qube work is in the desired state", run.result("work")["comment"])

    def test_chunk_without_steps_succeeds(self):
        run = self.run_plan(chunk("empty"))
        result = run.result("empty")
        self.assertIs(True, result["result"])
        self.assertEqual({}, result["changes"])


class ChangeTest(ShimTestCase):
    def test_change_applies_and_reports(self):
        run = self.run_plan(chunk("work", prefs_step("work", "netvm", "sys-whonix", vm_valued=True),
                                  feature_step("work", "service.cups", None),
                                  tag_step("work", "backup", True)))
        result = run.result("work")
        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual({
            "qvm.prefs": {"netvm": {"old": "*default*", "new": "sys-whonix"}},
            "qvm.features": {"service.cups": {"old": "1", "new": None}},
            "qvm.tags": {"backup": {"old": "absent", "new": "present"}},
        }, result["changes"])
        self.assertEqual("Ran: qvm-prefs work netvm sys-whonix\n"
                         "Ran: qvm-features --unset work service.cups\n"
                         "Ran: qvm-tags work add backup", result["comment"])
        qube = self.host.state()["qubes"]["work"]
        self.assertEqual("sys-whonix", qube["prefs"]["netvm"]["set"])
        self.assertNotIn("service.cups", qube["features"])
        self.assertIn("backup", qube["tags"])

    def test_converged_host_reports_nothing_on_rerun(self):
        steps = (prefs_step("work", "netvm", "sys-whonix", vm_valued=True),
                 prefs_step("work", "label", default=True),
                 feature_step("work", "gui", "1"))
        first = self.run_plan(chunk("work", *steps)).result("work")
        self.assertEqual(3, sum(len(group) for group in first["changes"].values()))
        second = self.run_plan(chunk("work", *steps)).result("work")
        self.assertIs(True, second["result"])
        self.assertEqual({}, second["changes"])

    def test_report_replaces_old_and_new(self):
        run = self.run_plan(chunk("fresh", exists_step("fresh", creates=True), fun="present"))
        result = run.result("fresh")
        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual({"exists": {"created": "fresh"}}, result["changes"])
        self.assertIn("fresh", self.host.state()["qubes"])

    def test_failed_change_fails_chunk_and_skips_groups(self):
        steps = (prefs_step("work", "label", "green"),
                 prefs_step("work", "netvm", "nope", vm_valued=True),
                 prefs_step("work", "memory", "800"),
                 feature_step("work", "gui", "1"),
                 tag_step("work", "backup", True),
                 tag_step("work", "audit", False))
        after = chunk("after", prefs_step("work", "memory", "600"))
        run = self.run_plan(chunk("work", *steps), after)
        result = run.result("work")
        self.assertIs(False, result["result"])
        self.assertEqual({"qvm.prefs": {"label": {"old": "blue", "new": "green"}}},
                         result["changes"])
        self.assertEqual("Ran: qvm-prefs work label green\n"
                         "qvm-prefs work netvm nope failed with exit code 1: "
                         "qvm-prefs: error: Can't set netvm to non-existing qube nope\n"
                         "[qvm.prefs] memory skipped because an earlier step failed\n"
                         "[qvm.features] skipped because an earlier step failed\n"
                         "[qvm.tags] skipped because an earlier step failed", result["comment"])
        self.assertEqual(0, self.host.count_calls("qvm-prefs", "work", "memory", "800"))
        self.assertEqual(0, self.host.count_calls("qvm-features", "work"))
        self.assertEqual(0, self.host.count_calls("qvm-tags", "work", "list"))
        self.assertIs(True, run.result("after")["result"], "a later chunk still runs")

    def test_ungrouped_step_skipped_by_key(self):
        failing = prefs_step("work", "netvm", "nope")
        later = exists_step("work")
        run = self.run_plan(chunk("work", failing, later))
        self.assertTrue(run.result("work")["comment"].endswith(
            "\n[exists] skipped because an earlier step failed"))

    def test_reprobe_that_still_differs_fails(self):
        run = self.run_plan(chunk("work", prefs_step("work", "maxmem", "8000"),
                                  feature_step("work", "gui", "1")))
        result = run.result("work")
        self.assertIs(False, result["result"])
        self.assertEqual({}, result["changes"])
        self.assertEqual("Ran: qvm-prefs work maxmem 8000\n"
                         "maxmem is still *default* after the change, expected '8000'\n"
                         "[qvm.features] skipped because an earlier step failed",
                         result["comment"])
        self.assertEqual(2, self.host.count_calls("qvm-prefs", "work"), "the re-probe reads again")

    def breaking_step(self, field, value):
        """A prefs step whose change works and then leaves the host unreadable."""
        step = prefs_step("work", field, value)
        step["change"] = [["sh", "-c", f'qvm-prefs work {field} {value} && echo broken > "$FAKE_QUBES_STATE"']]
        return step

    def test_unverified_change_is_reported(self):
        result = self.run_plan(chunk("work", self.breaking_step("memory", "800"))).result("work")

        self.assertIs(False, result["result"])
        self.assertEqual("800", result["changes"]["qvm.prefs"]["memory"]["new"], result["comment"])
        self.assertIn("Ran: sh -c", result["comment"])

    def test_unverified_batch_changes_are_reported(self):
        result = self.run_plan(chunk("work", prefs_step("work", "label", "red"),
                                     self.breaking_step("memory", "800"))).result("work")

        self.assertIs(False, result["result"])
        self.assertEqual(["label", "memory"], sorted(result["changes"]["qvm.prefs"]), result["comment"])

    def test_batch_verifies_changes_with_one_read(self):
        run = self.run_plan(chunk("work", prefs_step("work", "label", "red"),
                                  prefs_step("work", "memory", "800"),
                                  prefs_step("work", "kernelopts", "nopat")))
        result = run.result("work")
        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual({"label", "memory", "kernelopts"}, set(result["changes"]["qvm.prefs"]))
        self.assertEqual(2, self.host.count_calls("qvm-prefs", "work"),
                         "one read to decide and one to verify the three changes")
        prefs = self.host.state()["qubes"]["work"]["prefs"]
        self.assertEqual(("red", "800", "nopat"), (prefs["label"]["set"], prefs["memory"]["set"],
                                                   prefs["kernelopts"]["set"]))

    def test_batch_change_that_does_not_stick_fails(self):
        run = self.run_plan(chunk("work", prefs_step("work", "label", "red"),
                                  prefs_step("work", "maxmem", "8000"),
                                  prefs_step("work", "memory", "800"),
                                  feature_step("work", "gui", "1")))
        result = run.result("work")
        self.assertIs(False, result["result"])
        self.assertEqual({"qvm.prefs": {"label": {"old": "blue", "new": "red"},
                                        "memory": {"old": "*default*", "new": "800"}}},
                         result["changes"])
        self.assertEqual("Ran: qvm-prefs work label red\n"
                         "Ran: qvm-prefs work maxmem 8000\n"
                         "maxmem is still *default* after the change, expected '8000'\n"
                         "Ran: qvm-prefs work memory 800\n"
                         "[qvm.features] skipped because an earlier step failed",
                         result["comment"])

    def test_batch_rechecks_field_changed_by_side_effect(self):
        state = self.host.state()
        state["qubes"]["work"]["side_effects"] = {"label": {"memory": "999"}}
        self.host.state_path.write_text(json.dumps(state))
        run = self.run_plan(chunk("work", prefs_step("work", "label", "red"),
                                  prefs_step("work", "memory", default=True)))
        result = run.result("work")
        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual({"old": "999", "new": "*default*"}, result["changes"]["qvm.prefs"]["memory"])
        self.assertNotIn("set", self.host.state()["qubes"]["work"]["prefs"]["memory"])

    def test_change_creates_qube_then_probes_it(self):
        run = self.run_plan(chunk("fresh", exists_step("fresh", creates=True),
                                  prefs_step("fresh", "label", "red"),
                                  prefs_step("fresh", "memory", "800"),
                                  fun="present"))
        result = run.result("fresh")
        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual({"exists": {"created": "fresh"},
                          "qvm.prefs": {"memory": {"old": "*default*", "new": "800"}}},
                         result["changes"])


def create_step(vm, *properties):
    """A qvm.present step that creates `vm` and passes `properties` (NAME=VALUE) to qvm-create."""
    alone = ["qvm-create", vm, "--class", "AppVM", "--template", "fedora-40", "--label", "red"]
    combined = list(alone)
    for assignment in properties:
        combined += ["--property", assignment]
    step = {"group": "qvm.present", "key": vm, "vm": vm,
            "probe": {"argv": ["qvm-prefs", vm], "read": "exists"}, "expect": {"present": True},
            "change": [combined], "creates": vm, "report": {"old": None, "new": {"label": "red"}}}
    if properties:
        step["create_alone"] = alone
    return step


def set_at_creation(step):
    return dict(step, set_at_creation=True)


class CreationTest(ShimTestCase):
    """A qube created with the properties of later steps, which check and report them."""

    def new_qube_chunk(self, *extra_properties):
        properties = ("memory=800", "netvm=") + extra_properties
        return chunk("fresh", create_step("fresh", *properties),
                     prefs_step("fresh", "label", "red"),
                     set_at_creation(prefs_step("fresh", "memory", "800")),
                     set_at_creation(prefs_step("fresh", "netvm", "", vm_valued=True)),
                     fun="vm")

    def test_creation_properties_reported_as_changes(self):
        result = self.run_plan(self.new_qube_chunk()).result("fresh")

        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual({"qvm.present": {"fresh": {"old": None, "new": {"label": "red"}}},
                          "qvm.prefs": {"memory": {"old": "*default*", "new": "800"},
                                        "netvm": {"old": "*default*", "new": ""}}},
                         result["changes"])
        self.assertEqual("Ran: qvm-create fresh --class AppVM --template fedora-40 --label red"
                         " --property memory=800 --property netvm=", result["comment"])
        self.assertEqual(["qvm-prefs", "qvm-create", "qvm-prefs"],
                         [call[0] for call in self.host.calls()],
                         "the probe, one create, and one read that verifies it and decides the prefs")
        prefs = self.host.state()["qubes"]["fresh"]["prefs"]
        self.assertEqual(("800", ""), (prefs["memory"]["set"], prefs["netvm"]["set"]))

    def test_new_qube_listings_read_together(self):
        events = self.host.directory / "events"
        self.host.env["FAKE_QUBES_EVENTS"] = str(events)
        self.host.env["FAKE_QUBES_DELAY"] = "0.3"
        new_qube = self.new_qube_chunk()
        new_qube["steps"].append(feature_step("fresh", "service.crond", "1"))
        run = self.run_plan(new_qube, absent=["fresh"])

        self.assertIs(True, run.result("fresh")["result"], run.lines)
        self.assertEqual({"service.crond": {"old": None, "new": "1"}},
                         run.result("fresh")["changes"]["qvm.features"])
        calls = [" ".join(call) for call in self.host.calls()]
        self.assertEqual(5, len(calls), calls)
        self.assertTrue(calls[0].startswith("qvm-create fresh "), calls)
        self.assertEqual({"qvm-prefs fresh", "qvm-features fresh"}, set(calls[1:3]), calls)
        self.assertEqual(["qvm-features fresh service.crond 1", "qvm-features fresh"], calls[3:],
                         "the feature set and the read that verifies it")
        lines = [json.loads(line) for line in events.read_text().splitlines()]
        reads = [("start", "qvm-prefs", "fresh"), ("start", "qvm-features", "fresh")]
        started = [tuple(line) for line in lines[:lines.index(["end", "qvm-prefs", "fresh"])]]
        self.assertTrue(all(read in started for read in reads),
                        f"both listings start before the first of them ends: {lines}")

    def test_later_chunk_sees_new_label(self):
        relabel = chunk("relabel", prefs_step("fresh", "label", "blue"))
        again = chunk("again", prefs_step("fresh", "label", "blue"))
        run = self.run_plan(self.new_qube_chunk(), relabel, again, absent=["fresh"])

        self.assertEqual({"qvm.prefs": {"label": {"old": "red", "new": "blue"}}},
                         run.result("relabel")["changes"], run.result("relabel")["comment"])
        self.assertIs(True, run.result("again")["result"], run.result("again")["comment"])
        self.assertEqual({}, run.result("again")["changes"])

    def test_later_chunk_probes_wait(self):
        events = self.host.directory / "events"
        self.host.env["FAKE_QUBES_EVENTS"] = str(events)
        self.host.env["FAKE_QUBES_DELAY"] = "0.3"
        run = self.run_plan(self.new_qube_chunk(),
                            chunk("fresh-features", feature_step("fresh", "service.crond", "1"),
                                  fun="features"),
                            absent=["fresh"])

        self.assertTrue(all(result["result"] is True for result in run.results()), run.lines)
        lines = [json.loads(line) for line in events.read_text().splitlines()]
        verified = lines.index(["end", "qvm-prefs", "fresh"])
        read = lines.index(["start", "qvm-features", "fresh"])
        self.assertGreater(read, verified, f"the later chunk reads after the creation's chunk: {lines}")

    def test_rerun_reports_nothing(self):
        self.run_plan(self.new_qube_chunk())
        result = self.run_plan(self.new_qube_chunk()).result("fresh")

        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual({}, result["changes"])
        self.assertEqual(1, sum(call[0] == "qvm-create" for call in self.host.calls()))

    def test_failed_property_fails_its_step(self):
        chunk_ = self.new_qube_chunk("kernel=custom")
        chunk_["steps"].append(prefs_step("fresh", "kernel", "custom"))
        result = self.run_plan(chunk_).result("fresh")

        self.assertIs(False, result["result"])
        self.assertEqual({"qvm.present": {"fresh": {"old": None, "new": {"label": "red"}}},
                          "qvm.prefs": {"memory": {"old": "*default*", "new": "800"},
                                        "netvm": {"old": "*default*", "new": ""}}},
                         result["changes"])
        self.assertEqual(
            "qvm-create fresh --class AppVM --template fedora-40 --label red --property memory=800"
            " --property netvm= --property kernel=custom failed with exit code 2: app: Error"
            " setting property kernel (but VM created): no such property: 'kernel'\n"
            "fresh exists, so the steps below check and set its properties\n"
            "property kernel is not in the output of qvm-prefs fresh", result["comment"])

    def test_rolled_back_creation_runs_alone(self):
        state = self.host.state()
        state["create_rollback"] = True
        self.host.state_path.write_text(json.dumps(state))
        result = self.run_plan(self.new_qube_chunk("kernel=custom")).result("fresh")

        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual({"memory": {"old": "*default*", "new": "800"},
                          "netvm": {"old": "*default*", "new": ""}},
                         result["changes"]["qvm.prefs"])
        self.assertEqual([
            "qvm-create fresh --class AppVM --template fedora-40 --label red --property memory=800"
            " --property netvm= --property kernel=custom failed with exit code 1: qvm-create:"
            " error: no such property: 'kernel'",
            "Ran: qvm-create fresh --class AppVM --template fedora-40 --label red",
            "Ran: qvm-prefs fresh memory 800",
            "Ran: qvm-prefs fresh netvm ''"], result["comment"].splitlines())

    def test_absent_qube_is_not_probed(self):
        run = self.run_plan(self.new_qube_chunk(), absent=["fresh"])

        self.assertIs(True, run.result("fresh")["result"], run.result("fresh")["comment"])
        self.assertEqual(["qvm-create", "qvm-prefs"], [call[0] for call in self.host.calls()])

    def test_absent_but_existing_qube_fails(self):
        run = self.run_plan(chunk("work", create_step("work"), fun="present"), absent=["work"])

        result = run.result("work")
        self.assertIs(False, result["result"])
        self.assertIn("Qube already exists: work", result["comment"])

    def test_touched_absent_qube_is_probed(self):
        first = chunk("fresh", create_step("fresh"), fun="present")
        again = chunk("again", create_step("fresh"), fun="present")
        run = self.run_plan(first, again, absent=["fresh"])

        self.assertEqual([True, True], [result["result"] for result in run.results()])
        self.assertEqual({}, run.result("again")["changes"])
        self.assertEqual(1, self.host.count_calls("qvm-create", "fresh", "--class", "AppVM",
                                                  "--template", "fedora-40", "--label", "red"))

    def test_unreadable_qube_is_not_created(self):
        state = self.host.state()
        state["unreadable"] = ["work"]
        self.host.state_path.write_text(json.dumps(state))
        result = self.run_plan(chunk("work", create_step("work"), fun="present")).result("work")

        self.assertIs(False, result["result"])
        self.assertEqual("qvm-prefs work failed with exit code 1: qvm-prefs: error: Got empty"
                         " response from qubesd. See journalctl in dom0 for details.",
                         result["comment"])
        self.assertEqual(0, sum(call[0] == "qvm-create" for call in self.host.calls()))

    def test_same_error_twice_is_shown_once(self):
        state = self.host.state()
        state["create_rollback"] = True
        del state["qubes"]["fedora-40"]
        self.host.state_path.write_text(json.dumps(state))
        result = self.run_plan(self.new_qube_chunk()).result("fresh")

        self.assertIs(False, result["result"])
        self.assertEqual(["qvm-create fresh --class AppVM --template fedora-40 --label red failed"
                          " with exit code 1: app: Error creating VM: No such domain: 'fedora-40'",
                          "[qvm.prefs] skipped because an earlier step failed"],
                         result["comment"].splitlines())

    def test_test_mode_predicts_properties(self):
        result = self.run_plan(self.new_qube_chunk(), test=True).result("fresh")

        self.assertIsNone(result["result"])
        self.assertEqual({"memory": {"old": "*default*", "new": "800"},
                          "netvm": {"old": "*default*", "new": ""}},
                         result["changes"]["qvm.prefs"],
                         "the label that qvm-create sets is no change, as in the real run")
        self.assertNotIn("fresh", self.host.state()["qubes"])


class TestModeCreationTest(ShimTestCase):
    """Test mode predicts a new qube as the creating command will leave it."""

    def test_missing_template_is_predicted(self):
        step = create_step("fresh")
        step["change"] = [["qvm-create", "fresh", "--template=fedora-99", "--label=red"]]
        result = self.run_plan(chunk("fresh", step, fun="present"), test=True).result("fresh")

        self.assertIs(False, result["result"])
        self.assertEqual("fresh would be created from template fedora-99, which does not exist"
                         " on this host and no earlier state creates it", result["comment"])

    def test_creation_properties_are_read_from_arguments(self):
        self.assertEqual({"label": "red", "template": "fedora-40", "memory": "800", "netvm": "",
                          "vcpus": "2"},
                         shim.creation_properties(
                             ["qvm-create", "fresh", "--label", "red", "--template=fedora-40",
                              "--property=memory=800", "--property", "netvm=", "--prop", "vcpus=2"]))


class TestModeTest(ShimTestCase):
    def test_test_mode_never_writes(self):
        before = self.host.state_path.read_bytes()
        run = self.run_plan(
            chunk("work", prefs_step("work", "netvm", "sys-whonix", vm_valued=True),
                  prefs_step("work", "label", default=True),
                  feature_step("work", "service.cups", None),
                  tag_step("work", "backup", True)),
            chunk("fresh", exists_step("fresh", creates=True), fun="present"),
            test=True)
        self.assertEqual(before, self.host.state_path.read_bytes())
        tools = {call[0] for call in self.host.calls()}
        self.assertEqual({"qvm-prefs", "qvm-features", "qvm-tags", "qvm-check"}, tools)
        self.assertTrue(all(len(call) <= 3 for call in self.host.calls()), self.host.calls())
        result = run.result("work")
        self.assertIsNone(result["result"])
        self.assertEqual({
            "qvm.prefs": {"netvm": {"old": "*default*", "new": "sys-whonix"},
                          "label": {"old": "blue", "new": "*default*"}},
            "qvm.features": {"service.cups": {"old": "1", "new": None}},
            "qvm.tags": {"backup": {"old": "absent", "new": "present"}},
        }, result["changes"])
        self.assertEqual("Would run: qvm-prefs work netvm sys-whonix\n"
                         "Would run: qvm-prefs -D work label\n"
                         "Would run: qvm-features --unset work service.cups\n"
                         "Would run: qvm-tags work add backup", result["comment"])
        self.assertEqual({"type": "done", "chunks": 2, "failed": 0, "changed": 2}, run.done())

    def test_creates_predicts_defaults_without_probing(self):
        run = self.run_plan(
            chunk("fresh", exists_step("fresh", creates=True),
                  prefs_step("fresh", "memory", "800"),
                  prefs_step("fresh", "netvm", default=True),
                  feature_step("fresh", "gui", "1"),
                  feature_step("fresh", "service.cups", None),
                  tag_step("fresh", "backup", True),
                  tag_step("fresh", "audit", False),
                  fun="present"),
            test=True)
        result = run.result("fresh")
        self.assertIsNone(result["result"], result["comment"])
        self.assertEqual({
            "exists": {"created": "fresh"},
            "qvm.prefs": {"memory": {"old": "*default*", "new": "800"}},
            "qvm.features": {"gui": {"old": None, "new": "1"}},
            "qvm.tags": {"backup": {"old": "absent", "new": "present"}},
        }, result["changes"])
        self.assertEqual([["qvm-check", "fresh"], ["qvm-check", "--quiet", "fedora-40"]],
                         self.host.calls(), "the qube, then the template it is created from")
        self.assertNotIn("fresh", self.host.state()["qubes"])

    def test_creates_of_existing_qube_probes_it(self):
        run = self.run_plan(chunk("work", exists_step("work", creates=True),
                                  prefs_step("work", "label", "blue")), test=True)
        result = run.result("work")
        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual(1, self.host.count_calls("qvm-prefs", "work"))


class CheckOnlyTest(ShimTestCase):
    """Steps without change commands, such as qvm.exists and qvm.missing, only check."""

    def check_step(self, vm, expected_exit):
        return {"group": None, "key": "exists", "vm": vm,
                "probe": {"argv": ["qvm-check", vm], "read": "exit"},
                "expect": {"exit": expected_exit}, "change": []}

    def test_holding_check_succeeds(self):
        run = self.run_plan(chunk("work", self.check_step("work", 0), fun="exists"))
        self.assertIs(True, run.result("work")["result"])

    def test_failing_check_fails_with_output(self):
        run = self.run_plan(chunk("ghost", self.check_step("ghost", 0), fun="exists"))
        result = run.result("ghost")
        self.assertIs(False, result["result"], result["comment"])
        self.assertTrue(result["comment"].startswith("qvm-check ghost exited with code 1, expected 0"),
                        result["comment"])
        self.assertEqual({}, result["changes"])

    def test_failing_check_fails_in_test_mode(self):
        run = self.run_plan(chunk("ghost", self.check_step("ghost", 0), fun="exists"), test=True)
        self.assertIs(False, run.result("ghost")["result"])

    def test_check_of_predicted_qube_is_not_run(self):
        run = self.run_plan(chunk("fresh", exists_step("fresh", creates=True), fun="present"),
                            chunk("fresh-check", dict(self.check_step("fresh", 0)), fun="exists"),
                            test=True)
        result = run.result("fresh-check")
        self.assertIs(True, result["result"], result["comment"])
        self.assertIn("earlier state would create fresh", result["comment"])
        self.assertEqual(1, self.host.count_calls("qvm-check", "fresh"))


class CommentQuotingTest(ShimTestCase):
    def test_empty_value_is_quoted_in_comment(self):
        run = self.run_plan(chunk("work", prefs_step("work", "netvm", "", vm_valued=True)), test=True)
        self.assertEqual("Would run: qvm-prefs work netvm ''", run.result("work")["comment"])


class TestModeTargetQubeTest(ShimTestCase):
    """Test mode predicts the failure of a qube-valued property that names a missing qube."""

    def test_missing_netvm_fails_in_test_mode(self):
        run = self.run_plan(chunk("work", prefs_step("work", "netvm", "sys-nope", vm_valued=True)),
                            test=True)
        result = run.result("work")
        self.assertIs(False, result["result"], result["comment"])
        self.assertIn("netvm would be set to qube sys-nope, which does not exist", result["comment"])

    def test_existing_netvm_is_predicted(self):
        run = self.run_plan(chunk("work", prefs_step("work", "netvm", "sys-firewall", vm_valued=True)),
                            test=True)
        self.assertIsNone(run.result("work")["result"], run.result("work")["comment"])

    def test_netvm_created_earlier_is_predicted(self):
        run = self.run_plan(chunk("gw", exists_step("gw", creates=True), fun="present"),
                            chunk("work", prefs_step("work", "netvm", "gw", vm_valued=True)),
                            test=True)
        self.assertIsNone(run.result("work")["result"], run.result("work")["comment"])


class MemoisationTest(ShimTestCase):
    PROPERTIES = ("label", "memory", "maxmem", "netvm", "kernelopts", "template")

    def test_twenty_prefs_read_once(self):
        steps = [prefs_step("work", self.PROPERTIES[i % 6], default=True) for i in range(20)]
        chunks = [chunk(f"part{i}", *steps[i * 5:(i + 1) * 5]) for i in range(4)]
        run = self.run_plan(*chunks, test=True)
        self.assertEqual(4, len(run.results()))
        self.assertEqual(1, self.host.count_calls("qvm-prefs", "work"))

    def test_change_forgets_outputs_of_touched_qube(self):
        run = self.run_plan(
            chunk("read", feature_step("work", "gui", ""),
                  prefs_step("sys-firewall", "label", "green")),
            chunk("change", prefs_step("work", "memory", "800")),
            chunk("reread", feature_step("work", "gui", ""),
                  prefs_step("sys-firewall", "label", "green"),
                  prefs_step("work", "memory", "800")))
        for result in run.results():
            self.assertIs(True, result["result"], result["comment"])
        self.assertEqual(2, self.host.count_calls("qvm-features", "work"))
        self.assertEqual(1, self.host.count_calls("qvm-prefs", "sys-firewall"))
        # the first read, then the re-probe after the change, whose output the reread uses
        self.assertEqual(2, self.host.count_calls("qvm-prefs", "work"))

    def test_change_forgets_qube_named_as_value(self):
        run = self.run_plan(
            chunk("read", prefs_step("sys-whonix", "label", "black")),
            chunk("change", prefs_step("work", "netvm", "sys-whonix", vm_valued=True)),
            chunk("reread", prefs_step("sys-whonix", "label", "black")))
        self.assertEqual(3, len(run.results()))
        self.assertEqual(2, self.host.count_calls("qvm-prefs", "sys-whonix"))

    def test_change_forgets_host_wide_outputs(self):
        def listed(present):
            return {"group": None, "key": "listed", "vm": None,
                    "probe": {"argv": ["qvm-ls", "--raw-list"], "read": "lines", "field": "fresh"},
                    "expect": {"present": present}}

        run = self.run_plan(
            chunk("before", listed(False)),
            chunk("fresh", exists_step("fresh", creates=True), fun="present"),
            chunk("after", listed(True)))
        for result in run.results():
            self.assertIs(True, result["result"], result["comment"])
        self.assertEqual({}, run.result("after")["changes"])
        self.assertEqual(2, self.host.count_calls("qvm-ls", "--raw-list"))

    def test_failed_change_still_forgets(self):
        self.run_plan(
            chunk("change", prefs_step("work", "netvm", "nope")),
            chunk("reread", feature_step("work", "gui", "")))
        self.assertEqual(1, self.host.count_calls("qvm-features", "work"))
        self.assertEqual(1, self.host.count_calls("qvm-prefs", "work"))


class RequisiteTest(ShimTestCase):
    def test_require_of_failed_chunk(self):
        run = self.run_plan(
            chunk("broken", prefs_step("work", "netvm", "nope"), sls="qvm.work"),
            chunk("fine", prefs_step("personal", "label", "yellow"), sls="qvm.personal"),
            chunk("also-broken", prefs_step("ghost", "label", "red"), sls="qvm.ghost"),
            chunk("dependent", prefs_step("sys-whonix", "label", "white"), sls="qvm.whonix",
                  requisites={"require": [tag("also-broken"), tag("fine"), tag("broken")]}))
        result = run.result("dependent")
        self.assertIs(False, result["result"])
        self.assertEqual({}, result["changes"])
        self.assertEqual("One or more requisite failed: qvm.work.broken, qvm.ghost.also-broken",
                         result["comment"])
        self.assertEqual(0, self.host.count_calls("qvm-prefs", "sys-whonix"))
        self.assertEqual({"type": "done", "chunks": 4, "failed": 3, "changed": 0}, run.done())

    def test_require_of_succeeded_chunk(self):
        run = self.run_plan(
            chunk("base", prefs_step("work", "label", "green")),
            chunk("dependent", prefs_step("personal", "label", "green"),
                  requisites={"require": [tag("base")]}))
        result = run.result("dependent")
        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual({"qvm.prefs": {"label": {"old": "yellow", "new": "green"}}},
                         result["changes"])

    def test_require_of_predicted_change_runs(self):
        run = self.run_plan(
            chunk("base", prefs_step("work", "label", "green")),
            chunk("dependent", prefs_step("personal", "label", "green"),
                  requisites={"require": [tag("base")]}),
            test=True)
        self.assertIsNone(run.result("dependent")["result"])

    def test_unknown_requisite_kind(self):
        run = self.run_plan(
            chunk("base", prefs_step("work", "label", "blue")),
            chunk("dependent", prefs_step("personal", "label", "green"),
                  requisites={"require": [tag("base")], "onsuccess": [tag("base")]}))
        result = run.result("dependent")
        self.assertIs(False, result["result"])
        self.assertEqual("Requisite kind not supported by this shim: onsuccess", result["comment"])
        self.assertEqual(0, self.host.count_calls("qvm-prefs", "personal"))


class InvalidRequestTest(ShimTestCase):
    def assert_rejected(self, request, message):
        run = self.host.run(request)
        self.assertEqual(2, run.exit_code)
        self.assertEqual([{"type": "error", "message": message}], run.lines)
        self.assertEqual([], self.host.calls())

    def test_protocol_mismatch(self):
        self.assert_rejected(
            {"protocol": 2, "kind": "commands", "commands": []},
            "request protocol 2 is not supported: this shim implements protocol 1, "
            "so run a master that ships this shim")

    def test_missing_protocol(self):
        self.assert_rejected(
            {"kind": "commands", "commands": []},
            "request protocol null is not supported: this shim implements protocol 1, "
            "so run a master that ships this shim")

    def test_bad_json(self):
        self.assert_rejected(
            b'{"protocol": 1, "kind": ',
            "request is not valid JSON: Expecting value: line 1 column 25 (char 24)")

    def test_missing_request(self):
        self.assert_rejected(b"",
                             "request is missing: expected one JSON document after the source")

    def test_unknown_kind(self):
        self.assert_rejected({"protocol": 1, "kind": "apply"},
                             'request kind "apply" is unknown: expected commands or plan')

    def test_bad_step_timeout(self):
        self.assert_rejected(
            {"protocol": 1, "kind": "commands", "commands": [], "step_timeout": 0},
            "step_timeout must be a positive number of seconds, got 0")

    def test_invalid_plan_names_field(self):
        step = prefs_step("work", "label", "blue")
        step["probe"]["read"] = "json"
        self.assert_rejected(
            plan(chunk("fine", prefs_step("work", "label", "blue")), chunk("work", step)),
            "chunks[1] (qvm_|-work_|-work_|-prefs).steps[0].probe.read: must be one of "
            "exit, stdout, prefs, features, lines, exists, got 'json'")

    def test_requisite_on_later_chunk(self):
        self.assert_rejected(
            plan(chunk("first", requisites={"require": [tag("second")]}), chunk("second")),
            "chunks[0] (qvm_|-first_|-first_|-prefs).requisites.require: "
            "'qvm_|-second_|-second_|-prefs' is not the tag of an earlier chunk, "
            "so the plan is out of order")

    def test_expectation_that_does_not_fit_read(self):
        step = prefs_step("work", "label", "blue")
        step["expect"] = {"present": True}
        self.assert_rejected(
            plan(chunk("work", step)),
            'chunks[0] (qvm_|-work_|-work_|-prefs).steps[0].expect: {"present": true} '
            "is not a valid expectation for read 'prefs'")


class CommandsTest(ShimTestCase):
    def test_commands_request(self):
        run = self.host.run({"protocol": 1, "kind": "commands", "commands": [
            {"id": "prefs", "argv": ["qvm-prefs", "work", "label"]},
            {"id": "shell", "shell": "echo one; echo two >&2; exit 3"},
            {"id": "missing", "argv": ["qvm-no-such-tool", "--raw-data"]},
            {"id": "fails", "argv": ["qvm-check", "ghost"]},
        ]})
        self.assertEqual(0, run.exit_code, run.stderr)
        self.assertEqual([
            {"type": "command", "id": "prefs", "exit": 0, "stdout": "blue\n", "stderr": ""},
            {"type": "command", "id": "shell", "exit": 3, "stdout": "one\n", "stderr": "two\n"},
            {"type": "command", "id": "missing", "exit": 127, "stdout": "",
             "stderr": "qvm-no-such-tool: No such file or directory\n"},
            {"type": "command", "id": "fails", "exit": 1, "stdout": "",
             "stderr": "qvm-check: ghost: non-existent!\n"},
            {"type": "done"},
        ], run.lines)

    def test_shell_passes_text_to_sh(self):
        run = self.host.run({"protocol": 1, "kind": "commands", "commands": [
            {"id": "quoted", "shell": "printf '%s|' \"a b\" $((1 + 2))"}]})
        self.assertEqual("a b|3|", run.lines[0]["stdout"])

    def test_argv_is_not_a_shell(self):
        run = self.host.run({"protocol": 1, "kind": "commands", "commands": [
            {"id": "literal", "argv": ["echo", "$HOME", ";", "*"]}]})
        self.assertEqual("$HOME ; *\n", run.lines[0]["stdout"])

    def test_children_read_dev_null(self):
        run = self.host.run({"protocol": 1, "kind": "commands", "commands": [
            {"id": "stdin", "argv": ["readlink", "/proc/self/fd/0"]}]})
        self.assertEqual("/dev/null\n", run.lines[0]["stdout"])

    def test_command_timeout_kills_children(self):
        started = time.monotonic()
        run = self.host.run({"protocol": 1, "kind": "commands", "step_timeout": 0.5,
                             "commands": [{"id": "slow",
                                           "shell": "echo partial; sleep 30; echo late"},
                                          {"id": "next", "argv": ["echo", "next"]}]})
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual({"type": "command", "id": "slow", "exit": 124, "stdout": "partial\n",
                          "stderr": "/bin/sh -c 'echo partial; sleep 30; echo late' "
                                    "timed out after 0.5 seconds\n"}, run.lines[0])
        self.assertEqual("next\n", run.lines[1]["stdout"])


class RunTest(ShimTestCase):
    def test_run_num_order_and_done_totals(self):
        run = self.run_plan(
            chunk("c", prefs_step("work", "label", "blue")),
            chunk("a", prefs_step("work", "label", "green")),
            chunk("b", prefs_step("ghost", "label", "green")),
            chunk("d", feature_step("personal", "gui", "1")))
        results = run.results()
        self.assertEqual(["c", "a", "b", "d"], [result["__id__"] for result in results])
        self.assertEqual([0, 1, 2, 3], [result["__run_num__"] for result in results])
        self.assertEqual({"type": "done", "chunks": 4, "failed": 1, "changed": 2}, run.done())
        self.assertEqual(5, len(run.lines))

    def test_result_line_has_salt_keys(self):
        result = self.run_plan(chunk("work", prefs_step("work", "label", "blue"))).result("work")
        self.assertEqual(["type", "tag", "__id__", "__sls__", "__run_num__", "name", "result",
                          "changes", "comment", "start_time", "duration"], list(result))
        self.assertEqual("qvm_|-work_|-work_|-prefs", result["tag"])
        self.assertEqual("qvm.test", result["__sls__"])
        self.assertEqual("work", result["name"])
        self.assertRegex(result["start_time"], r"^\d\d:\d\d:\d\d\.\d{6}$")
        self.assertIsInstance(result["duration"], float)
        self.assertGreater(result["duration"], 0)

    def test_probe_timeout_fails_step(self):
        slow = {"group": "qvm.check", "key": "running", "vm": "work",
                "probe": {"argv": ["sleep", "30"], "read": "exit"},
                "expect": {"exit": 0}, "change": [["qvm-start", "work"]]}
        started = time.monotonic()
        run = self.run_plan(chunk("work", slow, feature_step("work", "gui", "")), step_timeout=0.5)
        self.assertLess(time.monotonic() - started, 10)
        result = run.result("work")
        self.assertIs(False, result["result"])
        self.assertEqual("sleep 30 timed out after 0.5 seconds\n"
                         "[qvm.features] skipped because an earlier step failed",
                         result["comment"])

    def test_change_timeout_fails_step(self):
        step = {"group": None, "key": "marker", "vm": None,
                "probe": {"argv": ["test", "-e", str(self.host.directory / "never")],
                          "read": "exit"},
                "expect": {"exit": 0}, "change": [["sleep", "30"]]}
        run = self.run_plan(chunk("work", step), step_timeout=0.5)
        result = run.result("work")
        self.assertIs(False, result["result"])
        self.assertEqual("sleep 30 timed out after 0.5 seconds", result["comment"])

    def test_missing_probe_executable_fails_step(self):
        step = {"group": None, "key": "running", "vm": "work",
                "probe": {"argv": ["qvm-no-such-tool", "work"], "read": "exit"},
                "expect": {"exit": 0}, "change": [["qvm-start", "work"]]}
        result = self.run_plan(chunk("work", step)).result("work")
        self.assertIs(False, result["result"])
        self.assertEqual("qvm-no-such-tool work could not start: No such file or directory",
                         result["comment"])

    def test_each_result_is_written_when_its_chunk_finishes(self):
        slow = {"group": None, "key": "slow", "vm": None,
                "probe": {"argv": ["sleep", "3"], "read": "exit"}, "expect": {"exit": 0}}
        process = subprocess.Popen(["/bin/sh", "-c", BOOTSTRAP], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, env=self.host.env)
        self.addCleanup(process.stdout.close)
        self.addCleanup(process.wait, 10)
        self.addCleanup(process.kill)
        process.stdin.write(self.host.stdin_for(
            plan(chunk("quick", prefs_step("work", "label", "blue")), chunk("slow", slow))))
        process.stdin.close()
        ready, _, _ = select.select([process.stdout], [], [], 2.5)
        self.assertTrue(ready, "no result line within 2.5 seconds")
        first = json.loads(process.stdout.readline())
        self.assertEqual("quick", first["__id__"])
        self.assertIsNone(process.poll(), "the shim should still be running the slow chunk")
        self.assertEqual("done", json.loads(process.stdout.read().splitlines()[-1])["type"])

    def test_closed_stdout_stops_run(self):
        marker = self.host.directory / "marker"
        slow = {"group": None, "key": "slow", "vm": None,
                "probe": {"argv": ["sleep", "1"], "read": "exit"}, "expect": {"exit": 0}}
        touch = {"group": None, "key": "marker", "vm": None,
                 "probe": {"argv": ["test", "-e", str(marker)], "read": "exit"},
                 "expect": {"exit": 0}, "change": [["touch", str(marker)]]}
        process = subprocess.Popen(["/bin/sh", "-c", BOOTSTRAP], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=self.host.env)
        self.addCleanup(process.stderr.close)
        process.stdin.write(self.host.stdin_for(
            plan(chunk("quick"), chunk("slow", slow), chunk("late", touch), chunk("last"))))
        process.stdin.close()
        ready, _, _ = select.select([process.stdout], [], [], 10)
        self.assertTrue(ready, "no result line within 10 seconds")
        self.assertEqual("quick", json.loads(process.stdout.readline())["__id__"])
        process.stdout.close()
        try:
            exit_code = process.wait(timeout=10)
        finally:
            process.kill()
        self.assertEqual(1, exit_code)
        self.assertEqual(b"qfleet_shim: standard output is closed, stopping\n",
                         process.stderr.read())
        self.assertFalse(marker.exists(), "the chunk after the lost result must not run")

    def test_steps_about_dom0_forget_everything(self):
        marker = self.host.directory / "flag"
        step = {"group": None, "key": "flag", "vm": None,
                "probe": {"argv": ["test", "-e", str(marker)], "read": "exit"},
                "expect": {"exit": 0}, "change": [["touch", str(marker)]]}
        run = self.run_plan(chunk("one", feature_step("work", "gui", "")),
                            chunk("dom0", step),
                            chunk("two", feature_step("work", "gui", "")))
        self.assertEqual({"flag": {"old": 1, "new": 0}}, run.result("dom0")["changes"])
        self.assertEqual("Ran: touch " + str(marker), run.result("dom0")["comment"])
        self.assertEqual(2, self.host.count_calls("qvm-features", "work"))


class UnitTest(unittest.TestCase):
    """Functions reached directly, without a process."""

    PREFS_OUTPUT = (
        "autostart         D  False\n"
        "backup_timestamp  U\n"
        "kernelopts        -  swiotlb=2048 nopat\n"
        "netvm             -  None\n"
        "template          D  fedora-40\n"
        "label             -  \n"
    )

    def read(self, field, vm_valued=False):
        probe = {"argv": ["qvm-prefs", "work"], "read": "prefs", "field": field,
                 "vm_valued": vm_valued}
        return shim.read_prefs_field(probe, self.PREFS_OUTPUT)

    def test_read_prefs_field(self):
        self.assertEqual(("D", "False"), self.read("autostart"))
        self.assertEqual(("U", ""), self.read("backup_timestamp"))
        self.assertEqual(("-", "swiotlb=2048 nopat"), self.read("kernelopts"))
        self.assertEqual(("-", "None"), self.read("netvm"))
        self.assertEqual(("-", ""), self.read("netvm", vm_valued=True))
        self.assertEqual(("-", ""), self.read("label"))
        self.assertIsInstance(self.read("kernel"), shim.ProbeFailure)

    def test_read_prefs_field_does_not_match_prefix(self):
        self.assertIsInstance(self.read("auto"), shim.ProbeFailure)

    def test_read_feature(self):
        output = "gui                 \nservice.cups        1\nvm-config.x         a b\n"
        self.assertEqual("", shim.read_feature("gui", output))
        self.assertEqual("1", shim.read_feature("service.cups", output))
        self.assertEqual("a b", shim.read_feature("vm-config.x", output))
        self.assertIsNone(shim.read_feature("service", output))

    def test_qubes_named(self):
        known = {"work", "sys-net"}
        argv = ["qvm-volume", "extend", "work:private", "10g", "sys-net", "netvm"]
        self.assertEqual({"work", "sys-net"}, shim.qubes_named(argv, known))
        self.assertEqual(set(), shim.qubes_named(["work", "qubes-prefs"], known))

    def test_skipped_groups(self):
        failed = {"group": "a", "key": "x"}
        later = [{"group": "a", "key": "y"}, {"group": "b", "key": "z"},
                 {"group": None, "key": "w"}, {"group": "b", "key": "v"}]
        self.assertEqual(["[a] y skipped because an earlier step failed",
                          "[b] skipped because an earlier step failed",
                          "[w] skipped because an earlier step failed"],
                         shim.skipped_groups(failed, later))

    def test_main_reads_and_writes_streams(self):
        request = json.dumps({"protocol": 1, "kind": "commands",
                              "commands": [{"id": "echo", "argv": ["echo", "hi"]}]}).encode()
        output = io.BytesIO()
        self.assertEqual(0, shim.main(io.BytesIO(request), output))
        lines = [json.loads(line) for line in output.getvalue().splitlines()]
        self.assertEqual("hi\n", lines[0]["stdout"])
        self.assertEqual({"type": "done"}, lines[1])

    def test_output_is_ascii(self):
        output = io.BytesIO()
        shim.LineWriter(output).write({"comment": "qube \u00e9t\u00e9"})
        self.assertEqual(b'{"comment": "qube \\u00e9t\\u00e9"}\n', output.getvalue())


class PrefetchTest(ShimTestCase):
    """A plan's prefetch probes run at the same time, before the chunks, which reuse them."""

    def test_prefetched_listings_are_reused(self):
        run = self.run_plan(chunk("work", prefs_step("work", "label", "blue"),
                                  feature_step("work", "gui", "")),
                            prefetch=[["qvm-prefs", "work"], ["qvm-features", "work"]])
        self.assertIs(True, run.result("work")["result"], run.result("work")["comment"])
        self.assertEqual(1, self.host.count_calls("qvm-prefs", "work"))
        self.assertEqual(1, self.host.count_calls("qvm-features", "work"))

    def test_prefetch_runs_probes_at_the_same_time(self):
        self.host.env["FAKE_QUBES_DELAY"] = "1"
        labels = {"work": "blue", "personal": "yellow", "sys-firewall": "green", "sys-whonix": "black"}
        listings = [["qvm-prefs", name] for name in labels]
        started = time.monotonic()
        run = self.run_plan(*[chunk(name, prefs_step(name, "label", label)) for name, label in labels.items()],
                            prefetch=listings)
        elapsed = time.monotonic() - started
        self.assertEqual(4, len(run.results()))
        self.assertTrue(all(result["result"] is True for result in run.results()), run.lines)
        # Four one-second listings one after the other would take at least four seconds.
        self.assertLess(elapsed, 3.5)

    def test_prefetch_skips_commands_that_change(self):
        run = self.run_plan(chunk("work", prefs_step("work", "memory", "400", default=False)),
                            prefetch=[["qvm-prefs", "work", "label", "red"], ["touch", "/tmp/x"]])
        self.assertEqual("blue", self.host.state()["qubes"]["work"]["prefs"]["label"]["set"])
        self.assertEqual(0, self.host.count_calls("qvm-prefs", "work", "label", "red"))
        self.assertEqual(1, len(run.results()))

    def test_reading_commands_run_at_the_same_time(self):
        self.host.env["FAKE_QUBES_DELAY"] = "1"
        commands = [{"id": name, "argv": ["qvm-prefs", name]}
                    for name in ("work", "personal", "sys-firewall")]
        started = time.monotonic()
        run = self.host.run({"protocol": 1, "kind": "commands", "commands": commands})
        elapsed = time.monotonic() - started
        self.assertEqual(["work", "personal", "sys-firewall", None],
                         [line.get("id") for line in run.lines])
        self.assertTrue(all(line["exit"] == 0 for line in run.lines[:3]), run.lines)
        # Three one-second calls one after the other would take at least three seconds.
        self.assertLess(elapsed, 2.5)

    def test_commands_with_shell_run_in_order(self):
        marker = self.host.directory / "order"
        commands = [{"id": "write", "shell": f"echo first > {marker}"},
                    {"id": "read", "argv": ["cat", str(marker)]}]
        run = self.host.run({"protocol": 1, "kind": "commands", "commands": commands})
        self.assertEqual("first\n", run.lines[1]["stdout"])

    def test_invalid_prefetch_is_rejected(self):
        run = self.host.run(plan(chunk("work"), prefetch=[["qvm-prefs", 3]]))
        self.assertEqual(2, run.exit_code)
        self.assertIn("prefetch[0]", run.lines[-1]["message"])


class SessionTest(ShimTestCase):
    """With --session, one shim process handles a request line, waits, and reads the next."""

    def start_session(self, *arguments):
        command = BOOTSTRAP + " --session" + "".join(" " + shlex.quote(a) for a in arguments)
        process = subprocess.Popen(["/bin/sh", "-c", command], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.host.env)
        self.addCleanup(process.stderr.close)
        self.addCleanup(process.stdout.close)
        self.addCleanup(process.stdin.close)
        self.addCleanup(process.kill)
        process.stdin.write(self.host.stdin_for(b""))
        return process

    def send(self, process, request):
        """Write one request line and read the reply up to its done or error line."""
        process.stdin.write(json.dumps(request).encode() + b"\n")
        process.stdin.flush()
        # readline blocks, so a shim that hangs is killed after the time limit.
        watchdog = threading.Timer(RUN_TIMEOUT, process.kill)
        watchdog.start()
        lines = []
        try:
            for text in iter(process.stdout.readline, b""):
                lines.append(json.loads(text))
                if lines[-1]["type"] in ("done", "error"):
                    break
        finally:
            watchdog.cancel()
        return lines

    def test_requests_share_one_process(self):
        process = self.start_session()
        facts = self.send(process, {"protocol": 1, "kind": "commands",
                                    "commands": [{"id": "pid", "shell": "echo $PPID"}]})
        self.assertEqual("done", facts[-1]["type"])
        self.assertIsNone(process.poll(), "the shim must wait for the next request")
        again = self.send(process, {"protocol": 1, "kind": "commands",
                                    "commands": [{"id": "pid", "shell": "echo $PPID"}]})
        self.assertEqual(facts[0]["stdout"], again[0]["stdout"])
        applied = self.send(process, plan(chunk("work", prefs_step("work", "label", "red"))))
        self.assertEqual("done", applied[-1]["type"])
        self.assertEqual("red", self.host.state()["qubes"]["work"]["prefs"]["label"]["set"])
        process.stdin.close()
        self.assertEqual(0, process.wait(timeout=10))

    def test_invalid_request_ends_session(self):
        process = self.start_session()
        lines = self.send(process, {"protocol": 2, "kind": "commands", "commands": []})
        self.assertEqual("error", lines[-1]["type"])
        self.assertIn("protocol 2 is not supported", lines[-1]["message"])
        self.assertEqual(2, process.wait(timeout=10))

    def test_manage_globs_apply_to_every_request(self):
        process = self.start_session("--manage", "personal")
        allowed = self.send(process, plan(chunk("personal", prefs_step("personal", "label", "red"))))
        self.assertEqual("done", allowed[-1]["type"])
        rejected = self.send(process, plan(chunk("work", prefs_step("work", "label", "red"))))
        self.assertEqual("error", rejected[-1]["type"])
        self.assertEqual(2, process.wait(timeout=10))
        self.assertEqual("blue", self.host.state()["qubes"]["work"]["prefs"]["label"]["set"])


if __name__ == "__main__":
    unittest.main()
