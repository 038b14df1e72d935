//! What the client asks its driver to do.

use bytes::Bytes;

use super::ClientEvent;

/// What the client asks its driver to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientOutput {
    /// Write this line (`\n` included) to the server.
    Send(Bytes),
    /// Open a connection and report with [`Client::connected`] or
    /// [`Client::connect_failed`].
    ///
    /// [`Client::connected`]: super::Client::connected
    /// [`Client::connect_failed`]: super::Client::connect_failed
    Connect {
        /// DNS name or IP literal.
        host: String,
        /// Client port.
        port: u16,
        /// Over TLS (`connect tls://host:port`), checking the server's
        /// certificate.
        tls: bool,
    },
    /// Close the connection (nothing more will be sent on it).
    Disconnect,
    /// Show this to the user.
    Event(ClientEvent),
}
