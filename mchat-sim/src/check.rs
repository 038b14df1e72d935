//! The guarantees of PROTOCOL.md §3 and §8, checked over a run's history.
//!
//! "Stable" below means: the recipient was a member of the room, and both
//! clients stayed on their servers, over `settle` before and after the send,
//! and the two servers were linked both ways at the send and no link between
//! them opened or closed over that window. Stable lines must arrive exactly
//! once; every line must arrive at most once, in order per sender
//! connection, never to its sender, never to a non-member.
//!
//! Nothing here assumes that the mesh heals: a pair of servers counts only
//! while both list each other as peers and no link between them opens or
//! closes. So the rules hold unchanged for meshes with original stand-ins,
//! whose links, once lost, may stay down for good: their lines are owed
//! only across links that are up. What healing is owed is checked apart,
//! by `Sim::mesh_is_healed`.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::history::{Change, History, Membership, SentMsg};

/// A received chat line, decoded from the text the simulator puts in it.
struct Delivery {
    recipient: usize,
    index: usize,
    at: Instant,
    room: String,
    sender: usize,
    seq: u64,
}

fn decode(recipient: usize, index: usize, at: Instant, line: &str) -> Option<Delivery> {
    let rest = line.strip_prefix("MSG ")?;
    let mut fields = rest.splitn(3, ' ');
    let (_nick, room, text) = (fields.next()?, fields.next()?, fields.next()?);
    let (from, seq) = text.strip_prefix("from c")?.split_once(" #")?;
    Some(Delivery {
        recipient,
        index,
        at,
        room: room.to_owned(),
        sender: from.parse().ok()?,
        seq: seq.parse().ok()?,
    })
}

/// One stretch of a client's membership of a room on one connection.
struct Stretch {
    client: usize,
    room: String,
    start: Instant,
    end: Option<Instant>,
}

fn stretches(history: &History) -> Vec<Stretch> {
    let mut open: BTreeMap<(usize, String), Instant> = BTreeMap::new();
    let mut out = Vec::new();
    let mut events: Vec<&Membership> = history.memberships.iter().collect();
    events.sort_by_key(|m| m.at);
    for m in events {
        let key = (m.client, m.room.clone());
        if m.change == Change::Join {
            // A join while "open" means the earlier stretch ended with its
            // connection (fixed up below).
            if let Some(start) = open.insert(key, m.at) {
                out.push(Stretch {
                    client: m.client,
                    room: m.room.clone(),
                    start,
                    end: None,
                });
            }
        } else if let Some(start) = open.remove(&key) {
            out.push(Stretch {
                client: m.client,
                room: m.room.clone(),
                start,
                end: Some(m.at),
            });
        }
    }
    // A membership also ends when its connection does.
    for ((client, room), start) in open {
        let end = history
            .connected
            .get(client)
            .and_then(|spans| {
                spans
                    .iter()
                    .find(|c| c.span.start <= start && c.span.end.is_none_or(|e| e >= start))
            })
            .and_then(|c| c.span.end);
        out.push(Stretch {
            client,
            room,
            start,
            end,
        });
    }
    // Stretches cut short by a disconnect before their PART.
    for stretch in &mut out {
        let conn_end = history.connected.get(stretch.client).and_then(|spans| {
            spans
                .iter()
                .find(|c| {
                    c.span.start <= stretch.start && c.span.end.is_none_or(|e| e >= stretch.start)
                })
                .and_then(|c| c.span.end)
        });
        if let Some(conn_end) = conn_end {
            stretch.end = Some(stretch.end.map_or(conn_end, |e| e.min(conn_end)));
        }
    }
    out
}

/// Who sent something, from where, and when.
#[derive(Clone, Copy)]
struct Origin<'a> {
    sender: usize,
    /// The sender's server.
    server: usize,
    at: Instant,
    /// The servers linked both ways with `server` at that moment.
    linked: &'a [usize],
}

impl<'a> Origin<'a> {
    fn of_line(msg: &'a SentMsg) -> Self {
        Self {
            sender: msg.sender,
            server: msg.server,
            at: msg.at,
            linked: &msg.linked,
        }
    }

    fn of_change(m: &'a Membership) -> Self {
        Self {
            sender: m.client,
            server: m.server,
            at: m.at,
            linked: &m.linked,
        }
    }
}

/// The checks, with their tolerances.
#[derive(Clone, Copy, Debug)]
pub struct Checker {
    /// How long before and after a send everything must hold still for the
    /// line to count as stable.
    pub settle: Duration,
    /// How long a line may still arrive after its recipient parted.
    pub in_flight: Duration,
    /// How long after a member's server is lost its departure may still be
    /// announced by the survivors (PROTOCOL.md §4, presence): the heartbeat
    /// timeout.
    pub presence_timeout: Duration,
}

