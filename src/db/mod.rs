//! The one place that runs SPI, and that runs pure computation on worker threads while
//! the backend's main thread stays responsive to cancellation.

pub mod report;

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

/// Reads sales series from `cafe24._sales_series(grain, by, measure, source)`: per key,
/// the start of its last period and one value per period, gaps filled with zeros.
pub fn series(
    grain: &str,
    by: &str,
    measure: &str,
    source: Option<&str>,
) -> Result<Vec<(String, Date, Vec<f64>)>, pgrx::spi::Error> {
    Spi::connect(|client| {
        let table = client.select(
            "SELECT series_key, last_ds, periods, offsets, y FROM cafe24._sales_series($1, $2, $3, $4)",
            None,
            &[grain.into(), by.into(), measure.into(), source.into()],
        )?;
        let mut out = Vec::with_capacity(table.len());
        for row in table {
            let key: String = row.get(1)?.unwrap_or_default();
            let last: Date = row.get(2)?.expect("last_ds is never NULL");
            let periods: i32 = row.get(3)?.unwrap_or(0);
            let offsets: Vec<i32> = row.get(4)?.unwrap_or_default();
            let values: Vec<f64> = row.get(5)?.unwrap_or_default();
            out.push((key, last, dense(periods.max(0) as usize, &offsets, &values)));
        }
        Ok(out)
    })
}

/// The days each product (by variant code) ended out of stock: on_hand 0 or less in
/// `cafe24.inventory_snapshot`. None are known to a caller who may not read stock levels.
pub fn stockout_days() -> Result<std::collections::HashMap<String, Vec<Date>>, pgrx::spi::Error> {
    // Qualified throughout: a saved model's owner may run it with another's search_path.
    let readable = Spi::get_one::<bool>(
        "SELECT pg_catalog.has_table_privilege('cafe24.inventory_snapshot', 'SELECT') \
         AND pg_catalog.has_table_privilege('cafe24.product', 'SELECT')",
    )?;
    if readable != Some(true) {
        return Ok(Default::default());
    }
    Spi::connect(|client| {
        let table = client.select(
            "SELECT p.variant_code, pg_catalog.array_agg(i.day) FROM cafe24.inventory_snapshot AS i \
             JOIN cafe24.product AS p ON p.product_id OPERATOR(pg_catalog.=) i.product_id \
             WHERE i.on_hand OPERATOR(pg_catalog.<=) 0 GROUP BY 1",
            None,
            &[],
        )?;
        let mut out = std::collections::HashMap::with_capacity(table.len());
        for row in table {
            let key: String = row.get(1)?.unwrap_or_default();
            out.insert(key, row.get::<Vec<Date>>(2)?.unwrap_or_default());
        }
        Ok(out)
    })
}

/// A series of `len` values from sparse (offset, value) pairs; offsets outside are ignored.
pub fn dense(len: usize, offsets: &[i32], values: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; len];
    for (o, v) in offsets.iter().zip(values) {
        if let Some(slot) = usize::try_from(*o).ok().and_then(|o| y.get_mut(o)) {
            *slot += v;
        }
    }
    y
}

/// `len` flags, true at the given offsets (others, and offsets out of range, ignored).
pub fn flags(len: usize, offsets: &[i32]) -> Vec<bool> {
    let mut f = vec![false; len];
    for o in offsets {
        if let Some(slot) = usize::try_from(*o).ok().and_then(|o| f.get_mut(o)) {
            *slot = true;
        }
    }
    f
}

/// What `cafe24._inventory_inputs` says about one product.
pub struct InventoryInput {
    pub product_id: i64,
    pub variant_code: String,
    pub name: String,
    pub unit_cost: Option<f64>,
    pub price: f64,
    pub lead_time_days: Option<i32>,
    pub on_hand: i32,
    pub on_order: i32,
    pub revenue: f64,
    /// Days since the series window's first day with sales, and the units sold on them.
    pub offsets: Vec<i32>,
    pub units: Vec<f64>,
    /// The last day of the windows.
    pub as_of: Date,
    /// Days since the series window's first day that ended out of stock.
    pub stockout_offsets: Vec<i32>,
}

