#!/usr/bin/env bash
# Decapsulation benchmark: the agent benchmark's synthetic capture (IPv4 part) wrapped in each
# encapsulation the parser reads, measured against tcpdump's raw read of the same file.
# Usage: bench/decap.sh [packets] [runs]     (needs tcpdump and taskset)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/bench/work"
mkdir -p "$work"
cd "$root"
mvn -B -q -DskipTests install
mvn -B -q -pl capture-agent test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt"
cp="$root/capture-agent/target/test-classes:$root/capture-agent/target/classes:$(cat "$work/classpath.txt")"
java -cp "$cp" -Dlog4j2.configurationFile="$root/cli/src/main/resources/log4j2.properties" \
  io.tcpwatch.agent.bench.DecapsulationBenchmark "$root/tcpwatch" "$work" "${1:-500000}" "${2:-3}"
