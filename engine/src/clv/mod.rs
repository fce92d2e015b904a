//! Customer lifetime value: BG/NBD for the number of future purchases, Gamma-Gamma for
//! their value.
//!
//! Input is one [`RepeatSummary`] per customer (usually from a
//! [`CustomerSummary`], times in days); output keeps the
//! input order.
//!
//! **CLV formula.** The horizon H (days) is cut into months of 365.25/12 = 30.4375 days,
//! the last one possibly shorter; with tᵢ = min(i · 30.4375, H) and E(t) the BG/NBD expected
//! purchases in (T, T + t],
//!
//! ```text
//! CLV = margin · E[M] · Σᵢ (E(tᵢ) − E(tᵢ₋₁)) · (1 + d)^(−tᵢ / 365.25)
//! ```
//!
//! where `E[M]` is the Gamma-Gamma expected order value and d the annual discount rate:
//! each month's purchases are discounted from the month's end. (With d = (1 + m)¹² − 1 this
//! is the monthly-discounted CLV of the Python `lifetimes` package at monthly rate m.)
//!
//! Customers with a single purchase (x = 0) are handled as the models prescribe: they are
//! alive with probability 1, their expected purchases follow from T alone, they do not
//! inform the Gamma-Gamma fit and their expected order value is the population mean.
//!
//! **Scale.** The BG/NBD likelihood is evaluated over the distinct (x, t_x, T) triples
//! with their multiplicities (times come from whole purchase days, so they repeat
//! heavily), the Gamma-Gamma likelihood from sums made once plus one logarithm per
//! customer; both fits use all customers. Each customer's forecast is P(alive) times a
//! factor that depends on (x, T) only, computed once per distinct (x, T).
//!
//! **Cancellation.** [`customer_lifetime_value`] and [`evaluate`] (and
//! [`BgNbd::fit_with_cancel`], [`GammaGamma::fit_with_cancel`]) poll a
//! `cancel: &AtomicBool` every few thousand customers and at every optimizer step, and
//! return [`ArgError::cancelled`] (argument `cancel`, problem `cancelled`) once it is set.
//! `done` counts the customers whose forecast is finished (it reaches the number of
//! customers at the end; it stays 0 while the models are fitted).

mod bgnbd;
mod gamma_gamma;
mod optimize;

pub use bgnbd::BgNbd;
pub use gamma_gamma::GammaGamma;

use crate::segment::{check_cancel, ArgError, CustomerSummary};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Customers between two looks at the cancel flag.
const CHUNK: usize = 4_096;

/// Days per month in the CLV sum.
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// What the models see of one customer, in one time unit (days in this crate's API).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RepeatSummary {
    /// Repeat purchases: purchases after the first.
    pub x: i64,
    /// Time from the first to the last purchase (0 when x = 0).
    pub t_x: f64,
    /// Time from the first purchase to the end of observation (the paper's T).
    pub age: f64,
    /// Mean amount per purchase, for Gamma-Gamma. The paper uses the mean of the repeat
    /// purchases; the mean over all purchases is the usual stand-in when only that is kept.
    pub monetary: f64,
}

impl RepeatSummary {
    /// x = purchases − 1, t_x = last − first (0 when x = 0: several orders on one purchase
    /// day count as one), T = observation end − first, monetary = mean amount.
    pub fn from_customer(c: &CustomerSummary) -> RepeatSummary {
        let x = c.purchases - 1;
        RepeatSummary {
            x,
            t_x: if x == 0 { 0.0 } else { c.last_purchase - c.first_purchase },
            age: c.observation_end - c.first_purchase,
            monetary: c.mean_amount,
        }
    }

    fn check(&self, index: usize) -> Result<(), ArgError> {
        let field = |name: &str| format!("customers[{index}].{name}");
        if self.x < 0 {
            return Err(ArgError::new(field("x"), self.x, "must not be negative"));
        }
        for (name, v) in [("t_x", self.t_x), ("age", self.age), ("monetary", self.monetary)] {
            if !v.is_finite() {
                return Err(ArgError::new(field(name), v, "must be a finite number"));
            }
        }
        if self.t_x < 0.0 || self.t_x > self.age {
            return Err(ArgError::new(field("t_x"), self.t_x, format!("must be between 0 and age ({})", self.age)));
        }
        Ok(())
    }
}

