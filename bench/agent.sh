#!/usr/bin/env bash
# Agent benchmark: generates a >= 2,000,000-packet capture of realistic TCP traffic and measures,
# in one run, tcpdump's raw read, pcap4j's loop, the agent's parse+encode, --print, and publishing
# into a local KRaft broker (zstd and lz4) with bytes per segment on the broker's disk.
# Usage: bench/agent.sh [packets] [runs]     (needs tcpdump and taskset)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
java -cp "$(test_classpath capture-agent)" "$log4j" \
  io.tcpwatch.agent.bench.AgentBenchmark "$root/tcpwatch" "$work" "${1:-2000000}" "${2:-3}"
