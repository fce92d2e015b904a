//! `cafe24._shop_grants()` and `cafe24._all_shops_granted()`: what `cafe24.shop_access` gives
//! the current role, for the per-shop policies. On one node each policy calls them once per
//! query (an InitPlan); on Citus, which refuses subqueries in policies, the policy calls them
//! for every row of every shard query, so the answer is kept for the rest of the statement
//! (a STABLE function's promise): one read of shop_access per statement, not per row.

use pgrx::prelude::*;
use std::cell::RefCell;

/// What identifies one statement of one role: the transaction's and the statement's start,
/// the command within the transaction (a write to shop_access moves it) and the role.
#[derive(Clone, Copy, PartialEq)]
struct Statement {
    transaction: i64,
    statement: i64,
    command: u32,
    role: pg_sys::Oid,
}

#[derive(Clone)]
struct Grants {
    every_shop: bool,
    shops: Option<Vec<i32>>,
}

thread_local! {
    static LAST: RefCell<Option<(Statement, Grants)>> = const { RefCell::new(None) };
}

fn current() -> Statement {
    unsafe {
        Statement {
            transaction: pg_sys::GetCurrentTransactionStartTimestamp(),
            statement: pg_sys::GetCurrentStatementStartTimestamp(),
            command: pg_sys::GetCurrentCommandId(false),
            role: pg_sys::GetUserId(),
        }
    }
}

fn grants() -> Grants {
    let now = current();
    if let Some(g) = LAST.with(|l| l.borrow().as_ref().filter(|(s, _)| *s == now).map(|(_, g)| g.clone())) {
        return g;
    }
    // The table, or the node's copy of it on Citus (cafe24._shop_access_rel); the role reads
    // only its own rows of it (policy shop_access_own).
    let rel = Spi::get_one::<String>("SELECT cafe24._shop_access_rel()")
        .ok()
        .flatten()
        .unwrap_or_else(|| "cafe24.shop_access".into());
    let (every_shop, shops) = Spi::get_two::<bool, Vec<i32>>(&format!(
        "SELECT EXISTS (SELECT FROM {rel} AS a WHERE a.shop_no IS NULL),
                (SELECT pg_catalog.array_agg(a.shop_no) FROM {rel} AS a WHERE a.shop_no IS NOT NULL)"
    ))
    .unwrap_or_else(|e| pgrx::error!("cafe24.shop_access: {e}"));
    let g = Grants { every_shop: every_shop.unwrap_or(false), shops };
    LAST.with(|l| *l.borrow_mut() = Some((now, g.clone())));
    g
}

#[pg_extern(stable, parallel_safe, name = "_shop_grants")]
#[search_path(pg_catalog, pg_temp)]
fn shop_grants() -> Option<Vec<i32>> {
    grants().shops
}

#[pg_extern(stable, parallel_safe, name = "_all_shops_granted")]
#[search_path(pg_catalog, pg_temp)]
fn all_shops_granted() -> bool {
    grants().every_shop
}
