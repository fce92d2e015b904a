//! Saved forecast models: `cafe24.train_forecast_model` chooses a model per series (the
//! backtest `auto` would run) and fits the global model once, and stores both in
//! `cafe24.forecast_model` / `cafe24.forecast_model_series`; `forecast_sales(model_name => ...)`
//! forecasts from them without selecting or refitting the global model again. `forecast_sales`
//! lives here, above both: it forecasts fresh series through `super::forecast` and saved
//! ones through [`load`].

use super::forecast::{self as f, Plan, Series};
use super::report::{self, check_name, FORECAST_MODEL};
use crate::args::required;
use crate::error;
use crate::privileged::{self, StoredBy};
use cafe24_engine::calendar::Grain;
use cafe24_engine::forecast::metrics::{naive_scale, Accuracy, AccuracyAccumulator};
use cafe24_engine::forecast::{self as fc, GlobalModel, Model};
use pgrx::datum::Date;
use pgrx::prelude::*;
use pgrx::{pg_sys, JsonB, PgSqlErrorCode};
use serde_json::json;
use std::collections::HashMap;

/// Forecasts of the star schema's sales series (fresh, or from a saved model).
#[pg_extern(stable, parallel_restricted)]
#[allow(clippy::too_many_arguments)]
fn forecast_sales(
    horizon: default!(Option<i32>, 28),
    grain: default!(Option<&str>, "'day'"),
    by: default!(Option<&str>, "'total'"),
    model: default!(Option<&str>, "'auto'"),
    source: default!(Option<&str>, "NULL"),
    measure: default!(Option<&str>, "'revenue'"),
    levels: default!(Option<Vec<Option<f64>>>, "'{80,95}'"),
    model_name: default!(Option<&str>, "NULL"),
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
    let horizon = required(F, "horizon", horizon);
    let grain = required(F, "grain", grain);
    let by = required(F, "by", by);
    let model = required(F, "model", model);
    let measure = required(F, "measure", measure);
    let levels = required(F, "levels", levels);
    let (g, opts, series, stocked_out, plans, global) = match model_name {
        None => {
            let (g, opts) = f::sales_setup(F, horizon, grain, levels);
            let series = f::sales_series(F, grain, by, measure, source);
            let stocked_out = f::stockouts(g, by, source, &series);
            let plans = f::plans(F, model, g, &series);
            let global = plans.contains(&Plan::Global).then(|| f::fit_global(F, g, &series).0);
            (g, opts, series, stocked_out, plans, global)
        }
        Some(name) => {
            let saved = load(
                F,
                name,
                &[
                    ("grain", grain, "day"),
                    ("by", by, "total"),
                    ("model", model, "auto"),
                    ("measure", measure, "revenue"),
                ],
                source,
            );
            let (g, opts) = f::sales_setup(F, horizon, &saved.grain, levels);
            let series = saved.series(F);
            let stocked_out = saved.stockouts(F, g, &series);
            let plans = series.iter().map(|s| saved.plan(&s.0)).collect();
            (g, opts, series, stocked_out, plans, saved.global)
        }
    };
    let forecasts = f::forecast_planned(F, g, &series, &stocked_out, &plans, global.as_ref(), &opts);
    let mut out = Vec::with_capacity(series.len() * opts.horizon);
    for ((key, last, _), mut forecast) in series.into_iter().zip(forecasts) {
        if let Some(name) = model_name {
            forecast.model = format!("{} (saved model {name})", forecast.model);
        }
        let last = f::to_naive(last);
        out.extend(f::rows(forecast).map(|(step, yhat, lo, hi, model)| {
            (key.clone(), f::from_naive(g.step(last, step as i64)), step, yhat, lo, hi, model)
        }));
    }
    TableIterator::new(out)
}

/// A saved model, as `forecast_sales` uses it.
pub(crate) struct Saved {
    pub grain: String,
    pub by: String,
    pub measure: String,
    pub source: Option<String>,
    pub global: Option<GlobalModel>,
    /// Its owner: `source` runs with the owner's rights.
    written_by: StoredBy,
    /// Per series: the model chosen at training and its backtest RMSE per period.
    per_series: HashMap<String, (String, Option<f64>)>,
}

impl Saved {
    /// The series the model reads: its `source` (or the star schema), run as the model's owner.
    pub fn series(&self, function: &str) -> Vec<(String, Date, Vec<f64>)> {
        privileged::as_stored_query_owner(function, "the forecast model", self.written_by, || {
            f::sales_series(function, &self.grain, &self.by, &self.measure, self.source.as_deref())
        })
    }

    /// The stockout days of `series` (read as the model's owner, like the series).
    pub fn stockouts(&self, function: &str, g: Grain, series: &[Series]) -> Vec<Vec<bool>> {
        privileged::as_stored_query_owner(function, "the forecast model", self.written_by, || {
            f::stockouts(g, &self.by, self.source.as_deref(), series)
        })
    }

