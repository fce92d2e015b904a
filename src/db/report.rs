//! SPI for reports: report specs from `cafe24.report`, parameter values bound through their
//! types' input functions, and section rows streamed from a cursor into engine [`Value`]s.
//!
//! Section rows are fetched in batches of [`BATCH`] through a read-only cursor (raw SPI:
//! each row is deformed once, numbers and dates cost no allocation, and text cells reuse
//! the previous row's strings); `text` and `varchar` are read as they are stored, other
//! types through their output functions (looked up once per column), in a memory context
//! that is reset after every batch. Memory therefore stays flat however many rows a section has.

use cafe24_engine::chrono::{NaiveDate, NaiveDateTime};
use cafe24_engine::report::{ColumnType, Value};
use pgrx::datum::TimestampWithTimeZone;
use pgrx::prelude::*;
use pgrx::varlena::{vardata_any, varsize_any_exhdr};
use pgrx::{pg_sys, JsonB, PgMemoryContexts};
use std::ffi::{CStr, CString};

/// Rows fetched from a section's cursor at a time.
pub const BATCH: i64 = 1000;

/// The spec of the report a reference (name or owner.name) names for the caller (row-level
/// security applies), its name and who wrote it, or `None`.
pub fn load(reference: &str) -> Option<(serde_json::Value, String, crate::privileged::StoredBy)> {
    Spi::connect(|client| {
        let table = client.select(
            "SELECT spec, owner::oid, template, name FROM cafe24._find_report($1)",
            Some(1),
            &[reference.into()],
        )?;
        match table.into_iter().next() {
            Some(row) => {
                let by = crate::privileged::StoredBy {
                    owner: row.get::<pg_sys::Oid>(2)?.unwrap_or_default(),
                    builtin: row.get::<bool>(3)?.unwrap_or(false),
                };
                let name = row.get::<String>(4)?.unwrap_or_default();
                Ok(row.get::<JsonB>(1)?.map(|j| (j.0, name, by)))
            }
            None => Ok(None),
        }
    })
    .unwrap_or_else(|e: pgrx::spi::Error| pgrx::error!("cafe24_analytics: reading cafe24.report failed: {e}"))
}

/// The OID of a type name (`to_regtype`), `None` when there is no such type.
pub fn type_oid(type_name: &str) -> Option<pg_sys::Oid> {
    Spi::get_one_with_args::<pg_sys::Oid>("SELECT to_regtype($1)::oid", &[type_name.into()]).ok().flatten()
}

/// The name of a type as `format_type` spells it.
pub fn type_name(oid: pg_sys::Oid) -> String {
    Spi::get_one_with_args::<String>("SELECT format_type($1, NULL)", &[oid.into()])
        .ok()
        .flatten()
        .unwrap_or_else(|| oid.to_u32().to_string())
}

