//! Brown's simple exponential smoothing of daily demand, shared by [`super::demand`] and
//! [`super::events`].

/// Smoothing constant of [`super::demand::DemandStats::level`] and [`super::events`]: about the last 19 days (2/α − 1) weigh as
/// much as a plain mean of that many, so a ramp or a season's start is followed within
/// weeks instead of being averaged away over the whole history.
pub const SMOOTHING_ALPHA: f64 = 0.1;
/// Days whose mean starts the smoothing.
pub const SMOOTHING_START_DAYS: usize = 28;

/// Brown's simple exponential smoothing: (level after the last value, RMSE of the
/// one-step-ahead forecasts).
pub fn smooth(y: &[f64]) -> (f64, f64) {
    if y.is_empty() {
        return (0.0, 0.0);
    }
    let start = y.len().min(SMOOTHING_START_DAYS);
    let mut level = y[..start].iter().sum::<f64>() / start as f64;
    let mut sq = 0.0;
    for v in y {
        let e = v - level;
        sq += e * e;
        level += SMOOTHING_ALPHA * e;
    }
    (level, (sq / y.len() as f64).sqrt())
}
