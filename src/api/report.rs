//! `cafe24.create_report`, `cafe24.drop_report`, `cafe24.render_report` and
//! `cafe24.export_report`: report specs checked against the database, section queries run
//! with the caller's rights and bound parameters, rows streamed into the engine's writers
//! (`cafe24_engine::report`), files written under `cafe24_analytics.report_storage_path`.

use crate::args::{required, JsonArg};
use crate::db::report::{self as rdb, Bound, ResultColumn};
use crate::privileged::{self, StoredBy};
use crate::{error, gucs};
use cafe24_engine::report::spec::{self, Arg, ReportSpec, Source};
use cafe24_engine::report::{
    self, format, storage, Column, ColumnType, Meta, Options, OutputFormat, RenderError, SectionHead, SharedBuffer,
};
use pgrx::prelude::*;
use pgrx::{pg_sys, JsonB, PgSqlErrorCode};
use serde_json::Value as Json;
use std::time::Instant;

/// `$.sections[i]`, or `$.widgets[i]` when `function` works on a dashboard (whose
/// widgets are report sections).
fn section_path(function: &str, i: usize) -> String {
    if function.contains("dashboard") {
        format!("$.widgets[{i}]")
    } else {
        format!("$.sections[{i}]")
    }
}

pub(crate) fn spec_error(function: &str, e: spec::SpecError) -> ! {
    let e = if function.contains("dashboard") { cafe24_engine::dashboard::widget_path(e) } else { e };
    let hint = if e.hint.is_empty() { "See the report spec format in docs/reports.md.".to_string() } else { e.hint };
    error::invalid_argument(format!("{function}: spec {}: {}", e.path, e.message), hint)
}

pub(crate) fn parse(function: &str, json: &Json) -> ReportSpec {
    spec::parse(json).unwrap_or_else(|e| spec_error(function, e))
}

/// The type of each declared parameter.
fn parameter_types(function: &str, spec: &ReportSpec) -> Vec<pg_sys::Oid> {
    spec.parameters
        .iter()
        .enumerate()
        .map(|(i, p)| {
            rdb::type_oid(&p.type_name).unwrap_or_else(|| {
                spec_error(
                    function,
                    spec::SpecError {
                        path: format!("$.parameters[{i}].type"),
                        message: format!("type \"{}\" does not exist", p.type_name),
                        hint: "Use a Postgres type name such as date, integer, numeric, text or text[].".into(),
                    },
                )
            })
        })
        .collect()
}

/// A JSON value as the text its Postgres type's input function reads; JSON arrays of
/// scalars become array literals (`["a","b"]` → `{"a","b"}`).
fn json_text(v: &Json) -> Option<String> {
    match v {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        Json::Number(_) | Json::Bool(_) | Json::Object(_) => Some(v.to_string()),
        Json::Array(items) => Some(format!(
            "{{{}}}",
            items
                .iter()
                .map(|i| match json_text(i) {
                    None => "NULL".to_string(),
                    Some(t) => format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")),
                })
                .collect::<Vec<_>>()
                .join(",")
        )),
    }
}

/// The bound value of each declared parameter: the caller's (`params`) or the default.
fn bind(function: &str, spec: &ReportSpec, types: &[pg_sys::Oid], params: &Json) -> Vec<Bound> {
    let supplied = match params {
        Json::Object(m) => m.clone(),
        Json::Null => Default::default(),
        other => error::invalid_argument(
            format!("{function}: params = {other} is not a JSON object"),
            r#"Pass params => '{"month": "2026-10-01"}'."#,
        ),
    };
    if let Some(k) = supplied.keys().find(|k| !spec.parameters.iter().any(|p| &p.name == *k)) {
        let declared: Vec<&str> = spec.parameters.iter().map(|p| p.name.as_str()).collect();
        error::invalid_argument(
            format!("{function}: params.{k} is not a parameter of this report"),
            format!("Parameters: {}.", if declared.is_empty() { "none".into() } else { declared.join(", ") }),
        );
    }
    spec.parameters
        .iter()
        .zip(types)
        .map(|(p, &oid)| {
            let text = json_text(supplied.get(&p.name).unwrap_or(&p.default));
            if let Some(t) = &text {
                error::prefixed(&format!("{function}: params.{}", p.name), || rdb::check_input(oid, t));
            }
            Bound { oid, text }
        })
        .collect()
}

