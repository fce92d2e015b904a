//! Text helpers the writers share: escaping for HTML and XML (the HTML writer, dashboards
//! and the charts' SVG).

/// Text for HTML (content and quoted attributes) and XML/SVG: escapes `& < > " '`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
