//! Replays a daily demand series against an inventory policy, for
//! `cafe24.simulate_inventory_policy`.
//!
//! Each day t (0-based): (1) orders due on day t arrive; (2) the day's demand is served from
//! stock, what cannot be served is lost (no backorders) and the day counts as a stockout
//! day; (3) the end-of-day stock accrues holding cost; (4) the policy looks at the
//! inventory position (on hand + on order) and may order. An order placed on day t with a
//! lead time of L days arrives on day t + L + 1, before that day's demand, so demand of
//! exactly L days (t+1 … t+L) falls while it is on its way, as the reorder-point formula
//! assumes. Everything is deterministic: drawn lead times come from a seeded [`Rng`].

use super::demand::DemandBasis;
use super::events::EVENT_HISTORY_DAYS;
use super::recommend::{recommend, ProductInput};
pub use super::rule::Policy;
use super::{check, demand_value, non_negative, positive, InventoryError};
use crate::rng::Rng;

/// Window of the naive baseline, in days.
pub const NAIVE_WINDOW_DAYS: u32 = 30;

/// Lead time of each order.
#[derive(Clone, Debug, PartialEq)]
pub enum LeadTime {
    /// Every order takes this many days.
    Fixed(u32),
    /// Each order's lead time is max(0, round(mean + sd·N(0,1))) from a generator seeded
    /// with `seed`, drawn in the order the orders are placed.
    Drawn { mean_days: f64, sd_days: f64, seed: u64 },
}

/// Everything but the demand series.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    pub policy: Policy,
    pub lead_time: LeadTime,
    /// Demand before day 0, oldest first: what the naive and recommended rules see at the
    /// start. Not replayed.
    pub history: Vec<f64>,
    /// Stock at the start of day 0.
    pub on_hand: f64,
    /// Orders already placed: (day they arrive, before that day's demand; units).
    pub pipeline: Vec<(u32, f64)>,
    pub unit_cost: f64,
    /// Selling price; a lost unit costs its margin max(0, price − unit cost).
    pub price: f64,
    /// Holding cost per year as a share of unit cost, charged daily on end-of-day stock.
    pub holding_cost_rate: f64,
    pub order_cost: f64,
}

/// Outcome of a replay.
#[derive(Clone, Debug, PartialEq)]
pub struct SimResult {
    pub days: usize,
    pub demanded: f64,
    pub served: f64,
    pub lost: f64,
    /// Days with lost demand.
    pub stockout_days: usize,
    /// served / demanded; 1 when there was no demand.
    pub fill_rate: f64,
    /// Mean end-of-day stock, in units and at unit cost.
    pub avg_on_hand: f64,
    pub avg_on_hand_value: f64,
    pub orders: usize,
    pub units_ordered: f64,
    pub holding_cost: f64,
    pub ordering_cost: f64,
    /// Lost margin.
    pub shortage_cost: f64,
    pub total_cost: f64,
}

