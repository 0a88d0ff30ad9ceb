"""Tests of the steps that the shim performs itself: file steps and command steps.

Every file step runs with QUBES_SIM_ROOT set to a temporary directory, so absolute paths
such as /etc/qubes/policy.d land below it, as on a simulated host.
Run from the repository: python3 -m unittest discover -s shim/src/test/python -v
"""

import json
import os
import unittest
from pathlib import Path

from test_qfleet_shim import PYTHON, FakeHost, plan

POLICY = "/etc/qubes/policy.d/30-x.policy"


def file_chunk(fun, path, comment_ok=None, **spec):
    spec.update(op=fun, path=path)
    document = {"tag": f"file_|-{path}_|-{path}_|-{fun}", "id": path, "sls": "files",
                "state": "file", "fun": fun, "name": path,
                "steps": [{"group": None, "key": path, "vm": None, "file": spec}]}
    if comment_ok is not None:
        document["comment_ok"] = comment_ok
    return document


def command_chunk(chunk_id, shell, fun="run", requisites=None, mod_watch=None, outcome=None,
                  **spec):
    spec["shell"] = shell
    step = {"group": None, "key": chunk_id, "vm": None, "command": spec}
    document = {"tag": f"cmd_|-{chunk_id}_|-{shell}_|-{fun}", "id": chunk_id, "sls": "commands",
                "state": "cmd", "fun": fun, "name": shell, "requisites": requisites or {},
                "steps": [] if outcome else [step]}
    if outcome is not None:
        document["outcome"] = outcome
    if mod_watch is not None:
        document["mod_watch"] = {"steps": [step]} if mod_watch == "steps" else mod_watch
    return document


class StepTestCase(unittest.TestCase):
    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.remove)
        self.root = self.host.directory / "root"
        self.root.mkdir()
        self.host.env["QUBES_SIM_ROOT"] = str(self.root)

    def real(self, path):
        return self.root / path.lstrip("/")

    def run_one(self, chunk, test=False):
        run = self.host.run(plan(chunk, test=test))
        self.assertEqual(0, run.exit_code, run.stderr + str(run.lines))
        return run.results()[0]