/// The SQL of a section and its extra bound values (after the report parameters).
fn section_sql(function: &str, spec: &ReportSpec, index: usize, types: &[pg_sys::Oid]) -> (String, Vec<Bound>) {
    match &spec.sections[index].source {
        Source::Query(q) => {
            let q = q.trim().trim_end_matches(|c: char| c == ';' || c.is_whitespace());
            (format!("SELECT * FROM (\n{q}\n) AS section"), Vec::new())
        }
        Source::Analysis { function: f, args } => {
            let path = format!("$.sections[{index}].analysis");
            let signature = rdb::analysis_arguments(f).unwrap_or_else(|| {
                spec_error(function, spec::SpecError {
                    path,
                    message: format!("cafe24.{f} is not a set-returning cafe24 function"),
                    hint: "Name one of the analyses, e.g. profit_margins, optimize_inventory, segment_summary, cohort_retention.".into(),
                })
            });
            let mut extra = Vec::new();
            let mut named = Vec::new();
            for (name, arg) in args {
                let Some((_, ty)) = signature.iter().find(|(n, _)| n == name) else {
                    let known: Vec<&str> = signature.iter().map(|(n, _)| n.as_str()).collect();
                    spec_error(
                        function,
                        spec::SpecError {
                            path: format!("$.sections[{index}].args.{name}"),
                            message: format!("cafe24.{f} has no argument \"{name}\""),
                            hint: format!("Its arguments: {}.", known.join(", ")),
                        },
                    )
                };
                let placeholder = match arg {
                    Arg::Param(p) => p + 1,
                    Arg::Literal(v) => {
                        extra.push(Bound { oid: pg_sys::TEXTOID, text: json_text(v) });
                        types.len() + extra.len()
                    }
                };
                named.push(format!("{} => ${placeholder}::{ty}", quote_ident(name)));
            }
            (format!("SELECT * FROM cafe24.{}({})", quote_ident(f), named.join(", ")), extra)
        }
    }
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The section's header from its spec and its result columns.
fn section_head(function: &str, spec: &ReportSpec, index: usize, result: &[ResultColumn]) -> SectionHead {
    let s = &spec.sections[index];
    let find = |path: String, name: &str| -> usize {
        result.iter().position(|c| c.name == name).unwrap_or_else(|| {
            let names: Vec<&str> = result.iter().map(|c| c.name.as_str()).collect();
            spec_error(
                function,
                spec::SpecError {
                    path,
                    message: format!("the section has no column \"{name}\""),
                    hint: format!("Its columns: {}.", names.join(", ")),
                },
            )
        })
    };
    for (name, _) in &s.columns {
        find(format!("$.sections[{index}].columns.{name}"), name);
    }
    let x = s.x.as_deref().map_or(0, |x| find(format!("$.sections[{index}].x"), x));
    let y: Vec<usize> = s.y.iter().map(|y| find(format!("$.sections[{index}].y"), y)).collect();
    let band = s.band.as_ref().map(|[lo, hi]| {
        [find(format!("$.sections[{index}].band[0]"), lo), find(format!("$.sections[{index}].band[1]"), hi)]
    });
    let numeric = |i: &usize| matches!(result[*i].kind, ColumnType::Integer | ColumnType::Number);
    let bad = y.iter().map(|i| ("y", i)).chain(band.iter().flatten().map(|i| ("band", i))).find(|(_, i)| !numeric(i));
    if let Some((key, &bad)) = bad {
        spec_error(
            function,
            spec::SpecError {
                path: format!("$.sections[{index}].{key}"),
                message: format!(
                    "column \"{}\" is {}, not a number",
                    result[bad].name,
                    rdb::type_name(result[bad].oid)
                ),
                hint: "Chart values must be numeric columns; cast them in the query.".into(),
            },
        );
    }
    let columns = result
        .iter()
        .map(|c| {
            let cs = s.columns.iter().find(|(n, _)| *n == c.name).map(|(_, cs)| cs);
            Column {
                label: cs.and_then(|cs| cs.label.clone()).unwrap_or_else(|| c.name.clone()),
                kind: c.kind,
                format: format::effective(cs.map_or(report::Format::Auto, |cs| cs.format), c.kind),
            }
        })
        .collect();
    SectionHead { title: s.title.clone(), display: s.display, columns, x, y, band }
}

/// Checks a spec against the database: parameter types and defaults, every section's
/// query (planned with LIMIT 0, so nothing runs) and the columns it names.
pub(crate) fn validate(function: &str, spec: &ReportSpec) {
    let types = parameter_types(function, spec);
    for (i, p) in spec.parameters.iter().enumerate() {
        if let Some(t) = json_text(&p.default) {
            error::prefixed(&format!("{function}: spec $.parameters[{i}].default"), || rdb::check_input(types[i], &t));
        }
    }
    let nulls: Vec<Bound> = types.iter().map(|&oid| Bound { oid, text: None }).collect();
    for i in 0..spec.sections.len() {
        let (sql, extra) = section_sql(function, spec, i, &types);
        let args: Vec<Bound> = nulls.iter().map(|b| Bound { oid: b.oid, text: None }).chain(extra).collect();
        let what = match spec.sections[i].source {
            Source::Query(_) => "query",
            Source::Analysis { .. } => "analysis",
        };
        let mut columns = None;
        error::prefixed(&format!("{function}: spec {}.{what}", section_path(function, i)), || {
            rdb::stream(&format!("{sql} LIMIT 0"), &args, &mut |cols| columns = Some(cols.to_vec()), &mut |_| {})
        });
        let head = columns.map(|cols| section_head(function, spec, i, &cols));
        if head.is_none() {
            error::invalid_argument(
                format!("{function}: spec {} returns no columns", section_path(function, i)),
                "Write a SELECT that returns rows.",
            );
        }
    }
}

/// What rendering produced.
pub(crate) struct Rendered {
    pub rows: u64,
}

pub(crate) fn render_error(function: &str, e: RenderError) -> ! {
    match e {
        RenderError::TooManyPoints { .. } => error::raise(
            PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            format!("{function}: {e}"),
            "Aggregate the chart's query to fewer rows, or show it as a table.",
        ),
        RenderError::TooManyPdfRows { .. } => error::raise(
            PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            format!("{function}: {e}"),
            "Export large tables as xlsx or csv, or aggregate or LIMIT the section's query.",
        ),
        RenderError::TooLarge { limit } if limit < gucs::report_max_size() => error::raise(
            PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            format!("{function}: the output grew past {}, the most a bytea result holds", pretty_size(limit)),
            "Export it to a file with export_report, or narrow the report with parameters or LIMIT.",
        ),
        RenderError::TooLarge { limit } => error::raise(
            PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            format!("{function}: the output grew past cafe24_analytics.report_max_size ({})", pretty_size(limit)),
            "Narrow the report with parameters or LIMIT, or ask a superuser to raise cafe24_analytics.report_max_size.",
        ),
        RenderError::Io(_) => error::raise(
            PgSqlErrorCode::ERRCODE_IO_ERROR,
            format!("{function}: {e}"),
            "Check the storage path's free space and permissions.",
        ),
        _ => error::raise(
            PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
            format!("{function}: {e}"),
            "Please report this with the report's spec.",
        ),
    }
}

pub(crate) fn output_format(function: &str, format: &str) -> OutputFormat {
    OutputFormat::parse(format).unwrap_or_else(|| {
        error::invalid_argument(
            format!("{function}: format = '{format}' is not supported"),
            "Use one of pdf, xlsx, csv, html, json.",
        )
    })
}

/// `n` bytes as Postgres's pg_size_pretty writes them.
fn pretty_size(n: u64) -> String {
    Spi::get_one_with_args::<String>("SELECT pg_size_pretty($1::bigint)", &[(n as i64).into()])
        .ok()
        .flatten()
        .unwrap_or_else(|| format!("{n} bytes"))
}

/// `out` capped at `cafe24_analytics.report_max_size`, and below 1 GB when the bytes
/// become a bytea (`in_memory`).
pub(crate) fn limited(out: Box<dyn report::Output>, in_memory: bool) -> Box<dyn report::Output> {
    const MAX_BYTEA: u64 = (1 << 30) - 1 - 4;
    let limit = gucs::report_max_size();
    Box::new(report::Limited::new(out, if in_memory { limit.min(MAX_BYTEA) } else { limit }))
}

/// A kind of object whose names are per owner (docs/security.md): `table` holds them,
/// `builtin` is the SQL of its built-in flag over alias `x`.
pub(crate) struct Kind {
    pub what: &'static str,
    pub table: &'static str,
    pub builtin: &'static str,
}

pub(crate) const REPORT: Kind = Kind { what: "report", table: "report", builtin: "x.template" };
pub(crate) const DASHBOARD: Kind = Kind { what: "dashboard", table: "dashboard", builtin: "x.builtin" };
pub(crate) const FORECAST_MODEL: Kind = Kind { what: "forecast model", table: "forecast_model", builtin: "false" };

/// Raises 42704 for a reference (`name` or `owner.name`) that names nothing the caller can
/// see; the hint gives the references of the objects of that name row-level security shows
/// the caller (shared with it, or of roles it is a member of), and nothing else.
pub(crate) fn not_found(function: &str, kind: &Kind, reference: &str) -> ! {
    let visible = Spi::get_one_with_args::<String>(
        &format!(
            "SELECT string_agg(cafe24._name_of(x.owner, x.name, {}), ', ' ORDER BY x.owner::text)
               FROM cafe24.{} AS x, cafe24._name_ref($1) AS n WHERE x.name = n.name",
            kind.builtin, kind.table
        ),
        &[reference.into()],
    )
    .ok()
    .flatten();
    let what = kind.what;
    error::raise(
        PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
        format!("{function}: {what} \"{reference}\" does not exist"),
        format!(
            "A name is your own {what}{}; name another role's as owner.name{}. SELECT owner, name FROM cafe24.{} lists the {what}s you can see.",
            if kind.builtin == "false" { "" } else { " or a built-in one" },
            visible.map(|v| format!(" (you can see {v})")).unwrap_or_default(),
            kind.table
        ),
    )
}

/// Whether the caller has its own object `name` of a kind (not a built-in one).
pub(crate) fn own_exists(kind: &Kind, name: &str) -> bool {
    Spi::get_one_with_args::<bool>(
        &format!(
            "SELECT EXISTS (SELECT FROM cafe24.{} AS x WHERE x.owner = current_user::regrole AND x.name = $1 AND NOT {})",
            kind.table, kind.builtin
        ),
        &[name.into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false)
}

/// `drop_*`: deletes the caller's own object `reference` (or `owner.name` of a role the caller
/// is a member of); whether one was deleted. A missing one is an error unless `if_exists`;
/// a built-in one goes only with the extension.
pub(crate) fn drop_own(function: &str, kind: &Kind, reference: &str, if_exists: bool) -> bool {
    let (dropped, builtin) = Spi::get_two_with_args::<bool, bool>(
        &format!(
            "WITH d AS (DELETE FROM cafe24.{t} AS x USING cafe24._name_ref($1) AS n
                        WHERE x.name = n.name AND x.owner = coalesce(n.owner, current_user::regrole::oid) AND NOT {b} RETURNING 1)
             SELECT count(*) > 0, (SELECT {b} FROM cafe24._find_{t}($1) AS x) FROM d",
            t = kind.table,
            b = kind.builtin
        ),
        &[reference.into()],
    )
    .unwrap_or_else(|e| pgrx::error!("{function}: {e}"));
    let (dropped, what) = (dropped.unwrap_or(false), kind.what);
    // Not dropped, but visible to the caller (so nothing is revealed): built in, or shared.
    match builtin {
        _ if dropped => {}
        Some(true) => error::raise(
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            format!("{function}: {what} \"{reference}\" is built in"),
            "Built-in objects come and go with the extension.",
        ),
        Some(false) => error::raise(
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            format!("{function}: {what} \"{reference}\" belongs to another role, which shared it with you"),
            "Only its owner (or a member of the owner role) drops it.",
        ),
        None if !if_exists => not_found(function, kind, reference),
        None => {}
    }
    dropped
}

/// The spec of report `reference` (name or owner.name), which the caller must be able to
/// see, its name and who wrote it.
fn load(function: &str, reference: &str) -> (ReportSpec, String, StoredBy) {
    let (json, name, by) = rdb::load(reference).unwrap_or_else(|| not_found(function, &REPORT, reference));
    (parse(function, &json), name, by)
}

/// Renders `spec`, written by `by` (only section `only` when given), into `out`: parameters
/// are bound and sections run with the rights [`privileged::as_stored_query_owner`] decides.
#[allow(clippy::too_many_arguments)]
pub(crate) fn render(
    function: &str,
    spec: &ReportSpec,
    by: StoredBy,
    only: Option<usize>,
    format: OutputFormat,
    params: &Json,
    options: Options,
    out: Box<dyn report::Output>,
) -> Rendered {
    let what = if function.contains("dashboard") { "the dashboard" } else { "the report" };
    privileged::as_stored_query_owner(function, what, by, || {
        render_as_owner(function, spec, only, format, params, options, out)
    })
}

fn render_as_owner(
    function: &str,
    spec: &ReportSpec,
    only: Option<usize>,
    format: OutputFormat,
    params: &Json,
    options: Options,
    out: Box<dyn report::Output>,
) -> Rendered {
    let types = parameter_types(function, spec);
    let bound = bind(function, spec, &types, params);
    let generated_at =
        Spi::get_one::<String>("SELECT to_char(now(), 'YYYY-MM-DD HH24:MI:SS TZ')").ok().flatten().unwrap_or_default();
    let meta = Meta {
        title: spec.title.clone(),
        description: spec.description.clone(),
        params: spec
            .parameters
            .iter()
            .zip(&bound)
            .map(|(p, b)| (p.name.clone(), b.text.clone().unwrap_or_else(|| "(not set)".into())))
            .collect(),
        generated_at,
        section_count: if only.is_some() { 1 } else { spec.sections.len() },
    };
    let mut renderer = report::renderer(format, options, out);
    renderer.begin(&meta).unwrap_or_else(|e| render_error(function, e));
    let mut rows = 0;
    for i in (0..spec.sections.len()).filter(|i| only.is_none_or(|o| o == *i)) {
        let (sql, extra) = section_sql(function, spec, i, &types);
        let args: Vec<Bound> = bound.iter().map(|b| Bound { oid: b.oid, text: b.text.clone() }).chain(extra).collect();
        let title = spec.sections[i].title.clone();
        // Both callbacks write to the renderer; a writer error ends the section at once.
        let state = std::cell::RefCell::new(&mut renderer);
        rows += error::prefixed(&format!("{function}: section {} (\"{title}\")", i + 1), || {
            rdb::stream(
                &sql,
                &args,
                &mut |cols| {
                    let head = section_head(function, spec, i, cols);
                    state.borrow_mut().section(&head).unwrap_or_else(|e| render_error(function, e));
                },
                &mut |row| state.borrow_mut().row(row).unwrap_or_else(|e| render_error(function, e)),
            )
        });
        renderer.end_section().unwrap_or_else(|e| render_error(function, e));
    }
    renderer.finish().unwrap_or_else(|e| render_error(function, e));
    Rendered { rows }
}

/// Report and dashboard names are lower-case identifiers (the tables' CHECK, said clearly).
pub(crate) fn check_name(function: &str, name: &str, example: &str) {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        error::invalid_argument(
            format!("{function}: name = '{name}' is not a lower-case identifier"),
            format!("Use letters a-z, digits and _, starting with a letter, e.g. '{example}'."),
        );
    }
}

