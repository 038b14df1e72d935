//! Results as a human table or as JSON (`--json`), in a fixed order.

/// Named figures of one run.
pub struct Report {
    name: &'static str,
    figures: Vec<(&'static str, f64)>,
}

impl Report {
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            figures: Vec::new(),
        }
    }

    pub fn num(&mut self, key: &'static str, value: f64) -> &mut Self {
        self.figures.push((key, value));
        self
    }

    fn show(value: f64) -> String {
        if value.fract() == 0.0 && value.abs() < 1e15 {
            format!("{value:.0}")
        } else {
            format!("{value:.3}")
        }
    }

    pub fn json(&self) -> String {
        let fields: Vec<String> = self
            .figures
            .iter()
            .map(|(k, v)| format!("\"{k}\": {}", Self::show(*v)))
            .collect();
        format!("{{\"test\": \"{}\", {}}}", self.name, fields.join(", "))
    }

    pub fn table(&self) -> String {
        let width = self.figures.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let mut out = format!("mchat-tester {}\n", self.name);
        for (key, value) in &self.figures {
            out.push_str(&format!("  {key:<width$}  {}\n", Self::show(*value)));
        }
        out
    }
}

/// `s` as a JSON string literal, quotes included.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::json_string;

    #[test]
    fn json_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(json_string("plain"), "\"plain\"");
        assert_eq!(json_string("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
        assert_eq!(json_string("x\ny\u{1}"), "\"x\\ny\\u0001\"");
        assert_eq!(json_string("≤ 7 KiB"), "\"≤ 7 KiB\"");
    }
}
