//! `mchat-tester chaos`: a mesh of real `mchat-server` processes, each
//! behind a TCP relay of ours so links can be cut and healed; servers are
//! killed (SIGKILL) and restarted while clients on every server chat. It
//! checks PROTOCOL.md §8 on what every client receives — never twice,
//! never back to the sender, in order per sender connection — and, once
//! everything is healed, that the mesh is whole again and carries every
//! line to everyone exactly once.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Plan {
    pub server_bin: PathBuf,
    pub servers: usize,
    pub clients_per_server: usize,
    pub duration: Duration,
    pub seed: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Seeded randomness (xorshift), so a seed replays the same failures.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        if n == 0 { 0 } else { self.0 % n }
    }
}

/// A free port below the kernel's ephemeral range (which starts at 32768
/// by default): a killed server restarts on its ports, and an ephemeral
/// one could meanwhile be taken by some outgoing connection.
fn free_port(rng: &mut Rng) -> std::io::Result<u16> {
    for _ in 0..1000 {
        let port = 20_000 + rng.below(12_000) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Err(std::io::Error::other("no free port in 20000-31999"))
}

/// What every client saw, and the first broken rule.
#[derive(Default)]
struct Ledger {
    /// (receiver, sender, sender's connection, seq) already received.
    seen: HashSet<(usize, usize, u64, u64)>,
    /// (receiver, sender, connection) → last seq.
    last: HashMap<(usize, usize, u64), u64>,
    violation: Option<String>,
    received: u64,
}

impl Ledger {
    fn record(&mut self, receiver: usize, text: &str) {
        let mut f = text.split(' ');
        let (Some(kind), Some(s), Some(c), Some(q)) = (f.next(), f.next(), f.next(), f.next())
        else {
            return;
        };
        let (Ok(sender), Ok(conn), Ok(seq)) =
            (s.parse::<usize>(), c.parse::<u64>(), q.parse::<u64>())
        else {
            return;
        };
        self.received += 1;
        let fail = if sender == receiver {
            Some(format!(
                "client {receiver} got its own {kind} line {seq} back"
            ))
        } else if !self.seen.insert((receiver, sender, conn, seq)) {
            Some(format!(
                "client {receiver} got {kind} line {seq} of client {sender} twice"
            ))
        } else {
            let last = self.last.entry((receiver, sender, conn)).or_insert(0);
            let out_of_order = seq < *last;
            *last = (*last).max(seq);
            out_of_order.then(|| {
                format!("client {receiver} got line {seq} of client {sender} after {last}")
            })
        };
        if self.violation.is_none() {
            self.violation = fail;
        }
    }
}

struct Node {
    client_port: u16,
    server_port: u16,
    relay_port: u16,
    child: Option<Child>,
}

/// Relayed server links: (relay of server, peer it serves) → the two sockets.
type Links = Arc<Mutex<Vec<(usize, Option<usize>, TcpStream, TcpStream)>>>;

pub fn run(plan: &Plan) -> Result<String, String> {
    let dir =
        std::env::temp_dir().join(format!("mchat-chaos-{}-{}", std::process::id(), plan.seed));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut nodes = Vec::new();
    let mut ports_rng = Rng(u64::from(std::process::id()) << 20 ^ plan.seed | 1);
    for _ in 0..plan.servers {
        let mut p = || free_port(&mut ports_rng).map_err(|e| e.to_string());
        nodes.push(Node {
            client_port: p()?,
            server_port: p()?,
            relay_port: p()?,
            child: None,
        });
    }
    let relay_ports: Vec<u16> = nodes.iter().map(|n| n.relay_port).collect();
    let cuts: Arc<Mutex<HashSet<(usize, usize)>>> = Arc::default();
    let links: Links = Arc::default();
    for (i, node) in nodes.iter().enumerate() {
        relay(i, node, &relay_ports, &cuts, &links).map_err(|e| format!("relay {i}: {e}"))?;
    }
    let start = |nodes: &mut Vec<Node>, i: usize, via: Option<usize>| -> Result<(), String> {
        let peer = via.and_then(|v| nodes.get(v)).map(|n| n.relay_port);
        let node = nodes.get_mut(i).ok_or("no such server")?;
        let mut cmd = Command::new(&plan.server_bin);
        cmd.args([
            "start",
            "--non-daemon",
            "--reconnect-ms",
            "500",
            "--advertise-port",
        ])
        .arg(node.relay_port.to_string())
        .arg("--pidfile")
        .arg(dir.join(format!("{i}.pid")))
        .arg("--log-dir")
        .arg(&dir)
        .args([
            "127.0.0.1",
            &node.client_port.to_string(),
            &node.server_port.to_string(),
        ]);
        if let Some(peer) = peer {
            cmd.args(["127.0.0.1", &peer.to_string()]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        // Wait for its "listening" line.
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        if !line.contains("listening") {
            let _ = child.wait();
            return Err(format!(
                "server {i} did not start (ports {} {})",
                node.client_port, node.server_port
            ));
        }
        node.child = Some(child);
        Ok(())
    };
    for i in 0..plan.servers {
        start(&mut nodes, i, (i > 0).then_some(0))?;
        trace(&format!("server {i} started"));
    }
    std::thread::sleep(Duration::from_secs(2));

    let ledger: Arc<Mutex<Ledger>> = Arc::default();
    let ports: Vec<u16> = nodes.iter().map(|n| n.client_port).collect();
    let clients = plan.servers * plan.clients_per_server;
    let stop = Arc::new(Mutex::new(false));
    let mut talkers = Vec::new();
    for c in 0..clients {
        let port = ports.get(c % plan.servers).copied().unwrap_or(0);
        let (ledger, stop) = (ledger.clone(), stop.clone());
        talkers.push(std::thread::spawn(move || {
            talk(c, port, &ledger, &stop, "chat")
        }));
    }

    // Failures, one server down at a time.
    let mut rng = Rng(plan.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let deadline = Instant::now() + plan.duration;
    let mut events = 0;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1000 + rng.below(2000)));
        let down = nodes.iter().position(|n| n.child.is_none());
        match (rng.below(3), down) {
            (0, None) => {
                let i = rng.below(plan.servers as u64) as usize;
                if let Some(mut child) = nodes.get_mut(i).and_then(|n| n.child.take()) {
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
            (0, Some(i)) => {
                let via = (0..plan.servers)
                    .find(|&j| j != i && nodes.get(j).is_some_and(|n| n.child.is_some()));
                start(&mut nodes, i, via)?;
            }
            _ => {
                let a = rng.below(plan.servers as u64) as usize;
                let b = (a + 1 + rng.below(plan.servers as u64 - 1) as usize) % plan.servers;
                let pair = (a.min(b), a.max(b));
                let mut cut = lock(&cuts);
                if cut.remove(&pair) {
                    continue;
                }
                cut.insert(pair);
                for (at, peer, x, y) in lock(&links).iter() {
                    if (*at, *peer) == (pair.0, Some(pair.1))
                        || (*at, *peer) == (pair.1, Some(pair.0))
                    {
                        let _ = x.shutdown(Shutdown::Both);
                        let _ = y.shutdown(Shutdown::Both);
                    }
                }
            }
        }
        events += 1;
        trace(&format!(
            "event {events}: down {down:?}, cuts {:?}",
            lock(&cuts)
        ));
        if let Some(v) = lock(&ledger).violation.clone() {
            return finish(nodes, Err(v));
        }
    }
    trace("failures over; healing");
    // Heal everything; restart whoever is down.
    lock(&cuts).clear();
    if let Some(i) = nodes.iter().position(|n| n.child.is_none()) {
        let via = (0..plan.servers).find(|&j| j != i);
        start(&mut nodes, i, via)?;
    }
    *lock(&stop) = true;
    for t in talkers {
        let _ = t.join();
    }
    trace("talkers stopped");
    // The mesh must carry every line to everyone again, within 3 minutes.
    let healed = Instant::now();
    let result = final_round(
        &ports,
        plan.clients_per_server,
        &ledger,
        Duration::from_secs(180),
    );
    // Read the ledger once: a guard held across the match would deadlock.
    let (violation, received) = {
        let l = lock(&ledger);
        (l.violation.clone(), l.received)
    };
    let verdict = match (result, violation) {
        (_, Some(v)) => Err(v),
        (Err(e), None) => Err(e),
        (Ok(()), None) => Ok(format!(
            "{events} failures over {:?}, {} lines received, mesh whole again {:.1?} after the last heal",
            plan.duration,
            received,
            healed.elapsed()
        )),
    };
    finish(nodes, verdict)
}

/// Progress on stderr with `MCHAT_CHAOS_TRACE=1`.
fn trace(what: &str) {
    if std::env::var_os("MCHAT_CHAOS_TRACE").is_some() {
        eprintln!("chaos: {what}");
    }
}

fn finish(nodes: Vec<Node>, verdict: Result<String, String>) -> Result<String, String> {
    for mut node in nodes {
        if let Some(mut child) = node.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
    verdict
}

/// Relay in front of server `i`'s server port; learns each dialler from
/// its `MY_ADDR`, and refuses or cuts links the plan has cut.
fn relay(
    i: usize,
    node: &Node,
    relay_ports: &[u16],
    cuts: &Arc<Mutex<HashSet<(usize, usize)>>>,
    links: &Links,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", node.relay_port))?;
    let target = node.server_port;
    let (relay_ports, cuts, links) = (relay_ports.to_vec(), cuts.clone(), links.clone());
    std::thread::spawn(move || {
        for inbound in listener.incoming().flatten() {
            let Ok(outbound) = TcpStream::connect(("127.0.0.1", target)) else {
                continue;
            };
            let clones = (
                inbound.try_clone(),
                inbound.try_clone(),
                inbound.try_clone(),
                outbound.try_clone(),
                outbound.try_clone(),
            );
            let (Ok(in2), Ok(in3), Ok(in4), Ok(out2), Ok(out3)) = clones else {
                continue;
            };
            lock(&links).push((i, None, in3, out3));
            let (relay_ports, cuts, links) = (relay_ports.clone(), cuts.clone(), links.clone());
            // Dialler → server: copied line by line, watching for MY_ADDR.
            std::thread::spawn(move || {
                let mut out = outbound;
                for line in BufReader::new(inbound).split(b'\n').map_while(Result::ok) {
                    if let Some(port) = line.strip_prefix(b"MY_ADDR 127.0.0.1 ")
                        && let Some(j) = std::str::from_utf8(port)
                            .ok()
                            .and_then(|p| p.parse::<u16>().ok())
                            .and_then(|p| relay_ports.iter().position(|&r| r == p))
                    {
                        for entry in lock(&links).iter_mut() {
                            if entry.0 == i
                                && entry.1.is_none()
                                && entry.2.peer_addr().ok() == in2.peer_addr().ok()
                            {
                                entry.1 = Some(j);
                            }
                        }
                        if lock(&cuts).contains(&(i.min(j), i.max(j))) {
                            break;
                        }
                    }
                    if out
                        .write_all(&line)
                        .and_then(|()| out.write_all(b"\n"))
                        .is_err()
                    {
                        break;
                    }
                }
                let _ = out.shutdown(Shutdown::Both);
                let _ = in2.shutdown(Shutdown::Both);
            });
            // Server → dialler: plain copy.
            std::thread::spawn(move || {
                let (mut from, mut to) = (out2, in4);
                let _ = std::io::copy(&mut from, &mut to);
                let _ = to.shutdown(Shutdown::Both);
            });
        }
    });
    Ok(())
}

/// One client: joins `lobby`, says a numbered line every 100 ms until told
/// to stop, reconnecting when its server dies.
fn talk(c: usize, port: u16, ledger: &Arc<Mutex<Ledger>>, stop: &Arc<Mutex<bool>>, kind: &str) {
    let mut conn = 0u64;
    while !*lock(stop) {
        conn += 1;
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        };
        let _ = stream.write_all(format!("NICK c{c}\nJOIN lobby\n").as_bytes());
        let reader = stream
            .try_clone()
            .ok()
            .map(|s| listen(c, s, ledger.clone()));
        let mut seq = 0;
        while !*lock(stop) {
            seq += 1;
            if stream
                .write_all(format!("MSG c{c} lobby {kind} {c} {conn} {seq}\n").as_bytes())
                .is_err()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = stream.shutdown(Shutdown::Both);
        if let Some(reader) = reader {
            let _ = reader.join();
        }
    }
}

/// Reads a client's lines on a thread of their own, answering HEART, and
/// hands each chat line's text to `each`.
fn on_texts(
    stream: TcpStream,
    mut each: impl FnMut(&str) + Send + 'static,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut answer = stream.try_clone().ok();
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if line == "HEART" {
                if let Some(a) = answer.as_mut() {
                    let _ = a.write_all(b"BLEED\n");
                }
            } else if let Some(text) = line
                .strip_prefix("MSG ")
                .and_then(|rest| rest.splitn(3, ' ').nth(2))
            {
                each(text);
            }
        }
    })
}

/// Reads a client's lines into the ledger, answering HEART.
fn listen(c: usize, stream: TcpStream, ledger: Arc<Mutex<Ledger>>) -> std::thread::JoinHandle<()> {
    on_texts(stream, move |text| lock(&ledger).record(c, text))
}

/// How often (receiver, sender, round) arrived in the final rounds.
type Arrivals = HashMap<(usize, usize, u64), u32>;

/// The connection number of final-round lines, apart from any chat one.
const FINAL_CONN: u64 = 1_000_000;

/// After healing: every client says `final` lines until one round reaches
/// everyone; then a last round must arrive exactly once everywhere.
fn final_round(
    ports: &[u16],
    per_server: usize,
    ledger: &Arc<Mutex<Ledger>>,
    within: Duration,
) -> Result<(), String> {
    let clients = ports.len() * per_server;
    let mut streams = Vec::new();
    let got: Arc<Mutex<Arrivals>> = Arc::default();
    for c in 0..clients {
        let port = ports.get(c % ports.len()).copied().unwrap_or(0);
        let mut s = TcpStream::connect(("127.0.0.1", port))
            .map_err(|e| format!("final client {c}: {e}"))?;
        let _ = s.write_all(format!("NICK f{c}\nJOIN final\n").as_bytes());
        let (r, got, ledger) = (
            s.try_clone().map_err(|e| e.to_string())?,
            got.clone(),
            ledger.clone(),
        );
        on_texts(r, move |text| {
            let mut f = text.split(' ').skip(1);
            if let (Some(Ok(s)), Some(Ok(round))) =
                (f.next().map(str::parse), f.nth(1).map(str::parse))
            {
                *lock(&got).entry((c, s, round)).or_insert(0) += 1;
            }
            lock(&ledger).record(c, text);
        });
        streams.push(s);
    }
    let deadline = Instant::now() + within;
    for round in 1u64.. {
        if Instant::now() > deadline {
            return Err(format!(
                "the mesh did not carry a round to everyone within {within:?}"
            ));
        }
        for (c, s) in streams.iter_mut().enumerate() {
            let _ =
                s.write_all(format!("MSG f{c} final final {c} {FINAL_CONN} {round}\n").as_bytes());
        }
        std::thread::sleep(Duration::from_secs(2));
        let g = lock(&got);
        trace(&format!(
            "final round {round}: {} (receiver, sender, round) seen",
            g.len()
        ));
        let everyone =
            (0..clients).all(|r| (0..clients).all(|s| s == r || g.get(&(r, s, round)).is_some()));
        if everyone {
            // That round, and every later one, exactly once.
            let twice = g.iter().find(|(_, n)| **n > 1);
            return match twice {
                Some(((r, s, k), n)) => {
                    Err(format!("client {r} got final round {k} of {s} {n} times"))
                }
                None => Ok(()),
            };
        }
    }
    Ok(())
}
