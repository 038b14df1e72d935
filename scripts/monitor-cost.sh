#!/usr/bin/env bash
# What counting and monitoring cost (issue 18, docs/performance.md): the
# perf.sh fan-out (200 receivers, 10 senders, 20 000 lines a sender) on one
# fresh server a run, in three setups, alternated ROUNDS times:
#   base      BASE_BIN's server (a build from before the counters), if given
#   counters  this build, no --monitor
#   scraped   this build, --monitor, /metrics and /status read every second
#   cargo build --release -p mchat-server -p mchat-tester && bash scripts/monitor-cost.sh
# Starts its own server on ports 19181..19183 and stops it (by pid).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release}
BASE_BIN=${BASE_BIN:-}
ROUNDS=${ROUNDS:-3}
for b in mchat-server mchat-tester; do
    [ -x "$BIN/$b" ] || { echo "monitor-cost: $BIN/$b is missing: build it with cargo build --release -p $b" >&2; exit 1; }
done
DIR=$(mktemp -d)
PID=
SCRAPER=
stop() {
    [ -n "$SCRAPER" ] && { kill "$SCRAPER" 2>/dev/null || true; wait "$SCRAPER" 2>/dev/null || true; SCRAPER=; }
    [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; }
}
trap 'stop; rm -rf "$DIR"' EXIT

start() { # start <server binary> [options]
    local bin=$1; shift
    rm -f "$DIR/server.out"
    "$bin" start --non-daemon --pidfile "$DIR/server.pid" --log-dir "$DIR" \
        --max-clients-per-ip 0 --connect-rate-per-ip 0 --max-candidates-per-ip 0 --flood-rate 0 \
        "$@" 127.0.0.1 19181 19182 > "$DIR/server.out" 2>&1 &
    PID=$!
    for _ in $(seq 100); do [ -s "$DIR/server.out" ] && break; sleep 0.05; done
}

# Reads the endpoints once a second, as Prometheus and a dashboard would,
# for at most 10 minutes.
scrape() {
    for _ in $(seq 600); do
        curl -s -o /dev/null http://127.0.0.1:19183/metrics || true
        curl -s -o /dev/null http://127.0.0.1:19183/status || true
        sleep 1
    done
}

field() { sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p"; }
setups="counters scraped"
[ -n "$BASE_BIN" ] && setups="base $setups"
echo "# fan-out, 200 receivers, 10 senders, 20 000 lines each; fresh server every run"
printf '%9s %6s %12s %6s %14s %12s\n' setup round delivered lost deliveries/s server_cpu_s
for round in $(seq "$ROUNDS"); do
    for setup in $setups; do
        case $setup in
        base) start "$BASE_BIN/mchat-server" ;;
        counters) start "$BIN/mchat-server" ;;
        scraped)
            start "$BIN/mchat-server" --monitor 127.0.0.1:19183
            scrape &
            SCRAPER=$!
            ;;
        esac
        json=$("$BIN/mchat-tester" load --server 127.0.0.1:19181 --receivers 200 --senders 10 --messages 20000 --pid "$PID" --json)
        printf '%9s %6s %12s %6s %14s %12s\n' "$setup" "$round" \
            "$(field delivered <<< "$json")" "$(field lost <<< "$json")" \
            "$(field deliveries_per_s <<< "$json")" "$(field server_cpu_s <<< "$json")"
        stop
    done
done
