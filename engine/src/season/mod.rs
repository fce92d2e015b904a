//! Seasonal trend analysis of one series: detected seasons, trend / seasonal / remainder
//! decomposition (MSTL), seasonal indices by weekday and by month, year-over-year
//! growth, anomalies in the remainder and changepoints in the level.

use crate::calendar::Grain;
use crate::forecast::seasons;
use crate::stats::median;
use chrono::{Datelike, NaiveDate};

/// Decomposition of one series, one entry per period (computed in single precision by
/// `stlrs`, ample for sales figures).
#[derive(Clone, Debug, PartialEq)]
pub struct Decomposition {
    /// Season lengths used (detected or given, each covered twice by the history).
    pub season_lengths: Vec<usize>,
    pub trend: Vec<f64>,
    /// Sum of all seasonal components.
    pub seasonal: Vec<f64>,
    pub remainder: Vec<f64>,
    /// Robust z-score of the remainder: (r − median) / (1.4826 · MAD).
    pub anomaly_score: Vec<f64>,
    /// Periods where the level of the deseasonalised series shifts (PELT, normal mean
    /// change, penalty 2σ² ln n with σ the robust spread of the remainder; segments at
    /// least one season, or 7 periods, long).
    pub changepoints: Vec<usize>,
}

/// Scores above this are anomalies (Iglewicz & Hoaglin's 3.5).
pub const ANOMALY_THRESHOLD: f64 = 3.5;

/// Decomposes `y`. With no usable season the seasonal component is zero and the trend is
/// a centred moving average (7 periods, shrinking at the ends).
pub fn decompose(y: &[f64], season_lengths: &[usize]) -> Result<Decomposition, String> {
    if y.is_empty() {
        return Err("y is empty".into());
    }
    let periods: Vec<usize> = season_lengths.iter().copied().filter(|&m| m >= 2 && y.len() >= 2 * m).collect();
    let (trend, seasonal) = if periods.is_empty() || y.iter().all(|v| *v == y[0]) {
        (moving_average(y, 7), vec![0.0; y.len()])
    } else {
        // Robust STL (bisquare outer loops), so an outlier lands in the remainder rather
        // than bending the seasonal pattern.
        let mut stl = stlrs::StlParams::new();
        stl.robust(true);
        let y32: Vec<f32> = y.iter().map(|v| *v as f32).collect();
        let fit = stlrs::MstlParams::new().stl_params(stl).fit(&y32, &periods).map_err(|e| e.to_string())?;
        let trend: Vec<f64> = fit.trend().iter().map(|v| *v as f64).collect();
        let seasonal = (0..y.len()).map(|t| fit.seasonal().iter().map(|s| s[t] as f64).sum()).collect();
        (trend, seasonal)
    };
    let remainder: Vec<f64> = (0..y.len()).map(|t| y[t] - trend[t] - seasonal[t]).collect();
    let anomaly_score = robust_z(&remainder);
    let deseasonalised: Vec<f64> = (0..y.len()).map(|t| y[t] - seasonal[t]).collect();
    let sigma = robust_sigma(&remainder);
    let min_len = periods.first().copied().unwrap_or(7).max(2);
    let changepoints = pelt(&deseasonalised, sigma, min_len);
    Ok(Decomposition { season_lengths: periods, trend, seasonal, remainder, anomaly_score, changepoints })
}

/// Seasons to use when none are given: those detected among the grain's natural ones.
pub fn detect_seasons(y: &[f64], grain: Grain) -> Vec<usize> {
    seasons::detect(y, &grain.season_candidates())
}

fn moving_average(y: &[f64], window: usize) -> Vec<f64> {
    let half = window / 2;
    (0..y.len())
        .map(|i| {
            let (a, b) = (i.saturating_sub(half), (i + half + 1).min(y.len()));
            y[a..b].iter().sum::<f64>() / (b - a) as f64
        })
        .collect()
}

/// 1.4826 × the median absolute deviation: the standard deviation for normal data,
/// unmoved by outliers.
fn robust_sigma(x: &[f64]) -> f64 {
    let med = median(x);
    let dev: Vec<f64> = x.iter().map(|v| (v - med).abs()).collect();
    1.4826 * median(&dev)
}

fn robust_z(x: &[f64]) -> Vec<f64> {
    let med = median(x);
    let sigma = robust_sigma(x);
    x.iter().map(|v| if sigma > 0.0 { (v - med) / sigma } else { 0.0 }).collect()
}

