//! `cafe24.http_call` and `cafe24.http_call_bytes`: the companion HTTP server's only way in.
//!
//! The server passes the bearer token, the function and its arguments (a JSON object keyed
//! by parameter name); the call runs as the API key's role, as a function owned by that role
//! would (`SECURITY_LOCAL_USERID_CHANGE`) and as a security-restricted operation, with
//! `search_path` pinned and every setting the call makes undone afterwards. So whatever SQL
//! the role's reports, KPIs or `source` arguments hold cannot change role (PostgreSQL refuses
//! `SET ROLE` and `set_config('role', ...)` there), create temporary objects, or leave
//! anything behind in the server's pooled session for the next tenant. Why not `SET LOCAL
//! ROLE` from the server: docs/server.md, "Who is calling".

use crate::args::{required, JsonArg};
use crate::{error, privileged};
use pgrx::datum::DatumWithOid;
use pgrx::prelude::*;
use pgrx::{pg_sys, JsonB, PgSqlErrorCode};
use serde_json::Value as Json;

/// One overload of a public `cafe24` function, as `pg_proc` describes it.
struct Overload {
    names: Vec<String>,
    types: Vec<String>,
    required: usize,
    rows: bool,
    bytes: bool,
}

/// The role a valid token acts as; 28000 otherwise, 42501 for a superuser or a role that
/// bypasses row-level security.
fn authenticate(function: &str, token: &str) -> pg_sys::Oid {
    let row = Spi::get_three_with_args::<pg_sys::Oid, String, bool>(
        "SELECT r.oid, r.rolname::pg_catalog.text, r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles AS r
         WHERE r.rolname OPERATOR(pg_catalog.=) cafe24.authenticate($1)",
        &[token.into()],
    );
    match row {
        Ok((Some(oid), Some(name), Some(privileged))) => {
            if privileged {
                error::raise(
                    PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
                    format!("{function}: the API key acts as role \"{name}\", a superuser or a role that bypasses row-level security, which the HTTP server never runs as"),
                    "Create keys for roles without SUPERUSER and BYPASSRLS.",
                );
            }
            oid
        }
        Ok(_) | Err(pgrx::spi::Error::InvalidPosition) => error::raise(
            PgSqlErrorCode::ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
            format!("{function}: the API key is not valid (unknown, revoked or expired)"),
            "Send Authorization: Bearer <token>, with a token from cafe24.create_api_key.",
        ),
        Err(e) => pgrx::error!("{function}: {e}"),
    }
}

