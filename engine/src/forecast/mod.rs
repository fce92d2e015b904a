//! Sales forecasting: seasonal naive, AutoETS, MSTL, TSB (Croston family) and automatic
//! model choice by rolling-origin backtest, all with prediction intervals.
//!
//! Input series are plain `f64` slices, one value per period, oldest first; missing
//! periods must already be filled (the SQL layer turns days without sales into zeros).

pub mod conformal;
mod global;
pub mod metrics;
mod models;
pub mod retail;
pub use global::{
    choose as choose_global_or_local, Choice, FitInfo, GlobalModel, GlobalOptions, Grain, Holdout, SeriesInput,
};
pub mod seasons;

use metrics::{naive_scale, Accuracy, AccuracyAccumulator};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A forecasting method, as named in SQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Rolling-origin backtest of the candidates below, lowest MASE wins.
    Auto,
    SeasonalNaive,
    Ets,
    Mstl,
    /// TSB variant of Croston's method, for intermittent demand.
    Croston,
    /// anofox-forecast AutoETS, seasonal with the primary season.
    AutoEts,
    /// anofox-forecast AutoTheta (seasonally adjusted with the primary season).
    AutoTheta,
    /// anofox-forecast stepwise AutoARIMA (seasonal with the primary season).
    AutoArima,
    /// The step-by-step mean of several models' forecasts and bounds.
    Combo(Combo),
}

/// The fixed combinations `auto` may choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combo {
    /// Mean of AutoETS and AutoTheta.
    EtsTheta,
    /// Mean of AutoETS, AutoTheta and AutoARIMA.
    EtsThetaArima,
    /// Mean of AutoTheta and the augurs non-seasonal ETS (`auto`'s default: cheap).
    ThetaEts,
}

impl Combo {
    /// The combined models.
    pub fn members(self) -> &'static [Model] {
        match self {
            Combo::EtsTheta => &[Model::AutoEts, Model::AutoTheta],
            Combo::EtsThetaArima => &[Model::AutoEts, Model::AutoTheta, Model::AutoArima],
            Combo::ThetaEts => &[Model::AutoTheta, Model::Ets],
        }
    }
}

/// SQL names of the models, in the order the documentation lists them.
pub const MODEL_NAMES: [&str; 11] = [
    "auto",
    "seasonal_naive",
    "ets",
    "mstl",
    "croston",
    "auto_ets",
    "auto_theta",
    "auto_arima",
    "combo(auto_ets,auto_theta)",
    "combo(auto_ets,auto_theta,auto_arima)",
    "combo(auto_theta,ets)",
];

impl Model {
    /// The SQL name (the first of [`MODEL_NAMES`] that parses to it).
    pub fn name(self) -> &'static str {
        match self {
            Model::Auto => "auto",
            Model::SeasonalNaive => "seasonal_naive",
            Model::Ets => "ets",
            Model::Mstl => "mstl",
            Model::Croston => "croston",
            Model::AutoEts => "auto_ets",
            Model::AutoTheta => "auto_theta",
            Model::AutoArima => "auto_arima",
            Model::Combo(Combo::EtsTheta) => "combo(auto_ets,auto_theta)",
            Model::Combo(Combo::EtsThetaArima) => "combo(auto_ets,auto_theta,auto_arima)",
            Model::Combo(Combo::ThetaEts) => "combo(auto_theta,ets)",
        }
    }

    pub fn parse(name: &str) -> Result<Model, ForecastError> {
        let name_lc: String = name.trim().to_ascii_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
        Ok(match name_lc.as_str() {
            "auto" => Model::Auto,
            "seasonal_naive" | "snaive" | "naive" => Model::SeasonalNaive,
            "ets" | "autoets" => Model::Ets,
            "mstl" => Model::Mstl,
            "croston" | "tsb" => Model::Croston,
            "auto_ets" => Model::AutoEts,
            "auto_theta" | "theta" => Model::AutoTheta,
            "auto_arima" | "arima" | "autoarima" => Model::AutoArima,
            "combo(auto_ets,auto_theta)" | "combo" => Model::Combo(Combo::EtsTheta),
            "combo(auto_ets,auto_theta,auto_arima)" => Model::Combo(Combo::EtsThetaArima),
            "combo(auto_theta,ets)" => Model::Combo(Combo::ThetaEts),
            _ => {
                return Err(ForecastError::new(
                    "model",
                    format!("unknown model \"{name}\""),
                    "Use one of auto, seasonal_naive, ets, mstl, croston, auto_ets, auto_theta, auto_arima, combo(auto_ets,auto_theta), combo(auto_ets,auto_theta,auto_arima), combo(auto_theta,ets).",
                ))
            }
        })
    }
}