/// Pruned Exact Linear Time changepoint search (Killick, Fearnhead & Eckley 2012) for
/// changes in mean under a normal cost with noise level `sigma` and segments of at least
/// `min_len` points; returns the first index of each new segment.
pub fn pelt(y: &[f64], sigma: f64, min_len: usize) -> Vec<usize> {
    let n = y.len();
    let min_len = min_len.max(1);
    if n < 2 * min_len || sigma <= 0.0 || !sigma.is_finite() {
        return Vec::new();
    }
    let penalty = 2.0 * sigma * sigma * (n as f64).ln();
    let mut s1 = vec![0.0; n + 1];
    let mut s2 = vec![0.0; n + 1];
    for i in 0..n {
        s1[i + 1] = s1[i] + y[i];
        s2[i + 1] = s2[i] + y[i] * y[i];
    }
    let cost = |a: usize, b: usize| {
        let (s, q, len) = (s1[b] - s1[a], s2[b] - s2[a], (b - a) as f64);
        q - s * s / len
    };
    let mut f = vec![0.0; n + 1];
    f[0] = -penalty;
    let mut last = vec![0usize; n + 1];
    let mut candidates = vec![0usize];
    for t in min_len..=n {
        let (best_s, best_f) = candidates
            .iter()
            .filter(|&&s| t - s >= min_len)
            .map(|&s| (s, f[s] + cost(s, t) + penalty))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, f64::INFINITY));
        f[t] = best_f;
        last[t] = best_s;
        candidates.retain(|&s| t - s < min_len || f[s] + cost(s, t) <= f[t]);
        candidates.push(t + 1 - min_len);
    }
    let mut cps = Vec::new();
    let mut t = n;
    while last[t] > 0 {
        cps.push(last[t]);
        t = last[t];
    }
    cps.reverse();
    cps
}

/// A seasonal index: average of value ÷ trend in a bucket, normalised to mean 1 over the
/// buckets (1.2 = 20 % above the trend).
#[derive(Clone, Debug, PartialEq)]
pub struct SeasonalIndex {
    /// `weekday` (1 = Monday … 7 = Sunday) or `month` (1–12).
    pub kind: &'static str,
    pub bucket: u32,
    pub index: f64,
    /// Periods that contributed.
    pub periods: usize,
}

/// Weekday indices (daily data only) and month indices (daily, weekly or monthly data,
/// when the history covers at least a year), from the ratio of each value to the trend.
pub fn seasonal_indices(y: &[f64], trend: &[f64], start: NaiveDate, grain: Grain) -> Vec<SeasonalIndex> {
    let mut out = Vec::new();
    let mut bucketed = |kind: &'static str, buckets: u32, key: &dyn Fn(NaiveDate) -> u32| {
        let mut sum = vec![0.0; buckets as usize];
        let mut cnt = vec![0usize; buckets as usize];
        for t in 0..y.len() {
            if trend[t] > 0.0 {
                let b = key(grain.step(start, t as i64)) as usize - 1;
                sum[b] += y[t] / trend[t];
                cnt[b] += 1;
            }
        }
        let means: Vec<f64> =
            sum.iter().zip(&cnt).map(|(s, c)| if *c > 0 { s / *c as f64 } else { f64::NAN }).collect();
        let present: Vec<f64> = means.iter().copied().filter(|m| m.is_finite()).collect();
        let norm = present.iter().sum::<f64>() / present.len().max(1) as f64;
        for b in 0..buckets as usize {
            if cnt[b] > 0 && norm > 0.0 {
                out.push(SeasonalIndex { kind, bucket: b as u32 + 1, index: means[b] / norm, periods: cnt[b] });
            }
        }
    };
    if grain == Grain::Day {
        bucketed("weekday", 7, &|d| d.weekday().number_from_monday());
    }
    let periods_per_year = match grain {
        Grain::Day => 365,
        Grain::Week => 52,
        Grain::Month => 12,
    };
    if y.len() >= periods_per_year {
        bucketed("month", 12, &|d| d.month());
    }
    out
}

/// Year-over-year growth of monthly totals: (month start, total, total a year earlier,
/// growth in percent), for every month whose previous-year month is in the history.
/// Months only partly covered by the history are left out.
pub fn yoy_growth(y: &[f64], start: NaiveDate, grain: Grain) -> Vec<(NaiveDate, f64, f64, f64)> {
    use std::collections::BTreeMap;
    let mut months: BTreeMap<NaiveDate, (f64, usize)> = BTreeMap::new();
    for (t, v) in y.iter().enumerate() {
        let d = grain.step(start, t as i64);
        let m = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).expect("valid");
        let e = months.entry(m).or_insert((0.0, 0));
        e.0 += v;
        e.1 += 1;
    }
    let full = |m: &NaiveDate, c: usize| match grain {
        Grain::Day => c as i64 == (Grain::Month.step(*m, 1) - *m).num_days(),
        Grain::Week => c >= 4,
        Grain::Month => c == 1,
    };
    months
        .iter()
        .filter(|(m, (_, c))| full(m, *c))
        .filter_map(|(m, (total, _))| {
            let prev = Grain::Month.step(*m, -12);
            let (p, c) = months.get(&prev)?;
            (full(&prev, *c) && *p != 0.0).then(|| (*m, *total, *p, 100.0 * (total / p - 1.0)))
        })
        .collect()
}

#[cfg(test)]
mod tests;
