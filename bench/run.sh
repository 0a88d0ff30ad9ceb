#!/usr/bin/env bash
# Fleet benchmark: qfleet against Ansible, Ansible with Mitogen and pssh on the same
# OpenSSH hosts, then qfleet alone on larger simulated fleets. Not run by CI.
#
# Usage (as root, from any directory, after `mvn -B -q package -DskipTests`):
#     QFLEET_PEERS=/path/to/peer-harness bench/run.sh [ssh] [sim]
#
# The "ssh" part needs the peer harness (QFLEET_PEERS or --peers DIR): it starts N OpenSSH
# servers on 127.0.0.1 with fake qvm-* tools (hosts_up.sh, hosts_down.sh), and its
# measure.py times each command with /usr/bin/time. For every delay in DELAYS and every N
# in NS it starts the hosts once. On those hosts it times qfleet applying workload W
# (bench/formula) from the seed state and again converged, pssh running `true`, and the
# harness's Ansible playbook of W with and without Mitogen. It also counts the qvm
# commands that qfleet runs per host for W converged.
# The "sim" part starts qfleet's own simulated fleets (bin/qfleet-sim) of SIM_NS hosts, each
# host with the state of one host that bench.seed and W converged, and times qfleet on W
# converged: wall time, its own CPU and peak RSS. Then one fleet of SIM_BIG hosts, once,
# with --max-procs SIM_BIG.
#
# Environment:
#   NS="10 50"            OpenSSH host counts        DELAYS="0 100"  ms added per qvm call
#   REPS=3                runs per measurement       PEERS="pssh ansible mitogen"
#   SIM_NS="10 50 100 500"                           SIM_BIG=1000 (0 to skip)
#   BENCH_OUT=/tmp/qfleet-bench   where results and logs go
# Results: BENCH_OUT/raw-STAMP.jsonl (every run) and BENCH_OUT/report-STAMP.md (medians
# and the ratios qfleet / peer), which is also printed.
set -euo pipefail

BENCH="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
TOP="$(dirname "$BENCH")"
QFLEET="$TOP/bin/qfleet"
QFLEET_SIM="$TOP/bin/qfleet-sim"
FORMULA="$BENCH/formula"

parts=()
while (( $# > 0 )); do
  case "$1" in
    --peers) QFLEET_PEERS="${2:?--peers needs the harness directory}"; shift 2 ;;
    ssh|sim) parts+=("$1"); shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1'; expected ssh, sim or --peers DIR" >&2; exit 2 ;;
  esac