/// Prediction interval at one level.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    /// Coverage in percent, e.g. 95.
    pub level: f64,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// A forecast: one point per step, intervals per requested level, and the model used
/// (with any fallback explained, e.g. `ets (mstl: needs a season)`).
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    pub point: Vec<f64>,
    pub intervals: Vec<Interval>,
    pub model: String,
}

/// A bad argument: which one, what is wrong with it, and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct ForecastError {
    pub argument: &'static str,
    pub message: String,
    pub hint: &'static str,
}

impl ForecastError {
    fn new(argument: &'static str, message: String, hint: &'static str) -> Self {
        ForecastError { argument, message, hint }
    }
}

impl fmt::Display for ForecastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.argument, self.message)
    }
}

/// Largest horizon accepted (ten years of days).
pub const MAX_HORIZON: usize = 3660;

/// Most coverage levels one call may ask for (each is an interval per forecast point).
pub const MAX_LEVELS: usize = 20;

/// What to forecast and how.
#[derive(Clone, Debug)]
pub struct Options {
    pub horizon: usize,
    /// Season lengths to use; `None` takes them from `candidates`.
    pub season_lengths: Option<Vec<usize>>,
    /// Natural periods of the data (7 and 365 for daily data, 52 weekly, 12 monthly).
    pub candidates: Vec<usize>,
    /// With `season_lengths` unset: keep only the candidates that autocorrelation finds
    /// (`true`, for series of unknown nature), or every candidate the history covers
    /// twice (`false`, for sales at a known grain: `auto`'s backtest then decides).
    pub detect_seasons: bool,
    /// Interval levels in percent.
    pub levels: Vec<f64>,
}

impl Options {
    /// Checks horizon, levels and season lengths against a history of `n` points.
    pub fn validate(&self) -> Result<(), ForecastError> {
        if self.horizon == 0 || self.horizon > MAX_HORIZON {
            return Err(ForecastError::new(
                "horizon",
                format!("{} is out of range: allowed 1 to {MAX_HORIZON}", self.horizon),
                "Pass the number of future periods to forecast, e.g. horizon => 28.",
            ));
        }
        if self.levels.len() > MAX_LEVELS {
            return Err(ForecastError::new(
                "levels",
                format!("{} levels asked for: at most {MAX_LEVELS}", self.levels.len()),
                "Pass the coverage levels to draw, e.g. levels => '{80,95}'.",
            ));
        }
        for &l in &self.levels {
            if !(l > 0.0 && l < 100.0) {
                return Err(ForecastError::new(
                    "levels",
                    format!("{l} is not a coverage level: each must lie strictly between 0 and 100"),
                    "Pass percentages, e.g. levels => '{80,95}'.",
                ));
            }
        }
        for &m in self.season_lengths.iter().flatten() {
            if !(1..=10_000).contains(&m) {
                return Err(ForecastError::new(
                    "season_lengths",
                    format!("{m} is not a season length: allowed 1 (no season) to 10000"),
                    "Pass periods per season, e.g. '{7,365}' for daily data; pass NULL to detect them, or '{}' or '{1}' for none.",
                ));
            }
        }
        Ok(())
    }
}

