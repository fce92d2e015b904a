//! PDF writer (`krilla`): A4 portrait, 15 mm margins, text in the embedded NanumSquare font
//! (regular and bold; krilla embeds only the glyphs used, so a page of Hangul stays small).
//!
//! Decisions:
//! * **Streaming.** Drawing happens page by page: the current page is a short list of
//!   [`Op`]s; when the next row does not fit, the page is drawn into the document and the
//!   list dropped, so the writer holds at most one page of rows (plus the first
//!   [`WIDTH_SAMPLE`] rows of a table, held until its column widths are fixed). krilla
//!   itself keeps the finished, compressed pages until [`Renderer::finish`] writes the file,
//!   so memory grows with the pages (about 1.3 kB per table row): a PDF holds at most
//!   [`MAX_PDF_ROWS`] table rows, and the rows past it fail the render with
//!   [`RenderError::TooManyPdfRows`] rather than exhausting the backend's memory.
//! * **Page numbers** are "n", not "n / N": krilla finishes each page for good, so the total
//!   would need either every page kept open (every row in memory) or a second run of the
//!   queries. PDF viewers show the total themselves.
//! * **Tables** continue across pages with the header row repeated. Column widths come from
//!   the header and the first [`WIDTH_SAMPLE`] rows (then fixed), stretched to the text
//!   width or shrunk by water-filling (narrow columns keep their width, wide ones share the
//!   rest); text that does not fit ends in an ellipsis. Numeric columns
//!   ([`format::is_numeric`]) are right-aligned; rows are zebra-striped.
//! * **KPI** sections are tiles (label, big value) of the first row, four to a line.
//! * **Charts** hold their rows (at most [`MAX_CHART_POINTS`]), are laid out by
//!   [`chart::layout`] and drawn as vector paths; pie wedges are Bézier arcs.
//! * Text widths come from the font's own `hmtx` advances (read once from the embedded
//!   file), so truncation and right alignment match what is drawn.
//!
//! Parts: `table` (tables across pages, column widths), `draw` (shapes as PDF paths),
//! `fonts` (the embedded faces, text widths, fitting and wrapping).

mod draw;
mod fonts;
mod table;

use super::chart::{self, Anchor, Rgb, Shape};
use super::format::{self, display, effective};
use super::text::{ColumnWidths, WIDTH_SAMPLE};
use super::{
    Display, Meta, Options, Output, RenderError, Renderer, Result, SectionHead, Value, MAX_CHART_POINTS, MAX_PDF_ROWS,
};
use draw::{draw, offset};
use fonts::{fit, wrap, Fonts};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::Document;
use table::Table;

/// A4 in points.
pub const PAGE_W: f64 = 595.276;
pub const PAGE_H: f64 = 841.89;
/// 15 mm.
pub const MARGIN: f64 = 42.52;
const CONTENT_W: f64 = PAGE_W - 2.0 * MARGIN;
/// Lowest y content may reach; the footer sits below it.
const BOTTOM: f64 = PAGE_H - MARGIN;
const CELL_SIZE: f64 = 8.0;
const ROW_H: f64 = 14.0;
const PAD: f64 = 4.0;
const CHART_H: f64 = 260.0;
const KPI_H: f64 = 54.0;
const KPI_PER_LINE: usize = 4;
const GAP: f64 = 8.0;

const BLACK: Rgb = Rgb(0x22, 0x22, 0x22);
const GREY: Rgb = Rgb(0x6B, 0x72, 0x80);
const RULE: Rgb = Rgb(0xC8, 0xCD, 0xD5);
const HEADER_BG: Rgb = Rgb(0xDC, 0xE6, 0xF1);
const ZEBRA: Rgb = Rgb(0xF4, 0xF6, 0xF9);

/// A point (x, y) in points, y growing downwards.
type P = (f64, f64);

/// One drawing operation on the current page: a shape, text in bold when `bold`.
#[derive(Clone, Debug, PartialEq)]
struct Op {
    shape: Shape,
    bold: bool,
}

