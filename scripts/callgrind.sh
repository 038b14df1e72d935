#!/usr/bin/env bash
# Instructions the server spends on 1 M deliveries (50 receivers x 20 000
# lines, one room), counted by callgrind: unlike seconds, the count does not
# depend on what else the machine is doing.
#   cargo build --release -p mchat-server -p mchat-tester && bash scripts/callgrind.sh [out-file]
# Needs valgrind. Prints the total; `callgrind_annotate <out-file>` details it.
# Flood control is off unless FLOOD_RATE (and FLOOD_BURST) say otherwise:
# FLOOD_RATE=100000000 FLOOD_BURST=100000000 counts its cost when never hit.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/callgrind.out}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$OUT" target/release/mchat-server start --non-daemon \
    --pidfile "$DIR/pid" --log-dir "$DIR" --max-clients-per-ip 0 --connect-rate-per-ip 0 --flood-rate "${FLOOD_RATE:-0}" --flood-burst "${FLOOD_BURST:-200}" 127.0.0.1 19091 19092 > "$DIR/out" 2>&1 &
SERVER=$!
for _ in $(seq 300); do grep -q "listening for clients" "$DIR/out" 2> /dev/null && break; sleep 0.1; done
target/release/mchat-tester load --server 127.0.0.1:19091 --receivers 50 --senders 1 --messages 20000 \
    | grep -E "^  (delivered|lost) "
kill -TERM "$SERVER"
wait "$SERVER" || true
callgrind_annotate "$OUT" 2> /dev/null | grep "PROGRAM TOTALS"