/// Turns an SQL array (NULLs allowed) into a series, refusing NULL, NaN and infinities
/// with the 1-based position of the first one.
pub fn clean_series(y: &[Option<f64>]) -> Result<Vec<f64>, ForecastError> {
    if y.is_empty() {
        return Err(ForecastError::new("y", "is empty".into(), "Pass at least one observation."));
    }
    y.iter()
        .enumerate()
        .map(|(i, v)| match v {
            Some(x) if x.is_finite() => Ok(*x),
            Some(x) => Err(ForecastError::new(
                "y",
                format!("element {} is {x}", i + 1),
                "Replace NaN and infinite values before forecasting.",
            )),
            None => Err(ForecastError::new(
                "y",
                format!("element {} is NULL", i + 1),
                "Fill missing periods first, e.g. coalesce(sum(...), 0) over generate_series of the periods.",
            )),
        })
        .collect()
}

/// Season lengths usable on this history, with a note on those that are not.
fn usable_seasons(y: &[f64], opts: &Options) -> (Vec<usize>, Option<String>) {
    match &opts.season_lengths {
        None if opts.detect_seasons => (seasons::detect(y, &opts.candidates), None),
        None => (opts.candidates.iter().copied().filter(|&m| y.len() >= 2 * m).collect(), None),
        Some(given) => {
            // A season of 1 (statsforecast's way to say yearly data) is no season.
            let (ok, short): (Vec<usize>, Vec<usize>) =
                given.iter().filter(|&&m| m >= 2).partition(|&&m| y.len() >= 2 * m);
            let note = (!short.is_empty())
                .then(|| format!("season {short:?} skipped: needs two seasons of history, have {}", y.len()));
            (ok, note)
        }
    }
}

fn named(mut f: models::FitResult, name: String) -> models::FitResult {
    if let Ok(fc) = &mut f {
        fc.model = name;
    }
    f
}

/// Fits one concrete model (not `Auto`), falling back to a simpler one when it cannot
/// fit; the returned `model` says what ran and why.
fn fit_concrete(y: &[f64], model: Model, seasons: &[usize], horizon: usize, levels: &[f64]) -> models::FitResult {
    let primary = seasons.first().copied();
    let snaive = || {
        let mut f = models::seasonal_naive(y, primary.unwrap_or(1), horizon, levels);
        f.model = primary.map_or("naive".to_string(), |m| format!("seasonal_naive({m})"));
        f
    };
    match model {
        Model::SeasonalNaive => Ok(snaive()),
        Model::Croston => named(Ok(models::tsb(y, horizon, levels)), "croston_tsb".into()),
        Model::Ets => named(models::ets(y, horizon, levels), "ets".into()).or_else(|e| {
            let mut f = snaive();
            f.model = format!("{} (ets failed: {e})", f.model);
            Ok(f)
        }),
        Model::Mstl if seasons.is_empty() => fit_concrete(y, Model::Ets, seasons, horizon, levels).map(|mut f| {
            f.model = format!("{} (mstl: no season to model)", f.model);
            f
        }),
        Model::Mstl => {
            let name = format!("mstl({})", seasons.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(","));
            named(models::mstl(y, seasons, horizon, levels), name).or_else(|e| {
                fit_concrete(y, Model::Ets, seasons, horizon, levels).map(|mut f| {
                    f.model = format!("{} (mstl failed: {e})", f.model);
                    f
                })
            })
        }
        Model::AutoEts | Model::AutoTheta | Model::AutoArima => {
            let kind = match model {
                Model::AutoEts => models::Anofox::Ets,
                Model::AutoTheta => models::Anofox::Theta,
                _ => models::Anofox::Arima,
            };
            let m = primary.unwrap_or(1);
            let name = if m >= 2 { format!("{}({m})", model.name()) } else { model.name().to_string() };
            named(models::anofox(y, kind, m, horizon, levels), name).or_else(|e| {
                let mut f = snaive();
                f.model = format!("{} ({} failed: {e})", f.model, model.name());
                Ok(f)
            })
        }
        Model::Combo(c) => {
            // Members that could not fit fell back to seasonal naive: combine the others;
            // when none fit, the fallback alone, saying so once.
            let fits: Vec<Forecast> = c
                .members()
                .iter()
                .map(|&m| fit_concrete(y, m, seasons, horizon, levels).expect("fallbacks always fit"))
                .collect();
            let fitted: Vec<&Forecast> = fits.iter().filter(|f| !f.model.contains(" failed: ")).collect();
            Ok(match fitted.len() {
                0 => {
                    let mut f = snaive();
                    f.model = format!("{} (too little history for {})", f.model, model.name());
                    f
                }
                1 => fitted[0].clone(),
                _ => {
                    let mut f = models::mean_of(&fitted);
                    f.model =
                        format!("combo({})", fitted.iter().map(|f| f.model.as_str()).collect::<Vec<_>>().join(","));
                    f
                }
            })
        }
        Model::Auto => unreachable!("auto is resolved before fitting"),
    }
}

