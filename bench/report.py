#!/usr/bin/python3
"""Print the fleet benchmark's results as Markdown tables: medians and qfleet / peer ratios.

usage: report.py RAW.jsonl MACHINE.txt

RAW.jsonl contains the lines that bench/run.sh and the peer harness's measure.py append: one
object per run, and one summary object (with "summary": true) per measurement.
"""
import json
import statistics
import sys

TARGET_ANSIBLE = 10.0
TARGET_MITOGEN = 3.0
TARGET_FLOOR = 2.0
TARGET_CALLS = 7
TARGET_CPU_MS = 20.0
TARGET_RSS_MB = 400.0


def load(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def split_name(name):
    """Split "qfleet-W-run1@d100" into ("qfleet-W-run1", "100")."""
    base, _, delay = name.partition("@d")
    return base, delay


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def cell(value, digits=2):
    return "-" if value is None else ("%." + str(digits) + "f") % value


def verdict(value, limit):
    if value is None:
        return "not measured"
    return "met" if value <= limit else "NOT met"


def ssh_tables(records, out):
    medians = {}
    calls = {}
    for record in records:
        if record.get("name", "").startswith("qvm-calls"):
            _, delay = split_name(record["name"])
            calls[(delay, record["n"])] = record
        elif record.get("summary"):
            base, delay = split_name(record["name"])
            medians[(base, delay, record["n"])] = (record.get("median_wall"), record.get("valid"),
                                                   record.get("reps"), record.get("all_wall"))
    keys = sorted({(delay, n) for (_, delay, n) in medians}, key=lambda k: (int(k[0] or 0), k[1]))
    if not keys:
        return
    out.append("## OpenSSH hosts: qfleet and the peers on the same hosts\n")
    out.append("Wall seconds, median of the valid runs (valid/total in brackets); ratios are "
               "qfleet's wall time over the peer's, from empty (run 1) and converged (run 2).\n")
    out.append("| delay ms | N | qfleet run1 | qfleet run2 | pssh true | Ansible run1 | Ansible run2 "
               "| Mitogen run1 | Mitogen run2 | /Ansible 1 | /Ansible 2 | /Mitogen 1 | /Mitogen 2 "
               "| run2 / pssh | qvm-* calls per host (all tools) |")
    out.append("|" + "---:|" * 15)
    checks = []
    for delay, n in keys:
        def wall(base):
            value = medians.get((base, delay, n))
            return value[0] if value else None

        def shown(base):
            value = medians.get((base, delay, n))
            if not value:
                return "-"
            if not value[1]:
                # No valid run: show the invalid runs' times, which no ratio uses.
                return "invalid: %s" % ", ".join(cell(w) for w in value[3] or [])
            return "%s (%s/%s)" % (cell(value[0]), value[1], value[2])

        q1, q2 = wall("qfleet-W-run1"), wall("qfleet-W-run2")
        ratios = [ratio(q1, wall("ansible-W-run1")), ratio(q2, wall("ansible-W-run2")),
                  ratio(q1, wall("mitogen-W-run1")), ratio(q2, wall("mitogen-W-run2")),
                  ratio(q2, wall("pssh-true"))]
        count = calls.get((delay, n))
        qvm_calls = None
        count_text = "-"
        if count is not None:
            # Mean calls per host of the qvm-* tools, and of every counted tool in brackets.
            tools = count["by_tool_per_host"]
            qvm_calls = sum(v for k, v in tools.items() if k.startswith("qvm-"))
            count_text = "%.1f (%.1f)" % (qvm_calls, sum(tools.values()))
        out.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            delay or "0", n, shown("qfleet-W-run1"), shown("qfleet-W-run2"), shown("pssh-true"),
            shown("ansible-W-run1"), shown("ansible-W-run2"), shown("mitogen-W-run1"),
            shown("mitogen-W-run2"), *[cell(r, 3) for r in ratios], count_text))
        where = "N=%d, %s ms" % (n, delay or "0")
        for index, (peer, limit) in enumerate(((("Ansible", TARGET_ANSIBLE)), ("Mitogen", TARGET_MITOGEN))):
            for run, label in ((0, "from empty"), (1, "converged")):
                checks.append(("qfleet <= 1/%g of %s, %s, %s" % (limit, peer, label, where),
                               verdict(ratios[2 * index + run], 1 / limit)))
        checks.append(("qfleet converged <= %g x pssh true, %s" % (TARGET_FLOOR, where),
                       verdict(ratios[4], TARGET_FLOOR)))
        if count is not None:
            checks.append(("qvm calls per host converged <= %d, %s" % (TARGET_CALLS, where),
                           verdict(qvm_calls, TARGET_CALLS)))
            out_tools = ", ".join("%s %.1f" % (k, v) for k, v in count["by_tool_per_host"].items())
            checks.append(("  calls per host by tool, %s: %s" % (where, out_tools), ""))
    out.append("")
    out.append("| target | result |")
    out.append("|---|---|")
    for text, result in checks:
        out.append("| %s | %s |" % (text, result))
    out.append("")


