//! A global model: one gradient-boosted regression tree ensemble trained across many
//! series at once, so that products with a short history borrow the patterns (weekly
//! shape, promotion lift, price response, behaviour of young products) of the others.
//!
//! # Design
//!
//! * **Pooling by scale.** Every value is divided by the series' *scale* at that point in
//!   time: the mean absolute value of the last `scale_window` observations (falling back
//!   to the whole history when those are all zero). The scale is causal (computed from the
//!   history before the target only), so training rows and forecast rows see the same
//!   definition; the model predicts `y_t / scale_t` and the forecast multiplies back.
//!   Series whose history is all zero have no scale: they forecast zero, and they
//!   contribute no training rows.
//! * **Features** of a target period `t`: scaled lags (default 1–7, 14, 21, 28; missing
//!   when the history is shorter), scaled rolling means (7, 28), the mean of the same
//!   weekday over the last four weeks, the share of zeros in the scale window
//!   (intermittency), log10 of the scale, the age of the series (periods of history),
//!   calendar (day of week, day of month, month, day of year of the target date), the
//!   price as a ratio to the series' mean price, and the promotion value. Missing values
//!   are NaN and get their own histogram bin; each split learns which side they go.
//! * **Learner.** Histogram-based gradient boosting (squared error, depth-limited trees,
//!   learning rate, L2 leaf penalty, row subsampling, features binned at quantiles into
//!   at most 255 bins, histogram subtraction for the larger child), written here rather
//!   than taken from crates.io: linfa-trees 0.8 fits single classification trees only and
//!   linfa has no boosting, and smartcore 0.4's `RandomForestRegressor` (exact splits)
//!   took 14 s for 20 depth-10 trees on 100k rows × 22 features on our machine, which
//!   extrapolates to many minutes at the 500k-row cap. Owning the learner also fixes the
//!   serialized format and makes results reproducible: training is deterministic for a
//!   seed, independent of the thread count (histograms are summed per fixed-size chunk
//!   in chunk order).
//! * **Training rows** are every (series, t ≥ 1) with a non-zero scale, sampled uniformly
//!   without replacement down to `max_rows` (default 500,000), seeded.
//! * **Multi-step forecasts are recursive**: each step's prediction is appended to the
//!   history and feeds the next step's lags, rolling means and scale. Exogenous values for
//!   future periods are read from `price`/`promo` past the end of `y` when given, else the
//!   last known value persists.
//! * **Intervals are empirical (split-conformal-like).** `fit` first trains the same
//!   ensemble on every series minus its last `calibration_horizon` periods, forecasts
//!   those periods recursively, and keeps, per horizon step, quantiles of the residuals
//!   divided by each series' *noise unit* (mean absolute seasonal difference over the last
//!   `2 · scale_window` periods, so a residual of 1 is "one typical seasonal change").
//!   Separate tables are kept for young and mature series when each has enough series.
//!   The final model is then retrained on all data. A step beyond the calibration horizon
//!   uses the last step's quantiles. Non-negative histories get non-negative forecasts and
//!   bounds, as in [`super::forecast`].
//! * **Per-series choice.** [`choose`] compares, series by series, the calibration
//!   model's out-of-sample forecast of the held-out periods with a per-series model
//!   (e.g. `Auto`, itself picked by rolling-origin backtest) fitted on the same training
//!   part, and keeps the lower error. One origin only: each further origin would cost
//!   another global fit.
//!
//! The fitted model serializes to a compact, versioned binary ([`GlobalModel::to_bytes`])
//! ending in a SHA-256 of its content; [`GlobalModel::from_bytes`] rejects anything that
//! does not check out with an error (never a panic).

use super::{metrics, Forecast, ForecastError, Interval, MAX_HORIZON};
pub use crate::calendar::Grain;
use crate::rng::Rng;
use chrono::{Datelike, Days, Months, NaiveDate};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// One series: history oldest first, the date of its first period, and optional
/// exogenous regressors aligned with `y`. `price` and `promo` may be longer than `y`:
/// the extra values are the known future (planned prices, scheduled promotions); past
/// their end the last known value is assumed to persist. NaN marks an unknown value.
#[derive(Clone, Copy, Debug)]
pub struct SeriesInput<'a> {
    pub y: &'a [f64],
    pub start: NaiveDate,
    pub price: Option<&'a [f64]>,
    pub promo: Option<&'a [f64]>,
}

impl<'a> SeriesInput<'a> {
    /// A series without exogenous regressors.
    pub fn new(y: &'a [f64], start: NaiveDate) -> Self {
        SeriesInput { y, start, price: None, promo: None }
    }

    /// The same series cut to its first `n` observations (exogenous values are kept
    /// whole: beyond `n` they act as known future values).
    pub fn truncated(&self, n: usize) -> Self {
        SeriesInput { y: &self.y[..n.min(self.y.len())], ..*self }
    }
}

/// Training settings. Start from [`GlobalOptions::daily`], `weekly` or `monthly`.
#[derive(Clone, Debug)]
pub struct GlobalOptions {
    pub grain: Grain,
    /// Lags (in periods) used as features.
    pub lags: Vec<usize>,
    /// Rolling-mean windows (in periods).
    pub windows: Vec<usize>,
    /// Season length for the same-season mean (mean of lags m, 2m, 3m, 4m) and for the
    /// noise unit of the intervals; `None` for none.
    pub season: Option<usize>,
    /// Observations averaged for the scale.
    pub scale_window: usize,
    /// Boosting rounds.
    pub trees: usize,
    pub learning_rate: f64,
    pub max_depth: usize,
    /// Fewest training rows in a leaf.
    pub min_leaf: usize,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// Histogram bins per feature, 2 to 255.
    pub bins: usize,
    /// Cap on training rows (sampled uniformly when there are more).
    pub max_rows: usize,
    /// Share of the training rows each tree sees, in (0, 1].
    pub subsample: f64,
    /// Periods held out at the end of every series to calibrate intervals.
    pub calibration_horizon: usize,
    pub seed: u64,
    pub threads: usize,
}

impl GlobalOptions {
    pub fn daily() -> Self {
        GlobalOptions {
            grain: Grain::Day,
            lags: vec![1, 2, 3, 4, 5, 6, 7, 14, 21, 28],
            windows: vec![7, 28],
            season: Some(7),
            scale_window: 28,
            trees: 200,
            learning_rate: 0.1,
            max_depth: 6,
            min_leaf: 50,
            lambda: 1.0,
            bins: 64,
            max_rows: 500_000,
            subsample: 0.7,
            calibration_horizon: 28,
            seed: 1,
            threads: 2,
        }
    }

