//! The one place that runs SPI.

use pgrx::prelude::*;
use pgrx::JsonB;

/// Runs a statement that returns exactly one row of three bigints.
pub fn one_row_of_three_counts(query: &str, arg: serde_json::Value) -> (i64, i64, i64) {
    let (a, b, c) = Spi::get_three_with_args::<i64, i64, i64>(query, &[JsonB(arg).into()])
        .unwrap_or_else(|e| pgrx::error!("cafe24_analytics: internal query failed: {e}"));
    (a.unwrap_or(0), b.unwrap_or(0), c.unwrap_or(0))
}
