//! Report rendering: one document model, streamed into four writers (CSV, HTML, XLSX, PDF),
//! with charts drawn as vectors. Dashboards reuse the same model and the HTML/SVG parts.
//!
//! A report is a [`Meta`] header followed by sections. Each section announces its columns
//! and display ([`SectionHead`]), then its rows arrive one by one ([`Renderer::row`]), so a
//! table of a million rows never has to sit in memory: CSV and HTML stream to the output,
//! XLSX uses `rust_xlsxwriter`'s constant-memory worksheets, PDF lays out page by page.
//! Chart and KPI sections buffer their rows (at most [`MAX_CHART_POINTS`]).
//!
//! Values arrive typed ([`Value`]); how a column is shown is its [`Format`] (KRW currency,
//! percent, dates, …), applied the same way by every writer through [`format`].

pub mod chart;
pub mod csv;
pub mod format;
pub mod html;
pub mod json;
pub mod pdf;
pub mod spec;
pub mod storage;
pub mod text;
pub mod xlsx;

use chrono::{NaiveDate, NaiveDateTime};
use std::fmt;
use std::io::{Seek, Write};

/// Largest number of rows a chart section may have; beyond it the renderer reports
/// [`RenderError::TooManyPoints`] (aggregate in the query instead).
pub const MAX_CHART_POINTS: usize = 10_000;

/// Most table rows one PDF holds (about 2 000 A4 pages). The PDF library keeps every
/// finished page until the file is complete, so a PDF's memory grows with its rows; past
/// this the renderer reports [`RenderError::TooManyPdfRows`] (XLSX and CSV stream any size).
pub const MAX_PDF_ROWS: usize = 100_000;

/// One cell. Timestamps are already converted to the report's time zone.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A `numeric` in Postgres's text form (exact; written verbatim to CSV).
    Decimal(String),
    Text(String),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
}

impl Value {
    /// The value as a number, when it is one (used by charts, KPI tiles, XLSX cells).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) if f.is_finite() => Some(*f),
            Value::Decimal(s) => s.parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        }
    }
}

/// The kind of data a column holds, from its Postgres type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Bool,
    Integer,
    Number,
    Text,
    Date,
    Timestamp,
}

/// How a column is displayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// From the column type: integers grouped, numbers with up to 2 decimals, dates ISO.
    Auto,
    Text,
    Integer,
    Number {
        decimals: u8,
    },
    /// Korean won: `₩1,234,567`, no decimals (KRW has no minor unit in practice).
    CurrencyKrw,
    /// The value is in percent points: 23.5 shows as `23.5%` (XLSX stores 0.235).
    Percent {
        decimals: u8,
    },
    /// The value is a fraction: 0.235 shows as `23.5%`.
    Ratio {
        decimals: u8,
    },
    Date,
    DateTime,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Header shown to readers.
    pub label: String,
    pub kind: ColumnType,
    pub format: Format,
}

/// How a section is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Display {
    Table,
    /// KPI tiles: one tile per column of the first row (label = column label).
    Kpi,
    /// Line chart: x = column `x`, one line per column in `y`.
    Line,
    /// Bar chart (vertical, grouped when several `y`).
    Bar,
    /// Pie chart: labels from column `x`, sizes from the first `y` column.
    Pie,
}

impl Display {
    pub const ALL: [(&'static str, Display); 5] = [
        ("table", Display::Table),
        ("kpi", Display::Kpi),
        ("line", Display::Line),
        ("bar", Display::Bar),
        ("pie", Display::Pie),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, d)| *d == self).map(|(n, _)| *n).unwrap_or("table")
    }

    pub fn is_chart(self) -> bool {
        matches!(self, Display::Line | Display::Bar | Display::Pie)
    }
}

/// The document header.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    pub title: String,
    /// Optional one-paragraph description under the title.
    pub description: String,
    /// Report parameters as shown to readers, in declaration order.
    pub params: Vec<(String, String)>,
    /// Generation time, already formatted (for example `2026-11-24 09:00 KST`).
    pub generated_at: String,
    /// How many sections follow (CSV zips several sections, writes one plainly).
    pub section_count: usize,
}