/// Replays `demand` (one value per day; negatives count as 0) under `config`. Errors name
/// the bad argument: `demand[i]`, `history[i]`, `on_hand`, `pipeline[i]`, `unit_cost`,
/// `price`, `holding_cost_rate`, `order_cost`, `reorder_point`, `order_qty`,
/// `order_up_to`, `review_days`, `window_days`, `replan_days`, `lead_time_mean_days`,
/// `lead_time_sd_days`, or those of [`recommend`] for a recommended policy.
pub fn simulate(demand: &[f64], config: &SimConfig) -> Result<SimResult, InventoryError> {
    let clean = |name: &str, series: &[f64]| {
        series.iter().enumerate().map(|(i, v)| demand_value(name, i, *v)).collect::<Result<Vec<f64>, _>>()
    };
    // Known demand: history, then the replayed days; day t is `known[start + t]`.
    let mut known = clean("history", &config.history)?;
    let start = known.len();
    known.extend(clean("demand", demand)?);
    let (lead_mean, lead_sd, mut rng) = match config.lead_time {
        LeadTime::Fixed(days) => (days as f64, 0.0, Rng::new(0)),
        LeadTime::Drawn { mean_days, sd_days, seed } => (
            non_negative("lead_time_mean_days", mean_days)?,
            non_negative("lead_time_sd_days", sd_days)?,
            Rng::new(seed),
        ),
    };
    let mut next_lead = || match config.lead_time {
        LeadTime::Fixed(days) => days as usize,
        LeadTime::Drawn { .. } => (lead_mean + lead_sd * rng.normal()).round().max(0.0) as usize,
    };
    let unit_cost = positive("unit_cost", config.unit_cost)?;
    let margin = (non_negative("price", config.price)? - unit_cost).max(0.0);
    let daily_holding = non_negative("holding_cost_rate", config.holding_cost_rate)? * unit_cost / 365.0;
    let order_cost = non_negative("order_cost", config.order_cost)?;
    let mut on_hand = non_negative("on_hand", config.on_hand)?;
    let mut pipeline = Vec::with_capacity(config.pipeline.len());
    for (i, (day, units)) in config.pipeline.iter().enumerate() {
        pipeline.push((*day as usize, non_negative(&format!("pipeline[{i}]"), *units)?));
    }
    validate_policy(&config.policy)?;
    let plan = |seen: &[f64]| -> Result<Policy, InventoryError> {
        let Policy::Recommended { params, window_days, basis, .. } = &config.policy else {
            return Ok(config.policy.clone());
        };
        // An events basis names the day before day 0 and which days of `history` ended out
        // of stock; it learns from up to EVENT_HISTORY_DAYS days before the plan (replayed
        // days are known demand).
        let basis = match basis {
            DemandBasis::Events { last_day, stocked_out, .. } => {
                let from = seen.len().saturating_sub(EVENT_HISTORY_DAYS);
                DemandBasis::Events {
                    last_day: *last_day + chrono::Duration::days((seen.len() - start) as i64),
                    history: seen[from..].to_vec(),
                    stocked_out: (from..seen.len()).map(|i| stocked_out.get(i).copied().unwrap_or(false)).collect(),
                }
            }
            other => other.clone(),
        };
        let product = ProductInput {
            history: seen[seen.len().saturating_sub(*window_days as usize)..].to_vec(),
            basis,
            unit_cost,
            lead_time_days: lead_mean,
            lead_time_sd_days: lead_sd,
            on_hand: 0.0,
            on_order: 0.0,
        };
        Ok(recommend(&product, params)?.policy())
    };
    let mut rule = plan(&known[..start])?;

    let mut r = SimResult {
        days: demand.len(),
        demanded: 0.0,
        served: 0.0,
        lost: 0.0,
        stockout_days: 0,
        fill_rate: 1.0,
        avg_on_hand: 0.0,
        avg_on_hand_value: 0.0,
        orders: 0,
        units_ordered: 0.0,
        holding_cost: 0.0,
        ordering_cost: 0.0,
        shortage_cost: 0.0,
        total_cost: 0.0,
    };
    let mut stock_days = 0.0;
    for t in 0..demand.len() {
        let want = known[start + t];
        pipeline.retain(|&(day, units)| {
            if day <= t {
                on_hand += units;
            }
            day > t
        });
        let served = want.min(on_hand);
        on_hand -= served;
        r.demanded += want;
        r.served += served;
        if want > served {
            r.lost += want - served;
            r.stockout_days += 1;
        }
        stock_days += on_hand;

        let seen = &known[..=start + t];
        if let Policy::Recommended { replan_days, .. } = config.policy {
            if (t + 1).is_multiple_of(replan_days as usize) {
                rule = plan(seen)?;
            }
        }
        let position = on_hand + pipeline.iter().map(|(_, u)| u).sum::<f64>();
        let qty = order_size(&rule, t, position, seen);
        if qty > 0.0 {
            pipeline.push((t + next_lead() + 1, qty));
            r.orders += 1;
            r.units_ordered += qty;
        }
    }
    if r.days > 0 {
        r.avg_on_hand = stock_days / r.days as f64;
    }
    if r.demanded > 0.0 {
        r.fill_rate = r.served / r.demanded;
    }
    r.avg_on_hand_value = r.avg_on_hand * unit_cost;
    r.holding_cost = stock_days * daily_holding;
    r.ordering_cost = r.orders as f64 * order_cost;
    r.shortage_cost = r.lost * margin;
    r.total_cost = r.holding_cost + r.ordering_cost + r.shortage_cost;
    Ok(r)
}

fn validate_policy(policy: &Policy) -> Result<(), InventoryError> {
    let at_least_one = |name: &str, v: u32| {
        if v == 0 {
            Err(InventoryError { argument: name.into(), value: 0.0, allowed: "allowed 1 or more" })
        } else {
            Ok(())
        }
    };
    match *policy {
        Policy::ContinuousSQ { reorder_point, order_qty } => {
            non_negative("reorder_point", reorder_point)?;
            positive("order_qty", order_qty)?;
        }
        Policy::MinMax { reorder_point, order_up_to } => {
            non_negative("reorder_point", reorder_point)?;
            check("order_up_to", order_up_to, order_up_to >= reorder_point, "allowed from reorder_point up")?;
        }
        Policy::Periodic { review_days, order_up_to } => {
            at_least_one("review_days", review_days)?;
            non_negative("order_up_to", order_up_to)?;
        }
        Policy::Naive { window_days } => at_least_one("window_days", window_days)?,
        Policy::Recommended { window_days, replan_days, .. } => {
            at_least_one("window_days", window_days)?;
            at_least_one("replan_days", replan_days)?;
        }
    }
    Ok(())
}

/// Units a (planned) rule orders at the end of day `t`, given the position and the demand
/// known so far (`seen`, ending with day t).
fn order_size(rule: &Policy, t: usize, position: f64, seen: &[f64]) -> f64 {
    match *rule {
        Policy::ContinuousSQ { reorder_point, order_qty } if position <= reorder_point => {
            (((reorder_point - position) / order_qty).floor() + 1.0) * order_qty
        }
        Policy::MinMax { reorder_point, order_up_to } => {
            super::policy::order_quantity(position, reorder_point, order_up_to)
        }
        Policy::Periodic { review_days, order_up_to } if t.is_multiple_of(review_days as usize) => {
            (order_up_to - position).max(0.0)
        }
        Policy::Naive { window_days } => {
            let w = window_days as usize;
            let recent = &seen[seen.len().saturating_sub(w)..];
            let need = recent.iter().sum::<f64>() * w as f64 / recent.len() as f64;
            if position < need {
                need
            } else {
                0.0
            }
        }
        // Not yet triggered, or never planned as such (a recommended rule is always planned).
        Policy::ContinuousSQ { .. } | Policy::Periodic { .. } | Policy::Recommended { .. } => 0.0,
    }
}
