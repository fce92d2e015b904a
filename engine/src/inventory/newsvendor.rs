//! Newsvendor order quantity for one-shot or seasonal items: order once, sell during the
//! season, what is left over is worth less than it cost.

use super::{demand_value, non_negative, normal, positive, InventoryError};

/// Critical ratio Cu / (Cu + Co): the optimal probability of not running out, for an
/// underage cost Cu (margin lost per unit short) and an overage cost Co (cost minus salvage
/// per unit left over). Both must be above 0; errors name `underage_cost`, `overage_cost`.
pub fn critical_ratio(underage_cost: f64, overage_cost: f64) -> Result<f64, InventoryError> {
    let cu = positive("underage_cost", underage_cost)?;
    let co = positive("overage_cost", overage_cost)?;
    Ok(cu / (cu + co))
}

/// Optimal quantity for normally distributed season demand: mean + Φ⁻¹(Cu/(Cu+Co))·sd,
/// never below 0. Errors name `demand_mean`, `demand_sd` or a cost.
pub fn newsvendor_normal(mean: f64, sd: f64, underage_cost: f64, overage_cost: f64) -> Result<f64, InventoryError> {
    let mean = non_negative("demand_mean", mean)?;
    let sd = non_negative("demand_sd", sd)?;
    let ratio = critical_ratio(underage_cost, overage_cost)?;
    Ok((mean + normal::quantile(ratio) * sd).max(0.0))
}

/// Optimal quantity for the empirical distribution of observed season demands: the
/// smallest observation x with F̂(x) ≥ Cu/(Cu+Co), i.e. the ⌈ratio·n⌉-th smallest of n.
/// Negative observations count as 0; NaN is an error naming `demand[i]`; no observations
/// give 0.
pub fn newsvendor_empirical(observed: &[f64], underage_cost: f64, overage_cost: f64) -> Result<f64, InventoryError> {
    let ratio = critical_ratio(underage_cost, overage_cost)?;
    let mut sorted =
        observed.iter().enumerate().map(|(i, v)| demand_value("demand", i, *v)).collect::<Result<Vec<f64>, _>>()?;
    if sorted.is_empty() {
        return Ok(0.0);
    }
    sorted.sort_by(f64::total_cmp);
    let k = (ratio * sorted.len() as f64 - 1e-9).ceil().max(1.0) as usize;
    Ok(sorted[k.min(sorted.len()) - 1])
}
