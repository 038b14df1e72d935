//! The browser client's files, built into the binary (`mchat-server/web/`:
//! plain HTML, CSS and JavaScript, no build step).

const INDEX: &str = include_str!("../../web/index.html");
const SCRIPT: &str = include_str!("../../web/app.js");
const PROTOCOL: &str = include_str!("../../web/protocol.js");
const STYLE: &str = include_str!("../../web/style.css");

/// The content type and body of the file at `path`, if it is one.
pub fn file(path: &str) -> Option<(&'static str, &'static str)> {
    match path {
        "/" | "/index.html" => Some(("text/html; charset=utf-8", INDEX)),
        "/app.js" => Some(("text/javascript; charset=utf-8", SCRIPT)),
        "/protocol.js" => Some(("text/javascript; charset=utf-8", PROTOCOL)),
        "/style.css" => Some(("text/css; charset=utf-8", STYLE)),
        _ => None,
    }
}
