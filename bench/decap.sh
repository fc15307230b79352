#!/usr/bin/env bash
# Decapsulation benchmark: the agent benchmark's synthetic capture (IPv4 part) wrapped in each
# encapsulation the parser reads, measured against tcpdump's raw read of the same file.
# Usage: bench/decap.sh [packets] [runs]     (needs tcpdump and taskset)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
java -cp "$(test_classpath capture-agent)" "$log4j" \
  io.tcpwatch.agent.bench.DecapsulationBenchmark "$root/tcpwatch" "$work" "${1:-500000}" "${2:-3}"
