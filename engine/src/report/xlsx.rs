//! XLSX writer (`rust_xlsxwriter`): a "Report" sheet with the header, then one worksheet
//! per section, cells typed so Excel can sum, sort and filter them.
//!
//! Decisions:
//! * **Cells.** Integers, numbers and numeric `Decimal`s are numbers (`Decimal` parsed to
//!   `f64`, so beyond 15–17 significant digits Excel shows a rounded value, as it would for
//!   any number it holds); dates and timestamps are Excel serial numbers with a date format; booleans
//!   are booleans; NULL is an empty cell; everything else is a string (never a formula, so
//!   a text starting with `=` stays text). Number formats come from
//!   [`format::excel_code`]; `Percent` values are percent points and are stored divided by
//!   100 so the cell is a real percentage. Dates before 1900-03-01 (where Excel's serial
//!   numbers are off by Lotus' leap-year bug) are written as text.
//! * **Memory.** Table sections go to constant-memory worksheets: each row is flushed to a
//!   temp file as soon as the next one starts, so memory stays flat however many rows
//!   arrive. Column widths, freeze panes and autofilters are kept in memory and written when
//!   the workbook is saved, so they work in that mode. A native Excel table does not quite:
//!   `add_table` needs the last row up front and writes the header cells itself, which a
//!   constant-memory sheet refuses once later rows are flushed (it prints a warning to
//!   stderr and drops the write). So a table section holds its first [`TABLE_ROWS`] rows:
//!   if the section ends within them it becomes a native table (banded, header style,
//!   filter buttons); a longer section is streamed as a plain range with a styled header
//!   row and a worksheet autofilter. Both get a frozen header row.
//! * **Charts** (at most [`MAX_CHART_POINTS`] rows) write their data as a native table and a
//!   native line / column / pie chart over it, placed to the right of the data. **KPI**
//!   sections are a two-column Metric / Value table of the first row.
//! * **Widths** are estimated from the header and the first [`WIDTH_SAMPLE`] rows of display
//!   text, wide (Hangul, CJK) characters counting double, capped at [`MAX_WIDTH`].
//! * **Sheet names** come from section titles: `[]:*?/\` replaced, at most 31 characters,
//!   no leading or trailing apostrophe, unique ignoring case (`Sales (2)`).

use super::format::{self, display, effective, excel_code};
use super::text::{ColumnWidths, WIDTH_SAMPLE};
use super::{Display, Meta, Options, Output, RenderError, Renderer, Result, SectionHead, Value, MAX_CHART_POINTS};
use chrono::{NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLine, ChartLineDashType, ChartType, Color, Format as XlFormat, FormatBorder, Table,
    TableColumn, Workbook, Worksheet, XlsxError,
};

/// Rows a table section holds before it gives up on a native Excel table and streams.
pub const TABLE_ROWS: usize = 10_000;
/// Widest column, in Excel character units.
pub const MAX_WIDTH: f64 = 60.0;
/// Excel's longest cell text.
const MAX_CELL_CHARS: usize = 32_767;
const META_SHEET: &str = "Report";

/// Streams a report into an `.xlsx` workbook, saved to the output by `finish`.
pub struct XlsxWriter {
    out: Box<dyn Output>,
    book: Workbook,
    /// Sheet names in use, lower-cased (Excel compares them ignoring case).
    names: Vec<String>,
    header: XlFormat,
    section: Option<Section>,
}

/// The section being written.
struct Section {
    head: SectionHead,
    sheet: usize,
    sheet_name: String,
    /// Header captions, unique ignoring case (an Excel table needs that).
    captions: Vec<String>,
    cells: Vec<CellStyle>,
    widths: ColumnWidths,
    /// Rows seen so far.
    seen: usize,
    /// Rows held back: `Some` while the section can still become a native table (or
    /// is a chart / KPI); `None` once streaming.
    held: Option<Vec<Vec<Value>>>,
}

/// How one column's values are written.
struct CellStyle {
    format: super::Format,
    /// Number format for numbers (and dates in date columns).
    number: Option<XlFormat>,
    date: XlFormat,
    datetime: XlFormat,
}