#[pg_extern(volatile, parallel_unsafe)]
fn create_report(name: &str, spec: JsonArg, replace: default!(bool, false)) -> String {
    const F: &str = "create_report";
    let spec = spec.parse(F, "spec");
    check_name(F, name, "monthly_sales");
    let parsed = parse(F, &spec);
    validate(F, &parsed);
    // Names are per owner: only the caller's own report of that name counts (a built-in one
    // is refused by the table's trigger with 42710).
    let exists = own_exists(&REPORT, name);
    if exists && !replace {
        error::raise(
            PgSqlErrorCode::ERRCODE_DUPLICATE_OBJECT,
            format!("{F}: report \"{name}\" already exists"),
            "Pass replace => true to replace it, or choose another name.",
        );
    }
    let sql = if exists {
        "UPDATE cafe24.report SET title = $2, spec = $3, updated_at = now() WHERE owner = current_user::regrole AND name = $1"
    } else {
        "INSERT INTO cafe24.report (name, title, spec) VALUES ($1, $2, $3)"
    };
    error::prefixed(F, || {
        Spi::run_with_args(sql, &[name.into(), parsed.title.as_str().into(), JsonB(spec).into()])
            .unwrap_or_else(|e| pgrx::error!("{F}: {e}"))
    });
    name.to_string()
}

