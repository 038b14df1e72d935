#!/usr/bin/env bash
# The mesh-cost measurements of issue 14, on loopback: what the peer links
# carry per delivered line, and deliveries/s, for a 5-server mesh (100 rooms,
# each room's receivers on 2 of the servers, senders on every server), and
# how the per-line cost grows with 3, 5 and 8 servers (same spread).
#   cargo build --release -p mchat-server -p mchat-tester && bash scripts/mesh-cost.sh
# Builds nothing. mchat-tester starts and stops the servers itself
# (load --spawn-mesh), every peer link through a counting relay of its own.
# SERVER_ARGS: flags for every server, e.g. SERVER_ARGS="--heartbeat-ms 500".
# DURATION: seconds of sending per run (default 4).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release}
for b in mchat-server mchat-tester; do
    [ -x "$BIN/$b" ] || { echo "mesh-cost: $BIN/$b is missing: build it with cargo build --release -p $b" >&2; exit 1; }
done
ROOMS=100 SPREAD=2 SENDERS=100 RECEIVERS=400 DURATION=${DURATION:-4}
SERVER_FLAGS=()
for a in ${SERVER_ARGS:-}; do SERVER_FLAGS+=(--server-arg "$a"); done

# field <name> < json: the value of one figure of a load --json line.
field() { sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p"; }

echo "# mesh cost: $ROOMS rooms, each room's receivers on $SPREAD servers, $SENDERS senders (one per room, on every server), $RECEIVERS receivers, ${DURATION} s per run"
echo "# server flags: ${SERVER_ARGS:-none}"
echo "# peer_* are counted by the tester's relays on every peer link, both directions, during the load: MSG and SYSTEM lines, and heartbeats and gossip too"
printf '%7s %6s %10s %5s %8s %14s %14s %12s %16s %16s %10s\n' \
    servers spread delivered lost dup deliveries/s peer_bytes peer_lines bytes/delivery lines/delivery server_cpu_s
for n in 3 5 8; do
    json=$("$BIN/mchat-tester" load --spawn-mesh "$n" --server-bin "$BIN/mchat-server" "${SERVER_FLAGS[@]}" \
        --room-spread "$SPREAD" --rooms "$ROOMS" --senders "$SENDERS" --receivers "$RECEIVERS" \
        --duration "$DURATION" --json)
    printf '%7s %6s %10s %5s %8s %14s %14s %12s %16s %16s %10s\n' "$n" "$SPREAD" \
        "$(field delivered <<< "$json")" "$(field lost <<< "$json")" "$(field duplicated <<< "$json")" \
        "$(field deliveries_per_s <<< "$json")" "$(field peer_link_bytes <<< "$json")" \
        "$(field peer_link_lines <<< "$json")" "$(field peer_bytes_per_delivery <<< "$json")" \
        "$(field peer_lines_per_delivery <<< "$json")" "$(field server_cpu_s <<< "$json")"
done