    pub fn weekly() -> Self {
        GlobalOptions {
            grain: Grain::Week,
            lags: vec![1, 2, 3, 4, 8, 13, 26, 52],
            windows: vec![4, 13],
            season: Some(52),
            scale_window: 13,
            calibration_horizon: 13,
            ..Self::daily()
        }
    }

    pub fn monthly() -> Self {
        GlobalOptions {
            grain: Grain::Month,
            lags: vec![1, 2, 3, 6, 12],
            windows: vec![3, 12],
            season: Some(12),
            scale_window: 12,
            calibration_horizon: 6,
            ..Self::daily()
        }
    }

    fn validate(&self) -> Result<(), ForecastError> {
        let bad = |argument: &'static str, message: String, hint: &'static str| {
            Err(ForecastError::new(argument, message, hint))
        };
        let period = |v: usize| (1..=MAX_PERIOD).contains(&v);
        if self.lags.is_empty() || !self.lags.iter().all(|l| period(*l)) {
            return bad(
                "lags",
                format!("{:?}: need at least one lag, each 1 to {MAX_PERIOD}", self.lags),
                "Pass lags in periods, e.g. '{1,2,3,4,5,6,7,14,28}'.",
            );
        }
        if !self.windows.iter().all(|w| period(*w))
            || !self.season.is_none_or(|m| (2..=MAX_PERIOD).contains(&m))
            || !period(self.scale_window)
        {
            return bad(
                "windows",
                format!(
                    "windows {:?}, season {:?}, scale window {}: each must be 1 to {MAX_PERIOD} (a season at least 2)",
                    self.windows, self.season, self.scale_window
                ),
                "Use periods, e.g. windows '{7,28}' and season 7 for daily data.",
            );
        }
        if self.trees == 0 || self.trees > 100_000 || self.max_depth == 0 || self.max_depth > 16 || self.min_leaf == 0 {
            return bad("trees", format!("{} trees of depth {} with leaves of {}: need 1 to 100000 trees, depth 1 to 16, leaves of at least 1", self.trees, self.max_depth, self.min_leaf), "The defaults (200 trees, depth 6) suit most panels.");
        }
        let in_unit = |v: f64| v > 0.0 && v <= 1.0;
        if !(in_unit(self.learning_rate) && in_unit(self.subsample) && self.lambda >= 0.0 && self.lambda.is_finite()) {
            return bad(
                "learning_rate",
                format!(
                    "learning rate {}, lambda {}, subsample {}: need 0 < rate ≤ 1, lambda ≥ 0, 0 < subsample ≤ 1",
                    self.learning_rate, self.lambda, self.subsample
                ),
                "The defaults are 0.1, 1 and 0.7.",
            );
        }
        if !(2..=255).contains(&self.bins) || self.max_rows < 100 {
            return bad(
                "bins",
                format!("{} bins, {} rows: need 2 to 255 bins and at least 100 rows", self.bins, self.max_rows),
                "The defaults are 64 bins and 500000 rows.",
            );
        }
        if self.calibration_horizon == 0 || self.calibration_horizon > MAX_HORIZON {
            return bad(
                "calibration_horizon",
                format!("{} is out of range: allowed 1 to {MAX_HORIZON}", self.calibration_horizon),
                "Hold out about the horizon you forecast, e.g. 28 days.",
            );
        }
        Ok(())
    }
}

/// Longest lag, window or season accepted (and checked again when loading a model).
const MAX_PERIOD: usize = 10_000;
/// Quantile grid of the residual tables: probabilities 0, 1/200, …, 1.
const QGRID: usize = 201;
/// Rows per histogram chunk: partial histograms are summed in chunk order, so results do
/// not depend on the number of threads.
const CHUNK: usize = 16_384;
/// Stride of a feature's histogram (bin 0 is "missing", 1..=255 values).
const STRIDE: usize = 256;
/// Fewest series for a separate interval table of young or mature series.
const MIN_BUCKET_SERIES: usize = 30;

/// The feature layout, shared by training and forecasting and stored in the model.
#[derive(Clone, Debug, PartialEq)]
struct Spec {
    grain: Grain,
    lags: Vec<usize>,
    windows: Vec<usize>,
    season: Option<usize>,
    scale_window: usize,
}

const EXTRA_FEATURES: usize = 11; // season mean, zeros, log scale, age, 4 calendar, price, promo, promo lag

impl Spec {
    fn n_features(&self) -> usize {
        self.lags.len() + self.windows.len() + EXTRA_FEATURES
    }

    fn date(&self, start: NaiveDate, t: usize) -> Option<NaiveDate> {
        match self.grain {
            Grain::Day => start.checked_add_days(Days::new(t as u64)),
            Grain::Week => start.checked_add_days(Days::new(7 * t as u64)),
            Grain::Month => u32::try_from(t).ok().and_then(|m| start.checked_add_months(Months::new(m))),
        }
    }

    /// Features of target period `t` from `hist[..t]` (which must hold at least `t`
    /// values) at scale `scale > 0`.
    fn features(&self, hist: &[f64], t: usize, scale: f64, start: NaiveDate, exo: &Exo, out: &mut [f64]) {
        let inv = 1.0 / scale;
        let mut k = 0;
        let mut put = |v: f64| {
            out[k] = v;
            k += 1;
        };
        for &lag in &self.lags {
            put(if t >= lag { hist[t - lag] * inv } else { f64::NAN });
        }
        for &w in &self.windows {
            let len = w.min(t);
            put(if len == 0 { f64::NAN } else { hist[t - len..t].iter().sum::<f64>() / len as f64 * inv });
        }
        put(match self.season {
            Some(m) => {
                let vals: Vec<f64> = (1..=4).filter(|j| t >= j * m).map(|j| hist[t - j * m]).collect();
                if vals.is_empty() {
                    f64::NAN
                } else {
                    vals.iter().sum::<f64>() / vals.len() as f64 * inv
                }
            }
            None => f64::NAN,
        });
        let len = self.scale_window.min(t);
        put(if len == 0 {
            f64::NAN
        } else {
            hist[t - len..t].iter().filter(|v| **v == 0.0).count() as f64 / len as f64
        });
        put(scale.log10());
        put(t.min(MAX_PERIOD) as f64);
        match self.date(start, t) {
            Some(d) => {
                put(d.weekday().num_days_from_monday() as f64);
                put(d.day() as f64);
                put(d.month() as f64);
                put(d.ordinal() as f64);
            }
            None => (0..4).for_each(|_| put(f64::NAN)),
        }
        put(exo.price_ratio(t));
        put(Exo::at(exo.promo, t));
        put(if t >= 1 { Exo::at(exo.promo, t - 1) } else { f64::NAN });
        debug_assert_eq!(k, self.n_features());
    }
}

