//! `cafe24.create_dashboard`, `cafe24.drop_dashboard`, `cafe24.render_dashboard` and the
//! internal `cafe24._widget_data`. A widget is a report section (`cafe24_engine::dashboard`),
//! so its query is checked, bound and streamed by the report code; `cafe24.dashboard_data`
//! (SQL, in sql/dashboards.sql) runs each widget in its own subtransaction.

use super::report;
use crate::args::JsonArg;
use crate::privileged::StoredBy;
use crate::{error, gucs};
use cafe24_engine::dashboard::{self, DashboardSpec};
use cafe24_engine::report::{
    self as rep, Column, ColumnType, Display, Format, Meta, Options, OutputFormat, SectionHead, SharedBuffer, Value,
};
use pgrx::prelude::*;
use pgrx::{pg_sys, JsonB, PgSqlErrorCode};
use serde_json::{json, Value as Json};

extension_sql_file!("../../sql/dashboards.sql", name = "dashboards");

fn parse(function: &str, spec: &Json) -> DashboardSpec {
    dashboard::parse(spec).unwrap_or_else(|e| report::spec_error(function, e))
}

#[pg_extern(volatile, parallel_unsafe)]
fn create_dashboard(name: &str, spec: JsonArg, replace: default!(bool, false)) -> String {
    const F: &str = "create_dashboard";
    let spec = spec.parse(F, "spec");
    gucs::require(gucs::Feature::CustomDashboards, F);
    report::check_name(F, name, "overview");
    let d = parse(F, &spec);
    let as_report = report::parse(F, &d.report_spec());
    report::validate(F, &as_report);
    // Names are per owner: only the caller's own dashboard of that name counts (a built-in
    // one is refused by the table's trigger with 42710).
    let exists = report::own_exists(&report::DASHBOARD, name);
    if exists && !replace {
        error::raise(
            PgSqlErrorCode::ERRCODE_DUPLICATE_OBJECT,
            format!("{F}: dashboard \"{name}\" already exists"),
            "Pass replace => true to replace it, or choose another name.",
        );
    }
    let upsert = if exists {
        "UPDATE cafe24.dashboard SET title = $2, spec = $3, refresh_seconds = $4, updated_at = now() WHERE owner = current_user::regrole AND name = $1"
    } else {
        "INSERT INTO cafe24.dashboard (name, title, spec, refresh_seconds) VALUES ($1, $2, $3, $4)"
    };
    let refresh = d.refresh_seconds as i32;
    error::prefixed(F, || {
        Spi::run_with_args(upsert, &[name.into(), d.title.as_str().into(), JsonB(spec.clone()).into(), refresh.into()])
            .unwrap_or_else(|e| pgrx::error!("{F}: {e}"))
    });
    Spi::run_with_args(
        "DELETE FROM cafe24.widget WHERE dashboard_owner = current_user::regrole AND dashboard = $1",
        &[name.into()],
    )
    .unwrap_or_else(|e| pgrx::error!("{F}: {e}"));
    for (i, (w, p)) in d.widgets.iter().zip(dashboard::place(&d.widgets)).enumerate() {
        let kpis: Option<Vec<String>> = w.section["args"]["names"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect());
        Spi::run_with_args(
            "INSERT INTO cafe24.widget (dashboard_owner, dashboard, widget_no, title, kind, kpis, section, col, \"row\", width, height, refresh_seconds)
             VALUES (current_user::regrole, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                name.into(),
                (i as i32).into(),
                w.title.as_str().into(),
                w.kind.as_str().into(),
                kpis.into(),
                JsonB(w.section.clone()).into(),
                (p.col as i32).into(),
                (p.row as i32).into(),
                (p.width as i32).into(),
                (p.height as i32).into(),
                (w.refresh_seconds.unwrap_or(d.refresh_seconds) as i32).into(),
            ],
        )
        .unwrap_or_else(|e| pgrx::error!("{F}: {e}"));
    }
    name.to_string()
}

#[pg_extern(volatile, parallel_unsafe)]
fn drop_dashboard(name: &str, if_exists: default!(bool, false)) -> bool {
    report::drop_own("drop_dashboard", &report::DASHBOARD, name, if_exists)
}

