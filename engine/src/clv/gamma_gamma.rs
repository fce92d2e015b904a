//! The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and
//! CLV: using iso-value curves for customer base analysis", after Colombo & Jiang 1999).
//!
//! A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers,
//! independent of the purchase process. Fitted by maximum likelihood on the customers with
//! x ≥ 1 and a positive mean value, with Nelder–Mead over (ln p, ln(q − 1), ln γ): q is
//! kept above 1 so that the population mean spend p·γ/(q − 1) exists.

use super::optimize::minimize;
use super::{check_all, RepeatSummary, CHUNK};
use crate::segment::{check_cancel, ArgError};
use libm::lgamma;
use std::sync::atomic::AtomicBool;

/// Fitted Gamma-Gamma parameters (γ in the currency of the amounts).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
    /// Log-likelihood at the fit, over the customers used.
    pub log_likelihood: f64,
    /// Customers the fit used (x ≥ 1 and mean amount > 0).
    pub customers: usize,
}

/// The customers that inform the fit, reduced to what one evaluation needs: the
/// likelihood
///
/// ```text
/// Σ lnΓ(px + q) − lnΓ(px) + q ln γ − lnΓ(q) + (px − 1) ln m + px ln x − (px + q) ln(γ + m x)
/// ```
///
/// takes its Gamma-function terms per distinct x, its `ln m` and `x ln x` terms from
/// sums made once, and only `ln(γ + m x)` per customer.
struct Prepared {
    /// (x, customers) per distinct x.
    by_x: Vec<(f64, f64)>,
    customers: f64,
    /// Σ m (for the starting point).
    sum_m: f64,
    /// Σ x ln m, Σ ln m, Σ x ln x.
    sum_x_ln_m: f64,
    sum_ln_m: f64,
    sum_x_ln_x: f64,
    /// (x, m x) of each customer.
    rows: Vec<(f64, f64)>,
}

fn prepare(data: &[RepeatSummary], cancel: &AtomicBool) -> Result<Prepared, ArgError> {
    let mut rows: Vec<(f64, f64)> = Vec::new();
    let (mut sum_m, mut sum_x_ln_m, mut sum_ln_m, mut sum_x_ln_x) = (0.0, 0.0, 0.0, 0.0);
    let mut counts: std::collections::BTreeMap<i64, usize> = Default::default();
    for chunk in data.chunks(CHUNK) {
        check_cancel(cancel)?;
        for c in chunk.iter().filter(|c| c.x >= 1 && c.monetary > 0.0) {
            let (x, m) = (c.x as f64, c.monetary);
            sum_m += m;
            sum_x_ln_m += x * m.ln();
            sum_ln_m += m.ln();
            sum_x_ln_x += x * x.ln();
            *counts.entry(c.x).or_default() += 1;
            rows.push((x, m * x));
        }
    }
    Ok(Prepared {
        by_x: counts.iter().map(|(&x, &n)| (x as f64, n as f64)).collect(),
        customers: rows.len() as f64,
        sum_m,
        sum_x_ln_m,
        sum_ln_m,
        sum_x_ln_x,
        rows,
    })
}

fn log_likelihood(d: &Prepared, p: f64, q: f64, gamma: f64) -> f64 {
    let gammas: f64 = d.by_x.iter().map(|&(x, n)| n * (lgamma(p * x + q) - lgamma(p * x))).sum();
    let (mut sum_x_ln, mut sum_ln) = (0.0, 0.0);
    for &(x, mx) in &d.rows {
        let l = (gamma + mx).ln();
        sum_x_ln += x * l;
        sum_ln += l;
    }
    gammas + d.customers * (q * gamma.ln() - lgamma(q)) + p * d.sum_x_ln_m - d.sum_ln_m + p * d.sum_x_ln_x
        - p * sum_x_ln
        - q * sum_ln
}

impl GammaGamma {
    /// Maximum-likelihood fit on the customers with a repeat purchase and a positive mean
    /// amount (refund-only customers carry no information on spend). Errors: empty or
    /// invalid input, or no such customer.
    pub fn fit(data: &[RepeatSummary]) -> Result<GammaGamma, ArgError> {
        GammaGamma::fit_with_cancel(data, &AtomicBool::new(false))
    }

    /// [`GammaGamma::fit`], stopped with [`ArgError::cancelled`] once `cancel` is set
    /// (polled every few thousand customers and at every optimizer step).
    pub fn fit_with_cancel(data: &[RepeatSummary], cancel: &AtomicBool) -> Result<GammaGamma, ArgError> {
        check_all(data, cancel)?;
        let prepared = prepare(data, cancel)?;
        if prepared.rows.is_empty() {
            return Err(ArgError::new(
                "customers",
                format!("{} customers", data.len()),
                "none has a repeat purchase with a positive mean amount, so Gamma-Gamma cannot be fitted",
            ));
        }
        // Start at p = 1, q = 2, where the population mean p·γ/(q − 1) is the sample mean.
        let mean = prepared.sum_m / prepared.customers;
        let (v, ll) = minimize(
            |v| -log_likelihood(&prepared, v[0].exp(), 1.0 + v[1].exp(), v[2].exp()),
            &[0.0, 0.0, mean.ln()],
            cancel,
        )?;
        Ok(GammaGamma {
            p: v[0].exp(),
            q: 1.0 + v[1].exp(),
            gamma: v[2].exp(),
            log_likelihood: -ll,
            customers: prepared.rows.len(),
        })
    }

    /// Expected value of a customer's transactions given x and their mean value m
    /// (clipped below at 0): p(γ + x·m)/(p·x + q − 1), a weighted average of the population
    /// mean p·γ/(q − 1) and m. With x = 0 it is the population mean.
    pub fn expected_order_value(&self, c: &RepeatSummary) -> f64 {
        let x = c.x as f64;
        self.p * (self.gamma + x * c.monetary.max(0.0)) / (self.p * x + self.q - 1.0)
    }
}
