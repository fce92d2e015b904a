//! The one place that runs SPI, and that runs pure computation on worker threads while
//! the backend's main thread stays responsive to cancellation.

use pgrx::datum::Date;
use pgrx::prelude::*;
use pgrx::JsonB;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Runs a statement that returns exactly one row of three bigints.
pub fn one_row_of_three_counts(query: &str, arg: serde_json::Value) -> (i64, i64, i64) {
    let (a, b, c) = Spi::get_three_with_args::<i64, i64, i64>(query, &[JsonB(arg).into()])
        .unwrap_or_else(|e| pgrx::error!("cafe24_analytics: internal query failed: {e}"));
    (a.unwrap_or(0), b.unwrap_or(0), c.unwrap_or(0))
}

/// Reads (key text, date, float8[]) rows from a query taking four text arguments.
pub fn series(query: &str, a: &str, b: &str, c: &str, d: Option<&str>) -> Result<Vec<(String, Date, Vec<f64>)>, pgrx::spi::Error> {
    Spi::connect(|client| {
        let table = client.select(query, None, &[a.into(), b.into(), c.into(), d.into()])?;
        let mut out = Vec::with_capacity(table.len());
        for row in table {
            let key: String = row.get(1)?.unwrap_or_default();
            let last: Date = row.get(2)?.expect("last_ds is never NULL");
            let y: Vec<Option<f64>> = row.get(3)?.unwrap_or_default();
            out.push((key, last, y.into_iter().map(|v| v.unwrap_or(0.0)).collect()));
        }
        Ok(out)
    })
}

/// Runs `work` on a helper thread (which may start more threads for pure computation)
/// while this, the backend's thread, watches for cancel requests and
/// `statement_timeout`, and reports progress when `cafe24_analytics.progress_notices` is on.
/// `work` gets a cancel flag to poll and a counter of finished items.
pub fn run_parallel<T: Send>(function: &str, total: usize, work: impl FnOnce(&AtomicBool, &AtomicUsize) -> T + Send) -> T {
    let cancel = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let started = Instant::now();
    let mut last_notice = Instant::now();
    let result = std::thread::scope(|s| {
        let handle = s.spawn(|| work(&cancel, &done));
        while !handle.is_finished() {
            std::thread::sleep(Duration::from_millis(20));
            // Read the flag only: raising the error must wait until the threads are gone.
            if unsafe { std::ptr::read_volatile(&raw const pg_sys::InterruptPending) } != 0 {
                cancel.store(true, Ordering::Relaxed);
            }
            if crate::gucs::PROGRESS_NOTICES.get() && last_notice.elapsed() >= Duration::from_secs(3) {
                last_notice = Instant::now();
                pgrx::notice!(
                    "{function}: {} of {total} done after {:.1} s",
                    done.load(Ordering::Relaxed),
                    started.elapsed().as_secs_f64()
                );
            }
        }
        handle.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
    });
    pgrx::check_for_interrupts!();
    result
}