/// Streams a report into a PDF, written to the output by `finish`.
pub struct PdfWriter {
    out: Box<dyn Output>,
    doc: Document,
    fonts: Fonts,
    /// The report title, repeated small in every footer.
    title: String,
    /// Pages drawn so far.
    pages: usize,
    /// Table rows taken so far, in all sections, and the most allowed ([`MAX_PDF_ROWS`]).
    table_rows: usize,
    row_limit: usize,
    /// The page being filled (`None` before the first op after a page break).
    ops: Vec<Op>,
    /// Where the next block starts on the current page.
    y: f64,
    section: Option<Section>,
    /// Texts drawn on each finished page (tests read them back).
    #[cfg(test)]
    page_texts: Vec<Vec<String>>,
}

struct Section {
    head: SectionHead,
    formats: Vec<super::Format>,
    body: Body,
}

enum Body {
    Table(Table),
    Kpi(Option<Vec<String>>),
    Chart(Vec<Vec<Value>>),
}

impl PdfWriter {
    pub fn new(out: Box<dyn Output>, options: Options) -> Self {
        let _ = options; // nothing in Options concerns PDF
        PdfWriter {
            out,
            doc: Document::new(),
            fonts: Fonts::new(),
            title: String::new(),
            pages: 0,
            table_rows: 0,
            row_limit: MAX_PDF_ROWS,
            ops: Vec::new(),
            y: MARGIN,
            section: None,
            #[cfg(test)]
            page_texts: Vec::new(),
        }
    }

    fn push(&mut self, shape: Shape, bold: bool) {
        self.ops.push(Op { shape, bold });
    }

    fn text(&mut self, (x, y): P, text: String, size: f64, bold: bool, anchor: Anchor, fill: Rgb) {
        self.push(Shape::Text { x, y, text, size, anchor, fill }, bold);
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: Rgb) {
        self.push(Shape::Rect { x, y, w, h, fill }, false);
    }

    /// A thin horizontal rule across the text width at the cursor.
    fn rule(&mut self, width: f64) {
        let (x1, x2, y) = (MARGIN, MARGIN + CONTENT_W, self.y);
        self.push(Shape::Line { x1, y1: y, x2, y2: y, stroke: RULE, width }, false);
    }

    /// Draws the current page into the document and starts a new, empty one.
    fn break_page(&mut self) {
        let ops = std::mem::take(&mut self.ops);
        self.pages += 1;
        let footer = footer(&self.fonts, &self.title, self.pages);
        let mut page = self.doc.start_page_with(PageSettings::from_wh(PAGE_W as f32, PAGE_H as f32).expect("A4"));
        #[cfg(test)]
        self.page_texts.push(
            ops.iter()
                .chain(&footer)
                .filter_map(|op| match &op.shape {
                    Shape::Text { text, .. } => Some(text.clone()),
                    _ => None,
                })
                .collect(),
        );
        let mut surface = page.surface();
        for op in ops.iter().chain(&footer) {
            draw(&mut surface, &self.fonts, op);
        }
        surface.finish();
        page.finish();
        self.y = MARGIN;
    }

    /// Starts a new page unless `height` more points fit on this one.
    fn need(&mut self, height: f64) {
        if self.y + height > BOTTOM && self.y > MARGIN {
            self.break_page();
        }
    }

    /// Wrapped paragraph at the cursor.
    fn paragraph(&mut self, text: &str, size: f64, bold: bool, fill: Rgb) {
        for line in wrap(&self.fonts, text, size, bold, CONTENT_W) {
            self.need(size * 1.4);
            self.text((MARGIN, self.y + size), line, size, bold, Anchor::Start, fill);
            self.y += size * 1.4;
        }
    }

