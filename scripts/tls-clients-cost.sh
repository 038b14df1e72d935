#!/usr/bin/env bash
# What TLS for clients costs (issue 16, docs/performance.md): one server
# serving both a plain client port and a TLS client port (same build, same
# process), measured on each in turn, alternated ROUNDS times:
#   fan-out  the perf.sh fan-out, 200 receivers and 10 senders, 20 000 lines a sender
#   rate     1 000 lines/s to 50 receivers: latency when the server is not saturated
#   connect  CLIENTS new clients, 64 connecting at a time (TCP, then TLS, then NICK/JOIN),
#            each in a room of its own so that no join notice fans out
# The certificate is made here with openssl, as the README shows.
#   cargo build --release -p mchat-server -p mchat-tester && bash scripts/tls-clients-cost.sh
# Starts its own server on ports 19171..19173 and stops it (by pid).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release}
ROUNDS=${ROUNDS:-2}
CLIENTS=${CLIENTS:-5000}
for b in mchat-server mchat-tester; do
    [ -x "$BIN/$b" ] || { echo "tls-clients-cost: $BIN/$b is missing: build it with cargo build --release -p $b" >&2; exit 1; }
done
DIR=$(mktemp -d)
PID=
stop() { [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; }; }
trap 'stop; rm -rf "$DIR"' EXIT

(
    cd "$DIR"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=mchat-ca -keyout ca-key.pem -out ca.pem
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=server -keyout server-key.pem -out server.csr
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -days 1 -extfile server.ext -out server.pem
) > "$DIR/openssl.out" 2>&1 || { cat "$DIR/openssl.out" >&2; exit 1; }

start() {
    # The tester's clients all come from loopback and send as fast as they
    # can: per-address limits and flood control lifted.
    "$BIN/mchat-server" start --non-daemon --pidfile "$DIR/server.pid" --log-dir "$DIR" \
        --tls-cert "$DIR/server.pem" --tls-key "$DIR/server-key.pem" --tls-client-port 19173 \
        --max-clients-per-ip 0 --connect-rate-per-ip 0 --max-candidates-per-ip 0 --flood-rate 0 \
        127.0.0.1 19171 19172 > "$DIR/server.out" 2>&1 &
    PID=$!
    for _ in $(seq 100); do [ -s "$DIR/server.out" ] && break; sleep 0.05; done
}

field() { sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p"; }
# target <clients>: the tester's --server (and --tls) for plain or TLS clients.
target() { if [ "$1" = tls ]; then echo "--server 127.0.0.1:19173 --tls --ca $DIR/ca.pem"; else echo "--server 127.0.0.1:19171"; fi; }

echo "# one server, plain client port and TLS client port; fresh server for every run"
printf '%8s %6s %8s %12s %6s %14s %10s %10s %12s %14s\n' run round clients delivered lost deliveries/s p50_ms p99_ms server_cpu_s connects/s
for run in fan-out rate connect; do
for round in $(seq "$ROUNDS"); do
    for clients in plain tls; do
        start
        case $run in
        fan-out) json=$("$BIN/mchat-tester" load $(target $clients) --receivers 200 --senders 10 --messages 20000 --pid "$PID" --json) ;;
        rate) json=$("$BIN/mchat-tester" load $(target $clients) --receivers 50 --senders 1 --messages 10000 --rate 1000 --pid "$PID" --json) ;;
        connect) json=$("$BIN/mchat-tester" idle $(target $clients) --clients "$CLIENTS" --rooms "$CLIENTS" --hold 0 --pid "$PID" --json) ;;
        esac
        if [ "$run" = connect ]; then
            printf '%8s %6s %8s %12s %6s %14s %10s %10s %12s %14s\n' "$run" "$round" "$clients" \
                "$(field connected <<< "$json")" "$(field connection_failures <<< "$json")" - - - \
                "$(field server_cpu_s <<< "$json")" "$(field connects_per_s <<< "$json")"
        else
            printf '%8s %6s %8s %12s %6s %14s %10s %10s %12s %14s\n' "$run" "$round" "$clients" \
                "$(field delivered <<< "$json")" "$(field lost <<< "$json")" "$(field deliveries_per_s <<< "$json")" \
                "$(field latency_p50_ms <<< "$json")" "$(field latency_p99_ms <<< "$json")" "$(field server_cpu_s <<< "$json")" -
        fi
        stop
    done
done
done
