//! The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your
//! customers the easy way").
//!
//! While alive, a customer buys at Poisson rate λ ~ Gamma(r, α); after each purchase they
//! drop out with probability p ~ Beta(a, b). Fitted by maximum likelihood on
//! (x, t_x, T) with Nelder–Mead over the logarithms of (r, α, a, b).

use super::optimize::minimize;
use super::{check_all, RepeatSummary};
use crate::segment::ArgError;

/// Fitted BG/NBD parameters, in the time unit of the data they were fitted on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    /// Log-likelihood at the fit (summed over customers).
    pub log_likelihood: f64,
}

/// Customers sharing a number of repeat purchases, whose Gamma-function terms are shared.
struct SameX {
    x: f64,
    /// (t_x, T) of each customer.
    times: Vec<(f64, f64)>,
}

fn group_by_x(data: &[RepeatSummary]) -> Vec<SameX> {
    let mut sorted: Vec<&RepeatSummary> = data.iter().collect();
    sorted.sort_by_key(|c| c.x);
    let mut groups: Vec<SameX> = Vec::new();
    for c in sorted {
        match groups.last_mut() {
            Some(g) if g.x == c.x as f64 => g.times.push((c.t_x, c.age)),
            _ => groups.push(SameX { x: c.x as f64, times: vec![(c.t_x, c.age)] }),
        }
    }
    groups
}

/// ln(e^u + e^v) without overflow.
fn log_add_exp(u: f64, v: f64) -> f64 {
    let m = u.max(v);
    m + ((u - m).exp() + (v - m).exp()).ln()
}

/// Log-likelihood of the grouped data (equation 6 of the paper, in logs).
///
/// The Gamma and Beta function ratios are sums of logs, Γ(r + x)/Γ(r) = Π (r + i) and
/// B(a, b + x)/B(a, b) = Π (b + i)/(a + b + i) over i < x, extended group by group:
/// differences of `lgamma` would lose all precision when a and b grow large (a likelihood
/// that favours no dropout), and that loss, times the size of a group, is noise that
/// stalls the optimizer.
fn log_likelihood(groups: &[SameX], r: f64, alpha: f64, a: f64, b: f64) -> f64 {
    let ln_alpha = alpha.ln();
    let (mut i, mut ln_gamma_ratio, mut ln_beta_ratio) = (0.0, 0.0, 0.0);
    let mut total = 0.0;
    for g in groups {
        let x = g.x;
        while i < x {
            ln_gamma_ratio += (r + i).ln();
            ln_beta_ratio += (-a / (a + b + i)).ln_1p();
            i += 1.0;
        }
        let shared = ln_gamma_ratio + r * ln_alpha + ln_beta_ratio;
        let dropout = if x > 0.0 { Some(a.ln() - (b + x - 1.0).ln()) } else { None };
        total += g.times.len() as f64 * shared;
        for &(t_x, age) in &g.times {
            let still = -(r + x) * (alpha + age).ln();
            total += match dropout {
                Some(d) => log_add_exp(still, d - (r + x) * (alpha + t_x).ln()),
                None => still,
            };
        }
    }
    total
}

impl BgNbd {
    /// Maximum-likelihood fit. Errors: empty or invalid input, or no customer with a
    /// repeat purchase (the model is then not identified).
    pub fn fit(data: &[RepeatSummary]) -> Result<BgNbd, ArgError> {
        check_all(data)?;
        let repeats: i64 = data.iter().map(|c| c.x).sum();
        if repeats == 0 {
            return Err(ArgError::new(
                "customers",
                format!("{} customers", data.len()),
                "none has a repeat purchase, so BG/NBD cannot be fitted",
            ));
        }
        let groups = group_by_x(data);
        // Start where the mean purchase rate 1/α matches the data's, with r = a = b = 1.
        let alpha0 = data.iter().map(|c| c.age).sum::<f64>().max(1.0) / repeats as f64;
        let (p, ll) = minimize(
            |p| -log_likelihood(&groups, p[0].exp(), p[1].exp(), p[2].exp(), p[3].exp()),
            &[0.0, alpha0.ln(), 0.0, 0.0],
        );
        Ok(BgNbd { r: p[0].exp(), alpha: p[1].exp(), a: p[2].exp(), b: p[3].exp(), log_likelihood: -ll })
    }

    /// P(alive at T | x, t_x, T) (equation 11); 1 for a customer with no repeat purchase,
    /// who cannot have dropped out yet.
    pub fn probability_alive(&self, c: &RepeatSummary) -> f64 {
        if c.x == 0 {
            return 1.0;
        }
        let x = c.x as f64;
        let odds = (self.a / (self.b + x - 1.0)).ln()
            + (self.r + x) * ((self.alpha + c.age) / (self.alpha + c.t_x)).ln();
        1.0 / (1.0 + odds.exp())
    }

    /// Expected purchases in (T, T + t] given x, t_x, T (equation 10):
    /// P(alive) · (a + b + x − 1)/(a − 1) · [1 − ((α+T)/(α+T+t))^(r+x) ·
    /// ₂F₁(r + x, b + x; a + b + x − 1; t/(α+T+t))].
    pub fn expected_purchases(&self, c: &RepeatSummary, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        let (r, a, b, x) = (self.r, self.a, self.b, c.x as f64);
        let z = t / (self.alpha + c.age + t);
        let (p, q, s) = (r + x, b + x, a + b + x - 1.0);
        // (1 − z)^(r+x) · ₂F₁(p, q; s; z), through Euler's transformation when s − p − q < 0,
        // whose series then falls faster: (1 − z)^(s−p−q) ₂F₁(s − p, s − q; s; z).
        let tail = if s - p - q < 0.0 {
            (1.0 - z).powf(a - 1.0) * hyp2f1_series(s - p, s - q, s, z)
        } else {
            (1.0 - z).powf(p) * hyp2f1_series(p, q, s, z)
        };
        self.probability_alive(c) * (a + b + x - 1.0) / (a - 1.0) * (1.0 - tail)
    }
}

/// Gauss's hypergeometric series ₂F₁(p, q; s; z) for 0 ≤ z < 1, summed until a term is
/// below 1e-15 of the sum while terms shrink. The number of terms grows like
/// 35 / (1 − z): z = t/(α+T+t) stays well below 1 for horizons of the order of α + T.
fn hyp2f1_series(p: f64, q: f64, s: f64, z: f64) -> f64 {
    let (mut term, mut sum) = (1.0, 1.0);
    for n in 0..10_000_000 {
        let n = n as f64;
        let ratio = (p + n) * (q + n) / ((s + n) * (n + 1.0)) * z;
        term *= ratio;
        sum += term;
        if term.abs() <= 1e-15 * sum.abs() && ratio.abs() < 1.0 {
            break;
        }
    }
    sum
}
