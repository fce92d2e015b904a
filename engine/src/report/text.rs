//! Text helpers the writers share: escaping for HTML and XML (the HTML writer, dashboards
//! and the charts' SVG), a value's machine-readable text (CSV and JSON) and the column-width
//! estimate (PDF and XLSX tables).

use super::Value;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use std::borrow::Cow;

/// Rows (after the header) a table's column widths are estimated from (PDF and XLSX).
pub const WIDTH_SAMPLE: usize = 100;

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

/// A value as machine-readable text, the form the CSV and JSON writers share: numbers raw,
/// booleans `true`/`false`, dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD?HH:MM:SS` (fractional
/// seconds only when there are some, `?` the writer's separator), ±infinity as `Infinity`.
#[derive(Clone, Debug, PartialEq)]
pub enum Plain<'a> {
    Null,
    /// Booleans and integers: JSON writes them bare.
    Bare(Cow<'a, str>),
    /// A `numeric`, verbatim (so possibly `NaN`): JSON writes it bare when it is a JSON number.
    Decimal(&'a str),
    /// A finite float, left to the writer (CSV: Rust's shortest round trip; JSON: serde_json's).
    Float(f64),
    /// Text, dates, timestamps and non-finite floats: JSON strings.
    Text(Cow<'a, str>),
}

/// The machine-readable text of `value` (see [`Plain`]); `date_time` goes between a
/// timestamp's date and time (CSV `' '`, JSON `'T'`).
pub fn plain(value: &Value, date_time: char) -> Plain<'_> {
    match value {
        Value::Null => Plain::Null,
        Value::Bool(b) => Plain::Bare(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Int(i) => Plain::Bare(Cow::Owned(i.to_string())),
        Value::Float(f) if f.is_nan() => Plain::Text(Cow::Borrowed("NaN")),
        Value::Float(f) if f.is_infinite() => {
            Plain::Text(Cow::Borrowed(if *f > 0.0 { "Infinity" } else { "-Infinity" }))
        }
        Value::Float(f) => Plain::Float(*f),
        Value::Decimal(s) => Plain::Decimal(s),
        Value::Text(s) => Plain::Text(Cow::Borrowed(s)),
        Value::Date(d) => Plain::Text(Cow::Owned(date_text(*d))),
        Value::Timestamp(t) => Plain::Text(Cow::Owned(timestamp_text(*t, date_time))),
    }
}

/// `YYYY-MM-DD`, as chrono's `%Y-%m-%d` writes it, without parsing a format per cell (a
/// million-row export writes a million dates; chrono's formatter was most of its time).
fn date_text(d: NaiveDate) -> String {
    let mut out = String::with_capacity(10);
    push_date(&mut out, d);
    out
}

/// The date, `date_time`, then `HH:MM:SS` and, as chrono's `%.f`, nothing or 3, 6 or 9
/// digits of fraction.
fn timestamp_text(t: NaiveDateTime, date_time: char) -> String {
    let mut out = String::with_capacity(29);
    push_date(&mut out, t.date());
    out.push(date_time);
    let nanos = t.nanosecond();
    if nanos >= 1_000_000_000 {
        // A leap second: chrono's own rendering.
        out.push_str(&t.format("%H:%M:%S%.f").to_string());
        return out;
    }
    push_digits(&mut out, t.hour(), 2);
    out.push(':');
    push_digits(&mut out, t.minute(), 2);
    out.push(':');
    push_digits(&mut out, t.second(), 2);
    let (fraction, width) = match nanos {
        0 => return out,
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    out.push('.');
    push_digits(&mut out, fraction, width);
    out
}

fn push_date(out: &mut String, d: NaiveDate) {
    if !(0..=9999).contains(&d.year()) {
        // chrono signs years outside 0..=9999 and pads them to 4 digits or more.
        out.push_str(&d.format("%Y-%m-%d").to_string());
        return;
    }
    push_digits(out, d.year() as u32, 4);
    out.push('-');
    push_digits(out, d.month(), 2);
    out.push('-');
    push_digits(out, d.day(), 2);
}

/// `n` zero-padded to `width` digits (`n < 10^width`).
fn push_digits(out: &mut String, n: u32, width: u32) {
    for p in (0..width).rev() {
        out.push(char::from(b'0' + (n / 10u32.pow(p) % 10) as u8));
    }
}

/// A table's natural column widths: each column as wide as the widest of its header and
/// the sampled cells. The writer measures and pads (PDF in points from the font, XLSX in
/// character units) and chooses the rows it samples (about [`WIDTH_SAMPLE`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColumnWidths(Vec<f64>);

impl ColumnWidths {
    /// Starts from the header cells' widths.
    pub fn new(header: impl IntoIterator<Item = f64>) -> Self {
        ColumnWidths(header.into_iter().collect())
    }

    /// Widens each column to one sampled row's cell, `measure(column)`.
    pub fn widen(&mut self, mut measure: impl FnMut(usize) -> f64) {
        for (c, w) in self.0.iter_mut().enumerate() {
            *w = w.max(measure(c));
        }
    }

    pub fn get(&self) -> &[f64] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_and_timestamps_as_chrono_formats_them() {
        use chrono::Duration;
        let t0 = NaiveDate::from_ymd_opt(-3, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        let steps = [0, 1, 999, 1_000, 1_000_000, 123_456_789, 500_000_000, 999_999_999];
        let mut seen = 0;
        // Every 37th day from year -3 to 10003 (both sides of 0..=9999), with fractions of
        // each width and none.
        let mut t = t0;
        while t.year() <= 10_003 {
            let d = t.date();
            assert_eq!(date_text(d), d.format("%Y-%m-%d").to_string());
            for (k, ns) in steps.iter().enumerate() {
                let ts = t + Duration::seconds(k as i64 * 3_607) + Duration::nanoseconds(*ns);
                let want = format!("{}T{}", ts.format("%Y-%m-%d"), ts.format("%H:%M:%S%.f"));
                assert_eq!(timestamp_text(ts, 'T'), want);
                seen += 1;
            }
            t += Duration::days(37);
        }
        assert!(seen > 700_000, "{seen}");
        assert_eq!(
            timestamp_text(NaiveDate::from_ymd_opt(2025, 3, 9).unwrap().and_hms_milli_opt(7, 5, 3, 40).unwrap(), ' '),
            "2025-03-09 07:05:03.040"
        );
    }

    use super::*;
    use chrono::{NaiveDate, Timelike};

    #[test]
    fn widths_are_the_widest_of_header_and_rows() {
        let mut w = ColumnWidths::new([3.0, 10.0]);
        w.widen(|c| [5.0, 2.0][c]);
        w.widen(|c| [4.0, 9.0][c]);
        assert_eq!(w.get(), [5.0, 10.0]);
    }

    #[test]
    fn plain_text_of_each_kind() {
        let t = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap().and_hms_milli_opt(9, 5, 7, 250).unwrap();
        assert_eq!(plain(&Value::Timestamp(t), 'T'), Plain::Text("2026-10-01T09:05:07.250".into()));
        assert_eq!(
            plain(&Value::Timestamp(t.with_nanosecond(0).unwrap()), ' '),
            Plain::Text("2026-10-01 09:05:07".into())
        );
        assert_eq!(plain(&Value::Float(f64::NEG_INFINITY), ' '), Plain::Text("-Infinity".into()));
        assert_eq!(plain(&Value::Float(f64::NAN), ' '), Plain::Text("NaN".into()));
        assert_eq!(plain(&Value::Float(0.5), ' '), Plain::Float(0.5));
        assert_eq!(plain(&Value::Int(-42), ' '), Plain::Bare("-42".into()));
        assert_eq!(plain(&Value::Null, ' '), Plain::Null);
    }
}
