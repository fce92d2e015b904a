//! HTML writer: one self-contained, responsive page (inline CSS, charts as inline SVG, no
//! scripts, no external fonts or images), so the file can be mailed, archived or opened
//! offline.
//!
//! Decisions:
//! - `lang="ko"`; page chrome (generation time, empty states) is Korean, data as given.
//! - Tables stream: each row is written when it arrives. Numeric columns
//!   ([`format::is_numeric`]) are right-aligned with tabular figures; rows are zebra
//!   striped; the header sticks while the table scrolls inside its wrapper, which also
//!   scrolls sideways on narrow screens.
//! - KPI sections show one tile per column of the first row (later rows are ignored);
//!   chart sections buffer at most [`MAX_CHART_POINTS`] rows, then fail with
//!   [`RenderError::TooManyPoints`].
//! - Print CSS: A4, no scroll boxes, table headers repeat on every page.
//! - Every text from data or meta goes through [`escape`].
//!
//! The fragment functions ([`document_start`], [`kpi_tiles`], [`chart_svg`], [`table_start`],
//! [`table_row`], [`CSS`]) are what dashboards reuse to build their pages.

use super::format::{self, effective};
use super::text::escape;
use super::{
    chart, Column, Display, Format, Meta, Options, RenderError, Renderer, Result, SectionHead, Value, MAX_CHART_POINTS,
};
use std::fmt::Write as _;
use std::io::{BufWriter, Write};

