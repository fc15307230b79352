#!/usr/bin/env bash
# Fleet benchmark: a simulated fleet (one of each incident) in a local KRaft broker, then the whole
# job (tracker + fleet stage) and the tracker alone on one core, heap and RocksDB state; the fleet
# stage's state bytes per server endpoint and per client→server pair.
# Usage: bench/fleet.sh [servers] [seconds] [connections/s per server]     (needs taskset)
set -euo pipefail
servers="${1:-500}"
seconds="${2:-60}"
rate="${3:-10}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
taskset -c 0 java -Xmx4g -cp "$(test_classpath job)" "$log4j" \
  io.tcpwatch.job.bench.FleetBenchmark "$work" "$servers" "$seconds" "$rate"
