//! Long messages: split on characters into MSG lines of at most 1024 characters, the wire room name counted.

use mchat_core::wire::private_room_name;

use crate::harness::Harness;

fn msg_lines(h: &Harness) -> Vec<&String> {
    h.sent.iter().filter(|l| l.starts_with("MSG ")).collect()
}

#[test]
fn message_filling_1024_characters_exactly_stays_one_line() {
    let mut h = Harness::connected();
    h.type_line("join r");
    // "MSG mChatter r " is 15 characters; with the newline, 1008 more make 1024.
    h.type_line(&format!("msg r {}", "x".repeat(1008)));
    let lines = msg_lines(&h);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].chars().count() + 1, 1024);
}

#[test]
fn message_one_character_over_is_split_in_two() {
    let mut h = Harness::connected();
    h.type_line("join r");
    h.type_line(&format!("msg r {}", "x".repeat(1009)));
    let lines = msg_lines(&h);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1].as_str(), "MSG mChatter r x");
}

#[test]
fn multibyte_message_splits_on_characters_and_counts_the_private_digest() {
    let mut h = Harness::connected();
    h.type_line("joinprivate r pw");
    let text = "🌞ä".repeat(700);
    h.type_line(&format!("msg r {text}"));
    let lines = msg_lines(&h);
    assert_eq!(lines.len(), 2);
    let prefix = format!("MSG mChatter {} ", private_room_name("r", "pw"));
    let mut rejoined = String::new();
    for line in &lines {
        assert!(line.chars().count() < 1024);
        rejoined.push_str(line.strip_prefix(&prefix).unwrap());
    }
    assert_eq!(rejoined, text);
}