/// Stylesheet of report and dashboard pages (screen, phone and print).
pub const CSS: &str = r#"@page{size:A4;margin:14mm}
:root{--ink:#212529;--muted:#5a626a;--line:#dee2e6;--head:#f1f3f5;--zebra:#f8f9fa}
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans KR","Malgun Gothic","Apple SD Gothic Neo",system-ui,sans-serif;color:var(--ink);background:#fff;line-height:1.5;-webkit-text-size-adjust:100%;text-size-adjust:100%}
main{max-width:1100px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:1.6rem;line-height:1.3;margin:0 0 .25rem}
h2{font-size:1.15rem;margin:0 0 .75rem}
.desc{margin:.25rem 0 .75rem;color:var(--muted)}
.params{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin:.5rem 0;padding:0}
.params div{display:flex;gap:.4rem}
.params dt{color:var(--muted)}
.params dd{margin:0;font-weight:600}
.generated{font-size:.85rem;color:var(--muted);margin:.25rem 0 0}
.section{margin-top:2rem}
.table-wrap{overflow:auto;max-height:80vh;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:.45rem .7rem;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{position:sticky;top:0;z-index:1;background:var(--head);font-weight:600}
tbody tr:nth-child(even){background:var(--zebra)}
.num{text-align:right;font-variant-numeric:tabular-nums}
.empty{color:var(--muted);text-align:center}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px}
.kpi{border:1px solid var(--line);border-radius:8px;padding:14px 16px;min-width:0}
.kpi-label{font-size:.85rem;color:var(--muted)}
.kpi-value{font-size:1.6rem;font-weight:700;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.chart{margin:0}
.chart svg{display:block;width:100%;height:auto}
.chart .chart-narrow{display:none}
@media screen and (max-width:600px){.chart .chart-wide{display:none}.chart .chart-narrow{display:block}}
@media (max-width:600px){main{padding:16px 10px 32px}h1{font-size:1.3rem}.kpis{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}.kpi{padding:10px 12px}.kpi-value{font-size:1.25rem}th,td{padding:.35rem .5rem}}
@media print{body{font-size:10pt}main{max-width:none;padding:0}.table-wrap{overflow:visible;max-height:none;border:0}th{position:static}th,td{white-space:normal}thead{display:table-header-group}tr,.kpi,.chart{break-inside:avoid}h2{break-after:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"#;

/// Closes what [`document_start`] opened.
pub const DOCUMENT_END: &str = "</body>\n</html>\n";
/// Closes what [`table_start`] opened.
pub const TABLE_END: &str = "</tbody></table></div>\n";
/// Chart box in points (the SVG scales to the page width).
pub const CHART_SIZE: (f64, f64) = (720.0, 320.0);
/// Chart box for phone screens (≤ 600 px): on a 390 px phone the page is 370 px wide, so
/// the chart's 10-unit type shows at 12 px (11 px on a 360 px phone).
pub const CHART_SIZE_NARROW: (f64, f64) = (300.0, 240.0);
/// Text of empty tables and KPI values.
pub const EMPTY: &str = "데이터 없음";

/// `<!doctype html>` through `<body>`: charset, viewport, title, description and [`CSS`].
pub fn document_start(title: &str, description: &str) -> String {
    let mut s = String::from("<!doctype html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(s, "<title>{}</title>", escape(title));
    if !description.is_empty() {
        let _ = writeln!(s, "<meta name=\"description\" content=\"{}\">", escape(description));
    }
    let _ =
        write!(s, "<meta name=\"generator\" content=\"cafe24_analytics\">\n<style>\n{CSS}</style>\n</head>\n<body>\n");
    s
}

/// The display formats of a section's columns ([`format::effective`]).
pub fn formats(columns: &[Column]) -> Vec<Format> {
    columns.iter().map(|c| effective(c.format, c.kind)).collect()
}

fn num_class(format: Format) -> &'static str {
    if format::is_numeric(format) {
        " class=\"num\""
    } else {
        ""
    }
}

/// A scrollable table's opening and header row; rows follow ([`table_row`]), then [`TABLE_END`].
pub fn table_start(columns: &[Column]) -> String {
    let mut s = String::from("<div class=\"table-wrap\"><table>\n<thead><tr>");
    for c in columns {
        let _ = write!(s, "<th scope=\"col\"{}>{}</th>", num_class(effective(c.format, c.kind)), escape(&c.label));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    s
}

/// One `<tr>` of display text; `formats` from [`formats`]. Missing cells are empty,
/// extra cells are ignored.
pub fn table_row(formats: &[Format], row: &[Value]) -> String {
    let mut s = String::from("<tr>");
    for (i, f) in formats.iter().enumerate() {
        let text = row.get(i).map(|v| format::display(v, *f)).unwrap_or_default();
        let _ = write!(s, "<td{}>{}</td>", num_class(*f), escape(&text));
    }
    s.push_str("</tr>\n");
    s
}

/// KPI tiles: one per column, the label and the formatted value from `row` (the section's
/// first row); a missing or NULL value shows as `–`.
pub fn kpi_tiles(head: &SectionHead, row: &[Value]) -> String {
    let mut s = String::from("<div class=\"kpis\">\n");
    for (i, c) in head.columns.iter().enumerate() {
        let value = row.get(i).map(|v| format::display(v, effective(c.format, c.kind))).unwrap_or_default();
        let value = if value.is_empty() { "–".to_string() } else { value };
        let _ = writeln!(
            s,
            "<div class=\"kpi\"><div class=\"kpi-label\">{}</div><div class=\"kpi-value\">{}</div></div>",
            escape(&c.label),
            escape(&value)
        );
    }
    s.push_str("</div>\n");
    s
}

/// A chart section as `<figure class="chart">` holding two inline SVGs, one laid out for
/// wide screens and print ([`CHART_SIZE`]) and one for phones ([`CHART_SIZE_NARROW`]);
/// [`CSS`] shows one of them. Each is labelled with the section title for screen readers.
/// `rows` at most [`MAX_CHART_POINTS`].
pub fn chart_svg(head: &SectionHead, rows: &[Vec<Value>]) -> String {
    chart_figure(head, rows, CHART_SIZE, CHART_SIZE_NARROW)
}

/// [`chart_svg`] with the two boxes given (a dashboard lays each widget's chart out at the
/// widget's own size).
pub fn chart_figure(head: &SectionHead, rows: &[Vec<Value>], wide: (f64, f64), narrow: (f64, f64)) -> String {
    let label = escape(&head.title);
    let mut s = String::from("<figure class=\"chart\">");
    for (class, (w, h)) in [("wide", wide), ("narrow", narrow)] {
        let svg = chart::to_svg(&chart::layout(head, rows, w, h), w, h);
        let attrs = format!("<svg class=\"chart-{class}\" aria-label=\"{label}\" ");
        s.push_str(&svg.replacen("<svg ", &attrs, 1));
    }
    s.push_str("</figure>\n");
    s
}

/// The section being written.
struct Open {
    head: SectionHead,
    formats: Vec<Format>,
    /// Buffered rows (charts; the first row of KPI sections).
    rows: Vec<Vec<Value>>,
    count: usize,
}

/// Streams a report as one HTML page.
pub struct HtmlRenderer<W: Write> {
    out: BufWriter<W>,
    begun: bool,
    open: Option<Open>,
}

impl<W: Write> HtmlRenderer<W> {
    /// `options` has nothing for HTML; taken so every writer is built alike.
    pub fn new(out: W, options: Options) -> Self {
        let _ = options;
        HtmlRenderer { out: BufWriter::new(out), begun: false, open: None }
    }
}

impl<W: Write> Renderer for HtmlRenderer<W> {
    fn begin(&mut self, meta: &Meta) -> Result<()> {
        if self.begun {
            return Err(RenderError::Protocol("begin called twice"));
        }
        self.begun = true;
        let mut s = document_start(&meta.title, &meta.description);
        let _ = writeln!(s, "<main class=\"report\">\n<header>\n<h1>{}</h1>", escape(&meta.title));
        if !meta.description.is_empty() {
            let _ = writeln!(s, "<p class=\"desc\">{}</p>", escape(&meta.description));
        }
        if !meta.params.is_empty() {
            s.push_str("<dl class=\"params\">");
            for (k, v) in &meta.params {
                let _ = write!(s, "<div><dt>{}</dt><dd>{}</dd></div>", escape(k), escape(v));
            }
            s.push_str("</dl>\n");
        }
        if !meta.generated_at.is_empty() {
            let _ = writeln!(s, "<p class=\"generated\">생성 시각: {}</p>", escape(&meta.generated_at));
        }
        s.push_str("</header>\n");
        self.out.write_all(s.as_bytes())?;
        Ok(())
    }

    fn section(&mut self, head: &SectionHead) -> Result<()> {
        if !self.begun || self.open.is_some() {
            return Err(RenderError::Protocol("section outside the document or inside another section"));
        }
        let mut s = format!("<section class=\"section section-{}\">\n", head.display.name());
        if !head.title.is_empty() {
            let _ = writeln!(s, "<h2>{}</h2>", escape(&head.title));
        }
        if head.display == Display::Table {
            s.push_str(&table_start(&head.columns));
        }
        self.out.write_all(s.as_bytes())?;
        self.open = Some(Open { head: head.clone(), formats: formats(&head.columns), rows: Vec::new(), count: 0 });
        Ok(())
    }

    fn row(&mut self, row: &[Value]) -> Result<()> {
        let open = self.open.as_mut().ok_or(RenderError::Protocol("row outside a section"))?;
        open.count += 1;
        match open.head.display {
            Display::Table => self.out.write_all(table_row(&open.formats, row).as_bytes())?,
            Display::Kpi if open.rows.is_empty() => open.rows.push(row.to_vec()),
            Display::Kpi => {}
            _ if open.rows.len() >= MAX_CHART_POINTS => {
                return Err(RenderError::TooManyPoints { section: open.head.title.clone(), limit: MAX_CHART_POINTS })
            }
            _ => open.rows.push(row.to_vec()),
        }
        Ok(())
    }

    fn end_section(&mut self) -> Result<()> {
        let open = self.open.take().ok_or(RenderError::Protocol("end_section outside a section"))?;
        let body = match open.head.display {
            Display::Table if open.count == 0 => format!(
                "<tr><td class=\"empty\" colspan=\"{}\">{EMPTY}</td></tr>\n{TABLE_END}",
                open.head.columns.len().max(1)
            ),
            Display::Table => TABLE_END.to_string(),
            Display::Kpi => kpi_tiles(&open.head, open.rows.first().map_or(&[][..], |r| &r[..])),
            _ => chart_svg(&open.head, &open.rows),
        };
        self.out.write_all(body.as_bytes())?;
        self.out.write_all(b"</section>\n")?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        if !self.begun || self.open.is_some() {
            return Err(RenderError::Protocol("finish before begin or inside a section"));
        }
        self.out.write_all(b"</main>\n")?;
        self.out.write_all(DOCUMENT_END.as_bytes())?;
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ColumnType;

    fn col(label: &str, kind: ColumnType, format: Format) -> Column {
        Column { label: label.into(), kind, format }
    }

    fn head(title: &str, display: Display) -> SectionHead {
        SectionHead {
            title: title.into(),
            display,
            columns: vec![
                col("상품", ColumnType::Text, Format::Auto),
                col("매출", ColumnType::Number, Format::CurrencyKrw),
                col("전환율", ColumnType::Number, Format::Percent { decimals: 1 }),
            ],
            x: 0,
            band: None,
            y: vec![1],
        }
    }

    fn meta(n: usize) -> Meta {
        Meta {
            title: "주간 <매출> 보고서".into(),
            description: "지난 주 \"요약\"".into(),
            params: vec![("기간".into(), "2026-11-16 ~ 2026-11-22".into())],
            generated_at: "2026-11-24 09:00 KST".into(),
            section_count: n,
        }
    }

    fn render(sections: &[(SectionHead, Vec<Vec<Value>>)]) -> Result<String> {
        let mut buf = Vec::new();
        let mut r = Box::new(HtmlRenderer::new(&mut buf, Options::default()));
        r.begin(&meta(sections.len()))?;
        for (h, rows) in sections {
            r.section(h)?;
            for row in rows {
                r.row(row)?;
            }
            r.end_section()?;
        }
        r.finish()?;
        Ok(String::from_utf8(buf).unwrap())
    }

    fn sales_rows() -> Vec<Vec<Value>> {
        vec![
            vec![Value::Text("가방".into()), Value::Int(1234567), Value::Float(3.25)],
            vec![Value::Text("<script>alert(1)</script>".into()), Value::Decimal("-1200".into()), Value::Null],
        ]
    }

    #[test]
    fn page_structure_and_tables() {
        let html =
            render(&[(head("상품별", Display::Table), sales_rows()), (head("빈 표", Display::Table), vec![])]).unwrap();
        assert!(html.starts_with("<!doctype html>\n<html lang=\"ko\">"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("name=\"viewport\""));
        assert!(html.contains("<title>주간 &lt;매출&gt; 보고서</title>"));
        assert!(html.contains("<meta name=\"description\" content=\"지난 주 &quot;요약&quot;\">"));
        assert!(html.contains("<dt>기간</dt><dd>2026-11-16 ~ 2026-11-22</dd>"));
        assert!(html.contains("생성 시각: 2026-11-24 09:00 KST"));
        assert_eq!(html.matches("<table>").count(), 2);
        assert!(html.contains(
            "<th scope=\"col\">상품</th><th scope=\"col\" class=\"num\">매출</th><th scope=\"col\" class=\"num\">전환율</th>"
        ));
        assert!(html.contains("<tr><td>가방</td><td class=\"num\">₩1,234,567</td><td class=\"num\">3.3%</td></tr>"));
        assert!(html.contains("<td class=\"num\">-₩1,200</td><td class=\"num\"></td>"));
        assert!(html.contains("<td class=\"empty\" colspan=\"3\">데이터 없음</td>"));
        assert!(html.trim_end().ends_with("</main>\n</body>\n</html>"));
    }

    #[test]
    fn script_injection_is_neutralised() {
        let mut h = head("<script>alert('t')</script>", Display::Table);
        h.columns[0].label = "<img src=x onerror=alert(1)>".into();
        let html = render(&[(h, sales_rows())]).unwrap();
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img"));
        assert!(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
        assert!(html.contains("<h2>&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;</h2>"));
    }

    #[test]
    fn kpi_tiles_show_formatted_values_of_the_first_row() {
        let html = render(&[(head("요약", Display::Kpi), sales_rows())]).unwrap();
        assert_eq!(html.matches("class=\"kpi\"").count(), 3);
        assert!(html.contains("<div class=\"kpi-label\">매출</div><div class=\"kpi-value\">₩1,234,567</div>"));
        assert!(html.contains("<div class=\"kpi-value\">3.3%</div>"));
        assert!(!html.contains("-₩1,200")); // the second row is not a tile
        let empty = kpi_tiles(&head("x", Display::Kpi), &[]);
        assert_eq!(empty.matches("<div class=\"kpi-value\">–</div>").count(), 3);
    }

    #[test]
    fn charts_are_inline_svg_and_the_page_is_self_contained() {
        let html =
            render(&[(head("추이 & 비교", Display::Line), sales_rows()), (head("비중", Display::Pie), sales_rows())])
                .unwrap();
        assert_eq!(html.matches("<figure class=\"chart\"><svg class=\"chart-wide\" aria-label=\"").count(), 2);
        assert!(html
            .contains("<svg class=\"chart-wide\" aria-label=\"추이 &amp; 비교\" viewBox=\"0 0 720 320\" role=\"img\""));
        assert!(html.contains(
            "<svg class=\"chart-narrow\" aria-label=\"추이 &amp; 비교\" viewBox=\"0 0 300 240\" role=\"img\""
        ));
        assert!(html.contains("<polyline") && html.contains("<circle"));
        assert!(!html.contains("<table>"));
        for needle in ["http:", "https:", "<link", "<script", "@import", "url(", "src="] {
            assert!(!html.contains(needle), "found {needle}");
        }
    }

    #[test]
    fn too_many_chart_points_is_an_error() {
        let rows: Vec<Vec<Value>> =
            (0..=MAX_CHART_POINTS as i64).map(|i| vec![Value::Int(i), Value::Int(i), Value::Null]).collect();
        match render(&[(head("큰 차트", Display::Bar), rows.clone())]) {
            Err(RenderError::TooManyPoints { section, limit }) => {
                assert_eq!(section, "큰 차트");
                assert_eq!(limit, MAX_CHART_POINTS);
            }
            other => panic!("{:?}", other.map(|s| s.len())),
        }
        // Exactly the limit is fine; tables have no limit.
        assert!(render(&[(head("c", Display::Bar), rows[1..].to_vec())]).is_ok());
        assert!(render(&[(head("t", Display::Table), rows)]).is_ok());
    }

    #[test]
    fn calls_out_of_order_are_protocol_errors() {
        let mut buf = Vec::new();
        let mut r = HtmlRenderer::new(&mut buf, Options::default());
        assert!(matches!(r.row(&[]), Err(RenderError::Protocol(_))));
        assert!(matches!(r.section(&head("x", Display::Table)), Err(RenderError::Protocol(_))));
    }
}
