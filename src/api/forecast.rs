//! `cafe24.forecast`, `cafe24.forecast_sales`, `cafe24.backtest_forecast`: wrappers that
//! convert types and call `cafe24_engine::forecast`.

use crate::args::required;
use crate::gucs::{self, Feature};
use crate::{db, error};
use cafe24_engine::calendar::Grain;
use cafe24_engine::chrono;
use cafe24_engine::forecast::{
    self as fc, Forecast, ForecastError, GlobalModel, GlobalOptions, Model, Options, SeriesInput,
};
use pgrx::datum::Date;
use pgrx::prelude::*;

/// Season lengths tried by detection when the grain is unknown (array input).
const ARRAY_SEASON_CANDIDATES: [usize; 5] = [7, 12, 24, 52, 365];

pub(crate) fn fail(function: &str, e: ForecastError) -> ! {
    error::invalid_argument(format!("{function}: {e}"), e.hint)
}

fn options(
    function: &str,
    horizon: i32,
    season_lengths: Option<Vec<Option<i32>>>,
    levels: Vec<Option<f64>>,
    candidates: Vec<usize>,
    detect_seasons: bool,
) -> Options {
    let levels = levels
        .into_iter()
        .map(|l| {
            l.unwrap_or_else(|| {
                fail(
                    function,
                    ForecastError {
                        argument: "levels",
                        message: "contains NULL".into(),
                        hint: "Pass percentages, e.g. levels => '{80,95}'.",
                    },
                )
            })
        })
        .collect();
    let season_lengths = season_lengths.map(|s| {
        s.into_iter()
            .map(|m| match m {
                Some(m) if m >= 0 => m as usize,
                other => fail(
                    function,
                    ForecastError {
                        argument: "season_lengths",
                        message: format!("contains {other:?}"),
                        hint: "Pass positive periods, e.g. '{7,365}'.",
                    },
                ),
            })
            .collect()
    });
    let opts = Options { horizon: horizon.max(0) as usize, season_lengths, candidates, detect_seasons, levels };
    if horizon <= 0 {
        fail(
            function,
            ForecastError {
                argument: "horizon",
                message: format!("{horizon} is out of range: allowed 1 to {}", fc::MAX_HORIZON),
                hint: "Pass the number of future periods, e.g. horizon => 28.",
            },
        );
    }
    opts.validate().unwrap_or_else(|e| fail(function, e));
    opts
}

fn model(function: &str, name: &str) -> Model {
    if name.trim().eq_ignore_ascii_case(GLOBAL) {
        error::invalid_argument(
            format!("{function}: model: \"global\" learns across many series"),
            "Use forecast_sales or train_forecast_model for the global model; forecast() takes one series.",
        );
    }
    Model::parse(name).unwrap_or_else(|e| fail(function, e))
}

/// The SQL name of the global gradient-boosting model (`engine::forecast::GlobalModel`).
pub(crate) const GLOBAL: &str = "global";

/// Fewest series for which `auto` considers the global model (it learns across series).
const MIN_GLOBAL_SERIES: usize = 30;

/// Series with fewer periods of history than this are young: with enough series, `auto`
/// forecasts them with the global model, which borrows the shape of the others.
fn young(g: Grain) -> usize {
    match g {
        Grain::Day => 84,
        Grain::Week => 26,
        Grain::Month => 12,
    }
}

/// How one series is forecast.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Plan {
    Local(Model),
    Global,
}

/// `model` as asked of forecast_sales / train_forecast_model: each series' plan.
pub(crate) fn plans(function: &str, name: &str, g: Grain, series: &[Series]) -> Vec<Plan> {
    if name.trim().eq_ignore_ascii_case(GLOBAL) {
        return vec![Plan::Global; series.len()];
    }
    let m = Model::parse(name).unwrap_or_else(|e| {
        error::invalid_argument(
            format!("{function}: {e}"),
            "Use one of auto, global, seasonal_naive, ets, mstl, croston.",
        )
    });
    let pool = m == Model::Auto && series.len() >= MIN_GLOBAL_SERIES && series.iter().any(|s| s.2.len() >= young(g));
    series.iter().map(|s| if pool && s.2.len() < young(g) { Plan::Global } else { Plan::Local(m) }).collect()
}

pub(crate) type Series = (String, Date, Vec<f64>);

fn inputs(g: Grain, series: &[Series]) -> Vec<SeriesInput<'_>> {
    series.iter().map(|(_, last, y)| SeriesInput::new(y, g.step(to_naive(*last), 1 - y.len() as i64))).collect()
}

fn global_options(g: Grain) -> GlobalOptions {
    let mut o = match g {
        Grain::Day => GlobalOptions::daily(),
        Grain::Week => GlobalOptions::weekly(),
        Grain::Month => GlobalOptions::monthly(),
    };
    o.threads = gucs::threads();
    o
}

