"""Run one qfleet request on a Qubes host: render-time commands or a plan of states.

The master starts this file over one SSH exec and streams it in on standard input, followed
by one JSON request. docs/plan-format.md in the qfleet repository describes the protocol. The
shim writes one JSON object per line to standard output and flushes each line at once, so a
dropped connection loses no finished result.

Exit status: 0 when the request was handled (whatever the states' results), 2 when the
request is invalid (one "error" line is written first), 1 when standard output was closed
before the end (the shim then stops) or when the shim crashed (a trace goes to stderr).

Python 3.8+ and the standard library only, as in Qubes 4.1 and 4.2 dom0.
"""

from __future__ import annotations

# Modules that only file, command and manage handling needs (difflib, fnmatch, grp, pwd,
# shutil, tempfile) are imported where they are used: a host whose plan has none of those
# does not pay for loading them.
import contextlib
import datetime
import json
import os
import re
import shlex
import signal
import stat
import subprocess
import sys
import threading
import time
from typing import IO, Any, Dict, List, NamedTuple, Optional, Set, Tuple

PROTOCOL = 1
DEFAULT_STEP_TIMEOUT = 600.0
# Seconds to wait for the output of a timed-out command after its process group was killed.
KILLED_OUTPUT_TIMEOUT = 5.0

READ_KINDS = ("exit", "stdout", "prefs", "features", "lines", "exists")
# Requisite kinds in the order Salt 3006/3007 evaluates them (`State.check_requisite`).
# `prerequired` is the reverse of `prereq`: it sits on the target and names the chunks whose
# prereq it is. `listen` marks a `listener_` chunk.
EVALUATED_REQUISITES = (
    "require", "require_any", "watch", "watch_any", "prereq", "onfail", "onfail_any",
    "onfail_all", "onchanges", "onchanges_any", "prerequired",
)
SUPPORTED_REQUISITES = EVALUATED_REQUISITES + ("listen",)
DEFAULT_COMMENT_OK = "All checks passed, nothing to change"

# Exit codes that /bin/sh and coreutils `timeout` use for the same failures.
EXIT_NOT_FOUND = 127
EXIT_NOT_EXECUTABLE = 126
EXIT_TIMED_OUT = 124


class InvalidRequest(Exception):
    """A request that the shim rejects before running anything (exit status 2)."""


class CommandResult(NamedTuple):
    """The outcome of one command. `problem` describes a timeout or a failure to start it."""

    exit: int
    stdout: str
    stderr: str
    problem: Optional[str] = None
    timed_out: bool = False


# ---------------------------------------------------------------------------------------------
# Running commands


def run_command(argv: List[str], timeout: float) -> CommandResult:
    """Run argv without a shell, with stdin from /dev/null, and capture its output.

    The command runs in its own session, so a timeout kills it and every process it started.
    A missing executable gives exit 127, and one that cannot be executed gives 126, with the
    error in stderr, as /bin/sh reports them.
    """
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as error:
        code = EXIT_NOT_FOUND if isinstance(error, FileNotFoundError) else EXIT_NOT_EXECUTABLE
        message = f"{argv[0]}: {error.strerror}\n"
        return CommandResult(code, "", message, f"could not start: {error.strerror}")
    except ValueError as error:
        # An argument with a NUL character cannot be passed to a program.
        return CommandResult(EXIT_NOT_EXECUTABLE, "", f"{error}\n", f"could not start: {error}")

    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stdout, stderr = kill_process_group(process)
        problem = f"timed out after {timeout:g} seconds"
        return CommandResult(EXIT_TIMED_OUT, decode(stdout), decode(stderr), problem, True)

    code = process.returncode
    if code < 0:
        code = 128 - code  # killed by a signal: report it the way a shell does
    return CommandResult(code, decode(stdout), decode(stderr))


def kill_process_group(process: subprocess.Popen) -> Tuple[bytes, bytes]:
    """Kill a timed-out command's process group and return the output it wrote so far."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        return process.communicate(timeout=KILLED_OUTPUT_TIMEOUT)
    except subprocess.TimeoutExpired:
        # A descendant left the process group and keeps the pipes open.
        process.kill()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        process.wait()
        return b"", b""


def decode(output: Optional[bytes]) -> str:
    return (output or b"").decode("utf-8", errors="replace")


def join_argv(argv: List[str]) -> str:
    """Show argv as a shell would need it typed, so that an empty value reads as ''."""
    return " ".join(shlex.quote(argument) for argument in argv)


def command_failure(argv: List[str], result: CommandResult) -> str:
    """Describe a failed command for a state's comment, with its stderr."""
    if result.problem is not None:
        return f"{join_argv(argv)} {result.problem}"
    text = f"{join_argv(argv)} failed with exit code {result.exit}:"
    stderr = result.stderr.strip()
    return f"{text} {stderr}" if stderr else text


# ---------------------------------------------------------------------------------------------
# Reading the request


def parse_request(data: bytes) -> Dict[str, Any]:
    """Decode and validate a request, raising InvalidRequest with the offending field."""
    if not data.strip():
        raise InvalidRequest("request is missing: expected one JSON document after the source")
    try:
        request = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidRequest(f"request is not valid JSON: {error}") from None
    if not isinstance(request, dict):
        raise InvalidRequest(f"request must be a JSON object, got {type_name(request)}")

    protocol = request.get("protocol")
    if protocol != PROTOCOL or isinstance(protocol, bool):
        raise InvalidRequest(
            f"request protocol {json.dumps(protocol)} is not supported: this shim implements"
            f" protocol {PROTOCOL}, so run a master that ships this shim"
        )
    timeout = request.setdefault("step_timeout", DEFAULT_STEP_TIMEOUT)
    if not is_number(timeout) or timeout <= 0:
        raise InvalidRequest(f"step_timeout must be a positive number of seconds, got {timeout!r}")

    kind = request.get("kind")
    if kind == "commands":
        validate_commands(request)
    elif kind == "plan":
        validate_plan(request)
    else:
        raise InvalidRequest(
            f"request kind {json.dumps(kind)} is unknown: expected commands or plan"
        )
    return request


def type_name(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_argv(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(part, str) and "\0" not in part for part in value)
        and value[0] != ""
    )