def completion(runs, n):
    """Judge whether qfleet finished a big fleet: every host in its summary, nothing exhausted."""
    verdicts = []
    for run in runs:
        reported = run.get("succeeded", 0) + run.get("failed", 0) + run.get("unreachable", 0)
        done = run["rc"] in (0, 20) and reported == n and not run.get("exhausted", True)
        verdicts.append("%s (hosts succeeded %d, failed %d, unreachable %d)" % (
            "met" if done else "NOT met", run.get("succeeded", 0), run.get("failed", 0),
            run.get("unreachable", 0)))
    return "; ".join(verdicts)


def sim_tables(records, out):
    runs = [r for r in records if r.get("name", "").startswith("sim-qfleet-W-run2")]
    starts = {r["n"]: r["wall"] for r in records if r.get("name") == "sim-start"}
    if not runs:
        return
    out.append("## Simulated hosts: qfleet on W converged\n")
    out.append("Median over the runs; CPU is qfleet's own (user + system of its JVM, from "
               "/usr/bin/time), RSS its peak resident memory.\n")
    out.append("| N | runs ok | fleet start s | wall s | CPU s | CPU ms per host | peak RSS MB |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|")
    checks = []
    by_n = {}
    for run in runs:
        by_n.setdefault(run["n"], []).append(run)
    for n in sorted(by_n):
        group = [r for r in by_n[n] if r["ok"]] or by_n[n]

        def med(key):
            return statistics.median(r[key] for r in group)

        out.append("| %d | %d/%d | %s | %.2f | %.2f | %.1f | %.0f |" % (
            n, sum(r["ok"] for r in by_n[n]), len(by_n[n]), cell(starts.get(n)), med("wall"),
            med("cpu"), med("cpu_ms_per_host"), med("rss_mb")))
        if n == 500:
            checks.append(("CPU per host <= %g ms, N=%d" % (TARGET_CPU_MS, n),
                           verdict(med("cpu_ms_per_host"), TARGET_CPU_MS)))
            checks.append(("peak RSS <= %g MB, N=%d" % (TARGET_RSS_MB, n),
                           verdict(med("rss_mb"), TARGET_RSS_MB)))
        if n >= 1000:
            checks.append(("N=%d completes: a report for every host, no file, thread or memory"
                           " exhaustion" % n, completion(by_n[n], n)))
    out.append("")
    if checks:
        out.append("| target | result |")
        out.append("|---|---|")
        for text, result in checks:
            out.append("| %s | %s |" % (text, result))
        out.append("")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: report.py RAW.jsonl MACHINE.txt")
    records = load(sys.argv[1])
    with open(sys.argv[2]) as handle:
        machine = handle.read().strip()
    out = ["# Fleet benchmark", "", "```", machine, "```", ""]
    ssh_tables(records, out)
    sim_tables(records, out)
    print("\n".join(out))


if __name__ == "__main__":
    main()
