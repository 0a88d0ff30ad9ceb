"""Tests of the step options ignore_failure and verify, and of mod_watch steps' comment_ok.

Run from the repository: python3 -m unittest discover -s shim/src/test/python -v
"""

import unittest

from test_qfleet_shim import ShimTestCase, chunk, feature_step, prefs_step, tag


class IgnoreFailureTest(ShimTestCase):
    def test_ignored_failure_keeps_result_and_runs_later_groups(self):
        failing = prefs_step("nosuch", "memory", "500")
        failing["ignore_failure"] = True
        skipped = prefs_step("nosuch", "maxmem", "800")
        later = feature_step("personal", "servicevm", "1")

        result = self.run_plan(chunk("mixed", failing, skipped, later)).result("mixed")

        self.assertIs(True, result["result"])
        self.assertIn("[qvm.prefs] failed, and its failure is ignored", result["comment"])
        self.assertIn("no such domain: 'nosuch'", result["comment"])
        self.assertEqual({"qvm.features": {"servicevm": {"old": None, "new": "1"}}},
                         result["changes"])
        self.assertEqual(0, self.host.count_calls("qvm-prefs", "nosuch", "maxmem", "800"))

    def test_failure_without_option_fails_chunk(self):
        failing = prefs_step("nosuch", "memory", "500")
        later = feature_step("personal", "servicevm", "1")

        result = self.run_plan(chunk("strict", failing, later)).result("strict")

        self.assertIs(False, result["result"])
        self.assertIn("[qvm.features] skipped because an earlier step failed", result["comment"])


class VerifyTest(ShimTestCase):
    def test_unverified_change_is_not_probed_again(self):
        # maxmem of work keeps its old value whatever is set, so a re-probe would fail.
        step = prefs_step("work", "maxmem", "8000")
        step["verify"] = False

        result = self.run_plan(chunk("work", step)).result("work")

        self.assertIs(True, result["result"])
        self.assertEqual({"qvm.prefs": {"maxmem": {"old": "*default*", "new": "8000"}}},
                         result["changes"])

    def test_verified_change_is_probed_again(self):
        result = self.run_plan(chunk("work", prefs_step("work", "maxmem", "8000"))).result("work")

        self.assertIs(False, result["result"])
        self.assertIn("maxmem is still *default* after the change", result["comment"])


class ModWatchStepsTest(ShimTestCase):
    def test_mod_watch_steps_use_their_comment_ok(self):
        changer = chunk("personal", feature_step("personal", "servicevm", "1"))
        watcher = chunk("work", sls="qvm.watcher", requisites={"watch": [tag("personal")]})
        watcher["mod_watch"] = {"steps": [feature_step("work", "gui", "")],
                                "comment_ok": "work needs no restart"}

        result = self.run_plan(changer, watcher).result("work")

        self.assertIs(True, result["result"])
        self.assertEqual("work needs no restart", result["comment"])
        self.assertEqual({}, result["changes"])


if __name__ == "__main__":
    unittest.main()
