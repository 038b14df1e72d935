#!/usr/bin/env bash
# The performance runs of issues 7 and 20 / docs/performance.md, on loopback:
#   cargo build --release -p mchat-server -p mchat-tester -p mchat-relay && bash scripts/perf.sh
# Starts its own servers on ports 19061.. and a no-parse relay
# (benches/relay) on 19081, and stops them (by pid) at the end. Each load
# runs against the relay right before the server, REPEAT times (default 3),
# and the ratios of the two (server / relay) follow, with their median:
# this machine's speed drifts, so only figures of one moment are compared.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release
DIR=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$DIR"; }
trap cleanup EXIT

# Every client of the tester comes from loopback, and its senders send as
# fast as they can: the per-address limits (PROTOCOL.md §9) and flood
# control (§3) are lifted for these runs. The tester reads 200 sockets on
# one thread, so at full speed a reader can fall more than the 1 MiB a
# client may leave unread (§8) behind, and be closed: these runs measure
# the server's speed, so each may leave 16 MiB (the relay has no limit).
LIFT="--max-clients-per-ip 0 --connect-rate-per-ip 0 --max-candidates-per-ip 0 --flood-rate 0"
LIFT+=" --client-queue-bytes 16777216"

start() { # start <client_port> <server_port> [peer_port]; $EXTRA: more options
    "$BIN/mchat-server" start --non-daemon --pidfile "$DIR/$1.pid" --log-dir "$DIR" $LIFT ${EXTRA:-} \
        127.0.0.1 "$1" "$2" ${3:+127.0.0.1 $3} > "$DIR/$1.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s "$DIR/$1.out" ] && break; sleep 0.05; done
}

"$BIN/mchat-relay" --port 19081 > "$DIR/relay.out" 2>&1 &
RELAY=$!
PIDS+=("$RELAY")
for _ in $(seq 100); do [ -s "$DIR/relay.out" ] && break; sleep 0.05; done

field() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# The median of the numbers on stdin ("-" if none).
median() {
    tr ' ' '\n' | grep -v '^-\?$' | sort -g |
        awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# compare <title> <server client port> <server pid> <load options...>:
# REPEAT rounds (default 3) of the load against the relay, then against
# the server, each round's ratios, then their medians: one run's p99, or
# its CPU seconds (read in ticks of 10 ms), move with whatever else the
# machine did at that moment.
REPEAT=${REPEAT:-3}
compare() {
    local title=$1 port=$2 pid=$3
    shift 3
    local per_s=() per_cpu=() p99=() round a b c
    for round in $(seq "$REPEAT"); do
        echo "## $title: the relay (round $round of $REPEAT)"
        "$BIN/mchat-tester" load --server 127.0.0.1:19081 --pid "$RELAY" "$@" | tee "$DIR/relay.load"
        echo "## $title: mchat-server (round $round of $REPEAT)"
        "$BIN/mchat-tester" load --server 127.0.0.1:"$port" --pid "$pid" "$@" | tee "$DIR/server.load"
        a=$(ratio "$(field deliveries_per_s "$DIR/server.load")" "$(field deliveries_per_s "$DIR/relay.load")")
        b=$(ratio "$(ratio "$(field delivered "$DIR/server.load")" "$(field server_cpu_s "$DIR/server.load")")" \
            "$(ratio "$(field delivered "$DIR/relay.load")" "$(field server_cpu_s "$DIR/relay.load")")")
        c=$(ratio "$(field latency_p99_ms "$DIR/server.load")" "$(field latency_p99_ms "$DIR/relay.load")")
        per_s+=("$a") per_cpu+=("$b") p99+=("$c")
    done
    echo "## $title: server / relay, the median of $REPEAT rounds (each round's in brackets)"
    echo "  deliveries_per_s        $(echo "${per_s[*]}" | median)  (${per_s[*]})"
    echo "  deliveries_per_cpu_s    $(echo "${per_cpu[*]}" | median)  (${per_cpu[*]})"
    echo "  latency_p99             $(echo "${p99[*]}" | median)  (${p99[*]})"
}

start 19061 19062
S1=${PIDS[-1]}
compare "fan-out, 1 server, 50 receivers, 1 sender" 19061 "$S1" --receivers 50 --senders 1 --messages 200000
compare "fan-out, 1 server, 200 receivers, 10 senders, one room" 19061 "$S1" --receivers 200 --senders 10 --messages 20000
cp "$DIR/relay.load" "$DIR/relay-200.load"
compare "latency, 50 receivers, 1 000 lines/s" 19061 "$S1" --receivers 50 --senders 1 --messages 10000 --rate 1000
if command -v taskset > /dev/null; then
    # Socket wake-ups are "sync": the scheduler likes to run the woken
    # reader on the writer's core, serialising server and tester.
    echo "## latency again, server on core 0, tester on core 1"
    taskset -a -p -c 0 "$S1" > /dev/null
    taskset -c 1 "$BIN/mchat-tester" load --server 127.0.0.1:19061 --receivers 50 --senders 1 --messages 10000 --rate 1000 --pid "$S1"
    taskset -a -p -c 0-"$(($(nproc) - 1))" "$S1" > /dev/null
fi

start 19063 19064 19062
start 19065 19066 19062
sleep 2 # the three servers link (heartbeat-free: only the handshake)
echo "## 3-server mesh, 200 receivers spread, 10 senders on server 1"
"$BIN/mchat-tester" load --server 127.0.0.1:19061 --server 127.0.0.1:19063 --server 127.0.0.1:19065 \
    --receivers 200 --senders 10 --messages 20000 --pid "$S1" | tee "$DIR/mesh.load"
echo "## 3-server mesh / the relay's 200 receivers, 10 senders above"
echo "  deliveries_per_s        $(ratio "$(field deliveries_per_s "$DIR/mesh.load")" "$(field deliveries_per_s "$DIR/relay-200.load")")"

# Chat beside a crowd: the latency run while 18 000 idle clients are held
# (needs 18 000 descriptors in this shell; skipped below that). The relay
# has no rooms (it would send every line to every idle client too), so
# this one has no relay to compare with.
if [ "$(ulimit -n)" -ge 19000 ]; then
    EXTRA="--max-clients 20000" start 19067 19068
    S4=${PIDS[-1]}
    "$BIN/mchat-tester" idle --server 127.0.0.1:19067 --clients 18000 --rooms 1000 --hold 30 --pid "$S4" > "$DIR/idle.out" &
    IDLE=$!
    # Until the server holds them all (at most a minute).
    for _ in $(seq 600); do [ "$(ls /proc/"$S4"/fd | wc -l)" -ge 18000 ] && break; sleep 0.1; done
    echo "## latency, 50 receivers, 1 000 lines/s, beside 18 000 idle clients"
    "$BIN/mchat-tester" load --server 127.0.0.1:19067 --receivers 50 --senders 1 --messages 10000 --rate 1000 --pid "$S4"
    wait "$IDLE"
    echo "## the idle clients meanwhile"
    cat "$DIR/idle.out"
fi
