//! The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your
//! customers the easy way").
//!
//! While alive, a customer buys at Poisson rate λ ~ Gamma(r, α); after each purchase they
//! drop out with probability p ~ Beta(a, b). Fitted by maximum likelihood on
//! (x, t_x, T) with Nelder–Mead over the logarithms of (r, α, a, b).

use super::optimize::minimize;
use super::{check_all, RepeatSummary, CHUNK};
use crate::segment::{check_cancel, radix, ArgError};
use std::sync::atomic::AtomicBool;

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

/// The data as the likelihood needs it: distinct (x, t_x, T) triples with their
/// multiplicities (at day granularity they repeat heavily), grouped by x, with the
/// distinct values of T and of t_x indexed, so that one evaluation takes one logarithm per
/// distinct T and t_x and one `exp` and `ln_1p` per distinct triple with x ≥ 1.
struct Prepared {
    /// Distinct T, ascending.
    ages: Vec<f64>,
    /// Distinct t_x of the customers with x ≥ 1, ascending.
    recencies: Vec<f64>,
    /// x = 0: (index in `ages`, customers).
    zero: Vec<(u32, f64)>,
    /// Customers with x = 0.
    zero_count: f64,
    /// x ≥ 1, ascending: (x, customers, range in `triples`).
    groups: Vec<(f64, f64, std::ops::Range<usize>)>,
    /// (index in `ages`, index in `recencies`, customers).
    triples: Vec<(u32, u32, f64)>,
}

/// Distinct values (by bits, ascending in value) and each input's index among them.
fn index_values(values: impl Iterator<Item = f64>, cancel: &AtomicBool) -> Result<(Vec<f64>, Vec<u32>), ArgError> {
    let mut pairs: Vec<(f64, u32)> = values.zip(0u32..).collect();
    radix::sort_by_key(&mut pairs, |p| radix::f64_key(p.0), cancel)?;
    let mut distinct: Vec<f64> = Vec::new();
    let mut index = vec![0u32; pairs.len()];
    for &(v, i) in &pairs {
        if distinct.last().is_none_or(|d| d.to_bits() != v.to_bits()) {
            distinct.push(v);
        }
        index[i as usize] = (distinct.len() - 1) as u32;
    }
    Ok((distinct, index))
}

fn prepare(data: &[RepeatSummary], cancel: &AtomicBool) -> Result<Prepared, ArgError> {
    let (ages, age_index) = index_values(data.iter().map(|c| c.age), cancel)?;
    let (recencies, rec_index) = index_values(data.iter().filter(|c| c.x > 0).map(|c| c.t_x), cancel)?;
    let mut zero_counts = vec![0usize; ages.len()];
    let mut keys: Vec<(i64, u32, u32)> = Vec::new();
    let mut repeaters = rec_index.iter();
    for (chunk_start, chunk) in (0..data.len()).step_by(CHUNK).zip(data.chunks(CHUNK)) {
        check_cancel(cancel)?;
        for (i, c) in (chunk_start..).zip(chunk) {
            if c.x == 0 {
                zero_counts[age_index[i] as usize] += 1;
            } else {
                let t = *repeaters.next().expect("one index per repeater");
                keys.push((c.x, age_index[i], t));
            }
        }
    }
    // By (x, T, t_x): stable sorts by the minor key, then by x (x >= 0 was checked).
    radix::sort_by_key(&mut keys, |k| u64::from(k.1) << 32 | u64::from(k.2), cancel)?;
    radix::sort_by_key(&mut keys, |k| k.0 as u64, cancel)?;
    let mut groups: Vec<(f64, f64, std::ops::Range<usize>)> = Vec::new();
    let mut triples: Vec<(u32, u32, f64)> = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        let key = keys[i];
        let run = keys[i..].iter().take_while(|k| **k == key).count();
        match groups.last_mut() {
            Some(g) if g.0 == key.0 as f64 => {
                g.1 += run as f64;
                g.2.end += 1;
            }
            _ => groups.push((key.0 as f64, run as f64, triples.len()..triples.len() + 1)),
        }
        triples.push((key.1, key.2, run as f64));
        i += run;
    }
    let zero: Vec<(u32, f64)> =
        zero_counts.iter().enumerate().filter(|(_, &n)| n > 0).map(|(j, &n)| (j as u32, n as f64)).collect();
    let zero_count = zero.iter().map(|z| z.1).sum();
    Ok(Prepared { ages, recencies, zero, zero_count, groups, triples })
}

