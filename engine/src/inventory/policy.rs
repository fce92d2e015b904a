//! Policy building blocks: safety stock, reorder point, EOQ, order-up-to level, quantity to
//! order, days of cover and stockout risk. All quantities are unrounded.

use super::demand::{lead_time_demand, LeadTimeDemand};
use super::{non_negative, normal, positive, probability, InventoryError, MIN_DAILY_DEMAND};

/// What safety stock protects.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ServiceTarget {
    /// Cycle service level α: probability of no stockout in a replenishment cycle.
    CycleServiceLevel(f64),
    /// Fill rate β: share of demand served from stock.
    FillRate(f64),
}

impl ServiceTarget {
    /// The target itself, or an error naming `service_level` or `fill_rate` when it is not
    /// strictly between 0 and 1.
    pub fn validate(self) -> Result<Self, InventoryError> {
        match self {
            ServiceTarget::CycleServiceLevel(a) => {
                probability("service_level", a).map(ServiceTarget::CycleServiceLevel)
            }
            ServiceTarget::FillRate(b) => probability("fill_rate", b).map(ServiceTarget::FillRate),
        }
    }

    /// Words for reason texts: "95% service" or "99.9% fill rate" (percent to 2 decimals).
    pub fn label(self) -> String {
        let percent = |p: f64| (p * 10_000.0).round() / 100.0;
        match self {
            ServiceTarget::CycleServiceLevel(a) => format!("{}% service", percent(a)),
            ServiceTarget::FillRate(b) => format!("{}% fill rate", percent(b)),
        }
    }
}

/// Safety factor z for a target, given the standard deviation σ of demand over the
/// protection interval and the expected order size Q:
/// - cycle service level α: z = Φ⁻¹(α);
/// - fill rate β: the z with σ·G(z) = (1 − β)·Q, i.e. expected shortage per cycle equals
///   the allowed share of an order (Silver, Pyke & Peterson, *Inventory Management and
///   Production Planning and Scheduling*, 3rd ed., §7.7.5). With σ = 0 or Q = 0 there is
///   nothing to protect and z = 0.
pub fn safety_factor(target: ServiceTarget, sigma: f64, order_qty: f64) -> Result<f64, InventoryError> {
    let sigma = non_negative("demand_sd", sigma)?;
    let order_qty = non_negative("order_quantity", order_qty)?;
    Ok(match target.validate()? {
        ServiceTarget::CycleServiceLevel(a) => normal::quantile(a),
        ServiceTarget::FillRate(_) if sigma == 0.0 || order_qty == 0.0 => 0.0,
        ServiceTarget::FillRate(b) => normal::inverse_loss((1.0 - b) * order_qty / sigma),
    })
}

/// A stock level that covers demand over a protection interval at a service target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Level {
    /// Demand over the protection interval.
    pub demand: LeadTimeDemand,
    /// max(0, z·σ): never negative, so a target below 50% cycle service, or a fill rate
    /// the order size alone achieves, gives zero safety stock.
    pub safety_stock: f64,
    /// Mean demand over the interval plus safety stock.
    pub level: f64,
}

/// Reorder point s of continuous review: covers demand over the lead time
/// (mean `lead_days`, standard deviation `lead_sd_days`) with daily demand of mean d and
/// standard deviation σ_d; `order_qty` is the lot size Q a fill-rate target refers to.
pub fn reorder_point(
    daily_mean: f64,
    daily_sd: f64,
    lead_days: f64,
    lead_sd_days: f64,
    target: ServiceTarget,
    order_qty: f64,
) -> Result<Level, InventoryError> {
    protect(daily_mean, daily_sd, lead_days, lead_sd_days, target, order_qty)
}

/// Order-up-to level S of periodic (R, S) review: covers demand over R + L,
/// S = d·(R + L) + z·√((R + L)·σ_d² + d²·σ_L²); a fill-rate target refers to the expected
/// order size d·R.
pub fn order_up_to_level(
    daily_mean: f64,
    daily_sd: f64,
    review_days: f64,
    lead_days: f64,
    lead_sd_days: f64,
    target: ServiceTarget,
) -> Result<Level, InventoryError> {
    let review_days = positive("review_period_days", review_days)?;
    let days = review_days + non_negative("lead_time_days", lead_days)?;
    protect(daily_mean, daily_sd, days, lead_sd_days, target, daily_mean * review_days)
}

fn protect(
    daily_mean: f64,
    daily_sd: f64,
    days: f64,
    days_sd: f64,
    target: ServiceTarget,
    order_qty: f64,
) -> Result<Level, InventoryError> {
    let demand = lead_time_demand(
        non_negative("daily_demand", daily_mean)?,
        non_negative("demand_sd", daily_sd)?,
        non_negative("lead_time_days", days)?,
        non_negative("lead_time_sd_days", days_sd)?,
    );
    let z = safety_factor(target, demand.sd, order_qty)?;
    let safety_stock = if daily_mean < MIN_DAILY_DEMAND { 0.0 } else { (z * demand.sd).max(0.0) };
    Ok(Level { demand, safety_stock, level: demand.mean + safety_stock })
}

/// Economic order quantity √(2·D·K / (h·c)) for annual demand D, order cost K per order,
/// holding cost rate h per year and unit cost c. Zero demand or zero order cost give 0.
pub fn eoq(annual_demand: f64, order_cost: f64, holding_cost_rate: f64, unit_cost: f64) -> Result<f64, InventoryError> {
    let d = non_negative("annual_demand", annual_demand)?;
    let k = non_negative("order_cost", order_cost)?;
    let h = positive("holding_cost_rate", holding_cost_rate)?;
    let c = positive("unit_cost", unit_cost)?;
    Ok((2.0 * d * k / (h * c)).sqrt())
}

/// Quantity to order now under an (s, S) rule: S − position when the inventory position
/// (on hand + on order) is at or below s, else 0. Periodic review at a review day is the
/// case s = S.
pub fn order_quantity(position: f64, reorder_point: f64, order_up_to: f64) -> f64 {
    if position <= reorder_point {
        (order_up_to - position).max(0.0)
    } else {
        0.0
    }
}

/// Days the stock on hand lasts at the daily demand rate; `None` without demand.
pub fn days_of_cover(on_hand: f64, daily_mean: f64) -> Option<f64> {
    (daily_mean >= MIN_DAILY_DEMAND).then(|| on_hand.max(0.0) / daily_mean)
}

/// Probability that demand before the next replenishment can arrive exceeds the inventory
/// position (normal approximation): 1 − Φ((position − mean)/sd); with sd = 0 it is 1 when
/// the mean exceeds the position, else 0.
pub fn stockout_risk(position: f64, demand: LeadTimeDemand) -> f64 {
    if demand.sd > 0.0 {
        normal::upper_tail((position - demand.mean) / demand.sd)
    } else if demand.mean > position {
        1.0
    } else {
        0.0
    }
}

/// A number rounded to one decimal, without trailing zeros: 7, 3.5.
pub(crate) fn short(x: f64) -> String {
    format!("{}", (x * 10.0).round() / 10.0)
}
