//! Runs the table of wire lines in `cases.txt`.

use mchat_core::wire::{ErrorCode, LineFramer};

use crate::helpers::outcome;

/// Expands the escapes of `cases.txt` into raw bytes.
fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let escape = rest.chars().next().expect("dangling backslash");
        rest = &rest[escape.len_utf8()..];
        match escape {
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            '\\' => out.push(b'\\'),
            'x' => {
                out.push(u8::from_str_radix(&rest[..2], 16).expect("bad \\x escape"));
                rest = &rest[2..];
            }
            '{' => {
                let end = rest.find('}').expect("unclosed \\{");
                let (count, ch) = rest[..end].split_once('*').expect("\\{N*c}");
                let ch: char = ch.parse().expect("one character in \\{N*c}");
                let count: usize = count.parse().expect("a count in \\{N*c}");
                for _ in 0..count {
                    let mut buf = [0; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                rest = &rest[end + 1..];
            }
            other => panic!("unknown escape \\{other}"),
        }
    }
    out
}

#[test]
fn every_case_in_the_table_has_its_expected_outcome() {
    let table = include_str!("cases.txt");
    let mut checked = 0;
    let mut failures = Vec::new();
    for (number, raw) in table.lines().enumerate() {
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let (expected, line) = raw
            .split_once(" | ")
            .unwrap_or_else(|| panic!("line {}: no \" | \"", number + 1));
        let bytes = unescape(line);
        let got = outcome(&bytes);
        let ok = match (&got, expected.trim()) {
            (Ok(message), "ok") => {
                // An accepted line encodes back to itself, minus one stripped \r.
                let mut framer = LineFramer::new();
                let mut input = bytes.clone();
                input.push(b'\n');
                let framed = framer.frames(&input).next().unwrap().unwrap().to_bytes();
                message.encode() == framed
            }
            (Err(code), want) => ErrorCode::from_wire(want) == Some(*code),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "cases.txt:{}: expected {expected}, got {got:?} for {line:?}",
                number + 1
            ));
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} cases read");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
