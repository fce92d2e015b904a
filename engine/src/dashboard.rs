//! Dashboards: a spec of widgets on a 12-column grid, turned into report sections (so a
//! widget's query is checked, bound and streamed exactly like a report section), and the
//! data of every widget rendered as one self-contained, responsive HTML page.
//!
//! ```json
//! {"title": "Overview", "refresh_seconds": 60,
//!  "parameters": [{"name": "shop_no", "type": "integer"}],
//!  "widgets": [
//!    {"title": "Today", "kind": "kpi", "kpis": ["revenue", "orders"], "period": "day",
//!     "position": {"col": 1, "row": 1, "width": 12, "height": 1}},
//!    {"title": "Revenue", "kind": "line", "query": "SELECT ...", "x": "day", "y": ["revenue"]},
//!    {"title": "Next 4 weeks", "kind": "forecast", "horizon": 28},
//!    {"title": "Funnel", "kind": "funnel", "days": 1},
//!    {"title": "Cohorts", "kind": "cohort_heatmap", "periods": 12}]}
//! ```
//!
//! * Kinds: `kpi` (values of catalog KPIs from `cafe24.kpi_values`, with change and a
//!   sparkline), `line`, `bar`, `pie`, `table` (a `query` or an `analysis`, as in reports),
//!   `forecast` (history and forecast of total revenue with the 80 % band), `funnel`
//!   (shopper funnel over the last `days`), `cohort_heatmap` (monthly retention cohorts).
//! * `position`: `col` 1–12, `row` ≥ 1, `width` 1–12 (col + width ≤ 13), `height` 1–6 rows
//!   of 160 px. Without a position a widget takes the next free place (auto flow), width 12
//!   for KPI widgets and 6 otherwise. At phone width every widget spans the full width.
//! * `refresh_seconds` (dashboard default, per widget override): how often a front end
//!   should poll `dashboard_data`; the page itself does not refresh.

use crate::report::format::{self, effective};
use crate::report::html;
use crate::report::spec::SpecError;
use crate::report::text::escape;
use crate::report::{Column, ColumnType, Display, Format, SectionHead, Value};
use serde_json::{json, Map, Value as Json};
use std::fmt::Write as _;

/// Widget kinds, as named in specs.
pub const KINDS: [&str; 8] = ["kpi", "line", "bar", "pie", "table", "forecast", "funnel", "cohort_heatmap"];

/// A widget's place on the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub col: u32,
    pub row: u32,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Widget {
    pub title: String,
    pub kind: String,
    pub position: Option<Position>,
    pub refresh_seconds: Option<u32>,
    /// The widget as a report section (see the module docs).
    pub section: Json,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DashboardSpec {
    pub title: String,
    pub description: String,
    pub refresh_seconds: u32,
    pub parameters: Json,
    pub widgets: Vec<Widget>,
}

impl DashboardSpec {
    /// The report spec whose sections are the widgets, in order (section i = widget i).
    pub fn report_spec(&self) -> Json {
        json!({
            "title": self.title,
            "description": self.description,
            "parameters": self.parameters,
            "sections": self.widgets.iter().map(|w| w.section.clone()).collect::<Vec<_>>(),
        })
    }
}

/// Report-spec paths (`$.sections[2].query`) as dashboard paths (`$.widgets[2].query`).
pub fn widget_path(e: SpecError) -> SpecError {
    SpecError { path: e.path.replacen("$.sections[", "$.widgets[", 1), ..e }
}

fn err<T>(path: impl Into<String>, message: impl Into<String>, hint: impl Into<String>) -> Result<T, SpecError> {
    Err(SpecError { path: path.into(), message: message.into(), hint: hint.into() })
}

fn number(o: &Map<String, Json>, path: &str, key: &str, lo: u64, hi: u64) -> Result<Option<u32>, SpecError> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) if (lo..=hi).contains(&n) => Ok(Some(n as u32)),
            _ => err(format!("{path}.{key}"), format!("{v} is out of range: allowed {lo} to {hi}"), ""),
        },
    }
}

