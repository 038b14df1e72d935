#!/usr/bin/env bash
# What mutual TLS on the mesh links costs (issue 15, docs/performance.md):
# the 3-server fan-out of scripts/perf.sh (200 receivers spread over the
# three servers, 10 senders on server 1), and a link-bound run (3 receivers,
# one a server, so two of every three deliveries cross a link), on plain
# links and on --tls-mesh links, same build, alternated ROUNDS times. Certificates are made here
# with openssl, as the README shows.
#   cargo build --release -p mchat-server -p mchat-tester && bash scripts/tls-mesh-cost.sh
# Starts its own servers on ports 19161..19166 and stops them (by pid).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release}
ROUNDS=${ROUNDS:-2}
LINKS=${LINKS:-plain tls} # which runs, in order, each round
for b in mchat-server mchat-tester; do
    [ -x "$BIN/$b" ] || { echo "tls-mesh-cost: $BIN/$b is missing: build it with cargo build --release -p $b" >&2; exit 1; }
done
DIR=$(mktemp -d)
PIDS=()
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done; PIDS=(); }
trap 'stop_all; rm -rf "$DIR"' EXIT

(
    cd "$DIR"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=mchat-ca -keyout ca-key.pem -out ca.pem
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' > server.ext
    for s in 19161 19163 19165; do
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=$s -keyout $s-key.pem -out $s.csr
        openssl x509 -req -in $s.csr -CA ca.pem -CAkey ca-key.pem -days 1 -extfile server.ext -out $s.pem
    done
) > "$DIR/openssl.out" 2>&1 || { cat "$DIR/openssl.out" >&2; exit 1; }

start() { # start <tls: yes|no> <client_port> <server_port> [peer_port]
    local tls=()
    [ "$1" = yes ] && tls=(--tls-mesh --tls-ca "$DIR/ca.pem" --tls-cert "$DIR/$2.pem" --tls-key "$DIR/$2-key.pem")
    # The tester's clients all come from loopback and send as fast as they
    # can: per-address limits and flood control lifted.
    "$BIN/mchat-server" start --non-daemon --pidfile "$DIR/$2.pid" --log-dir "$DIR" "${tls[@]}" \
        --max-clients-per-ip 0 --connect-rate-per-ip 0 --max-candidates-per-ip 0 --flood-rate 0 \
        127.0.0.1 "$2" "$3" ${4:+127.0.0.1 $4} > "$DIR/$2.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s "$DIR/$2.out" ] && break; sleep 0.05; done
}

# linked <client_port> <count>: until that server's log shows <count> peers connected (10 s at most).
linked() {
    for _ in $(seq 200); do
        [ "$(grep -c ' connected (#' "$DIR/127.0.0.1_$1_server.log" 2>/dev/null || true)" -ge "$2" ] && return
        sleep 0.05
    done
    echo "tls-mesh-cost: the mesh did not link" >&2
    exit 1
}

# ticks: CPU clock ticks (user + system) of the servers started, together.
ticks() { local t=0; for p in "${PIDS[@]}"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
HZ=$(getconf CLK_TCK)

field() { sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p"; }

echo "# 3-server mesh, 10 senders on server 1; fan-out: 200 receivers spread, 20 000 lines a sender; links: 3 receivers (one a server), 100 000 lines a sender"
echo "# server1_cpu_s is the senders' server's CPU time (the tester's figure), mesh_cpu_s the three servers' together"
printf '%8s %6s %6s %12s %6s %6s %14s %12s %14s %12s\n' run round links delivered lost dup deliveries/s p99_ms server1_cpu_s mesh_cpu_s
for run in fan-out links; do
for round in $(seq "$ROUNDS"); do
    for links in $LINKS; do
        tls=$([ "$links" = tls ] && echo yes || echo no)
        rm -f "$DIR"/*.log
        start "$tls" 19161 19162
        start "$tls" 19163 19164 19162
        start "$tls" 19165 19166 19162
        linked 19161 2; linked 19163 2; linked 19165 2
        before=$(ticks)
        json=$("$BIN/mchat-tester" load --server 127.0.0.1:19161 --server 127.0.0.1:19163 --server 127.0.0.1:19165 \
            $([ "$run" = fan-out ] && echo --receivers 200 --messages 20000 || echo --receivers 3 --messages 100000) \
            --senders 10 --pid "${PIDS[0]}" --json)
        printf '%8s %6s %6s %12s %6s %6s %14s %12s %14s %12s\n' "$run" "$round" "$links" \
            "$(field delivered <<< "$json")" "$(field lost <<< "$json")" "$(field duplicated <<< "$json")" \
            "$(field deliveries_per_s <<< "$json")" "$(field latency_p99_ms <<< "$json")" "$(field server_cpu_s <<< "$json")" \
            "$(awk -v t=$(($(ticks) - before)) -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }')"
        stop_all
    done
done
done