/// A section's header: everything but its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct SectionHead {
    pub title: String,
    pub display: Display,
    pub columns: Vec<Column>,
    /// Chart category / x column (index into `columns`); charts only.
    pub x: usize,
    /// Chart value columns (indexes into `columns`); charts only, never empty for charts.
    pub y: Vec<usize>,
    /// Line charts: the low and high column of an interval drawn as a shaded band.
    pub band: Option<[usize; 2]>,
}

#[derive(Debug)]
pub enum RenderError {
    Io(std::io::Error),
    /// A chart section got more rows than [`MAX_CHART_POINTS`].
    TooManyPoints {
        section: String,
        limit: usize,
    },
    /// A PDF got more table rows than [`MAX_PDF_ROWS`].
    TooManyPdfRows {
        section: String,
        limit: usize,
    },
    /// The output grew past the limit of its [`Limited`] sink (bytes).
    TooLarge {
        limit: u64,
    },
    /// The writer's library refused something (message says what).
    Writer(String),
    /// Calls out of order (a row before any section, …): a bug in the caller.
    Protocol(&'static str),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Io(e) => write!(f, "could not write the output: {e}"),
            RenderError::TooManyPoints { section, limit } => {
                write!(f, "section \"{section}\" has more than {limit} rows, too many to chart")
            }
            RenderError::TooManyPdfRows { section, limit } => {
                write!(f, "section \"{section}\" takes the PDF past {limit} table rows, the most a PDF holds")
            }
            RenderError::TooLarge { limit } => write!(f, "the output grew past the size limit of {limit} bytes"),
            RenderError::Writer(m) => f.write_str(m),
            RenderError::Protocol(m) => write!(f, "renderer used out of order: {m}"),
        }
    }
}

impl std::error::Error for RenderError {}

impl From<std::io::Error> for RenderError {
    fn from(e: std::io::Error) -> Self {
        match e.get_ref().and_then(|inner| inner.downcast_ref::<TooLarge>()) {
            Some(TooLarge(limit)) => RenderError::TooLarge { limit: *limit },
            None => RenderError::Io(e),
        }
    }
}

pub type Result<T> = std::result::Result<T, RenderError>;

/// A writer of one output format. Calls come in this order:
/// `begin`, then for each section `section`, `row`*, `end_section`, and finally `finish`.
pub trait Renderer {
    fn begin(&mut self, meta: &Meta) -> Result<()>;
    fn section(&mut self, head: &SectionHead) -> Result<()>;
    fn row(&mut self, row: &[Value]) -> Result<()>;
    fn end_section(&mut self) -> Result<()>;
    /// Completes the document and flushes it to the output.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Pdf,
    Xlsx,
    Csv,
    Html,
    Json,
}

impl OutputFormat {
    pub const ALL: [(&'static str, OutputFormat); 5] = [
        ("pdf", OutputFormat::Pdf),
        ("xlsx", OutputFormat::Xlsx),
        ("csv", OutputFormat::Csv),
        ("html", OutputFormat::Html),
        ("json", OutputFormat::Json),
    ];

    pub fn parse(s: &str) -> Option<OutputFormat> {
        Self::ALL.iter().find(|(n, _)| n.eq_ignore_ascii_case(s.trim())).map(|(_, f)| *f)
    }

    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, f)| *f == self).map(|(n, _)| *n).unwrap_or("csv")
    }

    /// MIME type of the output.
    pub fn mime(self) -> &'static str {
        match self {
            OutputFormat::Pdf => "application/pdf",
            OutputFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            OutputFormat::Csv => "text/csv",
            OutputFormat::Html => "text/html",
            OutputFormat::Json => "application/json",
        }
    }
}

/// The writer of `format` over `out`.
pub fn renderer(format: OutputFormat, options: Options, out: Box<dyn Output>) -> Box<dyn Renderer> {
    match format {
        OutputFormat::Pdf => Box::new(pdf::PdfWriter::new(out, options)),
        OutputFormat::Xlsx => Box::new(xlsx::XlsxWriter::new(out, options)),
        OutputFormat::Csv => Box::new(csv::CsvRenderer::new(out, options)),
        OutputFormat::Html => Box::new(html::HtmlRenderer::new(out, options)),
        OutputFormat::Json => Box::new(json::JsonRenderer::new(out, options)),
    }
}

