//! The Rust side of the extension's privileged paths: code that runs SQL with more rights than
//! its caller (as the owner of the scheduler's tables, or in the launcher as a superuser).
//! Such SQL runs under a pinned `search_path` (so a caller's schema cannot shadow a function
//! or an operator), with every function and operator it uses schema-qualified as well, as
//! PostgreSQL's own `SECURITY DEFINER ... SET search_path` functions do. docs/security.md
//! lists every privileged path.

use pgrx::pg_sys;
use pgrx::prelude::*;
use std::ffi::CStr;

/// The `search_path` of every privileged path: nothing a caller can create objects in.
pub const PINNED_SEARCH_PATH: &CStr = c"pg_catalog, cafe24, pg_temp";

/// Sets `search_path` to [`PINNED_SEARCH_PATH`] for the rest of the session, over any
/// database or role setting (the launcher: a database owner could `ALTER DATABASE ... SET
/// search_path`).
pub fn pin_search_path_for_session() {
    unsafe {
        pg_sys::SetConfigOption(
            c"search_path".as_ptr(),
            PINNED_SEARCH_PATH.as_ptr(),
            pg_sys::GucContext::PGC_SUSET,
            pg_sys::GucSource::PGC_S_OVERRIDE,
        );
    }
}

/// Runs `f` with `search_path` pinned, then restores the caller's (also on error), as fmgr
/// does for a function declared `SET search_path`.
pub fn with_pinned_search_path<R>(f: impl FnOnce() -> R) -> R {
    in_guc_level(true, f)
}

/// Runs `f` in a new GUC nesting level with `search_path` pinned. At the end (also on error)
/// the pinned path is undone; with `keep_session_settings` false, so is every other setting
/// `f` changed, even those set for the session.
fn in_guc_level<R>(keep_session_settings: bool, f: impl FnOnce() -> R) -> R {
    let nest = unsafe {
        let nest = pg_sys::NewGUCNestLevel();
        pg_sys::set_config_option(
            c"search_path".as_ptr(),
            PINNED_SEARCH_PATH.as_ptr(),
            pg_sys::GucContext::PGC_USERSET,
            pg_sys::GucSource::PGC_S_SESSION,
            pg_sys::GucAction::GUC_ACTION_SAVE,
            true,
            0,
            false,
        );
        nest
    };
    let mut f = Some(f);
    PgTryBuilder::new(std::panic::AssertUnwindSafe(|| (f.take().expect("runs once"))()))
        .finally(|| unsafe { pg_sys::AtEOXact_GUC(keep_session_settings, nest) })
        .execute()
}

/// Runs `f` as the owner of table `cafe24.job` (the scheduler's tables' owner) with
/// `search_path` pinned, then back as the caller with the caller's `search_path` (also on
/// error). Only fixed, schema-qualified statements with bound parameters run inside.
pub fn as_scheduler_owner<R>(f: impl FnOnce() -> R) -> R {
    with_pinned_search_path(|| {
        let owner = Spi::get_one::<pg_sys::Oid>(
            "SELECT relowner FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass('cafe24.job')",
        )
        .ok()
        .flatten()
        .expect("cafe24.job has an owner");
        as_user(owner, pg_sys::SECURITY_LOCAL_USERID_CHANGE as i32, f)
    })
}

/// Runs `f` with `user` as the current user (adding `flags` to the security context), then
/// back as the caller (also on error).
fn as_user<R>(user: pg_sys::Oid, flags: i32, f: impl FnOnce() -> R) -> R {
    let (mut caller, mut context) = (pg_sys::Oid::INVALID, 0);
    unsafe {
        pg_sys::GetUserIdAndSecContext(&mut caller, &mut context);
        pg_sys::SetUserIdAndSecContext(user, context | flags);
    }
    let mut f = Some(f);
    PgTryBuilder::new(std::panic::AssertUnwindSafe(|| (f.take().expect("runs once"))()))
        .finally(|| unsafe { pg_sys::SetUserIdAndSecContext(caller, context) })
        .execute()
}

/// Who wrote a stored query (a report's sections, a dashboard's widgets, a saved forecast
/// model's source): its owner role, and whether it ships with the extension.
#[derive(Clone, Copy, Debug)]
pub struct StoredBy {
    pub owner: pg_sys::Oid,
    pub builtin: bool,
}

/// Runs a stored query's work `f` the way a view runs: the caller's own queries as the caller;
/// the extension's built-in ones as the caller with `search_path` pinned; another role's (a
/// report shared through `readers`, or any role's seen by a superuser) as that owner, with
/// `search_path` pinned and as a security-restricted operation, so the owner's SQL never runs
/// with the caller's rights (a planted query cannot act as a superuser who renders it) and
/// the caller cannot reach into the owner's rights (no shadowing schema; the session must
/// hold no temporary objects, which an unqualified name could resolve to).
pub fn as_stored_query_owner<R>(function: &str, what: &str, by: StoredBy, f: impl FnOnce() -> R) -> R {
    if by.owner == unsafe { pg_sys::GetUserId() } {
        return f();
    }
    if by.builtin {
        return with_pinned_search_path(f);
    }
    with_pinned_search_path(|| {
        let (owner_exists, temp_objects) = Spi::get_two_with_args::<bool, bool>(
            "SELECT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE oid OPERATOR(pg_catalog.=) $1),
                    EXISTS (SELECT FROM pg_catalog.pg_class WHERE relnamespace OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema())
                    OR EXISTS (SELECT FROM pg_catalog.pg_type WHERE typnamespace OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema())",
            &[by.owner.into()],
        )
        .unwrap_or((None, None));
        if owner_exists != Some(true) {
            crate::error::raise(
                PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
                format!("{function}: the role that owns {what} (oid {}) no longer exists", by.owner.to_u32()),
                "Ask an administrator to drop it or give it a new owner.",
            );
        }
        if temp_objects != Some(false) {
            crate::error::raise(
                PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
                format!("{function}: {what} belongs to another role and runs with its rights, which a session holding temporary tables or types cannot do"),
                "Run it from a session without temporary objects (DISCARD TEMP), or as its owner.",
            );
        }
        as_user(by.owner, (pg_sys::SECURITY_LOCAL_USERID_CHANGE | pg_sys::SECURITY_RESTRICTED_OPERATION) as i32, f)
    })
}

/// Runs `f` as `role` the way a function owned by `role` runs (`SECURITY_LOCAL_USERID_CHANGE`),
/// as a security-restricted operation, with `search_path` pinned; every setting changed
/// inside, even for the session, is undone afterwards (also on error). Inside, PostgreSQL
/// refuses `SET ROLE`, `SET SESSION AUTHORIZATION` (and their `set_config` forms), temporary
/// objects, `LISTEN` and `DISCARD`: SQL the role stored cannot leave the role or leave state
/// in the session for whoever uses it next. `cafe24.http_call` runs every HTTP request so.
pub fn as_api_role<R>(role: pg_sys::Oid, f: impl FnOnce() -> R) -> R {
    in_guc_level(false, || {
        as_user(role, (pg_sys::SECURITY_LOCAL_USERID_CHANGE | pg_sys::SECURITY_RESTRICTED_OPERATION) as i32, f)
    })
}
