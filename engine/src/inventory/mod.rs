//! Inventory policy math and a policy simulator, behind `cafe24.optimize_inventory` and
//! `cafe24.simulate_inventory_policy`.
//!
//! Units throughout: demand in units per day, lead times and review periods in days, money
//! in the shop's currency, the holding cost rate per year (a share of unit cost).
//!
//! - [`normal`]: standard normal pdf, cdf, quantile and loss function G(z) with its inverse.
//! - [`demand`]: daily demand statistics from a history or a forecast, and lead-time demand.
//! - [`events`]: daily demand with Korean retail events planned ahead.
//! - [`policy`]: safety stock (cycle service level or fill rate), reorder point, EOQ,
//!   order-up-to levels, quantity to order, days of cover, stockout risk.
//! - [`rule`]: the ordering rules (simulator policies) and a recommendation's settings,
//!   below both [`recommend`] and [`simulate`].
//! - [`recommend`]: one product's whole recommendation, with a reason in words.
//! - [`classify`]: ABC (revenue share) and XYZ (demand variability) classes.
//! - [`newsvendor`]: order quantity for one-shot or seasonal items.
//! - [`smoothing`]: exponential smoothing of daily demand.
//! - [`simulate`]: replays a daily demand series against a policy (lost sales).
//!
//! Edge cases, everywhere: negative demand (returns) counts as zero demand; a daily demand
//! below [`MIN_DAILY_DEMAND`] counts as no demand (zero safety stock, EOQ and order, no
//! days of cover); NaN, infinite or out-of-range arguments are an [`InventoryError`] that
//! names the argument and its value, never a NaN or infinite result.

use std::fmt;

pub mod classify;
pub mod demand;
pub mod events;
pub mod newsvendor;
pub(crate) use crate::stats::normal;
pub mod policy;
pub mod recommend;
pub mod rule;
pub mod simulate;
pub mod smoothing;

/// Daily demand below this (units per day) is treated as no demand at all.
pub const MIN_DAILY_DEMAND: f64 = 1e-9;

/// An argument outside its allowed range.
#[derive(Clone, Debug, PartialEq)]
pub struct InventoryError {
    /// The argument's name as the SQL caller spells it, e.g. `service_level` or `demand[3]`.
    pub argument: String,
    pub value: f64,
    /// What is allowed, e.g. `allowed strictly between 0 and 1`.
    pub allowed: &'static str,
}

impl fmt::Display for InventoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {} is out of range: {}", self.argument, self.value, self.allowed)
    }
}

impl std::error::Error for InventoryError {}

/// `value` if `ok(value)` holds (and it is finite), otherwise an error naming `argument`.
fn check(argument: &str, value: f64, ok: bool, allowed: &'static str) -> Result<f64, InventoryError> {
    if ok && value.is_finite() {
        Ok(value)
    } else {
        Err(InventoryError { argument: argument.to_string(), value, allowed })
    }
}

/// A probability strictly between 0 and 1 (service levels, fill rates, shares).
fn probability(argument: &str, value: f64) -> Result<f64, InventoryError> {
    check(argument, value, value > 0.0 && value < 1.0, "allowed strictly between 0 and 1")
}

/// A finite value of at least zero (quantities, costs, lead times).
fn non_negative(argument: &str, value: f64) -> Result<f64, InventoryError> {
    check(argument, value, value >= 0.0, "allowed 0 or more")
}

/// A finite value above zero (unit cost, holding cost rate).
fn positive(argument: &str, value: f64) -> Result<f64, InventoryError> {
    check(argument, value, value > 0.0, "allowed above 0")
}

/// One element of a demand series: NaN or infinite is an error naming `name[i]`; negative
/// values (returns exceeding sales) become 0.
fn demand_value(name: &str, i: usize, value: f64) -> Result<f64, InventoryError> {
    if value.is_finite() {
        Ok(value.max(0.0))
    } else {
        Err(InventoryError {
            argument: format!("{name}[{i}]"),
            value,
            allowed: "allowed any finite number (negatives count as 0)",
        })
    }
}

#[cfg(test)]
mod tests;