done
(( ${#parts[@]} > 0 )) || parts=(ssh sim)

NS="${NS:-10 50}"
DELAYS="${DELAYS:-0 100}"
REPS="${REPS:-3}"
PEERS="${PEERS:-pssh ansible mitogen}"
SIM_NS="${SIM_NS:-10 50 100 500}"
SIM_BIG="${SIM_BIG:-1000}"
OUT="${BENCH_OUT:-/tmp/qfleet-bench}"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW="$OUT/raw-$STAMP.jsonl"
REPORT="$OUT/report-$STAMP.md"
mkdir -p "$OUT"

note() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Prints "QFLEET_CLASS_ARCHIVE=write" while bin/qfleet has no class archive yet, so that the
# first untimed run writes it and the timed runs start the way a user's runs do.
archive_setting() {
  if [[ -f "$TOP/cli/target/qfleet-classes.jsa" || -f "$TOP/lib/qfleet-classes.jsa" ]]; then
    echo "QFLEET_CLASS_ARCHIVE="
  else
    echo "QFLEET_CLASS_ARCHIVE=write"
  fi
}

"$QFLEET" --version >/dev/null || exit 2

{
  echo "date_utc: $(date -u '+%Y-%m-%d %H:%M:%S')"
  echo "uname: $(uname -a)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "qfleet: $("$QFLEET" --version | head -1)"
  echo "commit: $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "load_before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "ns: $NS  delays_ms: $DELAYS  reps: $REPS  peers: $PEERS  sim_ns: $SIM_NS  sim_big: $SIM_BIG"
} > "$OUT/machine-$STAMP.txt"
cat "$OUT/machine-$STAMP.txt" >&2

# ---------------------------------------------------------------------------------------
# OpenSSH hosts, side by side with the peers

# Writes qfleet's roster, known_hosts and configuration for the harness's N hosts, and adds
# the two facts tools the harness's hosts lack.
qfleet_setup() {
  local n="$1" i d
  local dir="$RUN/qfleet"
  mkdir -p "$dir"
  install -m 755 "$BENCH/fake_facts.py" "$dir/fake_facts.py"
  install -m 755 "$BENCH/count_calls.sh" "$dir/count_calls.sh"
  : > "$dir/roster"
  : > "$dir/known_hosts"
  for ((i = 1; i <= n; i++)); do
    d=$(host_dir "$i")
    ln -sfn "$dir/fake_facts.py" "$d/bin/qvm-ls"
    ln -sfn "$dir/fake_facts.py" "$d/bin/qubes-prefs"
    printf '%s:\n  host: 127.0.0.1\n  port: %s\n  user: %s\n  priv: %s\n' \
      "$(host_alias "$i")" "$(host_port "$i")" "$BENCH_USER" "$RUN/client/id_ed25519" >> "$dir/roster"
    printf '[127.0.0.1]:%s %s\n' "$(host_port "$i")" "$(cut -d' ' -f1-2 "$d/ssh_host_ed25519_key.pub")" \
      >> "$dir/known_hosts"
  done
  printf 'roster_file: roster\nknown_hosts: known_hosts\nmax_procs: %s\n' "$n" > "$dir/qfleet.yaml"
}

# Runs qfleet once on W converged with every qvm tool wrapped by count_calls.sh, and
# appends the calls per host to the results.
count_qvm_calls() {
  local n="$1" delay="$2" i d f
  for ((i = 1; i <= n; i++)); do
    d=$(host_dir "$i")
    rm -rf "$d/bin.real" && mv "$d/bin" "$d/bin.real" && mkdir "$d/bin"
    for f in "$d/bin.real"/*; do ln -s "$RUN/qfleet/count_calls.sh" "$d/bin/${f##*/}"; done
    : > "$d/state/calls.log" && chown "$BENCH_USER:" "$d/state/calls.log"
  done
  local rc=0
  bash -c "$QF" > "$RUN/logs/qfleet-count-n$n-d$delay.log" 2>&1 || rc=$?
  for ((i = 1; i <= n; i++)); do
    d=$(host_dir "$i")
    rm -rf "$d/bin" && mv "$d/bin.real" "$d/bin"
  done
  "$PY" - "$RUN" "$n" "$delay" "$rc" >> "$RAW" <<'PY'
import collections, json, os, sys
run, n, delay, rc = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
per_host, tools = [], collections.Counter()
for i in range(1, n + 1):
    with open(os.path.join(run, "hosts", "qh%03d" % i, "state", "calls.log")) as f:
        calls = [line.strip() for line in f if line.strip()]
    per_host.append(len([call for call in calls if call.startswith("qvm-")]))
    tools.update(calls)
print(json.dumps({"name": "qvm-calls-W-run2@d" + delay, "n": n, "summary": True, "rc": rc,
                  "qvm_per_host_min": min(per_host), "qvm_per_host_max": max(per_host),
                  "by_tool_per_host": {k: v / n for k, v in sorted(tools.items())}}))
PY
  tail -n 1 "$RAW" >&2
}

run_ssh_part() {
  : "${QFLEET_PEERS:?set QFLEET_PEERS (or pass --peers DIR) to the peer harness directory}"
  [[ -f "$QFLEET_PEERS/hosts_up.sh" && -f "$QFLEET_PEERS/measure.py" ]] \
    || { echo "bench/run.sh: $QFLEET_PEERS has no hosts_up.sh and measure.py; is it the peer harness?" >&2; exit 2; }
  [[ $(id -u) -eq 0 ]] || { echo "bench/run.sh: the ssh part runs as root, because the harness starts sshd" >&2; exit 2; }
  # The harness's settings: RUN, HOSTS_FILE, SSH_CFG, PY, BENCH_USER, host_dir, host_port.
  # shellcheck source=/dev/null
  source "$QFLEET_PEERS/common.sh"
  # shellcheck source=/dev/null
  source "$QFLEET_PEERS/ansible_env.sh"
  trap '"$QFLEET_PEERS/hosts_down.sh" || true' EXIT INT TERM
  local mitogen_dir=/usr/lib/python3/dist-packages/ansible_mitogen/plugins/strategy
  local delay n
  for delay in $DELAYS; do
    if (( delay > 0 )); then export QUBES_FAKE_DELAY_MS="$delay"; else export QUBES_FAKE_DELAY_MS=""; fi
    for n in $NS; do
      note "OpenSSH hosts: N=$n, ${delay} ms per qvm call"
      "$QFLEET_PEERS/hosts_up.sh" "$n"
      qfleet_setup "$n"
      ansible_setup "$n"
      local hn="$RUN/client/hosts-$n"
      head -n "$n" "$HOSTS_FILE" > "$hn"
      local m=("$PY" "$QFLEET_PEERS/measure.py" --n "$n" --reps "$REPS" --out "$RAW")
      local reset="$PY $QFLEET_PEERS/statectl.py reset $n && chown -R $BENCH_USER: $RUN/hosts"
      local verify="$PY $QFLEET_PEERS/statectl.py verify $n"
      local close="$QFLEET_PEERS/close_masters.sh"
      local pssh="parallel-ssh -h $hn -p $n -t 300 -x '-F $SSH_CFG -o ControlMaster=no -o ControlPath=none'"
      local pb="ansible-playbook -e qbench_vars_file=$RUN/ansible/workload_vars.yml $QFLEET_PEERS/ansible/playbook.yml"
      QF="$QFLEET -c $RUN/qfleet/qfleet.yaml --file-root $FORMULA '*' state.apply"
      local suffix="@d$delay"
      # Untimed: writes the class archive if needed. The timed run 1 resets the hosts first.
      env "$(archive_setting)" bash -c "$QF" > "$RUN/logs/qfleet-warm-n$n-d$delay.log" 2>&1 || true

      "${m[@]}" --name "qfleet-W-run1$suffix" --prepare "$reset" \
        --check "grep -Eq 'States changed: +[1-9]' \"\$LOG\" && $verify" -- "$QF" || true
      "${m[@]}" --name "qfleet-W-run2$suffix" \
        --check "grep -Eq 'States changed: +0\$' \"\$LOG\" && $verify" -- "$QF" || true
      count_qvm_calls "$n" "$delay"

      if [[ " $PEERS " == *" pssh "* ]]; then
        "${m[@]}" --name "pssh-true$suffix" \
          --check "test \$(grep -c '\\[SUCCESS\\]' \"\$LOG\") -eq $n" -- "$pssh true" || true
      fi
      if [[ " $PEERS " == *" ansible "* ]]; then
        "$close"
        "${m[@]}" --name "ansible-W-run1$suffix" --prepare "$reset" --after "$close" \
          --check "$PY $QFLEET_PEERS/statectl.py check-ansible \"\$LOG\" $n changed && $verify" -- "$pb" || true
        "${m[@]}" --name "ansible-W-run2$suffix" --after "$close" \
          --check "$PY $QFLEET_PEERS/statectl.py check-ansible \"\$LOG\" $n unchanged && $verify" -- "$pb" || true
      fi
      if [[ " $PEERS " == *" mitogen "* ]]; then
        local menv="ANSIBLE_STRATEGY_PLUGINS=$mitogen_dir ANSIBLE_STRATEGY=mitogen_linear"
        "$close"
        "${m[@]}" --name "mitogen-W-run1$suffix" --prepare "$reset" --after "$close" \
          --check "$PY $QFLEET_PEERS/statectl.py check-ansible \"\$LOG\" $n changed && $verify" -- "$menv $pb" || true
        "${m[@]}" --name "mitogen-W-run2$suffix" --after "$close" \
          --check "$PY $QFLEET_PEERS/statectl.py check-ansible \"\$LOG\" $n unchanged && $verify" -- "$menv $pb" || true
      fi
      "$QFLEET_PEERS/hosts_down.sh"
    done
  done
  trap - EXIT INT TERM
}

# ---------------------------------------------------------------------------------------
# Simulated fleets

# Times one qfleet run with /usr/bin/time and appends wall, CPU and peak RSS to the results.
sim_measure() {
  local name="$1" n="$2" log="$3"
  shift 3
  local tfile="$log.time" rc=0
  /usr/bin/time -f '%e %U %S %M' -o "$tfile" "$@" > "$log" 2>&1 || rc=$?
  local ok=false
  if (( rc == 0 )) && grep -Eq "Hosts succeeded: +$n\$" "$log" && grep -Eq 'States changed: +0$' "$log"; then
    ok=true
  fi
  read -r wall user sys rss_kb < <(tail -n 1 "$tfile")
  # Hosts in the summary, and whether qfleet itself ran out of memory, files or threads.
  local counts exhausted=false
  counts=$(grep -Eo 'Hosts (succeeded|failed|unreachable): +[0-9]+' "$log" | awk '{print $3}' | paste -sd' ')
  grep -Eq 'OutOfMemoryError|Too many open files|unable to create native thread' "$log" && exhausted=true
  /usr/bin/python3 -c '
import json, sys
name, n, rc, ok, wall, user, sys_, rss, counts, exhausted = sys.argv[1:]
cpu = float(user) + float(sys_)
hosts = [int(c) for c in counts.split()] + [0, 0, 0]
print(json.dumps({"name": name, "n": int(n), "rc": int(rc), "ok": ok == "true", "wall": float(wall),
                  "cpu": round(cpu, 2), "cpu_ms_per_host": round(1000 * cpu / int(n), 1),
                  "rss_mb": round(int(rss) / 1024, 1), "succeeded": hosts[0], "failed": hosts[1],
                  "unreachable": hosts[2], "exhausted": exhausted == "true"}))' \
    "$name" "$n" "$rc" "$ok" "$wall" "$user" "$sys" "$rss_kb" "$counts" "$exhausted" >> "$RAW"
  tail -n 1 "$RAW" >&2
}

# Converges one simulated host with bench.seed and W, and keeps its state file as the
# state of every host of the larger fleets, so that they start converged.
sim_converged_state() {
  SIM_DIR="$OUT/sim-1"
  "$QFLEET_SIM" start --hosts 1 --dir "$SIM_DIR" --fresh > "$OUT/sim-start-1.log" 2>&1
  local qf=("$QFLEET" -c "$SIM_DIR/qfleet.yaml" --file-root "$FORMULA" '*' state.apply)
  "${qf[@]}" bench.seed > "$OUT/sim-seed-1.log" 2>&1
  env "$(archive_setting)" "${qf[@]}" > "$OUT/sim-run1-1.log" 2>&1
  "$QFLEET_SIM" stop --dir "$SIM_DIR" > /dev/null
  SIM_DIR=
  cp "$OUT/sim-1/hosts/lab-01/state.json" "$OUT/sim-converged-state.json"
}

run_sim_part() {
  local n dir rep host
  # The simulator's start waits 30 s for all hosts: 1000 hosts made it under load only with
  # the client compiler alone.
  export QFLEET_JAVA_OPTS="${QFLEET_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
  trap '[[ -n "${SIM_DIR:-}" ]] && "$QFLEET_SIM" stop --dir "$SIM_DIR" >/dev/null 2>&1 || true' EXIT INT TERM
  sim_converged_state
  for n in $SIM_NS ${SIM_BIG/#0/}; do
    SIM_DIR="$OUT/sim-$n"
    local procs=()
    # Every host connects at once, and the one simulator JVM that serves them all replies to
    # connects, key exchanges and keep-alives far later than one real host would. The limits
    # for those (connect 30 s, keep-alives 3 unanswered 30 s apart) are raised to 15 minutes.
    [[ "$n" == "$SIM_BIG" ]] && procs=(--max-procs "$n" --ssh-option ConnectTimeout=900
      --ssh-option ServerAliveCountMax=30)
    note "simulated fleet: N=$n ${procs[*]}"
    # The first start makes the hosts' keys and state files; each state file is then
    # replaced by the converged one, with the host's own name.
    if ! "$QFLEET_SIM" start --hosts "$n" --dir "$SIM_DIR" --fresh > "$OUT/sim-start-$n.log" 2>&1; then
      note "N=$n: the simulated fleet did not start; see $OUT/sim-start-$n.log"
      SIM_DIR=
      continue
    fi
    "$QFLEET_SIM" stop --dir "$SIM_DIR" > /dev/null
    /usr/bin/python3 - "$OUT/sim-converged-state.json" "$SIM_DIR/hosts" <<'PY'
import json, os, sys
with open(sys.argv[1]) as handle:
    state = json.load(handle)
for host in sorted(os.listdir(sys.argv[2])):
    path = os.path.join(sys.argv[2], host, "state.json")
    if os.path.isfile(path):
        state["host"] = host
        with open(path + ".tmp", "w") as handle:
            json.dump(state, handle)
        os.replace(path + ".tmp", path)
PY
    local t0 t1
    t0=$(date +%s%N)
    if ! "$QFLEET_SIM" start --hosts "$n" --dir "$SIM_DIR" > "$OUT/sim-start-$n.log" 2>&1; then
      note "N=$n: the simulated fleet did not start; see $OUT/sim-start-$n.log"
      SIM_DIR=
      continue
    fi
    t1=$(date +%s%N)
    # The limit for key exchange and authentication, as raised above.
    [[ "$n" == "$SIM_BIG" ]] && echo "timeout: 900" >> "$SIM_DIR/qfleet.yaml"
    printf '{"name": "sim-start", "n": %s, "wall": %s}\n' "$n" \
      "$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.2f", ns / 1e9 }')" >> "$RAW"
    local qf=("$QFLEET" -c "$SIM_DIR/qfleet.yaml" --file-root "$FORMULA" "${procs[@]}" '*' state.apply)
    local reps="$REPS"
    [[ "$n" == "$SIM_BIG" ]] && reps=1
    for ((rep = 1; rep <= reps; rep++)); do
      sim_measure "sim-qfleet-W-run2" "$n" "$OUT/sim-run2-$n-$rep.log" "${qf[@]}"
    done
    "$QFLEET_SIM" stop --dir "$SIM_DIR" > /dev/null
    SIM_DIR=
  done
  trap - EXIT INT TERM
}

for part in "${parts[@]}"; do
  case "$part" in
    ssh) run_ssh_part ;;
    sim) run_sim_part ;;
  esac
done

echo "load_after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine-$STAMP.txt"
/usr/bin/python3 "$BENCH/report.py" "$RAW" "$OUT/machine-$STAMP.txt" > "$REPORT"
cat "$REPORT"