/// Log-likelihood of the prepared data (equation 6 of the paper, in logs).
///
/// The Gamma and Beta function ratios are sums of logs, Γ(r + x)/Γ(r) = Π (r + i) and
/// B(a, b + x)/B(a, b) = Π (b + i)/(a + b + i) over i < x, extended group by group:
/// differences of `lgamma` would lose all precision when a and b grow large (a likelihood
/// that favours no dropout), and that loss, times the size of a group, is noise that
/// stalls the optimizer.
fn log_likelihood(d: &Prepared, r: f64, alpha: f64, a: f64, b: f64) -> f64 {
    let ln_alpha = alpha.ln();
    let ln_age: Vec<f64> = d.ages.iter().map(|t| (alpha + t).ln()).collect();
    let ln_rec: Vec<f64> = d.recencies.iter().map(|t| (alpha + t).ln()).collect();
    // x = 0: the shared term is r ln α, the customer's own −r ln(α + T).
    let mut total = d.zero_count * r * ln_alpha - r * d.zero.iter().map(|&(j, n)| n * ln_age[j as usize]).sum::<f64>();
    let (mut i, mut ln_gamma_ratio, mut ln_beta_ratio) = (0.0, 0.0, 0.0);
    for (x, customers, range) in &d.groups {
        let x = *x;
        while i < x {
            ln_gamma_ratio += (r + i).ln();
            ln_beta_ratio += (-a / (a + b + i)).ln_1p();
            i += 1.0;
        }
        let shared = ln_gamma_ratio + r * ln_alpha + ln_beta_ratio;
        let dropout = a.ln() - (b + x - 1.0).ln();
        total += customers * shared;
        let rx = r + x;
        let mut own = 0.0;
        for &(ai, ti, n) in &d.triples[range.clone()] {
            // ln(e^still + e^gone) = max + ln(1 + e^(min − max)).
            let still = -rx * ln_age[ai as usize];
            let gone = dropout - rx * ln_rec[ti as usize];
            let (hi, lo) = if still >= gone { (still, gone) } else { (gone, still) };
            own += n * (hi + (lo - hi).exp().ln_1p());
        }
        total += own;
    }
    total
}

impl BgNbd {
    /// Maximum-likelihood fit. Errors: empty or invalid input, or no customer with a
    /// repeat purchase (the model is then not identified).
    pub fn fit(data: &[RepeatSummary]) -> Result<BgNbd, ArgError> {
        BgNbd::fit_with_cancel(data, &AtomicBool::new(false))
    }

    /// [`BgNbd::fit`], stopped with [`ArgError::cancelled`] once `cancel` is set (polled
    /// every few thousand customers while preparing the data and at every optimizer step).
    pub fn fit_with_cancel(data: &[RepeatSummary], cancel: &AtomicBool) -> Result<BgNbd, ArgError> {
        check_all(data, cancel)?;
        let repeats: i64 = data.iter().map(|c| c.x).sum();
        if repeats == 0 {
            return Err(ArgError::new(
                "customers",
                format!("{} customers", data.len()),
                "none has a repeat purchase, so BG/NBD cannot be fitted",
            ));
        }
        let prepared = prepare(data, cancel)?;
        // Start where the mean purchase rate 1/α matches the data's, with r = a = b = 1.
        let alpha0 = data.iter().map(|c| c.age).sum::<f64>().max(1.0) / repeats as f64;
        let (p, ll) = minimize(
            |p| -log_likelihood(&prepared, p[0].exp(), p[1].exp(), p[2].exp(), p[3].exp()),
            &[0.0, alpha0.ln(), 0.0, 0.0],
            cancel,
        )?;
        Ok(BgNbd { r: p[0].exp(), alpha: p[1].exp(), a: p[2].exp(), b: p[3].exp(), log_likelihood: -ll })
    }

    /// P(alive at T | x, t_x, T) (equation 11); 1 for a customer with no repeat purchase,
    /// who cannot have dropped out yet.
    pub fn probability_alive(&self, c: &RepeatSummary) -> f64 {
        if c.x == 0 {
            return 1.0;
        }
        let x = c.x as f64;
        let odds =
            (self.a / (self.b + x - 1.0)).ln() + (self.r + x) * ((self.alpha + c.age) / (self.alpha + c.t_x)).ln();
        1.0 / (1.0 + odds.exp())
    }

    /// Expected purchases in (T, T + t] given x, t_x, T (equation 10):
    /// P(alive) · (a + b + x − 1)/(a − 1) · [1 − ((α+T)/(α+T+t))^(r+x) ·
    /// ₂F₁(r + x, b + x; a + b + x − 1; t/(α+T+t))].
    pub fn expected_purchases(&self, c: &RepeatSummary, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        self.probability_alive(c) * self.purchases_if_alive(c.x, c.age, t)
    }

    /// Expected purchases in (T, T + t] of a customer alive at T with x repeat purchases:
    /// (a + b + x − 1)/(a − 1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(…)], the factor of
    /// [`BgNbd::expected_purchases`] after P(alive); it does not depend on t_x.
    pub(super) fn purchases_if_alive(&self, x: i64, age: f64, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        let (r, a, b, x) = (self.r, self.a, self.b, x as f64);
        let z = t / (self.alpha + age + t);
        let (p, q, s) = (r + x, b + x, a + b + x - 1.0);
        // (1 − z)^(r+x) · ₂F₁(p, q; s; z), through Euler's transformation when s − p − q < 0,
        // whose series then falls faster: (1 − z)^(s−p−q) ₂F₁(s − p, s − q; s; z).
        let tail = if s - p - q < 0.0 {
            (1.0 - z).powf(a - 1.0) * hyp2f1_series(s - p, s - q, s, z)
        } else {
            (1.0 - z).powf(p) * hyp2f1_series(p, q, s, z)
        };
        (a + b + x - 1.0) / (a - 1.0) * (1.0 - tail)
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