/// Backtest origins `auto` runs at most (each one refits every candidate).
const AUTO_ORIGINS: usize = 2;
/// `auto` keeps its default, the mean of AutoETS and AutoTheta, unless another candidate's
/// backtest MASE is lower by more than this share (few origins make MASE noisy, and the
/// combination is the robust choice: Makridakis & Hibon 2000, M4 2020).
const SWITCH_MARGIN: f64 = 0.10;
/// Pseudo-scores by which the conformal multiplier is shrunk towards the model's own width.
const CONFORMAL_PRIOR: f64 = 0.0;

/// The default of `auto`.
const AUTO_DEFAULT: Model = Model::Combo(Combo::ThetaEts);

/// The candidates `auto` compares on this series.
fn auto_candidates(y: &[f64], seasons: &[usize]) -> Vec<Model> {
    let zeros = y.iter().filter(|v| **v == 0.0).count() as f64 / y.len() as f64;
    // anofox AutoETS costs ~36 ms a fit on M3 (augurs' non-seasonal ETS 1.5 ms, AutoTheta
    // 0.6 ms): `auto` combines AutoTheta, which handles the season, with augurs' ETS.
    // AutoARIMA's stepwise search costs far more than `auto`'s budget of a few ms a series,
    // so it is never a candidate; `model => 'auto_arima'` or a combo naming it runs it.
    // Seasonal naive repeats last season's zeros: on intermittent series it wins short
    // backtests by MAE (which rewards forecasting the median, 0) and then forecasts nothing
    // (demo products: chosen for 30 % of them, MASE 1.84 against AutoTheta's 1.49 held out).
    let mut c = if zeros >= 0.3 { vec![] } else { vec![Model::SeasonalNaive] };
    c.extend([Model::Ets, Model::AutoTheta]);
    if seasons.len() > 1 {
        c.push(Model::Mstl);
    }
    if zeros >= 0.3 {
        c.push(Model::Croston);
    }
    c.push(Model::Combo(Combo::ThetaEts));
    c
}

/// What `auto` chose by backtest: the model, its backtest accuracy and the conformal
/// scores that calibrate its intervals.
struct AutoPlan {
    model: Model,
    accuracy: Accuracy,
    scores: Vec<conformal::Scores>,
}

