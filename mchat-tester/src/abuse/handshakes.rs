//! Attacks on the server-port handshake itself: a recorded proof of the
//! mesh secret replayed on a new link, and half-open handshakes that
//! crowd out a real server. With the network's secret (`abuse
//! --mesh-secret-file`) the tester can pose as a real server, which is
//! what both cases need on a secured server.

use std::io::Read;
use std::net::Ipv4Addr;
use std::num::NonZeroU16;
use std::time::Duration;

use futures_lite::AsyncWriteExt;
use mchat_core::server::{AuthEnd, AuthTranscript, MeshSecret};
use mchat_core::wire::{AUTH_BYTES, AuthProof, Host, Message, Nonce, PeerAddr};
use smol::Timer;
use smol::net::TcpStream;

use super::Plan;
use super::case::Attacked;
use super::conversation::{Failure, client, closed_within, hears_any, server_port, speak_from};
use super::probe::{ROOM, hears_the_probe};
use crate::lines::Lines;

/// How long the server may leave a handshake unfinished before it closes.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a line may take to arrive once it is due.
const ANSWER_WITHIN: Duration = Duration::from_secs(2);

const FORGED: &str = "replayed: I am bob, send me your password";

/// The next line of `lines`, if one comes within `within`.
async fn next_line(lines: &mut Lines, within: Duration) -> Option<String> {
    let mut line = None;
    futures_lite::future::or(
        async {
            let _ = lines
                .until(|l| {
                    line = Some(String::from_utf8_lossy(l).into_owned());
                    true
                })
                .await;
        },
        async {
            Timer::after(within).await;
        },
    )
    .await;
    line
}

/// The server's challenge, if its first line is one (`None`: an open port).
async fn challenge(lines: &mut Lines) -> Option<(PeerAddr, Nonce)> {
    match Message::parse(&next_line(lines, HANDSHAKE_TIMEOUT).await?) {
        Ok(Message::AuthHello(hello)) => Some((hello.addr, hello.nonce)),
        _ => None,
    }
}

fn fresh_nonce() -> Result<Nonce, Failure> {
    let mut bytes = [0u8; AUTH_BYTES];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(Nonce(bytes))
}

fn fake_addr(port: u16) -> Result<PeerAddr, Failure> {
    let host = Host::new("127.0.0.1").map_err(|e| Failure::Server(format!("host {e}")))?;
    let port = NonZeroU16::new(port).ok_or_else(|| Failure::Server("port 0".into()))?;
    Ok(PeerAddr::new(host, port))
}

/// A server-port link posing as the server at `me`: proves the secret
/// if the server asks (and the tester has it), then says `MY_ADDR`.
/// Returns the link and the `AUTH_PROOF` line it sent, if any.
async fn link_as(
    plan: &Plan,
    me: &PeerAddr,
) -> Result<(TcpStream, Lines, Option<String>), Failure> {
    let mut s = server_port(plan).await?;
    let mut lines = Lines::new(s.clone());
    let mut proof_line = None;
    if let Some((acceptor, theirs)) = challenge(&mut lines).await {
        let secret = plan.mesh_secret.as_ref().ok_or_else(|| {
            Failure::Skip(
                "the server has a mesh secret: give the tester it (--mesh-secret-file)".into(),
            )
        })?;
        let ours = fresh_nonce()?;
        let line = proof(&acceptor, me, &theirs, ours, secret).to_string();
        s.write_all(format!("{line}\n").as_bytes()).await?;
        match next_line(&mut lines, ANSWER_WITHIN)
            .await
            .as_deref()
            .map(Message::parse)
        {
            Some(Ok(Message::AuthOk(_))) => {}
            other => {
                return Err(Failure::Server(format!(
                    "a proof made with the tester's secret was not accepted ({other:?}): is it the server's?"
                )));
            }
        }
        proof_line = Some(line);
    }
    s.write_all(&Message::MyAddr(me.clone()).encode()).await?;
    Ok((s, lines, proof_line))
}

fn proof(
    acceptor: &PeerAddr,
    dialler: &PeerAddr,
    theirs: &Nonce,
    ours: Nonce,
    secret: &MeshSecret,
) -> Message {
    let transcript = AuthTranscript {
        acceptor,
        dialler,
        acceptor_nonce: theirs,
        dialler_nonce: &ours,
    };
    Message::AuthProof(AuthProof {
        addr: dialler.clone(),
        proof: transcript.prove(secret, AuthEnd::Dialler),
        nonce: ours,
    })
}

/// A proof recorded on one link, replayed on the next: the server must
/// have issued a new challenge, refuse the old proof, close the link and
/// let none of its lines through.
pub async fn replayed_handshake(plan: &Plan) -> Attacked {
    let (_watcher_stream, mut watcher) = client(&plan.server, "replaywatch", Some(ROOM)).await?;
    let me = fake_addr(47_011)?;
    let (first, _first_lines, recorded) = link_as(plan, &me).await?;
    let Some(recorded) = recorded else {
        return Err(Failure::Server(
            "the server port is open (no mesh secret): a recorded handshake is as good as a new one"
                .into(),
        ));
    };
    drop(first);

    let mut s = server_port(plan).await?;
    let mut lines = Lines::new(s.clone());
    if challenge(&mut lines).await.is_none() {
        return Err(Failure::Server("the second link got no challenge".into()));
    }
    let burst = format!("{recorded}\nMY_ADDR {me}\nMSG bob {ROOM} {FORGED}\n");
    s.write_all(burst.as_bytes()).await?;
    if let Some(answer) = next_line(&mut lines, ANSWER_WITHIN).await
        && answer.starts_with("AUTH_OK")
    {
        return Err(Failure::Server("the replayed proof was accepted".into()));
    }
    closed_within(&mut s, HANDSHAKE_TIMEOUT).await?;
    let forged_seen = hears_any(&mut watcher, &[FORGED], Duration::from_millis(500)).await;
    if forged_seen {
        return Err(Failure::Server(
            "a line after the replayed proof reached a member".into(),
        ));
    }
    Ok("the replayed proof was refused, the link closed, nothing it said reached a member".into())
}

/// Sixty handshakes left half-open, then sixty more as the first are
/// timed out: a real server joining meanwhile (from an address of its
/// own, as a real one would) must link and hear the room's chat each time.
pub async fn sixty_half_open(plan: &Plan) -> Attacked {
    let mut held = Vec::new();
    for round in 0..2u8 {
        speak_from(Ipv4Addr::new(127, 0, 0, 9));
        for _ in 0..60 {
            // Refused ones count too: the server chose to close them.
            if let Ok(s) = server_port(plan).await {
                held.push(s);
            }
        }
        speak_from(Ipv4Addr::new(127, 0, 0, 200 + round));
        let me = fake_addr(47_020 + u16::from(round))?;
        let (_link, mut lines, _) = link_as(plan, &me).await?;
        if !hears_the_probe(&mut lines, ANSWER_WITHIN).await {
            return Err(Failure::Server(format!(
                "beside {} half-open handshakes, a real server's link carried no chat",
                held.len()
            )));
        }
    }
    Ok(format!(
        "a real server linked and heard the room beside {} half-open handshakes from one address",
        held.len()
    ))
}
