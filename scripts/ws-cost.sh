#!/usr/bin/env bash
# What WebSocket clients cost beside TCP ones (issue 19, docs/performance.md):
# one server with a plain client port and a --ws listener (same build, same
# process), measured on each in turn, alternated ROUNDS times:
#   fan-out  the perf.sh fan-out, 200 receivers and 10 senders, 20 000 lines a sender
#   idle     CLIENTS idle clients held 5 s: the server's memory per client
#   cargo build --release -p mchat-server -p mchat-tester && bash scripts/ws-cost.sh
# Starts its own server on ports 19191..19193 and stops it (by pid).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release}
ROUNDS=${ROUNDS:-2}
CLIENTS=${CLIENTS:-5000}
for b in mchat-server mchat-tester; do
    [ -x "$BIN/$b" ] || { echo "ws-cost: $BIN/$b is missing: build it with cargo build --release -p $b" >&2; exit 1; }
done
DIR=$(mktemp -d)
PID=
stop() { [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; }; }
trap 'stop; rm -rf "$DIR"' EXIT

start() {
    rm -f "$DIR/server.out"
    "$BIN/mchat-server" start --non-daemon --pidfile "$DIR/server.pid" --log-dir "$DIR" --ws 127.0.0.1:19193 \
        --max-clients-per-ip 0 --connect-rate-per-ip 0 --max-candidates-per-ip 0 --flood-rate 0 --max-clients 20000 \
        127.0.0.1 19191 19192 > "$DIR/server.out" 2>&1 &
    PID=$!
    for _ in $(seq 100); do [ -s "$DIR/server.out" ] && break; sleep 0.05; done
}

field() { sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p"; }
target() { if [ "$1" = ws ]; then echo "--server 127.0.0.1:19193 --ws"; else echo "--server 127.0.0.1:19191"; fi; }

echo "# one server, plain client port and --ws listener; fresh server for every run"
printf '%8s %6s %8s %12s %6s %14s %12s %16s\n' run round clients delivered lost deliveries/s server_cpu_s bytes/client
for run in fan-out idle; do
for round in $(seq "$ROUNDS"); do
    for clients in tcp ws; do
        start
        case $run in
        fan-out)
            json=$("$BIN/mchat-tester" load $(target $clients) --receivers 200 --senders 10 --messages 20000 --pid "$PID" --json)
            printf '%8s %6s %8s %12s %6s %14s %12s %16s\n' "$run" "$round" "$clients" \
                "$(field delivered <<< "$json")" "$(field lost <<< "$json")" "$(field deliveries_per_s <<< "$json")" \
                "$(field server_cpu_s <<< "$json")" -
            ;;
        idle)
            json=$("$BIN/mchat-tester" idle $(target $clients) --clients "$CLIENTS" --rooms 100 --hold 5 --pid "$PID" --json)
            printf '%8s %6s %8s %12s %6s %14s %12s %16s\n' "$run" "$round" "$clients" \
                "$(field still_connected <<< "$json")" - - "$(field server_cpu_s <<< "$json")" \
                "$(field bytes_per_client <<< "$json")"
            ;;
        esac
        stop
    done
done
done