/// The backtest windows of `auto` as (training length, test length): the last
/// `AUTO_ORIGINS` whole windows of `h` steps end to end when the history allows; else
/// whole windows that overlap; else windows cut short by the end of the history (a
/// yearly series of 14 points forecast 6 ahead still gets two origins, and so calibrated
/// intervals). Each leaves the training history `origins_for` asks for.
fn auto_cuts(n: usize, h: usize, seasons: &[usize]) -> Vec<(usize, usize)> {
    let min_train = min_train(seasons);
    let spare = n.saturating_sub(min_train);
    if spare == 0 {
        return Vec::new();
    }
    if spare >= AUTO_ORIGINS * h {
        return (1..=AUTO_ORIGINS).rev().map(|o| (n - o * h, h)).collect();
    }
    let mut cuts: Vec<(usize, usize)> = if spare >= h {
        // Whole windows, the first starting right after the shortest training history.
        (0..AUTO_ORIGINS).map(|i| (min_train + i * (spare - h) / (AUTO_ORIGINS - 1).max(1), h)).collect()
    } else {
        // Windows running to the end of the history, each shorter than the horizon.
        (0..AUTO_ORIGINS).map(|i| min_train + i * spare / AUTO_ORIGINS).map(|c| (c, n - c)).collect()
    };
    cuts.dedup();
    cuts
}

/// Rolling-origin backtest of every candidate, each single model fitted once per origin
/// and the combinations formed from those fits; `None` when the history is too short.
fn auto_plan(y: &[f64], seasons: &[usize], h: usize, levels: &[f64]) -> Option<AutoPlan> {
    let cuts = auto_cuts(y.len(), h, seasons);
    if cuts.is_empty() {
        return None;
    }
    let cands = auto_candidates(y, seasons);
    let singles: Vec<Model> = cands.iter().copied().filter(|m| !matches!(m, Model::Combo(_))).collect();
    let mut acc: Vec<AccuracyAccumulator> = cands.iter().map(|_| AccuracyAccumulator::default()).collect();
    let mut scores: Vec<Vec<conformal::Scores>> = vec![Vec::new(); cands.len()];
    let mut ok = vec![true; cands.len()];
    for (cut, len) in cuts {
        crate::interrupt::check();
        let (train, test) = (&y[..cut], &y[cut..cut + len]);
        let usable: Vec<usize> = seasons.iter().copied().filter(|m| train.len() >= 2 * m).collect();
        let scale = naive_scale(train, usable.first().copied().unwrap_or(1));
        let fits: Vec<Option<Forecast>> =
            singles.iter().map(|&m| fit_concrete(train, m, &usable, len, levels).ok()).collect();
        let fit_of = |m: Model| singles.iter().position(|s| *s == m).and_then(|i| fits[i].as_ref());
        for (k, &c) in cands.iter().enumerate() {
            let f = match c {
                Model::Combo(cb) => cb
                    .members()
                    .iter()
                    .map(|&m| fit_of(m))
                    .collect::<Option<Vec<&Forecast>>>()
                    .map(|v| models::mean_of(&v)),
                m => fit_of(m).cloned(),
            };
            match f {
                Some(f) => {
                    let ivs: Vec<(f64, &[f64], &[f64])> =
                        f.intervals.iter().map(|i| (i.level, &i.lower[..], &i.upper[..])).collect();
                    acc[k].add(test, &f.point, &ivs, scale);
                    conformal::add_scores(&mut scores[k], test, &f);
                }
                None => ok[k] = false,
            }
        }
    }
    let results: Vec<AutoPlan> = cands
        .into_iter()
        .zip(acc)
        .zip(scores)
        .zip(ok)
        .filter(|(_, ok)| *ok)
        .map(|(((model, a), scores), _)| AutoPlan { model, accuracy: a.finish(), scores })
        .filter(|p| p.accuracy.mase.is_finite())
        .collect();
    let best = results.iter().enumerate().min_by(|a, b| a.1.accuracy.mase.total_cmp(&b.1.accuracy.mase))?.0;
    let pick = match results.iter().position(|p| p.model == AUTO_DEFAULT) {
        Some(d) if results[best].accuracy.mase >= results[d].accuracy.mase * (1.0 - SWITCH_MARGIN) => d,
        _ => best,
    };
    results.into_iter().nth(pick)
}

