#!/usr/bin/env bash
# Agent benchmark: generates a >= 2,000,000-packet capture of realistic TCP traffic and measures,
# in one run, tcpdump's raw read, pcap4j's loop, the agent's parse+encode, --print, and publishing
# into a local KRaft broker (zstd and lz4) with bytes per segment on the broker's disk.
# Usage: bench/agent.sh [packets] [runs]     (needs tcpdump and taskset)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/bench/work"
mkdir -p "$work"
cd "$root"
mvn -B -q -DskipTests install
mvn -B -q -pl capture-agent test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt"
cp="$root/capture-agent/target/test-classes:$root/capture-agent/target/classes:$(cat "$work/classpath.txt")"
java -cp "$cp" -Dlog4j2.configurationFile="$root/cli/src/main/resources/log4j2.properties" \
  io.tcpwatch.agent.bench.AgentBenchmark "$root/tcpwatch" "$work" "${1:-2000000}" "${2:-3}"