fn overloads(function: &str, name: &str) -> Vec<Overload> {
    Spi::connect(|client| {
        let rows = client.select(
            // Unqualified unnest: the two-array form exists only as FROM syntax.
            "SELECT ARRAY(SELECT a.n FROM unnest(COALESCE(p.proargnames, '{}'),
                              COALESCE(p.proargmodes, pg_catalog.array_fill('i'::\"char\", ARRAY[pg_catalog.cardinality(COALESCE(p.proargnames, '{}'))]))) AS a(n, m)
                          WHERE a.m OPERATOR(pg_catalog.=) ANY ('{i,b,v}'::\"char\"[])),
                    ARRAY(SELECT pg_catalog.format_type(u.t, NULL) FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY AS u(t, i) ORDER BY u.i),
                    (p.pronargs OPERATOR(pg_catalog.-) p.pronargdefaults)::integer,
                    p.proretset OR t.typtype OPERATOR(pg_catalog.=) 'c' OR p.prorettype OPERATOR(pg_catalog.=) 'pg_catalog.record'::pg_catalog.regtype,
                    p.prorettype OPERATOR(pg_catalog.=) 'pg_catalog.bytea'::pg_catalog.regtype
             FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_type AS t ON t.oid OPERATOR(pg_catalog.=) p.prorettype
             WHERE p.pronamespace OPERATOR(pg_catalog.=) 'cafe24'::pg_catalog.regnamespace AND p.proname OPERATOR(pg_catalog.=) $1
               AND p.prokind OPERATOR(pg_catalog.=) 'f' AND pg_catalog.left(p.proname, 1) OPERATOR(pg_catalog.<>) '_'",
            None,
            &[name.into()],
        )?;
        let mut out = Vec::new();
        for r in rows {
            out.push(Overload {
                names: r.get::<Vec<String>>(1)?.unwrap_or_default(),
                types: r.get::<Vec<String>>(2)?.unwrap_or_default(),
                required: r.get::<i32>(3)?.unwrap_or(0).max(0) as usize,
                rows: r.get::<bool>(4)?.unwrap_or(false),
                bytes: r.get::<bool>(5)?.unwrap_or(false),
            });
        }
        Ok::<_, pgrx::spi::Error>(out)
    })
    .unwrap_or_else(|e| pgrx::error!("{function}: {e}"))
}

/// The overload of `name` that takes every argument given and is given every argument it
/// requires.
fn choose(function: &str, name: &str, args: &serde_json::Map<String, Json>) -> Overload {
    let all = overloads(function, name);
    if all.is_empty() {
        error::raise(
            PgSqlErrorCode::ERRCODE_UNDEFINED_FUNCTION,
            format!("{function}: there is no function cafe24.{name}"),
            "GET /api/v1/openapi.json lists the functions and their parameters.",
        );
    }
    let fits = |o: &Overload| {
        args.keys().all(|k| o.names.contains(k))
            && o.names[..o.required.min(o.names.len())].iter().all(|n| args.contains_key(n))
    };
    let described = all.iter().map(|o| format!("({})", o.names.join(", "))).collect::<Vec<_>>().join(" or ");
    let mut fitting: Vec<Overload> = all.into_iter().filter(fits).collect();
    if fitting.len() != 1 {
        let unknown: Vec<&String> = args.keys().collect();
        error::invalid_argument(
            format!(
                "{function}: cafe24.{name} takes {described}; the arguments given ({}) fit {} of them",
                unknown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                fitting.len()
            ),
            "Pass arguments by the parameter names shown, with every parameter that has no default.",
        );
    }
    fitting.remove(0)
}

/// An argument's SQL expression for parameter `n` of type `ty`, and the text bound to it.
fn argument(function: &str, name: &str, ty: &str, n: usize, value: &Json) -> (String, Option<String>) {
    let text = match value {
        Json::Null => None,
        // One value for an array parameter (a query string's single `names=revenue`) is a
        // one-element array, unless it is an array literal ('{80,95}').
        Json::String(s) if ty.ends_with("[]") && !s.trim_start().starts_with('{') => {
            return (
                format!("ARRAY(SELECT pg_catalog.jsonb_array_elements_text(${n}::pg_catalog.jsonb))::{ty}"),
                Some(Json::Array(vec![value.clone()]).to_string()),
            );
        }
        Json::String(s) => Some(s.clone()),
        Json::Bool(_) | Json::Number(_) => Some(value.to_string()),
        Json::Array(_) if ty.ends_with("[]") => {
            return (
                format!("ARRAY(SELECT pg_catalog.jsonb_array_elements_text(${n}::pg_catalog.jsonb))::{ty}"),
                Some(value.to_string()),
            );
        }
        Json::Array(_) | Json::Object(_) if ty == "jsonb" => Some(value.to_string()),
        _ => error::invalid_argument(
            format!("{function}: {name} must be of type {ty}, got {value}"),
            format!("Pass {name} as a JSON string, number or boolean."),
        ),
    };
    (format!("${n}::{ty}"), text)
}

/// Runs `function` with `args` as the role of `token` and returns what `run` makes of the SQL
/// and its bound values.
fn call<R>(
    caller: &str,
    token: Option<&str>,
    function: Option<&str>,
    args: Option<JsonArg>,
    bytes: bool,
    run: impl FnOnce(&str, &[Option<String>]) -> R,
) -> R {
    let token = required(caller, "token", token);
    let function = required(caller, "function", function);
    let args = required(caller, "args", args).parse(caller, "args");
    let Json::Object(args) = args else {
        error::invalid_argument(
            format!("{caller}: args must be a JSON object, got {args}"),
            "Pass arguments by parameter name: '{\"horizon\": 14}'.",
        );
    };
    let role = authenticate(caller, token);
    privileged::as_api_role(role, || {
        let o = choose(caller, function, &args);
        if o.bytes != bytes {
            let (other, what) = if o.bytes { ("http_call_bytes", "bytes") } else { ("http_call", "JSON") };
            error::invalid_argument(
                format!("{caller}: cafe24.{function} returns {what}; call it through cafe24.{other}"),
                format!("SELECT cafe24.{other}(token, '{function}', args)."),
            );
        }
        let mut exprs = Vec::new();
        let mut values = Vec::new();
        for (i, name) in o.names.iter().enumerate() {
            let Some(v) = args.get(name) else { continue };
            let (expr, text) = argument(caller, name, &o.types[i], values.len() + 1, v);
            // Each value is read alone first, so that a bad one is named.
            let alone = expr.replace(&format!("${}", values.len() + 1), "$1");
            error::prefixed(&format!("{caller}: {name}"), || {
                Spi::get_one_with_args::<bool>(&format!("SELECT ({alone}) IS NULL"), &[text.as_deref().into()])
                    .unwrap_or_else(|e| pgrx::error!("{e}"))
            });
            exprs.push(format!("{} => {expr}", quote_ident(name)));
            values.push(text);
        }
        let target = format!("cafe24.{}({})", quote_ident(function), exprs.join(", "));
        let sql = if bytes {
            format!("SELECT {target}")
        } else if o.rows {
            format!("SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(x)), '[]'::pg_catalog.jsonb) FROM {target} AS x")
        } else {
            format!("SELECT pg_catalog.to_jsonb({target})")
        };
        run(&sql, &values)
    })
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn bind(values: &[Option<String>]) -> Vec<DatumWithOid<'_>> {
    values.iter().map(|v| v.as_deref().into()).collect()
}

/// `cafe24.http_call(token, function, args)`: the result of a public `cafe24` function as
/// JSON (an array of row objects for functions returning rows), run as the API key's role.
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn http_call(token: Option<&str>, function: Option<&str>, args: default!(Option<JsonArg>, "'{}'")) -> Option<JsonB> {
    const F: &str = "http_call";
    call(F, token, function, args, false, |sql, values| {
        Spi::get_one_with_args::<JsonB>(sql, &bind(values)).unwrap_or_else(|e| pgrx::error!("{F}: {e}"))
    })
}

/// `cafe24.http_call_bytes(token, function, args)`: the same for the functions returning
/// `bytea` (render_report, render_dashboard).
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn http_call_bytes(
    token: Option<&str>,
    function: Option<&str>,
    args: default!(Option<JsonArg>, "'{}'"),
) -> Option<Vec<u8>> {
    const F: &str = "http_call_bytes";
    call(F, token, function, args, true, |sql, values| {
        Spi::get_one_with_args::<Vec<u8>>(sql, &bind(values)).unwrap_or_else(|e| pgrx::error!("{F}: {e}"))
    })
}
