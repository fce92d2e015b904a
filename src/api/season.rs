//! `cafe24.seasonal_trends`, `cafe24.seasonal_indices`, `cafe24.yoy_growth`: seasonal
//! analysis of sales series, computed by `cafe24_engine::season`.

use super::forecast::{from_naive, grain, sales_series, to_naive};
use crate::args::required;
use crate::error;
use crate::gucs::{self, Feature};
use cafe24_engine::calendar::Grain;
use cafe24_engine::chrono::NaiveDate;
use cafe24_engine::season;
use pgrx::datum::Date;
use pgrx::prelude::*;

/// Each series of the source with the date of its first period.
fn series_with_start(
    function: &str,
    g: Grain,
    grain_name: &str,
    by: &str,
    measure: &str,
    source: Option<&str>,
) -> Vec<(String, NaiveDate, Vec<f64>)> {
    sales_series(function, grain_name, by, measure, source)
        .into_iter()
        .map(|(key, last, y)| {
            let start = g.step(to_naive(last), 1 - y.len() as i64);
            (key, start, y)
        })
        .collect()
}

#[pg_extern(stable, parallel_restricted)]
#[allow(clippy::type_complexity)]
fn seasonal_trends(
    grain: default!(Option<&str>, "'day'"),
    by: default!(Option<&str>, "'total'"),
    measure: default!(Option<&str>, "'revenue'"),
    source: default!(Option<&str>, "NULL"),
    season_lengths: default!(Option<Vec<Option<i32>>>, "NULL"),
) -> TableIterator<
    'static,
    (
        name!(series_key, String),
        name!(ds, Date),
        name!(y, f64),
        name!(trend, f64),
        name!(seasonal, f64),
        name!(remainder, f64),
        name!(anomaly_score, f64),
        name!(is_anomaly, bool),
        name!(is_changepoint, bool),
        name!(season_lengths, Vec<i32>),
    ),
> {
    const F: &str = "seasonal_trends";
    let grain = required(F, "grain", grain);
    let by = required(F, "by", by);
    let measure = required(F, "measure", measure);
    gucs::require(Feature::Forecasting, F);
    let g = self::grain(F, grain);
    let given: Option<Vec<usize>> = season_lengths.map(|s| {
        if s.len() > 8 {
            error::invalid_argument(
                format!("{F}: season_lengths has {} elements; at most 8 are allowed", s.len()),
                "Pass periods per season, e.g. '{7,365}', or NULL to detect them.",
            );
        }
        s.into_iter()
            .map(|m| match m {
                Some(m) if m >= 2 => m as usize,
                other => error::invalid_argument(
                    format!("{F}: season_lengths: {other:?} is not a season length: allowed 2 or more"),
                    "Pass periods per season, e.g. '{7,365}', or NULL to detect them.",
                ),
            })
            .collect()
    });
    let mut out = Vec::new();
    for (key, start, y) in series_with_start(F, g, grain, by, measure, source) {
        pgrx::check_for_interrupts!();
        let seasons = given.clone().unwrap_or_else(|| season::detect_seasons(&y, g));
        let dec = season::decompose(&y, &seasons)
            .unwrap_or_else(|e| error::invalid_argument(format!("{F}: series {key}: {e}"), "Check the source."));
        let lengths: Vec<i32> = dec.season_lengths.iter().map(|m| *m as i32).collect();
        #[allow(clippy::needless_range_loop)] // t indexes six parallel series and is the output's step
        for t in 0..y.len() {
            out.push((
                key.clone(),
                from_naive(g.step(start, t as i64)),
                y[t],
                dec.trend[t],
                dec.seasonal[t],
                dec.remainder[t],
                dec.anomaly_score[t],
                dec.anomaly_score[t].abs() > season::ANOMALY_THRESHOLD,
                dec.changepoints.contains(&t),
                lengths.clone(),
            ));
        }
    }
    TableIterator::new(out)
}

#[pg_extern(stable, parallel_restricted)]
fn seasonal_indices(
    grain: default!(Option<&str>, "'day'"),
    by: default!(Option<&str>, "'total'"),
    measure: default!(Option<&str>, "'revenue'"),
    source: default!(Option<&str>, "NULL"),
) -> TableIterator<
    'static,
    (name!(series_key, String), name!(kind, String), name!(bucket, i32), name!(index, f64), name!(periods, i32)),
> {
    const F: &str = "seasonal_indices";
    let grain = required(F, "grain", grain);
    let by = required(F, "by", by);
    let measure = required(F, "measure", measure);
    gucs::require(Feature::Forecasting, F);
    let g = self::grain(F, grain);
    let mut out = Vec::new();
    for (key, start, y) in series_with_start(F, g, grain, by, measure, source) {
        pgrx::check_for_interrupts!();
        let seasons = season::detect_seasons(&y, g);
        let dec = season::decompose(&y, &seasons)
            .unwrap_or_else(|e| error::invalid_argument(format!("{F}: series {key}: {e}"), "Check the source."));
        for i in season::seasonal_indices(&y, &dec.trend, start, g) {
            out.push((key.clone(), i.kind.to_string(), i.bucket as i32, i.index, i.periods as i32));
        }
    }
    TableIterator::new(out)
}

#[pg_extern(stable, parallel_restricted)]
fn yoy_growth(
    grain: default!(Option<&str>, "'day'"),
    by: default!(Option<&str>, "'total'"),
    measure: default!(Option<&str>, "'revenue'"),
    source: default!(Option<&str>, "NULL"),
) -> TableIterator<
    'static,
    (
        name!(series_key, String),
        name!(month, Date),
        name!(total, f64),
        name!(previous_total, f64),
        name!(growth_pct, f64),
    ),
> {
    const F: &str = "yoy_growth";
    let grain = required(F, "grain", grain);
    let by = required(F, "by", by);
    let measure = required(F, "measure", measure);
    gucs::require(Feature::Forecasting, F);
    let g = self::grain(F, grain);
    let mut out = Vec::new();
    for (key, start, y) in series_with_start(F, g, grain, by, measure, source) {
        for (month, total, prev, pct) in season::yoy_growth(&y, start, g) {
            out.push((key.clone(), from_naive(month), total, prev, pct));
        }
    }
    TableIterator::new(out)
}