    fn kpi_tiles(&mut self, head: &SectionHead, values: Option<Vec<String>>) {
        let n = head.columns.len();
        let per_line = n.clamp(1, KPI_PER_LINE);
        let w = (CONTENT_W - GAP * (per_line - 1) as f64) / per_line as f64;
        for (i, col) in head.columns.iter().enumerate() {
            if i % per_line == 0 {
                if i > 0 {
                    self.y += KPI_H + GAP;
                }
                self.need(KPI_H);
            }
            let x = MARGIN + (i % per_line) as f64 * (w + GAP);
            let y = self.y;
            self.rect(x, y, w, KPI_H, ZEBRA);
            let label = fit(&self.fonts, &col.label, 8.0, false, w - 2.0 * GAP);
            self.text((x + GAP, y + 16.0), label, 8.0, false, Anchor::Start, GREY);
            let value = values.as_ref().and_then(|v| v.get(i)).cloned().unwrap_or_default();
            // Shrink a long value down to 10 pt before truncating it.
            let natural = self.fonts.width(&value, 18.0, true);
            let size = if natural > w - 2.0 * GAP { (18.0 * (w - 2.0 * GAP) / natural).max(10.0) } else { 18.0 };
            let value = fit(&self.fonts, &value, size, true, w - 2.0 * GAP);
            self.text((x + GAP, y + 42.0), value, size, true, Anchor::Start, BLACK);
        }
        if n > 0 {
            self.y += KPI_H;
        }
    }

    fn chart(&mut self, head: &SectionHead, rows: &[Vec<Value>]) {
        self.need(CHART_H);
        let (dx, dy) = (MARGIN, self.y);
        for shape in chart::layout(head, rows, CONTENT_W, CHART_H) {
            self.push(offset(shape, dx, dy), false);
        }
        self.y += CHART_H;
    }
}

impl Renderer for PdfWriter {
    fn begin(&mut self, meta: &Meta) -> Result<()> {
        self.title = meta.title.clone();
        let mut md = Metadata::new().title(meta.title.clone()).creator("cafe24_analytics".into());
        if !meta.description.is_empty() {
            md = md.description(meta.description.clone());
        }
        self.doc.set_metadata(md);
        self.paragraph(&meta.title, 18.0, true, BLACK);
        self.y += 4.0;
        if !meta.description.is_empty() {
            self.paragraph(&meta.description, 10.0, false, BLACK);
            self.y += 4.0;
        }
        for (name, value) in &meta.params {
            self.paragraph(&format!("{name}: {value}"), 9.0, false, GREY);
        }
        if !meta.generated_at.is_empty() {
            self.paragraph(&format!("Generated {}", meta.generated_at), 9.0, false, GREY);
        }
        self.y += 6.0;
        self.rule(0.75);
        self.y += 6.0;
        Ok(())
    }

    fn section(&mut self, head: &SectionHead) -> Result<()> {
        if self.section.is_some() {
            return Err(RenderError::Protocol("section before end_section"));
        }
        let formats: Vec<_> = head.columns.iter().map(|c| effective(c.format, c.kind)).collect();
        // Keep the title with the start of its content.
        let first = match head.display {
            Display::Table => 3.0 * ROW_H,
            Display::Kpi => KPI_H,
            _ => CHART_H,
        };
        self.y += 10.0;
        self.need(22.0 + first);
        self.text((MARGIN, self.y + 12.0), head.title.clone(), 12.0, true, Anchor::Start, BLACK);
        self.y += 20.0;
        let body = match head.display {
            Display::Table => Body::Table(Table {
                natural: ColumnWidths::new(
                    head.columns.iter().map(|c| self.fonts.width(&c.label, CELL_SIZE, true) + 2.0 * PAD),
                ),
                header: head.columns.iter().map(|c| c.label.clone()).collect(),
                right: formats.iter().map(|f| format::is_numeric(*f)).collect(),
                sample: Vec::new(),
                widths: None,
                drawn: 0,
            }),
            Display::Kpi => Body::Kpi(None),
            _ => Body::Chart(Vec::new()),
        };
        self.section = Some(Section { head: head.clone(), formats, body });
        Ok(())
    }