/// Input arguments (name, type as written by `format_type`) of the public set-returning
/// function `cafe24.<function>`; `None` when there is none, or more than one.
pub fn analysis_arguments(function: &str) -> Option<Vec<(String, String)>> {
    let rows: Vec<(i64, String, String)> = Spi::connect(|client| {
        client
            .select(
                "SELECT p.oid::bigint, a.name, format_type(a.type, NULL)
                   FROM pg_proc p
                  CROSS JOIN LATERAL unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]),
                                            p.proargnames,
                                            coalesce(p.proargmodes, array_fill('i'::\"char\", ARRAY[p.pronargs::int])))
                        WITH ORDINALITY AS a(type, name, mode, ord)
                  WHERE p.pronamespace = 'cafe24'::regnamespace AND p.proname = $1 AND p.proretset
                    AND a.mode IN ('i', 'b', 'v')
                  ORDER BY p.oid, a.ord",
                None,
                &[function.into()],
            )?
            .map(|r| Ok((r.get(1)?.unwrap_or(0), r.get(2)?.unwrap_or_default(), r.get(3)?.unwrap_or_default())))
            .collect::<Result<Vec<_>, pgrx::spi::Error>>()
    })
    .unwrap_or_else(|e| pgrx::error!("cafe24_analytics: reading pg_proc failed: {e}"));
    let exists: bool = Spi::get_one_with_args::<bool>(
        "SELECT count(*) = 1 FROM pg_proc WHERE pronamespace = 'cafe24'::regnamespace AND proname = $1 AND proretset",
        &[function.into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false);
    exists.then(|| rows.into_iter().map(|(_, n, t)| (n, t)).collect())
}

/// A value bound to a query: its type and text (converted by the type's input function),
/// or NULL.
pub struct Bound {
    pub oid: pg_sys::Oid,
    pub text: Option<String>,
}

/// Converts `text` with the input function of type `oid` (raises the type's own error).
fn input(oid: pg_sys::Oid, text: &str) -> pg_sys::Datum {
    let c = CString::new(text)
        .unwrap_or_else(|_| crate::error::invalid_argument("a parameter value contains a NUL character", "Remove it."));
    let (mut func, mut ioparam) = (pg_sys::Oid::INVALID, pg_sys::Oid::INVALID);
    unsafe {
        pg_sys::getTypeInputInfo(oid, &mut func, &mut ioparam);
        pg_sys::OidInputFunctionCall(func, c.as_ptr() as *mut _, ioparam, -1)
    }
}

/// Checks that `text` is a valid value of type `oid` (raises the type's error otherwise).
pub fn check_input(oid: pg_sys::Oid, text: &str) {
    input(oid, text);
}

/// A column of a section's result.
#[derive(Clone)]
pub struct ResultColumn {
    pub name: String,
    pub oid: pg_sys::Oid,
    pub kind: ColumnType,
}

fn column_type(oid: pg_sys::Oid) -> ColumnType {
    match oid {
        pg_sys::BOOLOID => ColumnType::Bool,
        pg_sys::INT2OID | pg_sys::INT4OID | pg_sys::INT8OID => ColumnType::Integer,
        pg_sys::FLOAT4OID | pg_sys::FLOAT8OID | pg_sys::NUMERICOID => ColumnType::Number,
        pg_sys::DATEOID => ColumnType::Date,
        pg_sys::TIMESTAMPOID | pg_sys::TIMESTAMPTZOID => ColumnType::Timestamp,
        _ => ColumnType::Text,
    }
}

/// Runs `query` with `args` through a read-only cursor: `head` gets the result columns
/// once, before any row; `row` gets every row. Returns the number of rows.
pub fn stream(
    query: &str,
    args: &[Bound],
    head: &mut dyn FnMut(&[ResultColumn]),
    row: &mut dyn FnMut(&[Value]),
) -> u64 {
    let sql = CString::new(query)
        .unwrap_or_else(|_| crate::error::invalid_argument("a section query contains a NUL character", "Remove it."));
    let mut argtypes: Vec<pg_sys::Oid> = args.iter().map(|a| a.oid).collect();
    let mut values: Vec<pg_sys::Datum> =
        args.iter().map(|a| a.text.as_deref().map_or(pg_sys::Datum::from(0), |t| input(a.oid, t))).collect();
    let nulls: Vec<std::ffi::c_char> =
        args.iter().map(|a| if a.text.is_some() { b' ' } else { b'n' } as std::ffi::c_char).collect();
    let mut total = 0u64;
    Spi::connect(|_client| unsafe {
        let portal = pg_sys::SPI_cursor_open_with_args(
            std::ptr::null(),
            sql.as_ptr(),
            args.len() as i32,
            argtypes.as_mut_ptr(),
            values.as_mut_ptr(),
            nulls.as_ptr(),
            true,
            0,
        );
        if portal.is_null() {
            pgrx::error!("cafe24_analytics: could not open a cursor for a report section");
        }
        let mut batch_context = PgMemoryContexts::new("cafe24 report batch");
        let mut columns: Option<(Vec<ResultColumn>, Vec<Conv>)> = None;
        // One row's cells, their strings reused from row to row.
        let mut cells: Vec<Value> = Vec::new();
        let (mut datums, mut nulls) = (Vec::new(), Vec::new());
        loop {
            pgrx::check_for_interrupts!();
            pg_sys::SPI_cursor_fetch(portal, true, BATCH as _);
            let n = pg_sys::SPI_processed as usize;
            let table = pg_sys::SPI_tuptable;
            if table.is_null() {
                break;
            }
            let tupdesc = (*table).tupdesc;
            if columns.is_none() {
                let natts = (*tupdesc).natts as usize;
                let mut cols = Vec::with_capacity(natts);
                let mut convs = Vec::with_capacity(natts);
                for i in 0..natts {
                    let att = (*tupdesc).attrs.as_ptr().add(i);
                    let name = CStr::from_ptr((*att).attname.data.as_ptr()).to_string_lossy().into_owned();
                    let oid = (*att).atttypid;
                    cols.push(ResultColumn { name, oid, kind: column_type(oid) });
                    convs.push(Conv::of(oid));
                }
                head(&cols);
                columns = Some((cols, convs));
            }
            let convs = &mut columns.as_mut().expect("set above").1;
            cells.resize(convs.len(), Value::Null);
            datums.resize(convs.len(), pg_sys::Datum::from(0));
            nulls.resize(convs.len(), false);
            batch_context.switch_to(|_| {
                for t in 0..n {
                    pg_sys::heap_deform_tuple(*(*table).vals.add(t), tupdesc, datums.as_mut_ptr(), nulls.as_mut_ptr());
                    for (i, conv) in convs.iter_mut().enumerate() {
                        if nulls[i] {
                            cells[i] = Value::Null;
                        } else {
                            conv.set(datums[i], &mut cells[i]);
                        }
                    }
                    row(&cells);
                }
            });
            batch_context.reset();
            pg_sys::SPI_freetuptable(table);
            total += n as u64;
            if n == 0 {
                break;
            }
        }
        pg_sys::SPI_cursor_close(portal);
    });
    total
}

/// How one column's datums become [`Value`]s.
enum Conv {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Date,
    Timestamp,
    TimestampTz,
    /// `text` and `varchar`: their bytes.
    Varlena,
    /// Through the type's output function (`numeric` to a [`Value::Decimal`]).
    Output {
        function: Box<pg_sys::FmgrInfo>,
        decimal: bool,
    },
}

/// 2000-01-01, Postgres's date and timestamp epoch.
fn pg_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date").and_hms_opt(0, 0, 0).expect("valid time")
}

