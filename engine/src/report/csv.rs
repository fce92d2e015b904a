//! CSV writer (RFC 4180): `,` separators, CRLF line ends, a header row of column labels,
//! and a field quoted (`"`, inner quotes doubled) only when it holds `,` `"` CR or LF.
//!
//! Decisions:
//! - Values are machine-readable, not display text: numbers raw (a `numeric` verbatim,
//!   floats in Rust's shortest round-trip form, no grouping, ±infinity as `Infinity`),
//!   booleans `true`/`false`, dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS` (with
//!   fractional seconds only when there are some), NULL as an empty field. The column
//!   formats (KRW, percent, …) are not applied; they are for people, CSV is for programs.
//! - Text is written as is: no `'` is prefixed to cells starting with `=`, `+`, `-` or `@`
//!   (spreadsheet "formula injection"), since that would change the data; people who
//!   open reports in a spreadsheet should take XLSX, whose cells are typed.
//! - [`Options::csv_bom`] starts each CSV file with a UTF-8 BOM (Excel needs it for Hangul).
//! - One section (`meta.section_count <= 1`) is a plain CSV. Several are a zip archive
//!   (deflate) with one CSV per section, named `NN-slug.csv` ([`entry_name`]); see [`mime`]
//!   and [`extension`]. Each entry is zip32: a single section over 4 GiB fails with an error.
//! - Rows stream to the output as they arrive; chart sections are written like tables
//!   (all rows, no point limit).

use super::text::{plain, Plain};
use super::{Meta, Options, RenderError, Renderer, Result, SectionHead, Value};
use std::io::{BufWriter, Seek, Write};
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

/// MIME type of a CSV export with `section_count` sections (zip when more than one).
pub fn mime(section_count: usize) -> &'static str {
    if section_count > 1 {
        "application/zip"
    } else {
        "text/csv"
    }
}

/// File extension (no dot) of a CSV export with `section_count` sections.
pub fn extension(section_count: usize) -> &'static str {
    if section_count > 1 {
        "zip"
    } else {
        "csv"
    }
}

/// `title` as a file-name part: letters (Hangul included) and digits kept, ASCII
/// lowercased, every other run turned into one `-`, at most 60 characters; `section`
/// when nothing is left.
pub fn slug(title: &str) -> String {
    let mut s = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    let s: String = s.chars().take(60).collect();
    let s = s.trim_end_matches('-');
    if s.is_empty() {
        "section".into()
    } else {
        s.into()
    }
}

/// Zip entry name of the `index`-th section (from 1): `01-일별-매출.csv`.
pub fn entry_name(index: usize, title: &str) -> String {
    format!("{index:02}-{}.csv", slug(title))
}

/// The machine-readable text of a value (see the module docs), before quoting.
pub fn field(value: &Value) -> String {
    match plain(value, ' ') {
        Plain::Null => String::new(),
        Plain::Float(f) => f.to_string(),
        Plain::Decimal(s) => s.to_owned(),
        Plain::Bare(s) | Plain::Text(s) => s.into_owned(),
    }
}