def check(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise InvalidRequest(f"{where}: {message}")


def validate_commands(request: Dict[str, Any]) -> None:
    commands = request.get("commands")
    check(isinstance(commands, list), "commands", f"must be an array, got {type_name(commands)}")
    for index, command in enumerate(commands):
        where = f"commands[{index}]"
        check(isinstance(command, dict), where, f"must be an object, got {type_name(command)}")
        check(isinstance(command.get("id"), str), where + ".id", "must be a string")
        has_argv, has_shell = "argv" in command, "shell" in command
        check(has_argv != has_shell, where, "must have exactly one of argv and shell")
        if has_argv:
            check(is_argv(command["argv"]), where + ".argv", "must be a non-empty array of strings")
        else:
            check(isinstance(command["shell"], str) and "\0" not in command["shell"], where + ".shell",
                  "must be a string without NUL characters")


# At most this many prefetch probes in a plan, run by at most this many threads at once.
MAX_PREFETCH = 256
PREFETCH_WORKERS = 8


def validate_plan(request: Dict[str, Any]) -> None:
    check(isinstance(request.setdefault("test", False), bool), "test", "must be true or false")
    check(isinstance(request.setdefault("failhard", False), bool), "failhard",
          "must be true or false")
    prefetch = request.setdefault("prefetch", [])
    check(isinstance(prefetch, list) and len(prefetch) <= MAX_PREFETCH, "prefetch",
          f"must be an array of at most {MAX_PREFETCH} argv lists")
    for index, argv in enumerate(prefetch):
        check(is_argv(argv), f"prefetch[{index}]", "must be a non-empty array of strings")
    absent = request.setdefault("absent", [])
    check(isinstance(absent, list) and all(isinstance(name, str) for name in absent), "absent",
          "must be an array of qube names")
    chunks = request.get("chunks")
    check(isinstance(chunks, list), "chunks", f"must be an array, got {type_name(chunks)}")
    all_tags = {chunk["tag"] for chunk in chunks
                if isinstance(chunk, dict) and isinstance(chunk.get("tag"), str)}
    earlier_tags: Set[str] = set()
    for index, chunk in enumerate(chunks):
        where = f"chunks[{index}]"
        check(isinstance(chunk, dict), where, f"must be an object, got {type_name(chunk)}")
        for field in ("tag", "id", "sls", "name"):
            value = chunk.get(field)
            check(isinstance(value, str), f"{where}.{field}", f"must be a string, got {value!r}")
        where = f"chunks[{index}] ({chunk['tag']})"
        check(chunk["tag"] not in earlier_tags, where, "tag is already used by an earlier chunk")
        validate_requisites(chunk, where, earlier_tags, all_tags)
        comment_ok = chunk.setdefault("comment_ok", None)
        check(comment_ok is None or isinstance(comment_ok, str), where + ".comment_ok",
              "must be a string or null")
        steps = chunk.setdefault("steps", [])
        check(isinstance(steps, list), where + ".steps", "must be an array of steps")
        for step_index, step in enumerate(steps):
            validate_step(step, f"{where}.steps[{step_index}]")
        for field in ("outcome", "test_outcome", "mod_watch"):
            validate_outcome(chunk, field, where)
        check(chunk["outcome"] is None or not steps, where,
              "must not have both steps and an outcome")
        check(chunk["test_outcome"] is None or chunk["outcome"] is not None, where,
              "has a test_outcome but no outcome")
        check(isinstance(chunk.setdefault("failhard", False), bool), where + ".failhard",
              "must be true or false")
        chunk.setdefault("state", chunk["tag"].split("_|-", 1)[0])
        earlier_tags.add(chunk["tag"])


def validate_outcome(chunk: Dict[str, Any], field: str, where: str) -> None:
    outcome = chunk.setdefault(field, None)
    if outcome is None:
        return
    where = f"{where}.{field}"
    check(isinstance(outcome, dict), where, f"must be an object or null, got {type_name(outcome)}")
    if field == "mod_watch" and "steps" in outcome:
        check(isinstance(outcome["steps"], list), where + ".steps", "must be an array of steps")
        for step_index, step in enumerate(outcome["steps"]):
            validate_step(step, f"{where}.steps[{step_index}]")
        comment_ok = outcome.setdefault("comment_ok", None)
        check(comment_ok is None or isinstance(comment_ok, str), where + ".comment_ok",
              "must be a string or null")
        return
    check(outcome.get("result") in (True, False, None), where + ".result",
          "must be true, false or null")
    check(isinstance(outcome.get("comment"), str), where + ".comment", "must be a string")
    check(field == "mod_watch" or outcome.get("changes") is not None, where + ".changes",
          "must be present")
    warnings = outcome.get("warnings")
    check(warnings is None or isinstance(warnings, list), where + ".warnings",
          "must be an array of strings")


def validate_requisites(
    chunk: Dict[str, Any], where: str, earlier_tags: Set[str], all_tags: Set[str]
) -> None:
    requisites = chunk.get("requisites")
    if requisites is None:
        chunk["requisites"] = {}
        return
    check(isinstance(requisites, dict), where + ".requisites", "must be an object")
    for kind, tags in requisites.items():
        field = f"{where}.requisites.{kind}"
        check(isinstance(tags, list), field, f"must be an array of tags, got {type_name(tags)}")
        for tag in tags:
            check(isinstance(tag, str), field, f"must be an array of tags, got {tag!r} in it")
            if kind == "prereq":
                check(tag in all_tags and tag not in earlier_tags and tag != chunk["tag"], field,
                      f"{tag!r} is not the tag of a later chunk, so the plan is out of order")
            else:
                check(tag in earlier_tags, field,
                      f"{tag!r} is not the tag of an earlier chunk, so the plan is out of order")


def validate_step(step: Any, where: str) -> None:
    check(isinstance(step, dict), where, f"must be an object, got {type_name(step)}")
    check(isinstance(step.get("key"), str), where + ".key", "must be a string")
    for field in ("group", "vm", "creates"):
        value = step.setdefault(field, None)
        valid = value is None or isinstance(value, str)
        check(valid, f"{where}.{field}", "must be a string or null")
    check(isinstance(step.setdefault("ignore_failure", False), bool), where + ".ignore_failure",
          "must be true or false")
    check(isinstance(step.setdefault("verify", True), bool), where + ".verify",
          "must be true or false")
    if "file" in step:
        validate_file_step(step["file"], where + ".file")
        return
    if "command" in step:
        validate_command_step(step["command"], where + ".command")
        return
    if "package" in step:
        validate_package_step(step["package"], where + ".package")
        return

    probe = step.get("probe")
    check(isinstance(probe, dict), where + ".probe", f"must be an object, got {type_name(probe)}")
    check(is_argv(probe.get("argv")), where + ".probe.argv", "must be a non-empty array of strings")
    read = probe.get("read")
    check(read in READ_KINDS, where + ".probe.read",
          f"must be one of {', '.join(READ_KINDS)}, got {read!r}")
    if read in ("prefs", "features", "lines"):
        check(isinstance(probe.get("field"), str), where + ".probe.field", "must be a string")
    check(isinstance(probe.setdefault("vm_valued", False), bool), where + ".probe.vm_valued",
          "must be true or false")

    expect = step.get("expect")
    check(isinstance(expect, dict) and expect_is_valid(read, expect), where + ".expect",
          f"{json.dumps(expect)} is not a valid expectation for read {read!r}")

    change = step.setdefault("change", [])
    check(isinstance(change, list) and all(is_argv(argv) for argv in change),
          where + ".change", "must be an array of non-empty arrays of strings")
    create_alone = step.setdefault("create_alone", None)
    if create_alone is not None:
        check(is_argv(create_alone), where + ".create_alone", "must be a non-empty array of strings")
        check(step["creates"] is not None and len(change) == 1, where + ".create_alone",
              "belongs only to a step that creates a qube with one command")
    check(isinstance(step.setdefault("set_at_creation", False), bool), where + ".set_at_creation",
          "must be true or false")


def expect_is_valid(read: str, expect: Dict[str, Any]) -> bool:
    if read == "exit":
        return isinstance(expect.get("exit"), int) and not isinstance(expect["exit"], bool)
    if read == "stdout":
        return isinstance(expect.get("value"), str)
    if read == "prefs":
        return expect.get("default") is True or isinstance(expect.get("value"), str)
    if read == "features":
        return "value" in expect and (expect["value"] is None or isinstance(expect["value"], str))
    return isinstance(expect.get("present"), bool)


# ---------------------------------------------------------------------------------------------
# Probes: observations, expectations and the forms they are reported in


class ProbeFailure(NamedTuple):
    message: str


# The observation of a qube that test mode predicts will be created: it exists, with every
# property at its default, no features and no tags. `exit` and `stdout` probes have no known
# value then. The properties that the creating command sets are read from its arguments.
UNKNOWN_OBSERVATION = {"prefs": ("D", None), "features": None, "lines": False, "exists": True}
# The error text, in lower case, of a dom0 tool given a qube name that does not exist.
NO_SUCH_QUBE = "no such domain"


def observe(probe: Dict[str, Any], result: CommandResult) -> Any:
    """Read the observation of a probe from its command's result, or return a ProbeFailure."""
    read, argv = probe["read"], probe["argv"]
    if result.problem is not None:
        return ProbeFailure(command_failure(argv, result))
    if read == "exit":
        return result.exit
    if read == "stdout":
        return result.stdout[:-1] if result.stdout.endswith("\n") else result.stdout
    if read == "exists":
        if result.exit == 0:
            return True
        if NO_SUCH_QUBE in result.stderr.lower():
            return False
        # Any other failure, such as a missing Admin API permission, leaves open whether the
        # qube exists.
        return ProbeFailure(command_failure(argv, result))
    if result.exit != 0:
        return ProbeFailure(command_failure(argv, result))
    if read == "prefs":
        return read_prefs_field(probe, result.stdout)
    if read == "features":
        return read_feature(probe["field"], result.stdout)
    return probe["field"] in result.stdout.splitlines()


def read_prefs_field(probe: Dict[str, Any], output: str) -> Any:
    """Find a property's marker and value in `qvm-prefs VM` output.

    Each line is the name padded with spaces, two spaces, a marker (`-` set explicitly,
    `D` default, `U` no value) and, unless the marker is `U`, two spaces and the value.
    """
    field = probe["field"]
    for line in output.splitlines():
        name, _, rest = line.partition(" ")
        if name != field:
            continue
        rest = rest.lstrip(" ")
        marker = rest[:1]
        if marker not in ("-", "D", "U"):
            break
        value = rest[3:] if rest[1:3] == "  " else rest[1:].strip()
        if probe["vm_valued"] and value == "None":
            value = ""
        return (marker, value)
    return ProbeFailure(f"property {field} is not in the output of {join_argv(probe['argv'])}")


def read_feature(field: str, output: str) -> Optional[str]:
    """Return a feature's value from `qvm-features VM` output, or None when it is not listed."""
    for line in output.splitlines():
        name, _, value = line.partition(" ")
        if name == field:
            return value.lstrip(" ")
    return None


def holds(read: str, observed: Any, expect: Dict[str, Any]) -> bool:
    if read == "exit":
        return observed == expect["exit"]
    if read == "prefs":
        marker, value = observed
        if expect.get("default") is True:
            # NOTE: `U` (a property with no value, such as backup_timestamp) counts as not set
            # explicitly, because `qvm-prefs -D` cannot turn it into `D`.
            return marker in ("D", "U")
        return marker == "-" and value == expect["value"]
    if read in ("lines", "exists"):
        return observed == expect["present"]
    return observed == expect["value"]


def reported_observation(read: str, observed: Any) -> Any:
    if read == "prefs":
        marker, value = observed
        return value if marker == "-" else "*default*"
    if read in ("lines", "exists"):
        return "present" if observed else "absent"
    return observed


def reported_expectation(read: str, expect: Dict[str, Any]) -> Any:
    if read == "exit":
        return expect["exit"]
    if read == "prefs":
        return "*default*" if expect.get("default") is True else expect["value"]
    if read in ("lines", "exists"):
        return "present" if expect["present"] else "absent"
    return expect["value"]


def describe(reported: Any) -> str:
    """Write a reported value for a comment, quoting strings so that '' stays visible."""
    if reported is None:
        return "unset"
    if reported in ("*default*", "present", "absent") or not isinstance(reported, str):
        return str(reported)
    return f"'{reported}'"


class ProbeCache:
    """Memoised probe results by argv, forgotten when a change touches a qube they name.

    It also keeps the qubes that the host's facts did not list, which the master names in the
    plan. A step that creates one of them takes it as missing without probing, until a change
    touches it.
    """

    def __init__(self, timeout: float, absent: List[str]) -> None:
        self.timeout = timeout
        self.results: Dict[Tuple[str, ...], CommandResult] = {}
        self.absent: Set[str] = set(absent)
        self.command_count = 0

    def clear(self) -> None:
        """Forget everything, after a change that may show in any probe."""
        self.results.clear()
        self.absent.clear()

    def run(self, argv: List[str], fresh: bool = False) -> CommandResult:
        key = tuple(argv)
        if fresh or key not in self.results:
            self.results[key] = run_command(argv, self.timeout)
            self.command_count += 1
        return self.results[key]

    def forget(self, qubes: Set[str], known_qubes: Set[str]) -> None:
        """Forget results that name one of `qubes`, and results of host-wide commands.

        A host-wide command (one that names no known qube, such as `qubes-prefs`) may show
        any qube's state, so every change makes its result stale.
        """
        for key in list(self.results):
            named = qubes_named(key, known_qubes)
            if not named or named & qubes:
                del self.results[key]
        self.absent -= qubes


def qubes_named(argv: Any, known_qubes: Set[str]) -> Set[str]:
    """Return the known qubes that argv names, as an argument or as `VM:VOLUME`."""
    named = set()
    for argument in list(argv)[1:]:
        name = argument.split(":", 1)[0]
        if name in known_qubes:
            named.add(name)
    return named


# ---------------------------------------------------------------------------------------------
# Plans


class StepOutcome(NamedTuple):
    status: str  # "held", "changed", "predicted" (test mode) or "failed"
    change: Any = None
    comment: Tuple[str, ...] = ()
    # A command step whose onlyif, unless or creates kept it from running: Salt then does
    # not call the state's mod_watch either.
    skip_watch: bool = False
    # A change that ran and whose probe is read again once its batch has ended.
    verify_pending: bool = False


class PlanRunner:
    """Run the chunks of a plan in order and write one result line per chunk."""

    def __init__(self, request: Dict[str, Any], writer: LineWriter) -> None:
        self.chunks: List[Dict[str, Any]] = request["chunks"]
        self.request_prefetch: List[List[str]] = request["prefetch"]
        self.by_tag: Dict[str, Dict[str, Any]] = {chunk["tag"]: chunk for chunk in self.chunks}
        self.test: bool = request["test"]
        self.failhard: bool = request["failhard"]
        # Results of the test runs that a prereq makes of its target before the prereq's chunk.
        self.pre: Dict[str, Dict[str, Any]] = {}
        self.timeout: float = request["step_timeout"]
        self.writer = writer
        self.cache = ProbeCache(self.timeout, request["absent"])
        # The position in `chunks` of the chunk that runs now.
        self.position = 0
        self.results: Dict[str, Dict[str, Any]] = {}
        # Qubes that test mode predicts a step will create, with the properties that the
        # creating command sets.
        self.created: Dict[str, Dict[str, str]] = {}
        # Qubes that this run created with a command that also set properties of later steps.
        self.created_with_properties: Set[str] = set()
        # Paths on this host as test mode predicts earlier file steps leave them.
        self.predicted_files: Dict[str, FileObservation] = {}
        self.known_qubes: Set[str] = {
            name
            for chunk in self.chunks
            for step in chunk["steps"]
            for name in (step["vm"], step["creates"])
            if name
        }

    def prefetch(self, argvs: List[List[str]]) -> None:
        """Run the plan's prefetch probes at the same time and memoise their results.

        Only reading forms of the dom0 tools run. With a delay of a tenth of a second per dom0
        tool call, six listings then cost about one delay instead of six. The chunks later use
        the memoised results as if they had run the probes themselves. A change drops them from
        the cache as it drops any probe result.
        """
        probes = [list(argv) for argv in dict.fromkeys(tuple(argv) for argv in argvs)
                  if is_read_only(list(argv))]
        for argv, result in zip(probes, run_concurrently(probes, self.timeout)):
            self.cache.results[tuple(argv)] = result
            self.cache.command_count += 1

    def run(self) -> Dict[str, Any]:
        self.prefetch(self.request_prefetch)
        failed = changed = run_num = 0
        for self.position, chunk in enumerate(self.chunks):
            listened = chunk["requisites"].get("listen")
            if listened is not None and not any(
                self.results.get(tag, {}).get("changes") for tag in listened
            ):
                # A listener_ chunk runs only when a state it listens to changed; otherwise
                # Salt leaves it out of the results.
                continue
            result = self.run_chunk(run_num, chunk)
            run_num += 1
            self.results[chunk["tag"]] = result
            self.writer.write(result)
            failed += result["result"] is False
            changed += bool(result["changes"])
            if result["result"] is False and not self.test and (chunk["failhard"] or self.failhard):
                # failhard: Salt stops the run and leaves the later chunks out of the results.
                break
        done = {"type": "done", "chunks": run_num, "failed": failed, "changed": changed}
        self.writer.write(done)
        return done

    def run_chunk(self, run_num: int, chunk: Dict[str, Any]) -> Dict[str, Any]:
        start_time = datetime.datetime.now().strftime("%H:%M:%S.%f")
        started = time.perf_counter()
        for tag in chunk["requisites"].get("prereq", []):
            if tag not in self.pre:
                self.pre[tag] = self.test_run(self.by_tag[tag])
        outcome = self.decide(chunk)
        line = {
            "type": "result",
            "tag": chunk["tag"],
            "__id__": chunk["id"],
            "__sls__": chunk["sls"],
            "__run_num__": run_num,
            "name": chunk["name"],
        }
        line.update(outcome)
        line["start_time"] = start_time
        line["duration"] = round((time.perf_counter() - started) * 1000, 3)
        return line

    def decide(self, chunk: Dict[str, Any]) -> Dict[str, Any]:
        """Evaluate the chunk's requisites and run it, or return why it did not run."""
        unsupported = [kind for kind in chunk["requisites"] if kind not in SUPPORTED_REQUISITES]
        if unsupported:
            return not_run(False, "\n".join(
                f"Requisite kind not supported by this shim: {kind}" for kind in unsupported))
        status = self.requisite_status(chunk, with_prerequired=True)
        if status == "fail":
            if chunk["tag"] in self.pre:
                # The chunk whose prereq this chunk is failed or did not run: report the test
                # run made for that prereq, without its predicted changes, as Salt does.
                reported = dict(self.pre[chunk["tag"]])
                reported["changes"] = {}
                return reported
            return not_run(False, "One or more requisite failed: " + ", ".join(
                self.failed_requisites(chunk)))
        if status == "pre":
            return not_run(True, "No changes detected")
        if status == "onfail":
            return not_run(True, "State was not run because onfail req did not change",
                           ran=False)
        if status == "onchanges":
            return not_run(True, "State was not run because none of the onchanges reqs changed",
                           ran=False)
        if status == "unmet":
            return not_run(False, "A requisite of this state did not run")
        outcome = self.execute(chunk, self.test)
        if (status == "change" and not outcome["changes"] and chunk["mod_watch"] is not None
                and not outcome.get("skip_watch")):
            outcome = self.mod_watch(chunk)
        return outcome

    def requisite_status(self, chunk: Dict[str, Any], with_prerequired: bool) -> str:
        """Return Salt's requisite status of a chunk from the results so far.

        The status is one of met, change (a watched chunk changed), fail, pre (a prereq
        target predicts no change), onfail and onchanges (not triggered), or unmet. The rules
        follow `State.check_requisite` of Salt 3006/3007.
        """
        fun_stats: Set[str] = set()
        for kind in EVALUATED_REQUISITES:
            tags = chunk["requisites"].get(kind)
            if not tags or (kind == "prerequired" and not with_prerequired):
                continue
            run_dict = self.pre if kind == "prereq" else self.results
            stats: Set[str] = set()
            for tag in tags:
                ret = run_dict.get(tag)
                if ret is None:
                    stats.add("unmet")
                    continue
                if kind.startswith("onfail"):
                    if ret["result"] is True:
                        stats.add("onfail")
                        continue
                elif ret["result"] is False:
                    stats.add("fail")
                    continue
                if kind.startswith("onchanges"):
                    stats.add("onchangesmet" if ret["changes"] else "onchanges")
                    continue
                if kind.startswith("watch") and ret["changes"]:
                    stats.add("change")
                    continue
                if kind == "prereq" and ret["result"] is None:
                    stats.add("premet")
                if kind.startswith("prereq") and ret["result"] is not None:
                    if kind == "prereq":
                        stats.add("pre")
                elif ret.get("__state_ran__", True):
                    stats.add("met")
            if kind.endswith("_any") or kind == "onfail":
                if "met" in stats or "change" in stats:
                    stats.discard("fail")
                if "onchangesmet" in stats:
                    stats.discard("onchanges")
                    stats.discard("fail")
                if "onfail" in stats and "met" in stats:
                    stats.discard("onfail")
            if kind.endswith("_all") and "onfail" in stats:
                stats.discard("met")
            fun_stats |= stats
        if "unmet" in fun_stats:
            return "unmet"
        if "fail" in fun_stats:
            return "fail"
        if "pre" in fun_stats:
            return "met" if "premet" in fun_stats else "pre"
        if "onfail" in fun_stats and "onchangesmet" not in fun_stats:
            return "onfail"
        if "onchanges" in fun_stats and "onchangesmet" not in fun_stats:
            return "onchanges"
        if "change" in fun_stats:
            return "change"
        if "onfail" in fun_stats:
            return "onfail"
        return "met"

    def failed_requisites(self, chunk: Dict[str, Any]) -> List[str]:
        """Name the referenced chunks that failed as `<sls>.<id>`, in plan order, each once."""
        referenced: Set[str] = set()
        for kind in EVALUATED_REQUISITES:
            referenced.update(chunk["requisites"].get(kind, []))
        names: List[str] = []
        for other in self.chunks:
            tag = other["tag"]
            ret = self.pre.get(tag, self.results.get(tag))
            if tag in referenced and ret is not None and ret["result"] is False:
                name = f"{other['sls']}.{other['id']}"
                if name not in names:
                    names.append(name)
        return names

    def test_run(self, chunk: Dict[str, Any]) -> Dict[str, Any]:
        """Run a prereq target in test mode, leaving no trace on the rest of the run."""
        status = self.requisite_status(chunk, with_prerequired=False)
        if status == "fail":
            return not_run(False, "One or more requisite failed: " + ", ".join(
                self.failed_requisites(chunk)))
        if status in ("onfail", "onchanges"):
            return not_run(True, "State was not run because its requisites were not met",
                           ran=False)
        created = dict(self.created)
        predicted_files = dict(self.predicted_files)
        try:
            return self.execute(chunk, True)
        finally:
            self.created = created
            self.predicted_files = predicted_files

    def execute(self, chunk: Dict[str, Any], test: bool) -> Dict[str, Any]:
        """Run a chunk's steps, or report its fixed outcome."""
        if chunk["outcome"] is not None:
            fixed = chunk["test_outcome"] if test and chunk["test_outcome"] else chunk["outcome"]
            return fixed_outcome(fixed, {})
        saved = self.test
        self.test = test
        try:
            return self.run_steps(chunk, chunk["steps"])
        finally:
            self.test = saved

    def mod_watch(self, chunk: Dict[str, Any]) -> Dict[str, Any]:
        """Run or report the chunk's mod_watch, as Salt calls it when a watched state changed."""
        if "steps" in chunk["mod_watch"]:
            return self.run_steps(chunk, chunk["mod_watch"]["steps"],
                                  chunk["mod_watch"]["comment_ok"])
        changed = []
        for tag in chunk["requisites"].get("watch", []):
            if self.results[tag]["changes"]:
                other = self.by_tag[tag]
                changed.append(f"{other['state']}: {other['id']}")
        return fixed_outcome(chunk["mod_watch"], {"Requisites with changes": changed})

    def run_steps(
        self, chunk: Dict[str, Any], steps: List[Dict[str, Any]], comment_ok: Optional[str] = None
    ) -> Dict[str, Any]:
        """Run steps in order and return the chunk's result, changes and comment.

        `comment_ok` replaces the chunk's own `comment_ok` when every step held.
        """
        changes: Dict[str, Any] = {}
        lines: List[str] = []
        result: Optional[bool] = True
        skip_watch = False
        ignored_group: Optional[str] = None
        index = 0
        while index < len(steps):
            if ignored_group is not None and steps[index]["group"] == ignored_group:
                index += 1
                continue
            ignored_group = None
            batch = self.batch_at(steps, index)
            outcomes = self.run_batch(batch)
            index += len(outcomes)
            failed_step = None
            for step, outcome in zip(batch, outcomes):
                lines.extend(outcome.comment)
                skip_watch = skip_watch or outcome.skip_watch
                if outcome.change is not None and PERFORMED_STEPS & step.keys():
                    # File and command steps report Salt's own keys, such as diff or retcode.
                    target = changes if step["group"] is None else changes.setdefault(step["group"], {})
                    target.update(outcome.change)
                elif outcome.status in ("changed", "predicted") or outcome.change is not None:
                    target = changes if step["group"] is None else changes.setdefault(step["group"], {})
                    target[step["key"]] = outcome.change
                if outcome.status == "predicted":
                    result = None
                if outcome.status == "failed" and failed_step is None:
                    failed_step = step
            if failed_step is None:
                continue
            if failed_step["ignore_failure"]:
                # The rest of this step's group is skipped, and the later groups still run.
                label = failed_step["group"] if failed_step["group"] is not None else failed_step["key"]
                lines.append(f"[{label}] failed, and its failure is ignored")
                ignored_group = failed_step["group"]
                continue
            lines.extend(skipped_groups(failed_step, steps[index:]))
            result = False
            break
        if not lines:
            lines.append(comment_ok or chunk["comment_ok"] or DEFAULT_COMMENT_OK)
        outcome = {"result": result, "changes": changes, "comment": "\n".join(lines)}
        if skip_watch:
            outcome["skip_watch"] = True
        return outcome

    def batch_at(self, steps: List[Dict[str, Any]], index: int) -> List[Dict[str, Any]]:
        """Return the steps from `index` on that read one listing and can share its verification.

        They are consecutive steps of one group whose probes read fields of the same `qvm-prefs`
        or `qvm-features` listing. Outside test mode, their changes run one after the other and
        one fresh read of the listing verifies them all, instead of one read after each change.
        """
        first = steps[index]
        if self.test or not batchable(first):
            return [first]
        batch = [first]
        for step in steps[index + 1:]:
            if (not batchable(step) or step["group"] != first["group"]
                    or step["probe"]["argv"] != first["probe"]["argv"]):
                break
            batch.append(step)
        return batch

    def run_batch(self, batch: List[Dict[str, Any]]) -> List[StepOutcome]:
        """Run a batch's steps up to the first that fails, then verify the changes together.

        A step decided after a change of the batch read the listing from before that change. When
        the fresh read shows that it no longer holds, because a change had a side effect on its
        field, it runs again on its own, with its change verified at once.
        """
        if len(batch) == 1:
            return [self.run_step(batch[0])]
        outcomes: List[StepOutcome] = []
        stale_from: Optional[int] = None
        for position, step in enumerate(batch):
            outcome = self.run_step(step, defer_verify=True)
            outcomes.append(outcome)
            if outcome.status == "failed":
                break
            if outcome.verify_pending and stale_from is None:
                stale_from = position
        if stale_from is None:
            return outcomes
        self.cache.run(batch[0]["probe"]["argv"], fresh=True)
        for position in range(stale_from, len(outcomes)):
            step, outcome = batch[position], outcomes[position]
            if outcome.verify_pending:
                outcomes[position] = self.verified(step, outcome)
            elif outcome.status == "held":
                observed = self.probe(step)
                read, expect = step["probe"]["read"], step["expect"]
                if isinstance(observed, ProbeFailure) or not holds(read, observed, expect):
                    outcomes[position] = self.run_step(step)
        return outcomes

    def verified(self, step: Dict[str, Any], outcome: StepOutcome) -> StepOutcome:
        """Check a change whose verification was deferred against the probe's memoised read."""
        read, expect = step["probe"]["read"], step["expect"]
        observed = self.probe(step)
        if isinstance(observed, ProbeFailure):
            # The change ran, so it is reported although the read that would verify it failed.
            return StepOutcome("failed", outcome.change, outcome.comment + (observed.message,))
        if not holds(read, observed, expect):
            still = describe(reported_observation(read, observed))
            expected = describe(reported_expectation(read, expect))
            message = f"{step['key']} is still {still} after the change, expected {expected}"
            return StepOutcome("failed", comment=outcome.comment + (message,))
        return StepOutcome("changed", outcome.change, outcome.comment)

    def run_step(self, step: Dict[str, Any], defer_verify: bool = False) -> StepOutcome:
        """Run one step; with `defer_verify`, a change's re-read is left to the caller's batch."""
        if "file" in step:
            return self.run_file_step(step["file"])
        if "command" in step:
            return self.run_command_step(step["command"])
        if "package" in step:
            return self.run_package_step(step["package"])
        read, expect = step["probe"]["read"], step["expect"]
        observed = self.probe(step)
        if isinstance(observed, ProbeFailure):
            return StepOutcome("failed", comment=(observed.message,))
        if holds(read, observed, expect):
            if step["set_at_creation"] and step["vm"] in self.created_with_properties:
                # The command that created the qube set this property: before it, the property
                # was at its default, as a new qube's properties are.
                return StepOutcome("changed", {
                    "old": "*default*", "new": reported_expectation(read, expect)})
            if step["set_at_creation"] and self.test and step["vm"] in self.created:
                return StepOutcome("predicted", {
                    "old": "*default*", "new": reported_expectation(read, expect)})
            return StepOutcome("held")
        if not step["change"]:
            return self.failed_check(step, observed)

        if "report" in step:
            change = step["report"]
        else:
            change = {
                "old": reported_observation(read, observed),
                "new": reported_expectation(read, expect),
            }
        if self.test:
            missing = self.missing_target_qube(step) or self.missing_template(step)
            if missing is not None:
                return StepOutcome("failed", comment=(missing,))
            if step["creates"]:
                self.created[step["creates"]] = creation_properties(step["change"][-1])
            planned = tuple(f"Would run: {join_argv(argv)}" for argv in step["change"])
            return StepOutcome("predicted", change, planned)

        lines: List[str] = []
        listing = tuple(step["probe"]["argv"])
        before = self.cache.results.get(listing)
        if step["create_alone"] is not None:
            failure = self.create_with_properties(step, lines)
            if failure is not None:
                return failure
        else:
            for argv in step["change"]:
                result = run_command(argv, self.timeout)
                self.forget_touched(step, argv)
                if result.exit != 0 or result.problem is not None:
                    lines.append(command_failure(argv, result))
                    return StepOutcome("failed", comment=tuple(lines))
                lines.append(f"Ran: {join_argv(argv)}")

        if not step["verify"]:
            return StepOutcome("changed", change, tuple(lines))
        if defer_verify and before is not None:
            # The batch's later steps read other fields of the listing from before this change.
            # The batch reads the listing again at its end and checks them all.
            self.cache.results[listing] = before
            return StepOutcome("changed", change, tuple(lines), verify_pending=True)
        fresh = True
        if step["creates"]:
            # The prefetch reads this step's probe too, after the change.
            self.prefetch_after_creation(step)
            fresh = False
        observed = self.probe(step, fresh=fresh)
        if isinstance(observed, ProbeFailure):
            # The change ran, so it is reported although the read that would verify it failed.
            return StepOutcome("failed", change, tuple(lines) + (observed.message,))
        if not holds(read, observed, expect):
            still = describe(reported_observation(read, observed))
            expected = describe(reported_expectation(read, expect))
            message = f"{step['key']} is still {still} after the change, expected {expected}"
            return StepOutcome("failed", comment=tuple(lines) + (message,))
        return StepOutcome("changed", change, tuple(lines))

    def create_with_properties(self, step: Dict[str, Any], lines: List[str]) -> Optional[StepOutcome]:
        """Create the step's qube with the properties of later steps, adding to `lines`.

        qvm-create sets the properties after it creates the qube. When one of them fails, the
        qube may exist with only the properties before it, and the later steps set the rest and
        report their own failures. When the failed command left no qube, the command without the
        properties runs. Returns the step's failure, or None when the qube was created.
        """
        argv, qube = step["change"][0], step["creates"]
        result = run_command(argv, self.timeout)
        self.forget_touched(step, argv)
        if result.exit == 0 and result.problem is None:
            lines.append(f"Ran: {join_argv(argv)}")
            self.created_with_properties.add(qube)
            return None
        lines.append(command_failure(argv, result))
        observed = self.probe(step, fresh=True)
        if not isinstance(observed, ProbeFailure) and holds(step["probe"]["read"], observed,
                                                             step["expect"]):
            lines.append(f"{qube} exists, so the steps below check and set its properties")
            self.created_with_properties.add(qube)
            return None
        alone = step["create_alone"]
        first_stderr = result.stderr
        result = run_command(alone, self.timeout)
        self.forget_touched(step, alone)
        if result.exit != 0 or result.problem is not None:
            if result.stderr == first_stderr:
                # The properties were not the cause: show the error once.
                lines[-1] = command_failure(alone, result)
            else:
                lines.append(command_failure(alone, result))
            return StepOutcome("failed", comment=tuple(lines))
        lines.append(f"Ran: {join_argv(alone)}")
        return None

    def run_file_step(self, spec: Dict[str, Any]) -> StepOutcome:
        """Bring a path to the state a file step describes; in test mode, only predict it."""
        try:
            real = file_step_path(spec["path"])
            check_owner(spec)
            if self.test:
                # An earlier state may create the parent directory, so test mode does not
                # check it, as in Salt, and it reads a path an earlier step predicted to change
                # as predicted.
                seen = self.predicted_files.get(real) or observe_file(real)
                update = plan_file(spec, seen, None)
            else:
                seen = observe_file(real)
                update = plan_file(spec, seen, real)
        except (FileError, OSError) as error:
            return StepOutcome("failed", comment=(str(error),))
        if update is None:
            return StepOutcome("held")
        if self.test:
            self.predict_file(real, spec, update, seen)
            changes = update.changes if update.test_changes is None else update.test_changes
            return StepOutcome("predicted", changes, (update.test_comment,))
        try:
            apply_file_update(spec, update, seen, real)
        except OSError as error:
            return StepOutcome("failed", comment=(f"{spec['path']}: {error.strerror}",))
        finally:
            # The change may show in any probe, such as a qrexec policy that a tool reads.
            self.cache.clear()
        try:
            still = plan_file(spec, observe_file(real), real)
        except (FileError, OSError) as error:
            still_message = str(error)
        else:
            still_message = None if still is None else (
                f"{spec['path']} still differs after the change in: {', '.join(still.changes)}")
        if still_message is not None:
            return StepOutcome("failed", comment=(update.comment, still_message))
        return StepOutcome("changed", update.changes, (update.comment,))

    def predict_file(self, real: str, spec: Dict[str, Any], update: FileUpdate,
                     seen: FileObservation) -> None:
        """Record the path as a file step in test mode predicts to leave it."""
        if update.remove and seen.kind == "directory":
            inside = real.rstrip("/") + "/"
            for path in [path for path in self.predicted_files if path.startswith(inside)]:
                del self.predicted_files[path]
        if update.link:
            after = FileObservation("symlink", target=spec["target"])
        elif update.remove:
            after = FileObservation("missing")
        else:
            kind = "directory" if spec["op"] == "directory" else "file"
            content = update.content if update.content is not None else seen.content
            after = FileObservation(kind, content if kind == "file" else None,
                                    spec["mode"] or seen.mode or ("0755" if kind == "directory"
                                                                  else "0644"),
                                    spec["user"] or seen.user, spec["group"] or seen.group)
        self.predicted_files[real] = after

    def run_package_step(self, spec: Dict[str, Any]) -> StepOutcome:
        """Install or remove dom0 packages that rpm -q finds missing or present."""
        names, install = spec["names"], spec["op"] == "installed"
        versions = query_packages(names, self.cache)
        if isinstance(versions, ProbeFailure):
            return StepOutcome("failed", comment=(versions.message,))
        targets = [name for name in names if (versions[name] is None) == install]
        if not targets:
            return StepOutcome("held")
        listed = ", ".join(targets)
        if self.test:
            action = "installed" if install else "removed"
            changes = {name: {"new": action, "old": ""} for name in targets}
            comment = (f"The following packages would be installed/updated: {listed}" if install
                       else f"The following packages will be removed: {listed}.")
            return StepOutcome("predicted", changes, (comment,))
        argv = ["qubes-dom0-update", "-y"]
        argv += [f"--enablerepo={spec['fromrepo']}"] if spec["fromrepo"] else []
        argv += [] if install else ["--action=remove"]
        argv += targets
        result = run_command(argv, self.timeout)
        # Packages bring files, and with them changes that any probe may show.
        self.cache.clear()
        if result.exit != 0 or result.problem is not None:
            return StepOutcome("failed", comment=(command_failure(argv, result),))
        after = query_packages(names, self.cache)
        if isinstance(after, ProbeFailure):
            return StepOutcome("failed", comment=(after.message,))
        failed = [name for name in targets if (after[name] is None) == install]
        changes = {name: {"new": after[name] or "", "old": versions[name] or ""}
                   for name in targets if name not in failed}
        if failed:
            verb = "install/update" if install else "remove"
            return StepOutcome("failed", changes, (
                f"The following packages failed to {verb}: {', '.join(failed)}",))
        comment = (f"The following packages were installed/updated: {listed}" if install
                   else f"The following packages were removed: {listed}.")
        return StepOutcome("changed", changes, (comment,))

    def run_command_step(self, spec: Dict[str, Any]) -> StepOutcome:
        """Run a command step's shell command unless its onlyif, unless or creates condition skips it.

        onlyif and unless run in test mode too, as in Salt, because they only decide.
        """
        skipped = command_skip(spec, self.timeout)
        if skipped is not None:
            return StepOutcome("held", comment=(skipped,), skip_watch=True)
        shown = f'Command "{spec["shell"]}"'
        if self.test:
            return StepOutcome("predicted", {}, (f"{shown} would have been executed",))
        pid, result = run_shell(spec, spec["shell"], self.timeout)
        # A shell command may change anything that a probe reads.
        self.cache.clear()
        if pid is None:
            return StepOutcome("failed", comment=(result.stderr.strip(),))
        changes = {"pid": pid, "retcode": result.exit, "stdout": result.stdout.rstrip(),
                   "stderr": result.stderr.rstrip()}
        comment = f"{shown} run"
        if result.problem is not None:
            comment += f", and {result.problem}"
        return StepOutcome("changed" if result.exit == 0 else "failed", changes, (comment,))

    def missing_target_qube(self, step: Dict[str, Any]) -> Optional[str]:
        """In test mode, explain why a qube-valued property could not be set, or return None.

        Setting netvm, template and the like to a qube that does not exist fails on the host,
        so test mode predicts that failure rather than a change. A qube that an earlier step
        of this run would create counts as existing. The check runs `qvm-check`, read-only.
        """
        probe, expect = step["probe"], step["expect"]
        target = expect.get("value")
        if probe["read"] != "prefs" or not probe.get("vm_valued") or not target:
            return None
        if target in self.created:
            return None
        result = self.cache.run(["qvm-check", "--quiet", target])
        if result.exit == 0:
            return None
        return (f"{step['key']} would be set to qube {target}, which does not exist on this host"
                " and no earlier state creates it")

    def missing_template(self, step: Dict[str, Any]) -> Optional[str]:
        """In test mode, explain why a qube could not be created from its template, or return None."""
        if not step["creates"]:
            return None
        template = creation_properties(step["change"][-1]).get("template")
        if not template or template in self.created:
            return None
        if self.cache.run(["qvm-check", "--quiet", template]).exit == 0:
            return None
        return (f"{step['creates']} would be created from template {template}, which does not"
                " exist on this host and no earlier state creates it")

    def failed_check(self, step: Dict[str, Any], observed: Any) -> StepOutcome:
        """Judge a check-only step (no change commands) whose probe does not hold.

        Such a step fails, in test mode too, unless test mode predicted that an earlier step
        creates its qube: that qube cannot be checked yet, so the check is assumed to hold.
        """
        if self.test and step["vm"] in self.created:
            return StepOutcome("held", comment=(
                f"{step['key']}: not checked, because an earlier state would create {step['vm']}",))
        probe, expect = step["probe"], step["expect"]
        if probe["read"] == "exit":
            message = f"{join_argv(probe['argv'])} exited with code {observed}, expected {expect['exit']}"
        else:
            still = describe(reported_observation(probe["read"], observed))
            expected = describe(reported_expectation(probe["read"], expect))
            message = f"{step['key']} is {still}, expected {expected}"
        result = self.cache.run(probe["argv"])
        output = (result.stderr.strip() or result.stdout.strip())
        if output:
            message += ": " + output
        return StepOutcome("failed", comment=(message,))

    def probe(self, step: Dict[str, Any], fresh: bool = False) -> Any:
        probe = step["probe"]
        if step["vm"] in self.created:
            if probe["read"] == "prefs" and probe["field"] in self.created[step["vm"]]:
                return ("-", self.created[step["vm"]][probe["field"]])
            return UNKNOWN_OBSERVATION.get(probe["read"])
        if not fresh and probe["read"] == "exists" and step["creates"] in self.cache.absent:
            return False
        return observe(probe, self.cache.run(probe["argv"], fresh))

    def prefetch_after_creation(self, step: Dict[str, Any]) -> None:
        """Run this chunk's probes of the qube that the step just created, at the same time.

        Each one would otherwise cost its own dom0 round trip. A later change makes them stale as usual.
        Later chunks' probes wait, so that a probe that brings the shim down cannot cost this
        chunk its result.
        """
        qube = step["creates"]
        argvs = [step["probe"]["argv"]]
        for later in self.chunks[self.position]["steps"]:
            probe = later.get("probe")
            if probe is not None and qubes_named(probe["argv"], self.known_qubes) == {qube}:
                argvs.append(probe["argv"])
        self.prefetch(argvs)

    def forget_touched(self, step: Dict[str, Any], argv: List[str]) -> None:
        """Forget memoised probes that a change command may have made stale."""
        if step["vm"] is None:
            # A change to dom0 or to the whole host may show in any probe.
            self.cache.clear()
            return
        touched = qubes_named(argv, self.known_qubes) | {step["vm"]}
        self.cache.forget(touched, self.known_qubes)


def creation_properties(argv: List[str]) -> Dict[str, str]:
    """Return the properties that a qvm-create command line sets: label, template and --property."""
    names = {"--label": "label", "-l": "label", "--template": "template", "-t": "template"}
    properties: Dict[str, str] = {}
    arguments = iter(argv[1:])
    for argument in arguments:
        option, equals, value = argument.partition("=")
        if option in ("--property", "--prop"):
            assignment = value if equals else next(arguments, "")
            name, _, value = assignment.partition("=")
            properties[name] = value
        elif option in names:
            properties[names[option]] = value if equals else next(arguments, "")
    return properties


def not_run(result: bool, comment: str, ran: bool = True) -> Dict[str, Any]:
    """Build the result of a chunk that its requisites kept from running."""
    outcome: Dict[str, Any] = {"result": result, "changes": {}, "comment": comment}
    if not ran:
        outcome["__state_ran__"] = False
    return outcome


def fixed_outcome(fixed: Dict[str, Any], default_changes: Dict[str, Any]) -> Dict[str, Any]:
    """Copy a plan's fixed outcome into a result, with Salt's `warnings` when it has some."""
    changes = fixed.get("changes")
    outcome = {
        "result": fixed["result"],
        "changes": default_changes if changes is None else changes,
        "comment": fixed["comment"],
    }
    if fixed.get("warnings"):
        outcome["warnings"] = list(fixed["warnings"])
    return outcome


def batchable(step: Dict[str, Any]) -> bool:
    """Return whether a step reads one field of a listing and verifies its change."""
    return ("probe" in step and not PERFORMED_STEPS & step.keys() and step["verify"]
            and step["probe"]["read"] in ("prefs", "features"))


def skipped_groups(failed_step: Dict[str, Any], later_steps: List[Dict[str, Any]]) -> List[str]:
    """Build one comment line per later group that a failed step keeps from running.

    Steps without a group are named by their key.
    """
    names: List[str] = []
    same_group: List[str] = []
    for step in later_steps:
        if step["group"] is not None and step["group"] == failed_step["group"]:
            same_group.append(step["key"])
            continue
        name = step["group"] if step["group"] is not None else step["key"]
        if name not in names:
            names.append(name)
    lines = [f"[{name}] skipped because an earlier step failed" for name in names]
    if same_group:
        lines.insert(0, f"[{failed_step['group']}] {', '.join(same_group)} skipped because an"
                        " earlier step failed")
    return lines


# ---------------------------------------------------------------------------------------------
# File and command steps: changes that the shim makes itself


FILE_OPS = ("managed", "absent", "directory", "symlink", "append", "prepend", "replace")
# Step kinds that the shim performs itself; they report Salt's own keys in `changes`.
PERFORMED_STEPS = {"file", "command", "package"}
# Simulator-only hook: when this variable is set, the absolute paths of file steps, and the
# `creates` paths of command steps, are taken below that directory, so that a simulated host
# on a developer's machine never writes the machine's own /etc.
SIM_ROOT_VARIABLE = "QUBES_SIM_ROOT"
RE_FLAGS = ("ASCII", "IGNORECASE", "LOCALE", "MULTILINE", "DOTALL", "VERBOSE")


def host_path(path: str) -> str:
    """Map an absolute path of a file step to the path this shim reads and writes."""
    root = os.environ.get(SIM_ROOT_VARIABLE)
    if not root:
        return path
    return os.path.join(root, os.path.normpath(path).lstrip("/"))


def file_step_path(path: str) -> str:
    """Map a file step's path, and keep it below the simulator root when one is set.

    A symlink below the root may point out of it, and following it would write the real
    file system, so such a path raises FileError.
    """
    mapped = host_path(path)
    root = os.environ.get(SIM_ROOT_VARIABLE)
    if root:
        real_root = os.path.realpath(root)
        parent = os.path.realpath(os.path.dirname(mapped))
        if parent != real_root and not parent.startswith(real_root + os.sep):
            raise FileError(f"{path} leads out of the simulated host's root {root} through a"
                            " symlink, so it is not changed")
    return mapped


def validate_file_step(spec: Any, where: str) -> None:
    check(isinstance(spec, dict), where, f"must be an object, got {type_name(spec)}")
    op = spec.get("op")
    check(op in FILE_OPS, where + ".op", f"must be one of {', '.join(FILE_OPS)}, got {op!r}")
    path = spec.get("path")
    check(isinstance(path, str) and path.startswith("/") and "\0" not in path
          and os.path.normpath(path) != "/", where + ".path",
          f"must be an absolute path other than /, got {path!r}")
    for field in ("contents", "mode", "user", "group", "target", "pattern", "repl",
                  "not_found_content"):
        value = spec.setdefault(field, None)
        check(value is None or isinstance(value, str), f"{where}.{field}",
              "must be a string or null")
    for field in ("makedirs", "force", "append_if_not_found", "prepend_if_not_found",
                  "ignore_if_missing"):
        check(isinstance(spec.setdefault(field, False), bool), f"{where}.{field}",
              "must be true or false")
    check(isinstance(spec.setdefault("replace", True), bool), where + ".replace",
          "must be true or false")
    text = spec.setdefault("text", [])
    check(isinstance(text, list) and all(isinstance(line, str) for line in text),
          where + ".text", "must be an array of strings")
    count = spec.setdefault("count", 0)
    check(isinstance(count, int) and not isinstance(count, bool) and count >= 0,
          where + ".count", "must be a number of replacements, 0 for all")
    flags = spec.setdefault("flags", ["MULTILINE"])
    check(isinstance(flags, list) and all(flag in RE_FLAGS for flag in flags),
          where + ".flags", f"must be an array of {', '.join(RE_FLAGS)}")
    mode = spec["mode"]
    check(mode is None or (len(mode) == 4 and all(digit in "01234567" for digit in mode)),
          where + ".mode", f"must be four octal digits such as 0644, got {mode!r}")
    check(op != "symlink" or spec["target"] is not None, where + ".target",
          "is required for a symlink")
    for field in ("target", "user", "group"):
        check(spec[field] is None or "\0" not in spec[field], f"{where}.{field}",
              "must not contain a NUL character")
    check(op != "replace" or (spec["pattern"] is not None and spec["repl"] is not None), where,
          "a replace needs pattern and repl")


def validate_package_step(spec: Any, where: str) -> None:
    check(isinstance(spec, dict), where, f"must be an object, got {type_name(spec)}")
    check(spec.get("op") in ("installed", "removed"), where + ".op",
          f"must be installed or removed, got {spec.get('op')!r}")
    names = spec.get("names")
    check(isinstance(names, list) and len(names) > 0
          and all(isinstance(name, str) and name and not name.startswith("-") and "\0" not in name
                  for name in names),
          where + ".names", "must be a non-empty array of package names")
    fromrepo = spec.setdefault("fromrepo", None)
    check(fromrepo is None or isinstance(fromrepo, str), where + ".fromrepo",
          "must be a string or null")


def query_packages(names: List[str], cache: "ProbeCache") -> Any:
    """Return each package's installed version from `rpm -q`, None when not installed.

    rpm prints, in the order of the names, `NAME-VERSION-RELEASE.ARCH` for each installed
    version (a kernel may have several, joined here with ", ") or `package NAME is not
    installed`, and exits with the number of names not installed.
    """
    argv = ["rpm", "-q"] + names
    result = cache.run(argv)
    if result.problem is not None:
        return ProbeFailure(command_failure(argv, result))
    lines = result.stdout.splitlines()
    versions: Dict[str, Optional[str]] = {}
    index = 0
    for name in names:
        found = []
        while index < len(lines) and lines[index].startswith(name + "-") \
                and lines[index][len(name) + 1:][:1].isdigit():
            found.append(lines[index][len(name) + 1:])
            index += 1
        if not found and index < len(lines) and lines[index] == f"package {name} is not installed":
            index += 1
        elif not found:
            return ProbeFailure(command_failure(argv, result) + f" (no line for package {name})")
        versions[name] = ", ".join(found) if found else None
    return versions


def validate_command_step(spec: Any, where: str) -> None:
    check(isinstance(spec, dict), where, f"must be an object, got {type_name(spec)}")
    check(isinstance(spec.get("shell"), str) and spec["shell"] != "", where + ".shell",
          "must be a non-empty string")
    for field in ("runas", "cwd"):
        value = spec.setdefault(field, None)
        check(value is None or isinstance(value, str), f"{where}.{field}",
              "must be a string or null")
    env = spec.setdefault("env", {})
    check(isinstance(env, dict) and all(isinstance(value, str) for value in env.values()),
          where + ".env", "must be an object of strings")
    for field in ("unless", "onlyif", "creates"):
        value = spec.setdefault(field, [])
        check(isinstance(value, list) and all(isinstance(item, str) for item in value),
              f"{where}.{field}", "must be an array of strings")
    # A NUL cannot be passed to a process, so it would stop the shim in the middle of a run.
    texts = [spec["shell"], spec["runas"] or "", spec["cwd"] or ""] + list(env) + list(
        env.values()) + spec["unless"] + spec["onlyif"] + spec["creates"]
    check(all("\0" not in text for text in texts), where,
          "must not contain a NUL character in any field")


class FileObservation(NamedTuple):
    """The kind, content and metadata of a path on the host; `content` only for a regular file."""

    kind: str  # "missing", "file", "directory", "symlink" or "other"
    content: Optional[bytes] = None
    mode: Optional[str] = None
    user: Optional[str] = None
    group: Optional[str] = None
    target: Optional[str] = None


def observe_file(real: str) -> FileObservation:
    """Read a path without following a final symlink."""
    try:
        info = os.lstat(real)
    except (FileNotFoundError, NotADirectoryError):
        return FileObservation("missing")
    mode = f"{stat.S_IMODE(info.st_mode):04o}"
    user, group = owner_names(info)
    if stat.S_ISLNK(info.st_mode):
        return FileObservation("symlink", None, mode, user, group, os.readlink(real))
    if stat.S_ISDIR(info.st_mode):
        return FileObservation("directory", None, mode, user, group)
    if stat.S_ISREG(info.st_mode):
        with open(real, "rb") as handle:
            return FileObservation("file", handle.read(), mode, user, group)
    return FileObservation("other", None, mode, user, group)


def owner_names(info: os.stat_result) -> Tuple[str, str]:
    import grp
    import pwd

    try:
        user = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        user = str(info.st_uid)
    try:
        group = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        group = str(info.st_gid)
    return user, group


class FileUpdate(NamedTuple):
    """The change a file step makes: Salt's changes and comments, and what to write.

    `test_changes` replaces `changes` in test mode when Salt reports the two differently.
    `content` is the new content of a regular file, or None to keep it.
    """

    changes: Dict[str, Any]
    test_comment: str
    comment: str
    test_changes: Optional[Dict[str, Any]] = None
    content: Optional[bytes] = None
    remove: bool = False
    directory: bool = False
    link: bool = False


class FileError(Exception):
    """A file step that cannot be done, such as a file where a directory should be."""


def text_diff(old: bytes, new: bytes) -> str:
    """Return a unified diff of two file contents, or a note when one of them is binary."""
    try:
        old_text, new_text = old.decode("utf-8"), new.decode("utf-8")
    except UnicodeDecodeError:
        return "Replace binary file"
    import difflib

    lines = difflib.unified_diff(old_text.splitlines(True), new_text.splitlines(True))
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def metadata_changes(spec: Dict[str, Any], seen: FileObservation) -> Dict[str, Any]:
    changes: Dict[str, Any] = {}
    for field in ("user", "group", "mode"):
        if spec[field] is not None and spec[field] != getattr(seen, field):
            changes[field] = spec[field]
    return changes


def check_parent(spec: Dict[str, Any], real: Optional[str], message: str) -> None:
    if real is not None and not spec["makedirs"] and not os.path.isdir(os.path.dirname(real)):
        raise FileError(message)


def plan_file(spec: Dict[str, Any], seen: FileObservation,
              real: Optional[str]) -> Optional[FileUpdate]:
    """Work out what a file step changes from what the path is now; None when nothing.

    `real` is the path on this host, whose parent directory must exist unless the step makes
    it, or None to leave the parent unchecked. Raises FileError when the step cannot be done.
    """
    op = spec["op"]
    if op == "absent":
        return plan_absent(spec, seen)
    if op == "directory":
        return plan_directory(spec, seen, real)
    if op == "symlink":
        return plan_symlink(spec, seen, real)
    if op == "managed":
        return plan_managed(spec, seen, real)
    return plan_edit(spec, seen, real)


def plan_absent(spec: Dict[str, Any], seen: FileObservation) -> Optional[FileUpdate]:
    path = spec["path"]
    if seen.kind == "missing":
        return None
    what = "Directory" if seen.kind == "directory" else "File"
    return FileUpdate({"removed": path}, f"{what} {path} is set for removal",
                      f"Removed {what.lower()} {path}", remove=True)


def plan_directory(spec: Dict[str, Any], seen: FileObservation,
                   real: Optional[str]) -> Optional[FileUpdate]:
    path = spec["path"]
    if seen.kind == "missing":
        check_parent(spec, real, f"No directory to create {path} in")
        change = {"directory": "new"}
        change.update(metadata_changes(spec, FileObservation("directory")))
    elif seen.kind == "directory":
        change = metadata_changes(spec, seen)
        if not change:
            return None
    else:
        raise FileError(f"Specified location {path} exists and is a {describe_kind(seen)}")
    listed = ", ".join(f"{key} - {value}" for key, value in change.items())
    return FileUpdate({path: change}, f"The following files will be changed:\n{path}: {listed}",
                      f"Directory {path} updated", directory=seen.kind == "missing")


def describe_kind(seen: FileObservation) -> str:
    return {"file": "file", "directory": "directory", "symlink": "symlink"}.get(
        seen.kind, "special file")


def plan_symlink(spec: Dict[str, Any], seen: FileObservation,
                 real: Optional[str]) -> Optional[FileUpdate]:
    path, target = spec["path"], spec["target"]
    if seen.kind == "symlink" and seen.target == target:
        return None
    if seen.kind == "missing":
        check_parent(spec, real, f"Directory {os.path.dirname(path)} for symlink is not present")
        return FileUpdate({"new": path}, f"Symlink {path} to {target} is set for creation",
                          f"Created new symlink {path} -> {target}", link=True)
    if seen.kind == "symlink":
        return FileUpdate({"change": path}, f"Symlink {path} is set to point to {target}",
                          f"Set symlink {path} to point to {target}", link=True)
    if not spec["force"]:
        raise FileError(f"{describe_kind(seen).capitalize()} exists where the symlink {path}"
                        " should be; set force: True to replace it")
    return FileUpdate({"forced": "Symlink was forcibly replaced"},
                      f"Symlink {path} to {target} is set to replace a {describe_kind(seen)}",
                      f"Created new symlink {path} -> {target}", link=True, remove=True)


def plan_managed(spec: Dict[str, Any], seen: FileObservation,
                 real: Optional[str]) -> Optional[FileUpdate]:
    path = spec["path"]
    wanted = None if spec["contents"] is None else spec["contents"].encode("utf-8")
    predicted = f"The file {path} is set to be changed"
    if seen.kind == "missing":
        check_parent(spec, real, "Parent directory not present")
        metadata = metadata_changes(spec, FileObservation("file"))
        return FileUpdate(dict({"diff": "New file"}, **metadata), predicted, f"File {path} updated",
                          test_changes=dict({"newfile": path}, **metadata),
                          content=b"" if wanted is None else wanted)
    if seen.kind != "file":
        raise FileError(f"Specified target {path} is a {describe_kind(seen)}, not a regular file")
    if not spec["replace"]:
        # replace: false writes the content of a new file only.
        wanted = None
    changes: Dict[str, Any] = {}
    if wanted is not None and wanted != seen.content:
        changes["diff"] = text_diff(seen.content or b"", wanted)
    changes.update(metadata_changes(spec, seen))
    if not changes:
        return None
    content = wanted if "diff" in changes else None
    return FileUpdate(changes, predicted, f"File {path} updated", content=content)


def contains_text(content: str, text: str) -> bool:
    """Return whether text occurs in content, with runs of whitespace matching any whitespace."""
    words = text.split()
    if not words:
        return True
    pattern = r"\s+".join(re.escape(word) for word in words)
    return re.search(pattern, content) is not None


def plan_edit(spec: Dict[str, Any], seen: FileObservation,
              real: Optional[str]) -> Optional[FileUpdate]:
    """Plan file.append, file.prepend and file.replace on the file's current text."""
    op, path = spec["op"], spec["path"]
    if seen.kind not in ("file", "missing"):
        raise FileError(f"Specified target {path} is a {describe_kind(seen)}, not a regular file")
    if seen.kind == "missing" and op == "replace":
        if spec["ignore_if_missing"]:
            return None
        raise FileError(f"{path}: file not found")
    if seen.kind == "missing":
        check_parent(spec, real, f"Directory {os.path.dirname(path)} is not present; set"
                     " makedirs: True to create it")
    old = (seen.content or b"").decode("utf-8", errors="surrogateescape")
    if op == "replace":
        new = replaced_text(spec, old)
        if new == old:
            return None
        changes = {"diff": text_diff(old.encode("utf-8", "surrogateescape"),
                                     new.encode("utf-8", "surrogateescape"))}
        return FileUpdate(changes, "Changes would have been made", "Changes were made",
                          content=new.encode("utf-8", "surrogateescape"))

    missing = [line for text in spec["text"] for line in text.splitlines()
               if not contains_text(old, line)]
    if not missing:
        return None
    added = "".join(line + "\n" for line in missing)
    if op == "append":
        new = old + ("\n" if old and not old.endswith("\n") else "") + added
        comment = f"Appended {len(missing)} lines"
    else:
        new = added + old
        comment = f"Prepended {len(missing)} lines"
    new_bytes = new.encode("utf-8", "surrogateescape")
    changes = {"diff": text_diff(old.encode("utf-8", "surrogateescape"), new_bytes)}
    test_changes = {"new": path} if seen.kind == "missing" else None
    predicted = (f"File {path} is set to be created" if seen.kind == "missing"
                 else f"File {path} is set to be updated")
    return FileUpdate(changes, predicted, comment, test_changes=test_changes, content=new_bytes)


def replaced_text(spec: Dict[str, Any], old: str) -> str:
    """Apply a file.replace to text: Python's re.subn, then the not-found handling."""
    flags = 0
    for name in spec["flags"]:
        flags |= getattr(re, name)
    try:
        pattern = re.compile(spec["pattern"], flags)
        new, found = pattern.subn(spec["repl"], old, count=spec["count"])
    except (re.error, IndexError) as error:
        raise FileError(f"pattern {spec['pattern']!r} or repl {spec['repl']!r} is invalid:"
                        f" {error}") from None
    if found or not (spec["append_if_not_found"] or spec["prepend_if_not_found"]):
        return new
    line = spec["not_found_content"] if spec["not_found_content"] is not None else spec["repl"]
    if line + "\n" in old or old.endswith(line):
        return old
    if spec["prepend_if_not_found"]:
        return line + "\n" + old
    return old + ("\n" if old and not old.endswith("\n") else "") + line + "\n"


def apply_file_update(spec: Dict[str, Any], update: FileUpdate, seen: FileObservation,
                      real: str) -> None:
    """Make a planned file change. Files are written to a temporary file and renamed."""
    import shutil

    parent = os.path.dirname(real)
    if spec["makedirs"] and not os.path.isdir(parent):
        os.makedirs(parent, mode=directory_mode(spec["mode"]))
    if update.remove:
        if seen.kind == "directory":
            shutil.rmtree(real)
        else:
            os.unlink(real)
        seen = FileObservation("missing")
    if update.link:
        os.symlink(spec["target"], real)
        return
    if update.directory:
        os.mkdir(real, 0o755)
    if update.content is not None:
        write_atomically(real, update.content, seen)
    if update.remove or spec["op"] not in ("managed", "directory"):
        return
    if spec["mode"] is not None:
        os.chmod(real, int(spec["mode"], 8))
    if spec["user"] is not None or spec["group"] is not None:
        shutil.chown(real, spec["user"], spec["group"])


def directory_mode(file_mode: Optional[str]) -> int:
    """Return the mode of directories made for a file: its mode, searchable where readable."""
    if file_mode is None:
        return 0o755
    mode = int(file_mode, 8)
    return mode | ((mode & 0o444) >> 2)


def write_atomically(real: str, content: bytes, seen: FileObservation) -> None:
    """Replace a file's content by renaming a temporary file over it, keeping its mode and owner."""
    import tempfile

    directory, name = os.path.split(real)
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".qfleet", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        if seen.kind == "file":
            info = os.stat(real)
            os.chmod(temporary, stat.S_IMODE(info.st_mode))
            if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                os.chown(temporary, info.st_uid, info.st_gid)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def check_owner(spec: Dict[str, Any]) -> None:
    import grp
    import pwd

    if spec["user"] is not None:
        try:
            pwd.getpwnam(spec["user"])
        except KeyError:
            raise FileError(f"User {spec['user']} is not available") from None
    if spec["group"] is not None:
        try:
            grp.getgrnam(spec["group"])
        except KeyError:
            raise FileError(f"Group {spec['group']} is not available") from None


def run_shell(spec: Dict[str, Any], shell: str, timeout: float) -> Tuple[Optional[int], CommandResult]:
    """Run a command of a command step through /bin/sh -c, as its runas user and in its cwd.

    Returns the process id (None when it could not start) and the result.
    """
    import pwd

    argv = ["/bin/sh", "-c", shell]
    runas = spec["runas"]
    env = dict(os.environ)
    env.update(spec["env"])
    cwd = spec["cwd"]
    if runas is not None:
        try:
            account = pwd.getpwnam(runas)
        except KeyError:
            return None, CommandResult(1, "", f"User {runas} is not available\n",
                                       f"cannot run as {runas}: no such user")
        if account.pw_uid != os.geteuid():
            argv = ["runuser", "-u", runas, "--"] + argv
        env.update(HOME=account.pw_dir, USER=runas, LOGNAME=runas)
        cwd = cwd or account.pw_dir
    cwd = cwd or os.path.expanduser("~")
    if not os.path.isdir(cwd) and not spec["cwd"]:
        # A service account's home, such as /nonexistent, may not exist.
        cwd = "/"
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True, cwd=cwd,
                                   env=env)
    except OSError as error:
        return None, CommandResult(EXIT_NOT_FOUND, "", f"{error}\n", f"could not start: {error}")
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stdout, stderr = kill_process_group(process)
        return process.pid, CommandResult(EXIT_TIMED_OUT, decode(stdout), decode(stderr),
                                          f"timed out after {timeout:g} seconds", True)
    code = process.returncode
    return process.pid, CommandResult(128 - code if code < 0 else code, decode(stdout),
                                      decode(stderr))