/// Rolling-origin evaluation: the last `origins` windows of `horizon` steps, each
/// forecast from the history before it.
fn evaluate(
    y: &[f64],
    model: Model,
    seasons: &[usize],
    horizon: usize,
    levels: &[f64],
    origins: usize,
) -> Option<(Accuracy, String)> {
    let mut acc = AccuracyAccumulator::default();
    let mut name = String::new();
    for o in (1..=origins).rev() {
        crate::interrupt::check();
        let cut = y.len() - o * horizon;
        let (train, test) = (&y[..cut], &y[cut..cut + horizon]);
        // Seasons the shorter training window no longer covers twice are left out there.
        let usable: Vec<usize> = seasons.iter().copied().filter(|m| train.len() >= 2 * m).collect();
        let f = match model {
            // `auto` itself: its own backtest, choice and conformal calibration on the
            // training window, so the interval coverage it reports is the calibrated one.
            Model::Auto => {
                let o = Options {
                    horizon,
                    season_lengths: Some(usable.clone()),
                    candidates: Vec::new(),
                    detect_seasons: false,
                    levels: levels.to_vec(),
                };
                forecast(train, Model::Auto, &o).ok()?
            }
            m => fit_concrete(train, m, &usable, horizon, levels).ok()?,
        };
        let ivs: Vec<(f64, &[f64], &[f64])> =
            f.intervals.iter().map(|i| (i.level, &i.lower[..], &i.upper[..])).collect();
        acc.add(test, &f.point, &ivs, naive_scale(train, usable.first().copied().unwrap_or(1)));
        name = if model == Model::Auto { "auto".into() } else { f.model };
    }
    Some((acc.finish(), name))
}

/// How many backtest origins fit: at most 3, each leaving two cycles of the shortest
/// season (or 10 points) of training history.
fn origins_for(n: usize, horizon: usize, seasons: &[usize]) -> usize {
    (n.saturating_sub(min_train(seasons)) / horizon).min(3)
}

/// The shortest training history a backtest origin leaves: two cycles of the shortest
/// season, and at least 10 points.
fn min_train(seasons: &[usize]) -> usize {
    seasons.iter().map(|m| 2 * m).min().unwrap_or(0).max(10)
}

/// The concrete model `auto` would fit to `y`, with its backtest accuracy (`None` when the
/// history is too short to backtest, or all values are equal: `auto` then falls back).
/// Saved forecast models store this choice, so forecasting from them skips the backtest.
pub fn auto_choice(y: &[f64], opts: &Options) -> Result<Option<(Model, Accuracy)>, ForecastError> {
    opts.validate()?;
    if y.is_empty() || y.iter().all(|v| *v == y[0]) {
        return Ok(None);
    }
    let (seasons, _) = usable_seasons(y, opts);
    Ok(auto_plan(y, &seasons, opts.horizon, &opts.levels).map(|p| (p.model, p.accuracy)))
}