/// Causal scale at `t`: mean absolute value of the last `w` observations before `t`,
/// else of all of them; 0 when they are all zero (or there are none).
fn scale_at(hist: &[f64], t: usize, w: usize) -> f64 {
    let recent = &hist[t - w.min(t)..t];
    let s = recent.iter().map(|v| v.abs()).sum::<f64>();
    if s > 0.0 {
        return s / recent.len() as f64;
    }
    if t == 0 {
        return 0.0;
    }
    hist[..t].iter().map(|v| v.abs()).sum::<f64>() / t as f64
}

/// Noise unit at the end of `hist`: mean absolute seasonal difference (lag-1 when the
/// history is too short for the season) over the last `w` observations; the scale when
/// that is zero or undefined.
fn noise_unit(hist: &[f64], season: Option<usize>, w: usize, scale: f64) -> f64 {
    let n = hist.len();
    let from = n - w.min(n);
    let m = season.filter(|m| n >= m + 4).unwrap_or(1);
    let (sum, cnt) = (from.max(m)..n).fold((0.0, 0usize), |(s, c), j| (s + (hist[j] - hist[j - m]).abs(), c + 1));
    let u = if cnt == 0 { 0.0 } else { sum / cnt as f64 };
    if u > 0.0 {
        u
    } else {
        scale
    }
}

/// Exogenous values of one series.
struct Exo<'a> {
    price: Option<&'a [f64]>,
    promo: Option<&'a [f64]>,
    /// Mean of the known positive prices of the history (NaN without any).
    typical_price: f64,
}

impl<'a> Exo<'a> {
    fn new(s: &SeriesInput<'a>) -> Self {
        let n = s.y.len();
        let typical_price = s
            .price
            .map(|p| {
                let known: Vec<f64> =
                    p[..n.min(p.len())].iter().copied().filter(|v| v.is_finite() && *v > 0.0).collect();
                if known.is_empty() {
                    f64::NAN
                } else {
                    known.iter().sum::<f64>() / known.len() as f64
                }
            })
            .unwrap_or(f64::NAN);
        Exo { price: s.price, promo: s.promo, typical_price }
    }

    /// Value at `t`, or the last finite value when `t` is past the end.
    fn at(v: Option<&[f64]>, t: usize) -> f64 {
        let Some(v) = v else { return f64::NAN };
        if t < v.len() {
            return if v[t].is_finite() { v[t] } else { f64::NAN };
        }
        v.iter().rev().copied().find(|x| x.is_finite()).unwrap_or(f64::NAN)
    }

    fn price_ratio(&self, t: usize) -> f64 {
        let p = Self::at(self.price, t);
        if self.typical_price.is_finite() && p > 0.0 {
            p / self.typical_price
        } else {
            f64::NAN
        }
    }
}

/// A tree node. Leaves have `feature == LEAF`. Internal nodes send a row left when its
/// value is `<= threshold`, or when it is NaN and `missing_left`.
#[derive(Clone, Debug, PartialEq)]
struct Node {
    feature: u32,
    threshold: f64,
    missing_left: bool,
    left: u32,
    right: u32,
    /// Leaf value (already multiplied by the learning rate).
    value: f64,
    /// Bin of `threshold` during training (not serialized).
    bin: u8,
}

const LEAF: u32 = u32::MAX;

fn tree_value(nodes: &[Node], x: &[f64]) -> f64 {
    let mut i = 0usize;
    loop {
        let n = &nodes[i];
        if n.feature == LEAF {
            return n.value;
        }
        let v = x[n.feature as usize];
        let left = if v.is_nan() { n.missing_left } else { v <= n.threshold };
        i = if left { n.left } else { n.right } as usize;
    }
}

fn tree_value_binned(nodes: &[Node], row: &[u8]) -> f64 {
    let mut i = 0usize;
    loop {
        let n = &nodes[i];
        if n.feature == LEAF {
            return n.value;
        }
        let b = row[n.feature as usize];
        let left = if b == 0 { n.missing_left } else { b <= n.bin };
        i = if left { n.left } else { n.right } as usize;
    }
}

/// Quantiles (on [`QGRID`]) of scaled residuals per horizon step, for series at least
/// `min_age` periods old at the forecast origin.
#[derive(Clone, Debug, PartialEq)]
struct ResidualTable {
    min_age: usize,
    series: usize,
    steps: Vec<Vec<f64>>,
}

impl ResidualTable {
    fn quantile(&self, step: usize, p: f64) -> f64 {
        let q = &self.steps[step.min(self.steps.len() - 1)];
        let pos = p.clamp(0.0, 1.0) * (QGRID - 1) as f64;
        let j = (pos.floor() as usize).min(QGRID - 2);
        let frac = pos - j as f64;
        q[j] + frac * (q[j + 1] - q[j])
    }
}

/// What the fit saw and how the calibration model did on the held-out periods.
#[derive(Clone, Debug, PartialEq)]
pub struct FitInfo {
    pub series: usize,
    pub training_rows: usize,
    /// Periods held out per series for the intervals (may be less than asked when every
    /// series is short).
    pub calibration_horizon: usize,
    pub calibration_series: usize,
    /// Mean over calibration series of the holdout MASE (scaled by the in-sample seasonal
    /// naive MAE) of the global model and of seasonal naive.
    pub holdout_mase: f64,
    pub holdout_mase_seasonal_naive: f64,
}

/// Out-of-sample forecast of one series' held-out periods by the calibration model, for
/// comparing the global model with per-series models at the same origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Holdout {
    /// Index of the first held-out period.
    pub origin: usize,
    pub point: Vec<f64>,
}

/// A fitted global model.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalModel {
    spec: Spec,
    base: f64,
    trees: Vec<Vec<Node>>,
    tables: Vec<ResidualTable>,
    pub info: FitInfo,
}

fn cancelled() -> ForecastError {
    ForecastError::new("cancel", "the fit was cancelled".into(), "Run it again without cancelling.")
}

fn check_series(s: &SeriesInput, i: Option<usize>) -> Result<(), ForecastError> {
    let which = i.map_or(String::new(), |i| format!("series {}: ", i + 1));
    if s.y.is_empty() {
        return Err(ForecastError::new("y", format!("{which}is empty"), "Pass at least one observation."));
    }
    if let Some(j) = s.y.iter().position(|v| !v.is_finite()) {
        return Err(ForecastError::new(
            "y",
            format!("{which}element {} is {}", j + 1, s.y[j]),
            "Replace NaN and infinite values before forecasting.",
        ));
    }
    for (name, v) in [("price", s.price), ("promo", s.promo)] {
        if let Some(v) = v {
            if v.len() < s.y.len() {
                return Err(ForecastError::new(
                    if name == "price" { "price" } else { "promo" },
                    format!("{which}has {} values for {} observations", v.len(), s.y.len()),
                    "Align exogenous values with y (NaN for unknown); values past the end of y are the known future.",
                ));
            }
        }
    }
    Ok(())
}