class FileManagedTest(StepTestCase):
    def test_new_file_lands_under_simulator_root(self):
        chunk = file_chunk("managed", POLICY, contents="qubes.Gpg * work vault allow\n",
                           makedirs=True, mode="0640")
        result = self.run_one(chunk)
        self.assertIs(True, result["result"])
        self.assertEqual({"diff": "New file", "mode": "0640"}, result["changes"])
        self.assertEqual(f"File {POLICY} updated", result["comment"])
        written = self.real(POLICY)
        self.assertEqual("qubes.Gpg * work vault allow\n", written.read_text())
        self.assertEqual(0o640, written.stat().st_mode & 0o7777)
        self.assertEqual(0o750, written.parent.stat().st_mode & 0o7777)

    def test_test_mode_predicts_and_writes_nothing(self):
        chunk = file_chunk("managed", POLICY, contents="x\n", makedirs=True)
        result = self.run_one(chunk, test=True)
        self.assertIsNone(result["result"])
        self.assertEqual({"newfile": POLICY}, result["changes"])
        self.assertEqual(f"The file {POLICY} is set to be changed", result["comment"])
        self.assertFalse(self.real("/etc").exists())

    def test_changed_content_reports_unified_diff(self):
        path = self.real("/etc/app.conf")
        path.parent.mkdir(parents=True)
        path.write_text("one\ntwo\n")
        chunk = file_chunk("managed", "/etc/app.conf", contents="one\nthree\n")
        predicted = self.run_one(chunk, test=True)
        self.assertEqual("one\ntwo\n", path.read_text())
        result = self.run_one(chunk)
        diff = "--- \n+++ \n@@ -1,2 +1,2 @@\n one\n-two\n+three\n"
        self.assertEqual({"diff": diff}, predicted["changes"])
        self.assertEqual({"diff": diff}, result["changes"])
        self.assertEqual("one\nthree\n", path.read_text())

    def test_rerun_changes_nothing(self):
        chunk = file_chunk("managed", "/etc/app.conf", contents="a\n", makedirs=True,
                           mode="0600", comment_ok="File /etc/app.conf is in the correct state")
        self.run_one(chunk)
        result = self.run_one(chunk)
        self.assertIs(True, result["result"])
        self.assertEqual({}, result["changes"])
        self.assertEqual("File /etc/app.conf is in the correct state", result["comment"])

    def test_replace_false_keeps_existing_content(self):
        chunk = file_chunk("managed", "/etc/app.conf", contents="new\n", replace=False,
                           makedirs=True)
        created = self.run_one(chunk)
        self.assertEqual({"diff": "New file"}, created["changes"])
        self.real("/etc/app.conf").write_text("edited by hand\n")
        kept = self.run_one(chunk)
        self.assertEqual({}, kept["changes"])
        self.assertEqual("edited by hand\n", self.real("/etc/app.conf").read_text())

    def test_mode_only_change(self):
        path = self.real("/etc/app.conf")
        path.parent.mkdir(parents=True)
        path.write_text("a\n")
        path.chmod(0o644)
        result = self.run_one(file_chunk("managed", "/etc/app.conf", mode="0600"))
        self.assertEqual({"mode": "0600"}, result["changes"])
        self.assertEqual(0o600, path.stat().st_mode & 0o7777)
        self.assertEqual("a\n", path.read_text())

    def test_missing_parent_fails_without_makedirs(self):
        result = self.run_one(file_chunk("managed", "/etc/none/app.conf", contents="a\n"))
        self.assertIs(False, result["result"])
        self.assertEqual("Parent directory not present", result["comment"])
        self.assertEqual({}, result["changes"])

    def test_test_mode_reads_files_earlier_steps_predict(self):
        chunks = [file_chunk("managed", POLICY, contents="a allow\n", makedirs=True),
                  file_chunk("append", POLICY, text=["b ask"]),
                  file_chunk("replace", POLICY, pattern="allow", repl="deny"),
                  file_chunk("managed", "/etc/qubes/policy.d/31-y.policy", contents="y\n")]
        for chunk in chunks:
            chunk["tag"] += chunk["fun"]
            chunk["id"] += chunk["fun"]
        run = self.host.run(plan(*chunks, test=True))
        results = run.results()
        self.assertEqual([None, None, None, None], [result["result"] for result in results])
        self.assertIn("+b ask\n", results[1]["changes"]["diff"])
        self.assertIn("-a allow\n+a deny\n", results[2]["changes"]["diff"])
        self.assertFalse(self.real("/etc").exists())

    def test_unknown_user_fails_in_test_mode_too(self):
        chunk = file_chunk("managed", "/etc/a", contents="a", user="no-such-user-qfleet")
        result = self.run_one(chunk, test=True)
        self.assertIs(False, result["result"])
        self.assertEqual("User no-such-user-qfleet is not available", result["comment"])

    def test_directory_in_the_way_fails(self):
        self.real("/etc/app.conf").mkdir(parents=True)
        result = self.run_one(file_chunk("managed", "/etc/app.conf", contents="a\n"))
        self.assertIs(False, result["result"])
        self.assertIn("is a directory, not a regular file", result["comment"])


class SimulatorRootTest(StepTestCase):
    def test_symlink_out_of_root_is_not_followed(self):
        outside = self.host.directory / "outside"
        outside.mkdir()
        self.real("/etc").mkdir()
        self.real("/etc/escape").symlink_to(outside)
        result = self.run_one(file_chunk("managed", "/etc/escape/passwd", contents="x\n"))
        self.assertIs(False, result["result"])
        self.assertIn("leads out of the simulated host's root", result["comment"])
        self.assertEqual([], list(outside.iterdir()))


