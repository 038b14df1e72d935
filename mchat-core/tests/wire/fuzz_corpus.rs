//! Replays every checked-in fuzz seed (`fuzz/seeds/`) through the same target
//! bodies the fuzzer runs, so CI covers them on stable.

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).unwrap();
            (p, data)
        })
        .collect()
}

#[test]
fn wire_parse_corpus_replays_cleanly() {
    let files = corpus("wire_parse");
    assert!(files.len() >= 10, "only {} corpus files", files.len());
    for (_path, data) in files {
        mchat_core::fuzzing::wire_parse(&data);
    }
}

#[test]
fn line_framer_corpus_replays_cleanly() {
    let files = corpus("line_framer");
    assert!(files.len() >= 5, "only {} corpus files", files.len());
    for (_path, data) in files {
        mchat_core::fuzzing::line_framer(&data);
    }
}

#[test]
fn server_session_corpus_replays_cleanly() {
    let files = corpus("server_session");
    assert!(files.len() >= 5, "only {} corpus files", files.len());
    for (_path, data) in files {
        mchat_core::fuzzing::server_session(&data);
    }
}
