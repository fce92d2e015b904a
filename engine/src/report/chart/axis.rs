//! The y axis: "nice" tick values and their labels in the column's format.

use super::{format, Format, Value, HUGE};

/// intervals, the first tick at or below `lo`, the last at or above `hi`. An empty range is
/// widened to include zero (or 0..1). `nice_ticks(0, 87)` is `[0, 20, 40, 60, 80, 100]`.
pub fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    ticks(lo, hi, false)
}

pub(super) fn ticks(lo: f64, hi: f64, integral: bool) -> Vec<f64> {
    let (mut lo, mut hi) = (lo.min(hi).clamp(-HUGE, HUGE), hi.max(lo).clamp(-HUGE, HUGE));
    if !(lo.is_finite() && hi.is_finite()) {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo <= hi.abs().max(lo.abs()) * 1e-12 {
        (lo, hi) = (lo.min(0.0), hi.max(0.0));
        if hi == lo {
            hi = 1.0;
        }
    }
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let mut step =
        [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw * (1.0 - 1e-9)).unwrap_or(10.0 * mag);
    if integral {
        step = step.max(1.0);
    }
    let first = (lo / step + 1e-9).floor() as i64;
    let last = (hi / step - 1e-9).ceil() as i64;
    let decimals = decimals_for(step);
    (first..=last.max(first + 1))
        .map(|k| {
            let t = k as f64 * step;
            // Drop binary noise (0.30000000000000004 → 0.3) where it is below the step's digits.
            if decimals <= 15 {
                format!("{t:.*}", decimals as usize).parse().unwrap_or(t)
            } else {
                t
            }
        })
        .collect()
}

/// Decimal places needed to write `step` (positive) exactly: 20 → 0, 2.5 → 1, 0.25 → 2.
fn decimals_for(step: f64) -> u8 {
    (0..=12u8)
        .find(|&d| {
            let s = step * 10f64.powi(d as i32);
            (s - s.round()).abs() < 1e-6 * s.max(1.0)
        })
        .unwrap_or(12)
}

/// Axis labels for `ticks` under the y column's `format`, sharing one unit (K/M/B).
pub(super) fn tick_labels(ticks: &[f64], format: Format) -> Vec<String> {
    let step = match ticks {
        [a, b, ..] => b - a,
        _ => 1.0,
    };
    let show = |t: f64, f: Format| format::display(&Value::Float(t), f);
    match format {
        Format::Percent { .. } => {
            let f = Format::Percent { decimals: decimals_for(step) };
            ticks.iter().map(|&t| show(t, if t == 0.0 { Format::Percent { decimals: 0 } } else { f })).collect()
        }
        Format::Ratio { .. } => {
            let f = Format::Ratio { decimals: decimals_for(step * 100.0) };
            ticks.iter().map(|&t| show(t, if t == 0.0 { Format::Ratio { decimals: 0 } } else { f })).collect()
        }
        _ => {
            let max = ticks.iter().fold(0.0f64, |m, t| m.max(t.abs()));
            let (div, suffix) = match max {
                m if m >= 1e9 => (1e9, "B"),
                m if m >= 1e6 => (1e6, "M"),
                m if m >= 1e4 => (1e3, "K"),
                _ => (1.0, ""),
            };
            let decimals = decimals_for(step / div);
            ticks
                .iter()
                .map(|&t| {
                    let n = if t == 0.0 {
                        "0".to_string()
                    } else {
                        format!("{}{suffix}", format::group(t / div, decimals))
                    };
                    match (format, n.strip_prefix('-')) {
                        (Format::CurrencyKrw, Some(rest)) => format!("-₩{rest}"),
                        (Format::CurrencyKrw, None) => format!("₩{n}"),
                        _ => n,
                    }
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_known_answers() {
        assert_eq!(nice_ticks(0.0, 87.0), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 100.0), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 101.0), vec![0.0, 25.0, 50.0, 75.0, 100.0, 125.0]);
        assert_eq!(nice_ticks(0.0, 0.3), vec![0.0, 0.1, 0.2, 0.3]);
        assert_eq!(nice_ticks(-35.0, 12.0), vec![-40.0, -30.0, -20.0, -10.0, 0.0, 10.0, 20.0]);
        assert_eq!(nice_ticks(0.0, 0.0), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(5.0, 5.0), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        for (lo, hi) in [(0.0, 1.0), (3.0, 7.0), (-1e9, 2e9), (0.001, 0.0042), (-7.0, -2.0), (0.0, 1.7e12)] {
            let t = nice_ticks(lo, hi);
            assert!((4..=7).contains(&t.len()), "{lo}..{hi}: {t:?}");
            assert!(t[0] <= lo && *t.last().unwrap() >= hi, "{lo}..{hi}: {t:?}");
        }
    }

    #[test]
    fn tick_labels_abbreviate_with_the_column_format() {
        assert_eq!(tick_labels(&[0.0, 20.0, 40.0], Format::Integer), ["0", "20", "40"]);
        assert_eq!(
            tick_labels(&[0.0, 500_000.0, 1_000_000.0, 1_500_000.0], Format::CurrencyKrw),
            ["₩0", "₩0.5M", "₩1.0M", "₩1.5M"]
        );
        assert_eq!(tick_labels(&[-20_000.0, 0.0, 20_000.0], Format::CurrencyKrw), ["-₩20K", "₩0", "₩20K"]);
        assert_eq!(tick_labels(&[0.0, 2.5, 5.0], Format::Percent { decimals: 0 }), ["0%", "2.5%", "5.0%"]);
        assert_eq!(tick_labels(&[0.0, 0.1, 0.2], Format::Ratio { decimals: 2 }), ["0%", "10%", "20%"]);
        assert_eq!(tick_labels(&[0.0, 1e9, 2e9], Format::Number { decimals: 2 }), ["0", "1B", "2B"]);
    }
}