def command_skip(spec: Dict[str, Any], timeout: float) -> Optional[str]:
    """Check a command step's onlyif, unless and creates, in Salt's order.

    Returns the comment of a command that is not to run, or None when it runs.
    """
    for condition in spec["onlyif"]:
        if run_shell(spec, condition, timeout)[1].exit != 0:
            return "onlyif condition is false"
    if spec["unless"] and all(run_shell(spec, condition, timeout)[1].exit == 0
                              for condition in spec["unless"]):
        return "unless condition is true"
    creates = spec["creates"]
    if creates and all(os.path.exists(host_path(path)) for path in creates):
        return f"{creates[0]} exists" if len(creates) == 1 else "All files in creates exist"
    return None


# ---------------------------------------------------------------------------------------------
# The qubes a request may reach


# Options of the qvm-* tools that take their value as the next argument.
VALUE_OPTIONS = {
    "-o", "--option", "-l", "--label", "-t", "--template", "-C", "--class", "-P", "--pool",
    "--prop", "--property", "--rule-no", "--before", "--enablerepo", "--disablerepo",
    "--repo", "-s", "--service", "-u", "--user", "--dispvm",
}
# Tools whose first positional argument is a subcommand, and the subcommands that only read.
SUBCOMMAND_TOOLS = {
    "qvm-template": {"list", "info", "search"},
    "qvm-volume": {"list", "ls", "info"},
    "qvm-pci": {"list", "ls"},
    "qvm-usb": {"list", "ls"},
    "qvm-block": {"list", "ls"},
}
# Options that make qvm-prefs, qvm-features, qvm-service or qubes-prefs write instead of read.
WRITE_OPTIONS = {"-D", "--delete", "--default", "--unset", "-s", "--set", "-e", "--enable",
                 "-d", "--disable"}