    /// The stored choice for `key`; a series the model has not seen gets the global model
    /// when there is one, else `auto`.
    pub fn plan(&self, key: &str) -> Plan {
        match self.per_series.get(key).map(|s| s.0.as_str()) {
            Some(f::GLOBAL) | None if self.global.is_some() => Plan::Global,
            Some(name) => Plan::Local(Model::parse(name).unwrap_or(Model::Auto)),
            None => Plan::Local(Model::Auto),
        }
    }
}

/// Loads saved model `name` (a reference: the caller's own model, or owner.name). `args` are
/// the caller's (argument, value, default): a value that is neither the default nor what the
/// model was trained with is an error.
pub(crate) fn load(function: &str, name: &str, args: &[(&str, &str, &str)], source: Option<&str>) -> Saved {
    let row = Spi::get_one_with_args::<JsonB>(
        // An aggregate, so a missing model is one NULL row rather than no row.
        "SELECT max(jsonb_build_object('grain', grain, 'by', by, 'measure', measure, 'source', source, 'model', requested, 'owner', owner::oid::bigint, 'name', name)::text)::jsonb FROM cafe24._find_forecast_model($1)",
        &[name.into()],
    )
    .unwrap_or_else(|e| pgrx::error!("{function}: {e}"));
    let Some(JsonB(row)) = row else { report::not_found(function, &FORECAST_MODEL, name) };
    let owner = pg_sys::Oid::from(row["owner"].as_u64().unwrap_or(0) as u32);
    let model_name = row["name"].as_str().unwrap_or_default().to_string();
    let text = |k: &str| row[k].as_str().map(str::to_string);
    for (arg, given, default) in args {
        let trained = text(arg).unwrap_or_default();
        if given != default && !given.eq_ignore_ascii_case(&trained) {
            error::invalid_argument(
                format!("{function}: {arg} = '{given}' differs from forecast model \"{name}\", trained with {arg} = '{trained}'"),
                "Leave it out (the saved model decides), or train another model.",
            );
        }
    }
    if source.is_some() && source.map(str::to_string) != text("source") {
        error::invalid_argument(
            format!("{function}: source differs from forecast model \"{name}\""),
            "Leave source out: the saved model reads its own source.",
        );
    }
    let bytes = Spi::get_one_with_args::<Vec<u8>>(
        "SELECT global_model FROM cafe24.forecast_model WHERE owner = $1 AND name = $2",
        &[owner.into(), model_name.as_str().into()],
    )
    .unwrap_or_else(|e| pgrx::error!("{function}: {e}"));
    let global = bytes.map(|b| {
        GlobalModel::from_bytes(&b).unwrap_or_else(|e| {
            error::raise(
                PgSqlErrorCode::ERRCODE_DATA_CORRUPTED,
                format!("{function}: forecast model \"{name}\": the saved global model is unreadable: {e}"),
                "Train it again with train_forecast_model(..., replace => true).",
            )
        })
    });
    let per_series = Spi::connect(|client| {
        let rows = client.select(
            "SELECT series_key, model, rmse FROM cafe24.forecast_model_series WHERE model_owner = $1 AND model_name = $2",
            None,
            &[owner.into(), model_name.as_str().into()],
        )?;
        let mut m = HashMap::new();
        for r in rows {
            m.insert(
                r.get::<String>(1)?.unwrap_or_default(),
                (r.get::<String>(2)?.unwrap_or_default(), r.get::<f64>(3)?),
            );
        }
        Ok::<_, pgrx::spi::Error>(m)
    })
    .unwrap_or_else(|e| pgrx::error!("{function}: {e}"));
    let written_by = StoredBy { owner, builtin: false };
    Saved {
        grain: text("grain").unwrap_or_default(),
        by: text("by").unwrap_or_default(),
        measure: text("measure").unwrap_or_default(),
        source: text("source"),
        global,
        written_by,
        per_series,
    }
}