impl XlsxWriter {
    pub fn new(out: Box<dyn Output>, options: Options) -> Self {
        let _ = options; // nothing in Options concerns XLSX
        let header =
            XlFormat::new().set_bold().set_background_color(Color::RGB(0xDCE6F1)).set_border_bottom(FormatBorder::Thin);
        // Deflate level 3, as Excel 365 writes: at 1M rows deflate at the default level 6 was
        // 45 % of the export's time (perf, bench/reports.sh); level 3 costs ~5 % in size.
        let mut book = Workbook::new();
        book.set_zip_compression_level(3);
        XlsxWriter { out, book, names: Vec::new(), header, section: None }
    }

    fn sheet(&mut self, index: usize) -> Result<&mut Worksheet> {
        self.book.worksheet_from_index(index).map_err(xl)
    }

    /// Adds a worksheet with a unique name derived from `title`; returns its index and name.
    fn add_sheet(&mut self, title: &str, constant_memory: bool) -> Result<(usize, String)> {
        let name = sheet_name(title, &mut self.names);
        let sheet = if constant_memory {
            self.book.add_worksheet_with_constant_memory().map_err(xl)?
        } else {
            self.book.add_worksheet()
        };
        sheet.set_name(&name).map_err(xl)?;
        Ok((self.names.len() - 1, name))
    }

    /// Writes the header row and the held rows as a range starting at row 0, as a native
    /// table when `table` and there is at least one row.
    fn write_held(&mut self, sec: &Section, rows: &[Vec<Value>], table: bool) -> Result<()> {
        let header = self.header.clone();
        let ws = self.sheet(sec.sheet)?;
        let last_col = sec.captions.len().saturating_sub(1) as u16;
        if table && !rows.is_empty() {
            let columns: Vec<TableColumn> = sec.captions.iter().map(|c| TableColumn::new().set_header(c)).collect();
            let t = Table::new().set_columns(&columns);
            // Before any data row: `add_table` writes the header cells itself.
            ws.add_table(0, 0, rows.len() as u32, last_col, &t).map_err(xl)?;
        } else {
            write_header(ws, &sec.captions, &header)?;
            if !sec.captions.is_empty() {
                ws.autofilter(0, 0, rows.len() as u32, last_col).map_err(xl)?;
            }
        }
        for (i, row) in rows.iter().enumerate() {
            write_row(ws, i as u32 + 1, row, &sec.cells)?;
        }
        Ok(())
    }

    /// Ends a section that has been streaming: autofilter over everything written.
    fn finish_streamed(&mut self, sec: &Section) -> Result<()> {
        let ws = self.sheet(sec.sheet)?;
        let last_col = sec.captions.len().saturating_sub(1) as u16;
        ws.autofilter(0, 0, sec.seen as u32, last_col).map_err(xl)?;
        Ok(())
    }

    fn finish_layout(&mut self, sec: &Section) -> Result<()> {
        let ws = self.sheet(sec.sheet)?;
        for (c, w) in sec.widths.get().iter().enumerate() {
            ws.set_column_width(c as u16, *w).map_err(xl)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xl)?;
        Ok(())
    }

    fn add_chart(&mut self, sec: &Section, rows: usize) -> Result<()> {
        if rows == 0 {
            return Ok(());
        }
        let head = &sec.head;
        let name = sec.sheet_name.as_str();
        let (kind, ys) = match head.display {
            Display::Line => (ChartType::Line, &head.y[..]),
            Display::Pie => (ChartType::Pie, &head.y[..head.y.len().min(1)]),
            _ => (ChartType::Column, &head.y[..]),
        };
        let last = rows as u32;
        let x = head.x as u16;
        let mut chart = Chart::new(kind);
        chart.title().set_name(&head.title);
        for &y in ys {
            chart
                .add_series()
                .set_name((name, 0, y as u16))
                .set_categories((name, 1, x, last, x))
                .set_values((name, 1, y as u16, last, y as u16));
        }
        // Excel has no band between two series of a line chart: its bounds are thin dashed
        // grey lines.
        for y in head.band.iter().flatten().filter(|_| kind == ChartType::Line) {
            let line = ChartLine::new()
                .set_color(Color::RGB(0x9a9a9a))
                .set_width(0.75)
                .set_dash_type(ChartLineDashType::Dash)
                .clone();
            chart
                .add_series()
                .set_name((name, 0, *y as u16))
                .set_categories((name, 1, x, last, x))
                .set_values((name, 1, *y as u16, last, *y as u16))
                .set_format(ChartFormat::new().set_line(&line));
        }
        if ys.len() < 2 && head.band.is_none() && kind != ChartType::Pie {
            chart.legend().set_hidden();
        }
        let col = head.columns.len() as u16 + 1;
        self.sheet(sec.sheet)?.insert_chart(1, col, &chart).map_err(xl)?;
        Ok(())
    }