HOST_WIDE = "dom0"


def split_options(argv: List[str]) -> Tuple[List[str], List[str]]:
    """Split a command's arguments into its options and its positional arguments."""
    options: List[str] = []
    positionals: List[str] = []
    skip_value = False
    for argument in argv[1:]:
        if skip_value:
            skip_value = False
        elif argument.startswith("-") and argument != "-":
            options.append(argument)
            skip_value = argument in VALUE_OPTIONS
        else:
            positionals.append(argument)
    return options, positionals


def is_read_only(argv: List[str]) -> bool:
    """Return whether argv is one of the reading forms of the dom0 tools that plans probe with."""
    program = os.path.basename(argv[0])
    options, positionals = split_options(argv)
    writes = any(option.split("=", 1)[0] in WRITE_OPTIONS for option in options)
    if program in ("qvm-check", "qvm-ls", "hostname", "lspci"):
        return True
    if program in ("qvm-prefs", "qvm-features", "qvm-service"):
        return not writes and len(positionals) <= 2
    if program == "qubes-prefs":
        return not writes and len(positionals) <= 1
    if program == "qvm-tags":
        return len(positionals) == 1 or positionals[1] in ("list", "ls", "l")
    if program == "qvm-firewall":
        return len(positionals) == 1 or positionals[1] in ("list", "ls")
    if program == "qvm-device":
        return len(positionals) >= 2 and positionals[1] in ("list", "ls")
    if program in SUBCOMMAND_TOOLS:
        return bool(positionals) and positionals[0] in SUBCOMMAND_TOOLS[program]
    if program == "rpm":
        return len(argv) > 1 and argv[1].startswith("-q")
    if program == "xl":
        return len(argv) > 1 and argv[1] in ("info", "list")
    return False


