//! The ordering rules the simulator replays and a recommendation turns into
//! ([`Policy`]), and the settings of a recommendation ([`PolicyParams`]): below both
//! [`recommend`](super::recommend) and [`simulate`](super::simulate), so that neither
//! imports the other's types back.

use super::demand::DemandBasis;
use super::policy::ServiceTarget;

/// Settings shared by all products of one call.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyParams {
    pub service: ServiceTarget,
    /// `None`: continuous review, an (s, S) rule with s = reorder point, S = s + EOQ.
    /// `Some(R)`: periodic review every R days, order up to S; today is a review day.
    pub review_period_days: Option<u32>,
    /// Holding cost per year as a share of unit cost (e.g. 0.25).
    pub holding_cost_rate: f64,
    /// Fixed cost of placing one order.
    pub order_cost: f64,
}

/// An ordering rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Policy {
    /// Continuous review (s, Q): when the position is at or below s, order the smallest
    /// multiple of Q that lifts it above s.
    ContinuousSQ { reorder_point: f64, order_qty: f64 },
    /// Continuous review (s, S): when the position is at or below s, order up to S.
    MinMax { reorder_point: f64, order_up_to: f64 },
    /// Periodic review (R, S): on days 0, R, 2R, …, order up to S when below it.
    Periodic { review_days: u32, order_up_to: f64 },
    /// What a merchant without a model does: when the position falls below the last
    /// `window_days` days' demand, order that much again. While fewer days are known (history
    /// included), the known days are scaled up to the window. Demand, not sales, is summed,
    /// so a stockout does not stop reordering.
    Naive { window_days: u32 },
    /// Follows [`recommend`](super::recommend::recommend) as a shop would: the rule it recommends from the last
    /// `window_days` days of demand (history included), planned before day 0 and again at
    /// the end of every `replan_days`-th day, with the simulation's unit cost and lead time
    /// (mean and spread), demand taken on `basis` (an events basis names the last day of
    /// the history and, in `stocked_out`, which of the history's days ended out of stock;
    /// each plan moves it to its own day). Without known demand it orders nothing until the
    /// next plan.
    Recommended { params: PolicyParams, window_days: u32, replan_days: u32, basis: DemandBasis },
}