impl Checker {
    /// Tolerances for links of at most `max_delay` one way.
    pub fn for_delay(max_delay: Duration) -> Self {
        Self {
            settle: Duration::from_secs(1).max(max_delay * 10),
            in_flight: max_delay * 3,
            presence_timeout: default_presence_timeout(),
        }
    }

    /// Every check; the first violation found, explained.
    pub fn check(&self, history: &History) -> Result<(), String> {
        if let Some(close) = history.heartbeat_closes.first() {
            return Err(format!(
                "server {} closed a connection for missed heartbeats at {} although every end answers",
                close.server,
                history.time(close.at)
            ));
        }
        let deliveries: Vec<Delivery> = history
            .received
            .iter()
            .enumerate()
            .filter_map(|(i, r)| decode(r.client, i, r.at, &r.line))
            .collect();
        let members = stretches(history);
        self.at_most_once_in_order(history, &deliveries)?;
        self.members_only(&deliveries, &members)?;
        self.stable_lines_arrive(history, &deliveries, &members)?;
        self.notices(history, &members)?;
        Ok(())
    }

    fn at_most_once_in_order(
        &self,
        history: &History,
        deliveries: &[Delivery],
    ) -> Result<(), String> {
        let sent: HashMap<(usize, u64), &SentMsg> = history
            .sent
            .iter()
            .map(|m| ((m.sender, m.seq), m))
            .collect();
        let mut seen: HashMap<(usize, usize, u64), usize> = HashMap::new();
        let mut last: HashMap<(usize, usize, usize), u64> = HashMap::new();
        for d in deliveries {
            if d.recipient == d.sender {
                return Err(format!(
                    "client {} got its own line #{} back",
                    d.sender, d.seq
                ));
            }
            let Some(msg) = sent.get(&(d.sender, d.seq)) else {
                return Err(format!(
                    "client {} got line #{} of client {} that was never sent",
                    d.recipient, d.seq, d.sender
                ));
            };
            if msg.room != d.room {
                return Err(format!(
                    "line #{} of client {} arrived in the wrong room",
                    d.seq, d.sender
                ));
            }
            let count = seen.entry((d.recipient, d.sender, d.seq)).or_default();
            *count += 1;
            if *count > 1 {
                return Err(format!(
                    "client {} got line #{} of client {} twice",
                    d.recipient, d.seq, d.sender
                ));
            }
            let key = (d.recipient, d.sender, msg.conn);
            if let Some(prev) = last.insert(key, d.seq)
                && prev > d.seq
            {
                return Err(format!(
                    "client {} got line #{} of client {} after #{prev}: out of order",
                    d.recipient, d.seq, d.sender
                ));
            }
        }
        Ok(())
    }

    fn members_only(&self, deliveries: &[Delivery], members: &[Stretch]) -> Result<(), String> {
        for d in deliveries {
            let member = members.iter().any(|s| {
                s.client == d.recipient
                    && s.room == d.room
                    && s.start <= d.at
                    && s.end.is_none_or(|end| d.at <= end + self.in_flight)
            });
            if !member {
                return Err(format!(
                    "client {} got line #{} of client {} in {} without being a member",
                    d.recipient, d.seq, d.sender, d.room
                ));
            }
        }
        Ok(())
    }

    /// Would a line or notice sent from `origin` surely reach `recipient`
    /// in `room`?
    fn stable(
        &self,
        history: &History,
        members: &[Stretch],
        origin: Origin<'_>,
        recipient: usize,
        room: &str,
    ) -> bool {
        let Origin {
            sender,
            server,
            at,
            linked,
        } = origin;
        let (from, to) = (at.checked_sub(self.settle).unwrap_or(at), at + self.settle);
        if recipient == sender || !history.attached(sender, server, at, to) {
            return false;
        }
        let member = members.iter().any(|s| {
            s.client == recipient
                && s.room == room
                && s.start <= from
                && s.end.is_none_or(|e| e >= to)
        });
        if !member {
            return false;
        }
        let Some(home) = history
            .connected
            .get(recipient)
            .and_then(|spans| spans.iter().find(|c| c.span.covers(from, to)))
            .map(|c| c.server)
        else {
            return false;
        };
        home == server
            || (linked.contains(&home)
                && history.up(server, from, to)
                && history.up(home, from, to)
                && history.calm(server, home, from, to))
    }