/// Daily unit forecasts per product (variant code) for the next `days` days from saved model
/// `name`, which must forecast units by product per day, with the series' backtest RMSE
/// per day (`None` when it could not be backtested). Forecasts start after the sales history
/// ends, so a stock position `as_of` an earlier day is an error.
pub(crate) fn daily_units(
    function: &str,
    name: &str,
    days: usize,
    as_of: Option<Date>,
) -> HashMap<String, (Vec<f64>, Option<f64>)> {
    let saved = load(function, name, &[], None);
    if (saved.grain.as_str(), saved.by.as_str(), saved.measure.as_str()) != ("day", "product", "units") {
        error::invalid_argument(
            format!("{function}: demand_model: forecast model \"{name}\" forecasts {} by {} per {}, not units by product per day", saved.measure, saved.by, saved.grain),
            "Train one with train_forecast_model('...', grain => 'day', by => 'product', measure => 'units').",
        );
    }
    let (g, opts) = f::sales_setup(function, days.clamp(1, fc::MAX_HORIZON) as i32, "day", vec![Some(80.0)]);
    let series = saved.series(function);
    if let (Some(as_of), Some(last)) = (as_of, series.iter().map(|s| s.1).max()) {
        if as_of < last {
            error::invalid_argument(
                format!("{function}: as_of = {as_of} is before the end of the sales history ({last}), where demand_model's forecasts start"),
                "Leave as_of out to plan from the latest stock with the forecast, or leave demand_model out to plan a past day from the history.",
            );
        }
    }
    let stocked_out = saved.stockouts(function, g, &series);
    let plans: Vec<Plan> = series.iter().map(|s| saved.plan(&s.0)).collect();
    let forecasts = f::forecast_planned(function, g, &series, &stocked_out, &plans, saved.global.as_ref(), &opts);
    series
        .into_iter()
        .zip(forecasts)
        .map(|(s, fc)| {
            let rmse = saved.per_series.get(&s.0).and_then(|p| p.1);
            (s.0, (fc.point, rmse))
        })
        .collect()
}

/// Accuracy of the global model's calibration forecast of one series against what followed.
fn holdout_accuracy(y: &[f64], h: &fc::Holdout, season: usize) -> Option<Accuracy> {
    let end = (h.origin + h.point.len()).min(y.len());
    if h.origin == 0 || end <= h.origin {
        return None;
    }
    let mut acc = AccuracyAccumulator::default();
    acc.add(&y[h.origin..end], &h.point[..end - h.origin], &[], naive_scale(&y[..h.origin], season));
    Some(acc.finish())
}

type Choice = (String, Option<Accuracy>);

#[pg_extern(volatile, parallel_unsafe)]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn train_forecast_model(
    name: Option<&str>,
    horizon: default!(Option<i32>, 28),
    grain: default!(Option<&str>, "'day'"),
    by: default!(Option<&str>, "'total'"),
    model: default!(Option<&str>, "'auto'"),
    source: default!(Option<&str>, "NULL"),
    measure: default!(Option<&str>, "'revenue'"),
    levels: default!(Option<Vec<Option<f64>>>, "'{80,95}'"),
    replace: default!(Option<bool>, false),
) -> TableIterator<
    'static,
    (
        name!(series_key, String),
        name!(model, String),
        name!(mase, Option<f64>),
        name!(smape, Option<f64>),
        name!(rmse, Option<f64>),
        name!(bias, Option<f64>),
        name!(coverage, Option<Vec<f64>>),
    ),
