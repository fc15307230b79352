#!/usr/bin/env bash
# Job benchmark: the tracker's throughput on one core (heap and RocksDB state; from a capture file
# and from a pre-filled Kafka topic), state bytes per connection, and `tcpwatch analyze` beside
# `tshark` (TCP analysis on) on the same generated capture: wall time and peak RSS.
# Usage: bench/job.sh [packets]     (needs tshark, taskset and /usr/bin/time; run bench/agent.sh first or let it generate)
set -euo pipefail
packets="${1:-2000000}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pcap="$work/synthetic-$packets.pcap"
if [ ! -f "$pcap" ]; then
  java -cp "$(test_classpath capture-agent)" io.tcpwatch.agent.bench.AgentBenchmark "$root/tcpwatch" "$work" "$packets" 1 >/dev/null
fi
segments=$(./tcpwatch agent --read "$pcap" --dry-run 2>&1 | grep -oE '[0-9,]+ TCP segments' | grep -oE '^[0-9,]+' | tr -d ,)
cp="$(test_classpath job)"
echo "capture: $pcap ($segments segments)"
echo
taskset -c 0 java -Xmx4g -cp "$cp" "$log4j" \
  io.tcpwatch.job.bench.JobBenchmark "$pcap" "$work" "$segments"
echo
echo "| tool | seconds | peak RSS (MB) |"
echo "|---|---:|---:|"
measure() {
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > /dev/null 2>"$work/err.txt" || { cat "$work/err.txt"; exit 1; }
  read -r secs kb < "$work/time.txt"
  printf '| %s | %s | %d |\n' "$name" "$secs" "$((kb / 1024))"
}
measure "tcpwatch analyze F (2 cores)" ./tcpwatch analyze "$pcap"
measure "tshark -r F (TCP analysis on, 2 cores)" tshark -n -r "$pcap" -o tcp.analyze_sequence_numbers:TRUE
