#!/usr/bin/env bash
# The tests, on a machine with the Rust toolchain: installs the programs
# the tests drive (Debian packages, as root) when they are missing, then
# runs cargo test --workspace (extra arguments go to cargo test).
#   tmux                         the terminal client in a real terminal
#   openssl, curl                the README's secured network and monitor
#   python3-prometheus-client    a real parser for /metrics
#   chromium, chromium-driver,
#   python3-selenium             the web client in a real browser
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v curl >/dev/null 2>&1 || missing+=(curl)
/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null || missing+=(python3-prometheus-client)
/usr/bin/python3 -c 'import selenium' 2>/dev/null || missing+=(python3-selenium)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if ((${#missing[@]})); then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "test.sh: the tests need ${missing[*]}: install them (Debian: apt-get install ${missing[*]})" >&2
        exit 1
    fi
fi
cargo test --workspace "$@"
