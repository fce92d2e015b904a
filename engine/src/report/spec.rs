//! Report specifications: the JSON a user gives `cafe24.create_report`, parsed into a
//! [`ReportSpec`] with errors that say exactly what is wrong and where (a JSON path such
//! as `sections[1].display`).
//!
//! ```json
//! {
//!   "title": "Monthly sales",
//!   "description": "Revenue and margin for one month",
//!   "parameters": [{"name": "month", "type": "date", "default": "2026-10-01"},
//!                  {"name": "shop_no", "type": "integer"}],
//!   "sections": [
//!     {"title": "Revenue by day", "display": "line", "x": "day", "y": ["revenue"],
//!      "query": "SELECT day, sum(revenue) AS revenue FROM cafe24.sales_daily WHERE day >= $1 GROUP BY 1 ORDER BY 1",
//!      "columns": {"revenue": {"format": "currency", "label": "Revenue"}}},
//!     {"title": "By category", "analysis": "profit_margins",
//!      "args": {"by": "category", "from": {"param": "month"}}}
//!   ]
//! }
//! ```
//!
//! * `parameters` are declared in order; a section query refers to them as `$1`, `$2`, …
//!   and receives them as bound, typed parameters (never spliced into the text). A value
//!   the caller does not pass takes `default` (NULL when there is none).
//! * A section has either `query` (one SELECT) or `analysis` (the name of a `cafe24`
//!   function) with `args`: literal JSON values or `{"param": name}` references.
//! * `display` is one of table (default), kpi, line, bar, pie. Charts need `x` (the
//!   category column) and `y` (one or more value columns; pie uses the first).
//! * `columns` sets a label and a format per result column: text, integer, number,
//!   currency (KRW), percent (value in percent points), ratio (a fraction), date, datetime;
//!   `decimals` for number, percent and ratio.
//!
//! Checks that need the database (types exist, queries parse, named columns exist) are
//! done by the SQL layer; this module checks everything else.

use super::{Display, Format};
use serde_json::{Map, Value as Json};