    fn write_kpi(&mut self, sec: &Section, first: Option<&[Value]>) -> Result<()> {
        let ws = self.sheet(sec.sheet)?;
        let n = sec.head.columns.len();
        if n == 0 {
            return Ok(());
        }
        let t = Table::new()
            .set_columns(&[TableColumn::new().set_header("Metric"), TableColumn::new().set_header("Value")]);
        ws.add_table(0, 0, n as u32, 1, &t).map_err(xl)?;
        let mut value_width: f64 = 12.0;
        for (i, col) in sec.head.columns.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, cell_text(&col.label)).map_err(xl)?;
            if let Some(v) = first.and_then(|row| row.get(i)) {
                write_cell(ws, r, 1, v, &sec.cells[i])?;
                value_width = value_width.max(text_width(&display(v, sec.cells[i].format)) + 4.0);
            }
        }
        let label_width = sec.head.columns.iter().map(|c| text_width(&c.label) + 2.0).fold(12.0, f64::max);
        ws.set_column_width(0, label_width.min(MAX_WIDTH)).map_err(xl)?;
        ws.set_column_width(1, value_width.min(MAX_WIDTH)).map_err(xl)?;
        Ok(())
    }
}

impl Renderer for XlsxWriter {
    fn begin(&mut self, meta: &Meta) -> Result<()> {
        let (index, _) = self.add_sheet(META_SHEET, false)?;
        let title = XlFormat::new().set_bold().set_font_size(16);
        let label = XlFormat::new().set_bold();
        let ws = self.sheet(index)?;
        ws.write_string_with_format(0, 0, cell_text(&meta.title), &title).map_err(xl)?;
        let mut r = 1;
        if !meta.description.is_empty() {
            ws.write_string(r, 0, cell_text(&meta.description)).map_err(xl)?;
            r += 1;
        }
        r += 1;
        if !meta.params.is_empty() {
            ws.write_string_with_format(r, 0, "Parameters", &label).map_err(xl)?;
            r += 1;
            for (name, value) in &meta.params {
                ws.write_string(r, 0, cell_text(name)).map_err(xl)?;
                ws.write_string(r, 1, cell_text(value)).map_err(xl)?;
                r += 1;
            }
            r += 1;
        }
        ws.write_string_with_format(r, 0, "Generated", &label).map_err(xl)?;
        ws.write_string(r, 1, cell_text(&meta.generated_at)).map_err(xl)?;
        let w0 = meta.params.iter().map(|(n, _)| text_width(n)).fold(12.0, f64::max);
        let w1 = meta.params.iter().map(|(_, v)| text_width(v)).fold(text_width(&meta.generated_at), f64::max);
        ws.set_column_width(0, (w0 + 2.0).min(MAX_WIDTH)).map_err(xl)?;
        ws.set_column_width(1, (w1 + 2.0).min(MAX_WIDTH)).map_err(xl)?;
        Ok(())
    }