fn check_levels(horizon: usize, levels: &[f64]) -> Result<(), ForecastError> {
    super::Options { horizon, season_lengths: None, candidates: vec![], detect_seasons: false, levels: levels.to_vec() }
        .validate()
}

// ---------------------------------------------------------------------------------------
// Training data and gradient boosting.

/// Binned training matrix (row-major) and targets.
struct Matrix {
    nf: usize,
    bins: Vec<u8>,
    target: Vec<f64>,
    /// Per feature, the upper edge of each value bin but the last (`x <= edges[b-1]` ⇔ bin ≤ b).
    edges: Vec<Vec<f64>>,
}

/// The sampled training rows (series index, target period) of the series cut to `lens`,
/// in series order.
fn sample_rows(series: &[SeriesInput], lens: &[usize], spec: &Spec, max_rows: usize, seed: u64) -> Vec<(u32, u32)> {
    let total: usize = lens.iter().map(|n| n.saturating_sub(1)).sum();
    let p = (max_rows as f64 / total.max(1) as f64).min(1.0);
    let mut rng = Rng::derive(seed, 0x5A4D);
    let mut rows = Vec::with_capacity(max_rows.min(total));
    for (i, (s, &n)) in series.iter().zip(lens).enumerate() {
        for t in 1..n {
            if (p >= 1.0 || rng.chance(p)) && scale_at(s.y, t, spec.scale_window) > 0.0 {
                rows.push((i as u32, t as u32));
            }
        }
    }
    if rows.len() > max_rows {
        // Chance overshoot: drop a seeded random subset.
        for k in 0..max_rows {
            let j = k + (rng.next_u64() % (rows.len() - k) as u64) as usize;
            rows.swap(k, j);
        }
        rows.truncate(max_rows);
        rows.sort_unstable();
    }
    rows
}

fn build_matrix(
    series: &[SeriesInput],
    lens: &[usize],
    spec: &Spec,
    opts: &GlobalOptions,
    cancel: &AtomicBool,
) -> Result<Matrix, ForecastError> {
    let rows = sample_rows(series, lens, spec, opts.max_rows, opts.seed);
    if rows.is_empty() {
        return Err(ForecastError::new(
            "series",
            "no training rows: every series is all zero or has a single value".into(),
            "Pass series with at least two observations, some non-zero.",
        ));
    }
    let nf = spec.n_features();
    let exos: Vec<Exo> = series.iter().zip(lens).map(|(s, &n)| Exo::new(&s.truncated(n))).collect();
    let feat = |&(i, t): &(u32, u32), out: &mut [f64]| {
        let (s, t) = (&series[i as usize], t as usize);
        let scale = scale_at(s.y, t, spec.scale_window);
        spec.features(s.y, t, scale, s.start, &exos[i as usize], out);
        s.y[t] / scale
    };
    // Bin edges from an evenly spaced sample of at most 50,000 rows.
    let stride = rows.len().div_ceil(50_000);
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); nf];
    let mut x = vec![0.0; nf];
    for r in rows.iter().step_by(stride) {
        feat(r, &mut x);
        for (c, v) in cols.iter_mut().zip(&x) {
            if !v.is_nan() {
                c.push(*v);
            }
        }
    }
    let edges: Vec<Vec<f64>> = cols
        .into_iter()
        .map(|mut c| {
            c.sort_by(f64::total_cmp);
            c.dedup();
            if c.len() <= opts.bins {
                c.pop(); // the largest value needs no upper edge
                c
            } else {
                let mut e: Vec<f64> = (1..opts.bins).map(|b| c[b * c.len() / opts.bins]).collect();
                e.dedup();
                e
            }
        })
        .collect();
    let mut bins = vec![0u8; rows.len() * nf];
    let mut target = Vec::with_capacity(rows.len());
    for (k, r) in rows.iter().enumerate() {
        if k % 65_536 == 0 && cancel.load(Ordering::Relaxed) {
            return Err(cancelled());
        }
        target.push(feat(r, &mut x));
        for (f, v) in x.iter().enumerate() {
            bins[k * nf + f] = if v.is_nan() { 0 } else { 1 + edges[f].partition_point(|e| e < v) as u8 };
        }
    }
    Ok(Matrix { nf, bins, target, edges })
}

/// Gradient sums and counts per (feature, bin), interleaved (`[g, count]`) so an update
/// touches one cache line.
#[derive(Clone)]
struct Hist(Vec<[f64; 2]>);

impl Hist {
    fn zero(nf: usize) -> Self {
        Hist(vec![[0.0; 2]; nf * STRIDE])
    }

    fn add(&mut self, o: &Hist) {
        self.0.iter_mut().zip(&o.0).for_each(|(a, b)| {
            a[0] += b[0];
            a[1] += b[1];
        });
    }

    fn minus(&self, o: &Hist) -> Hist {
        Hist(self.0.iter().zip(&o.0).map(|(a, b)| [a[0] - b[0], a[1] - b[1]]).collect())
    }

    fn g(&self, k: usize) -> f64 {
        self.0[k][0]
    }

    fn c(&self, k: usize) -> u32 {
        self.0[k][1] as u32
    }
}

struct Booster<'a> {
    m: &'a Matrix,
    opts: &'a GlobalOptions,
    grad: Vec<f64>,
}

