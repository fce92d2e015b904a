//! JSON writer: the whole report as one JSON document, streamed (the prefix first, each row
//! as it arrives, the closing brackets at `finish`):
//!
//! ```json
//! {"title":"…","description":"…","params":{"기간":"…"},"generated_at":"…","sections":[
//! {"title":"…","display":"line","columns":[{"label":"매출","type":"number","format":"krw"}],
//!  "x":0,"y":[1],"rows":[
//! ["2026-11-01",1234567.50],
//! …]}]}
//! ```
//!
//! Decisions:
//! - Values are typed: numbers are JSON numbers (a `numeric` verbatim when it is a valid
//!   JSON number, so no digits are lost; Postgres's `NaN`/`Infinity` become strings, as do
//!   non-finite floats: `"NaN"`, `"Infinity"`, `"-Infinity"`), booleans, NULL `null`,
//!   dates `"YYYY-MM-DD"`, timestamps ISO 8601 `"YYYY-MM-DDTHH:MM:SS[.fff]"` (local time of
//!   the report, no offset). Formats are not applied; each column names its format instead.
//! - Column `type`: bool, integer, number, text, date, timestamp. `format`: auto, text,
//!   integer, number, krw, percent, ratio, date, datetime, plus `decimals` for number,
//!   percent and ratio. Chart sections also carry `x` and `y` (column indexes), and `band`
//!   (the low and high column of a shaded interval) when they have one.
//! - `params` is an object in declaration order (a repeated name keeps both entries, which
//!   most parsers resolve to the last).
//! - One row per line, so the output is readable and diff-friendly.

use super::text::{plain, Plain};
use super::{ColumnType, Format, Meta, Options, RenderError, Renderer, Result, SectionHead, Value};
use std::fmt::Write as _;
use std::io::{BufWriter, Write};

/// A JSON string literal.
fn string(s: &str) -> String {
    serde_json::to_string(s).expect("strings always serialise")
}

/// Whether `s` is a JSON number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
pub fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_start] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Appends `value` as JSON to `out` (see the module docs).
pub fn push_value(out: &mut String, value: &Value) {
    match plain(value, 'T') {
        Plain::Null => out.push_str("null"),
        Plain::Float(f) => {
            out.push_str(&serde_json::Number::from_f64(f).map_or_else(|| "null".into(), |n| n.to_string()))
        }
        Plain::Decimal(s) if is_json_number(s) => out.push_str(s),
        Plain::Decimal(s) => out.push_str(&string(s)),
        Plain::Bare(s) => out.push_str(&s),
        Plain::Text(s) => out.push_str(&string(&s)),
    }
}

fn type_name(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Bool => "bool",
        ColumnType::Integer => "integer",
        ColumnType::Number => "number",
        ColumnType::Text => "text",
        ColumnType::Date => "date",
        ColumnType::Timestamp => "timestamp",
    }
}

