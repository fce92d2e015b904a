//! `cafe24.segment_customers`, `cafe24.segment_summary`, `cafe24.customer_lifetime_value`,
//! `cafe24.evaluate_lifetime_value`: per-customer summaries read by SQL
//! (`cafe24._customer_summaries`), models in `cafe24_engine::segment` and `::clv`.

use crate::args::required;
use crate::gucs::{self, Feature};
use crate::{db, error};
use cafe24_engine::clv::{self, ClvOptions, RepeatSummary};
use cafe24_engine::segment::{self, ArgError, Method, SegmentOptions, Segmentation};
use pgrx::prelude::*;

fn fail(function: &str, e: ArgError) -> ! {
    let hint = format!("Fix {} as described above (see docs/sql-reference.md).", e.argument);
    error::invalid_argument(format!("{function}: {e}"), hint)
}

fn segmentation(
    function: &str,
    as_of: Option<TimestampWithTimeZone>,
    k: Option<i32>,
    method: &str,
    source: Option<&str>,
    seed: i64,
) -> (Vec<String>, Vec<f64>, Segmentation) {
    gucs::require(Feature::CustomerSegmentation, function);
    let method: Method = method.parse().unwrap_or_else(|e| fail(function, e));
    let (keys, summaries) = db::customer_summaries(function, as_of, source);
    let totals: Vec<f64> = summaries.iter().map(|c| c.total_amount).collect();
    let opts = SegmentOptions { method, k: k.map(i64::from), seed: seed as u64 };
    let fits = match (method, k) {
        (Method::Quantile, _) | (_, Some(1)) => 0,
        (_, Some(_)) => 1,
        (_, None) => segment::K_CANDIDATES.count(),
    };
    let seg =
        db::run_parallel(function, fits, |cancel, done| segment::segment_customers(&summaries, &opts, cancel, done))
            .unwrap_or_else(|e| fail(function, e));
    (keys, totals, seg)
}

#[pg_extern(stable, parallel_restricted)]
#[allow(clippy::type_complexity)]
fn segment_customers(
    as_of: default!(Option<TimestampWithTimeZone>, "NULL"),
    k: default!(Option<i32>, "NULL"),
    method: default!(Option<&str>, "'kmeans'"),
    source: default!(Option<&str>, "NULL"),
    seed: default!(Option<i64>, 42),
) -> TableIterator<
    'static,
    (
        name!(customer_key, String),
        name!(recency_days, f64),
        name!(frequency, i64),
        name!(monetary, f64),
        name!(r_score, i32),
        name!(f_score, i32),
        name!(m_score, i32),
        name!(segment_id, i32),
        name!(segment_label, String),
        name!(distance, f64),
    ),
> {
    const F: &str = "segment_customers";
    let method = required(F, "method", method);
    let seed = required(F, "seed", seed);
    let (keys, _, seg) = segmentation("segment_customers", as_of, k, method, source, seed);
    let labels: Vec<String> = seg.segments.iter().map(|s| s.label.to_string()).collect();
    TableIterator::new(keys.into_iter().zip(seg.customers).map(move |(key, c)| {
        let r = c.rfm;
        (
            key,
            r.recency_days,
            r.frequency,
            r.monetary,
            r.r_score as i32,
            r.f_score as i32,
            r.m_score as i32,
            c.segment as i32,
            labels[c.segment - 1].clone(),
            c.distance,
        )
    }))
}

#[pg_extern(stable, parallel_restricted)]
#[allow(clippy::type_complexity)]
fn segment_summary(
    as_of: default!(Option<TimestampWithTimeZone>, "NULL"),
    k: default!(Option<i32>, "NULL"),
    method: default!(Option<&str>, "'kmeans'"),
    source: default!(Option<&str>, "NULL"),
    seed: default!(Option<i64>, 42),
) -> TableIterator<
    'static,
    (
        name!(segment_id, i32),
        name!(segment_label, String),
        name!(customers, i64),
        name!(revenue_share_pct, f64),
        name!(recency_days, f64),
        name!(frequency, f64),
        name!(monetary, f64),
        name!(r_score, f64),
        name!(f_score, f64),
        name!(m_score, f64),
        name!(silhouette, Option<f64>),
    ),
