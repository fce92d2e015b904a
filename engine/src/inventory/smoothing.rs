//! Brown's simple exponential smoothing of daily demand, shared by [`super::demand`] and
//! [`super::events`].

/// Smoothing constant of [`super::demand::DemandStats::level`] and [`super::events`]: about the last 19 days (2/α − 1) weigh as
/// much as a plain mean of that many, so a ramp or a season's start is followed within
/// weeks instead of being averaged away over the whole history.
pub const SMOOTHING_ALPHA: f64 = 0.1;
/// Days whose mean starts the smoothing.
pub const SMOOTHING_START_DAYS: usize = 28;

/// Brown's simple exponential smoothing, one value at a time: the level, and the squared
/// errors of its one-step-ahead forecasts.
#[derive(Clone, Copy, Debug)]
pub struct Smoother {
    /// The forecast of the next value.
    pub level: f64,
    squared_errors: f64,
    values: usize,
}

impl Smoother {
    /// Started from the mean of the first [`SMOOTHING_START_DAYS`] of `y` (0 when empty).
    pub fn start(y: &[f64]) -> Self {
        let start = y.len().min(SMOOTHING_START_DAYS);
        let level = if start > 0 { y[..start].iter().sum::<f64>() / start as f64 } else { 0.0 };
        Smoother { level, squared_errors: 0.0, values: 0 }
    }

    /// Takes in one value.
    pub fn update(&mut self, v: f64) {
        let e = v - self.level;
        self.squared_errors += e * e;
        self.values += 1;
        self.level += SMOOTHING_ALPHA * e;
    }

    /// RMSE of the one-step-ahead forecasts so far (0 before any value).
    pub fn rmse(&self) -> f64 {
        if self.values > 0 {
            (self.squared_errors / self.values as f64).sqrt()
        } else {
            0.0
        }
    }
}

/// Brown's simple exponential smoothing: (level after the last value, RMSE of the
/// one-step-ahead forecasts).
pub fn smooth(y: &[f64]) -> (f64, f64) {
    let mut s = Smoother::start(y);
    for v in y {
        s.update(*v);
    }
    (s.level, s.rmse())
}
