"""Random and mutated requests fed to the shim's request reader and to the real shim process.

Every input must give a request the shim accepts or one `error` line with exit status 2: never
a traceback and never a hang. The mutations start from valid plans and commands requests and
change one to three places each: a value replaced by one of another JSON type, a key removed or
added, a list emptied or grown, bytes cut or flipped. The seed is fixed, so a failure repeats;
FUZZ_SEED in the environment picks another seed, and each input that ever crashed the shim is
kept in REGRESSIONS.

Run from the repository: python3 -m unittest discover -s shim/src/test/python -v
"""

import copy
import io
import json
import os
import random
import unittest

from test_qfleet_shim import (
    ShimTestCase, chunk, exists_step, feature_step, plan, prefs_step, shim,
)

SEED = int(os.environ.get("FUZZ_SEED", "20261204"))
IN_PROCESS_CASES = 3000
PROCESS_CASES = 40

ODD_VALUES = [None, True, False, 0, -1, 1.5, 10**30, "", "x" * 1000, "qvm-prefs", [], [[]], {}, {"a": 1},
              ["qvm-remove", "--force", "vault"], "\u0000", "\ud7ff\u00e9", float("nan")]

# Inputs that crashed an earlier shim; each must now give a clean result.
REGRESSIONS = [
    b'{"protocol": 1, "kind": "plan", "chunks": [{"tag": "t", "id": "i", "sls": "s", "name": "n",'
    b' "requisites": {"prereq": ["t"]}}]}',
    b'{"protocol": 1, "kind": "plan", "chunks": [], "test": "yes"}',
    b'{"protocol": 1, "kind": "commands", "commands": [{"id": "x", "argv": ["qvm-ls"], "shell": "true"}]}',
    # A chunk tag that is a list or an object failed with TypeError: unhashable type.
    b'{"protocol": 1, "kind": "plan", "chunks": [{"tag": ["a"], "id": "i", "sls": "s", "name": "n"}]}',
    b'{"protocol": 1, "kind": "plan", "chunks": [{"tag": "t", "id": "i", "sls": "s", "name": "n",'
    b' "requisites": {"require": [{"a": 1}]}}]}',
    # An argument with a NUL character failed in subprocess with ValueError: embedded null byte.
    b'{"protocol": 1, "kind": "commands", "commands": [{"id": "vms", "argv": ["\\u0000", "--raw-data"]}]}',
    b'{"protocol": 1, "kind": "commands", "commands": [{"id": "sh", "shell": "true\\u0000"}]}',
]


def base_requests():
    steps = [prefs_step("work", "label", "blue"), feature_step("work", "gui", "1"), exists_step("personal")]
    first = chunk("work", steps[0], steps[1])
    second = chunk("personal", steps[2], requisites={"require": [first["tag"]]})
    commands = {"protocol": 1, "kind": "commands",
                "commands": [{"id": "vms", "argv": ["qvm-ls", "--raw-data"]},
                             {"id": "sh", "shell": "true"}]}
    return [plan(first, second), plan(first, test=True), commands]


def paths(value, prefix=()):
    """Yield the path of every node of a JSON value."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, prefix + (index,))


def mutate(rng, request):
    """Return a copy of request with one to three random changes, as JSON bytes."""
    request = copy.deepcopy(request)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(list(paths(request)))
        if not path:
            continue
        parent = request
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = rng.randrange(4)
        if action == 0:
            parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif action == 1 and isinstance(parent, dict):
            del parent[key]
        elif action == 2 and isinstance(parent, dict):
            parent[rng.choice(["extra", "steps", "change", "vm", "read", "kind"])] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif isinstance(parent[key], list):
            parent[key] = parent[key] * rng.randint(0, 3)
    data = json.dumps(request, allow_nan=True).encode()
    if rng.random() < 0.2:
        cut = rng.randrange(len(data) + 1)
        data = data[:cut] + bytes([rng.randrange(256)]) * rng.randint(0, 2)
    return data


def random_inputs(rng, count):
    bases = base_requests()
    for _ in range(count):
        yield mutate(rng, rng.choice(bases))


class PlanReaderFuzzTest(unittest.TestCase):
    def test_reader_raises_only_invalid_request(self):
        rng = random.Random(SEED)
        for data in list(random_inputs(rng, IN_PROCESS_CASES)) + REGRESSIONS:
            try:
                request = shim.parse_request(data)
                shim.Reach(["work", "personal"]).check_request(request)
            except shim.InvalidRequest as error:
                self.assertTrue(str(error), data)
            except Exception as error:  # noqa: BLE001 - any other exception is the bug under test
                self.fail(f"{type(error).__name__}: {error} for input {data!r} (seed {SEED})")


class ShimProcessFuzzTest(ShimTestCase):
    def test_mutated_requests_end_cleanly(self):
        rng = random.Random(SEED + 1)
        for data in list(random_inputs(rng, PROCESS_CASES)) + REGRESSIONS:
            with self.subTest(data=data[:200]):
                run = self.run_bytes(data)
                self.assertNotIn("Traceback", run["stderr"], data)
                self.assertIn(run["exit"], (0, 2), run)
                self.assertTrue(run["lines"], run)
                last = run["lines"][-1]
                self.assertIn(last.get("type"), ("done", "error"), run)

    def run_bytes(self, data):
        import subprocess
        from test_qfleet_shim import BOOTSTRAP, RUN_TIMEOUT
        source = shim_source()
        stdin = str(len(source)).encode() + b"\n" + source + data
        completed = subprocess.run(["/bin/sh", "-c", BOOTSTRAP], input=stdin, capture_output=True,
                                   env=self.host.env, timeout=RUN_TIMEOUT)
        lines = [json.loads(line) for line in completed.stdout.decode().splitlines()]
        return {"exit": completed.returncode, "lines": lines, "stderr": completed.stderr.decode()}


def shim_source():
    with open(shim.__file__, "rb") as source:
        return source.read()


if __name__ == "__main__":
    unittest.main()
