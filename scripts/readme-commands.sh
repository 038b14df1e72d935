#!/usr/bin/env bash
# The README's commands that need nobody at the keyboard, run as written and
# checked: the quick start's server, the scripted client, a second server
# joining the first, the examples that run unattended, `mchat-server stop`.
# Every command is first looked up in README.md word for word, so the two
# cannot drift apart. CI runs this after the tests: `bash scripts/readme-commands.sh`.
# Needs the README's ports (6061-6064, 6071-6072, 6081-6086) free; kills only what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
readme=$PWD/README.md

# Run inside the workspace, so that cargo finds it, but under target/, where
# the servers' logs (written to the current directory) are out of the way.
run_dir=target/readme-commands
rm -rf "$run_dir"
mkdir -p "$run_dir"
cd "$run_dir"

started=()
cleanup() {
    for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${started[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

fail() {
    echo "readme-commands: $*" >&2
    exit 1
}
step() { printf '\n--- %s\n' "$*"; }

documented() {
    grep -qF -- "$1" "$readme" || fail "README.md no longer says, word for word: $1"
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# background NAME COMMAND: starts a documented long-running command; its
# output goes to NAME.out and its pid (cargo run execs the program) to $last.
background() {
    documented "$2"
    bash -c "exec $2" >"$1.out" 2>&1 &
    last=$!
    started+=("$last")
}

# wait_listening NAME PORT: until the program started as NAME accepts on PORT.
wait_listening() {
    local deadline=$((SECONDS + 60))
    until listening "$2"; do
        if ! kill -0 "$last" 2>/dev/null || ((SECONDS >= deadline)); then
            tail -n 20 "$1.out" >&2
            fail "$1 is not listening on port $2"
        fi
        sleep 0.1
    done
}

# pong_via PORT: does the echo bot answer a !ping said through the server on PORT?
pong_via() {
    local heard
    heard=$(printf 'connect 127.0.0.1 %s\njoin lobby\nmsg lobby !ping\nwait 2\n' "$1" |
        timeout 30 cargo run --release -q -p mchat-client -- --nick pinger) || return 1
    grep -qF '<lobby> echobot: pinger: pong' <<<"$heard"
}

# until_pong PORT: a mesh takes a moment to form; try until a deadline.
until_pong() {
    local deadline=$((SECONDS + 30))
    until pong_via "$1"; do
        ((SECONDS < deadline)) || fail "no pong from the echo bot through port $1"
    done
}

for port in 6061 6062 6063 6064 6065 6066 6071 6072 6081 6082 6083 6084 6085 6086 8080 9100; do
    if listening "$port"; then
        fail "port $port is in use; the README's commands need it (a server from an earlier run?)"
    fi
done

# Built first, so a build failure reads as one and the deadlines below
# count only start-up. One package per command, as `cargo run -p` builds
# them: building two at once unifies their features and the runs rebuild.
step "build"
cargo build --release -p mchat-server
cargo build --release -p mchat-client
cargo build -p examples --examples

step "the quick start's server"
background server \
    'cargo run --release -p mchat-server -- start --non-daemon --ws 127.0.0.1:8080 127.0.0.1 6061 6062'
server=$last
wait_listening server 6061
wait_listening server 8080
grep -qF '<title>mChat</title>' <(curl -s http://127.0.0.1:8080/) || fail "the web chat page is not at http://127.0.0.1:8080/"
echo "the web chat page is served at http://127.0.0.1:8080/"

step "the scripted client"
scripted=$(
    cat <<'EOF'
printf 'connect 127.0.0.1 6061\njoin lobby\nmsg lobby hello\nwait 1\n' | cargo run --release -p mchat-client -- --nick bot
EOF
)
documented "$scripted"
out=$(timeout 30 bash -c "$scripted") || fail "the scripted client failed"
printf '%s\n' "$out"
grep -qF '<lobby> SYSTEM: bot joined channel' <<<"$out" ||
    fail "the scripted client did not print the join notice the README promises"

step "echo_bot"
background echo_bot 'cargo run -p examples --example echo_bot -- 127.0.0.1 6061 lobby'
until_pong 6061

step "a second server joining the first"
background second_server \
    'cargo run --release -p mchat-server -- start --non-daemon 127.0.0.1 6063 6064 127.0.0.1 6062'
wait_listening second_server 6063
until_pong 6063

step "threaded_server in the same mesh"
background threaded_server \
    'cargo run -p examples --example threaded_server -- 127.0.0.1 6071 6072 127.0.0.1 6062'
wait_listening threaded_server 6071
until_pong 6071

step "a monitored server and its status"
background monitored \
    'cargo run --release -p mchat-server -- start --non-daemon --monitor 127.0.0.1:9100 127.0.0.1 6065 6066'
wait_listening monitored 9100
cmd='curl -s http://127.0.0.1:9100/healthz'
documented "$cmd"
[ "$(timeout 10 bash -c "$cmd")" = ok ] || fail "/healthz did not say ok"
cmd='cargo run --release -p mchat-server -- status 127.0.0.1 6065'
documented "$cmd"
out=$(timeout 30 bash -c "$cmd") || fail "mchat-server status failed"
printf '%s\n' "$out"
grep -qF ', healthy' <<<"$out" || fail "status did not say the server is healthy"

step "simulate"
cmd='cargo run -p examples --example simulate'
documented "$cmd"
out=$(timeout 60 bash -c "$cmd") || fail "simulate failed"
grep -qF 'healed: mesh full: true' <<<"$out" || fail "simulate: the mesh did not heal"
grep -qF 'every guarantee of PROTOCOL.md §8 held' <<<"$out" || fail "simulate: $out"
echo "simulate: healed, every guarantee held"

step "a secured network"
# The README's block of set-up lines, each run as written.
for cmd in \
    'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj /CN=mchat-ca -keyout ca-key.pem -out ca.pem' \
    "printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth,clientAuth\\n' > server.ext" \
    'for s in a b c; do openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=$s -keyout $s-key.pem -out $s.csr && openssl x509 -req -in $s.csr -CA ca.pem -CAkey ca-key.pem -days 365 -extfile server.ext -out $s.pem; done' \
    'head -c 32 /dev/urandom | base64 > mesh.secret && chmod 600 mesh.secret'; do
    documented "$cmd"
    bash -c "$cmd" >secured_setup.out 2>&1 || { cat secured_setup.out >&2; fail "set-up failed: $cmd"; }
done
secured='--mesh-secret-file mesh.secret --tls-mesh --tls-ca ca.pem'
background secured_a \
    "cargo run --release -p mchat-server -- start --non-daemon $secured --tls-cert a.pem --tls-key a-key.pem 127.0.0.1 6081 6082"
wait_listening secured_a 6081
background secured_b \
    "cargo run --release -p mchat-server -- start --non-daemon $secured --tls-cert b.pem --tls-key b-key.pem 127.0.0.1 6083 6084 127.0.0.1 6082"
wait_listening secured_b 6083
background secured_c \
    "cargo run --release -p mchat-server -- start --non-daemon $secured --tls-cert c.pem --tls-key c-key.pem 127.0.0.1 6085 6086 127.0.0.1 6082"
wait_listening secured_c 6085
deadline=$((SECONDS + 30))
until grep -qF 'server 127.0.0.1 6084 connected' 127.0.0.1_6081_server.log 2>/dev/null &&
    grep -qF 'server 127.0.0.1 6086 connected' 127.0.0.1_6081_server.log 2>/dev/null &&
    grep -qF 'server 127.0.0.1 6086 connected' 127.0.0.1_6083_server.log 2>/dev/null; do
    ((SECONDS < deadline)) || fail "the secured servers did not link"
    sleep 0.1
done
grep -qF 'server links run over mutual TLS' 127.0.0.1_6081_server.log || fail "the secured server does not say it runs TLS"
echo "the secured servers linked, over TLS"
# The README's client on C, scripted, heard by a client on A.
cmd='cargo run --release -p mchat-client -- --nick alice 127.0.0.1 6085'
documented "$cmd"
printf 'connect 127.0.0.1 6081\njoin lobby\nwait 6\n' |
    cargo run --release -q -p mchat-client -- --nick bob >secured_bob.out 2>&1 &
listener=$!
deadline=$((SECONDS + 30))
until grep -qF 'joined <lobby>' secured_bob.out 2>/dev/null; do
    ((SECONDS < deadline)) || fail "the listening client did not join"
    sleep 0.1
done
printf 'join lobby\nmsg lobby hello over the secured mesh\nwait 1\n' | timeout 60 bash -c "$cmd" >secured_alice.out 2>&1 ||
    fail "the README's client failed: $(cat secured_alice.out)"
wait "$listener" || true
grep -qF '<lobby> alice: hello over the secured mesh' secured_bob.out ||
    fail "a line from C did not reach a client on A: $(cat secured_bob.out)"
echo "a client on the third secured server was heard on the first"

step "mchat-server stop"
cmd='cargo run --release -p mchat-server -- stop 127.0.0.1 6061'
documented "$cmd"
timeout 30 bash -c "$cmd" || fail "mchat-server stop failed"
status=0
wait "$server" || status=$?
((status == 0)) || fail "the server exited with status $status after stop"
echo "the server stopped cleanly"

printf '\nreadme-commands: all passed\n'