class OtherFileStatesTest(StepTestCase):
    def test_absent_removes_file_and_directory(self):
        self.real("/etc/old.conf").parent.mkdir(parents=True)
        self.real("/etc/old.conf").write_text("x")
        self.real("/etc/old.d/sub").mkdir(parents=True)
        predicted = self.run_one(file_chunk("absent", "/etc/old.conf"), test=True)
        self.assertIsNone(predicted["result"])
        self.assertEqual("File /etc/old.conf is set for removal", predicted["comment"])
        self.assertTrue(self.real("/etc/old.conf").exists())
        removed = self.run_one(file_chunk("absent", "/etc/old.conf"))
        self.assertEqual({"removed": "/etc/old.conf"}, removed["changes"])
        self.assertFalse(self.real("/etc/old.conf").exists())
        directory = self.run_one(file_chunk("absent", "/etc/old.d"))
        self.assertEqual("Removed directory /etc/old.d", directory["comment"])
        self.assertFalse(self.real("/etc/old.d").exists())
        again = self.run_one(file_chunk("absent", "/etc/old.d"))
        self.assertEqual({}, again["changes"])

    def test_directory_created_with_mode(self):
        result = self.run_one(file_chunk("directory", "/srv/data/x", makedirs=True, mode="0700"))
        self.assertEqual({"/srv/data/x": {"directory": "new", "mode": "0700"}}, result["changes"])
        self.assertEqual(0o700, self.real("/srv/data/x").stat().st_mode & 0o7777)
        again = self.run_one(file_chunk("directory", "/srv/data/x", mode="0700"))
        self.assertEqual({}, again["changes"])

    def test_symlink_created_and_force_needed_over_file(self):
        result = self.run_one(file_chunk("symlink", "/etc/link", target="/etc/target",
                                         makedirs=True))
        self.assertEqual({"new": "/etc/link"}, result["changes"])
        self.assertEqual("/etc/target", os.readlink(self.real("/etc/link")))
        self.real("/etc/plain").write_text("x")
        refused = self.run_one(file_chunk("symlink", "/etc/plain", target="/etc/target"))
        self.assertIs(False, refused["result"])
        self.assertIn("set force: True", refused["comment"])
        forced = self.run_one(file_chunk("symlink", "/etc/plain", target="/etc/target",
                                         force=True))
        self.assertEqual({"forced": "Symlink was forcibly replaced"}, forced["changes"])
        self.assertTrue(self.real("/etc/plain").is_symlink())

    def test_append_adds_missing_lines_once(self):
        path = self.real("/etc/default/grub")
        path.parent.mkdir(parents=True)
        path.write_text("GRUB_TIMEOUT=5")
        chunk = file_chunk("append", "/etc/default/grub", text=["GRUB_TIMEOUT=5", "a\nb"])
        result = self.run_one(chunk)
        self.assertEqual("Appended 2 lines", result["comment"])
        self.assertEqual("GRUB_TIMEOUT=5\na\nb\n", path.read_text())
        self.assertIn("+a\n+b\n", result["changes"]["diff"])
        self.assertEqual({}, self.run_one(chunk)["changes"])

    def test_prepend_puts_lines_first(self):
        path = self.real("/etc/qubes/policy.d/30-user.policy")
        path.parent.mkdir(parents=True)
        path.write_text("body\n")
        chunk = file_chunk("prepend", str(path)[len(str(self.root)):], text=["first line"])
        result = self.run_one(chunk)
        self.assertEqual("--- \n+++ \n@@ -1 +1,2 @@\n+first line\n body\n",
                         result["changes"]["diff"])
        self.assertEqual("first line\nbody\n", path.read_text())

    def test_replace_with_python_regex(self):
        path = self.real("/etc/app.conf")
        path.parent.mkdir(parents=True)
        path.write_text("foo=1\nbar\n")
        chunk = file_chunk("replace", "/etc/app.conf", pattern=r"foo=\d+", repl="foo=2")
        predicted = self.run_one(chunk, test=True)
        self.assertEqual("Changes would have been made", predicted["comment"])
        self.assertEqual("foo=1\nbar\n", path.read_text())
        result = self.run_one(chunk)
        self.assertEqual("Changes were made", result["comment"])
        self.assertEqual("foo=2\nbar\n", path.read_text())
        self.assertEqual({}, self.run_one(chunk)["changes"])

    def test_replace_appends_when_not_found(self):
        path = self.real("/etc/app.conf")
        path.parent.mkdir(parents=True)
        path.write_text("bar\n")
        chunk = file_chunk("replace", "/etc/app.conf", pattern="^foo=.*$", repl="foo=2",
                           append_if_not_found=True)
        self.run_one(chunk)
        self.assertEqual("bar\nfoo=2\n", path.read_text())
        self.assertEqual({}, self.run_one(chunk)["changes"])

    def test_replace_of_missing_file_fails(self):
        result = self.run_one(file_chunk("replace", "/etc/none", pattern="a", repl="b"))
        self.assertIs(False, result["result"])
        self.assertEqual("/etc/none: file not found", result["comment"])