def reached_qubes(argv: List[str]) -> List[str]:
    """Return the qubes a command changes, read from its arguments as the dom0 tools parse them.

    A command that is not a qvm-* tool changes dom0 itself, named `dom0`.
    """
    program = os.path.basename(argv[0])
    if not program.startswith("qvm-"):
        return [HOST_WIDE]
    _, positionals = split_options(argv)
    if program == "qvm-device":
        positionals = positionals[2:]
    elif program == "qvm-clone":
        positionals = positionals[1:]
    elif program == "qvm-template":
        return positionals[1:] or [HOST_WIDE]
    elif program in SUBCOMMAND_TOOLS:
        positionals = positionals[1:]
    if not positionals:
        return [HOST_WIDE]
    return [positionals[0].split(":", 1)[0]]


class Reach:
    """The qubes that the master allows this request to change, from the shim's command line.

    The master passes the roster entry's `manage` globs as `--manage GLOB` arguments of the
    bootstrap command, outside the request, so that a plan cannot widen them. Without any, every
    qube may be reached.
    """

    def __init__(self, globs: List[str]) -> None:
        self.globs = globs

    @staticmethod
    def from_arguments(arguments: List[str]) -> "Reach":
        globs: List[str] = []
        for index, argument in enumerate(arguments):
            if argument == "--manage" and index + 1 < len(arguments):
                globs.append(arguments[index + 1])
        return Reach(globs)

    def allows(self, qube: str) -> bool:
        import fnmatch

        return not self.globs or any(fnmatch.fnmatchcase(qube, glob) for glob in self.globs)

    def check_argv(self, argv: List[str], where: str) -> None:
        for qube in reached_qubes(argv):
            check(self.allows(qube), where, self.refusal(qube, join_argv(argv)))

    def refusal(self, qube: str, what: str) -> str:
        return (f"{what} changes qube {qube!r}, which this host's roster entry does not allow"
                f" (manage: {', '.join(self.globs)}); the shim rejects the whole request")

    def check_request(self, request: Dict[str, Any]) -> None:
        """Raise InvalidRequest when the request could change a qube outside the globs."""
        if not self.globs:
            return
        if request["kind"] == "commands":
            for index, command in enumerate(request["commands"]):
                where = f"commands[{index}]"
                if "shell" in command:
                    check(self.allows(HOST_WIDE), where, self.refusal(HOST_WIDE, "a shell command"))
                elif not is_read_only(command["argv"]):
                    self.check_argv(command["argv"], where + ".argv")
            return
        for index, chunk in enumerate(request["chunks"]):
            where = f"chunks[{index}] ({chunk['tag']})"
            steps = list(chunk["steps"])
            mod_watch = chunk.get("mod_watch")
            if isinstance(mod_watch, dict):
                steps.extend(mod_watch.get("steps") or [])
            for step_index, step in enumerate(steps):
                self.check_step(step, f"{where}.steps[{step_index}]")

    def check_step(self, step: Dict[str, Any], where: str) -> None:
        if "file" in step or "command" in step:
            check(self.allows(HOST_WIDE), where, self.refusal(HOST_WIDE, "a file or command step"))
            return
        if not is_read_only(step["probe"]["argv"]):
            self.check_argv(step["probe"]["argv"], where + ".probe.argv")
        for argv in step["change"]:
            self.check_argv(argv, where + ".change")
        if step["create_alone"] is not None:
            self.check_argv(step["create_alone"], where + ".create_alone")
        if step["change"]:
            for qube in (step["vm"] or HOST_WIDE, step["creates"]):
                if qube is not None:
                    check(self.allows(qube), where, self.refusal(qube, "the step"))


