#!/usr/bin/env bash
# Times `qfleet-sim start` of a simulated fleet (100 hosts by default), from the command until
# every host accepts SSH connections, then stops the fleet. Not run by CI.
#
# Usage: simulator/bench/start-fleet.sh [HOSTS] [RUNS]
# Needs a built tree: (cd "$(git rev-parse --show-toplevel)" && mvn -B -q package -DskipTests)
set -euo pipefail
hosts="${1:-100}"
runs="${2:-3}"
top="$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)"
work="$(mktemp -d /tmp/qfleet-bench.XXXXXX)"
trap '"$top/bin/qfleet-sim" stop --dir "$work/sim" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc: $(nproc)"
lscpu | head -n 15 | sed 's/^/lscpu: /'
echo "java: $(java -version 2>&1 | head -n 1)"
echo "python3: $(/usr/bin/python3 --version)"
echo "hosts: $hosts"

for run in $(seq 1 "$runs"); do
    # The first run creates keys and states; later runs reuse them, as a restarted CI fleet does.
    started=$(date +%s.%N)
    "$top/bin/qfleet-sim" start --hosts "$hosts" --dir "$work/sim" --fresh >/dev/null
    ready=$(date +%s.%N)
    "$top/bin/qfleet-sim" stop --dir "$work/sim" >/dev/null
    stopped=$(date +%s.%N)
    printf 'run %d: start %.2f s, stop %.2f s\n' "$run" "$(echo "$ready - $started" | bc)" \
        "$(echo "$stopped - $ready" | bc)"
done
