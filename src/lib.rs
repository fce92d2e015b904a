//! `cafe24_analytics`: e-commerce analytics and reporting inside PostgreSQL.
//!
//! This crate is the thin SQL layer: it converts types, reads through SPI (`db.rs`)
//! and reports errors (`error.rs`). Algorithms live in the `cafe24_engine` crate.

// pgrx reads a set-returning function's column names from its `TableIterator<(name!(..), ..)>`
// return type, which therefore cannot be a type alias.
#![allow(clippy::type_complexity)]

use pgrx::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

::pgrx::pg_module_magic!(name, version);

mod api;
mod args;
mod db;
mod error;
mod export_files;
mod gucs;
mod privileged;
mod progress;
mod scheduler;
mod shop_access;

extension_sql_file!("../sql/schema.sql", name = "schema", bootstrap);
extension_sql_file!("../sql/web.sql", name = "web");
extension_sql_file!("../sql/citus.sql", name = "citus");
extension_sql_file!("../sql/finalize.sql", name = "finalize", finalize);

/// Set in the postmaster when the library is preloaded; backends inherit it through fork.
static PRELOADED: AtomicBool = AtomicBool::new(false);

/// Whether the library was loaded by `shared_preload_libraries`, so the scheduler's launcher
/// and the shared memory behind `cafe24.progress` exist.
pub fn preloaded() -> bool {
    PRELOADED.load(Ordering::Relaxed)
}

#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    gucs::init();
    export_files::init();
    // Long engine computations (model fitting) stop at a query cancel between their steps.
    cafe24_engine::interrupt::set_hook(|| {
        pgrx::check_for_interrupts!();
    });
    if unsafe { pg_sys::process_shared_preload_libraries_in_progress } {
        PRELOADED.store(true, Ordering::Relaxed);
        progress::init();
        scheduler::init();
    }
}

#[cfg(any(test, feature = "pg_test"))]
mod foundation_tests;

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec!["shared_preload_libraries = 'cafe24_analytics'"]
    }
}
