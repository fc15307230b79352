#!/usr/bin/env bash
# A fleet on one machine, live: `tcpwatch simulate --speed realtime` → a local KRaft broker → `tcpwatch job`
# (parallelism 1, heap state), each in its own JVM; the job's lag, its resident memory, and the time from
# a detection's capture time to the moment a read-committed consumer sees it.
# Usage: bench/fleet-live.sh [servers, default 1000] [seconds, default 120] [connections/s per server, default 2]
#        [checkpoint interval s, default 10]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
./tcpwatch --version >/dev/null # builds the jar when it is stale
java -cp "$(test_classpath job)" "$log4j" io.tcpwatch.job.bench.FleetLiveBenchmark "$root/cli/target/tcpwatch.jar" \
  "$work/fleet-live" "${1:-1000}" "${2:-120}" "${3:-2}" "${4:-10}"