class CommandStepTest(StepTestCase):
    def test_run_reports_salt_changes(self):
        result = self.run_one(command_chunk("hello", "echo hi; echo err >&2"))
        self.assertIs(True, result["result"])
        self.assertEqual('Command "echo hi; echo err >&2" run', result["comment"])
        changes = result["changes"]
        self.assertEqual(0, changes["retcode"])
        self.assertEqual("hi", changes["stdout"])
        self.assertEqual("err", changes["stderr"])
        self.assertIsInstance(changes["pid"], int)

    def test_non_zero_exit_fails_with_changes(self):
        result = self.run_one(command_chunk("bad", "echo oops >&2; exit 3"))
        self.assertIs(False, result["result"])
        self.assertEqual(3, result["changes"]["retcode"])
        self.assertEqual("oops", result["changes"]["stderr"])

    def test_test_mode_runs_nothing(self):
        marker = self.host.directory / "ran"
        result = self.run_one(command_chunk("touch", f"touch {marker}"), test=True)
        self.assertIsNone(result["result"])
        self.assertEqual({}, result["changes"])
        self.assertEqual(f'Command "touch {marker}" would have been executed', result["comment"])
        self.assertFalse(marker.exists())

    def test_conditions_skip_the_command(self):
        cases = [({"unless": ["true"]}, "unless condition is true"),
                 ({"onlyif": ["false"]}, "onlyif condition is false"),
                 ({"creates": ["/etc/present"]}, "/etc/present exists")]
        self.real("/etc/present").parent.mkdir(parents=True)
        self.real("/etc/present").write_text("")
        for spec, comment in cases:
            with self.subTest(spec=spec):
                result = self.run_one(command_chunk("skip", "exit 1", **spec))
                self.assertIs(True, result["result"])
                self.assertEqual({}, result["changes"])
                self.assertEqual(comment, result["comment"])
                self.assertIs(True, result["skip_watch"])

    def test_unless_runs_when_one_condition_fails(self):
        result = self.run_one(command_chunk("run", "echo ran", unless=["true", "false"]))
        self.assertEqual("ran", result["changes"]["stdout"])

    def test_cwd_and_env(self):
        result = self.run_one(command_chunk("env", 'echo "$FOO $(pwd)"', cwd="/tmp",
                                            env={"FOO": "bar"}))
        self.assertEqual("bar /tmp", result["changes"]["stdout"])

    @unittest.skipUnless(os.geteuid() == 0, "runuser needs root")
    def test_runas_runs_as_that_user(self):
        result = self.run_one(command_chunk("as", "id -un; pwd", runas="nobody"))
        self.assertIs(True, result["result"], result["comment"])
        self.assertEqual("nobody", result["changes"]["stdout"].splitlines()[0])

    def test_unknown_runas_user_fails(self):
        result = self.run_one(command_chunk("as", "true", runas="no-such-user-qfleet"))
        self.assertIs(False, result["result"])
        self.assertEqual("User no-such-user-qfleet is not available", result["comment"])

    def test_wait_runs_only_through_watch(self):
        trigger = command_chunk("trigger", "echo changed")
        wait_outcome = {"result": True, "changes": {}, "comment": ""}
        watcher = command_chunk("watcher", "echo watched", fun="wait", outcome=wait_outcome,
                                mod_watch="steps", requisites={"watch": [trigger["tag"]]})
        idle = command_chunk("idle", "echo idle", fun="wait", outcome=wait_outcome,
                             mod_watch="steps")
        run = self.host.run(plan(trigger, watcher, idle))
        self.assertEqual(0, run.exit_code, run.stderr)
        self.assertEqual("watched", run.result("watcher")["changes"]["stdout"])
        self.assertEqual('Command "echo watched" run', run.result("watcher")["comment"])
        self.assertEqual({}, run.result("idle")["changes"])
        self.assertEqual("", run.result("idle")["comment"])

    def test_skip_watch_keeps_mod_watch_from_running(self):
        trigger = command_chunk("trigger", "echo changed")
        watcher = command_chunk("watcher", "echo again", mod_watch="steps", onlyif=["false"],
                                requisites={"watch": [trigger["tag"]]})
        run = self.host.run(plan(trigger, watcher))
        self.assertEqual("onlyif condition is false", run.result("watcher")["comment"])


