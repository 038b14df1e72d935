//! Just enough HTTP/1.1 for the monitoring endpoints and the web
//! listener: one `GET` (or `HEAD`) a connection, its head read within a
//! size and a time, one response (or a WebSocket upgrade).

/// The most bytes a request head may have: a scraper's request is a few
/// hundred.
pub const MAX_HEAD: usize = 8 * 1024;

/// A request the endpoints can answer.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    /// `HEAD`: the same answer without its body.
    pub head_only: bool,
    /// The path, without its query.
    pub path: String,
    /// The header fields, names in lower case, values trimmed.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The value of header `name` (lower case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Does header `name` list `token` (comma-separated, any case)?
    pub fn header_has(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }
}

/// Why a request cannot be answered as asked.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Not a request line of HTTP/1.x.
    #[error("malformed request")]
    Malformed,
    /// A method other than `GET` and `HEAD`.
    #[error("only GET and HEAD are served")]
    Method,
    /// The head did not end within [`MAX_HEAD`] bytes.
    #[error("request head too large")]
    TooLarge,
}

/// Where the head ends (just past its blank line), once it has.
pub fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
        .or_else(|| buf.windows(2).position(|w| w == b"\n\n").map(|at| at + 2))
}

/// Reads the request line of a complete head.
pub fn parse(head: &[u8]) -> Result<Request, RequestError> {
    let text = std::str::from_utf8(head).map_err(|_| RequestError::Malformed)?;
    let mut lines = text.lines();
    let line = lines.next().ok_or(RequestError::Malformed)?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(RequestError::Malformed);
    };
    if !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return Err(RequestError::Malformed);
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        m if !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()) => {
            return Err(RequestError::Method);
        }
        _ => return Err(RequestError::Malformed),
    };
    let path = target.split('?').next().unwrap_or(target).to_owned();
    let mut headers = Vec::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or(RequestError::Malformed)?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok(Request {
        head_only,
        path,
        headers,
    })
}

/// An answer: status, content type, body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Response {
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }

    /// The bytes on the wire; the body left out for `HEAD`.
    pub fn to_bytes(&self, head_only: bool) -> Vec<u8> {
        let reason = match self.status {
            101 => "Switching Protocols",
            200 => "OK",
            403 => "Forbidden",
            426 => "Upgrade Required",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            431 => "Request Header Fields Too Large",
            500 => "Internal Server Error",
            503 => "Service Unavailable",
            _ => "",
        };
        let allow = if self.status == 405 {
            "Allow: GET, HEAD\r\n"
        } else {
            ""
        };
        let mut out = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{allow}Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            self.status,
            self.content_type,
            self.body.len()
        )
        .into_bytes();
        if !head_only {
            out.extend_from_slice(self.body.as_bytes());
        }
        out
    }
}

impl RequestError {
    /// The answer to a request that cannot be served.
    pub fn response(&self) -> Response {
        let status = match self {
            RequestError::Malformed => 400,
            RequestError::Method => 405,
            RequestError::TooLarge => 431,
        };
        Response::text(status, format!("{self}\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scrapers_request_is_read_to_its_path() {
        let head = b"GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n";
        assert_eq!(head_end(head), Some(head.len()));
        let request = parse(head).unwrap();
        assert!(!request.head_only);
        assert_eq!(request.path, "/metrics");
        assert_eq!(request.header("host"), Some("a"));
        assert_eq!(request.header("accept"), Some("*/*"));
        assert!(parse(b"HEAD / HTTP/1.0\n\n").unwrap().head_only);
    }

    #[test]
    fn anything_else_is_refused_by_kind() {
        for (head, want) in [
            (&b"POST /metrics HTTP/1.1\r\n\r\n"[..], RequestError::Method),
            (b"GET /metrics\r\n\r\n", RequestError::Malformed),
            (b"GET metrics HTTP/1.1\r\n\r\n", RequestError::Malformed),
            (b"GET /  HTTP/1.1\r\n\r\n", RequestError::Malformed),
            (b"\xff\xfe / HTTP/1.1\r\n\r\n", RequestError::Malformed),
            (b"get / HTTP/1.1\r\n\r\n", RequestError::Malformed),
            (b"GET / SPDY/3\r\n\r\n", RequestError::Malformed),
        ] {
            assert_eq!(parse(head), Err(want), "{head:?}");
        }
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n"), None);
    }

    #[test]
    fn a_response_says_its_length_and_closes() {
        let bytes = Response::text(404, "no\n").to_bytes(false);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"), "{text}");
        assert!(text.contains("Content-Length: 3\r\n"));
        assert!(text.contains("Connection: close\r\n"));
        assert!(text.ends_with("\r\n\r\nno\n"));
        let head = String::from_utf8(Response::text(200, "body").to_bytes(true)).unwrap();
        assert!(head.ends_with("\r\n\r\n"), "{head}");
    }
}