impl Booster<'_> {
    fn hist_chunk(&self, rows: &[u32]) -> Hist {
        let nf = self.m.nf;
        let mut h = Hist::zero(nf);
        for &r in rows {
            let (row, g) = (&self.m.bins[r as usize * nf..(r as usize + 1) * nf], self.grad[r as usize]);
            for (f, &b) in row.iter().enumerate() {
                let cell = &mut h.0[f * STRIDE + b as usize];
                cell[0] += g;
                cell[1] += 1.0;
            }
        }
        h
    }

    fn hist(&self, rows: &[u32]) -> Hist {
        let chunks: Vec<&[u32]> = rows.chunks(CHUNK).collect();
        let threads = self.opts.threads.clamp(1, chunks.len().max(1));
        if threads == 1 {
            let mut h = Hist::zero(self.m.nf);
            chunks.iter().for_each(|c| h.add(&self.hist_chunk(c)));
            return h;
        }
        let mut parts: Vec<Option<Hist>> = vec![None; chunks.len()];
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|k| {
                    let chunks = &chunks;
                    s.spawn(move || {
                        (k..chunks.len()).step_by(threads).map(|j| (j, self.hist_chunk(chunks[j]))).collect::<Vec<_>>()
                    })
                })
                .collect();
            for h in handles {
                for (j, p) in h.join().expect("histogram worker") {
                    parts[j] = Some(p);
                }
            }
        });
        let mut h = Hist::zero(self.m.nf);
        parts.iter().flatten().for_each(|p| h.add(p));
        h
    }

    /// Best split of a node: (gain, feature, bin, missing_left, left gradient sum, left count).
    fn best_split(&self, h: &Hist, g: f64, n: u32) -> Option<(f64, usize, u8, bool, f64, u32)> {
        let (lambda, min_leaf) = (self.opts.lambda, self.opts.min_leaf as u32);
        let parent = g * g / (n as f64 + lambda);
        let mut best: Option<(f64, usize, u8, bool, f64, u32)> = None;
        for f in 0..self.m.nf {
            let base = f * STRIDE;
            let (mg, mc) = (h.g(base), h.c(base));
            let value_bins = self.m.edges[f].len() + 1;
            let (mut cg, mut cc) = (0.0, 0u32);
            for b in 1..value_bins {
                cg += h.g(base + b);
                cc += h.c(base + b);
                for missing_left in [false, true] {
                    if missing_left && mc == 0 {
                        continue;
                    }
                    let (lg, lc) = if missing_left { (cg + mg, cc + mc) } else { (cg, cc) };
                    let (rg, rc) = (g - lg, n - lc);
                    if lc < min_leaf || rc < min_leaf {
                        continue;
                    }
                    let gain = lg * lg / (lc as f64 + lambda) + rg * rg / (rc as f64 + lambda) - parent;
                    if gain > 1e-12 && best.is_none_or(|bst| gain > bst.0) {
                        best = Some((gain, f, b as u8, missing_left, lg, lc));
                    }
                }
            }
        }
        best
    }

    fn tree(&self, rows: &mut [u32]) -> Vec<Node> {
        let nf = self.m.nf;
        let leaf = |g: f64, n: u32| Node {
            feature: LEAF,
            threshold: 0.0,
            missing_left: false,
            left: 0,
            right: 0,
            value: -g / (n as f64 + self.opts.lambda) * self.opts.learning_rate,
            bin: 0,
        };
        let root = self.hist(rows);
        let (g, n) = ((0..STRIDE).map(|k| root.g(k)).sum::<f64>(), (0..STRIDE).map(|k| root.c(k)).sum::<u32>());
        let mut nodes = vec![leaf(g, n)];
        let mut stack = vec![(0usize, 0usize, rows.len(), root, g, n, 0usize)];
        while let Some((id, lo, hi, h, g, n, depth)) = stack.pop() {
            nodes[id] = leaf(g, n);
            if depth >= self.opts.max_depth || n < 2 * self.opts.min_leaf as u32 {
                continue;
            }
            let Some((_, f, b, missing_left, lg, lc)) = self.best_split(&h, g, n) else { continue };
            let goes_left = |r: &u32| {
                let v = self.m.bins[*r as usize * nf + f];
                if v == 0 {
                    missing_left
                } else {
                    v <= b
                }
            };
            let (l, r): (Vec<u32>, Vec<u32>) = rows[lo..hi].iter().partition(|r| goes_left(r));
            let mid = lo + l.len();
            rows[lo..mid].copy_from_slice(&l);
            rows[mid..hi].copy_from_slice(&r);
            debug_assert_eq!(l.len() as u32, lc);
            let (li, ri) = (nodes.len(), nodes.len() + 1);
            nodes.push(leaf(0.0, 1));
            nodes.push(leaf(0.0, 1));
            nodes[id] = Node {
                feature: f as u32,
                threshold: self.m.edges[f][b as usize - 1],
                missing_left,
                left: li as u32,
                right: ri as u32,
                value: 0.0,
                bin: b,
            };
            let (hl, hr) = if l.len() <= r.len() {
                let hl = self.hist(&rows[lo..mid]);
                let hr = h.minus(&hl);
                (hl, hr)
            } else {
                let hr = self.hist(&rows[mid..hi]);
                (h.minus(&hr), hr)
            };
            drop(h);
            stack.push((ri, mid, hi, hr, g - lg, n - lc, depth + 1));
            stack.push((li, lo, mid, hl, lg, lc, depth + 1));
        }
        nodes
    }
}

fn boost(m: &Matrix, opts: &GlobalOptions, cancel: &AtomicBool) -> Result<(f64, Vec<Vec<Node>>), ForecastError> {
    let n = m.target.len();
    let base = m.target.iter().sum::<f64>() / n as f64;
    let mut pred = vec![base; n];
    let mut b = Booster { m, opts, grad: vec![0.0; n] };
    let mut rng = Rng::derive(opts.seed, 0xB005);
    let take = ((n as f64 * opts.subsample).round() as usize).clamp(1, n);
    let mut trees = Vec::with_capacity(opts.trees);
    let mut rows: Vec<u32> = Vec::with_capacity(take);
    for _ in 0..opts.trees {
        if cancel.load(Ordering::Relaxed) {
            return Err(cancelled());
        }
        // Selection sampling (Knuth's Algorithm S): `take` rows without replacement, in
        // memory order for the histogram passes.
        rows.clear();
        for r in 0..n {
            if ((n - r) as f64 * rng.f64()) < (take - rows.len()) as f64 {
                rows.push(r as u32);
            }
        }
        for &r in &rows {
            b.grad[r as usize] = pred[r as usize] - m.target[r as usize];
        }
        let tree = b.tree(&mut rows);
        let threads = opts.threads.max(1);
        let per = n.div_ceil(threads);
        std::thread::scope(|s| {
            for (k, chunk) in pred.chunks_mut(per).enumerate() {
                let (tree, bins, nf) = (&tree, &m.bins, m.nf);
                s.spawn(move || {
                    for (j, p) in chunk.iter_mut().enumerate() {
                        let r = k * per + j;
                        *p += tree_value_binned(tree, &bins[r * nf..(r + 1) * nf]);
                    }
                });
            }
        });
        trees.push(tree);
    }
    // Bins only matter during training; the model keeps raw thresholds.
    trees.iter_mut().flatten().for_each(|n| n.bin = 0);
    Ok((base, trees))
}

// ---------------------------------------------------------------------------------------
// Fitting, forecasting.

impl GlobalModel {
    fn predict_scaled(&self, x: &[f64]) -> f64 {
        self.base + self.trees.iter().map(|t| tree_value(t, x)).sum::<f64>()
    }

