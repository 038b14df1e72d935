//! Field types: constructors enforce PROTOCOL.md §1.

use mchat_core::wire::{FieldError, Host, Nick, Room, Text, parse_port};

#[test]
fn nick_of_32_characters_is_valid_and_33_is_not() {
    assert!(Nick::new("ä".repeat(32)).is_ok());
    assert_eq!(
        Nick::new("ä".repeat(33)),
        Err(FieldError::TooLong { max: 32 })
    );
}

#[test]
fn room_of_64_characters_is_valid_and_65_is_not() {
    assert!(Room::new("r".repeat(64)).is_ok());
    assert_eq!(
        Room::new("r".repeat(65)),
        Err(FieldError::TooLong { max: 64 })
    );
}

#[test]
fn host_of_255_characters_is_valid_and_256_is_not() {
    assert!(Host::new("h".repeat(255)).is_ok());
    assert_eq!(
        Host::new("h".repeat(256)),
        Err(FieldError::TooLong { max: 255 })
    );
}

#[test]
fn fields_may_not_be_empty_or_hold_spaces_or_controls() {
    assert_eq!(Nick::new(""), Err(FieldError::Empty));
    assert_eq!(Room::new("a b"), Err(FieldError::Space));
    assert_eq!(Host::new("a\u{7f}"), Err(FieldError::Control('\u{7f}')));
    for c in (0u8..0x20).map(char::from) {
        assert_eq!(Nick::new(format!("x{c}")), Err(FieldError::Control(c)));
    }
}

#[test]
fn fields_are_case_sensitive_and_keep_other_unicode() {
    assert_ne!(Room::new("Lobby").unwrap(), Room::new("lobby").unwrap());
    assert_eq!(
        Nick::new("\u{a0}nbsp\u{85}").unwrap().as_str(),
        "\u{a0}nbsp\u{85}"
    );
}

#[test]
fn text_may_be_empty_and_hold_spaces_and_controls() {
    assert_eq!(Text::new("").unwrap().as_str(), "");
    assert!(Text::new("  a\tb\u{7}\rc ").is_ok());
}

#[test]
fn text_may_not_hold_newline_or_end_with_carriage_return() {
    assert_eq!(Text::new("a\nb"), Err(FieldError::Newline));
    assert_eq!(Text::new("a\r"), Err(FieldError::TrailingCarriageReturn));
    assert_eq!(
        Text::new("x".repeat(1024)),
        Err(FieldError::TooLong { max: 1023 })
    );
}

#[test]
fn ports_are_canonical_decimal_from_1_to_65535() {
    assert_eq!(parse_port("1").unwrap().get(), 1);
    assert_eq!(parse_port("65535").unwrap().get(), 65535);
    for bad in [
        "", "0", "00", "012", "65536", "+1", "-1", " 1", "1e3", "99999999",
    ] {
        assert_eq!(parse_port(bad), Err(FieldError::BadPort), "{bad:?}");
    }
}
