#!/usr/bin/env bash
# `tcpwatch analyze` beside `tshark -n -r F` (TCP sequence analysis on, its default) on generated
# captures (2,000 concurrent connections, 128-byte snap length): wall time and peak RSS, the median
# of paired runs (analyze, then tshark, three times), both writing to /dev/null.
# Usage: bench/analyze.sh [packets ...]     (default: 50000 2000000 5000000, the generator's target counts;
#        needs tshark, capinfos and /usr/bin/time)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(50000 2000000 5000000)
cp="$(test_classpath capture-agent)"
./tcpwatch --version >/dev/null # builds the jar when it is stale, outside the measurement
runs=3

# measure NAME CMD...: appends "seconds rss_mb" to $work/NAME.txt
measure() {
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > /dev/null 2>"$work/err.txt" || { cat "$work/err.txt"; exit 1; }
  read -r secs kb < "$work/time.txt"
  echo "$secs $((kb / 1024))" >> "$work/$name.txt"
}
median() { sort -n -k"$2" "$work/$1.txt" | awk -v k="$2" '{a[NR]=$k} END {print a[int((NR+1)/2)]}'; }

echo "| capture | tool | seconds (median of $runs) | peak RSS MB (median) |"
echo "|---|---|---:|---:|"
for packets in "${sizes[@]}"; do
  pcap="$work/synthetic-$packets.pcap"
  java -cp "$cp" io.tcpwatch.agent.bench.SyntheticCapture "$pcap" "$packets" >&2
  rm -f "$work"/analyze.txt "$work"/json.txt "$work"/tshark.txt
  for _ in $(seq $runs); do
    measure analyze ./tcpwatch analyze --no-progress "$pcap"
    measure json ./tcpwatch analyze --no-progress --json "$pcap"
    measure tshark tshark -n -r "$pcap"
  done
  written="$(capinfos -c -M "$pcap" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')"
  size="$(du -m "$pcap" | cut -f1) MB, $(echo "$written" | sed -E ':a;s/([0-9])([0-9]{3})($|,)/\1,\2\3/;ta') packets"
  for tool in analyze json tshark; do
    case $tool in
      analyze) label='`tcpwatch analyze F`' ;;
      json) label='`tcpwatch analyze --json F`' ;;
      tshark) label='`tshark -n -r F`' ;;
    esac
    echo "| $size | $label | $(median $tool 1) | $(median $tool 2) |"
  done
done
