//! The in-database scheduler, compatible with pg_cron.
//!
//! - `launcher`: one static background worker, registered from `_PG_init` when the library is
//!   in `shared_preload_libraries`. It connects to `cafe24_analytics.scheduler_database`,
//!   waits for the extension to exist there, and dispatches due jobs from `cafe24.job`.
//! - `runner`: each run is its own dynamic background worker, connected to the job's database
//!   as the job's owner, so a failing, hanging or crashing job cannot take the launcher or
//!   other jobs with it. It reports through a dynamic shared memory segment (`shared`); the
//!   launcher records runs in `cafe24.job_run_details`.
//! - `api`: the SQL functions (`schedule`, `unschedule`, `alter_job`, `run_job`, `cron_next`,
//!   `schedule_report`, ...). Cron maths and the other pure decisions (next run after a
//!   dispatch, file name templates) are `cafe24_engine::cron` and `cafe24_engine::cron::plan`.

mod api;
mod launcher;
mod runner;
mod shared;

/// Called from `_PG_init` while preloading: registers the launcher.
pub fn init() {
    launcher::register();
}
