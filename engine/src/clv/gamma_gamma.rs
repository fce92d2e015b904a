//! The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and
//! CLV: using iso-value curves for customer base analysis", after Colombo & Jiang 1999).
//!
//! A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers,
//! independent of the purchase process. Fitted by maximum likelihood on the customers with
//! x ≥ 1 and a positive mean value, with Nelder–Mead over (ln p, ln(q − 1), ln γ): q is
//! kept above 1 so that the population mean spend p·γ/(q − 1) exists.

use super::optimize::minimize;
use super::{check_all, RepeatSummary};
use crate::segment::ArgError;
use libm::lgamma;

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

/// (x, ln x, mean value, ln mean value) of the customers that inform the fit.
fn fit_rows(data: &[RepeatSummary]) -> Vec<(f64, f64, f64, f64)> {
    data.iter()
        .filter(|c| c.x >= 1 && c.monetary > 0.0)
        .map(|c| (c.x as f64, (c.x as f64).ln(), c.monetary, c.monetary.ln()))
        .collect()
}

fn log_likelihood(rows: &[(f64, f64, f64, f64)], p: f64, q: f64, gamma: f64) -> f64 {
    let constant = q * gamma.ln() - lgamma(q);
    rows.iter()
        .map(|&(x, ln_x, m, ln_m)| {
            lgamma(p * x + q) - lgamma(p * x) + constant + (p * x - 1.0) * ln_m + p * x * ln_x
                - (p * x + q) * (gamma + m * x).ln()
        })
        .sum()
}

impl GammaGamma {
    /// Maximum-likelihood fit on the customers with a repeat purchase and a positive mean
    /// amount (refund-only customers carry no information on spend). Errors: empty or
    /// invalid input, or no such customer.
    pub fn fit(data: &[RepeatSummary]) -> Result<GammaGamma, ArgError> {
        check_all(data)?;
        let rows = fit_rows(data);
        if rows.is_empty() {
            return Err(ArgError::new(
                "customers",
                format!("{} customers", data.len()),
                "none has a repeat purchase with a positive mean amount, so Gamma-Gamma cannot be fitted",
            ));
        }
        // Start at p = 1, q = 2, where the population mean p·γ/(q − 1) is the sample mean.
        let mean = rows.iter().map(|r| r.2).sum::<f64>() / rows.len() as f64;
        let (v, ll) = minimize(
            |v| -log_likelihood(&rows, v[0].exp(), 1.0 + v[1].exp(), v[2].exp()),
            &[0.0, 0.0, mean.ln()],
        );
        Ok(GammaGamma {
            p: v[0].exp(),
            q: 1.0 + v[1].exp(),
            gamma: v[2].exp(),
            log_likelihood: -ll,
            customers: rows.len(),
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