/// A parsed, structurally valid report spec.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportSpec {
    pub title: String,
    pub description: String,
    pub parameters: Vec<Parameter>,
    pub sections: Vec<SectionSpec>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub name: String,
    /// A Postgres type name, resolved by the SQL layer (`date`, `integer`, `text[]`, …).
    pub type_name: String,
    /// JSON `null` when there is no default.
    pub default: Json,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Query(String),
    Analysis { function: String, args: Vec<(String, Arg)> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Literal(Json),
    /// Index into [`ReportSpec::parameters`].
    Param(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SectionSpec {
    pub title: String,
    pub display: Display,
    pub source: Source,
    /// Per result column name: label and format.
    pub columns: Vec<(String, ColumnSpec)>,
    pub x: Option<String>,
    pub y: Vec<String>,
    /// Line charts: the low and high column of an interval, shaded between them.
    pub band: Option<[String; 2]>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSpec {
    pub label: Option<String>,
    pub format: Format,
}

/// What is wrong with a spec, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecError {
    /// JSON path of the offending element, `$` for the whole spec.
    pub path: String,
    pub message: String,
    pub hint: String,
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for SpecError {}

type Result<T> = std::result::Result<T, SpecError>;

fn err<T>(path: impl Into<String>, message: impl Into<String>, hint: impl Into<String>) -> Result<T> {
    Err(SpecError { path: path.into(), message: message.into(), hint: hint.into() })
}

/// Most sections a report may have (each is a sheet, a page block, a zip entry).
pub const MAX_SECTIONS: usize = 50;

const FORMATS: &str = "text, integer, number, currency, percent, ratio, date, datetime";

/// Parses and checks a spec.
pub fn parse(spec: &Json) -> Result<ReportSpec> {
    let obj = object(spec, "$")?;
    known_keys(obj, "$", &["title", "description", "parameters", "sections"])?;
    let title = required_text(obj, "$", "title")?;
    let description = optional_text(obj, "$", "description")?.unwrap_or_default();

    let mut parameters: Vec<Parameter> = Vec::new();
    if let Some(p) = obj.get("parameters").filter(|p| !p.is_null()) {
        let list = p.as_array().map_or_else(
            || err("$.parameters", "must be an array", r#"Write [{"name": "month", "type": "date"}, ...]."#),
            Ok,
        )?;
        for (i, item) in list.iter().enumerate() {
            let path = format!("$.parameters[{i}]");
            let o = object(item, &path)?;
            known_keys(o, &path, &["name", "type", "default", "label"])?;
            let name = required_text(o, &path, "name")?;
            identifier(&name, &format!("{path}.name"))?;
            if parameters.iter().any(|q| q.name == name) {
                return err(
                    format!("{path}.name"),
                    format!("parameter \"{name}\" is declared twice"),
                    "Give each parameter its own name.",
                );
            }
            let type_name = required_text(o, &path, "type")?;
            let default = o.get("default").cloned().unwrap_or(Json::Null);
            parameters.push(Parameter { name, type_name, default });
        }
    }

    let sections_json = match obj.get("sections") {
        Some(Json::Array(a)) if !a.is_empty() => a,
        Some(Json::Array(_)) => return err("$.sections", "is empty", "A report needs at least one section."),
        Some(_) => {
            return err(
                "$.sections",
                "must be an array of sections",
                r#"Write "sections": [{"title": ..., "query": ...}]."#,
            )
        }
        None => return err("$", "has no \"sections\"", r#"Add "sections": [{"title": ..., "query": "SELECT ..."}]."#),
    };
    if sections_json.len() > MAX_SECTIONS {
        return err(
            "$.sections",
            format!("has {} sections, more than {MAX_SECTIONS}", sections_json.len()),
            "Split the report in two.",
        );
    }
    let sections = sections_json
        .iter()
        .enumerate()
        .map(|(i, s)| section(s, &format!("$.sections[{i}]"), &parameters))
        .collect::<Result<Vec<_>>>()?;
    Ok(ReportSpec { title, description, parameters, sections })
}

fn section(json: &Json, path: &str, parameters: &[Parameter]) -> Result<SectionSpec> {
    let o = object(json, path)?;
    known_keys(o, path, &["title", "display", "query", "analysis", "args", "columns", "x", "y", "band"])?;
    let title = required_text(o, path, "title")?;
    let display = match optional_text(o, path, "display")? {
        None => Display::Table,
        Some(d) => Display::ALL.iter().find(|(n, _)| *n == d).map(|(_, v)| *v).map_or_else(
            || {
                err(
                    format!("{path}.display"),
                    format!("\"{d}\" is not a display"),
                    "Use one of table, kpi, line, bar, pie.",
                )
            },
            Ok,
        )?,
    };
    let source = match (o.get("query"), o.get("analysis")) {
        (Some(_), Some(_)) => {
            return err(path.to_string(), "has both \"query\" and \"analysis\"", "Keep one of them.");
        }
        (Some(_), None) => {
            if o.contains_key("args") {
                return err(
                    format!("{path}.args"),
                    "applies only to an analysis",
                    "Use $1, $2, ... for parameters in a query.",
                );
            }
            let q = required_text(o, path, "query")?;
            match first_keyword(&q).as_deref() {
                None => return err(format!("{path}.query"), "is empty", "Write one SELECT statement."),
                Some("select" | "with" | "values" | "table" | "(") => {}
                Some(k) => {
                    return err(
                        format!("{path}.query"),
                        format!("starts with {}, not SELECT", k.to_uppercase()),
                        "A section reads data: write one SELECT (or WITH ... SELECT) statement.",
                    );
                }
            }
            Source::Query(q)
        }
        (None, Some(_)) => {
            let function = required_text(o, path, "analysis")?;
            identifier(&function, &format!("{path}.analysis"))?;
            if function.starts_with('_') {
                return err(
                    format!("{path}.analysis"),
                    format!("\"{function}\" is internal"),
                    "Name a public cafe24 function such as profit_margins.",
                );
            }
            let mut args = Vec::new();
            match o.get("args") {
                None | Some(Json::Null) => {}
                Some(Json::Object(m)) => {
                    for (k, v) in m {
                        let apath = format!("{path}.args.{k}");
                        identifier(k, &apath)?;
                        args.push((k.clone(), arg(v, &apath, parameters)?));
                    }
                }
                Some(_) => {
                    return err(
                        format!("{path}.args"),
                        "must be an object of argument names and values",
                        r#"Write "args": {"by": "category"}."#,
                    )
                }
            }
            Source::Analysis { function, args }
        }
        (None, None) => {
            return err(
                path.to_string(),
                "has neither \"query\" nor \"analysis\"",
                r#"Add "query": "SELECT ..." or "analysis": "profit_margins"."#,
            );
        }
    };

    let mut columns = Vec::new();
    match o.get("columns") {
        None | Some(Json::Null) => {}
        Some(Json::Object(m)) => {
            for (name, c) in m {
                let cpath = format!("{path}.columns.{name}");
                columns.push((name.clone(), column(c, &cpath)?));
            }
        }
        Some(_) => {
            return err(
                format!("{path}.columns"),
                "must be an object keyed by column name",
                r#"Write "columns": {"revenue": {"format": "currency"}}."#,
            )
        }
    }

    let x = optional_text(o, path, "x")?;
    let y = match o.get("y") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::String(s)) => vec![s.clone()],
        Some(Json::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .map(str::to_string)
                    .map_or_else(|| err(format!("{path}.y[{i}]"), "must be a column name", ""), Ok)
            })
            .collect::<Result<_>>()?,
        Some(_) => {
            return err(format!("{path}.y"), "must be a column name or an array of them", r#"Write "y": ["revenue"]."#)
        }
    };
    let band = match o.get("band") {
        None | Some(Json::Null) => None,
        Some(Json::Array(a)) if a.len() == 2 && a.iter().all(Json::is_string) => {
            Some([0, 1].map(|i| a[i].as_str().unwrap_or_default().to_string()))
        }
        Some(_) => {
            return err(
                format!("{path}.band"),
                "must be an array of two column names: the interval's low and high",
                r#"Write "band": ["low_80", "high_80"]."#,
            )
        }
    };
    if band.is_some() && display != Display::Line {
        return err(
            format!("{path}.band"),
            format!("applies only to line charts, not to display \"{}\"", display.name()),
            r#"Set display to "line", or remove band."#,
        );
    }
    if display.is_chart() {
        if x.is_none() {
            return err(
                format!("{path}.x"),
                format!("is missing: a {} chart needs its category column", display.name()),
                r#"Add "x": "<column>"."#,
            );
        }
        if y.is_empty() {
            return err(
                format!("{path}.y"),
                format!("is missing: a {} chart needs at least one value column", display.name()),
                r#"Add "y": ["<numeric column>"]."#,
            );
        }
    } else if x.is_some() || !y.is_empty() {
        return err(
            format!("{path}.{}", if x.is_some() { "x" } else { "y" }),
            format!("applies only to charts, not to display \"{}\"", display.name()),
            "Set display to line, bar or pie, or remove x and y.",
        );
    }
    Ok(SectionSpec { title, display, source, columns, x, y, band })
}

fn arg(v: &Json, path: &str, parameters: &[Parameter]) -> Result<Arg> {
    if let Json::Object(m) = v {
        if m.len() == 1 {
            if let Some(p) = m.get("param") {
                let name = p.as_str().unwrap_or_default();
                return match parameters.iter().position(|q| q.name == name) {
                    Some(i) => Ok(Arg::Param(i)),
                    None => err(
                        format!("{path}.param"),
                        format!("refers to {p}, which is not a declared parameter"),
                        format!("Declared parameters: {}.", names(parameters)),
                    ),
                };
            }
        }
        return err(path.to_string(), "must be a value or {\"param\": name}", "");
    }
    Ok(Arg::Literal(v.clone()))
}

fn column(v: &Json, path: &str) -> Result<ColumnSpec> {
    let o = object(v, path)?;
    known_keys(o, path, &["label", "format", "decimals"])?;
    let label = optional_text(o, path, "label")?;
    let decimals = match o.get("decimals") {
        None | Some(Json::Null) => None,
        Some(d) => match d.as_u64() {
            Some(n) if n <= 6 => Some(n as u8),
            _ => return err(format!("{path}.decimals"), format!("{d} is not between 0 and 6"), ""),
        },
    };
    let format = match optional_text(o, path, "format")?.as_deref() {
        None => Format::Auto,
        Some("text") => Format::Text,
        Some("integer") => Format::Integer,
        Some("number") => Format::Number { decimals: decimals.unwrap_or(2) },
        Some("currency") => Format::CurrencyKrw,
        Some("percent") => Format::Percent { decimals: decimals.unwrap_or(1) },
        Some("ratio") => Format::Ratio { decimals: decimals.unwrap_or(1) },
        Some("date") => Format::Date,
        Some("datetime") => Format::DateTime,
        Some(other) => {
            return err(
                format!("{path}.format"),
                format!("\"{other}\" is not a format"),
                format!("Use one of {FORMATS}."),
            )
        }
    };
    Ok(ColumnSpec { label, format })
}

/// The first SQL keyword of `q` in lower case, after white space and comments
/// (`(` when the query starts with a parenthesis).
fn first_keyword(q: &str) -> Option<String> {
    let mut rest = q.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map_or("", |(_, after)| after).trim_start();
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after).trim_start();
        } else {
            break;
        }
    }
    if rest.starts_with('(') {
        return Some("(".into());
    }
    let word: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    (!word.is_empty()).then(|| word.to_ascii_lowercase())
}

