//! Private room names (PROTOCOL.md §5): the room a server sees is the SHA-1
//! digest of the name and password the users typed.

use sha1::{Digest, Sha1};

use super::fields::Room;

/// The wire name of the private room `name` with `password`: the lowercase
/// hexadecimal SHA-1 of the UTF-8 of `name` followed directly by `password`.
///
/// ```
/// use mchat_core::wire::private_room_name;
/// assert_eq!(
///     private_room_name("lobby", "hunter2").as_str(),
///     "a9e52f505286f4bfd736a98595a5c8b87fc4b532",
/// );
/// ```
pub fn private_room_name(name: &str, password: &str) -> Room {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha1::new()
        .chain_update(name.as_bytes())
        .chain_update(password.as_bytes())
        .finalize();
    let mut hex = String::with_capacity(40);
    for byte in digest.iter() {
        for nibble in [byte >> 4, byte & 0x0f] {
            hex.push(char::from(
                HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    // Forty hex digits always make a valid room name.
    Room::from_trusted(hex)
}