    /// Recursive point forecast; `None` when the history is all zero.
    fn point_path(&self, s: &SeriesInput, horizon: usize) -> Option<Vec<f64>> {
        let n = s.y.len();
        if scale_at(s.y, n, self.spec.scale_window) == 0.0 {
            return None;
        }
        let nonneg = s.y.iter().all(|v| *v >= 0.0);
        let exo = Exo::new(s);
        let mut hist = Vec::with_capacity(n + horizon);
        hist.extend_from_slice(s.y);
        let mut x = vec![0.0; self.spec.n_features()];
        for t in n..n + horizon {
            let scale = scale_at(&hist, t, self.spec.scale_window);
            if scale == 0.0 {
                hist.push(0.0);
                continue;
            }
            self.spec.features(&hist, t, scale, s.start, &exo, &mut x);
            let mut v = self.predict_scaled(&x) * scale;
            if nonneg {
                v = v.max(0.0);
            }
            hist.push(v);
        }
        Some(hist.split_off(n))
    }

    /// Trains on every series (see the module documentation for the procedure).
    pub fn fit(
        series: &[SeriesInput],
        opts: &GlobalOptions,
        cancel: &AtomicBool,
    ) -> Result<GlobalModel, ForecastError> {
        Self::fit_with_holdout(series, opts, cancel).map(|(m, _)| m)
    }

    /// [`GlobalModel::fit`], also returning each series' out-of-sample forecast of its
    /// held-out last periods by the calibration model (`None` for series too short to
    /// hold any out), so callers can compare it with per-series models at that origin.
    pub fn fit_with_holdout(
        series: &[SeriesInput],
        opts: &GlobalOptions,
        cancel: &AtomicBool,
    ) -> Result<(GlobalModel, Vec<Option<Holdout>>), ForecastError> {
        opts.validate()?;
        if series.is_empty() {
            return Err(ForecastError::new("series", "is empty".into(), "Pass at least one series."));
        }
        for (i, s) in series.iter().enumerate() {
            check_series(s, Some(i))?;
        }
        let spec = Spec {
            grain: opts.grain,
            lags: opts.lags.clone(),
            windows: opts.windows.clone(),
            season: opts.season,
            scale_window: opts.scale_window,
        };
        let longest = series.iter().map(|s| s.y.len()).max().unwrap_or(0);
        if longest < 3 {
            return Err(ForecastError::new(
                "series",
                format!("the longest has {longest} observations"),
                "Pass at least one series with 3 or more observations.",
            ));
        }
        let h = opts.calibration_horizon.min(longest / 2);
        // Calibration model: every series without its last h periods.
        let cut: Vec<usize> = series.iter().map(|s| s.y.len().saturating_sub(h)).collect();
        let m = build_matrix(series, &cut, &spec, opts, cancel)?;
        let (base, trees) = boost(&m, opts, cancel)?;
        drop(m);
        let calib = GlobalModel { spec: spec.clone(), base, trees, tables: vec![], info: empty_info() };
        let eligible: Vec<usize> = (0..series.len()).filter(|&i| cut[i] >= 1).collect();
        let paths = run_parallel(eligible.len(), opts.threads, cancel, |k| {
            let i = eligible[k];
            let train = series[i].truncated(cut[i]);
            calib.point_path(&train, h).unwrap_or_else(|| vec![0.0; h])
        })
        .ok_or_else(cancelled)?;
        // Residual tables, per age bucket.
        let young_below = 3 * opts.scale_window;
        let mut res: [Vec<Vec<f64>>; 2] = [vec![Vec::new(); h], vec![Vec::new(); h]];
        let mut counts = [0usize; 2];
        let (mut mase_g, mut mase_n, mut scored) = (0.0, 0.0, 0usize);
        let mut holdouts: Vec<Option<Holdout>> = vec![None; series.len()];
        for (&i, path) in eligible.iter().zip(paths) {
            let (train, test) = series[i].y.split_at(cut[i]);
            let scale = scale_at(train, train.len(), opts.scale_window);
            if scale > 0.0 {
                let u = noise_unit(train, opts.season, 2 * opts.scale_window, scale);
                let bucket = (train.len() >= young_below) as usize;
                counts[bucket] += 1;
                for (step, (a, p)) in test.iter().zip(&path).enumerate() {
                    res[bucket][step].push((a - p) / u);
                }
            }
            let d = metrics::naive_scale(train, opts.season.unwrap_or(1));
            if d.is_finite() && d > 0.0 {
                let sn = super::models::seasonal_naive(train, opts.season.unwrap_or(1), h, &[]).point;
                mase_g += test.iter().zip(&path).map(|(a, p)| (a - p).abs()).sum::<f64>() / h as f64 / d;
                mase_n += test.iter().zip(&sn).map(|(a, p)| (a - p).abs()).sum::<f64>() / h as f64 / d;
                scored += 1;
            }
            holdouts[i] = Some(Holdout { origin: cut[i], point: path });
        }
        let table = |min_age: usize, series: usize, steps: Vec<Vec<f64>>| ResidualTable {
            min_age,
            series,
            steps: steps.into_iter().map(quantile_grid).collect(),
        };
        let tables = if counts[0] >= MIN_BUCKET_SERIES && counts[1] >= MIN_BUCKET_SERIES {
            let [young, mature] = res;
            vec![table(0, counts[0], young), table(young_below, counts[1], mature)]
        } else {
            let [mut young, mature] = res;
            young.iter_mut().zip(mature).for_each(|(a, b)| a.extend(b));
            vec![table(0, counts[0] + counts[1], young)]
        };
        if tables[0].series == 0 {
            return Err(ForecastError::new(
                "series",
                "no series has enough non-zero history to calibrate intervals".into(),
                "Pass some series with non-zero values before their last periods.",
            ));
        }
        // Final model on all data.
        let lens: Vec<usize> = series.iter().map(|s| s.y.len()).collect();
        let m = build_matrix(series, &lens, &spec, opts, cancel)?;
        let (base, trees) = boost(&m, opts, cancel)?;
        let info = FitInfo {
            series: series.len(),
            training_rows: m.target.len(),
            calibration_horizon: h,
            calibration_series: tables.iter().map(|t| t.series).sum(),
            holdout_mase: mase_g / scored as f64,
            holdout_mase_seasonal_naive: mase_n / scored as f64,
        };
        Ok((GlobalModel { spec, base, trees, tables, info }, holdouts))
    }

