"""Tests of fixed-outcome chunks, requisite evaluation and failhard in the qfleet shim.

The chunks here have fixed outcomes, like Salt's test states, so the plans run no command.
Run from the repository: python3 -m unittest discover -s shim/src/test/python -v
"""

import unittest

from test_qfleet_shim import FakeHost, plan

CHANGE = {"testing": {"old": "Unchanged", "new": "Something pretended to change"}}


def fixed(chunk_id, result=True, changes=None, comment="Success!", test_outcome=None,
          mod_watch=None, requisites=None, failhard=False, fun="succeed"):
    document = {"tag": f"test_|-{chunk_id}_|-{chunk_id}_|-{fun}", "id": chunk_id, "sls": "main",
                "state": "test", "fun": fun, "name": chunk_id,
                "requisites": requisites or {}, "steps": [],
                "outcome": {"result": result, "changes": changes or {}, "comment": comment}}
    if test_outcome is not None:
        document["test_outcome"] = test_outcome
    if mod_watch is not None:
        document["mod_watch"] = mod_watch
    if failhard:
        document["failhard"] = True
    return document


def tag(chunk_id, fun="succeed"):
    return f"test_|-{chunk_id}_|-{chunk_id}_|-{fun}"


WATCH_FIRED = {"result": True, "changes": None, "comment": "Watch statement fired."}


class RequisiteRunTest(unittest.TestCase):
    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.remove)

    def run_plan(self, *chunks, **fields):
        run = self.host.run(plan(*chunks, **fields))
        self.assertEqual(0, run.exit_code, run.stderr)
        self.assertEqual("", run.stderr)
        return run

    def test_fixed_outcome_and_warnings(self):
        chunk = fixed("a", changes=CHANGE)
        chunk["outcome"]["warnings"] = ["careful"]
        result = self.run_plan(chunk).result("a")
        self.assertIs(True, result["result"])
        self.assertEqual(CHANGE, result["changes"])
        self.assertEqual("Success!", result["comment"])
        self.assertEqual(["careful"], result["warnings"])

    def test_test_outcome_in_test_mode(self):
        predicted = {"result": None, "changes": CHANGE, "comment": "would change"}
        result = self.run_plan(fixed("a", test_outcome=predicted), test=True).result("a")
        self.assertIsNone(result["result"])
        self.assertEqual("would change", result["comment"])

    def test_onchanges_not_triggered(self):
        run = self.run_plan(fixed("a"), fixed("b", requisites={"onchanges": [tag("a")]}))
        result = run.result("b")
        self.assertIs(True, result["result"])
        self.assertEqual("State was not run because none of the onchanges reqs changed",
                         result["comment"])
        self.assertIs(False, result["__state_ran__"])

    def test_onchanges_triggered(self):
        run = self.run_plan(fixed("a", changes=CHANGE),
                            fixed("b", requisites={"onchanges": [tag("a")]}))
        self.assertEqual("Success!", run.result("b")["comment"])

    def test_onfail_not_triggered(self):
        run = self.run_plan(fixed("a"), fixed("b", requisites={"onfail": [tag("a")]}))
        self.assertEqual("State was not run because onfail req did not change",
                         run.result("b")["comment"])

    def test_onfail_all_needs_every_failure(self):
        run = self.run_plan(fixed("a", result=False, comment="Failure!"), fixed("b"),
                            fixed("c", requisites={"onfail_all": [tag("a"), tag("b")]}))
        self.assertEqual("State was not run because onfail req did not change",
                         run.result("c")["comment"])

    def test_require_any_fails_only_when_all_fail(self):
        run = self.run_plan(fixed("a", result=False, comment="Failure!"), fixed("b"),
                            fixed("c", requisites={"require_any": [tag("a"), tag("b")]}))
        self.assertIs(True, run.result("c")["result"])

    def test_watch_fires_mod_watch(self):
        run = self.run_plan(fixed("a", changes=CHANGE),
                            fixed("b", mod_watch=WATCH_FIRED, requisites={"watch": [tag("a")]}))
        result = run.result("b")
        self.assertEqual("Watch statement fired.", result["comment"])
        self.assertEqual({"Requisites with changes": ["test: a"]}, result["changes"])

    def test_prereq_without_predicted_change(self):
        run = self.run_plan(fixed("a", requisites={"prereq": [tag("b")]}),
                            fixed("b", requisites={"prerequired": [tag("a")]}))
        self.assertEqual("No changes detected", run.result("a")["comment"])
        self.assertEqual("Success!", run.result("b")["comment"])

    def test_prereq_failure_reports_test_run_of_target(self):
        predicted = {"result": None, "changes": CHANGE, "comment": "would change"}
        run = self.run_plan(
            fixed("a", result=False, comment="Failure!", requisites={"prereq": [tag("b")]}),
            fixed("b", changes=CHANGE, test_outcome=predicted,
                  requisites={"prerequired": [tag("a")]}))
        result = run.result("b")
        self.assertIsNone(result["result"])
        self.assertEqual({}, result["changes"])
        self.assertEqual("would change", result["comment"])

    def test_listener_runs_only_after_changes(self):
        listener = fixed("listener_c", fun="mod_watch", requisites={"listen": [tag("b")]})
        run = self.run_plan(fixed("a", changes=CHANGE), fixed("b"), listener)
        self.assertEqual(["a", "b"], [line["__id__"] for line in run.results()])

    def test_failhard_stops_run(self):
        run = self.run_plan(fixed("a", result=False, comment="Failure!", failhard=True), fixed("b"))
        self.assertEqual(["a"], [line["__id__"] for line in run.results()])
        self.assertEqual({"type": "done", "chunks": 1, "failed": 1, "changed": 0}, run.done())

    def test_global_failhard_ignored_in_test_mode(self):
        run = self.run_plan(fixed("a", result=False, comment="Failure!"), fixed("b"),
                            failhard=True, test=True)
        self.assertEqual(["a", "b"], [line["__id__"] for line in run.results()])

    def test_prereq_on_earlier_chunk_is_rejected(self):
        run = self.host.run(plan(fixed("a"), fixed("b", requisites={"prereq": [tag("a")]})))
        self.assertEqual(2, run.exit_code)
        self.assertIn("is not the tag of a later chunk", run.lines[-1]["message"])


if __name__ == "__main__":
    unittest.main()