/// Per series, the days that ended out of stock: known for the star schema's daily product
/// series (`cafe24.inventory_snapshot`, on_hand 0), else none.
pub(crate) fn stockouts(g: Grain, by: &str, source: Option<&str>, series: &[Series]) -> Vec<Vec<bool>> {
    if g != Grain::Day || source.is_some() || !by.trim().eq_ignore_ascii_case("product") {
        return vec![Vec::new(); series.len()];
    }
    let days = db::stockout_days().unwrap_or_else(|e| pgrx::error!("reading stockout days: {e}"));
    series
        .iter()
        .map(|(key, last, y)| {
            let first = to_naive(*last) - chrono::Duration::days(y.len() as i64 - 1);
            let offsets: Vec<i32> = days
                .get(key)
                .map(|d| d.iter().map(|d| (to_naive(*d) - first).num_days() as i32).collect())
                .unwrap_or_default();
            db::flags(y.len(), &offsets)
        })
        .collect()
}

/// The last day of each series, read here: worker threads must not call into Postgres,
/// which converting a `Date` does.
pub(crate) fn last_days(series: &[Series]) -> Vec<chrono::NaiveDate> {
    series.iter().map(|s| to_naive(s.1)).collect()
}

/// The history a local model of `y` (ending on `last`) sees: for daily sales, through the
/// retail calendar (Korean events divided out, stockout days filled; engine `forecast::retail`).
pub(crate) fn local_history<'a>(
    g: Grain,
    y: &'a [f64],
    last: chrono::NaiveDate,
    stocked_out: &[bool],
) -> std::borrow::Cow<'a, [f64]> {
    match g {
        Grain::Day if !y.is_empty() => fc::retail::Adjusted::new(y, stocked_out, last).y.into(),
        _ => y.into(),
    }
}

/// Forecasts every series by its plan, on worker threads; `global` is required when a plan
/// says so. Daily series forecast by a local model go through the retail calendar, with
/// `stocked_out[i]` the stockout days of series i. Cancel and statement_timeout stop it.
pub(crate) fn forecast_planned(
    function: &str,
    g: Grain,
    series: &[Series],
    stocked_out: &[Vec<bool>],
    plans: &[Plan],
    global: Option<&GlobalModel>,
    opts: &Options,
) -> Vec<Forecast> {
    let threads = gucs::threads(); // settings are read here: never on a worker thread
    let inputs = inputs(g, series);
    let last = last_days(series);
    let results = db::run_parallel(function, series.len(), |cancel, done| {
        fc::parallel_map(series.len(), threads, cancel, done, |i| match plans[i] {
            Plan::Local(m) if g == Grain::Day => {
                fc::retail::forecast_daily(&series[i].2, &stocked_out[i], last[i], m, opts)
            }
            Plan::Local(m) => fc::forecast(&series[i].2, m, opts),
            Plan::Global => {
                global.expect("a global model for global plans").forecast(&inputs[i], opts.horizon, &opts.levels)
            }
        })
    });
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                error::raise(
                    pgrx::PgSqlErrorCode::ERRCODE_QUERY_CANCELED,
                    format!("{function}: interrupted"),
                    "Run it again.",
                )
            })
            .unwrap_or_else(|e| fail(function, e))
        })
        .collect()
}

/// Fits the global model on every series (worker threads; cancellable), with the holdout
/// forecasts of its calibration run.
pub(crate) fn fit_global(function: &str, g: Grain, series: &[Series]) -> (GlobalModel, Vec<Option<fc::Holdout>>) {
    let inputs = inputs(g, series);
    let opts = global_options(g);
    db::run_parallel(function, 0, |cancel, _| GlobalModel::fit_with_holdout(&inputs, &opts, cancel))
        .unwrap_or_else(|e| fail(function, e))
}

pub(crate) fn grain(function: &str, name: &str) -> Grain {
    Grain::parse(name).unwrap_or_else(|| {
        error::invalid_argument(format!("{function}: grain: unknown grain \"{name}\""), "Use day, week or month.")
    })
}

type ForecastRow = (i32, f64, Vec<f64>, Vec<f64>, String);

pub(crate) fn rows(f: Forecast) -> impl Iterator<Item = ForecastRow> {
    let Forecast { point, intervals, model } = f;
    point.into_iter().enumerate().map(move |(h, yhat)| {
        (
            h as i32 + 1,
            yhat,
            intervals.iter().map(|iv| iv.lower[h]).collect(),
            intervals.iter().map(|iv| iv.upper[h]).collect(),
            model.clone(),
        )
    })
}

/// Longest series `forecast` takes: 13 years of daily values. A query cancel stops a
/// forecast between model fits, but one fit of a long, nearly constant series can take
/// minutes (6 s at 6 000 points, over 90 s at 20 000), so a bound keeps every call short.
const MAX_SERIES_POINTS: usize = 5_000;