    /// Forecasts one series (which need not have been in the training panel) `horizon`
    /// periods ahead, with intervals at `levels` (percent).
    pub fn forecast(&self, s: &SeriesInput, horizon: usize, levels: &[f64]) -> Result<Forecast, ForecastError> {
        check_levels(horizon, levels)?;
        check_series(s, None)?;
        let Some(point) = self.point_path(s, horizon) else {
            let zero = vec![0.0; horizon];
            return Ok(Forecast {
                intervals: levels
                    .iter()
                    .map(|&level| Interval { level, lower: zero.clone(), upper: zero.clone() })
                    .collect(),
                point: zero,
                model: "global_gbm (all-zero history)".into(),
            });
        };
        let n = s.y.len();
        let scale = scale_at(s.y, n, self.spec.scale_window);
        let u = noise_unit(s.y, self.spec.season, 2 * self.spec.scale_window, scale);
        let table = self.tables.iter().rev().find(|t| n >= t.min_age).unwrap_or(&self.tables[0]);
        let nonneg = s.y.iter().all(|v| *v >= 0.0);
        let clip = |v: f64| if nonneg { v.max(0.0) } else { v };
        let intervals = levels
            .iter()
            .map(|&level| {
                let a = (1.0 - level / 100.0) / 2.0;
                let (lower, upper) = point
                    .iter()
                    .enumerate()
                    .map(|(k, p)| (clip(p + u * table.quantile(k, a)), clip(p + u * table.quantile(k, 1.0 - a))))
                    .unzip();
                Interval { level, lower, upper }
            })
            .collect();
        Ok(Forecast { point, intervals, model: "global_gbm".into() })
    }

    /// Forecasts many series on `threads` threads; `cancel` stops early (remaining
    /// results are `None`), `done` counts finished series.
    pub fn forecast_many(
        &self,
        series: &[SeriesInput],
        horizon: usize,
        levels: &[f64],
        threads: usize,
        cancel: &AtomicBool,
        done: &AtomicUsize,
    ) -> Vec<Option<Result<Forecast, ForecastError>>> {
        let next = AtomicUsize::new(0);
        let slots: Vec<std::sync::Mutex<Option<Result<Forecast, ForecastError>>>> =
            (0..series.len()).map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|sc| {
            for _ in 0..threads.max(1) {
                sc.spawn(|| loop {
                    if cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= series.len() {
                        break;
                    }
                    let r = self.forecast(&series[i], horizon, levels);
                    *slots[i].lock().expect("slot lock") = Some(r);
                    done.fetch_add(1, Ordering::Relaxed);
                });
            }
        });
        slots.into_iter().map(|s| s.into_inner().expect("slot lock")).collect()
    }
}

/// The per-series choice between the global model and the per-series models.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// True when the global model should forecast this series.
    pub global: bool,
    /// Holdout MASE of the global calibration model and of the per-series model (NaN
    /// without a holdout or when the series' in-sample seasonal naive error is zero).
    pub global_mase: f64,
    pub local_mase: f64,
    /// What the per-series side ran, e.g. `auto: mstl(7)`, or why it was not compared.
    pub local_model: String,
}

/// Chooses, per series, between the global model and `model` fitted on that series alone
/// (usually [`super::Model::Auto`], itself chosen by rolling-origin backtest among the
/// per-series candidates), by their errors on the same held-out periods: `holdouts` from
/// [`GlobalModel::fit_with_holdout`] are the global model's out-of-sample forecasts
/// there, and the per-series model is fitted on the same training part. Lower mean
/// absolute error wins; ties go to the per-series model. A series too short to hold
/// periods out gets the global model (that is what it is for). `opts.horizon` is
/// replaced by the holdout length. Runs on `threads` threads; `None` if cancelled.
pub fn choose(
    series: &[SeriesInput],
    holdouts: &[Option<Holdout>],
    model: super::Model,
    opts: &super::Options,
    season: Option<usize>,
    threads: usize,
    cancel: &AtomicBool,
) -> Option<Vec<Choice>> {
    run_parallel(series.len(), threads, cancel, |i| {
        let Some(Some(ho)) = holdouts.get(i) else {
            return Choice {
                global: true,
                global_mase: f64::NAN,
                local_mase: f64::NAN,
                local_model: "not compared: no holdout".into(),
            };
        };
        let y = series[i].y;
        let (train, test) = y.split_at(ho.origin.min(y.len()));
        let h = test.len().min(ho.point.len());
        if h == 0 {
            return Choice {
                global: true,
                global_mase: f64::NAN,
                local_mase: f64::NAN,
                local_model: "not compared: empty holdout".into(),
            };
        }
        let o = super::Options { horizon: h, ..opts.clone() };
        match super::forecast(train, model, &o) {
            Ok(f) => {
                let mae = |p: &[f64]| test[..h].iter().zip(p).map(|(a, p)| (a - p).abs()).sum::<f64>() / h as f64;
                let (g, l) = (mae(&ho.point[..h]), mae(&f.point));
                let d = metrics::naive_scale(train, season.unwrap_or(1));
                let d = if d > 0.0 { d } else { f64::NAN };
                Choice { global: g < l, global_mase: g / d, local_mase: l / d, local_model: f.model }
            }
            Err(e) => Choice {
                global: true,
                global_mase: f64::NAN,
                local_mase: f64::NAN,
                local_model: format!("not compared: {e}"),
            },
        }
    })
}

fn empty_info() -> FitInfo {
    FitInfo {
        series: 0,
        training_rows: 0,
        calibration_horizon: 0,
        calibration_series: 0,
        holdout_mase: f64::NAN,
        holdout_mase_seasonal_naive: f64::NAN,
    }
}

/// Quantiles at probabilities k/200 (linear interpolation between order statistics);
/// zeros for an empty sample.
fn quantile_grid(mut v: Vec<f64>) -> Vec<f64> {
    if v.is_empty() {
        return vec![0.0; QGRID];
    }
    v.sort_by(f64::total_cmp);
    (0..QGRID)
        .map(|k| {
            let pos = k as f64 / (QGRID - 1) as f64 * (v.len() - 1) as f64;
            let j = pos.floor() as usize;
            let frac = pos - j as f64;
            if j + 1 < v.len() {
                v[j] + frac * (v[j + 1] - v[j])
            } else {
                v[j]
            }
        })
        .collect()
}

/// Runs `f(0..n)` on `threads` threads, results in order; `None` if cancelled.
fn run_parallel<T: Send>(
    n: usize,
    threads: usize,
    cancel: &AtomicBool,
    f: impl Fn(usize) -> T + Sync,
) -> Option<Vec<T>> {
    super::parallel_map(n, threads, cancel, &AtomicUsize::new(0), f).into_iter().collect()
}

// ---------------------------------------------------------------------------------------
// Serialization: magic, version, little-endian payload, SHA-256 of all that.