/// Forecasts one series.
pub fn forecast(y: &[f64], model: Model, opts: &Options) -> Result<Forecast, ForecastError> {
    opts.validate()?;
    if y.is_empty() {
        return Err(ForecastError::new("y", "is empty".into(), "Pass at least one observation."));
    }
    let (h, levels) = (opts.horizon, &opts.levels[..]);
    let mut out = if y.iter().all(|v| *v == y[0]) {
        let flat = vec![y[0]; h];
        Forecast {
            intervals: levels
                .iter()
                .map(|&level| Interval { level, lower: flat.clone(), upper: flat.clone() })
                .collect(),
            point: flat,
            model: "constant (all values equal)".into(),
        }
    } else {
        let (seasons, note) = usable_seasons(y, opts);
        let mut f = match model {
            Model::Auto => {
                let plan = auto_plan(y, &seasons, h, levels);
                let chosen = plan.as_ref().map(|p| p.model).unwrap_or(AUTO_DEFAULT);
                crate::interrupt::check();
                let mut f = fit_concrete(y, chosen, &seasons, h, levels).expect("fallbacks always fit");
                if let Some(p) = &plan {
                    conformal::apply(&mut f, &p.scores, CONFORMAL_PRIOR);
                }
                f.model = match plan {
                    Some(_) => format!("auto: {}", f.model),
                    None => format!("auto: {} (history too short to backtest)", f.model),
                };
                f
            }
            m => fit_concrete(y, m, &seasons, h, levels).expect("fallbacks always fit"),
        };
        if let Some(n) = note {
            f.model = format!("{} ({n})", f.model);
        }
        f
    };
    // Non-negative history (sales, units) gets non-negative forecasts and bounds.
    if y.iter().all(|v| *v >= 0.0) {
        let clip = |v: &mut Vec<f64>| v.iter_mut().for_each(|x| *x = x.max(0.0));
        clip(&mut out.point);
        for iv in &mut out.intervals {
            clip(&mut iv.lower);
            clip(&mut iv.upper);
        }
    }
    Ok(out)
}

/// One model's backtest result.
#[derive(Clone, Debug)]
pub struct ModelScore {
    /// What ran, e.g. `mstl(7,365)`.
    pub model: String,
    pub accuracy: Accuracy,
    pub origins: usize,
}

/// Rolling-origin backtest of each model. `Auto` evaluates each of its candidates, with
/// their own intervals, and then `auto` itself (its choice and calibrated intervals made
/// afresh on each training window), named `auto`.
pub fn backtest(y: &[f64], models: &[Model], opts: &Options, origins: usize) -> Result<Vec<ModelScore>, ForecastError> {
    opts.validate()?;
    let (seasons, _) = usable_seasons(y, opts);
    let possible = origins_for(y.len(), opts.horizon, &seasons);
    if possible == 0 {
        return Err(ForecastError::new(
            "y",
            format!("has {} points: too short to backtest a horizon of {}", y.len(), opts.horizon),
            "Backtesting needs the horizon plus two cycles of the shortest season (or 10 points) of history; shorten the horizon.",
        ));
    }
    let origins = origins.clamp(1, possible);
    let mut list: Vec<Model> = Vec::new();
    for &m in models {
        if m == Model::Auto {
            list.extend(auto_candidates(y, &seasons));
            list.push(Model::Auto);
        } else {
            list.push(m);
        }
    }
    list.dedup();
    Ok(list
        .into_iter()
        .filter_map(|m| evaluate(y, m, &seasons, opts.horizon, &opts.levels, origins))
        .map(|(accuracy, model)| ModelScore { model, accuracy, origins })
        .collect())
}

/// Forecasts many series on `threads` worker threads. `cancel` stops the work early
/// (remaining results are `None`); `done` counts finished series for progress reports.
pub fn forecast_many(
    series: &[Vec<f64>],
    model: Model,
    opts: &Options,
    threads: usize,
    cancel: &AtomicBool,
    done: &AtomicUsize,
) -> Vec<Option<Result<Forecast, ForecastError>>> {
    parallel_map(series.len(), threads, cancel, done, |i| forecast(&series[i], model, opts))
}

/// `f(0..n)` on `threads` worker threads, results in order. `cancel` stops the work early
/// (the remaining results are `None`); `done` counts finished items.
pub fn parallel_map<T: Send>(
    n: usize,
    threads: usize,
    cancel: &AtomicBool,
    done: &AtomicUsize,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<Option<T>> {
    let next = AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<T>>> = (0..n).map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                if cancel.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let r = f(i);
                *slots[i].lock().expect("slot lock") = Some(r);
                done.fetch_add(1, Ordering::Relaxed);
            });
        }
    });
    slots.into_iter().map(|slot| slot.into_inner().expect("slot lock")).collect()
}

#[cfg(test)]
mod tests;