> {
    const F: &str = "segment_summary";
    let method = required(F, "method", method);
    let seed = required(F, "seed", seed);
    let (_, totals, seg) = segmentation("segment_summary", as_of, k, method, source, seed);
    let all: f64 = totals.iter().map(|t| t.max(0.0)).sum();
    let mut revenue = vec![0.0; seg.segments.len()];
    for (c, t) in seg.customers.iter().zip(&totals) {
        revenue[c.segment - 1] += t.max(0.0);
    }
    let silhouette = seg.silhouette;
    TableIterator::new(seg.segments.into_iter().map(move |s| {
        let share = if all > 0.0 { 100.0 * revenue[s.id - 1] / all } else { 0.0 };
        (
            s.id as i32,
            s.label.to_string(),
            s.customers as i64,
            share,
            s.recency_days,
            s.frequency,
            s.monetary,
            s.r_score,
            s.f_score,
            s.m_score,
            silhouette,
        )
    }))
}

#[pg_extern(stable, parallel_restricted)]
#[allow(clippy::type_complexity)]
fn customer_lifetime_value(
    horizon_days: default!(Option<i32>, 365),
    as_of: default!(Option<TimestampWithTimeZone>, "NULL"),
    source: default!(Option<&str>, "NULL"),
    discount_rate: default!(Option<f64>, 0.1),
    margin: default!(Option<f64>, 1.0),
) -> TableIterator<
    'static,
    (
        name!(customer_key, String),
        name!(repeat_purchases, i64),
        name!(expected_purchases, f64),
        name!(probability_alive, f64),
        name!(expected_order_value, f64),
        name!(clv, f64),
    ),
> {
    const F: &str = "customer_lifetime_value";
    let horizon_days = required(F, "horizon_days", horizon_days);
    let discount_rate = required(F, "discount_rate", discount_rate);
    let margin = required(F, "margin", margin);
    gucs::require(Feature::CustomerSegmentation, F);
    let opts = ClvOptions { horizon_days: horizon_days as f64, discount_rate, margin };
    let (keys, summaries) = db::customer_summaries(F, as_of, source);
    let data: Vec<RepeatSummary> = summaries.iter().map(RepeatSummary::from_customer).collect();
    let fit = db::run_parallel(F, data.len(), |cancel, done| clv::customer_lifetime_value(&data, &opts, cancel, done))
        .unwrap_or_else(|e| fail(F, e));
    TableIterator::new(
        keys.into_iter()
            .zip(data)
            .zip(fit.customers)
            .map(|((key, d), v)| (key, d.x, v.expected_purchases, v.probability_alive, v.expected_order_value, v.clv)),
    )
}

#[pg_extern(stable, parallel_restricted)]
#[allow(clippy::type_complexity)]
fn evaluate_lifetime_value(
    calibration_end: Option<TimestampWithTimeZone>,
    holdout_days: default!(Option<i32>, 90),
    source: default!(Option<&str>, "NULL"),
) -> TableIterator<
    'static,
    (
        name!(repeat_purchases, String),
        name!(customers, i64),
        name!(predicted_purchases, f64),
        name!(actual_purchases, f64),
        name!(mean_predicted, f64),
        name!(mean_actual, f64),
    ),
> {
    const F: &str = "evaluate_lifetime_value";
    let calibration_end = required(F, "calibration_end", calibration_end);
    let holdout_days = required(F, "holdout_days", holdout_days);
    gucs::require(Feature::CustomerSegmentation, F);
    let (keys, summaries) = db::customer_summaries(F, Some(calibration_end), source);
    let actual = db::holdout_purchases(F, &keys, calibration_end, holdout_days, source);
    let data: Vec<RepeatSummary> = summaries.iter().map(RepeatSummary::from_customer).collect();
    let ev = db::run_parallel(F, data.len(), |cancel, done| {
        clv::evaluate(&data, holdout_days as f64, &actual, cancel, done)
    })
    .unwrap_or_else(|e| fail(F, e));
    let mut rows: Vec<_> = ev
        .buckets
        .iter()
        .map(|b| {
            let label = if b.repeat_purchases >= clv::TOP_BUCKET {
                format!("{}+", b.repeat_purchases)
            } else {
                b.repeat_purchases.to_string()
            };
            let n = b.customers as f64;
            (label, b.customers as i64, b.mean_predicted * n, b.mean_actual * n, b.mean_predicted, b.mean_actual)
        })
        .collect();
    let n = data.len() as f64;
    rows.push((
        "all".into(),
        data.len() as i64,
        ev.predicted_total,
        ev.actual_total,
        ev.predicted_total / n,
        ev.actual_total / n,
    ));
    TableIterator::new(rows)
}
