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

/// The candidate periods that show seasonality: the autocorrelation at the period is
/// significant (at least `max(0.1, 3/√pairs)`) and, for short periods, a local peak.
/// Short periods (≤ 60) are judged after removing a centred 29-point moving-average
/// trend, long ones (yearly) after removing a straight-line trend, since a moving average
/// would absorb them. Only periods with two full seasons of history are considered.
pub fn detect(y: &[f64], candidates: &[usize]) -> Vec<usize> {
    let short = detrend_moving_average(y, 29);
    let long = detrend_linear(y);
    candidates
        .iter()
        .copied()
        .filter(|&m| m >= 2 && y.len() >= 2 * m)
        .filter(|&m| {
            let bound = (3.0 / ((y.len() - m) as f64).sqrt()).max(0.1);
            if m > 60 {
                acf(&long, m) >= bound
            } else {
                let r = acf(&short, m);
                r >= bound && r > acf(&short, m - 1) && (y.len() <= m + 1 || r > acf(&short, m + 1))
            }
        })
        .collect()
}

/// Series minus its centred moving average of odd `window` (shrinking at the ends).
fn detrend_moving_average(y: &[f64], window: usize) -> Vec<f64> {
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

/// Series minus its least-squares straight line.
fn detrend_linear(y: &[f64]) -> Vec<f64> {
    let n = y.len() as f64;
    let tm = (n - 1.0) / 2.0;
    let ym = y.iter().sum::<f64>() / n;
    let sxy: f64 = y.iter().enumerate().map(|(t, v)| (t as f64 - tm) * (v - ym)).sum();
    let sxx: f64 = (0..y.len()).map(|t| (t as f64 - tm).powi(2)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    y.iter().enumerate().map(|(t, v)| v - ym - slope * (t as f64 - tm)).collect()
}