# ---------------------------------------------------------------------------------------------
# Commands requests and the entry point


def run_commands(request: Dict[str, Any], writer: LineWriter) -> None:
    """Run a commands request's commands and write their results in order.

    When every command is a reading form of the dom0 tools, as in the facts request, they run
    at the same time, because none can change what another reads. Otherwise they run one by one.
    """
    timeout = request["step_timeout"]
    commands = request["commands"]
    argvs = [command["argv"] if "argv" in command else ["/bin/sh", "-c", command["shell"]]
             for command in commands]
    if all("argv" in command and is_read_only(command["argv"]) for command in commands):
        results = run_concurrently(argvs, timeout)
    else:
        results = [run_command(argv, timeout) for argv in argvs]
    for command, argv, result in zip(commands, argvs, results):
        stderr = result.stderr
        if result.timed_out:
            stderr += f"{join_argv(argv)} {result.problem}\n"
        writer.write(
            {"type": "command", "id": command["id"], "exit": result.exit,
             "stdout": result.stdout, "stderr": stderr}
        )
    writer.write({"type": "done"})


def run_concurrently(argvs: List[List[str]], timeout: float) -> List[CommandResult]:
    """Run commands on up to PREFETCH_WORKERS threads and return their results in order."""
    results: List[Optional[CommandResult]] = [None] * len(argvs)
    pending = list(range(len(argvs)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not pending:
                    return
                index = pending.pop(0)
            results[index] = run_command(argvs[index], timeout)

    workers = [threading.Thread(target=work, daemon=True)
               for _ in range(min(PREFETCH_WORKERS, len(argvs)))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    # A worker that died leaves its command to run here, where the error shows.
    return [result if result is not None else run_command(argv, timeout)
            for argv, result in zip(argvs, results)]


class LineWriter:
    """Write JSON objects, one per line, flushing each so that a dropped connection loses none."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def write(self, document: Dict[str, Any]) -> None:
        self.stream.write(json.dumps(document).encode("ascii") + b"\n")
        self.stream.flush()


def main(
    stdin: Optional[IO[bytes]] = None,
    stdout: Optional[IO[bytes]] = None,
    arguments: Optional[List[str]] = None,
) -> int:
    """Handle the request on stdin, or with `--session` each request line, and return the exit status.

    `arguments` are the shim's command-line arguments (`--manage GLOB`, repeated, and
    `--session`), by default those after `python3 -c CODE`.
    """
    writer = LineWriter(stdout if stdout is not None else sys.stdout.buffer)
    source = stdin if stdin is not None else sys.stdin.buffer
    if arguments is None:
        arguments = sys.argv[1:]
    reach = Reach.from_arguments(arguments)
    try:
        if "--session" not in arguments:
            return handle(source.read(), reach, writer)
        # One request per line, each handled in full before the next is read, so that the
        # master can render between the facts and the plan while this process waits.
        for line in source:
            if line.strip():
                status = handle(line, reach, writer)
                if status != 0:
                    return status
        return 0
    except BrokenPipeError:
        # The master is gone and can see no more results, so the shim stops before the next
        # command or chunk instead of changing the host unobserved.
        sys.stderr.write("qfleet_shim: standard output is closed, stopping\n")
        if stdout is None:
            # Keep the interpreter from failing again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def handle(data: bytes, reach: "Reach", writer: LineWriter) -> int:
    """Validate and run one request; return 0, or 2 after an error line for an invalid one."""
    try:
        request = parse_request(data)
        reach.check_request(request)
    except InvalidRequest as error:
        writer.write({"type": "error", "message": str(error)})
        return 2
    if request["kind"] == "commands":
        run_commands(request, writer)
    else:
        PlanRunner(request, writer).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