/// One widget's columns and rows, as the JSON writer writes a section; `name` is a reference
/// (dashboard_data passes owner.name).
#[pg_extern(stable, parallel_restricted)]
fn _widget_data(name: &str, widget_no: i32, params: default!(JsonArg, "'{}'")) -> JsonB {
    const F: &str = "dashboard_data";
    let params = params.parse(F, "params");
    let row = Spi::connect(|client| {
        let t = client.select(
            "SELECT d.spec, w.section, d.owner::oid, d.builtin FROM cafe24._find_dashboard($1) AS d
               JOIN cafe24.widget AS w ON w.dashboard_owner = d.owner AND w.dashboard = d.name WHERE w.widget_no = $2",
            Some(1),
            &[name.into(), widget_no.into()],
        )?;
        match t.into_iter().next() {
            Some(r) => {
                let by = StoredBy {
                    owner: r.get::<pg_sys::Oid>(3)?.unwrap_or_default(),
                    builtin: r.get::<bool>(4)?.unwrap_or(false),
                };
                Ok(Some((r.get::<JsonB>(1)?.map(|j| j.0), r.get::<JsonB>(2)?.map(|j| j.0), by)))
            }
            None => Ok(None),
        }
    })
    .unwrap_or_else(|e: pgrx::spi::Error| pgrx::error!("{F}: {e}"));
    let Some((Some(spec), Some(section), by)) = row else {
        error::raise(
            PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
            format!("{F}: dashboard \"{name}\" has no widget {widget_no}"),
            "SELECT * FROM cafe24.widget lists the widgets you can see.",
        );
    };
    let one = json!({"title": spec["title"], "parameters": spec["parameters"], "sections": [section]});
    let as_report = report::parse(F, &one);
    let buffer = SharedBuffer::default();
    report::render(
        F,
        &as_report,
        by,
        Some(0),
        OutputFormat::Json,
        &params,
        Options::default(),
        report::limited(Box::new(buffer.clone()), true),
    );
    let doc: Json =
        serde_json::from_slice(&buffer.take()).unwrap_or_else(|e| pgrx::error!("{F}: widget data is not JSON: {e}"));
    JsonB(doc["sections"][0].clone())
}

#[pg_extern(stable, parallel_restricted)]
fn render_dashboard(name: &str, format: default!(&str, "'html'"), params: default!(JsonArg, "'{}'")) -> Vec<u8> {
    const F: &str = "render_dashboard";
    let params = JsonB(params.parse(F, "params"));
    gucs::require(gucs::Feature::CustomDashboards, F);
    let fmt = report::output_format(F, format);
    if !matches!(fmt, OutputFormat::Html | OutputFormat::Pdf) {
        error::invalid_argument(
            format!("{F}: format = '{format}' is not supported"),
            "Use html or pdf (dashboard_data gives JSON).",
        );
    }
    let data = Spi::get_one_with_args::<JsonB>("SELECT cafe24.dashboard_data($1, $2)", &[name.into(), params.into()])
        .unwrap_or_else(|e| pgrx::error!("{F}: {e}"))
        .map(|j| j.0)
        .unwrap_or(Json::Null);
    match fmt {
        OutputFormat::Html => dashboard::html(&data).into_bytes(),
        _ => pdf(F, &data),
    }
}

/// A PDF snapshot: each widget as a report section (KPI widgets as tiles, failed widgets
/// as their error), in grid order.
fn pdf(function: &str, data: &Json) -> Vec<u8> {
    let text = |s: &str| Column { label: s.to_string(), kind: ColumnType::Text, format: Format::Text };
    let widgets = data["widgets"].as_array().cloned().unwrap_or_default();
    let meta = Meta {
        title: data["title"].as_str().unwrap_or_default().to_string(),
        description: data["description"].as_str().unwrap_or_default().to_string(),
        params: data["params"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.to_string())).collect())
            .unwrap_or_default(),
        generated_at: data["generated_at"].as_str().unwrap_or_default().to_string(),
        section_count: widgets.len(),
    };
    let buffer = SharedBuffer::default();
    let mut r = rep::renderer(OutputFormat::Pdf, Options::default(), report::limited(Box::new(buffer.clone()), true));
    let fail = |e| report::render_error(function, e);
    r.begin(&meta).unwrap_or_else(fail);
    for w in &widgets {
        let title = w["title"].as_str().unwrap_or_default();
        let (head, rows) = if let Some(e) = w.get("error").filter(|e| !e.is_null()) {
            let head = SectionHead {
                title: title.to_string(),
                display: Display::Table,
                columns: vec![text("error")],
                x: 0,
                band: None,
                y: vec![],
            };
            (
                head,
                vec![vec![Value::Text(format!(
                    "{} ({})",
                    e["message"].as_str().unwrap_or_default(),
                    e["sqlstate"].as_str().unwrap_or_default()
                ))]],
            )
        } else if w["kind"] == "kpi" {
            let (h, rows) = dashboard::section_from_json(title, &w["data"]);
            let col = |n: &str| h.columns.iter().position(|c| c.label == n);
            let (ti, vi, fi) = (col("title"), col("value"), col("format"));
            let columns = rows
                .iter()
                .map(|r| text(&ti.map(|i| rep::format::display(&r[i], Format::Text)).unwrap_or_default()))
                .collect();
            let values = rows
                .iter()
                .map(|r| {
                    let f = match fi.map(|i| &r[i]) {
                        Some(Value::Text(f)) if f == "currency" => Format::CurrencyKrw,
                        Some(Value::Text(f)) if f == "percent" => Format::Percent { decimals: 1 },
                        Some(Value::Text(f)) if f == "integer" => Format::Integer,
                        _ => Format::Number { decimals: 1 },
                    };
                    Value::Text(vi.map(|i| rep::format::display(&r[i], f)).unwrap_or_default())
                })
                .collect();
            (
                SectionHead { title: title.to_string(), display: Display::Kpi, columns, x: 0, band: None, y: vec![] },
                vec![values],
            )
        } else {
            dashboard::section_from_json(title, &w["data"])
        };
        r.section(&head).unwrap_or_else(fail);
        for row in &rows {
            r.row(row).unwrap_or_else(fail);
        }
        r.end_section().unwrap_or_else(fail);
    }
    r.finish().unwrap_or_else(fail);
    buffer.take()
}