    fn section(&mut self, head: &SectionHead) -> Result<()> {
        if self.section.is_some() {
            return Err(RenderError::Protocol("section before end_section"));
        }
        if self.names.is_empty() {
            return Err(RenderError::Protocol("section before begin"));
        }
        let (sheet, sheet_name) = self.add_sheet(&head.title, head.display == Display::Table)?;
        let captions = unique_captions(head.columns.iter().map(|c| c.label.as_str()));
        let widths = ColumnWidths::new(captions.iter().map(|c| text_width(c) + 3.0));
        let cells = head.columns.iter().map(|c| CellStyle::new(effective(c.format, c.kind))).collect();
        self.section = Some(Section {
            head: head.clone(),
            sheet,
            sheet_name,
            captions,
            cells,
            widths,
            seen: 0,
            held: Some(Vec::new()),
        });
        Ok(())
    }

    fn row(&mut self, row: &[Value]) -> Result<()> {
        let mut sec = self.section.take().ok_or(RenderError::Protocol("row outside a section"))?;
        let result = self.row_in(&mut sec, row);
        self.section = Some(sec);
        result
    }

    fn end_section(&mut self) -> Result<()> {
        let mut sec = self.section.take().ok_or(RenderError::Protocol("end_section without section"))?;
        let held = sec.held.take();
        match (sec.head.display, held) {
            (Display::Kpi, held) => {
                let first = held.as_ref().and_then(|rows| rows.first()).map(|r| r.as_slice());
                self.write_kpi(&sec, first)?;
            }
            (Display::Table, None) => {
                self.finish_streamed(&sec)?;
                self.finish_layout(&sec)?;
            }
            (display, held) => {
                let rows = held.unwrap_or_default();
                self.write_held(&sec, &rows, true)?;
                self.finish_layout(&sec)?;
                if display.is_chart() {
                    self.add_chart(&sec, rows.len())?;
                }
            }
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        if self.section.is_some() {
            return Err(RenderError::Protocol("finish inside a section"));
        }
        if self.names.is_empty() {
            return Err(RenderError::Protocol("finish before begin"));
        }
        let XlsxWriter { out, book, .. } = &mut *self;
        book.save_to_writer(out).map_err(xl)?;
        self.out.flush()?;
        Ok(())
    }
}

impl XlsxWriter {
    fn row_in(&mut self, sec: &mut Section, row: &[Value]) -> Result<()> {
        if row.len() != sec.head.columns.len() {
            return Err(RenderError::Protocol("row length differs from the section's columns"));
        }
        sec.seen += 1;
        if sec.seen <= WIDTH_SAMPLE {
            let cells = &sec.cells;
            sec.widths.widen(|c| (text_width(&display(&row[c], cells[c].format)) + 2.0).min(MAX_WIDTH));
        }
        match sec.head.display {
            Display::Kpi => {
                if sec.seen == 1 {
                    sec.held = Some(vec![row.to_vec()]);
                }
            }
            d if d.is_chart() => {
                if sec.seen > MAX_CHART_POINTS {
                    return Err(RenderError::TooManyPoints {
                        section: sec.head.title.clone(),
                        limit: MAX_CHART_POINTS,
                    });
                }
                sec.held.get_or_insert_with(Vec::new).push(row.to_vec());
            }
            _ => match sec.held.take() {
                Some(mut held) if held.len() < TABLE_ROWS => {
                    held.push(row.to_vec());
                    sec.held = Some(held);
                }
                Some(held) => {
                    // Too long for a native table: write what was held and stream from now on.
                    self.write_held(sec, &held, false)?;
                    drop(held);
                    let ws = self.sheet(sec.sheet)?;
                    write_row(ws, sec.seen as u32, row, &sec.cells)?;
                }
                None => {
                    let ws = self.sheet(sec.sheet)?;
                    write_row(ws, sec.seen as u32, row, &sec.cells)?;
                }
            },
        }
        Ok(())
    }
}

impl CellStyle {
    fn new(format: super::Format) -> Self {
        use super::Format as F;
        let number = match format {
            F::Auto | F::Text => None,
            f => Some(XlFormat::new().set_num_format(excel_code(f))),
        };
        CellStyle {
            format,
            number,
            date: XlFormat::new().set_num_format(excel_code(F::Date)),
            datetime: XlFormat::new().set_num_format(excel_code(F::DateTime)),
        }
    }
}

fn write_header(ws: &mut Worksheet, captions: &[String], header: &XlFormat) -> Result<()> {
    for (c, caption) in captions.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, caption, header).map_err(xl)?;
    }
    Ok(())
}