    fn row(&mut self, row: &[Value]) -> Result<()> {
        let mut sec = self.section.take().ok_or(RenderError::Protocol("row outside a section"))?;
        if row.len() != sec.head.columns.len() {
            self.section = Some(sec);
            return Err(RenderError::Protocol("row length differs from the section's columns"));
        }
        let text = |formats: &[super::Format]| -> Vec<String> {
            row.iter().zip(formats).map(|(v, f)| one_line(display(v, *f))).collect()
        };
        let mut result = Ok(());
        match &mut sec.body {
            Body::Table(_) if self.table_rows >= self.row_limit => {
                result = Err(RenderError::TooManyPdfRows { section: sec.head.title.clone(), limit: self.row_limit });
            }
            Body::Table(t) => {
                self.table_rows += 1;
                let cells = text(&sec.formats);
                if t.widths.is_some() {
                    self.table_row(t, &cells);
                } else {
                    t.natural.widen(|c| self.fonts.width(&cells[c], CELL_SIZE, false) + 2.0 * PAD);
                    t.sample.push(cells);
                    if t.sample.len() > WIDTH_SAMPLE {
                        self.fix_widths(t);
                    }
                }
            }
            Body::Kpi(first) => {
                if first.is_none() {
                    *first = Some(text(&sec.formats));
                }
            }
            Body::Chart(rows) => {
                if rows.len() >= MAX_CHART_POINTS {
                    result =
                        Err(RenderError::TooManyPoints { section: sec.head.title.clone(), limit: MAX_CHART_POINTS });
                } else {
                    rows.push(row.to_vec());
                }
            }
        }
        self.section = Some(sec);
        result
    }

