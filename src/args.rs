//! Arguments that pgrx cannot refuse clearly by itself.
//!
//! - A function with some optional arguments is not `STRICT`, and pgrx answers a NULL in one
//!   of its required arguments with an internal error ("argument 2 must not be null",
//!   SQLSTATE XX000). Such arguments are declared `Option` and go through [`required`], which
//!   names the argument with SQLSTATE 22004.
//! - pgrx's `JsonB` parses the argument with serde_json before the function runs, and
//!   serde_json stops at 128 levels of nesting with an internal error. [`JsonArg`] keeps the
//!   text and [`JsonArg::parse`] refuses deep nesting with 22023, naming the argument.

use crate::error;
use pgrx::callconv::{Arg, ArgAbi};
use pgrx::nullable::Nullable;
use pgrx::{pg_sys, FromDatum, PgSqlErrorCode};
use serde_json::Value as Json;

/// The value of required argument `arg` of `function`; NULL is refused with 22004.
pub fn required<T>(function: &str, arg: &str, value: Option<T>) -> T {
    value.unwrap_or_else(|| {
        error::raise(
            PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
            format!("{function}: {arg} must not be NULL"),
            format!("Pass a value for {arg}, or leave it out to use its default where it has one."),
        )
    })
}

/// Deepest nesting of arrays and objects [`JsonArg::parse`] accepts (serde_json's own limit
/// is 128; report specs and parameters are a few levels deep).
pub const MAX_JSON_DEPTH: usize = 64;

/// A `jsonb` argument, kept as its text until [`JsonArg::parse`].
pub struct JsonArg(String);

impl JsonArg {
    /// The argument as JSON; nesting deeper than [`MAX_JSON_DEPTH`] is refused with 22023
    /// naming `arg`.
    pub fn parse(&self, function: &str, arg: &str) -> Json {
        let depth = cafe24_engine::json::nesting_depth(&self.0);
        if depth > MAX_JSON_DEPTH {
            error::invalid_argument(
                format!("{function}: {arg} is nested {depth} levels deep; at most {MAX_JSON_DEPTH} are allowed"),
                format!("Pass {arg} as a flat JSON object or array."),
            );
        }
        serde_json::from_str(&self.0)
            .unwrap_or_else(|e| error::invalid_argument(format!("{function}: {arg} is not readable JSON: {e}"), ""))
    }
}

impl FromDatum for JsonArg {
    unsafe fn from_polymorphic_datum(datum: pg_sys::Datum, is_null: bool, _: pg_sys::Oid) -> Option<JsonArg> {
        if is_null {
            return None;
        }
        // jsonb_out detoasts its argument itself; the text is copied, then freed.
        let text = unsafe { pgrx::direct_function_call::<&std::ffi::CStr>(pg_sys::jsonb_out, &[Some(datum)]) }
            .expect("jsonb_out returns text");
        let owned = text.to_string_lossy().into_owned();
        unsafe { pg_sys::pfree(text.as_ptr() as *mut std::ffi::c_void) };
        Some(JsonArg(owned))
    }
}

unsafe impl<'fcx> ArgAbi<'fcx> for JsonArg {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        let index = arg.index();
        unsafe { arg.unbox_arg_using_from_datum().unwrap_or_else(|| panic!("argument {index} must not be null")) }
    }

    unsafe fn unbox_nullable_arg(arg: Arg<'_, 'fcx>) -> Nullable<Self> {
        unsafe { arg.unbox_arg_using_from_datum().into() }
    }
}

pgrx::impl_sql_translatable!(JsonArg, arg_only = "jsonb");