/// Checks every customer; an empty input is an error too.
fn check_all(data: &[RepeatSummary], cancel: &AtomicBool) -> Result<(), ArgError> {
    check_cancel(cancel)?;
    if data.is_empty() {
        return Err(ArgError::new("customers", "(empty)", "at least one customer is needed"));
    }
    for (start, chunk) in (0..data.len()).step_by(CHUNK).zip(data.chunks(CHUNK)) {
        check_cancel(cancel)?;
        for (i, c) in (start..).zip(chunk) {
            c.check(i)?;
        }
    }
    Ok(())
}

/// `f(x, T)` for each customer, computed once per distinct (x, T) (bitwise), polling
/// `cancel` and counting customers in `done`.
fn per_x_and_age<V: Copy>(
    data: &[RepeatSummary],
    cancel: &AtomicBool,
    done: &AtomicUsize,
    mut f: impl FnMut(i64, f64) -> V,
    mut each: impl FnMut(&RepeatSummary, V),
) -> Result<(), ArgError> {
    let mut memo: HashMap<(i64, u64), V> = HashMap::new();
    for chunk in data.chunks(CHUNK) {
        check_cancel(cancel)?;
        for c in chunk {
            let v = *memo.entry((c.x, c.age.to_bits())).or_insert_with(|| f(c.x, c.age));
            each(c, v);
        }
        done.fetch_add(chunk.len(), Ordering::Relaxed);
    }
    Ok(())
}

/// Options of [`customer_lifetime_value`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClvOptions {
    /// Days ahead, > 0.
    pub horizon_days: f64,
    /// Annual discount rate d ≥ 0 (0.1 = 10 % a year).
    pub discount_rate: f64,
    /// Share of revenue that is profit, in [0, 1]; 1 gives revenue CLV.
    pub margin: f64,
}

impl ClvOptions {
    fn check(&self) -> Result<(), ArgError> {
        if !(self.horizon_days > 0.0 && self.horizon_days <= 36_525.0) {
            return Err(ArgError::new("horizon_days", self.horizon_days, "must be above 0 and at most 36525"));
        }
        if !(self.discount_rate >= 0.0 && self.discount_rate.is_finite()) {
            return Err(ArgError::new("discount_rate", self.discount_rate, "must be a finite number, at least 0"));
        }
        if !(0.0..=1.0).contains(&self.margin) {
            return Err(ArgError::new("margin", self.margin, "must be between 0 and 1"));
        }
        Ok(())
    }
}

/// One customer's forecast.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CustomerValue {
    /// Expected purchases within the horizon.
    pub expected_purchases: f64,
    pub probability_alive: f64,
    pub expected_order_value: f64,
    /// Discounted margin over the horizon (see the module documentation).
    pub clv: f64,
}

/// Both fitted models and every customer's forecast.
#[derive(Clone, Debug, PartialEq)]
pub struct ClvFit {
    pub bgnbd: BgNbd,
    pub gamma_gamma: GammaGamma,
    /// In input order.
    pub customers: Vec<CustomerValue>,
}

