//! One product's recommendation for `cafe24.optimize_inventory`.

use super::demand::{lead_time_demand, DemandBasis, DemandStats};
use super::policy::{self, short};
use super::rule::Policy;
pub use super::rule::PolicyParams;
use super::{non_negative, positive, InventoryError, MIN_DAILY_DEMAND};

/// What the SQL layer knows about one product.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductInput {
    /// Daily demand, oldest first, one value per day (0 for days without sales).
    pub history: Vec<f64>,
    /// Whether d and σ_d come from `history` or from a forecast.
    pub basis: DemandBasis,
    pub unit_cost: f64,
    /// Mean and standard deviation of the supplier lead time, in days.
    pub lead_time_days: f64,
    pub lead_time_sd_days: f64,
    pub on_hand: f64,
    pub on_order: f64,
}

/// The recommendation for one product. Levels and quantities are whole units (reorder point
/// and order-up-to level rounded up, EOQ to the nearest unit); statistics are unrounded.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    /// d: mean demand per day used for planning (history or forecast).
    pub daily_demand: f64,
    /// σ_d: its standard deviation per day (history) or the forecast RMSE.
    pub demand_sd: f64,
    /// Coefficient of variation of the *history* (for XYZ); `None` without past demand.
    pub demand_cv: Option<f64>,
    /// Sales on few days (see [`DemandStats::intermittent`]).
    pub intermittent: bool,
    /// Mean demand over the lead time, d·L.
    pub lead_time_demand: f64,
    /// Protects the lead time (continuous review) or review period plus lead time (periodic).
    pub safety_stock: f64,
    /// Order when the position is at or below this. Periodic review orders at every review,
    /// so there it equals `order_up_to`.
    pub reorder_point: f64,
    /// At least one unit and one day of demand; 0 without demand.
    pub eoq: f64,
    /// S: reorder point + EOQ (continuous) or d·(R+L) + safety stock (periodic). Stock above
    /// it is excess.
    pub order_up_to: f64,
    pub review_period_days: Option<u32>,
    /// Inventory position: on hand + on order.
    pub position: f64,
    /// Quantity to order now: S − position when the position is at or below the reorder
    /// point, else 0.
    pub order_qty: f64,
    /// On hand / d; `None` without demand.
    pub days_of_cover: Option<f64>,
    /// Probability that demand over the lead time exceeds the current position, i.e. a
    /// stockout before an order placed today could arrive.
    pub stockout_risk: f64,
    /// Position above `order_up_to`, in units and at unit cost.
    pub excess_units: f64,
    pub excess_value: f64,
    /// One line in words, e.g. "order 120 now: position 35 is below reorder point 80
    /// (lead time 7 d, 95% service)".
    pub reason: String,
}

impl Recommendation {
    /// The recommended rule as a simulator policy.
    pub fn policy(&self) -> Policy {
        match self.review_period_days {
            None => Policy::MinMax { reorder_point: self.reorder_point, order_up_to: self.order_up_to },
            Some(r) => Policy::Periodic { review_days: r, order_up_to: self.order_up_to },
        }
    }
}