/// Parses a dashboard spec; report-section keys of widgets are checked later by
/// [`crate::report::spec::parse`] on [`DashboardSpec::report_spec`].
pub fn parse(spec: &Json) -> Result<DashboardSpec, SpecError> {
    let Some(o) = spec.as_object() else { return err("$", "must be a JSON object", "") };
    if let Some(k) =
        o.keys().find(|k| !["title", "description", "parameters", "refresh_seconds", "widgets"].contains(&k.as_str()))
    {
        return err(
            format!("$.{k}"),
            "is not a known key",
            "Known keys here: title, description, parameters, refresh_seconds, widgets.",
        );
    }
    let title = match o.get("title") {
        Some(Json::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => return err("$.title", "is missing", "Add \"title\": \"...\"."),
    };
    let description = o.get("description").and_then(Json::as_str).unwrap_or_default().to_string();
    let refresh_seconds = number(o, "$", "refresh_seconds", 1, 86_400)?.unwrap_or(60);
    let Some(list) = o.get("widgets").and_then(Json::as_array).filter(|l| !l.is_empty()) else {
        return err("$.widgets", "is missing or empty", "A dashboard needs at least one widget.");
    };
    let mut widgets = Vec::with_capacity(list.len());
    for (i, w) in list.iter().enumerate() {
        widgets.push(widget(w, &format!("$.widgets[{i}]"))?);
    }
    Ok(DashboardSpec {
        title,
        description,
        refresh_seconds,
        parameters: o.get("parameters").cloned().unwrap_or(Json::Null),
        widgets,
    })
}

fn widget(w: &Json, path: &str) -> Result<Widget, SpecError> {
    let Some(o) = w.as_object() else { return err(path, "must be a JSON object", "") };
    let title = match o.get("title") {
        Some(Json::String(s)) => s.clone(),
        _ => return err(format!("{path}.title"), "is missing", "Add \"title\": \"...\"."),
    };
    let kind = o.get("kind").and_then(Json::as_str).unwrap_or_default().to_string();
    if !KINDS.contains(&kind.as_str()) {
        return err(
            format!("{path}.kind"),
            format!("\"{kind}\" is not a widget kind"),
            format!("Use one of {}.", KINDS.join(", ")),
        );
    }
    let extra: &[&str] = match kind.as_str() {
        "kpi" => &["kpis", "period", "compare_to"],
        "forecast" => &["horizon", "history_days"],
        "funnel" => &["days"],
        "cohort_heatmap" => &["periods"],
        _ => &["query", "analysis", "args", "columns", "x", "y"],
    };
    if let Some(k) = o.keys().find(|k| {
        !["title", "kind", "position", "refresh_seconds"].contains(&k.as_str()) && !extra.contains(&k.as_str())
    }) {
        return err(
            format!("{path}.{k}"),
            format!("is not a key of a {kind} widget"),
            format!("Keys of a {kind} widget: title, kind, position, refresh_seconds, {}.", extra.join(", ")),
        );
    }
    let position = match o.get("position") {
        None | Some(Json::Null) => None,
        Some(Json::Object(p)) => {
            let ppath = format!("{path}.position");
            let col = number(p, &ppath, "col", 1, 12)?.unwrap_or(1);
            let row = number(p, &ppath, "row", 1, 100)?.unwrap_or(1);
            let width = number(p, &ppath, "width", 1, 12)?.unwrap_or(if kind == "kpi" { 12 } else { 6 });
            let height = number(p, &ppath, "height", 1, 6)?.unwrap_or(if kind == "kpi" { 1 } else { 2 });
            if col + width > 13 {
                return err(
                    format!("{ppath}.width"),
                    format!("col {col} + width {width} passes column 12"),
                    "Keep col + width - 1 within 12.",
                );
            }
            Some(Position { col, row, width, height })
        }
        Some(_) => {
            return err(
                format!("{path}.position"),
                "must be an object",
                r#"Write "position": {"col": 1, "row": 1, "width": 6, "height": 2}."#,
            )
        }
    };
    let refresh_seconds = number(o, path, "refresh_seconds", 1, 86_400)?;
    let section = match kind.as_str() {
        "kpi" => {
            let kpis: Vec<String> = match o.get("kpis") {
                Some(Json::Array(a)) if !a.is_empty() && a.iter().all(Json::is_string) => {
                    a.iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
                }
                _ => {
                    return err(
                        format!("{path}.kpis"),
                        "must be a non-empty array of KPI names",
                        r#"Write "kpis": ["revenue", "orders"] (see cafe24.kpi)."#,
                    )
                }
            };
            let mut args = json!({"names": kpis, "period": o.get("period").cloned().unwrap_or(json!("day"))});
            if let Some(c) = o.get("compare_to") {
                args["compare_to"] = c.clone();
            }
            json!({"title": title, "analysis": "kpi_values", "args": args})
        }
        "forecast" => {
            let horizon = number(o, path, "horizon", 1, 366)?.unwrap_or(28);
            let history = number(o, path, "history_days", 7, 3660)?.unwrap_or(56);
            json!({"title": title, "display": "line", "x": "day", "y": ["actual", "forecast"], "band": ["low_80", "high_80"],
                   "columns": {"actual": {"format": "currency", "label": "Actual"}, "forecast": {"format": "currency", "label": "Forecast"},
                               "low_80": {"format": "currency", "label": "80 % low"}, "high_80": {"format": "currency", "label": "80 % high"}},
                   // History up to the last complete day: today's partial sales would read as a
                   // slump, and the model would learn it as a weekly dip.
                   "query": format!(
"WITH last AS (SELECT {LAST_COMPLETE_DAY} AS day),
h AS (SELECT f.day, sum(f.revenue) AS actual FROM cafe24.kpi_daily_facts AS f, last WHERE f.day > last.day - {history} AND f.day <= last.day GROUP BY f.day),
p AS (SELECT ds AS day, yhat, lower[1] AS low, upper[1] AS high FROM cafe24.forecast_sales(horizon => {horizon}, grain => 'day', by => 'total', source => 'SELECT ''total'' AS series_key, day AS ds, sum(revenue) AS y FROM cafe24.kpi_daily_facts WHERE day > {LAST_COMPLETE_DAY} - 400 AND day <= {LAST_COMPLETE_DAY} GROUP BY day'))
SELECT coalesce(h.day, p.day) AS day, round(h.actual) AS actual, round(p.yhat::numeric) AS forecast, round(p.low::numeric) AS low_80, round(p.high::numeric) AS high_80
FROM h FULL JOIN p USING (day) ORDER BY 1")})
        }
        "funnel" => {
            let days = number(o, path, "days", 1, 3660)?.unwrap_or(7);
            json!({"title": title, "display": "bar", "x": "event_type", "y": ["entered"],
                   "columns": {"entered": {"format": "integer"}, "converted": {"format": "integer"}, "conversion_pct": {"format": "percent"}},
                   // The last `days` days up to the latest event; that event is looked for only
                   // from the start of the last shop-day with sessions (BRIN-pruned), not over
                   // every event.
                   "query": format!(
"WITH last AS (SELECT max(e.occurred_at) AS at FROM cafe24.behaviour_event AS e
               WHERE e.occurred_at >= (SELECT min(o.day::timestamp AT TIME ZONE s.timezone)
                                       FROM (SELECT shop_no, max(day) AS day FROM cafe24.order_daily WHERE sessions > 0 GROUP BY shop_no) AS o
                                       JOIN cafe24.shop AS s USING (shop_no)))
SELECT f.event_type, f.entered, f.converted, f.conversion_pct
FROM last, cafe24.funnel(from_time => last.at - interval '{days} days', to_time => last.at + interval '1 microsecond') AS f ORDER BY f.step")})
        }
        "cohort_heatmap" => {
            let periods = number(o, path, "periods", 1, 60)?.unwrap_or(12);
            json!({"title": title, "columns": {"retention_pct": {"format": "percent"}},
                   "query": format!("WITH c AS MATERIALIZED (SELECT cohort, period, retention_pct FROM cafe24.cohort_retention()) SELECT cohort, period, retention_pct FROM c WHERE period <= {periods} AND cohort >= (SELECT max(cohort) FROM c) - interval '{periods} months' ORDER BY 1, 2")})
        }
        _ => {
            let mut s = Map::new();
            s.insert("title".into(), json!(title));
            s.insert("display".into(), json!(kind));
            for k in ["query", "analysis", "args", "columns", "x", "y"] {
                if let Some(v) = o.get(k) {
                    s.insert(k.into(), v.clone());
                }
            }
            Json::Object(s)
        }
    };
    Ok(Widget { title, kind, position, refresh_seconds, section })
}

/// The last complete shop-local day with sales (`cafe24._last_complete_day()`, which the
/// default dashboard's line chart ends on too), as a subquery so it is evaluated once.
const LAST_COMPLETE_DAY: &str = "(SELECT cafe24._last_complete_day())";

/// Places widgets without a position after those with one, left to right, top to bottom.
pub fn place(widgets: &[Widget]) -> Vec<Position> {
    let mut taken: Vec<Position> = widgets.iter().filter_map(|w| w.position).collect();
    let overlaps = |a: &Position, b: &Position| {
        a.col < b.col + b.width && b.col < a.col + a.width && a.row < b.row + b.height && b.row < a.row + a.height
    };
    widgets
        .iter()
        .map(|w| match w.position {
            Some(p) => p,
            None => {
                let (width, height) = if w.kind == "kpi" { (12, 1) } else { (6, 2) };
                let mut p = Position { col: 1, row: 1, width, height };
                while taken.iter().any(|t| overlaps(t, &p)) {
                    if p.col + width <= 12 {
                        p.col += 1;
                    } else {
                        p.col = 1;
                        p.row += 1;
                    }
                }
                taken.push(p);
                p
            }
        })
        .collect()
}

/// A section object of the JSON writer (`columns`, `rows`, `x`, `y`, `display`) back as a
/// header and typed rows.
pub fn section_from_json(title: &str, s: &Json) -> (SectionHead, Vec<Vec<Value>>) {
    let columns: Vec<Column> = s["columns"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let kind = match c["type"].as_str().unwrap_or("text") {
                        "bool" => ColumnType::Bool,
                        "integer" => ColumnType::Integer,
                        "number" => ColumnType::Number,
                        "date" => ColumnType::Date,
                        "timestamp" => ColumnType::Timestamp,
                        _ => ColumnType::Text,
                    };
                    let d = c["decimals"].as_u64().unwrap_or(1) as u8;
                    let format = match c["format"].as_str().unwrap_or("auto") {
                        "text" => Format::Text,
                        "integer" => Format::Integer,
                        "number" => Format::Number { decimals: d },
                        "krw" => Format::CurrencyKrw,
                        "percent" => Format::Percent { decimals: d },
                        "ratio" => Format::Ratio { decimals: d },
                        "date" => Format::Date,
                        "datetime" => Format::DateTime,
                        _ => Format::Auto,
                    };
                    Column { label: c["label"].as_str().unwrap_or_default().to_string(), kind, format }
                })
                .collect()
        })
        .unwrap_or_default();
    let display =
        Display::ALL.iter().find(|(n, _)| Some(*n) == s["display"].as_str()).map_or(Display::Table, |(_, d)| *d);
    let rows = s["rows"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    r.as_array()
                        .map(|cells| cells.iter().zip(&columns).map(|(v, c)| value(v, c.kind)).collect())
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    let head = SectionHead {
        title: title.to_string(),
        display,
        x: s["x"].as_u64().unwrap_or(0) as usize,
        y: s["y"]
            .as_array()
            .map(|a| a.iter().filter_map(Json::as_u64).map(|i| i as usize).collect())
            .unwrap_or_default(),
        band: match (s["band"][0].as_u64(), s["band"][1].as_u64()) {
            (Some(lo), Some(hi)) => Some([lo as usize, hi as usize]),
            _ => None,
        },
        columns,
    };
    (head, rows)
}

fn value(v: &Json, kind: ColumnType) -> Value {
    use chrono::{NaiveDate, NaiveDateTime};
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match (n.as_i64(), kind) {
            (Some(i), ColumnType::Integer) => Value::Int(i),
            _ => Value::Decimal(n.to_string()),
        },
        Json::String(s) => match kind {
            ColumnType::Date => {
                NaiveDate::parse_from_str(s, "%Y-%m-%d").map_or_else(|_| Value::Text(s.clone()), Value::Date)
            }
            ColumnType::Timestamp => NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .map_or_else(|_| Value::Text(s.clone()), Value::Timestamp),
            _ => Value::Text(s.clone()),
        },
        other => Value::Text(other.to_string()),
    }
}

/// Height of one grid row, in CSS pixels.
pub const ROW_PX: u32 = 160;

/// How much larger than its layout box a widget's chart is drawn at 1280 px and on a
/// 390 px phone: the charts' 10-unit type then shows at 11.5 px or more.
const CHART_SCALE: f64 = 1.15;

/// The layout boxes of a chart in a widget `width` columns wide and `height` rows tall:
/// (wide, narrow). Wide: the widget's content box at 1280 px (main 1248 px, 12 columns
/// with 14 px gaps, 14 px padding and 1 px border each side; its title takes 58 px), over
/// [`CHART_SCALE`]. Narrow: a full-width widget on a 390 px phone (340 px of content).
fn chart_boxes(width: u64, height: u64) -> ((f64, f64), (f64, f64)) {
    let column = (1248.0 - 11.0 * 14.0) / 12.0;
    let w = width.clamp(1, 12) as f64 * (column + 14.0) - 14.0 - 30.0;
    let h = height.clamp(1, 6) as f64 * (ROW_PX as f64 + 14.0) - 14.0 - 26.0 - 32.0;
    ((w / CHART_SCALE, h / CHART_SCALE), (340.0 / CHART_SCALE, 240.0 / CHART_SCALE))
}

const CSS: &str = r#"main{max-width:1280px}
.grid{display:grid;grid-template-columns:repeat(12,minmax(0,1fr));grid-auto-rows:minmax(160px,auto);gap:14px;margin-top:1rem}
.widget{border:1px solid var(--line);border-radius:10px;padding:12px 14px;min-width:0;background:#fff;overflow:hidden}
.widget h2{font-size:1rem;margin:0 0 .5rem}
.widget .table-wrap{max-height:320px}
.tile{border:1px solid var(--line);border-radius:8px;padding:10px 12px;min-width:0}
.tile .kpi-value{font-size:clamp(1.05rem,1.7vw,1.45rem);overflow-wrap:normal;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.delta{font-size:.85rem;font-variant-numeric:tabular-nums}
.good{color:#1b7f3b}.bad{color:#b42318}.flat{color:var(--muted)}
.spark{display:block;width:100%;height:28px;margin-top:4px}
.target{font-size:.78rem;color:var(--muted)}
.error{color:#b42318;background:#fff5f5;border:1px solid #f1aeb5;border-radius:6px;padding:.6rem .8rem;font-size:.9rem;overflow-wrap:anywhere}
.heat td.num{color:#111}
.widget .kpis{grid-template-columns:repeat(auto-fit,minmax(150px,1fr))}
@media (max-width:700px){.tile .kpi-value{font-size:1.1rem}.grid{grid-template-columns:1fr}.widget{grid-column:1/-1!important;grid-row:auto!important}}
@media screen and (max-width:700px){.widget .chart .chart-wide{display:none}.widget .chart .chart-narrow{display:block}}
"#;

/// The whole dashboard page from `dashboard_data`'s JSON.
pub fn html(data: &Json) -> String {
    let title = data["title"].as_str().unwrap_or_default();
    let mut s = html::document_start(title, data["description"].as_str().unwrap_or_default());
    s = s.replacen("</style>", &format!("{CSS}</style>"), 1);
    let _ = write!(s, "<main>\n<h1>{}</h1>\n", escape(title));
    if let Some(d) = data["description"].as_str().filter(|d| !d.is_empty()) {
        let _ = writeln!(s, "<p class=\"desc\">{}</p>", escape(d));
    }
    let _ = writeln!(
        s,
        "<p class=\"generated\">{}</p>\n<div class=\"grid\">",
        escape(data["generated_at"].as_str().unwrap_or_default())
    );
    for w in data["widgets"].as_array().into_iter().flatten() {
        let p = &w["position"];
        let (col, row, width, height) = (
            p["col"].as_u64().unwrap_or(1),
            p["row"].as_u64().unwrap_or(1),
            p["width"].as_u64().unwrap_or(6),
            p["height"].as_u64().unwrap_or(2),
        );
        let wtitle = w["title"].as_str().unwrap_or_default();
        let _ = write!(
            s,
            "<section class=\"widget\" style=\"grid-column:{col}/span {width};grid-row:{row}/span {height}\" data-kind=\"{}\" data-refresh=\"{}\">\n<h2>{}</h2>\n",
            escape(w["kind"].as_str().unwrap_or_default()),
            w["refresh_seconds"].as_u64().unwrap_or(60),
            escape(wtitle)
        );
        if let Some(e) = w.get("error").filter(|e| !e.is_null()) {
            let _ = writeln!(
                s,
                "<p class=\"error\" role=\"alert\">{} ({})</p>",
                escape(e["message"].as_str().unwrap_or_default()),
                escape(e["sqlstate"].as_str().unwrap_or_default())
            );
        } else {
            let (head, rows) = section_from_json(wtitle, &w["data"]);
            s.push_str(&match w["kind"].as_str().unwrap_or_default() {
                "kpi" => kpi_tiles(&head, &rows),
                "cohort_heatmap" => heatmap(&head, &rows),
                _ if head.display.is_chart() && !head.y.is_empty() => {
                    let (wide, narrow) = chart_boxes(width, height);
                    html::chart_figure(&head, &rows, wide, narrow)
                }
                _ => table(&head, &rows),
            });
        }
        s.push_str("</section>\n");
    }
    s.push_str("</div>\n</main>\n");
    s.push_str(html::DOCUMENT_END);
    s
}

fn table(head: &SectionHead, rows: &[Vec<Value>]) -> String {
    let formats = html::formats(&head.columns);
    let mut s = html::table_start(&head.columns);
    if rows.is_empty() {
        let _ =
            writeln!(s, "<tr><td class=\"empty\" colspan=\"{}\">{}</td></tr>", head.columns.len().max(1), html::EMPTY);
    }
    for r in rows {
        s.push_str(&html::table_row(&formats, r));
    }
    s.push_str(html::TABLE_END);
    s
}

fn column(head: &SectionHead, name: &str) -> Option<usize> {
    head.columns.iter().position(|c| c.label == name)
}

/// KPI tiles from `kpi_values` rows: title, value in the KPI's format, change against the
/// comparison period coloured by whether higher is better, target share and a sparkline.
fn kpi_tiles(head: &SectionHead, rows: &[Vec<Value>]) -> String {
    let get = |r: &Vec<Value>, name: &str| column(head, name).and_then(|i| r.get(i)).cloned().unwrap_or(Value::Null);
    let mut s = String::from("<div class=\"kpis\">\n");
    for r in rows {
        let fmt = match get(r, "format") {
            Value::Text(f) if f == "currency" => Format::CurrencyKrw,
            Value::Text(f) if f == "percent" => Format::Percent { decimals: 1 },
            Value::Text(f) if f == "integer" => Format::Integer,
            _ => Format::Number { decimals: 1 },
        };
        // Long amounts are shortened (₩114.4M) to fit a tile; the full figure is its tooltip.
        let full = format::display(&get(r, "value"), fmt);
        let value = format::compact(&get(r, "value"), fmt, 11);
        let higher_is_better = !matches!(get(r, "higher_is_better"), Value::Bool(false));
        let delta = match get(r, "change_pct").as_f64() {
            Some(c) => {
                let class = if c.abs() < 0.05 {
                    "flat"
                } else if (c > 0.0) == higher_is_better {
                    "good"
                } else {
                    "bad"
                };
                let arrow = if c > 0.0 {
                    "▲"
                } else if c < 0.0 {
                    "▼"
                } else {
                    "■"
                };
                format!("<div class=\"delta {class}\">{arrow} {}%</div>", format::group(c.abs(), 1))
            }
            None => "<div class=\"delta flat\">–</div>".to_string(),
        };
        let target = match get(r, "vs_target_pct").as_f64() {
            Some(t) => format!("<div class=\"target\">{}% of target</div>", format::group(t, 0)),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "<div class=\"tile\"><div class=\"kpi-label\">{}</div><div class=\"kpi-value\" title=\"{}\">{}</div>{delta}{target}{}</div>",
            escape(&format::display(&get(r, "title"), Format::Text)),
            escape(&full),
            escape(if value.is_empty() { "–" } else { &value }),
            sparkline(&get(r, "sparkline"))
        );
    }
    s.push_str("</div>\n");
    s
}

/// An inline SVG polyline of a numeric array (a `numeric[]` arrives as its text form `{1,2,3}`).
fn sparkline(v: &Value) -> String {
    let Value::Text(t) = v else { return String::new() };
    let points: Vec<f64> =
        t.trim_matches(|c| c == '{' || c == '}').split(',').filter_map(|x| x.trim().parse().ok()).collect();
    if points.len() < 2 {
        return String::new();
    }
    let (lo, hi) = points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = 100.0 / (points.len() - 1) as f64;
    let coords: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, y)| format!("{:.1},{:.1}", i as f64 * step, 27.0 - (y - lo) / span * 26.0))
        .collect();
    format!(
        "<svg class=\"spark\" viewBox=\"0 0 100 28\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><polyline fill=\"none\" stroke=\"#0072B2\" stroke-width=\"1.5\" vector-effect=\"non-scaling-stroke\" points=\"{}\"/></svg>",
        coords.join(" ")
    )
}

/// Cohort × period retention as a shaded table (rows: cohorts; columns: periods).
fn heatmap(head: &SectionHead, rows: &[Vec<Value>]) -> String {
    let (Some(ci), Some(pi), Some(vi)) =
        (column(head, "cohort"), column(head, "period"), column(head, "retention_pct"))
    else {
        return table(head, rows);
    };
    let mut cohorts: Vec<String> = Vec::new();
    let mut periods: Vec<i64> = Vec::new();
    for r in rows {
        let c = format::display(&r[ci], effective(head.columns[ci].format, head.columns[ci].kind));
        if !cohorts.contains(&c) {
            cohorts.push(c);
        }
        if let Some(p) = r[pi].as_f64().map(|p| p as i64).filter(|p| !periods.contains(p)) {
            periods.push(p);
        }
    }
    periods.sort_unstable();
    let mut s = String::from("<div class=\"table-wrap heat\"><table>\n<thead><tr><th scope=\"col\">Cohort</th>");
    for p in &periods {
        let _ = write!(s, "<th scope=\"col\" class=\"num\">{p}</th>");
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for c in &cohorts {
        let _ = write!(s, "<tr><th scope=\"row\">{}</th>", escape(c));
        for p in &periods {
            let cell = rows.iter().find(|r| {
                &format::display(&r[ci], effective(head.columns[ci].format, head.columns[ci].kind)) == c
                    && r[pi].as_f64().map(|x| x as i64) == Some(*p)
            });
            match cell.and_then(|r| r[vi].as_f64()) {
                Some(v) => {
                    let alpha = (v / 100.0).clamp(0.0, 1.0) * 0.85 + 0.05;
                    let _ = write!(
                        s,
                        "<td class=\"num\" style=\"background:rgba(0,114,178,{alpha:.2})\">{}%</td>",
                        format::group(v, 0)
                    );
                }
                None => s.push_str("<td></td>"),
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str(html::TABLE_END);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widgets_become_report_sections_with_positions() {
        let d = parse(&json!({"title": "t", "widgets": [
            {"title": "Today", "kind": "kpi", "kpis": ["revenue"], "period": "day"},
            {"title": "Sales", "kind": "line", "query": "SELECT 1 AS d, 2 AS v", "x": "d", "y": ["v"], "position": {"col": 7, "row": 2, "width": 6, "height": 2}},
            {"title": "More", "kind": "table", "query": "SELECT 1"}
        ]}))
        .unwrap();
        assert_eq!(d.refresh_seconds, 60);
        assert_eq!(d.widgets[0].section["analysis"], "kpi_values");
        assert_eq!(d.widgets[0].section["args"]["names"], json!(["revenue"]));
        assert_eq!(d.widgets[1].section["display"], "line");
        let spec = d.report_spec();
        assert_eq!(spec["sections"].as_array().unwrap().len(), 3);
        crate::report::spec::parse(&spec).unwrap();
        // Auto flow: the KPI row on top, the table beside nothing at row 2 col 1.
        assert_eq!(
            place(&d.widgets),
            vec![
                Position { col: 1, row: 1, width: 12, height: 1 },
                Position { col: 7, row: 2, width: 6, height: 2 },
                Position { col: 1, row: 2, width: 6, height: 2 },
            ]
        );
    }

    #[test]
    fn errors_name_the_widget() {
        let e = parse(&json!({"title": "t", "widgets": [{"title": "a", "kind": "donut"}]})).unwrap_err();
        assert_eq!(e.path, "$.widgets[0].kind");
        let e = parse(&json!({"title": "t", "widgets": [{"title": "a", "kind": "kpi"}]})).unwrap_err();
        assert_eq!(e.path, "$.widgets[0].kpis");
        let e = parse(&json!({"title": "t", "widgets": [{"title": "a", "kind": "table", "query": "SELECT 1", "position": {"col": 10, "width": 6}}]})).unwrap_err();
        assert_eq!(e.path, "$.widgets[0].position.width");
        let e = parse(&json!({"title": "t", "widgets": [{"title": "a", "kind": "forecast", "query": "SELECT 1"}]}))
            .unwrap_err();
        assert_eq!(e.path, "$.widgets[0].query");
        let e = widget_path(SpecError { path: "$.sections[3].y".into(), message: "m".into(), hint: String::new() });
        assert_eq!(e.path, "$.widgets[3].y");
    }

    #[test]
    fn page_shows_errors_kpis_and_heatmaps() {
        let data = json!({"title": "Overview <b>", "generated_at": "now", "widgets": [
            {"title": "Today", "kind": "kpi", "position": {"col": 1, "row": 1, "width": 12, "height": 1}, "data": {
                "columns": [{"label": "title", "type": "text"}, {"label": "value", "type": "number"}, {"label": "change_pct", "type": "number"},
                            {"label": "format", "type": "text"}, {"label": "higher_is_better", "type": "bool"}, {"label": "sparkline", "type": "text"}],
                "rows": [["Revenue", 1234567, -12.5, "currency", true, "{1,2,3}"], ["Below reorder", 3, -50, "integer", false, null]]}},
            {"title": "Broken", "kind": "table", "position": {"col": 1, "row": 2, "width": 6, "height": 2}, "error": {"message": "division by zero", "sqlstate": "22012"}},
            {"title": "Cohorts", "kind": "cohort_heatmap", "position": {"col": 7, "row": 2, "width": 6, "height": 2}, "data": {
                "columns": [{"label": "cohort", "type": "date"}, {"label": "period", "type": "integer"}, {"label": "retention_pct", "type": "number"}],
                "rows": [["2026-01-01", 0, 100], ["2026-01-01", 1, 42.4], ["2026-02-01", 0, 100]]}}
        ]});
        let page = html(&data);
        assert!(page.contains("<h1>Overview &lt;b&gt;</h1>"));
        assert!(page.contains("₩1,234,567") && page.contains("class=\"delta bad\">▼ 12.5%"));
        assert!(page.contains("class=\"delta good\">▼ 50.0%"), "fewer products below reorder point is good");
        assert!(page.contains("<polyline"));
        assert!(page.contains("division by zero (22012)"));
        assert!(page.contains("grid-column:7/span 6;grid-row:2/span 2"));
        assert!(page.contains(">42%</td>") && page.contains("<th scope=\"row\">2026-02-01</th>"));
        assert!(!page.contains("http://") && !page.contains("https://"));
    }

    #[test]
    fn charts_are_laid_out_at_their_widget_size_and_forecasts_shade_their_band() {
        let section = parse(&json!({"title": "t", "widgets": [{"title": "f", "kind": "forecast"}]})).unwrap();
        assert_eq!(section.widgets[0].section["band"], json!(["low_80", "high_80"]));
        let col = |l: &str, t: &str| json!({"label": l, "type": t});
        let data = |width: u64| {
            json!({"title": "d", "widgets": [{"title": "Next 4 weeks", "kind": "forecast",
                "position": {"col": 1, "row": 1, "width": width, "height": 2}, "data": {
                "display": "line", "x": 0, "y": [1, 2], "band": [3, 4],
                "columns": [col("day", "date"), col("actual", "number"), col("forecast", "number"), col("low_80", "number"), col("high_80", "number")],
                "rows": [["2026-11-01", 10, null, null, null], ["2026-11-02", null, 11, 8, 14], ["2026-11-03", null, 12, 7, 17]]}}]})
        };
        let viewbox = |page: &str, class: &str| -> (f64, f64) {
            let at = page.find(&format!("class=\"chart-{class}\"")).unwrap();
            let v = &page[at..][page[at..].find("viewBox=\"0 0 ").unwrap() + 13..];
            let v: Vec<f64> = v[..v.find('"').unwrap()].split(' ').map(|n| n.parse().unwrap()).collect();
            (v[0], v[1])
        };
        // A 6-column widget at 1280 px has 587 px of content: drawn 1.15× its layout box.
        let page = html(&data(6));
        let (w, h) = viewbox(&page, "wide");
        assert!((w * CHART_SCALE - 587.0).abs() < 1.0 && (h * CHART_SCALE - 276.0).abs() < 1.0, "{w} × {h}");
        assert_eq!(viewbox(&html(&data(12)), "wide").0.round(), 1059.0);
        assert_eq!(viewbox(&page, "narrow").0.round(), 296.0);
        assert_eq!(page.matches("<polygon points=").count(), 2, "the band, in both layouts");
        assert!(page.contains("low_80 – high_80"));
    }
}
