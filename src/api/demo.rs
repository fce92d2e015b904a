//! Row sources behind `cafe24.generate_demo_data(...)` (defined in sql/finalize.sql).
//!
//! Each returns one table's rows for a demo configuration; the simulation is
//! deterministic, so the order lines, stock and events of separate calls agree.

use crate::args::JsonArg;
use crate::error;
use cafe24_engine::demo::{DemoConfig, DemoMall};
use pgrx::prelude::*;

/// The demo mall of a configuration built by `generate_demo_data` as jsonb
/// (`{"seed", "shops", "products", "customers", "days", "start", "sessions_per_order"}`).
fn mall(config: JsonArg) -> DemoMall {
    DemoConfig::from_json(&config.parse("generate_demo_data", "config")).and_then(DemoMall::new).unwrap_or_else(|e| {
        error::invalid_argument(
            format!("generate_demo_data: {e}"),
            "Ranges: shops 1-100, products 1-1000000, customers 1-20000000, days 1-3660, sessions_per_order 0-50; \
             customers => 100000, days => 730 gives about a million order lines.",
        )
    })
}

#[pg_extern(immutable, parallel_safe, name = "_demo_shops")]
fn demo_shops(
    config: JsonArg,
) -> TableIterator<'static, (name!(shop_no, i32), name!(name, String), name!(timezone, String))> {
    let m = mall(config);
    TableIterator::new(m.shops.into_iter().map(|s| (s.shop_no, s.name, s.timezone.to_string())))
}

#[pg_extern(immutable, parallel_safe, name = "_demo_products")]
#[allow(clippy::type_complexity)]
fn demo_products(
    config: JsonArg,
) -> TableIterator<
    'static,
    (
        name!(product_id, i64),
        name!(product_no, i32),
        name!(product_code, String),
        name!(variant_code, String),
        name!(name, String),
        name!(category, String),
        name!(brand, String),
        name!(price, i64),
        name!(unit_cost, i64),
        name!(lead_time_days, i32),
    ),
> {
    let m = mall(config);
    TableIterator::new(m.products.into_iter().map(|p| {
        (
            p.product_id,
            p.product_no,
            p.product_code,
            p.variant_code,
            p.name,
            p.category.to_string(),
            p.brand.to_string(),
            p.price,
            p.unit_cost,
            p.lead_time_days,
        )
    }))
}

#[pg_extern(immutable, parallel_safe, name = "_demo_customers")]
fn demo_customers(
    config: JsonArg,
) -> TableIterator<
    'static,
    (name!(customer_id, i64), name!(member_id, String), name!(signed_up_epoch, i64), name!(region, String)),
> {
    let m = mall(config);
    TableIterator::new(
        m.customers.into_iter().map(|c| (c.customer_id, c.member_id, c.signed_up_at, c.region.to_string())),
    )
}

#[pg_extern(immutable, parallel_safe, name = "_demo_order_lines")]
#[allow(clippy::type_complexity)]
fn demo_order_lines(
    config: JsonArg,
) -> TableIterator<
    'static,
    (
        name!(order_id, String),
        name!(order_item_code, String),
        name!(shop_no, i32),
        name!(ordered_epoch, i64),
        name!(customer_id, Option<i64>),
        name!(product_id, i64),
        name!(quantity, i32),
        name!(unit_price, i64),
        name!(discount, i64),
        name!(unit_cost, i64),
        name!(status, String),
    ),
> {
    let sim = mall(config).simulate(false);
    TableIterator::new(sim.flat_map(|day| {
        pgrx::check_for_interrupts!();
        day.lines.into_iter().map(|l| {
            (
                l.order_id,
                l.order_item_code,
                l.shop_no,
                l.ordered_at,
                l.customer_id,
                l.product_id,
                l.quantity,
                l.unit_price,
                l.discount,
                l.unit_cost,
                l.status.to_string(),
            )
        })
    }))
}

#[pg_extern(immutable, parallel_safe, name = "_demo_inventory")]
fn demo_inventory(
    config: JsonArg,
) -> TableIterator<'static, (name!(day_offset, i32), name!(product_id, i64), name!(on_hand, i32), name!(on_order, i32))>
{
    let sim = mall(config).simulate(false);
    TableIterator::new(sim.flat_map(|day| {
        pgrx::check_for_interrupts!();
        let offset = day.day as i32;
        day.snapshots.into_iter().map(move |s| (offset, s.product_id, s.on_hand, s.on_order))
    }))
}

#[pg_extern(immutable, parallel_safe, name = "_demo_events")]
#[allow(clippy::type_complexity)]
fn demo_events(
    config: JsonArg,
) -> TableIterator<
    'static,
    (
        name!(session_id, i64),
        name!(customer_id, Option<i64>),
        name!(shop_no, i32),
        name!(product_id, i64),
        name!(event_type, String),
        name!(occurred_epoch, i64),
    ),
> {
    let sim = mall(config).simulate(true);
    TableIterator::new(sim.flat_map(|day| {
        pgrx::check_for_interrupts!();
        day.events
            .into_iter()
            .map(|e| (e.session_id, e.customer_id, e.shop_no, e.product_id, e.event_type.to_string(), e.occurred_at))
    }))
}