#[pg_extern(volatile, parallel_unsafe)]
fn drop_report(name: &str, if_exists: default!(bool, false)) -> bool {
    drop_own("drop_report", &REPORT, name, if_exists)
}

#[pg_extern(stable, parallel_restricted)]
fn render_report(
    name: &str,
    format: default!(&str, "'pdf'"),
    params: default!(JsonArg, "'{}'"),
    csv_bom: default!(bool, false),
) -> Vec<u8> {
    const F: &str = "render_report";
    let params = params.parse(F, "params");
    let fmt = output_format(F, format);
    let buffer = SharedBuffer::default();
    let (spec, _, by) = load(F, name);
    render(F, &spec, by, None, fmt, &params, Options { csv_bom }, limited(Box::new(buffer.clone()), true));
    buffer.take()
}

#[pg_extern(volatile, parallel_unsafe)]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn export_report(
    name: Option<&str>,
    format: default!(Option<&str>, "'pdf'"),
    params: default!(Option<JsonArg>, "'{}'"),
    file_name: default!(Option<&str>, "NULL"),
    overwrite: default!(Option<bool>, false),
    keep_content: default!(Option<bool>, false),
    csv_bom: default!(Option<bool>, false),
) -> TableIterator<
    'static,
    (
        name!(output_id, i64),
        name!(path, Option<String>),
        name!(bytes, i64),
        name!(sha256, String),
        name!(rows, i64),
        name!(duration_ms, f64),
    ),
