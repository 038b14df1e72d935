//! Private room names against the vectors the web client is checked
//! against too (tests/vectors/private_rooms.json, made with Python's
//! hashlib): both clients meet in the same room.

use mchat_core::wire::private_room_name;

#[test]
fn private_room_names_match_the_shared_vectors() {
    let text = include_str!("../vectors/private_rooms.json");
    let vectors: serde_json::Value = serde_json::from_str(text).unwrap();
    let cases = vectors["private_rooms"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for case in cases {
        let (room, password) = (
            case["room"].as_str().unwrap(),
            case["password"].as_str().unwrap(),
        );
        assert_eq!(
            private_room_name(room, password).as_str(),
            case["wire"].as_str().unwrap(),
            "{room:?} {password:?}"
        );
    }
}
