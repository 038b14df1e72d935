//! Where test binaries and scratch files are, and ports to listen on.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A workspace binary built beside the running test (in `target/<profile>/`).
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let path = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join(name))
        .expect("a target directory");
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --workspace`",
        path.display()
    );
    path
}

/// An example's binary. Cargo builds the examples for `cargo test` but,
/// unlike for binaries, sets no `CARGO_BIN_EXE_*` for them, so look where it
/// puts them: `target/<profile>/deps/<test>` → `target/<profile>/examples/<name>`.
pub fn example_bin(name: &str) -> PathBuf {
    let path = workspace_bin("examples").join(name);
    assert!(
        path.exists(),
        "the example {name} is not at {}: run `cargo test -p examples`, which builds the examples",
        path.display()
    );
    path
}

/// A scratch directory for one test's pidfiles and logs.
pub fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "mchat-test-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A port that was free a moment ago (for servers restarted on their port).
///
/// Picked below the kernel's ephemeral range: a port from that range can be
/// taken, before the server binds it, by any outgoing connection's local
/// end (a test client's, a peer link's), and was, now and then.
pub fn free_port() -> u16 {
    use std::hash::{BuildHasher, RandomState};
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let (low, span) = (10_000u16, ephemeral_low.saturating_sub(10_000).max(1));
    let random = RandomState::new();
    for attempt in 0u32..200 {
        let port = low + (random.hash_one(attempt) % u64::from(span)) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    // Nothing free below the range: let the kernel choose.
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