const MAGIC: &[u8; 8] = b"C24GLOB\0";
const VERSION: u32 = 1;

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    fn usizes(&mut self, v: &[usize]) {
        self.u32(v.len() as u32);
        v.iter().for_each(|x| self.u64(*x as u64));
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

fn corrupt(what: &str) -> ForecastError {
    ForecastError::new(
        "model",
        format!("is not a valid saved global model: {what}"),
        "Pass bytes produced by to_bytes(); refit the model if it was saved by an incompatible version.",
    )
}

impl Reader<'_> {
    fn take(&mut self, k: usize) -> Result<&[u8], ForecastError> {
        let end = self.at.checked_add(k).filter(|e| *e <= self.b.len()).ok_or_else(|| corrupt("truncated"))?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, ForecastError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> Result<u64, ForecastError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn f64(&mut self) -> Result<f64, ForecastError> {
        self.u64().map(f64::from_bits)
    }
    /// A length prefix, refused when `elem` bytes each would overrun the input.
    fn len(&mut self, elem: usize) -> Result<usize, ForecastError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(elem) > self.b.len() - self.at {
            return Err(corrupt("length out of range"));
        }
        Ok(n)
    }
    fn usize(&mut self, max: usize) -> Result<usize, ForecastError> {
        let v = self.u64()?;
        if v > max as u64 {
            return Err(corrupt("value out of range"));
        }
        Ok(v as usize)
    }
    fn usizes(&mut self, max: usize) -> Result<Vec<usize>, ForecastError> {
        let n = self.len(8)?;
        (0..n).map(|_| self.usize(max)).collect()
    }
}

impl GlobalModel {
    /// Compact, versioned binary form (for a `bytea` column).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(MAGIC.to_vec());
        w.u32(VERSION);
        let s = &self.spec;
        w.u32(match s.grain {
            Grain::Day => 0,
            Grain::Week => 1,
            Grain::Month => 2,
        });
        w.usizes(&s.lags);
        w.usizes(&s.windows);
        w.u64(s.season.map_or(0, |m| m as u64));
        w.u64(s.scale_window as u64);
        w.f64(self.base);
        w.u32(self.trees.len() as u32);
        for t in &self.trees {
            w.u32(t.len() as u32);
            for n in t {
                w.u32(n.feature);
                if n.feature == LEAF {
                    w.f64(n.value);
                } else {
                    w.f64(n.threshold);
                    w.0.push(n.missing_left as u8);
                    w.u32(n.left);
                    w.u32(n.right);
                }
            }
        }
        w.u32(self.tables.len() as u32);
        for t in &self.tables {
            w.u64(t.min_age as u64);
            w.u64(t.series as u64);
            w.u32(t.steps.len() as u32);
            t.steps.iter().flatten().for_each(|q| w.f64(*q));
        }
        let i = &self.info;
        for v in [i.series, i.training_rows, i.calibration_horizon, i.calibration_series] {
            w.u64(v as u64);
        }
        w.f64(i.holdout_mase);
        w.f64(i.holdout_mase_seasonal_naive);
        let digest = Sha256::digest(&w.0);
        w.0.extend_from_slice(&digest);
        w.0
    }

    /// Reads [`GlobalModel::to_bytes`] output, checking the checksum and every index.
    pub fn from_bytes(bytes: &[u8]) -> Result<GlobalModel, ForecastError> {
        if bytes.len() < MAGIC.len() + 4 + 32 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(corrupt("no global-model header"));
        }
        let (body, digest) = bytes.split_at(bytes.len() - 32);
        let version = u32::from_le_bytes(body[8..12].try_into().expect("4 bytes"));
        if version != VERSION {
            return Err(corrupt(&format!("format version {version}, this build reads {VERSION}")));
        }
        if Sha256::digest(body).as_slice() != digest {
            return Err(corrupt("checksum mismatch"));
        }
        let mut r = Reader { b: body, at: 12 };
        let grain = match r.u32()? {
            0 => Grain::Day,
            1 => Grain::Week,
            2 => Grain::Month,
            _ => return Err(corrupt("unknown grain")),
        };
        let lags = r.usizes(MAX_PERIOD)?;
        let windows = r.usizes(MAX_PERIOD)?;
        let season = match r.usize(MAX_PERIOD)? {
            0 => None,
            m => Some(m),
        };
        let scale_window = r.usize(MAX_PERIOD)?;
        if lags.is_empty() || lags.contains(&0) || windows.contains(&0) || scale_window == 0 || season == Some(1) {
            return Err(corrupt("bad feature layout"));
        }
        let spec = Spec { grain, lags, windows, season, scale_window };
        let nf = spec.n_features();
        let base = r.f64()?;
        let n_trees = r.len(4 + 12)?;
        let mut trees = Vec::with_capacity(n_trees);
        for _ in 0..n_trees {
            let n_nodes = r.len(12)?;
            if n_nodes == 0 {
                return Err(corrupt("empty tree"));
            }
            let mut nodes = Vec::with_capacity(n_nodes);
            for id in 0..n_nodes {
                let feature = r.u32()?;
                if feature == LEAF {
                    nodes.push(Node {
                        feature,
                        threshold: 0.0,
                        missing_left: false,
                        left: 0,
                        right: 0,
                        value: r.f64()?,
                        bin: 0,
                    });
                } else {
                    let threshold = r.f64()?;
                    let missing_left = match r.take(1)?[0] {
                        0 => false,
                        1 => true,
                        _ => return Err(corrupt("bad flag")),
                    };
                    let (left, right) = (r.u32()?, r.u32()?);
                    // Children after their parent: every walk ends at a leaf.
                    let ok = |c: u32| (c as usize) > id && (c as usize) < n_nodes;
                    if feature as usize >= nf || threshold.is_nan() || !ok(left) || !ok(right) {
                        return Err(corrupt("bad tree node"));
                    }
                    nodes.push(Node { feature, threshold, missing_left, left, right, value: 0.0, bin: 0 });
                }
            }
            trees.push(nodes);
        }
        let n_tables = r.len(8 * 3)?;
        let mut tables = Vec::with_capacity(n_tables);
        for _ in 0..n_tables {
            let min_age = r.usize(usize::MAX)?;
            let series = r.usize(usize::MAX)?;
            let n_steps = r.len(8 * QGRID)?;
            let steps = (0..n_steps)
                .map(|_| (0..QGRID).map(|_| r.f64()).collect::<Result<Vec<f64>, _>>())
                .collect::<Result<Vec<_>, _>>()?;
            if n_steps == 0 || steps.iter().flatten().any(|q| !q.is_finite()) {
                return Err(corrupt("bad residual table"));
            }
            tables.push(ResidualTable { min_age, series, steps });
        }
        if tables.is_empty() || !base.is_finite() {
            return Err(corrupt("no residual table"));
        }
        let info = FitInfo {
            series: r.usize(usize::MAX)?,
            training_rows: r.usize(usize::MAX)?,
            calibration_horizon: r.usize(usize::MAX)?,
            calibration_series: r.usize(usize::MAX)?,
            holdout_mase: r.f64()?,
            holdout_mase_seasonal_naive: r.f64()?,
        };
        if r.at != body.len() {
            return Err(corrupt("trailing bytes"));
        }
        Ok(GlobalModel { spec, base, trees, tables, info })
    }
}

#[cfg(test)]
mod tests;