fn write_row(ws: &mut Worksheet, r: u32, row: &[Value], cells: &[CellStyle]) -> Result<()> {
    for (c, v) in row.iter().enumerate() {
        write_cell(ws, r, c as u16, v, &cells[c])?;
    }
    Ok(())
}

fn write_cell(ws: &mut Worksheet, r: u32, c: u16, v: &Value, style: &CellStyle) -> Result<()> {
    use super::Format as F;
    let numeric = format::is_numeric(style.format);
    match v {
        Value::Null => {}
        Value::Bool(b) => {
            ws.write_boolean(r, c, *b).map_err(xl)?;
        }
        Value::Int(_) | Value::Float(_) | Value::Decimal(_) => match v.as_f64() {
            Some(x) => {
                let x = if let F::Percent { .. } = style.format { x / 100.0 } else { x };
                match style.number.as_ref().filter(|_| numeric) {
                    Some(f) => ws.write_number_with_format(r, c, x, f),
                    None => ws.write_number(r, c, x),
                }
                .map_err(xl)?;
            }
            // NaN, infinities, an unparsable numeric: keep the text.
            None => {
                ws.write_string(r, c, cell_text(&display(v, style.format))).map_err(xl)?;
            }
        },
        Value::Text(s) => {
            ws.write_string(r, c, cell_text(s)).map_err(xl)?;
        }
        Value::Date(d) => match date_serial(d.and_hms_opt(0, 0, 0).unwrap_or_default()) {
            Some(serial) => {
                let f = if style.format == F::DateTime { &style.datetime } else { &style.date };
                ws.write_number_with_format(r, c, serial, f).map_err(xl)?;
            }
            None => {
                ws.write_string(r, c, display(v, F::Date)).map_err(xl)?;
            }
        },
        Value::Timestamp(t) => match date_serial(*t) {
            Some(serial) => {
                let f = if style.format == F::Date { &style.date } else { &style.datetime };
                ws.write_number_with_format(r, c, serial, f).map_err(xl)?;
            }
            None => {
                ws.write_string(r, c, display(v, F::DateTime)).map_err(xl)?;
            }
        },
    }
    Ok(())
}

/// Excel's serial day number (1900 date system) for dates from 1900-03-01 to 9999-12-31.
fn date_serial(t: NaiveDateTime) -> Option<f64> {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let first = NaiveDate::from_ymd_opt(1900, 3, 1)?;
    let last = NaiveDate::from_ymd_opt(9999, 12, 31)?;
    let day = t.date();
    if day < first || day > last {
        return None;
    }
    let days = (day - epoch).num_days() as f64;
    let secs = t.num_seconds_from_midnight() as f64 + t.nanosecond() as f64 / 1e9;
    Some(days + secs / 86_400.0)
}

/// Text cut to Excel's cell limit.
fn cell_text(s: &str) -> &str {
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Display width in Excel character units: wide (East Asian) characters count 2.
fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if is_wide(c) { 2.0 } else { 1.0 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// A sheet name for `title` that Excel accepts and that is not in `used` (ignoring case);
/// records it in `used`.
fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let cleaned: String =
        title.chars().map(|c| if "[]:*?/\\".contains(c) || c.is_control() { ' ' } else { c }).collect();
    let mut base: String = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    base = base.trim_matches('\'').trim().to_string();
    // "History" is reserved by Excel.
    if base.is_empty() || base.eq_ignore_ascii_case("history") {
        base = format!("Sheet{}", used.len() + 1);
    }
    let mut n = 1;
    loop {
        let suffix = if n == 1 { String::new() } else { format!(" ({n})") };
        let keep = 31 - suffix.chars().count();
        let stem: String = base.chars().take(keep).collect();
        let name = format!("{}{suffix}", stem.trim_end_matches('\'').trim_end());
        if !used.contains(&name.to_lowercase()) {
            used.push(name.to_lowercase());
            return name;
        }
        n += 1;
    }
}

/// Header captions made non-empty and unique ignoring case (`Revenue`, `Revenue 2`).
fn unique_captions<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, label) in labels.enumerate() {
        let label = label.trim();
        let base = if label.is_empty() { format!("Column{}", i + 1) } else { cell_text(label).to_string() };
        let mut name = base.clone();
        let mut n = 2;
        while seen.contains(&name.to_lowercase()) {
            name = format!("{base} {n}");
            n += 1;
        }
        seen.push(name.to_lowercase());
        out.push(name);
    }
    out
}

