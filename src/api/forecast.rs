//! `cafe24.forecast`, `cafe24.forecast_sales`, `cafe24.backtest_forecast`: wrappers that
//! convert types and call `cafe24_engine::forecast`.

use crate::gucs::{self, Feature};
use crate::{db, error};
use cafe24_engine::calendar::Grain;
use cafe24_engine::chrono;
use cafe24_engine::forecast::{self as fc, Forecast, ForecastError, Model, Options};
use pgrx::datum::Date;
use pgrx::prelude::*;

/// Season lengths tried by detection when the grain is unknown (array input).
const ARRAY_SEASON_CANDIDATES: [usize; 5] = [7, 12, 24, 52, 365];

pub(crate) fn fail(function: &str, e: ForecastError) -> ! {
    error::invalid_argument(format!("{function}: {e}"), e.hint)
}

fn options(function: &str, horizon: i32, season_lengths: Option<Vec<Option<i32>>>, levels: Vec<Option<f64>>, candidates: Vec<usize>, detect_seasons: bool) -> Options {
    let levels = levels
        .into_iter()
        .map(|l| l.unwrap_or_else(|| fail(function, ForecastError { argument: "levels", message: "contains NULL".into(), hint: "Pass percentages, e.g. levels => '{80,95}'." })))
        .collect();
    let season_lengths = season_lengths.map(|s| {
        s.into_iter()
            .map(|m| match m {
                Some(m) if m >= 0 => m as usize,
                other => fail(function, ForecastError { argument: "season_lengths", message: format!("contains {other:?}"), hint: "Pass positive periods, e.g. '{7,365}'." }),
            })
            .collect()
    });
    let opts = Options { horizon: horizon.max(0) as usize, season_lengths, candidates, detect_seasons, levels };
    if horizon <= 0 {
        fail(function, ForecastError { argument: "horizon", message: format!("{horizon} is out of range: allowed 1 to {}", fc::MAX_HORIZON), hint: "Pass the number of future periods, e.g. horizon => 28." });
    }
    opts.validate().unwrap_or_else(|e| fail(function, e));
    opts
}

fn model(function: &str, name: &str) -> Model {
    Model::parse(name).unwrap_or_else(|e| fail(function, e))
}

pub(crate) fn grain(function: &str, name: &str) -> Grain {
    Grain::parse(name).unwrap_or_else(|| {
        error::invalid_argument(format!("{function}: grain: unknown grain \"{name}\""), "Use day, week or month.")
    })
}

type ForecastRow = (i32, f64, Vec<f64>, Vec<f64>, String);

fn rows(f: Forecast) -> impl Iterator<Item = ForecastRow> {
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

#[pg_extern(immutable, parallel_safe)]
fn forecast(
    y: Vec<Option<f64>>,
    horizon: i32,
    season_lengths: default!(Option<Vec<Option<i32>>>, "NULL"),
    model: default!(&str, "'auto'"),
    levels: default!(Vec<Option<f64>>, "'{80,95}'"),
) -> TableIterator<'static, (name!(step, i32), name!(yhat, f64), name!(lower, Vec<f64>), name!(upper, Vec<f64>), name!(model, String))> {
    gucs::require(Feature::Forecasting, "forecast");
    let opts = options("forecast", horizon, season_lengths, levels, ARRAY_SEASON_CANDIDATES.to_vec(), true);
    let m = self::model("forecast", model);
    let y = fc::clean_series(&y).unwrap_or_else(|e| fail("forecast", e));
    let f = fc::forecast(&y, m, &opts).unwrap_or_else(|e| fail("forecast", e));
    TableIterator::new(rows(f))
}

/// Reads the series of a sales source: (series_key, start of the last complete period, values).
pub(crate) fn sales_series(function: &str, grain: &str, by: &str, measure: &str, source: Option<&str>) -> Vec<(String, Date, Vec<f64>)> {
    db::series(grain, by, measure, source)
        .unwrap_or_else(|e| error::invalid_argument(format!("{function}: {e}"), "See the HINT above."))
}

/// The checks shared by the functions over sales series: feature switch, grain, options
/// with the grain's natural seasons, model.
fn sales_setup(function: &str, horizon: i32, grain: &str, model: &str, levels: Vec<Option<f64>>) -> (Grain, Options, Model) {
    gucs::require(Feature::Forecasting, function);
    let g = self::grain(function, grain);
    let opts = options(function, horizon, None, levels, g.season_candidates(), false);
    (g, opts, self::model(function, model))
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
fn forecast_sales(
    horizon: default!(i32, 28),
    grain: default!(&str, "'day'"),
    by: default!(&str, "'total'"),
    model: default!(&str, "'auto'"),
    source: default!(Option<&str>, "NULL"),
    measure: default!(&str, "'revenue'"),
    levels: default!(Vec<Option<f64>>, "'{80,95}'"),
) -> TableIterator<
    'static,
    (
        name!(series_key, String),
        name!(ds, Date),
        name!(step, i32),
        name!(yhat, f64),
        name!(lower, Vec<f64>),
        name!(upper, Vec<f64>),
        name!(model, String),
    ),
> {
    const F: &str = "forecast_sales";
    let (g, opts, m) = sales_setup(F, horizon, grain, model, levels);
    let series = sales_series(F, grain, by, measure, source);
    let values: Vec<Vec<f64>> = series.iter().map(|s| s.2.clone()).collect();
    let threads = gucs::threads(); // settings are read here: never on a worker thread
    let results = db::run_parallel(F, values.len(), |cancel, done| fc::forecast_many(&values, m, &opts, threads, cancel, done));
    let mut out = Vec::with_capacity(series.len() * opts.horizon);
    for ((key, last, _), r) in series.into_iter().zip(results) {
        let f = r
            .unwrap_or_else(|| error::raise(pgrx::PgSqlErrorCode::ERRCODE_QUERY_CANCELED, format!("{F}: interrupted"), "Run it again."))
            .unwrap_or_else(|e| fail(F, e));
        let last = to_naive(last);
        out.extend(rows(f).map(|(step, yhat, lo, hi, model)| {
            (key.clone(), from_naive(g.step(last, step as i64)), step, yhat, lo, hi, model)
        }));
    }
    TableIterator::new(out)
}

#[pg_extern(stable, parallel_restricted)]
#[allow(clippy::too_many_arguments)]
fn backtest_forecast(
    horizon: default!(i32, 28),
    grain: default!(&str, "'day'"),
    by: default!(&str, "'total'"),
    model: default!(&str, "'auto'"),
    source: default!(Option<&str>, "NULL"),
    measure: default!(&str, "'revenue'"),
    origins: default!(i32, 3),
    levels: default!(Vec<Option<f64>>, "'{80,95}'"),
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
    let (_, opts, m) = sales_setup(F, horizon, grain, model, levels);
    if !(1..=20).contains(&origins) {
        error::invalid_argument(format!("{F}: origins: {origins} is out of range: allowed 1 to 20"), "Pass how many rolling forecast origins to evaluate, e.g. origins => 3.");
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