/// Appends `text` to `line` as one CSV field, quoted when it must be.
fn push_field(line: &mut String, text: &str) {
    if text.contains([',', '"', '\r', '\n']) {
        line.push('"');
        line.push_str(&text.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(text);
    }
}

fn zip_error(e: zip::result::ZipError) -> RenderError {
    match e {
        zip::result::ZipError::Io(e) => RenderError::from(e),
        e => RenderError::Writer(format!("zip archive: {e}")),
    }
}

enum Sink<W: Write + Seek> {
    /// Before `begin`: the plain-or-zip choice needs `meta.section_count`.
    Pending(W),
    Plain(BufWriter<W>),
    Zip(Box<ZipWriter<BufWriter<W>>>),
    Gone,
}

/// Streams a report as CSV (one section) or a zip of CSVs (several).
pub struct CsvRenderer<W: Write + Seek> {
    sink: Sink<W>,
    bom: bool,
    sections: usize,
    open: bool,
    line: String,
}

impl<W: Write + Seek> CsvRenderer<W> {
    pub fn new(out: W, options: Options) -> Self {
        CsvRenderer { sink: Sink::Pending(out), bom: options.csv_bom, sections: 0, open: false, line: String::new() }
    }

    fn writer(&mut self) -> Result<&mut dyn Write> {
        match &mut self.sink {
            Sink::Plain(w) => Ok(w),
            Sink::Zip(z) => Ok(z.as_mut()),
            _ => Err(RenderError::Protocol("CSV written before begin or after finish")),
        }
    }

    fn write_line(&mut self) -> Result<()> {
        self.line.push_str("\r\n");
        let line = std::mem::take(&mut self.line);
        let result = self.writer().and_then(|w| Ok(w.write_all(line.as_bytes())?));
        self.line = line;
        self.line.clear();
        result
    }
}

impl<W: Write + Seek> Renderer for CsvRenderer<W> {
    fn begin(&mut self, meta: &Meta) -> Result<()> {
        let Sink::Pending(out) = std::mem::replace(&mut self.sink, Sink::Gone) else {
            return Err(RenderError::Protocol("begin called twice"));
        };
        let out = BufWriter::new(out);
        self.sink = if meta.section_count > 1 { Sink::Zip(Box::new(ZipWriter::new(out))) } else { Sink::Plain(out) };
        Ok(())
    }

    fn section(&mut self, head: &SectionHead) -> Result<()> {
        if self.open {
            return Err(RenderError::Protocol("section inside another section"));
        }
        self.sections += 1;
        match &mut self.sink {
            Sink::Plain(_) if self.sections > 1 => {
                return Err(RenderError::Protocol("more sections than meta.section_count"))
            }
            Sink::Plain(_) => {}
            Sink::Zip(z) => {
                let options = SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .compression_level(Some(6));
                z.start_file(entry_name(self.sections, &head.title), options).map_err(zip_error)?;
            }
            _ => return Err(RenderError::Protocol("section before begin")),
        }
        self.open = true;
        if self.bom {
            self.writer()?.write_all("\u{feff}".as_bytes())?;
        }
        for (i, c) in head.columns.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            push_field(&mut self.line, &c.label);
        }
        self.write_line()
    }

    fn row(&mut self, row: &[Value]) -> Result<()> {
        if !self.open {
            return Err(RenderError::Protocol("row outside a section"));
        }
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            push_field(&mut self.line, &field(v));
        }
        if self.line.is_empty() && !row.is_empty() {
            // One empty field: `""`, since a blank line reads as no row at all.
            self.line.push_str("\"\"");
        }
        self.write_line()
    }

    fn end_section(&mut self) -> Result<()> {
        if !std::mem::replace(&mut self.open, false) {
            return Err(RenderError::Protocol("end_section outside a section"));
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        if self.open {
            return Err(RenderError::Protocol("finish inside a section"));
        }
        let mut out = match std::mem::replace(&mut self.sink, Sink::Gone) {
            Sink::Plain(w) => w,
            Sink::Zip(z) => z.finish().map_err(zip_error)?,
            _ => return Err(RenderError::Protocol("finish before begin")),
        };
        out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Column, ColumnType, Display, Format};
    use chrono::NaiveDate;
    use std::io::{Cursor, Read};

    fn head(title: &str, labels: &[&str]) -> SectionHead {
        SectionHead {
            title: title.into(),
            display: Display::Table,
            columns: labels
                .iter()
                .map(|l| Column { label: l.to_string(), kind: ColumnType::Text, format: Format::Auto })
                .collect(),
            x: 0,
            band: None,
            y: vec![],
        }
    }

    fn render(sections: &[(SectionHead, Vec<Vec<Value>>)], bom: bool) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut r = Box::new(CsvRenderer::new(&mut out, Options { csv_bom: bom }));
        r.begin(&Meta { section_count: sections.len(), ..Meta::default() }).unwrap();
        for (h, rows) in sections {
            r.section(h).unwrap();
            for row in rows {
                r.row(row).unwrap();
            }
            r.end_section().unwrap();
        }
        r.finish().unwrap();
        out.into_inner()
    }

    fn sample() -> (SectionHead, Vec<Vec<Value>>) {
        let d = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        (
            head("일별 매출", &["상품, 옵션", "금액", "날짜", "시각", "여부", "비율"]),
            vec![
                vec![
                    Value::Text("가방 \"대\"".into()),
                    Value::Decimal("1234567.50".into()),
                    Value::Date(d),
                    Value::Timestamp(d.and_hms_opt(9, 5, 0).unwrap()),
                    Value::Bool(true),
                    Value::Float(0.1),
                ],
                vec![
                    Value::Text("줄\n바꿈".into()),
                    Value::Int(-1200),
                    Value::Null,
                    Value::Timestamp(d.and_hms_micro_opt(23, 59, 59, 250_000).unwrap()),
                    Value::Bool(false),
                    Value::Float(1e21),
                ],
                vec![Value::Null, Value::Float(f64::NEG_INFINITY), Value::Float(f64::NAN)],
            ],
        )
    }

    const EXPECTED: &str = "\"상품, 옵션\",금액,날짜,시각,여부,비율\r\n\
        \"가방 \"\"대\"\"\",1234567.50,2026-10-31,2026-10-31 09:05:00,true,0.1\r\n\
        \"줄\n바꿈\",-1200,,2026-10-31 23:59:59.250,false,1000000000000000000000\r\n\
        ,-Infinity,NaN\r\n";

    #[test]
    fn one_section_is_plain_rfc4180() {
        let out = render(&[sample()], false);
        assert_eq!(String::from_utf8(out).unwrap(), EXPECTED);
    }

    #[test]
    fn bom_comes_first() {
        let out = render(&[sample()], true);
        assert_eq!(&out[..3], b"\xef\xbb\xbf");
        assert_eq!(std::str::from_utf8(&out[3..]).unwrap(), EXPECTED);
    }

    #[test]
    fn slugs_keep_hangul_letters_and_digits() {
        assert_eq!(slug("일별 매출 (2026/10)"), "일별-매출-2026-10");
        assert_eq!(slug("  Top-10 Products!! "), "top-10-products");
        assert_eq!(slug("***"), "section");
        assert_eq!(slug(&"가".repeat(80)).chars().count(), 60);
        assert_eq!(entry_name(3, "요약"), "03-요약.csv");
    }

    #[test]
    fn several_sections_are_a_zip_of_csvs() {
        let second = (head("Top <10>", &["a"]), vec![vec![Value::Int(1)], vec![Value::Null]]);
        let out = render(&[sample(), second], true);
        assert_eq!(&out[..2], b"PK");
        let mut zip = zip::ZipArchive::new(Cursor::new(out)).unwrap();
        assert_eq!(zip.len(), 2);
        let mut read = |i: usize| {
            let mut f = zip.by_index(i).unwrap();
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            (f.name().unwrap().to_string(), s)
        };
        assert_eq!(read(0), ("01-일별-매출.csv".to_string(), format!("\u{feff}{EXPECTED}")));
        assert_eq!(read(1), ("02-top-10.csv".to_string(), "\u{feff}a\r\n1\r\n\"\"\r\n".to_string()));
    }

    #[test]
    fn a_second_section_in_a_plain_csv_is_refused() {
        let mut out = Cursor::new(Vec::new());
        let mut r = CsvRenderer::new(&mut out, Options::default());
        r.begin(&Meta { section_count: 1, ..Meta::default() }).unwrap();
        r.section(&head("a", &["x"])).unwrap();
        r.end_section().unwrap();
        assert!(matches!(r.section(&head("b", &["x"])), Err(RenderError::Protocol(_))));
        assert_eq!(mime(1), "text/csv");
        assert_eq!(extension(2), "zip");
    }
}
