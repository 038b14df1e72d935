#!/usr/bin/env bash
# The endurance run of issue 20 / docs/performance.md: a 3-server mesh
# holding 10 000 clients in 1 000 rooms, 200 of them chatting at 100 lines
# a second each (20 000 lines/s), for an hour, with a line a minute of each
# server's memory and CPU, deliveries and p99 latency:
#   cargo build --release -p mchat-server -p mchat-tester && bash scripts/endurance.sh [log-file]
# DURATION (seconds, default 3600) and EVERY (default 60) shorten it.
# Starts its servers on ports 19161.. and stops them (by pid) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release
LOG=${1:-target/endurance.log}
DIR=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$DIR"; }
trap cleanup EXIT

LIFT="--max-clients-per-ip 0 --connect-rate-per-ip 0 --max-candidates-per-ip 0 --flood-rate 0"
start() { # start <client_port> <server_port> [peer_port]
    "$BIN/mchat-server" start --non-daemon --pidfile "$DIR/$1.pid" --log-dir "$DIR" $LIFT \
        --max-clients 20000 127.0.0.1 "$1" "$2" ${3:+127.0.0.1 $3} > "$DIR/$1.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s "$DIR/$1.out" ] && break; sleep 0.05; done
}
start 19161 19162
start 19163 19164 19162
start 19165 19166 19162
# Until every server links to both others (at most 10 s).
for _ in $(seq 100); do
    [ "$(cat "$DIR"/*.out | grep -c "server .* connected (" || true)" -ge 6 ] && break
    sleep 0.1
done

"$BIN/mchat-tester" load --server 127.0.0.1:19161 --server 127.0.0.1:19163 --server 127.0.0.1:19165 \
    --pid "${PIDS[0]}" --pid "${PIDS[1]}" --pid "${PIDS[2]}" \
    --receivers 9800 --senders 200 --rooms 1000 --rate 100 \
    --duration "${DURATION:-3600}" --report-every "${EVERY:-60}" | tee "$LOG"