/// Per product: stock at `as_of` (NULL: the latest snapshot), revenue over the `days` days
/// ending then and units over the `series_days` (at least `days`), in product_id order.
pub fn inventory_inputs(as_of: Option<Date>, days: i32, series_days: i32) -> Vec<InventoryInput> {
    Spi::connect(|client| {
        let table = client.select(
            "SELECT * FROM cafe24._inventory_inputs($1, $2, $3)",
            None,
            &[as_of.into(), days.into(), series_days.into()],
        )?;
        let mut out = Vec::with_capacity(table.len());
        for row in table {
            out.push(InventoryInput {
                product_id: row.get(1)?.unwrap_or_default(),
                variant_code: row.get(2)?.unwrap_or_default(),
                name: row.get(3)?.unwrap_or_default(),
                unit_cost: row.get(4)?,
                price: row.get(5)?.unwrap_or_default(),
                lead_time_days: row.get(6)?,
                on_hand: row.get(7)?.unwrap_or_default(),
                on_order: row.get(8)?.unwrap_or_default(),
                revenue: row.get(9)?.unwrap_or_default(),
                offsets: row.get::<Vec<i32>>(10)?.unwrap_or_default(),
                units: row.get::<Vec<f64>>(11)?.unwrap_or_default(),
                as_of: row.get(12)?.expect("_inventory_inputs returns its day"),
                stockout_offsets: row.get::<Vec<i32>>(13)?.unwrap_or_default(),
            });
        }
        Ok::<_, pgrx::spi::Error>(out)
    })
    .unwrap_or_else(|e| pgrx::error!("cafe24_analytics: reading inventory inputs failed: {e}"))
}

/// Per customer (key order): first and last purchase day, purchase days, total and mean
/// amount, all as of `as_of` (NULL: now), from `cafe24._customer_summaries`.
pub fn customer_summaries(
    function: &str,
    as_of: Option<TimestampWithTimeZone>,
    source: Option<&str>,
) -> (Vec<String>, Vec<cafe24_engine::segment::CustomerSummary>) {
    let _tracker = crate::progress::Tracker::start(function, "reading customers", 0);
    Spi::connect(|client| {
        let table =
            client.select("SELECT * FROM cafe24._customer_summaries($1, $2)", None, &[as_of.into(), source.into()])?;
        let mut keys = Vec::with_capacity(table.len());
        let mut out = Vec::with_capacity(table.len());
        for row in table {
            keys.push(row.get::<String>(1)?.unwrap_or_default());
            out.push(cafe24_engine::segment::CustomerSummary {
                first_purchase: row.get(2)?.unwrap_or_default(),
                last_purchase: row.get(3)?.unwrap_or_default(),
                purchases: row.get(4)?.unwrap_or_default(),
                total_amount: row.get(5)?.unwrap_or_default(),
                mean_amount: row.get(6)?.unwrap_or_default(),
                observation_end: row.get(7)?.unwrap_or_default(),
            });
        }
        Ok::<_, pgrx::spi::Error>((keys, out))
    })
    .unwrap_or_else(|e| crate::error::invalid_argument(format!("{function}: {e}"), "See the HINT above."))
}

/// Purchase days of each customer in `keys` within `days` days after `start`.
pub fn holdout_purchases(
    function: &str,
    keys: &[String],
    start: TimestampWithTimeZone,
    days: i32,
    source: Option<&str>,
) -> Vec<i64> {
    let counts: std::collections::HashMap<String, i64> = Spi::connect(|client| {
        let table = client.select(
            "SELECT * FROM cafe24._holdout_purchases($1, $2, $3)",
            None,
            &[start.into(), days.into(), source.into()],
        )?;
        let mut m = std::collections::HashMap::new();
        for row in table {
            m.insert(row.get::<String>(1)?.unwrap_or_default(), row.get::<i64>(2)?.unwrap_or_default());
        }
        Ok::<_, pgrx::spi::Error>(m)
    })
    .unwrap_or_else(|e| crate::error::invalid_argument(format!("{function}: {e}"), "See the HINT above."));
    keys.iter().map(|k| counts.get(k).copied().unwrap_or(0)).collect()
}

/// Runs `work` on a helper thread (which may start more threads for pure computation)
/// while this, the backend's thread, watches for cancel requests and
/// `statement_timeout`, and reports progress in `cafe24.progress` (and as NOTICE lines when
/// `cafe24_analytics.progress_notices` is on).
/// `work` gets a cancel flag to poll and a counter of finished items.
pub fn run_parallel<T: Send>(
    function: &str,
    total: usize,
    work: impl FnOnce(&AtomicBool, &AtomicUsize) -> T + Send,
) -> T {
    let cancel = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let started = Instant::now();
    let mut tracker = crate::progress::Tracker::start(function, "computing", total);
    let mut last_notice = Instant::now();
    let result = std::thread::scope(|s| {
        let handle = s.spawn(|| work(&cancel, &done));
        while !handle.is_finished() {
            std::thread::sleep(Duration::from_millis(20));
            // Read the flag only: raising the error must wait until the threads are gone.
            if unsafe { std::ptr::read_volatile(&raw const pg_sys::InterruptPending) } != 0 {
                cancel.store(true, Ordering::Relaxed);
            }
            tracker.set(done.load(Ordering::Relaxed));
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