/// `"format":"…"` and, when the format has them, `"decimals":n`.
fn format_fields(format: Format) -> String {
    let (name, decimals) = match format {
        Format::Auto => ("auto", None),
        Format::Text => ("text", None),
        Format::Integer => ("integer", None),
        Format::Number { decimals } => ("number", Some(decimals)),
        Format::CurrencyKrw => ("krw", None),
        Format::Percent { decimals } => ("percent", Some(decimals)),
        Format::Ratio { decimals } => ("ratio", Some(decimals)),
        Format::Date => ("date", None),
        Format::DateTime => ("datetime", None),
    };
    match decimals {
        Some(d) => format!("\"format\":\"{name}\",\"decimals\":{d}"),
        None => format!("\"format\":\"{name}\""),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    New,
    Document,
    Section,
}

/// Streams a report as one JSON document.
pub struct JsonRenderer<W: Write> {
    out: BufWriter<W>,
    state: State,
    sections: usize,
    rows: usize,
    line: String,
}

impl<W: Write> JsonRenderer<W> {
    /// `options` has nothing for JSON; taken so every writer is built alike.
    pub fn new(out: W, options: Options) -> Self {
        let _ = options;
        JsonRenderer { out: BufWriter::new(out), state: State::New, sections: 0, rows: 0, line: String::new() }
    }

    fn expect(&self, state: State, what: &'static str) -> Result<()> {
        if self.state == state {
            Ok(())
        } else {
            Err(RenderError::Protocol(what))
        }
    }
}

impl<W: Write> Renderer for JsonRenderer<W> {
    fn begin(&mut self, meta: &Meta) -> Result<()> {
        self.expect(State::New, "begin called twice")?;
        let params: Vec<String> = meta.params.iter().map(|(k, v)| format!("{}:{}", string(k), string(v))).collect();
        let s = format!(
            "{{\"title\":{},\"description\":{},\"params\":{{{}}},\"generated_at\":{},\"sections\":[",
            string(&meta.title),
            string(&meta.description),
            params.join(","),
            string(&meta.generated_at)
        );
        self.out.write_all(s.as_bytes())?;
        self.state = State::Document;
        Ok(())
    }

    fn section(&mut self, head: &SectionHead) -> Result<()> {
        self.expect(State::Document, "section outside the document or inside another section")?;
        let columns: Vec<String> = head
            .columns
            .iter()
            .map(|c| {
                format!(
                    "{{\"label\":{},\"type\":\"{}\",{}}}",
                    string(&c.label),
                    type_name(c.kind),
                    format_fields(c.format)
                )
            })
            .collect();
        let mut s = format!(
            "{}\n{{\"title\":{},\"display\":\"{}\",\"columns\":[{}]",
            if self.sections > 0 { "," } else { "" },
            string(&head.title),
            head.display.name(),
            columns.join(",")
        );
        if head.display.is_chart() {
            let ys: Vec<String> = head.y.iter().map(|y| y.to_string()).collect();
            let _ = write!(s, ",\"x\":{},\"y\":[{}]", head.x, ys.join(","));
            if let Some([lo, hi]) = head.band {
                let _ = write!(s, ",\"band\":[{lo},{hi}]");
            }
        }
        s.push_str(",\"rows\":[");
        self.out.write_all(s.as_bytes())?;
        self.sections += 1;
        self.rows = 0;
        self.state = State::Section;
        Ok(())
    }

    fn row(&mut self, row: &[Value]) -> Result<()> {
        self.expect(State::Section, "row outside a section")?;
        self.line.clear();
        self.line.push_str(if self.rows > 0 { ",\n[" } else { "\n[" });
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            push_value(&mut self.line, v);
        }
        self.line.push(']');
        self.out.write_all(self.line.as_bytes())?;
        self.rows += 1;
        Ok(())
    }

    fn end_section(&mut self) -> Result<()> {
        self.expect(State::Section, "end_section outside a section")?;
        self.out.write_all(b"]}")?;
        self.state = State::Document;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.expect(State::Document, "finish before begin or inside a section")?;
        self.out.write_all(b"]}\n")?;
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Column, Display};
    use chrono::NaiveDate;
    use serde_json::{json, Value as J};

    fn render(sections: &[(SectionHead, Vec<Vec<Value>>)]) -> J {
        let mut buf = Vec::new();
        let mut r = Box::new(JsonRenderer::new(&mut buf, Options::default()));
        r.begin(&Meta {
            title: "주간 \"보고서\"".into(),
            description: "줄\n바꿈".into(),
            params: vec![("기간".into(), "7일".into()), ("shop".into(), "1".into())],
            generated_at: "2026-11-24 09:00 KST".into(),
            section_count: sections.len(),
        })
        .unwrap();
        for (h, rows) in sections {
            r.section(h).unwrap();
            for row in rows {
                r.row(row).unwrap();
            }
            r.end_section().unwrap();
        }
        r.finish().unwrap();
        serde_json::from_slice(&buf).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&buf)))
    }

    fn head(display: Display) -> SectionHead {
        SectionHead {
            title: "매출".into(),
            display,
            columns: vec![
                Column { label: "날짜".into(), kind: ColumnType::Date, format: Format::Auto },
                Column { label: "금액".into(), kind: ColumnType::Number, format: Format::CurrencyKrw },
                Column { label: "비율".into(), kind: ColumnType::Number, format: Format::Ratio { decimals: 1 } },
            ],
            x: 0,
            band: None,
            y: vec![1],
        }
    }

    #[test]
    fn values_round_trip_with_their_types() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let rows = vec![
            vec![Value::Date(d), Value::Decimal("12345678901234567890.125".into()), Value::Float(0.1)],
            vec![Value::Timestamp(d.and_hms_opt(9, 30, 5).unwrap()), Value::Int(-42), Value::Float(f64::NAN)],
            vec![Value::Null, Value::Decimal("NaN".into()), Value::Float(f64::NEG_INFINITY)],
            vec![Value::Bool(true), Value::Text("<\"가\">\u{1}".into()), Value::Float(1e300)],
        ];
        let doc = render(&[(head(Display::Line), rows), (head(Display::Table), vec![])]);
        assert_eq!(doc["title"], "주간 \"보고서\"");
        assert_eq!(doc["description"], "줄\n바꿈");
        assert_eq!(doc["params"], json!({"기간": "7일", "shop": "1"}));
        assert_eq!(doc["generated_at"], "2026-11-24 09:00 KST");
        let s = &doc["sections"][0];
        assert_eq!(s["display"], "line");
        assert_eq!(s["x"], 0);
        assert_eq!(s["y"], json!([1]));
        assert!(s.get("band").is_none());
        assert_eq!(
            s["columns"],
            json!([
                {"label": "날짜", "type": "date", "format": "auto"},
                {"label": "금액", "type": "number", "format": "krw"},
                {"label": "비율", "type": "number", "format": "ratio", "decimals": 1},
            ])
        );
        assert_eq!(
            s["rows"],
            json!([
                ["2026-10-31", 12345678901234567890.125, 0.1],
                ["2026-10-31T09:30:05", -42, "NaN"],
                [null, "NaN", "-Infinity"],
                [true, "<\"가\">\u{1}", 1e300],
            ])
        );
        assert_eq!(doc["sections"][1]["rows"], json!([]));
        assert!(doc["sections"][1].get("x").is_none());
        assert_eq!(doc["sections"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn decimals_are_written_verbatim() {
        let mut s = String::new();
        push_value(&mut s, &Value::Decimal("1234.500".into()));
        assert_eq!(s, "1234.500");
        for ok in ["0", "-0.5", "10", "1e5", "2.5E-3"] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in ["", "-", "01", ".5", "5.", "1e", "+1", "NaN", "Infinity", "1 ", "0x10"] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn empty_report_is_valid_json() {
        let doc = render(&[]);
        assert_eq!(doc["sections"], json!([]));
    }
}
