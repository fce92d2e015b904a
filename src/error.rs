//! Errors as users should see them: a SQLSTATE, a message naming the argument and its
//! value, and a HINT with the fix.

use pgrx::pg_sys::panic::ErrorReport;
use pgrx::{PgLogLevel, PgSqlErrorCode};

/// Longest message [`raise`] sends: a message that quotes a huge argument back is cut.
const MAX_MESSAGE: usize = 1000;

/// Raises an ERROR with the given SQLSTATE, message and hint; never returns.
pub fn raise(code: PgSqlErrorCode, message: impl Into<String>, hint: impl Into<String>) -> ! {
    ErrorReport::new(code, shortened(message.into()), "cafe24_analytics")
        .set_hint(hint.into())
        .report(PgLogLevel::ERROR);
    unreachable!("ERROR does not return")
}

/// `message`, cut at [`MAX_MESSAGE`] bytes (on a character boundary) with the full length said.
fn shortened(message: String) -> String {
    if message.len() <= MAX_MESSAGE {
        return message;
    }
    let cut = (0..=MAX_MESSAGE).rev().find(|&i| message.is_char_boundary(i)).unwrap_or(0);
    format!("{}... ({} bytes in all)", &message[..cut], message.len())
}

/// Invalid argument value (SQLSTATE 22023).
pub fn invalid_argument(message: impl Into<String>, hint: impl Into<String>) -> ! {
    raise(PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE, message, hint)
}

/// Runs `f`; an ERROR raised inside comes out with `prefix: ` before its message and the
/// same SQLSTATE, detail and hint, so a failure deep in a report names its section.
pub fn prefixed<R>(prefix: &str, f: impl FnOnce() -> R) -> R {
    use pgrx::pg_sys::panic::CaughtError;
    pgrx::PgTryBuilder::new(std::panic::AssertUnwindSafe(f))
        .catch_others(|e| {
            let r = match &e {
                CaughtError::PostgresError(r) | CaughtError::ErrorReport(r) => r,
                CaughtError::RustPanic { ereport, .. } => ereport,
            };
            // An inner error of the same function already says which function it is.
            let function = prefix.split(": ").next().unwrap_or_default();
            let message = r.message().strip_prefix(function).and_then(|m| m.strip_prefix(": ")).unwrap_or(r.message());
            let mut out = ErrorReport::new(r.sql_error_code(), format!("{prefix}: {message}"), "cafe24_analytics");
            if let Some(d) = r.detail() {
                out = out.set_detail(d);
            }
            if let Some(h) = r.hint() {
                out = out.set_hint(h);
            }
            out.report(PgLogLevel::ERROR);
            unreachable!("ERROR does not return")
        })
        .execute()
}
