//! Nelder–Mead minimisation, for the maximum-likelihood fits.

use crate::segment::{check_cancel, ArgError};
use std::sync::atomic::AtomicBool;

/// Side of the starting simplex along each coordinate (on log-parameters: a factor e^0.5).
const STEP: f64 = 0.5;
/// A run stops when the values at the simplex's vertices agree to this relative
/// tolerance (not the vertices themselves: on the flat ridges of a likelihood whose
/// parameters run off to infinity they never would), and a restart that improves the
/// best value by less than it ends the search.
const F_TOL: f64 = 1e-11;
const MAX_EVALS: usize = 5_000;
const MAX_RESTARTS: usize = 10;

/// Minimises `f` from `x0` with the Nelder–Mead simplex (reflection 1, expansion 2,
/// contraction ½, shrink ½), restarted from the best point with a fresh simplex until a
/// restart no longer improves it (a collapsed simplex is the method's known failure).
/// Non-finite values of `f` count as +∞. Returns the best point and its value, or
/// [`ArgError::cancelled`] as soon as `cancel` is seen set (polled before every step).
pub(super) fn minimize(
    f: impl Fn(&[f64]) -> f64,
    x0: &[f64],
    cancel: &AtomicBool,
) -> Result<(Vec<f64>, f64), ArgError> {
    let g = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    check_cancel(cancel)?;
    let mut best = (x0.to_vec(), g(x0));
    for _ in 0..MAX_RESTARTS {
        let next = simplex(&g, &best.0, cancel)?;
        let improved = next.1 < best.1 - F_TOL * (1.0 + best.1.abs());
        if next.1 < best.1 {
            best = next;
        }
        if !improved {
            break;
        }
    }
    Ok(best)
}

/// One Nelder–Mead run from a simplex around `x0`.
fn simplex(f: &impl Fn(&[f64]) -> f64, x0: &[f64], cancel: &AtomicBool) -> Result<(Vec<f64>, f64), ArgError> {
    let n = x0.len();
    let mut pts: Vec<(Vec<f64>, f64)> = (0..=n)
        .map(|i| {
            let mut x = x0.to_vec();
            if i > 0 {
                x[i - 1] += STEP;
            }
            let v = f(&x);
            (x, v)
        })
        .collect();
    let mut evals = n + 1;
    while evals < MAX_EVALS {
        check_cancel(cancel)?;
        pts.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (lo, hi) = (pts[0].1, pts[n].1);
        if hi - lo <= F_TOL * (1.0 + lo.abs()) {
            break;
        }
        let centroid: Vec<f64> = (0..n).map(|d| pts[..n].iter().map(|p| p.0[d]).sum::<f64>() / n as f64).collect();
        // The point at `t` times the way from the worst vertex through the centroid.
        let along = |t: f64| -> (Vec<f64>, f64) {
            let x: Vec<f64> = centroid.iter().zip(&pts[n].0).map(|(c, w)| c + t * (c - w)).collect();
            let v = f(&x);
            (x, v)
        };
        let reflected = along(1.0);
        evals += 1;
        if reflected.1 < lo {
            let expanded = along(2.0);
            evals += 1;
            pts[n] = if expanded.1 < reflected.1 { expanded } else { reflected };
        } else if reflected.1 < pts[n - 1].1 {
            pts[n] = reflected;
        } else {
            // Outside contraction if the reflection helped at all, inside otherwise.
            let contracted = along(if reflected.1 < hi { 0.5 } else { -0.5 });
            evals += 1;
            if contracted.1 < reflected.1.min(hi) {
                pts[n] = contracted;
            } else {
                let best = pts[0].0.clone();
                for p in &mut pts[1..] {
                    p.0 = p.0.iter().zip(&best).map(|(x, b)| b + 0.5 * (x - b)).collect();
                    p.1 = f(&p.0);
                }
                evals += n;
            }
        }
    }
    Ok(pts.into_iter().min_by(|a, b| a.1.total_cmp(&b.1)).expect("a simplex has vertices"))
}