#[pg_extern(immutable, parallel_safe)]
fn forecast(
    y: Option<Vec<Option<f64>>>,
    horizon: Option<i32>,
    season_lengths: default!(Option<Vec<Option<i32>>>, "NULL"),
    model: default!(Option<&str>, "'auto'"),
    levels: default!(Option<Vec<Option<f64>>>, "'{80,95}'"),
) -> TableIterator<
    'static,
    (name!(step, i32), name!(yhat, f64), name!(lower, Vec<f64>), name!(upper, Vec<f64>), name!(model, String)),
> {
    const F: &str = "forecast";
    let y = required(F, "y", y);
    let horizon = required(F, "horizon", horizon);
    let model = required(F, "model", model);
    let levels = required(F, "levels", levels);
    gucs::require(Feature::Forecasting, "forecast");
    let opts = options("forecast", horizon, season_lengths, levels, ARRAY_SEASON_CANDIDATES.to_vec(), true);
    let m = self::model("forecast", model);
    if y.len() > MAX_SERIES_POINTS {
        error::invalid_argument(
            format!("forecast: y has {} points; at most {MAX_SERIES_POINTS} are allowed", y.len()),
            "Forecast the recent history (e.g. the last few years of daily values), or aggregate to a coarser grain.",
        );
    }
    let y = fc::clean_series(&y).unwrap_or_else(|e| fail("forecast", e));
    let f = fc::forecast(&y, m, &opts).unwrap_or_else(|e| fail("forecast", e));
    TableIterator::new(rows(f))
}

/// Reads the series of a sales source: (series_key, start of the last complete period, values).
pub(crate) fn sales_series(
    function: &str,
    grain: &str,
    by: &str,
    measure: &str,
    source: Option<&str>,
) -> Vec<(String, Date, Vec<f64>)> {
    let _tracker = crate::progress::Tracker::start(function, "reading series", 0);
    db::series(grain, by, measure, source)
        .unwrap_or_else(|e| error::invalid_argument(format!("{function}: {e}"), "See the HINT above."))
}

/// The checks shared by the functions over sales series: feature switch, grain, options
/// with the grain's natural seasons, model.
pub(crate) fn sales_setup(function: &str, horizon: i32, grain: &str, levels: Vec<Option<f64>>) -> (Grain, Options) {
    gucs::require(Feature::Forecasting, function);
    let g = self::grain(function, grain);
    let opts = options(function, horizon, None, levels, g.season_candidates(), false);
    (g, opts)
}

pub(crate) fn to_naive(d: Date) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(d.year(), d.month() as u32, d.day() as u32).expect("finite date")
}

pub(crate) fn from_naive(d: chrono::NaiveDate) -> Date {
    use chrono::Datelike;
    Date::new(d.year(), d.month() as u8, d.day() as u8).expect("valid date")
}

#[pg_extern(stable, parallel_restricted)]
#[allow(clippy::too_many_arguments)]
fn backtest_forecast(
    horizon: default!(Option<i32>, 28),
    grain: default!(Option<&str>, "'day'"),
    by: default!(Option<&str>, "'total'"),
    model: default!(Option<&str>, "'auto'"),
    source: default!(Option<&str>, "NULL"),
    measure: default!(Option<&str>, "'revenue'"),
    origins: default!(Option<i32>, 3),
    levels: default!(Option<Vec<Option<f64>>>, "'{80,95}'"),
) -> TableIterator<
    'static,
    (
        name!(series_key, String),
        name!(model, String),
        name!(mase, f64),
        name!(smape, f64),
        name!(rmse, f64),
        name!(bias, f64),
        name!(levels, Vec<f64>),
        name!(coverage, Vec<f64>),
        name!(origins, i32),
        name!(steps, i32),
    ),
> {
    const F: &str = "backtest_forecast";
    let horizon = required(F, "horizon", horizon);
    let grain = required(F, "grain", grain);
    let by = required(F, "by", by);
    let model = required(F, "model", model);
    let measure = required(F, "measure", measure);
    let origins = required(F, "origins", origins);
    let levels = required(F, "levels", levels);
    let (_, opts) = sales_setup(F, horizon, grain, levels);
    let m = self::model(F, model);
    if !(1..=20).contains(&origins) {
        error::invalid_argument(
            format!("{F}: origins: {origins} is out of range: allowed 1 to 20"),
            "Pass how many rolling forecast origins to evaluate, e.g. origins => 3.",
        );
    }
    let mut out = Vec::new();
    for (key, _, y) in sales_series(F, grain, by, measure, source) {
        pgrx::check_for_interrupts!();
        let scores = match fc::backtest(&y, &[m], &opts, origins as usize) {
            Ok(s) => s,
            Err(e) if e.argument == "y" => continue, // too short to evaluate: no rows for it
            Err(e) => fail(F, e),
        };
        for s in scores {
            let a = s.accuracy;
            out.push((
                key.clone(),
                s.model,
                a.mase,
                a.smape,
                a.rmse,
                a.bias,
                a.coverage.iter().map(|c| c.0).collect(),
                a.coverage.iter().map(|c| c.1).collect(),
                s.origins as i32,
                a.steps as i32,
            ));
        }
    }
    TableIterator::new(out)
}
