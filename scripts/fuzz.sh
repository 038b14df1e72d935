#!/usr/bin/env bash
# Fuzzes one target for a while: scripts/fuzz.sh TARGET [SECONDS]
# (targets: wire_parse, line_framer, server_session). Starts from the
# checked-in seeds (fuzz/seeds/TARGET, read only) and keeps what it finds in
# fuzz/corpus/TARGET, which git ignores and `cargo test` does not replay.
set -euo pipefail
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}
seconds=${2:-300}
cd "$(dirname "$0")/../fuzz"
[ -d "seeds/$target" ] || { echo "no fuzz target $target (see fuzz/seeds/)" >&2; exit 2; }
mkdir -p "corpus/$target"
# The first directory is the one libFuzzer writes to.
exec cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- -max_total_time="$seconds"