> {
    const F: &str = "train_forecast_model";
    let name = required(F, "name", name);
    let horizon = required(F, "horizon", horizon);
    let grain = required(F, "grain", grain);
    let by = required(F, "by", by);
    let model = required(F, "model", model);
    let measure = required(F, "measure", measure);
    let levels = required(F, "levels", levels);
    let replace = required(F, "replace", replace);
    check_name(F, name, "daily_products");
    let (g, opts) = f::sales_setup(F, horizon, grain, levels);
    // Names are per owner: only the caller's own model of that name counts.
    let exists = report::own_exists(&FORECAST_MODEL, name);
    if exists && !replace {
        error::raise(
            PgSqlErrorCode::ERRCODE_DUPLICATE_OBJECT,
            format!("{F}: forecast model \"{name}\" already exists"),
            "Pass replace => true to train it again, or choose another name.",
        );
    }
    let series: Vec<Series> = f::sales_series(F, grain, by, measure, source);
    if series.is_empty() {
        error::invalid_argument(
            format!("{F}: the source has no series to train on"),
            "Check the source (or the star schema) has sales.",
        );
    }
    let plans = f::plans(F, model, g, &series);
    let stocked_out = f::stockouts(g, by, source, &series);
    // The backtests that choose each local series' model, on worker threads, on the
    // history the model will see (the retail calendar's, for days).
    let threads = crate::gucs::threads();
    let last = f::last_days(&series);
    let history = |i: usize| f::local_history(g, &series[i].2, last[i], &stocked_out[i]);
    let local: Vec<Option<Choice>> = crate::db::run_parallel(F, series.len(), |cancel, done| {
        fc::parallel_map(series.len(), threads, cancel, done, |i| match plans[i] {
            Plan::Global => Ok(None),
            Plan::Local(Model::Auto) => fc::auto_choice(&history(i), &opts)
                .map(|c| Some(c.map_or(("auto".to_string(), None), |(m, a)| (m.name().to_string(), Some(a))))),
            Plan::Local(m) => Ok(Some((
                m.name().to_string(),
                fc::backtest(&history(i), &[m], &opts, 3).ok().and_then(|s| s.into_iter().next()).map(|s| s.accuracy),
            ))),
        })
    })
    .into_iter()
    .map(|r| {
        r.unwrap_or_else(|| {
            error::raise(PgSqlErrorCode::ERRCODE_QUERY_CANCELED, format!("{F}: interrupted"), "Run it again.")
        })
        .unwrap_or_else(|e| f::fail(F, e))
    })
    .collect();
    let (global, holdouts) = match plans.contains(&Plan::Global) {
        true => {
            let (m, h) = f::fit_global(F, g, &series);
            (Some(m), h)
        }
        false => (None, vec![None; series.len()]),
    };
    let season = g.season_candidates()[0];
    let choices: Vec<Choice> = local
        .into_iter()
        .zip(&holdouts)
        .zip(&series)
        .map(|((l, h), s)| {
            l.unwrap_or_else(|| (f::GLOBAL.to_string(), h.as_ref().and_then(|h| holdout_accuracy(&s.2, h, season))))
        })
        .collect();

    let finite = |v: f64| v.is_finite().then_some(v);
    let rows: Vec<serde_json::Value> = series
        .iter()
        .zip(&choices)
        .map(|(s, (m, a))| {
            json!({"series_key": s.0, "model": m,
                   "mase": a.as_ref().and_then(|a| finite(a.mase)), "smape": a.as_ref().and_then(|a| finite(a.smape)),
                   "rmse": a.as_ref().and_then(|a| finite(a.rmse)), "bias": a.as_ref().and_then(|a| finite(a.bias)),
                   // None for the global model: its intervals are calibrated on that same holdout.
                   "levels": a.as_ref().filter(|a| !a.coverage.is_empty()).map(|a| a.coverage.iter().map(|c| c.0).collect::<Vec<_>>()),
                   "coverage": a.as_ref().filter(|a| !a.coverage.is_empty()).map(|a| a.coverage.iter().map(|c| c.1).collect::<Vec<_>>())})
        })
        .collect();
    let info = global.as_ref().map(|m| {
        let i = &m.info;
        JsonB(json!({"series": i.series, "training_rows": i.training_rows, "calibration_horizon": i.calibration_horizon,
                     "holdout_mase": finite(i.holdout_mase), "holdout_mase_seasonal_naive": finite(i.holdout_mase_seasonal_naive)}))
    });
    Spi::run_with_args(
        "DELETE FROM cafe24.forecast_model WHERE owner = current_user::regrole AND name = $1",
        &[name.into()],
    )
    .unwrap_or_else(|e| pgrx::error!("{F}: {e}"));
    Spi::run_with_args(
        "INSERT INTO cafe24.forecast_model (name, grain, by, measure, source, requested, horizon, series, global_model, global_info)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[name.into(), grain.trim().to_ascii_lowercase().into(), by.into(), measure.into(), source.into(), model.trim().to_ascii_lowercase().into(), horizon.into(),
          (series.len() as i32).into(), global.as_ref().map(GlobalModel::to_bytes).into(), info.into()],
    )
    .unwrap_or_else(|e| pgrx::error!("{F}: {e}"));
    Spi::run_with_args(
        "INSERT INTO cafe24.forecast_model_series (model_owner, model_name, series_key, model, mase, smape, rmse, bias, levels, coverage)
         SELECT current_user::regrole, $1, r.series_key, r.model, r.mase, r.smape, r.rmse, r.bias,
                CASE WHEN jsonb_typeof(r.levels) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(r.levels))::float8[] END,
                CASE WHEN jsonb_typeof(r.coverage) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(r.coverage))::float8[] END
         FROM jsonb_to_recordset($2) AS r(series_key text, model text, mase float8, smape float8, rmse float8, bias float8, levels jsonb, coverage jsonb)",
        &[name.into(), JsonB(serde_json::Value::Array(rows)).into()],
    )
    .unwrap_or_else(|e| pgrx::error!("{F}: {e}"));
    TableIterator::new(series.into_iter().zip(choices).map(move |(s, (m, a))| {
        let a = a.as_ref();
        (
            s.0,
            m,
            a.and_then(|a| finite(a.mase)),
            a.and_then(|a| finite(a.smape)),
            a.and_then(|a| finite(a.rmse)),
            a.and_then(|a| finite(a.bias)),
            a.filter(|a| !a.coverage.is_empty()).map(|a| a.coverage.iter().map(|c| c.1).collect()),
        )
    }))
}

#[pg_extern(volatile, parallel_unsafe)]
fn drop_forecast_model(name: &str, if_exists: default!(bool, false)) -> bool {
    report::drop_own("drop_forecast_model", &FORECAST_MODEL, name, if_exists)
}
