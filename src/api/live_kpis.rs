//! `cafe24._live_kpis_deferred()`: whether the live-KPI triggers queue their work for the
//! fold (`cafe24._fold_kpis`, run by the scheduler's worker) or do it at the statement.

use crate::gucs::{self, LiveKpis};
use pgrx::prelude::*;
use std::cell::Cell;

thread_local! {
    /// Whether this backend's database is the one the scheduler's worker folds in (fixed
    /// for a backend: the database and `scheduler_database` do not change under it).
    static FOLDED_HERE: Cell<Option<bool>> = const { Cell::new(None) };
}

fn folded_here() -> bool {
    FOLDED_HERE.with(|c| {
        if let Some(known) = c.get() {
            return known;
        }
        let known = crate::preloaded() && {
            let name = unsafe { pg_sys::get_database_name(pg_sys::MyDatabaseId) };
            !name.is_null()
                && unsafe { std::ffi::CStr::from_ptr(name) }.to_string_lossy() == gucs::scheduler_database().as_str()
        };
        c.set(Some(known));
        known
    })
}

#[pg_extern(volatile, parallel_safe, name = "_live_kpis_deferred")]
fn live_kpis_deferred() -> bool {
    match gucs::LIVE_KPIS.get() {
        LiveKpis::Statement => false,
        LiveKpis::Deferred => true,
        LiveKpis::Auto => folded_here(),
    }
}
