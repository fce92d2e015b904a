//! Forecast accuracy measures (Hyndman & Koehler 2006; FPP3 §5.8).

/// Accuracy of forecasts against what happened, pooled over every evaluated step.
#[derive(Clone, Debug, PartialEq)]
pub struct Accuracy {
    /// Mean absolute scaled error: MAE over the in-sample MAE of the seasonal naive
    /// forecast (below 1 beats seasonal naive). NaN when the history is constant.
    pub mase: f64,
    /// Symmetric MAPE in percent, 0–200 (a step where actual and forecast are both 0 counts 0).
    pub smape: f64,
    pub rmse: f64,
    /// Mean of forecast − actual: positive means over-forecasting.
    pub bias: f64,
    /// Per requested level: (level, share of actuals inside the interval).
    pub coverage: Vec<(f64, f64)>,
    /// Number of forecast steps evaluated.
    pub steps: usize,
}

/// Collects forecast errors from one or more origins and summarises them.
#[derive(Default)]
pub struct AccuracyAccumulator {
    abs_scaled: f64,
    smape: f64,
    sq: f64,
    err: f64,
    inside: Vec<(f64, usize)>,
    steps: usize,
}

/// In-sample MAE of the seasonal naive forecast with period `m` (falling back to `m = 1`
/// when the history is shorter than two seasons).
pub fn naive_scale(train: &[f64], m: usize) -> f64 {
    let m = if train.len() > m { m } else { 1 };
    if train.len() <= m {
        return f64::NAN;
    }
    (m..train.len()).map(|t| (train[t] - train[t - m]).abs()).sum::<f64>() / (train.len() - m) as f64
}

impl AccuracyAccumulator {
    /// Adds one origin: actuals, point forecasts, intervals as (level, lower, upper),
    /// and the seasonal naive scale of that origin's training data.
    pub fn add(&mut self, actual: &[f64], point: &[f64], intervals: &[(f64, &[f64], &[f64])], scale: f64) {
        if self.inside.is_empty() {
            self.inside = intervals.iter().map(|(l, _, _)| (*l, 0)).collect();
        }
        for (i, (&a, &p)) in actual.iter().zip(point).enumerate() {
            let e = p - a;
            self.abs_scaled += e.abs() / scale;
            let denom = a.abs() + p.abs();
            self.smape += if denom == 0.0 { 0.0 } else { 200.0 * e.abs() / denom };
            self.sq += e * e;
            self.err += e;
            for (k, (_, lo, hi)) in intervals.iter().enumerate() {
                if lo[i] <= a && a <= hi[i] {
                    self.inside[k].1 += 1;
                }
            }
            self.steps += 1;
        }
    }

    pub fn finish(&self) -> Accuracy {
        let n = self.steps as f64;
        Accuracy {
            mase: self.abs_scaled / n,
            smape: self.smape / n,
            rmse: (self.sq / n).sqrt(),
            bias: self.err / n,
            coverage: self.inside.iter().map(|(l, c)| (*l, *c as f64 / n)).collect(),
            steps: self.steps,
        }
    }
}