/// Computes a product's recommendation. Errors name the bad argument: `service_level`,
/// `fill_rate`, `review_period_days`, `holding_cost_rate`, `order_cost`, `unit_cost`,
/// `lead_time_days`, `lead_time_sd_days`, `on_hand`, `on_order`, `demand[i]`,
/// `forecast_mean`, `forecast_rmse`.
///
/// Without demand (d below [`MIN_DAILY_DEMAND`]): safety stock, reorder point, EOQ,
/// order-up-to level and order are 0, no days of cover, no stockout risk, the whole
/// position is excess, and the reason says why.
pub fn recommend(product: &ProductInput, params: &PolicyParams) -> Result<Recommendation, InventoryError> {
    let target = params.service.validate()?;
    let h = positive("holding_cost_rate", params.holding_cost_rate)?;
    let k = non_negative("order_cost", params.order_cost)?;
    let review = match params.review_period_days {
        Some(0) => {
            return Err(InventoryError {
                argument: "review_period_days".into(),
                value: 0.0,
                allowed: "allowed 1 or more",
            })
        }
        r => r,
    };
    let unit_cost = positive("unit_cost", product.unit_cost)?;
    let lead = non_negative("lead_time_days", product.lead_time_days)?;
    let lead_sd = non_negative("lead_time_sd_days", product.lead_time_sd_days)?;
    let position = non_negative("on_hand", product.on_hand)? + non_negative("on_order", product.on_order)?;
    let stats = DemandStats::from_history(&product.history)?;
    // The days an order must cover: the lead time, plus the review period.
    let cover = (lead.ceil() as usize + review.unwrap_or(0) as usize).max(1);
    let (d, sd) = product.basis.rate(&stats, cover)?;
    let lead_demand = lead_time_demand(d, sd, lead, lead_sd);
    let has_demand = d >= MIN_DAILY_DEMAND;

    let (safety_stock, reorder_point, eoq, order_up_to) = if !has_demand {
        (0.0, 0.0, 0.0, 0.0)
    } else {
        let eoq = policy::eoq(d * 365.0, k, h, unit_cost)?.max(d).round().max(1.0);
        match review {
            None => {
                let s = policy::reorder_point(d, sd, lead, lead_sd, target, eoq)?;
                let rop = whole_up(s.level);
                (s.safety_stock, rop, eoq, rop + eoq)
            }
            Some(r) => {
                let s = policy::order_up_to_level(d, sd, r as f64, lead, lead_sd, target)?;
                let big_s = whole_up(s.level);
                (s.safety_stock, big_s, eoq, big_s)
            }
        }
    };
    let order_qty = whole_up(policy::order_quantity(position, reorder_point, order_up_to));
    let excess_units = (position - order_up_to).max(0.0);

    let mut reason = if !has_demand {
        match (&product.basis, stats.days) {
            (DemandBasis::Forecast { .. }, _) => "no order: the forecast expects no demand".to_string(),
            (_, 0) => "no order: no sales history".to_string(),
            (_, n) => format!("no order: no demand in the last {n} days"),
        }
    } else {
        let lead_text = if lead_sd > 0.0 {
            format!("lead time {} ± {} d", short(lead), short(lead_sd))
        } else {
            format!("lead time {} d", short(lead))
        };
        let (level_name, context) = match review {
            None => ("reorder point", format!("{lead_text}, {}", target.label())),
            Some(r) => ("order-up-to level", format!("review every {r} d, {lead_text}, {}", target.label())),
        };
        let relation = if order_qty > 0.0 {
            if position < reorder_point {
                "is below"
            } else {
                "is at"
            }
        } else if review.is_some() {
            "is at or above"
        } else {
            "is above"
        };
        let action = if order_qty > 0.0 { format!("order {} now", short(order_qty)) } else { "no order".to_string() };
        format!("{action}: position {} {relation} {level_name} {} ({context})", short(position), short(reorder_point))
    };
    if excess_units > 0.0 {
        if order_up_to == 0.0 {
            reason += &format!("; all {} units in stock and on order are excess", short(excess_units));
        } else {
            reason += &format!("; {} units above the maximum {} are excess", short(excess_units), short(order_up_to));
        }
    }
    if stats.intermittent() && has_demand {
        reason += &format!("; intermittent demand (sales on {} of {} days)", stats.demand_days, stats.days);
    }

    Ok(Recommendation {
        daily_demand: d,
        demand_sd: sd,
        demand_cv: stats.cv(),
        intermittent: stats.intermittent(),
        lead_time_demand: lead_demand.mean,
        safety_stock,
        reorder_point,
        eoq,
        order_up_to,
        review_period_days: review,
        position,
        order_qty,
        days_of_cover: policy::days_of_cover(product.on_hand, d),
        stockout_risk: if has_demand { policy::stockout_risk(position, lead_demand) } else { 0.0 },
        excess_units,
        excess_value: excess_units * unit_cost,
        reason,
    })
}

/// Rounds up to whole units, ignoring floating-point noise just above an integer.
fn whole_up(x: f64) -> f64 {
    (x - 1e-9).ceil().max(0.0)
}
