#!/usr/bin/env bash
# Fleet benchmark: a simulated fleet (one of each incident) in a local KRaft broker, then the whole
# job (tracker + fleet stage) and the tracker alone on one core, heap and RocksDB state; the fleet
# stage's state bytes per server endpoint and per client→server pair.
# Usage: bench/fleet.sh [servers] [seconds] [connections/s per server]     (needs taskset)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/bench/work"
servers="${1:-500}"
seconds="${2:-60}"
rate="${3:-10}"
mkdir -p "$work"
cd "$root"
mvn -B -q -DskipTests install
mvn -B -q -pl job test-compile dependency:build-classpath -Dmdep.outputFile="$work/job-classpath.txt"
cp="$root/job/target/test-classes:$root/job/target/classes:$(cat "$work/job-classpath.txt")"
taskset -c 0 java -Xmx4g -cp "$cp" -Dlog4j2.configurationFile="$root/cli/src/main/resources/log4j2.properties" \
  io.tcpwatch.job.bench.FleetBenchmark "$work" "$servers" "$seconds" "$rate"