/// Sets `cell` to text (or a decimal) `bytes`, reusing the string `cell` held.
fn set_text(cell: &mut Value, bytes: &[u8], decimal: bool) {
    let mut s = match std::mem::replace(cell, Value::Null) {
        Value::Text(s) | Value::Decimal(s) => s,
        _ => String::new(),
    };
    s.clear();
    s.push_str(&String::from_utf8_lossy(bytes));
    *cell = if decimal { Value::Decimal(s) } else { Value::Text(s) };
}

impl Conv {
    fn of(oid: pg_sys::Oid) -> Conv {
        match oid {
            pg_sys::BOOLOID => Conv::Bool,
            pg_sys::INT2OID => Conv::Int2,
            pg_sys::INT4OID => Conv::Int4,
            pg_sys::INT8OID => Conv::Int8,
            pg_sys::FLOAT4OID => Conv::Float4,
            pg_sys::FLOAT8OID => Conv::Float8,
            pg_sys::DATEOID => Conv::Date,
            pg_sys::TIMESTAMPOID => Conv::Timestamp,
            pg_sys::TIMESTAMPTZOID => Conv::TimestampTz,
            pg_sys::TEXTOID | pg_sys::VARCHAROID => Conv::Varlena,
            _ => {
                let (mut func, mut varlena) = (pg_sys::Oid::INVALID, false);
                // Looked up once per column; the function's own caches live in this context.
                let mut function = Box::new(unsafe { std::mem::zeroed::<pg_sys::FmgrInfo>() });
                unsafe {
                    pg_sys::getTypeOutputInfo(oid, &mut func, &mut varlena);
                    pg_sys::fmgr_info(func, function.as_mut());
                }
                Conv::Output { function, decimal: oid == pg_sys::NUMERICOID }
            }
        }
    }

    /// Sets `cell` to the value of `d`. Safety: `d` is a non-null datum of the column's type.
    unsafe fn set(&mut self, d: pg_sys::Datum, cell: &mut Value) {
        *cell = match self {
            Conv::Bool => Value::Bool(bool::from_datum(d, false).unwrap_or_default()),
            Conv::Int2 => Value::Int(i16::from_datum(d, false).unwrap_or_default() as i64),
            Conv::Int4 => Value::Int(i32::from_datum(d, false).unwrap_or_default() as i64),
            Conv::Int8 => Value::Int(i64::from_datum(d, false).unwrap_or_default()),
            Conv::Float4 => Value::Float(f32::from_datum(d, false).unwrap_or_default() as f64),
            Conv::Float8 => Value::Float(f64::from_datum(d, false).unwrap_or_default()),
            Conv::Date => {
                let days = d.value() as i32;
                if days == i32::MIN || days == i32::MAX {
                    return set_text(cell, if days == i32::MIN { b"-infinity" } else { b"infinity" }, false);
                }
                match pg_epoch().date().checked_add_signed(cafe24_engine::chrono::Duration::days(days as i64)) {
                    Some(date) => Value::Date(date),
                    None => Value::Null,
                }
            }
            Conv::Timestamp => micros(d.value() as i64),
            Conv::TimestampTz => {
                let tz = TimestampWithTimeZone::from_datum(d, false).expect("not null");
                if !tz.is_finite() {
                    micros(tz.into_inner())
                } else {
                    // To the session's TimeZone, as a reader of the report expects.
                    let local: pgrx::datum::Timestamp = tz.into();
                    micros(local.into_inner())
                }
            }
            Conv::Varlena => {
                let v = pg_sys::pg_detoast_datum_packed(d.cast_mut_ptr());
                let bytes = std::slice::from_raw_parts(vardata_any(v) as *const u8, varsize_any_exhdr(v));
                return set_text(cell, bytes, false);
            }
            Conv::Output { function, decimal } => {
                let p = pg_sys::OutputFunctionCall(function.as_mut(), d);
                return set_text(cell, CStr::from_ptr(p).to_bytes(), *decimal);
            }
        }
    }
}

fn micros(us: i64) -> Value {
    match us {
        i64::MIN => Value::Text("-infinity".into()),
        i64::MAX => Value::Text("infinity".into()),
        _ => match pg_epoch().checked_add_signed(cafe24_engine::chrono::Duration::microseconds(us)) {
            Some(t) => Value::Timestamp(t),
            None => Value::Null,
        },
    }
}
