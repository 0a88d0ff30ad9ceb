"""Tests of the shim's own check of the qubes a request may change (`--manage GLOB`).

Run from the repository: python3 -m unittest discover -s shim/src/test/python -v
"""

import json
import shlex
import subprocess
import unittest

from test_qfleet_shim import (
    BOOTSTRAP, RUN_TIMEOUT, ShimRun, ShimTestCase, chunk, exists_step, feature_step, plan,
    prefs_step, shim,
)


class ManageTest(ShimTestCase):
    def run_managed(self, request, *globs):
        """Run the shim with `--manage GLOB` for each glob, as the master starts it."""
        command = BOOTSTRAP + "".join(" --manage " + shlex.quote(glob) for glob in globs)
        completed = subprocess.run(["/bin/sh", "-c", command], input=self.host.stdin_for(request),
                                   capture_output=True, env=self.host.env, timeout=RUN_TIMEOUT)
        lines = [json.loads(line) for line in completed.stdout.decode().splitlines()]
        return ShimRun(completed.returncode, lines, completed.stderr.decode())

    def assert_rejected(self, run, *fragments):
        self.assertEqual(2, run.exit_code, run.lines)
        self.assertEqual(1, len(run.lines), run.lines)
        self.assertEqual("error", run.lines[0]["type"])
        for fragment in fragments:
            self.assertIn(fragment, run.lines[0]["message"])
        self.assertEqual([], self.host.calls(), "the shim ran commands before rejecting")

    def test_plan_inside_globs_runs(self):
        run = self.run_managed(plan(chunk("work", feature_step("work", "gui", "1"))), "work", "sys-*")

        self.assertEqual(0, run.exit_code, run.stderr)
        self.assertIs(True, run.result("work")["result"])

    def test_change_outside_globs_is_rejected(self):
        request = plan(chunk("work", feature_step("work", "gui", "1")),
                       chunk("vault", prefs_step("vault", "netvm", "sys-firewall")))

        run = self.run_managed(request, "work")

        self.assert_rejected(run, "chunks[1]", "qvm-prefs vault netvm sys-firewall",
                             "changes qube 'vault'", "manage: work")

    def test_forged_step_vm_is_not_trusted(self):
        # The step claims to change work, but its command changes vault.
        step = feature_step("work", "gui", "1")
        step["change"] = [["qvm-remove", "--force", "vault"]]

        self.assert_rejected(self.run_managed(plan(chunk("work", step)), "work"), "changes qube 'vault'")

    def test_changing_probe_is_rejected(self):
        step = exists_step("work")
        step["probe"]["argv"] = ["qvm-shutdown", "--force", "vault"]

        self.assert_rejected(self.run_managed(plan(chunk("work", step)), "work"), ".probe.argv")

    def test_reading_probe_of_other_qube_runs(self):
        step = exists_step("sys-net")
        step.pop("report", None)
        step["change"] = []

        run = self.run_managed(plan(chunk("check", step)), "work")

        self.assertEqual(0, run.exit_code, run.lines)

    def test_dom0_command_needs_dom0(self):
        step = feature_step("work", "gui", "1")
        step["change"] = [["sh", "-c", "qvm-remove -f vault"]]

        self.assert_rejected(self.run_managed(plan(chunk("work", step)), "work*"), "changes qube 'dom0'")

    def test_shell_command_request_needs_dom0(self):
        request = {"protocol": 1, "kind": "commands",
                   "commands": [{"id": "x", "shell": "qvm-remove -f vault"}]}

        self.assert_rejected(self.run_managed(request, "work"), "commands[0]", "a shell command")
        self.assertEqual(0, self.run_managed(request, "work", "dom0").exit_code)

    def test_fact_commands_run(self):
        request = {"protocol": 1, "kind": "commands",
                   "commands": [{"id": "vms", "argv": ["qvm-ls", "--raw-data"]},
                                {"id": "prefs", "argv": ["qubes-prefs"]}]}

        run = self.run_managed(request, "work")

        self.assertEqual(0, run.exit_code, run.lines)
        self.assertEqual("done", run.lines[-1]["type"])

    def test_unknown_protocol_is_rejected(self):
        for protocol in (0, 2, "1", True, None, 1.5):
            request = plan(chunk("work", feature_step("work", "gui", "1")))
            request["protocol"] = protocol

            self.assert_rejected(self.host.run(request), "protocol")


class ReachedQubesTest(unittest.TestCase):
    def test_targets_follow_tool_syntax(self):
        cases = {
            ("qvm-prefs", "work", "netvm", "sys-net"): ["work"],
            ("qvm-prefs", "-D", "work", "netvm"): ["work"],
            ("qvm-create", "--class=AppVM", "--label", "red", "work"): ["work"],
            ("qvm-clone", "--quiet", "debian-12", "work"): ["work"],
            ("qvm-device", "pci", "attach", "--persistent", "sys-net", "dom0:00_14.3"): ["sys-net"],
            ("qvm-volume", "resize", "work:private", "10g"): ["work"],
            ("qvm-template", "--enablerepo=x", "install", "fedora-40", "debian-12"): ["fedora-40", "debian-12"],
            ("qvm-firewall", "work", "add", "--before", "0", "action=drop"): ["work"],
            ("qubes-prefs", "default_netvm", "sys-firewall"): ["dom0"],
            ("/usr/bin/qvm-remove", "--force", "vault"): ["vault"],
            ("rm", "-rf", "/"): ["dom0"],
        }
        for argv, expected in cases.items():
            self.assertEqual(expected, shim.reached_qubes(list(argv)), argv)

    def test_read_only_forms(self):
        for argv in (["qvm-prefs", "work"], ["qvm-prefs", "work", "netvm"], ["qvm-features", "work"],
                     ["qvm-tags", "work", "list"], ["qvm-check", "--running", "work"], ["qubes-prefs"],
                     ["qvm-template", "list"], ["rpm", "-q", "qubes-core"]):
            self.assertTrue(shim.is_read_only(argv), argv)
        for argv in (["qvm-prefs", "work", "netvm", ""], ["qvm-prefs", "-D", "work", "netvm"],
                     ["qvm-features", "--unset", "work", "gui"], ["qvm-tags", "work", "add", "x"],
                     ["qvm-shutdown", "work"], ["qubes-prefs", "default_netvm", "x"], ["sh", "-c", "id"],
                     ["qvm-template", "remove", "x"], ["qvm-service", "--enable", "work", "cups"]):
            self.assertFalse(shim.is_read_only(argv), argv)


if __name__ == "__main__":
    unittest.main()