FAKE_PACKAGE_TOOL = """
import json, os, sys
state_path = os.environ["FAKE_PACKAGES"]
installed = json.load(open(state_path))
name = os.path.basename(sys.argv[0])
args = sys.argv[1:]
if name == "rpm":
    missing = 0
    for package in args[1:]:
        if package in installed:
            print(f"{package}-{installed[package]}")
        else:
            print(f"package {package} is not installed")
            missing += 1
    sys.exit(missing)
remove = "--action=remove" in args
packages = [arg for arg in args if not arg.startswith("-")]
for package in packages:
    if package == "broken":
        print("Error: Unable to find a match: broken", file=sys.stderr)
        sys.exit(1)
    if remove:
        installed.pop(package, None)
    elif package != "ghost":
        installed[package] = "1.0-1.fc37.noarch"
json.dump(installed, open(state_path, "w"))
"""


def package_chunk(chunk_id, op, names, fromrepo=None):
    spec = {"op": op, "names": names, "fromrepo": fromrepo}
    return {"tag": f"pkg_|-{chunk_id}_|-{chunk_id}_|-{op}", "id": chunk_id, "sls": "packages",
            "state": "pkg", "fun": op, "name": chunk_id,
            "comment_ok": "All specified packages are already installed",
            "steps": [{"group": None, "key": chunk_id, "vm": None, "package": spec}]}


class PackageStepTest(StepTestCase):
    def setUp(self):
        super().setUp()
        self.packages = self.host.directory / "packages.json"
        self.packages.write_text(json.dumps({"kernel": "6.6.63-1.fc37.x86_64"}))
        self.host.env["FAKE_PACKAGES"] = str(self.packages)
        for tool in ("rpm", "qubes-dom0-update"):
            path = self.host.bin / tool
            path.write_text(f"#!{PYTHON}\n" + FAKE_PACKAGE_TOOL)
            path.chmod(0o755)

    def installed(self):
        return json.loads(self.packages.read_text())

    def test_install_reports_versions(self):
        chunk = package_chunk("tools", "installed", ["kernel", "split-gpg2-dom0"])
        predicted = self.run_one(chunk, test=True)
        self.assertIsNone(predicted["result"])
        self.assertEqual({"split-gpg2-dom0": {"new": "installed", "old": ""}}, predicted["changes"])
        self.assertEqual("The following packages would be installed/updated: split-gpg2-dom0",
                         predicted["comment"])
        self.assertNotIn("split-gpg2-dom0", self.installed())
        result = self.run_one(chunk)
        self.assertIs(True, result["result"])
        self.assertEqual({"split-gpg2-dom0": {"new": "1.0-1.fc37.noarch", "old": ""}},
                         result["changes"])
        again = self.run_one(chunk)
        self.assertEqual({}, again["changes"])
        self.assertEqual("All specified packages are already installed", again["comment"])

    def test_remove_reports_old_version(self):
        result = self.run_one(package_chunk("old", "removed", ["kernel"]))
        self.assertEqual({"kernel": {"new": "", "old": "6.6.63-1.fc37.x86_64"}}, result["changes"])
        self.assertEqual("The following packages were removed: kernel.", result["comment"])
        self.assertEqual({}, self.installed())

    def test_failed_install_has_stderr(self):
        result = self.run_one(package_chunk("bad", "installed", ["broken"]))
        self.assertIs(False, result["result"])
        self.assertIn("Unable to find a match: broken", result["comment"])

    def test_package_still_missing_fails(self):
        result = self.run_one(package_chunk("ghost", "installed", ["ghost"]))
        self.assertIs(False, result["result"])
        self.assertEqual("The following packages failed to install/update: ghost", result["comment"])


class FileValidationTest(StepTestCase):
    def test_relative_path_is_rejected(self):
        run = self.host.run(plan(file_chunk("managed", "etc/x", contents="a")))
        self.assertEqual(2, run.exit_code)
        self.assertIn("file.path: must be an absolute path", run.lines[0]["message"])

    def test_nul_in_command_is_rejected(self):
        run = self.host.run(plan(command_chunk("nul", "echo \0")))
        self.assertEqual(2, run.exit_code, run.stderr)
        self.assertIn("must not contain a NUL character", run.lines[0]["message"])

    def test_bad_mode_is_rejected(self):
        run = self.host.run(plan(file_chunk("managed", "/etc/x", mode="644")))
        self.assertEqual(2, run.exit_code)
        self.assertIn("file.mode: must be four octal digits", run.lines[0]["message"])


if __name__ == "__main__":
    unittest.main()