/// Fits BG/NBD and Gamma-Gamma on `data` (times in days) and forecasts every customer.
///
/// `cancel` stops the work early with [`ArgError::cancelled`]; `done` counts the
/// customers forecast so far (see the module documentation).
pub fn customer_lifetime_value(
    data: &[RepeatSummary],
    opts: &ClvOptions,
    cancel: &AtomicBool,
    done: &AtomicUsize,
) -> Result<ClvFit, ArgError> {
    opts.check()?;
    let bgnbd = BgNbd::fit_with_cancel(data, cancel)?;
    let gamma_gamma = GammaGamma::fit_with_cancel(data, cancel)?;
    let months = (opts.horizon_days / DAYS_PER_MONTH).ceil() as usize;
    // Month ends and their discount factors.
    let ends: Vec<(f64, f64)> = (1..=months)
        .map(|i| {
            let t = (i as f64 * DAYS_PER_MONTH).min(opts.horizon_days);
            (t, (1.0 + opts.discount_rate).powf(-t / 365.25))
        })
        .collect();
    let mut customers = Vec::with_capacity(data.len());
    per_x_and_age(
        data,
        cancel,
        done,
        // If alive: expected purchases over the horizon and their discounted sum.
        |x, age| {
            let (mut before, mut discounted) = (0.0, 0.0);
            for &(t, discount) in &ends {
                let upto = bgnbd.purchases_if_alive(x, age, t);
                discounted += (upto - before) * discount;
                before = upto;
            }
            (before, discounted)
        },
        |c, (if_alive, discounted_if_alive)| {
            let value = gamma_gamma.expected_order_value(c);
            let alive = bgnbd.probability_alive(c);
            customers.push(CustomerValue {
                expected_purchases: alive * if_alive,
                probability_alive: alive,
                expected_order_value: value,
                clv: opts.margin * value * (alive * discounted_if_alive),
            });
        },
    )?;
    Ok(ClvFit { bgnbd, gamma_gamma, customers })
}

/// Customers with this many repeat purchases or more share the last bucket of an
/// [`Evaluation`].
pub const TOP_BUCKET: i64 = 7;

/// Holdout purchases of the customers with one calibration frequency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrequencyBucket {
    /// Repeat purchases in the calibration period; [`TOP_BUCKET`] means "or more".
    pub repeat_purchases: i64,
    pub customers: usize,
    pub mean_predicted: f64,
    pub mean_actual: f64,
}

/// Predicted against actual holdout purchases.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// BG/NBD fitted on the calibration period.
    pub model: BgNbd,
    pub predicted_total: f64,
    pub actual_total: f64,
    /// Non-empty buckets of calibration frequency 0, 1, …, [`TOP_BUCKET`]+.
    pub buckets: Vec<FrequencyBucket>,
}

/// Fits BG/NBD on `calibration` (features as of the calibration end) and compares its
/// expected purchases over the next `holdout_days` with `actual`, each customer's count of
/// purchases in the holdout, in the same order. `cancel` and `done` as in
/// [`customer_lifetime_value`].
pub fn evaluate(
    calibration: &[RepeatSummary],
    holdout_days: f64,
    actual: &[i64],
    cancel: &AtomicBool,
    done: &AtomicUsize,
) -> Result<Evaluation, ArgError> {
    if !(holdout_days > 0.0 && holdout_days.is_finite()) {
        return Err(ArgError::new("holdout_days", holdout_days, "must be a finite number above 0"));
    }
    if actual.len() != calibration.len() {
        return Err(ArgError::new(
            "actual",
            format!("{} counts", actual.len()),
            format!("must have one count per customer ({})", calibration.len()),
        ));
    }
    if let Some(i) = actual.iter().position(|&a| a < 0) {
        return Err(ArgError::new(format!("actual[{i}]"), actual[i], "must not be negative"));
    }
    let model = BgNbd::fit_with_cancel(calibration, cancel)?;
    let mut sums = [(0usize, 0.0, 0.0); TOP_BUCKET as usize + 1];
    let mut actual = actual.iter();
    per_x_and_age(
        calibration,
        cancel,
        done,
        |x, age| model.purchases_if_alive(x, age, holdout_days),
        |c, if_alive| {
            let s = &mut sums[c.x.min(TOP_BUCKET) as usize];
            s.0 += 1;
            s.1 += model.probability_alive(c) * if_alive;
            s.2 += *actual.next().expect("one count per customer") as f64;
        },
    )?;
    let buckets = (0..=TOP_BUCKET)
        .zip(sums)
        .filter(|(_, s)| s.0 > 0)
        .map(|(x, (n, pred, act))| FrequencyBucket {
            repeat_purchases: x,
            customers: n,
            mean_predicted: pred / n as f64,
            mean_actual: act / n as f64,
        })
        .collect();
    Ok(Evaluation {
        model,
        predicted_total: sums.iter().map(|s| s.1).sum(),
        actual_total: sums.iter().map(|s| s.2).sum(),
        buckets,
    })
}

#[cfg(test)]
mod tests;
