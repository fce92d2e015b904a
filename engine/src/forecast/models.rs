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
    let sigma =
        if diffs.is_empty() { 0.0 } else { (diffs.iter().map(|d| d * d).sum::<f64>() / diffs.len() as f64).sqrt() };
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

/// The model families taken from `anofox-forecast` (MIT; validated against statsforecast).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anofox {
    /// AutoETS over error, trend, damping and (with a season) seasonal form, by AICc.
    Ets,
    /// AutoTheta: standard, optimised and dynamic Theta, on the seasonally adjusted series.
    Theta,
    /// Stepwise AutoARIMA (seasonal with a season).
    Arima,
}

/// Fits one anofox-forecast model with season `m` (1 or 0: none); intervals from the
/// model's own (normal) prediction error at 80 %, scaled to each level.
pub(crate) fn anofox(y: &[f64], kind: Anofox, m: usize, horizon: usize, levels: &[f64]) -> FitResult {
    use anofox_forecast::core::TimeSeries;
    use anofox_forecast::models::arima::AutoARIMA;
    use anofox_forecast::models::exponential::AutoETS as AnoEts;
    use anofox_forecast::models::theta::AutoTheta;
    use anofox_forecast::models::Forecaster;
    let seasonal = m >= 2 && y.len() >= 2 * m;
    let start = chrono::DateTime::<chrono::Utc>::from_timestamp(946_684_800, 0).expect("2000-01-01");
    let stamps: Vec<_> = (0..y.len()).map(|i| start + chrono::Duration::days(i as i64)).collect();
    let ts = TimeSeries::univariate(stamps, y.to_vec()).map_err(|e| e.to_string())?;
    let mut model: Box<dyn Forecaster> = match (kind, seasonal) {
        (Anofox::Ets, true) => Box::new(AnoEts::with_period(m)),
        (Anofox::Ets, false) => Box::new(AnoEts::non_seasonal()),
        (Anofox::Theta, true) => Box::new(AutoTheta::seasonal(m)),
        (Anofox::Theta, false) => Box::new(AutoTheta::new()),
        (Anofox::Arima, true) => Box::new(AutoARIMA::seasonal(m)),
        (Anofox::Arima, false) => Box::new(AutoARIMA::new()),
    };
    model.fit(&ts).map_err(|e| e.to_string())?;
    let f = model.predict_with_intervals(horizon, 0.8).map_err(|e| e.to_string())?;
    let point = f.primary().to_vec();
    if point.len() != horizon || point.iter().any(|p| !p.is_finite()) {
        return Err("no finite forecast".into());
    }
    let z80 = z_of(80.0);
    let se: Vec<f64> = match (f.lower_series(0), f.upper_series(0)) {
        (Ok(lo), Ok(hi)) if lo.len() == horizon && hi.len() == horizon => lo
            .iter()
            .zip(hi)
            .map(|(l, u)| ((u - l) / 2.0 / z80).max(0.0))
            .map(|s| if s.is_finite() { s } else { 0.0 })
            .collect(),
        _ => return Err("model returned no intervals".into()),
    };
    Ok(with_normal_intervals(point, &se, levels))
}

/// The mean of several forecasts: points, lower and upper bounds step by step.
pub(crate) fn mean_of(fits: &[&Forecast]) -> Forecast {
    let k = fits.len() as f64;
    let avg = |get: &dyn Fn(&Forecast) -> &Vec<f64>| -> Vec<f64> {
        let n = get(fits[0]).len();
        (0..n).map(|i| fits.iter().map(|f| get(f)[i]).sum::<f64>() / k).collect()
    };
    let intervals = (0..fits[0].intervals.len())
        .map(|j| Interval {
            level: fits[0].intervals[j].level,
            lower: avg(&|f| &f.intervals[j].lower),
            upper: avg(&|f| &f.intervals[j].upper),
        })
        .collect();
    Forecast { point: avg(&|f| &f.point), intervals, model: String::new() }
}
