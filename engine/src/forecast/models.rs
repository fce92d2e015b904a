//! The individual forecasting models, each behind the same signature:
//! history in, point forecast and intervals out.

use super::{Forecast, Interval};
use crate::stats::normal;
use augurs_core::{Fit, Predict};
use augurs_ets::{trend::AutoETSTrendModel, AutoETS};
use augurs_mstl::MSTLModel;

pub(crate) type FitResult = Result<Forecast, String>;

/// Two-sided normal multiplier for a level in percent (95 → 1.96).
pub(crate) fn z_of(level: f64) -> f64 {
    normal::quantile(0.5 + level / 200.0)
}

/// Point forecast plus symmetric normal intervals with per-step standard errors.
fn with_normal_intervals(point: Vec<f64>, se: &[f64], levels: &[f64]) -> Forecast {
    let intervals = levels
        .iter()
        .map(|&level| {
            let z = z_of(level);
            Interval {
                level,
                lower: point.iter().zip(se).map(|(p, s)| p - z * s).collect(),
                upper: point.iter().zip(se).map(|(p, s)| p + z * s).collect(),
            }
        })
        .collect();
    Forecast { point, intervals, model: String::new() }
}

/// Seasonal naive: each step repeats the value one season earlier (`m = 1` is the naive
/// random walk). Intervals from the seasonal differences' spread, widening with every
/// completed season of the horizon (Hyndman & Athanasopoulos, FPP3 §5.5).
pub fn seasonal_naive(y: &[f64], m: usize, horizon: usize, levels: &[f64]) -> Forecast {
    let n = y.len();
    let m = m.clamp(1, n);
    let point: Vec<f64> = (0..horizon).map(|h| y[n - m + h % m]).collect();
    let diffs: Vec<f64> = (m..n).map(|t| y[t] - y[t - m]).collect();
    let sigma = if diffs.is_empty() { 0.0 } else { (diffs.iter().map(|d| d * d).sum::<f64>() / diffs.len() as f64).sqrt() };
    let se: Vec<f64> = (0..horizon).map(|h| sigma * ((h / m + 1) as f64).sqrt()).collect();
    with_normal_intervals(point, &se, levels)
}

/// Teunter–Syntetos–Babai (2011) variant of Croston's method for intermittent demand:
/// the demand probability is smoothed every period, the demand size only when demand
/// occurs; the forecast is their product, flat over the horizon. Smoothing constants are
/// chosen on a grid by in-sample one-step squared error; intervals use that error's spread.
pub fn tsb(y: &[f64], horizon: usize, levels: &[f64]) -> Forecast {
    const GRID: [f64; 5] = [0.05, 0.1, 0.2, 0.3, 0.5];
    let first_size = y.iter().copied().find(|v| *v > 0.0).unwrap_or(0.0);
    let first_prob = y.iter().filter(|v| **v > 0.0).count() as f64 / y.len() as f64;
    let run = |alpha: f64, beta: f64| {
        let (mut p, mut z, mut sse) = (first_prob, first_size, 0.0);
        for &v in y {
            let e = v - p * z;
            sse += e * e;
            p += beta * (((v > 0.0) as u8) as f64 - p);
            if v > 0.0 {
                z += alpha * (v - z);
            }
        }
        (sse, p * z)
    };
    let (sse, level) = GRID
        .iter()
        .flat_map(|&a| GRID.iter().map(move |&b| (a, b)))
        .map(|(a, b)| run(a, b))
        .min_by(|x, y| x.0.total_cmp(&y.0))
        .expect("non-empty grid");
    let sigma = (sse / y.len() as f64).sqrt();
    with_normal_intervals(vec![level; horizon], &vec![sigma; horizon], levels)
}

fn augurs_forecast(
    fitted: &impl Predict<Error = impl std::fmt::Display>,
    horizon: usize,
    levels: &[f64],
) -> Result<Forecast, String> {
    let base = fitted.predict(horizon, None).map_err(|e| e.to_string())?;
    let mut intervals = Vec::with_capacity(levels.len());
    for &level in levels {
        let f = fitted.predict(horizon, level / 100.0).map_err(|e| e.to_string())?;
        let iv = f.intervals.ok_or("model returned no intervals")?;
        intervals.push(Interval { level, lower: iv.lower, upper: iv.upper });
    }
    Ok(Forecast { point: base.point, intervals, model: String::new() })
}

/// Automatic non-seasonal exponential smoothing (augurs `AutoETS`: error, trend and
/// damping chosen by AICc).
pub fn ets(y: &[f64], horizon: usize, levels: &[f64]) -> Result<Forecast, String> {
    let fitted = AutoETS::non_seasonal().fit(y).map_err(|e| e.to_string())?;
    augurs_forecast(&fitted, horizon, levels)
}

/// MSTL (Bandara, Hyndman & Bergmeir 2021): seasonal components for every period are
/// removed by STL, the rest is forecast by AutoETS and the last season of each component
/// is added back.
pub fn mstl(y: &[f64], periods: &[usize], horizon: usize, levels: &[f64]) -> Result<Forecast, String> {
    let model = MSTLModel::new(periods.to_vec(), AutoETSTrendModel::from(AutoETS::non_seasonal()));
    let fitted = model.fit(y).map_err(|e| e.to_string())?;
    augurs_forecast(&fitted, horizon, levels)
}