fn xl(e: XlsxError) -> RenderError {
    match e {
        XlsxError::IoError(e) | XlsxError::ZipError(zip::result::ZipError::Io(e)) => RenderError::from(e),
        e => RenderError::Writer(format!("XLSX: {e}")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::{Column, ColumnType, Format, SharedBuffer};
    use std::io::{Cursor, Read};

    pub(crate) fn col(label: &str, kind: ColumnType, format: Format) -> Column {
        Column { label: label.into(), kind, format }
    }

    pub(crate) fn meta() -> Meta {
        Meta {
            title: "월간 매출 보고서".into(),
            description: "Revenue by day".into(),
            params: vec![("month".into(), "2026-10".into())],
            generated_at: "2026-11-24 09:00 KST".into(),
            section_count: 3,
        }
    }

    fn day(d: u32) -> Value {
        Value::Date(NaiveDate::from_ymd_opt(2026, 10, d).unwrap())
    }

    /// A table section, a line chart and a KPI section.
    fn sample() -> Vec<u8> {
        let out = SharedBuffer::default();
        let mut w = Box::new(XlsxWriter::new(Box::new(out.clone()), Options::default()));
        w.begin(&meta()).unwrap();
        let cols = vec![
            col("Day", ColumnType::Date, Format::Auto),
            col("Revenue", ColumnType::Number, Format::CurrencyKrw),
            col("Margin", ColumnType::Number, Format::Percent { decimals: 1 }),
            col("Product", ColumnType::Text, Format::Auto),
        ];
        let table = SectionHead {
            title: "Sales: by day?".into(),
            display: Display::Table,
            columns: cols.clone(),
            x: 0,
            band: None,
            y: vec![],
        };
        w.section(&table).unwrap();
        w.row(&[day(31), Value::Decimal("1234567".into()), Value::Float(23.5), Value::Text("가방".into())]).unwrap();
        w.row(&[day(30), Value::Null, Value::Float(-1.0), Value::Text("=1+1".into())]).unwrap();
        w.end_section().unwrap();
        let chart =
            // One column as both bounds of the band: enough to see its dashed series.
            SectionHead { title: "Sales: by day?".into(), display: Display::Line, columns: cols, x: 0, y: vec![1], band: Some([2, 2]) };
        w.section(&chart).unwrap();
        for d in 1..=3 {
            w.row(&[day(d), Value::Int(100 * d as i64), Value::Null, Value::Null]).unwrap();
        }
        w.end_section().unwrap();
        let kpi = SectionHead {
            title: "Totals".into(),
            display: Display::Kpi,
            columns: vec![
                col("Orders", ColumnType::Integer, Format::Auto),
                col("Revenue", ColumnType::Number, Format::CurrencyKrw),
            ],
            x: 0,
            band: None,
            y: vec![],
        };
        w.section(&kpi).unwrap();
        w.row(&[Value::Int(1200), Value::Float(5_000_000.0)]).unwrap();
        w.end_section().unwrap();
        w.finish().unwrap();
        out.take()
    }

    fn part(zip: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str) -> String {
        let mut s = String::new();
        zip.by_name(name).unwrap_or_else(|_| panic!("no part {name}")).read_to_string(&mut s).unwrap();
        s
    }

    /// The number format code of cell style `s` (an index into cellXfs).
    fn style_code(styles: &str, s: usize) -> String {
        let xfs = styles.split("<cellXfs").nth(1).unwrap().split("</cellXfs>").next().unwrap();
        let xf = xfs.split("<xf ").nth(s + 1).unwrap();
        let id = xf.split("numFmtId=\"").nth(1).unwrap().split('"').next().unwrap();
        let code = styles
            .split(&format!("<numFmt numFmtId=\"{id}\" formatCode=\""))
            .nth(1)
            .map(|r| r.split('"').next().unwrap().to_string());
        code.unwrap_or_else(|| format!("builtin {id}"))
    }

    /// The `<c …>…</c>` element of cell `r` in a sheet.
    fn cell<'a>(sheet: &'a str, r: &str) -> &'a str {
        let start = sheet.find(&format!("<c r=\"{r}\"")).unwrap_or_else(|| panic!("no cell {r}"));
        let end = start + sheet[start..].find("</c>").unwrap();
        &sheet[start..end]
    }

    fn cell_style(c: &str) -> usize {
        c.split("s=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap()
    }

    #[test]
    fn sheets_are_named_from_titles_and_typed() {
        let mut zip = zip::ZipArchive::new(Cursor::new(sample())).unwrap();
        let book = part(&mut zip, "xl/workbook.xml");
        assert!(book.contains(r#"<sheet name="Report""#), "{book}");
        assert!(book.contains(r#"<sheet name="Sales by day""#), "{book}");
        assert!(book.contains(r#"<sheet name="Sales by day (2)""#), "{book}");
        assert!(book.contains(r#"<sheet name="Totals""#), "{book}");

        let styles = part(&mut zip, "xl/styles.xml");
        let sheet = part(&mut zip, "xl/worksheets/sheet2.xml");
        // 2026-10-31 is serial day 46326, shown as a date.
        let a2 = cell(&sheet, "A2");
        assert!(a2.contains("<v>46326</v>"), "{a2}");
        assert_eq!(style_code(&styles, cell_style(a2)), "yyyy-mm-dd");
        // Currency: the number itself, formatted as won.
        let b2 = cell(&sheet, "B2");
        assert!(b2.contains("<v>1234567</v>"), "{b2}");
        assert_eq!(style_code(&styles, cell_style(b2)), "[$₩-412]#,##0;-[$₩-412]#,##0");
        // Percent points become a real percentage.
        let c2 = cell(&sheet, "C2");
        assert!(c2.contains("<v>0.235</v>"), "{c2}");
        assert_eq!(style_code(&styles, cell_style(c2)), "0.0%");
        // NULL is no cell; text (even "=1+1") is a string, not a formula.
        assert!(!sheet.contains(r#"<c r="B3""#));
        assert!(cell(&sheet, "D3").contains("<t>=1+1</t>") && !sheet.contains("<f>"), "{sheet}");
        assert!(cell(&sheet, "D2").contains("가방"));
        // Header row frozen; a short table is a native table over A1:D3.
        assert!(sheet.contains(r#"ySplit="1""#), "{sheet}");
        let table = part(&mut zip, "xl/tables/table1.xml");
        assert!(table.contains(r#"ref="A1:D3""#), "{table}");
        assert!(table.contains(r#"name="Revenue""#), "{table}");
    }

    #[test]
    fn chart_sections_get_a_native_chart_over_their_data() {
        let mut zip = zip::ZipArchive::new(Cursor::new(sample())).unwrap();
        let chart = part(&mut zip, "xl/charts/chart1.xml");
        assert!(chart.contains("<c:lineChart>"), "{chart}");
        assert!(chart.contains("'Sales by day (2)'!$B$2:$B$4"), "{chart}");
        assert!(chart.contains("'Sales by day (2)'!$A$2:$A$4"), "{chart}");
        // The band's bounds: dashed grey series, and the legend is shown.
        assert_eq!(chart.matches("'Sales by day (2)'!$C$2:$C$4").count(), 2, "{chart}");
        assert_eq!(chart.matches(r#"<a:prstDash val="dash"/>"#).count(), 2, "{chart}");
        assert!(chart.contains("9A9A9A") && chart.contains("<c:legend>"), "{chart}");
        assert!(part(&mut zip, "xl/tables/table2.xml").contains(r#"ref="A1:D4""#));
        // KPI: metric / value pairs.
        let kpi = part(&mut zip, "xl/worksheets/sheet4.xml");
        assert!(cell(&kpi, "B2").contains("<v>1200</v>"));
        assert!(cell(&kpi, "B3").contains("<v>5000000</v>"));
        assert!(part(&mut zip, "xl/tables/table3.xml").contains(r#"ref="A1:B3""#));
    }

    #[test]
    fn sheet_names_follow_excel_rules() {
        let mut used = vec!["report".to_string()];
        assert_eq!(sheet_name("Report", &mut used), "Report (2)");
        assert_eq!(sheet_name("a/b\\c[d]:e*f?g", &mut used), "a b c d e f g");
        let long = "가".repeat(40);
        let n1 = sheet_name(&long, &mut used);
        let n2 = sheet_name(&long, &mut used);
        assert_eq!(n1.chars().count(), 31);
        assert_eq!(n2, format!("{} (2)", "가".repeat(27)));
        assert_eq!(sheet_name("'quoted'", &mut used), "quoted");
        assert_eq!(sheet_name("  ", &mut used), "Sheet7");
        assert_eq!(sheet_name("history", &mut used), "Sheet8");
    }

    #[test]
    fn widths_count_hangul_double_and_captions_are_unique() {
        assert_eq!(text_width("abc"), 3.0);
        assert_eq!(text_width("가방 1"), 6.0);
        assert_eq!(unique_captions(["Rev", "rev", "", "Rev"].into_iter()), ["Rev", "rev 2", "Column3", "Rev 3"]);
    }

    #[test]
    fn a_chart_over_the_point_limit_is_refused() {
        let mut w = XlsxWriter::new(Box::new(Cursor::new(Vec::new())), Options::default());
        w.begin(&meta()).unwrap();
        let cols = vec![col("x", ColumnType::Integer, Format::Auto), col("y", ColumnType::Integer, Format::Auto)];
        w.section(&SectionHead {
            title: "c".into(),
            display: Display::Bar,
            columns: cols,
            x: 0,
            band: None,
            y: vec![1],
        })
        .unwrap();
        for i in 0..MAX_CHART_POINTS as i64 {
            w.row(&[Value::Int(i), Value::Int(i)]).unwrap();
        }
        let err = w.row(&[Value::Int(0), Value::Int(0)]).unwrap_err();
        assert!(matches!(err, RenderError::TooManyPoints { limit: MAX_CHART_POINTS, .. }), "{err}");
    }

    #[test]
    fn a_long_table_streams_as_a_filtered_range() {
        let out = SharedBuffer::default();
        let mut w = Box::new(XlsxWriter::new(Box::new(out.clone()), Options::default()));
        w.begin(&meta()).unwrap();
        let cols = vec![
            col("id", ColumnType::Integer, Format::Auto),
            col("상품", ColumnType::Text, Format::Auto),
            col("amount", ColumnType::Number, Format::CurrencyKrw),
        ];
        w.section(&SectionHead {
            title: "Orders".into(),
            display: Display::Table,
            columns: cols,
            x: 0,
            band: None,
            y: vec![],
        })
        .unwrap();
        let rows = 200_000;
        for i in 0..rows {
            w.row(&[Value::Int(i), Value::Text(format!("상품 {}", i % 97)), Value::Float(i as f64 * 10.0)]).unwrap();
            if i == TABLE_ROWS as i64 + 5 {
                // Streaming by now: nothing held back.
                assert!(w.section.as_ref().unwrap().held.is_none());
            }
        }
        w.end_section().unwrap();
        w.finish().unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(out.take())).unwrap();
        assert!(zip.by_name("xl/tables/table1.xml").is_err(), "too long for a native table");
        let sheet = part(&mut zip, "xl/worksheets/sheet2.xml");
        assert!(sheet.contains(r#"<autoFilter ref="A1:C200001"/>"#), "{}", &sheet[sheet.len() - 600..]);
        assert!(sheet.contains(r#"ySplit="1""#));
        assert!(cell(&sheet, "A200001").contains("<v>199999</v>"));
        assert!(cell(&sheet, "B1").contains("상품"));
    }
}
