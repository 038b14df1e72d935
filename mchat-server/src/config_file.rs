//! `--config PATH`: the options of `start` in a TOML file, by the flags'
//! names without their dashes. A flag given on the command line wins over
//! the file; the defaults are the ones `Start` falls back on (one source:
//! the core's `ServerConfig::new` and the driver's settings).

use std::path::Path;

use crate::cli::Start;
use crate::error::Error;

/// Reads `path` as the options of `start`. An unknown key, a wrong type or
/// a TOML error is reported with its line.
pub fn read(path: &Path) -> Result<Start, Error> {
    let failed = |why: String| Error::Config {
        path: path.to_owned(),
        why,
    };
    let text = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
    toml::from_str(&text).map_err(|e| failed(located(&text, &e)))
}

/// A TOML error as one line: what is wrong, and at which line.
fn located(text: &str, e: &toml::de::Error) -> String {
    let mut what = e.message().trim_end_matches('\n').replace('\n', "; ");
    // serde lists every option after an unknown one: --help does better.
    if what.starts_with("unknown field")
        && let Some(at) = what.find(", expected")
    {
        what.truncate(at);
        what.push_str(" (mchat-server start --help lists the options)");
    }
    match e.span() {
        Some(span) => {
            let line = text
                .get(..span.start)
                .map_or(0, |t| t.matches('\n').count())
                + 1;
            format!("line {line}: {what}")
        }
        None => what,
    }
}

/// `file` with what the command line gave laid over it: every option the
/// command line set (a switch given, a value given, a peer named) wins.
pub fn overlay(file: Start, cli: &Start) -> Result<Start, Error> {
    let table = |start: &Start| {
        toml::Table::try_from(start).map_err(|e| Error::Config {
            path: cli.config.clone().unwrap_or_default(),
            why: e.to_string(),
        })
    };
    let mut merged = table(&file)?;
    let given = table(cli)?;
    for (key, value) in given {
        let unset = match &value {
            toml::Value::Boolean(false) => true,
            toml::Value::Array(items) => items.is_empty(),
            _ => false,
        };
        if !unset {
            merged.insert(key, value);
        }
    }
    let mut start: Start = merged
        .try_into()
        .map_err(|e: toml::de::Error| Error::Config {
            path: cli.config.clone().unwrap_or_default(),
            why: e.to_string(),
        })?;
    // Not in files: the command line's own.
    start.config = cli.config.clone();
    start.print_config = cli.print_config;
    start.host = cli.host.clone();
    start.client_port = cli.client_port;
    start.server_port = cli.server_port;
    start.peer = cli.peer.clone();
    Ok(start)
}

/// The command line with its config file, if it names one.
pub fn with_file(cli: Start) -> Result<Start, Error> {
    match &cli.config {
        Some(path) => overlay(read(path)?, &cli),
        None => Ok(cli),
    }
}

/// The configuration in force, as a config file: every option that has a
/// value, defaults filled in (an option with no default, unset, is left
/// out).
pub fn render(start: &Start) -> Result<String, Error> {
    let filled = start.with_defaults()?;
    let text = toml::to_string(&filled).map_err(|e| Error::Config {
        path: start.config.clone().unwrap_or_default(),
        why: e.to_string(),
    })?;
    Ok(format!(
        "# mchat-server start: the configuration in force\n{text}"
    ))
}

/// Options the state machine never sees, read only when the server starts:
/// the sockets, files and the process's own settings.
const AT_START_ONLY: [&str; 16] = [
    "ws",
    "ws-tls",
    "ws-allowed-origin",
    "non-daemon",
    "pidfile",
    "log-dir",
    "log-max-bytes",
    "connect-timeout-ms",
    "monitor",
    "drain-ms",
    "tls-cert",
    "tls-key",
    "tls-ca",
    "tls-client-port",
    "no-plain",
    "tls-mesh",
];

/// Which of [`AT_START_ONLY`] differ between the options the server
/// started with and `now`: a reload says they take a restart.
pub fn read_at_start_only(started: &Start, now: &Start) -> Vec<String> {
    let table = |s: &Start| toml::Table::try_from(s).unwrap_or_default();
    let (before, after) = (table(started), table(now));
    AT_START_ONLY
        .iter()
        .filter(|key| before.get(**key) != after.get(**key))
        .map(|key| (*key).to_owned())
        .collect()
}