    fn stable_lines_arrive(
        &self,
        history: &History,
        deliveries: &[Delivery],
        members: &[Stretch],
    ) -> Result<(), String> {
        let got: HashMap<(usize, usize, u64), usize> = deliveries
            .iter()
            .map(|d| ((d.recipient, d.sender, d.seq), d.index))
            .collect();
        let clients = history.connected.len();
        for msg in &history.sent {
            for recipient in 0..clients {
                if self.stable(history, members, Origin::of_line(msg), recipient, &msg.room)
                    && !got.contains_key(&(recipient, msg.sender, msg.seq))
                {
                    return Err(format!(
                        "line #{} of client {} (server {}) in {} sent at {} never reached stable member {recipient}",
                        msg.seq,
                        msg.sender,
                        msg.server,
                        msg.room,
                        history.time(msg.at)
                    ));
                }
            }
        }
        Ok(())
    }

    fn notices(&self, history: &History, members: &[Stretch]) -> Result<(), String> {
        // When each (room, text) notice may be sent for a cause: a join's
        // at once; a departure's also later, by presence, when the member's
        // server is lost or the member shows up elsewhere.
        let mut causes: HashMap<(String, String), Vec<(Instant, Instant)>> = HashMap::new();
        let span = |m: &Membership| match m.change {
            Change::Join => (m.at, m.at),
            Change::Part => (m.at, m.at + self.presence_timeout),
        };
        for m in &history.memberships {
            causes
                .entry((m.room.clone(), notice_text(m)))
                .or_default()
                .push(span(m));
        }
        let mut received: HashMap<(usize, String), Vec<Instant>> = HashMap::new();
        for r in &history.received {
            if let Some(rest) = r.line.strip_prefix("SYSTEM ") {
                received
                    .entry((r.client, rest.to_owned()))
                    .or_default()
                    .push(r.at);
            }
        }
        let window = self.settle + self.in_flight;
        let got = |client: usize, m: &Membership| {
            received
                .get(&(client, format!("{} {}", m.room, notice_text(m))))
                .map_or(0, |times| {
                    times
                        .iter()
                        .filter(|t| **t >= m.at && **t <= m.at + window)
                        .count()
                })
        };
        let mut counted = 0;
        for m in &history.memberships {
            let text = notice_text(m);
            // Only a notice nothing else could have caused nearby can be counted.
            let mine = span(m);
            let isolated = causes
                .get(&(m.room.clone(), text.clone()))
                .is_some_and(|spans| {
                    spans
                        .iter()
                        .filter(|&&other| gap(other, mine) <= window * 2)
                        .count()
                        == 1
                });
            if !isolated {
                continue;
            }
            // A PART (the client stays on): it must not hear its own notice.
            // A disconnect's notice may well reach the client's next session.
            let stays = history.attached(m.client, m.server, m.at, m.at + window);
            if m.change == Change::Part && stays && got(m.client, m) > 0 {
                return Err(format!(
                    "client {} was sent its own notice \"{text}\" in {}",
                    m.client, m.room
                ));
            }
            if m.change == Change::Join
                && history.attached(m.client, m.server, m.at, m.at + self.settle)
            {
                let n = got(m.client, m);
                counted += 1;
                if n != 1 {
                    return Err(format!(
                        "client {} got its own notice \"{text}\" in {} {n} times",
                        m.client, m.room
                    ));
                }
            }
            for recipient in 0..history.connected.len() {
                if recipient != m.client
                    && self.stable(history, members, Origin::of_change(m), recipient, &m.room)
                {
                    let n = got(recipient, m);
                    counted += 1;
                    if n != 1 {
                        return Err(format!(
                            "stable member {recipient} of {} got the notice \"{text}\" {n} times",
                            m.room
                        ));
                    }
                }
            }
        }
        if std::env::var_os("MCHAT_SIM_TRACE").is_some() {
            eprintln!("notices counted: {counted}");
        }
        Ok(())
    }
}

/// The time between two spans (zero if they overlap).
fn gap(a: (Instant, Instant), b: (Instant, Instant)) -> Duration {
    let (later_start, earlier_end) = (a.0.max(b.0), a.1.min(b.1));
    later_start.saturating_duration_since(earlier_end)
}

/// The presence timeout of a server with the defaults.
fn default_presence_timeout() -> Duration {
    mchat_core::server::ServerConfig::new(crate::net::server_addr(0)).presence_timeout()
}

/// The notice a join or part causes (§3).
fn notice_text(m: &Membership) -> String {
    let verb = match m.change {
        Change::Join => "joined",
        Change::Part => "left",
    };
    format!("{} {verb} channel", m.nick)
}