fn names(parameters: &[Parameter]) -> String {
    if parameters.is_empty() {
        "none".into()
    } else {
        parameters.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

fn object<'a>(v: &'a Json, path: &str) -> Result<&'a Map<String, Json>> {
    v.as_object().map_or_else(|| err(path.to_string(), format!("must be a JSON object, not {}", kind(v)), ""), Ok)
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn known_keys(o: &Map<String, Json>, path: &str, allowed: &[&str]) -> Result<()> {
    match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => {
            err(format!("{path}.{k}"), "is not a known key", format!("Known keys here: {}.", allowed.join(", ")))
        }
        None => Ok(()),
    }
}

fn required_text(o: &Map<String, Json>, path: &str, key: &str) -> Result<String> {
    match optional_text(o, path, key)? {
        Some(s) => Ok(s),
        None => err(format!("{path}.{key}"), "is missing", format!("Add \"{key}\": \"...\".")),
    }
}

fn optional_text(o: &Map<String, Json>, path: &str, key: &str) -> Result<Option<String>> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(v) => err(format!("{path}.{key}"), format!("must be a string, not {}", kind(v)), ""),
    }
}

fn identifier(s: &str, path: &str) -> Result<()> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        err(
            path.to_string(),
            format!("\"{s}\" is not a lower-case identifier"),
            "Use letters a-z, digits and _, starting with a letter.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error_of(v: Json) -> SpecError {
        parse(&v).unwrap_err()
    }

    #[test]
    fn parses_the_documented_example() {
        let s = parse(&json!({
            "title": "Monthly sales",
            "parameters": [{"name": "month", "type": "date", "default": "2026-10-01"}, {"name": "shop_no", "type": "integer"}],
            "sections": [
                {"title": "Revenue by day", "display": "line", "x": "day", "y": ["revenue"],
                 "query": "SELECT 1", "columns": {"revenue": {"format": "currency", "label": "Revenue"}}},
                {"title": "By category", "analysis": "profit_margins", "args": {"by": "category", "from": {"param": "month"}}}
            ]
        }))
        .unwrap();
        assert_eq!(
            s.parameters[1],
            Parameter { name: "shop_no".into(), type_name: "integer".into(), default: Json::Null }
        );
        assert_eq!(s.sections[0].display, Display::Line);
        assert_eq!(
            s.sections[0].columns[0].1,
            ColumnSpec { label: Some("Revenue".into()), format: Format::CurrencyKrw }
        );
        assert_eq!(s.sections[0].band, None);
        assert_eq!(s.sections[1].display, Display::Table);
        assert_eq!(
            s.sections[1].source,
            Source::Analysis {
                function: "profit_margins".into(),
                args: vec![("by".into(), Arg::Literal(json!("category"))), ("from".into(), Arg::Param(0))]
            }
        );
    }

    #[test]
    fn errors_name_the_path() {
        let e = error_of(
            json!({"title": "t", "sections": [{"title": "a", "query": "SELECT 1"}, {"title": "b", "query": "SELECT 1", "display": "donut"}]}),
        );
        assert_eq!(e.path, "$.sections[1].display");
        assert!(e.message.contains("donut") && e.hint.contains("pie"));

        let e = error_of(
            json!({"title": "t", "sections": [{"title": "a", "display": "bar", "query": "SELECT 1", "x": "d"}]}),
        );
        assert_eq!(e.path, "$.sections[0].y");

        let line = |band: Json, display: &str| json!({"title": "t", "sections": [{"title": "a", "display": display, "query": "SELECT 1", "x": "d", "y": ["v"], "band": band}]});
        let s = parse(&line(json!(["lo", "hi"]), "line")).unwrap();
        assert_eq!(s.sections[0].band, Some(["lo".to_string(), "hi".to_string()]));
        for bad in [json!(["lo"]), json!("lo"), json!(["lo", 2]), json!(["a", "b", "c"])] {
            let e = error_of(line(bad, "line"));
            assert_eq!(
                (e.path.as_str(), e.hint.as_str()),
                ("$.sections[0].band", r#"Write "band": ["low_80", "high_80"]."#)
            );
        }
        let e = error_of(line(json!(["lo", "hi"]), "bar"));
        assert_eq!(
            (e.path.as_str(), e.message.as_str()),
            ("$.sections[0].band", r#"applies only to line charts, not to display "bar""#)
        );

        let e = error_of(json!({"title": "t", "sections": [{"title": "a", "query": "SELECT 1", "colums": {}}]}));
        assert_eq!((e.path.as_str(), e.message.as_str()), ("$.sections[0].colums", "is not a known key"));

        let e = error_of(
            json!({"title": "t", "sections": [{"title": "a", "analysis": "profit_margins", "args": {"from": {"param": "month"}}}]}),
        );
        assert_eq!(e.path, "$.sections[0].args.from.param");
        assert!(e.hint.contains("none"));

        let e = error_of(
            json!({"title": "t", "sections": [{"title": "a", "query": "SELECT 1", "columns": {"x": {"format": "money"}}}]}),
        );
        assert_eq!(e.path, "$.sections[0].columns.x.format");

        let e = error_of(
            json!({"title": "t", "parameters": [{"name": "m", "type": "date"}, {"name": "m", "type": "int"}], "sections": [{"title": "a", "query": "SELECT 1"}]}),
        );
        assert_eq!(e.path, "$.parameters[1].name");

        let e = error_of(json!({"title": "t", "sections": [{"title": "a", "analysis": "_sales_series"}]}));
        assert_eq!(e.path, "$.sections[0].analysis");

        assert_eq!(error_of(json!({"title": "t", "sections": []})).path, "$.sections");
        assert_eq!(error_of(json!([1])).message, "must be a JSON object, not an array");
        assert_eq!(error_of(json!({"sections": [{"title": "a", "query": "SELECT 1"}]})).path, "$.title");
        assert_eq!(error_of(json!({"title": "t", "sections": [{"title": "a"}]})).path, "$.sections[0]");
        assert_eq!(
            error_of(json!({"title": "t", "sections": [{"title": "a", "query": "SELECT 1", "x": "d"}]})).path,
            "$.sections[0].x"
        );
        let e = error_of(
            json!({"title": "t", "sections": [{"title": "a", "query": " -- note\n/* c */ DELETE FROM t RETURNING *"}]}),
        );
        assert_eq!((e.path.as_str(), e.message.as_str()), ("$.sections[0].query", "starts with DELETE, not SELECT"));
        assert!(parse(&json!({"title": "t", "sections": [{"title": "a", "query": "/* x */ WITH a AS (SELECT 1) SELECT * FROM a"}]})).is_ok());
        assert_eq!(
            error_of(json!({"title": "t", "sections": [{"title": "a", "query": "  -- only a comment"}]})).message,
            "is empty"
        );
    }

    #[test]
    fn formats_and_decimals() {
        let s = parse(&json!({"title": "t", "sections": [{"title": "a", "query": "SELECT 1",
            "columns": {"m": {"format": "percent", "decimals": 2}, "r": {"format": "ratio"}, "n": {"format": "number", "decimals": 0}}}]}))
        .unwrap();
        let f: Vec<Format> = s.sections[0].columns.iter().map(|(_, c)| c.format).collect();
        // Keys come back sorted (serde_json and jsonb both order object keys): m, n, r.
        assert_eq!(
            f,
            vec![Format::Percent { decimals: 2 }, Format::Number { decimals: 0 }, Format::Ratio { decimals: 1 }]
        );
        assert_eq!(error_of(json!({"title": "t", "sections": [{"title": "a", "query": "SELECT 1", "columns": {"m": {"decimals": 9}}}]})).path, "$.sections[0].columns.m.decimals");
    }
}
