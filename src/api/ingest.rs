//! `cafe24.ingest_orders(payload jsonb)`: Cafe24 Admin API orders into the star schema.

use crate::args::JsonArg;
use crate::{db, error};
use cafe24_engine::ingest::parse_orders;
use pgrx::prelude::*;

#[pg_extern(volatile, parallel_unsafe)]
fn ingest_orders(
    payload: JsonArg,
) -> TableIterator<'static, (name!(inserted, i64), name!(updated, i64), name!(unchanged, i64))> {
    let lines = parse_orders(&payload.parse("ingest_orders", "payload")).unwrap_or_else(|e| {
        error::invalid_argument(
            format!("ingest_orders: {e}"),
            "Pass the body of the Cafe24 Admin API orders response with embedded items: \
             {\"orders\": [{\"shop_no\", \"order_id\", \"order_date\", \"items\": [...]}]}; \
             nothing of this payload was applied.",
        )
    });
    let lines = serde_json::to_value(lines).expect("lines serialise");
    let counts = db::one_row_of_three_counts("SELECT * FROM cafe24._ingest_lines($1)", lines);
    TableIterator::once(counts)
}