/// Options that change the bytes but not the content.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// CSV: start with a UTF-8 byte-order mark (Excel in Korea needs it to read Hangul).
    pub csv_bom: bool,
}

/// A sink both a `Vec` (render to bytea) and a file (export) satisfy.
pub trait Output: Write + Seek + Send {}
impl<T: Write + Seek + Send> Output for T {}

/// An output that refuses to grow past `limit` bytes: the write that would cross it fails
/// with an I/O error wrapping [`TooLarge`], which every renderer reports as
/// [`RenderError::TooLarge`]. Seeking back and rewriting (XLSX, zip) does not count twice.
pub struct Limited<W> {
    inner: W,
    position: u64,
    limit: u64,
}

impl<W> Limited<W> {
    pub fn new(inner: W, limit: u64) -> Self {
        Limited { inner, position: 0, limit }
    }
}

/// The error inside the `io::Error` of a [`Limited`] output that is full.
#[derive(Debug)]
pub struct TooLarge(pub u64);

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "output larger than {} bytes", self.0)
    }
}

impl std::error::Error for TooLarge {}

impl<W: Write> Write for Limited<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.position.saturating_add(buf.len() as u64) > self.limit {
            return Err(std::io::Error::other(TooLarge(self.limit)));
        }
        let n = self.inner.write(buf)?;
        self.position += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Seek> Seek for Limited<W> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.position = self.inner.seek(pos)?;
        Ok(self.position)
    }
}

/// An in-memory output whose bytes can be taken back after a renderer consumed a clone.
#[derive(Clone, Debug, Default)]
pub struct SharedBuffer(std::sync::Arc<std::sync::Mutex<std::io::Cursor<Vec<u8>>>>);

impl SharedBuffer {
    /// The bytes written so far.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(self.lock().get_mut())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::io::Cursor<Vec<u8>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.lock().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Seek for SharedBuffer {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.lock().seek(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::xlsx::tests::{col, meta};
    use super::*;

    /// Renders a 200-row table in `format` into an output limited to `limit` bytes.
    fn render_limited(format: OutputFormat, limit: u64) -> (Result<()>, Vec<u8>) {
        let buffer = SharedBuffer::default();
        let mut r = renderer(format, Options::default(), Box::new(Limited::new(buffer.clone(), limit)));
        let head = SectionHead {
            title: "rows".into(),
            display: Display::Table,
            columns: vec![col("id", ColumnType::Integer, Format::Auto), col("name", ColumnType::Text, Format::Auto)],
            x: 0,
            band: None,
            y: vec![],
        };
        let result = (|| {
            r.begin(&meta())?;
            r.section(&head)?;
            for i in 0..200 {
                r.row(&[Value::Int(i), Value::Text(format!("상품 {i} product"))])?;
            }
            r.end_section()?;
            r.finish()
        })();
        (result, buffer.take())
    }

    #[test]
    fn every_format_stops_at_the_size_limit_and_is_unchanged_below_it() {
        for format in [OutputFormat::Csv, OutputFormat::Html, OutputFormat::Json, OutputFormat::Xlsx, OutputFormat::Pdf]
        {
            let (ok, full) = render_limited(format, u64::MAX);
            ok.unwrap();
            let size = full.len() as u64;
            assert!(size > 1000, "{format:?}");
            let (ok, exact) = render_limited(format, size);
            assert!(ok.is_ok(), "{format:?} fits in exactly its size");
            assert_eq!(exact.len(), full.len(), "{format:?}");
            match render_limited(format, size - 1) {
                (Err(e @ RenderError::TooLarge { .. }), partial) => {
                    assert_eq!(e.to_string(), format!("the output grew past the size limit of {} bytes", size - 1));
                    assert!((partial.len() as u64) < size, "{format:?} never writes past the limit");
                }
                (other, _) => panic!("{format:?}: expected TooLarge, got {other:?}"),
            }
        }
    }

    #[test]
    fn other_io_errors_stay_io_errors() {
        let e = RenderError::from(std::io::Error::other("disk full"));
        assert!(matches!(e, RenderError::Io(_)));
    }
}
