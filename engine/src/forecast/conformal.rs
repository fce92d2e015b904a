//! Split-conformal calibration of prediction intervals from rolling-origin backtests.
//!
//! Each backtest origin gives, per horizon step, the actual value, the point forecast and
//! the model's own interval at each level. The nonconformity score of a step is its
//! absolute error over the model's half-width at that step and level; the interval of the
//! final forecast is the model's own interval widened (or narrowed) by the conformal
//! quantile of those scores. Dividing by the model's half-width keeps the growth of the
//! interval along the horizon (and with the series' scale) that the model knows, while the
//! backtest fixes how wide it must be to cover as promised.

use super::{Forecast, Interval};

/// Scores of one level: |actual − point| / half-width, step by step over all origins.
#[derive(Clone, Debug, Default)]
pub struct Scores {
    pub level: f64,
    pub scores: Vec<f64>,
}

/// Collects the scores of backtest forecasts for every level of `f`.
pub fn add_scores(acc: &mut Vec<Scores>, actual: &[f64], f: &Forecast) {
    if acc.is_empty() {
        *acc = f.intervals.iter().map(|iv| Scores { level: iv.level, scores: Vec::new() }).collect();
    }
    for (s, iv) in acc.iter_mut().zip(&f.intervals) {
        for (i, a) in actual.iter().enumerate() {
            let hw = (iv.upper[i] - iv.lower[i]) / 2.0;
            let e = (a - f.point[i]).abs();
            let score = if hw > 0.0 {
                e / hw
            } else if e == 0.0 {
                0.0
            } else {
                f64::INFINITY
            };
            s.scores.push(score);
        }
    }
}

/// The conformal multiplier at `level` (percent) from `scores`: the ⌈(k+1)·level/100⌉-th
/// smallest of the k scores. With few scores the quantile is uncertain, so it is shrunk
/// (geometrically) towards 1, the model's own width, with weight k/(k + `prior`).
pub fn multiplier(scores: &[f64], level: f64, prior: f64) -> Option<f64> {
    let mut s: Vec<f64> = scores.iter().copied().filter(|v| !v.is_nan()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let k = s.len();
    let rank = (((k + 1) as f64) * level / 100.0).ceil() as usize;
    let q = s[rank.clamp(1, k) - 1];
    if !q.is_finite() || q <= 0.0 {
        return None;
    }
    // The tail quantile of few scores is noisy and, past the largest score, capped; the
    // root mean square of the standardised errors uses every score. Of the two,
    // the multiplier is the larger of the two (with normal errors both estimate the same ratio).
    // The scores along one origin's horizon are correlated, so they count for a share of
    // independent draws; the quantile a new error needs is then Student t's predictive one.
    let z = predictive_z(level, k as f64 * INDEPENDENT_SHARE);
    let finite: Vec<f64> = s.iter().copied().filter(|v| v.is_finite()).collect();
    let rms = z * (finite.iter().map(|v| v * v).sum::<f64>() / finite.len().max(1) as f64).sqrt();
    let q = if rms > 0.0 && rms.is_finite() { q.max(rms) } else { q };
    let w = k as f64 / (k as f64 + prior);
    Some(q.powf(w))
}

/// The share of the scores that counts as independent draws: the scores of one origin's
/// horizon steps move together (chosen on M3: 1 covers 0.77/0.91 at 80/95 %, 1/3 0.79/0.94,
/// 1/4 0.82/0.95; bench/forecast_m3.py --coverage).
const INDEPENDENT_SHARE: f64 = 1.0 / 3.0;

/// The two-sided `level` quantile for a new draw when the scale is estimated from `n`
/// draws: Student t with n − 1 degrees of freedom (at least 2) times √(1 + 1/n).
pub(crate) fn predictive_z(level: f64, n: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let df = (n - 1.0).max(2.0);
    let t = StudentsT::new(0.0, 1.0, df).expect("df > 0").inverse_cdf(0.5 + level / 200.0);
    t * (1.0 + 1.0 / n.max(1.0)).sqrt()
}

/// Rescales each interval of `f` about its point by the multiplier of its level.
pub fn apply(f: &mut Forecast, scores: &[Scores], prior: f64) {
    for iv in &mut f.intervals {
        let Some(s) = scores.iter().find(|s| s.level == iv.level) else { continue };
        let Some(c) = multiplier(&s.scores, iv.level, prior) else { continue };
        let Interval { lower, upper, .. } = iv;
        for i in 0..lower.len() {
            let p = f.point[i];
            lower[i] = p - c * (p - lower[i]);
            upper[i] = p + c * (upper[i] - p);
        }
    }
}