> {
    const F: &str = "export_report";
    let (name, format) = (required(F, "name", name), required(F, "format", format));
    let params = required(F, "params", params).parse(F, "params");
    let (overwrite, keep_content, csv_bom) = (
        required(F, "overwrite", overwrite),
        required(F, "keep_content", keep_content),
        required(F, "csv_bom", csv_bom),
    );
    let fmt = output_format(F, format);
    let started = Instant::now();
    let root = gucs::report_storage_path();
    let options = Options { csv_bom };
    let (spec, report_name, by) = load(F, name);
    let (path, bytes, content, sha, rows) = match root {
        None if !keep_content => error::raise(
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!("{F}: cafe24_analytics.report_storage_path is not set"),
            "Ask a superuser to set it (ALTER SYSTEM SET cafe24_analytics.report_storage_path = '/srv/reports'), or pass keep_content => true to keep the bytes in cafe24.report_output.",
        ),
        None => {
            let buffer = SharedBuffer::default();
            let r = render(F, &spec, by, None, fmt, &params, options, limited(Box::new(buffer.clone()), true));
            let data = buffer.take();
            let sha = storage::sha256_hex(&data);
            (None, data.len() as i64, Some(data), sha, r.rows)
        }
        Some(root) => {
            let default_name = default_file_name(name, fmt, spec.sections.len());
            let file_name = file_name.unwrap_or(&default_name);
            let pending = storage::create(std::path::Path::new(&root), file_name, overwrite).unwrap_or_else(|e| storage_error(F, &root, e));
            if overwrite {
                refuse_others_file(F, pending.target());
            }
            let file = pending.file().try_clone().unwrap_or_else(|e| storage_error(F, &root, e.into()));
            let r = render(F, &spec, by, None, fmt, &params, options, limited(Box::new(file), keep_content));
            let data = if keep_content { Some(read_back(pending.file())) } else { None };
            let bytes = pending.file().metadata().map(|m| m.len() as i64).unwrap_or(0);
            let sha = match &data {
                Some(c) => storage::sha256_hex(c),
                None => pending.sha256().unwrap_or_else(|e| storage_error(F, &root, e.into())),
            };
            let path = pending.target().to_string_lossy().into_owned();
            crate::export_files::publish_at_commit(pending);
            (Some(path), bytes, data, sha, r.rows)
        }
    };
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let id = Spi::get_one_with_args::<i64>(
        "INSERT INTO cafe24.report_output (report, report_owner, format, params, path, bytes, sha256, rows, duration, content)
         VALUES ($1, $10, $2, $3, $4, $5, $6, $7, make_interval(secs => $8 / 1000.0), $9) RETURNING id",
        &[
            report_name.as_str().into(),
            fmt.name().into(),
            JsonB(params).into(),
            path.clone().into(),
            bytes.into(),
            sha.as_str().into(),
            (rows as i64).into(),
            duration_ms.into(),
            content.into(),
            by.owner.into(),
        ],
    )
    .unwrap_or_else(|e| pgrx::error!("{F}: recording the output failed: {e}"))
    .unwrap_or_default();
    TableIterator::once((id, path, bytes, sha, rows as i64, duration_ms))
}

