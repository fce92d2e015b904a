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
        pg_sys::SetConfigOption(c"search_path".as_ptr(), PINNED_SEARCH_PATH.as_ptr(), pg_sys::GucContext::PGC_SUSET, pg_sys::GucSource::PGC_S_OVERRIDE);
    }
}

/// Runs `f` with `search_path` pinned, then restores the caller's (also on error), as fmgr
/// does for a function declared `SET search_path`.
pub fn with_pinned_search_path<R>(f: impl FnOnce() -> R) -> R {
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
        .finally(|| unsafe { pg_sys::AtEOXact_GUC(true, nest) })
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
        let (mut user, mut context) = (pg_sys::Oid::INVALID, 0);
        unsafe {
            pg_sys::GetUserIdAndSecContext(&mut user, &mut context);
            pg_sys::SetUserIdAndSecContext(owner, context | pg_sys::SECURITY_LOCAL_USERID_CHANGE as i32);
        }
        let mut f = Some(f);
        PgTryBuilder::new(std::panic::AssertUnwindSafe(|| (f.take().expect("runs once"))()))
            .finally(|| unsafe { pg_sys::SetUserIdAndSecContext(user, context) })
            .execute()
    })
}
