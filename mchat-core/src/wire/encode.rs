//! Encoding a [`Message`] into one `Bytes` line, `\n` included.

use std::fmt;
use std::num::NonZeroU16;

use bytes::{BufMut, Bytes, BytesMut};

use super::fields::PeerAddr;
use super::message::Message;

/// Receives the pieces of a line in order; lets one walk over a message
/// serve measuring, encoding and display.
trait Sink {
    fn put(&mut self, s: &str);
    fn put_port(&mut self, port: NonZeroU16);
}

/// ` <host> <port>`, as every address field is written.
fn put_addr(sink: &mut impl Sink, addr: &PeerAddr) {
    sink.put(" ");
    sink.put(addr.host.as_str());
    sink.put(" ");
    sink.put_port(addr.port);
}

/// Counts bytes.
struct Measure(usize);

impl Sink for Measure {
    fn put(&mut self, s: &str) {
        self.0 += s.len();
    }
    fn put_port(&mut self, port: NonZeroU16) {
        self.0 += super::fields::port_digits(port);
    }
}

impl Sink for BytesMut {
    fn put(&mut self, s: &str) {
        self.put_slice(s.as_bytes());
    }
    fn put_port(&mut self, port: NonZeroU16) {
        let mut digits = [0u8; 5];
        let mut n = port.get();
        let mut start = digits.len();
        for slot in digits.iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
            start -= 1;
            if n == 0 {
                break;
            }
        }
        self.put_slice(digits.get(start..).unwrap_or_default());
    }
}

/// Writes text, remembering the first formatting error.
struct Display<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    result: fmt::Result,
}

impl Sink for Display<'_, '_> {
    fn put(&mut self, s: &str) {
        if self.result.is_ok() {
            self.result = self.f.write_str(s);
        }
    }
    fn put_port(&mut self, port: NonZeroU16) {
        if self.result.is_ok() {
            self.result = write!(self.f, "{port}");
        }
    }
}

impl Message {
    /// Feeds the line's pieces, without the final `\n`, to `sink`.
    fn write_pieces(&self, sink: &mut impl Sink) {
        sink.put(self.kind().as_str());
        match self {
            Message::Msg(chat) => {
                sink.put(" ");
                sink.put(chat.nick().as_str());
                sink.put(" ");
                sink.put(chat.room().as_str());
                sink.put(" ");
                sink.put(chat.text().as_str());
            }
            Message::System(notice) => {
                sink.put(" ");
                sink.put(notice.room().as_str());
                sink.put(" ");
                sink.put(notice.text().as_str());
            }
            Message::Join(room)
            | Message::Part(room)
            | Message::Names(room)
            | Message::MembersEnd(room) => {
                sink.put(" ");
                sink.put(room.as_str());
            }
            Message::Nick(nick) => {
                sink.put(" ");
                sink.put(nick.as_str());
            }
            Message::Heart | Message::Bleed | Message::InterestSynced => {}
            Message::InterestAdd(list) | Message::InterestDel(list) => {
                for room in list.rooms() {
                    sink.put(" ");
                    sink.put(room.as_str());
                }
            }
            Message::Members(list) => {
                sink.put(" ");
                sink.put(list.room().as_str());
                for nick in list.nicks() {
                    sink.put(" ");
                    sink.put(nick.as_str());
                }
            }
            Message::AllAddrs(list) => {
                for addr in list.addrs() {
                    put_addr(sink, addr);
                }
            }
            Message::MyAddr(addr) => put_addr(sink, addr),
            Message::AuthHello(hello) => {
                put_addr(sink, &hello.addr);
                sink.put(" ");
                sink.put(&hello.nonce.to_string());
            }
            Message::AuthProof(proof) => {
                put_addr(sink, &proof.addr);
                sink.put(" ");
                sink.put(&proof.nonce.to_string());
                sink.put(" ");
                sink.put(&proof.proof.to_string());
            }
            Message::AuthOk(proof) => {
                sink.put(" ");
                sink.put(&proof.to_string());
            }
            Message::Error(reply) => {
                sink.put(" ");
                sink.put(reply.code().as_str());
                sink.put(" ");
                sink.put(reply.text().as_str());
            }
            Message::Ext(offer) => {
                for (name, version) in offer.items() {
                    sink.put(" ");
                    sink.put(name);
                    sink.put("/");
                    sink.put_port(version);
                }
            }
        }
    }

    /// Bytes of the encoded line, `\n` included.
    pub fn encoded_len(&self) -> usize {
        let mut measure = Measure(0);
        self.write_pieces(&mut measure);
        measure.0 + 1
    }

    /// Appends the encoded line, `\n` included, to `out`.
    pub fn encode_into(&self, out: &mut BytesMut) {
        out.reserve(self.encoded_len());
        self.write_pieces(out);
        out.put_u8(b'\n');
    }

    /// The encoded line, `\n` included, in one allocation.
    pub fn encode(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(self.encoded_len());
        self.write_pieces(&mut out);
        out.put_u8(b'\n');
        out.freeze()
    }
}

/// Shows the line as sent, without its `\n`.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sink = Display { f, result: Ok(()) };
        self.write_pieces(&mut sink);
        sink.result
    }
}