fn read_back(file: &std::fs::File) -> Vec<u8> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = file.try_clone().expect("a file handle clones");
    let mut data = Vec::new();
    f.seek(SeekFrom::Start(0))
        .and_then(|_| f.read_to_end(&mut data))
        .unwrap_or_else(|e| error::raise(PgSqlErrorCode::ERRCODE_IO_ERROR, format!("export_report: {e}"), ""));
    data
}

/// `<report>-<YYYYMMDD-HHMMSS-micros>.<ext>`, the time in UTC (file names sort by time);
/// a CSV of several sections is a zip.
fn default_file_name(name: &str, format: OutputFormat, sections: usize) -> String {
    let stamp = Spi::get_one::<String>("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYYMMDD-HH24MISS-US')")
        .ok()
        .flatten()
        .unwrap_or_default();
    let ext = match format {
        OutputFormat::Csv => report::csv::extension(sections),
        f => f.name(),
    };
    format!("{name}-{stamp}.{ext}")
}

/// `overwrite => true` replaces only files the caller may see the outputs of: a file that
/// an export of a role whose rights the caller does not have recorded in
/// `cafe24.report_output` (which the caller cannot see) is refused with 42501.
fn refuse_others_file(function: &str, target: &std::path::Path) {
    if !target.exists() {
        return;
    }
    let caller = unsafe { pg_sys::GetUserId() };
    let path = target.to_string_lossy().into_owned();
    let others = privileged::as_scheduler_owner(|| {
        Spi::get_one_with_args::<bool>(
            "SELECT EXISTS (SELECT FROM cafe24.report_output WHERE path OPERATOR(pg_catalog.=) $1 AND NOT pg_catalog.pg_has_role($2, created_by::pg_catalog.oid, 'USAGE'))",
            &[path.as_str().into(), caller.into()],
        )
    })
    .unwrap_or_else(|e| pgrx::error!("{function}: {e}"))
    .unwrap_or(true);
    if others {
        error::raise(
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            format!(
                "{function}: \"{path}\" was exported by another role; overwrite => true replaces only your own files"
            ),
            "Choose another file_name (a subdirectory per role, such as 'alice/monthly.pdf', keeps them apart).",
        );
    }
}

fn storage_error(function: &str, root: &str, e: storage::StorageError) -> ! {
    use storage::StorageError as E;
    let (code, hint) = match &e {
        E::BadRoot(_) => (
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            "Set cafe24_analytics.report_storage_path to an existing directory the server can write to.".to_string(),
        ),
        E::BadName(_) => (
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("Pass a relative file_name such as 'monthly/2026-10.pdf'; it is written under {root}."),
        ),
        E::Symlink(_) => {
            (PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE, "Remove the link or choose another file_name.".to_string())
        }
        E::Exists(_) => (
            PgSqlErrorCode::ERRCODE_DUPLICATE_FILE,
            "Pass overwrite => true to replace it, or another file_name.".to_string(),
        ),
        E::Io(_) => {
            (PgSqlErrorCode::ERRCODE_IO_ERROR, "Check the storage path's permissions and free space.".to_string())
        }
    };
    error::raise(code, format!("{function}: {e}"), hint)
}
