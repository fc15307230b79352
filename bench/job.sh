#!/usr/bin/env bash
# Job benchmark: the whole job's throughput on one core (heap and RocksDB state; from a capture file
# and from a pre-filled Kafka topic) and state bytes per connection, on the generated capture.
# `tcpwatch analyze` beside tshark on the same capture: bench/analyze.sh.
# Usage: bench/job.sh [packets] [quick|wire]   (needs taskset; run bench/agent.sh first or let it generate)
#   wire: from Kafka, flow batches beside one record per segment, in rounds; BENCH_JAVA_OPTS chooses
#   e.g. '-Dtcpwatch.bench.backends=hashmap -Dtcpwatch.bench.rounds=3' (default: hashmap,rocksdb and 2);
#   -Dtcpwatch.bench.timers=HEAP keeps RocksDB's timers on the heap (default: ROCKSDB, Flink's)
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
# shellcheck disable=SC2086 # the options are words
taskset -c 0 java -Xmx4g ${BENCH_JAVA_OPTS:-} -cp "$cp" "$log4j" \
  io.tcpwatch.job.bench.JobBenchmark "$pcap" "$work" "$segments" ${2:-}
