//! Season length detection by autocorrelation.

/// Sample autocorrelation of `y` at `lag` (NaN when undefined).
pub fn acf(y: &[f64], lag: usize) -> f64 {
    let n = y.len();
    if lag >= n {
        return f64::NAN;
    }
    let m = y.iter().sum::<f64>() / n as f64;
    let var: f64 = y.iter().map(|v| (v - m) * (v - m)).sum();
    if var == 0.0 {
        return f64::NAN;
    }
    (lag..n).map(|t| (y[t] - m) * (y[t - lag] - m)).sum::<f64>() / var
}

/// The candidate periods whose autocorrelation, after removing a centred moving-average
/// trend, is at least `threshold`, and that have two full seasons of history.
/// Candidates are tried in order and kept in order.
pub fn detect(y: &[f64], candidates: &[usize], threshold: f64) -> Vec<usize> {
    let detrended = detrend(y, 29);
    candidates
        .iter()
        .copied()
        .filter(|&m| m >= 2 && y.len() >= 2 * m)
        .filter(|&m| {
            // Yearly seasonality is judged on the raw series (a 29-day trend window
            // would flatten it).
            let series = if m > 60 { y } else { &detrended };
            acf(series, m) >= threshold
        })
        .collect()
}

/// Series minus its centred moving average of odd `window` (shrinking at the ends).
fn detrend(y: &[f64], window: usize) -> Vec<f64> {
    let n = y.len();
    let half = window / 2;
    let mut prefix = vec![0.0; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + y[i];
    }
    (0..n)
        .map(|i| {
            let (a, b) = (i.saturating_sub(half), (i + half + 1).min(n));
            y[i] - (prefix[b] - prefix[a]) / (b - a) as f64
        })
        .collect()
}