    fn end_section(&mut self) -> Result<()> {
        let sec = self.section.take().ok_or(RenderError::Protocol("end_section without section"))?;
        match sec.body {
            Body::Table(t) => self.end_table(t),
            Body::Kpi(values) => self.kpi_tiles(&sec.head, values),
            Body::Chart(rows) => self.chart(&sec.head, &rows),
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        let bytes = self.render()?;
        self.out.write_all(&bytes)?;
        self.out.flush()?;
        Ok(())
    }
}

impl PdfWriter {
    /// Draws the last page and returns the finished document.
    fn render(&mut self) -> Result<Vec<u8>> {
        if self.section.is_some() {
            return Err(RenderError::Protocol("finish inside a section"));
        }
        if !self.ops.is_empty() || self.pages == 0 {
            self.break_page();
        }
        std::mem::take(&mut self.doc).finish().map_err(|e| RenderError::Writer(format!("PDF: {e:?}")))
    }
}

/// The footer of page `n`: the report title on the left, the page number on the right.
fn footer(fonts: &Fonts, title: &str, n: usize) -> Vec<Op> {
    let y = PAGE_H - MARGIN / 2.0;
    let title = fit(fonts, title, 7.5, false, CONTENT_W - 60.0);
    vec![
        Op {
            shape: Shape::Text { x: MARGIN, y, text: title, size: 7.5, anchor: Anchor::Start, fill: GREY },
            bold: false,
        },
        Op {
            shape: Shape::Text {
                x: PAGE_W - MARGIN,
                y,
                text: n.to_string(),
                size: 7.5,
                anchor: Anchor::End,
                fill: GREY,
            },
            bold: false,
        },
    ]
}

/// A cell's text on one line (line breaks and tabs become spaces).
fn one_line(s: String) -> String {
    if s.contains(['\n', '\r', '\t']) {
        s.replace(['\n', '\r', '\t'], " ")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::xlsx::tests::{col, meta};
    use crate::report::{ColumnType, Format};
    use chrono::NaiveDate;
    use std::f64::consts::TAU;
    use std::io::Cursor;

    fn writer() -> PdfWriter {
        PdfWriter::new(Box::new(Cursor::new(Vec::new())), Options::default())
    }

    fn count(hay: &[u8], needle: &[u8]) -> usize {
        hay.windows(needle.len()).filter(|w| *w == needle).count()
    }

    /// `/Type/Page` objects (not `/Type/Pages`).
    fn pages(pdf: &[u8]) -> usize {
        count(pdf, b"/Type/Page") - count(pdf, b"/Type/Pages")
    }

    fn save(name: &str, bytes: &[u8]) {
        let dir = std::path::Path::new("/tmp/report-samples");
        if std::fs::create_dir_all(dir).is_ok() {
            let _ = std::fs::write(dir.join(name), bytes);
        }
    }

    /// A PDF of one [`orders`] table of `rows` rows, and the writer that drew it.
    fn orders_pdf(rows: usize) -> (PdfWriter, Vec<u8>) {
        let mut w = writer();
        w.begin(&meta()).unwrap();
        let (head, rows) = orders(rows);
        w.section(&head).unwrap();
        for row in rows {
            w.row(&row).unwrap();
        }
        w.end_section().unwrap();
        let pdf = w.render().unwrap();
        (w, pdf)
    }

    fn orders(rows: usize) -> (SectionHead, impl Iterator<Item = Vec<Value>>) {
        let head = SectionHead {
            title: "주문 목록".into(),
            display: Display::Table,
            columns: vec![
                col("주문일", ColumnType::Date, Format::Auto),
                col("상품명", ColumnType::Text, Format::Auto),
                col("수량", ColumnType::Integer, Format::Auto),
                col("매출", ColumnType::Number, Format::CurrencyKrw),
            ],
            x: 0,
            band: None,
            y: vec![],
        };
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let rows = (0..rows).map(move |i| {
            vec![
                Value::Date(day + chrono::Days::new(i as u64 % 31)),
                Value::Text(format!("여름 린넨 셔츠 {} — 아이보리", i % 13)),
                Value::Int(i as i64 % 7 + 1),
                Value::Decimal(format!("{}", 12_900 * (i % 7 + 1))),
            ]
        });
        (head, rows)
    }

    #[test]
    fn rows_past_the_pdf_limit_fail_the_render_counting_every_section() {
        let mut w = writer();
        w.row_limit = 50;
        w.begin(&meta()).unwrap();
        let (head, rows) = orders(30);
        w.section(&head).unwrap();
        rows.for_each(|r| w.row(&r).unwrap());
        w.end_section().unwrap();
        let (head, mut rows) = orders(30);
        w.section(&head).unwrap();
        for _ in 0..20 {
            w.row(&rows.next().unwrap()).unwrap();
        }
        match w.row(&rows.next().unwrap()) {
            Err(e @ RenderError::TooManyPdfRows { limit: 50, .. }) => {
                assert_eq!(
                    e.to_string(),
                    "section \"주문 목록\" takes the PDF past 50 table rows, the most a PDF holds"
                )
            }
            other => panic!("expected TooManyPdfRows, got {other:?}"),
        }
    }

    #[test]
    fn a_long_table_spans_pages_with_its_header_repeated() {
        let (w, pdf) = orders_pdf(120);
        save("orders.pdf", &pdf);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF\n") || pdf.ends_with(b"%%EOF"));
        assert_eq!(pages(&pdf), 3);
        assert_eq!(w.page_texts.len(), 3);
        let mut body_rows = 0;
        for (i, texts) in w.page_texts.iter().enumerate() {
            assert_eq!(texts.iter().filter(|t| *t == "상품명").count(), 1, "header once on page {}", i + 1);
            assert_eq!(texts.last().unwrap(), &(i + 1).to_string(), "page number last");
            body_rows += texts.iter().filter(|t| t.starts_with('₩')).count();
        }
        assert_eq!(body_rows, 120, "every row drawn exactly once");
        assert!(w.page_texts[0].contains(&"월간 매출 보고서".to_string()));
        assert!(w.page_texts[0].contains(&"₩77,400".to_string()));
    }

    #[test]
    fn hangul_is_drawn_with_the_embedded_subset_font_and_stays_small() {
        let (_, pdf) = orders_pdf(30);
        save("hangul-one-page.pdf", &pdf);
        assert_eq!(pages(&pdf), 1);
        assert!(count(&pdf, b"/FontFile2") + count(&pdf, b"/FontFile3") == 2, "regular and bold embedded");
        // Subset fonts carry a six-letter tag: /BaseFont /ABCDEF+NanumSquare…
        assert!(count(&pdf, b"+NanumSquare") >= 2);
        assert!(pdf.len() < 50_000, "{} bytes", pdf.len());
    }

    #[test]
    fn kpi_tiles_show_label_and_value() {
        let mut w = writer();
        w.begin(&meta()).unwrap();
        let head = SectionHead {
            title: "요약".into(),
            display: Display::Kpi,
            columns: vec![
                col("주문 수", ColumnType::Integer, Format::Auto),
                col("매출", ColumnType::Number, Format::CurrencyKrw),
                col("마진율", ColumnType::Number, Format::Percent { decimals: 1 }),
            ],
            x: 0,
            band: None,
            y: vec![],
        };
        w.section(&head).unwrap();
        w.row(&[Value::Int(1200), Value::Float(5_000_000.0), Value::Float(23.45)]).unwrap();
        w.row(&[Value::Int(1), Value::Int(1), Value::Int(1)]).unwrap();
        w.end_section().unwrap();
        let tiles: Vec<_> = w.ops.iter().filter(|op| matches!(op.shape, Shape::Rect { .. })).collect();
        assert_eq!(tiles.len(), 3);
        w.render().unwrap();
        let texts = &w.page_texts[0];
        for t in ["주문 수", "1,200", "매출", "₩5,000,000", "마진율", "23.5%"] {
            assert!(texts.contains(&t.to_string()), "{t} in {texts:?}");
        }
    }

    #[test]
    fn shapes_are_drawn_as_vectors() {
        // Hand-made shapes, as chart::layout produces them.
        let mut w = writer();
        w.begin(&meta()).unwrap();
        let shapes = vec![
            Shape::Rect { x: 0.0, y: 0.0, w: 40.0, h: 100.0, fill: Rgb(0x4E, 0x79, 0xA7) },
            Shape::Line { x1: 0.0, y1: 100.0, x2: 300.0, y2: 100.0, stroke: Rgb(0, 0, 0), width: 1.0 },
            Shape::Polyline {
                points: vec![(50.0, 90.0), (100.0, 20.0), (150.0, 60.0)],
                stroke: Rgb(0xE1, 0x57, 0x59),
                width: 2.0,
            },
            Shape::Area {
                points: vec![(50.0, 80.0), (150.0, 40.0), (150.0, 70.0), (50.0, 95.0)],
                fill: Rgb(0xf9, 0xe7, 0xbf),
            },
            Shape::Wedge { cx: 380.0, cy: 60.0, r: 50.0, start: 0.0, end: 2.0, fill: Rgb(0x59, 0xA1, 0x4F) },
            Shape::Wedge { cx: 380.0, cy: 60.0, r: 50.0, start: 2.0, end: TAU, fill: Rgb(0xF2, 0x8E, 0x2B) },
            Shape::Text {
                x: 150.0,
                y: 120.0,
                text: "매출 추이".into(),
                size: 10.0,
                anchor: Anchor::Middle,
                fill: Rgb(0, 0, 0),
            },
        ];
        for s in shapes {
            w.push(offset(s, MARGIN, 200.0), false);
        }
        let pdf = w.render().unwrap();
        save("shapes.pdf", &pdf);
        assert_eq!(pages(&pdf), 1);
        assert!(w.page_texts[0].contains(&"매출 추이".to_string()));
    }

    #[test]
    fn a_chart_over_the_point_limit_is_refused() {
        let mut w = writer();
        w.begin(&meta()).unwrap();
        let cols = vec![col("x", ColumnType::Integer, Format::Auto), col("y", ColumnType::Integer, Format::Auto)];
        w.section(&SectionHead {
            title: "c".into(),
            display: Display::Line,
            columns: cols,
            x: 0,
            band: None,
            y: vec![1],
        })
        .unwrap();
        for i in 0..MAX_CHART_POINTS as i64 {
            w.row(&[Value::Int(i), Value::Int(i)]).unwrap();
        }
        assert!(matches!(w.row(&[Value::Int(0), Value::Int(0)]), Err(RenderError::TooManyPoints { .. })));
    }

    #[test]
    fn chart_sections_are_laid_out_and_drawn() {
        let mut w = writer();
        w.begin(&meta()).unwrap();
        let cols =
            vec![col("일자", ColumnType::Date, Format::Auto), col("매출", ColumnType::Number, Format::CurrencyKrw)];
        for display in [Display::Line, Display::Bar, Display::Pie] {
            w.section(&SectionHead {
                title: format!("매출 {}", display.name()),
                display,
                columns: cols.clone(),
                x: 0,
                band: None,
                y: vec![1],
            })
            .unwrap();
            for d in 1..=7 {
                let day = NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
                w.row(&[Value::Date(day), Value::Int(100_000 * (d as i64 % 4 + 1))]).unwrap();
            }
            w.end_section().unwrap();
        }
        let pdf = w.render().unwrap();
        save("charts.pdf", &pdf);
        assert_eq!(pages(&pdf), 2, "three 260 pt charts need two pages");
        let on = |p: usize, t: &str| w.page_texts[p].iter().any(|x| x == t);
        assert!(on(0, "매출 line") && on(0, "매출 bar") && on(1, "매출 pie"));
        // Axis and legend text comes from the layout, drawn in the embedded font.
        assert!(on(0, "2026-10-01"), "{:?}", w.page_texts[0]);
    }

    /// Every kind of section, in both binary formats: /tmp/report-samples/sample-report.*.
    #[test]
    fn sample_report_with_every_section() {
        use crate::report::{xlsx::XlsxWriter, SharedBuffer};
        let kpi = SectionHead {
            title: "요약".into(),
            display: Display::Kpi,
            columns: vec![
                col("주문 수", ColumnType::Integer, Format::Auto),
                col("매출", ColumnType::Number, Format::CurrencyKrw),
                col("마진율", ColumnType::Number, Format::Percent { decimals: 1 }),
                col("재구매율", ColumnType::Number, Format::Ratio { decimals: 1 }),
            ],
            x: 0,
            band: None,
            y: vec![],
        };
        let daily = SectionHead {
            title: "일별 매출".into(),
            display: Display::Line,
            columns: vec![
                col("일자", ColumnType::Date, Format::Auto),
                col("매출", ColumnType::Number, Format::CurrencyKrw),
            ],
            x: 0,
            band: None,
            y: vec![1],
        };
        let pdf_out = SharedBuffer::default();
        let xlsx_out = SharedBuffer::default();
        let writers: Vec<Box<dyn Renderer>> = vec![
            Box::new(PdfWriter::new(Box::new(pdf_out.clone()), Options::default())),
            Box::new(XlsxWriter::new(Box::new(xlsx_out.clone()), Options::default())),
        ];
        for mut w in writers {
            w.begin(&meta()).unwrap();
            w.section(&kpi).unwrap();
            w.row(&[Value::Int(1_284), Value::Decimal("48213900".into()), Value::Float(31.25), Value::Float(0.412)])
                .unwrap();
            w.end_section().unwrap();
            w.section(&daily).unwrap();
            for d in 1..=31u32 {
                let day = NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
                w.row(&[Value::Date(day), Value::Int(1_000_000 + 37_000 * ((d * 7) % 11) as i64)]).unwrap();
            }
            w.end_section().unwrap();
            let (head, rows) = orders(150);
            w.section(&head).unwrap();
            for row in rows {
                w.row(&row).unwrap();
            }
            w.end_section().unwrap();
            w.finish().unwrap();
        }
        let (pdf, xlsx) = (pdf_out.take(), xlsx_out.take());
        save("sample-report.pdf", &pdf);
        save("sample-report.xlsx", &xlsx);
        assert!(pdf.starts_with(b"%PDF-") && pages(&pdf) >= 3);
        assert!(zip::ZipArchive::new(Cursor::new(xlsx)).unwrap().by_name("xl/charts/chart1.xml").is_ok());
    }
}
