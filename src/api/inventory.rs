//! `cafe24.optimize_inventory` and `cafe24.simulate_inventory_policy`: per-product
//! inputs read by SQL (`cafe24._inventory_inputs`), policy math in `cafe24_engine::inventory`.

use crate::args::required;
use crate::gucs::{self, Feature};
use crate::{db, error};
use cafe24_engine::inventory::classify::{abc_classes, xyz_classes, AbcThresholds, XyzThresholds};
use cafe24_engine::inventory::demand::{DemandBasis, DemandStats};
use cafe24_engine::inventory::events::EVENT_HISTORY_DAYS;
use cafe24_engine::inventory::policy::ServiceTarget;
use cafe24_engine::inventory::recommend::{recommend, ProductInput};
use cafe24_engine::inventory::rule::{Policy, PolicyParams};
use cafe24_engine::inventory::simulate::{simulate, LeadTime, SimConfig, SimResult, NAIVE_WINDOW_DAYS};
use cafe24_engine::inventory::InventoryError;
use pgrx::datum::Date;
use pgrx::prelude::*;

fn fail(function: &str, e: InventoryError) -> ! {
    let hint = format!("Pass {} within the range above (see docs/sql-reference.md).", e.argument);
    error::invalid_argument(format!("{function}: {e}"), hint)
}

fn params(
    function: &str,
    service_level: f64,
    fill_rate: Option<f64>,
    review_period_days: Option<i32>,
    holding_cost_rate: f64,
    order_cost: f64,
) -> PolicyParams {
    let service = match fill_rate {
        Some(b) => ServiceTarget::FillRate(b),
        None => ServiceTarget::CycleServiceLevel(service_level),
    };
    let review_period_days = review_period_days.map(|r| {
        u32::try_from(r).unwrap_or_else(|_| {
            fail(
                function,
                InventoryError { argument: "review_period_days".into(), value: r as f64, allowed: "allowed 1 or more" },
            )
        })
    });
    let p = PolicyParams { service, review_period_days, holding_cost_rate, order_cost };
    p.service.validate().unwrap_or_else(|e| fail(function, e));
    p
}

#[pg_extern(stable, parallel_restricted)]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn optimize_inventory(
    service_level: default!(Option<f64>, 0.95),
    review_period_days: default!(Option<i32>, "NULL"),
    holding_cost_rate: default!(Option<f64>, 0.25),
    order_cost: default!(Option<f64>, 30000.0),
    as_of: default!(Option<Date>, "NULL"),
    history_days: default!(Option<i32>, 180),
    fill_rate: default!(Option<f64>, "NULL"),
    lead_time_sd_days: default!(Option<f64>, 0.0),
    demand_model: default!(Option<&str>, "NULL"),
) -> TableIterator<
    'static,
    (
        name!(product_id, i64),
        name!(variant_code, String),
        name!(name, String),
        name!(on_hand, i32),
        name!(on_order, i32),
        name!(avg_daily_demand, Option<f64>),
        name!(demand_cv, Option<f64>),
        name!(lead_time_days, i32),
        name!(safety_stock, Option<f64>),
        name!(reorder_point, Option<f64>),
        name!(eoq, Option<f64>),
        name!(order_qty, Option<f64>),
        name!(days_of_cover, Option<f64>),
        name!(stockout_risk, Option<f64>),
        name!(excess_value, Option<f64>),
        name!(abc_class, String),
        name!(xyz_class, String),
        name!(reason, String),
    ),
> {
    const F: &str = "optimize_inventory";
    let service_level = required(F, "service_level", service_level);
    let holding_cost_rate = required(F, "holding_cost_rate", holding_cost_rate);
    let order_cost = required(F, "order_cost", order_cost);
    let history_days = required(F, "history_days", history_days);
    let lead_time_sd_days = required(F, "lead_time_sd_days", lead_time_sd_days);
    gucs::require(Feature::InventoryOptimization, F);
    let p = params(F, service_level, fill_rate, review_period_days, holding_cost_rate, order_cost);
    if !(7..=3660).contains(&history_days) {
        error::invalid_argument(
            format!("{F}: history_days = {history_days} is out of range: allowed 7 to 3660"),
            "Pass how many days of sales to learn demand from, e.g. history_days => 180.",
        );
    }
    // Without a forecast model, demand is learned with retail events from a longer window.
    let series_days = if demand_model.is_none() { history_days.max(EVENT_HISTORY_DAYS as i32) } else { history_days };
    let inputs = db::inventory_inputs(as_of, history_days, series_days);
    let default_lead = gucs::DEFAULT_LEAD_TIME_DAYS.get();
    // Demand from a saved forecast model: the mean over the days an order must cover
    // (lead time plus review period), and the model's backtest error.
    let review = review_period_days.unwrap_or(0).max(0) as usize;
    let cover = |lead: i32| lead.max(0) as usize + review.max(1);
    let forecasts = demand_model.map(|name| {
        let days = inputs.iter().map(|i| cover(i.lead_time_days.unwrap_or(default_lead))).max().unwrap_or(1);
        super::forecast_model::daily_units(F, name, days, as_of)
    });
    let revenue: Vec<f64> = inputs.iter().map(|i| i.revenue).collect();
    let abc = abc_classes(&revenue, AbcThresholds::default()).unwrap_or_else(|e| fail(F, e));
    let mut recs = Vec::with_capacity(inputs.len());
    for i in &inputs {
        pgrx::check_for_interrupts!();
        let lead = i.lead_time_days.unwrap_or(default_lead);
        let rec = i.unit_cost.filter(|c| *c > 0.0).map(|unit_cost| {
            let series = db::dense(series_days as usize, &i.offsets, &i.units);
            let history = series[(series_days - history_days) as usize..].to_vec();
            let forecast = forecasts.as_ref().and_then(|f| f.get(&i.variant_code));
            let basis = match forecast {
                Some((point, rmse)) => {
                    let days = cover(lead).min(point.len()).max(1);
                    let mean_per_day = point[..days].iter().sum::<f64>() / days as f64;
                    // Without a backtest, the history's day-to-day spread stands in.
                    let rmse_per_day =
                        rmse.unwrap_or_else(|| DemandStats::from_history(&history).map_or(0.0, |s| s.sd));
                    DemandBasis::Forecast { mean_per_day, rmse_per_day }
                }
                None => DemandBasis::Events {
                    last_day: super::forecast::to_naive(i.as_of),
                    history: series,
                    stocked_out: db::flags(series_days as usize, &i.stockout_offsets),
                },
            };
            let product = ProductInput {
                history,
                basis,
                unit_cost,
                lead_time_days: lead as f64,
                lead_time_sd_days,
                on_hand: i.on_hand.max(0) as f64,
                on_order: i.on_order as f64,
            };
            recommend(&product, &p).unwrap_or_else(|e| fail(F, e))
        });
        recs.push((lead, rec));
    }
    let cvs: Vec<Option<f64>> = recs.iter().map(|(_, r)| r.as_ref().and_then(|r| r.demand_cv)).collect();
    let xyz = xyz_classes(&cvs, XyzThresholds::default()).unwrap_or_else(|e| fail(F, e));
    let rows: Vec<_> = inputs
        .into_iter()
        .zip(recs)
        .zip(abc.into_iter().zip(xyz))
        .map(|((i, (lead, rec)), (a, x))| {
            let default_note = if i.lead_time_days.is_none() { " (default lead time)" } else { "" };
            let default_note = match (&forecasts, forecasts.as_ref().is_some_and(|f| f.contains_key(&i.variant_code))) {
                (Some(_), true) => format!("{default_note} (demand: forecast)"),
                (Some(_), false) => format!("{default_note} (demand: history, no forecast for this product)"),
                (None, _) => default_note.to_string(),
            };
            match rec {
                Some(r) => (
                    i.product_id,
                    i.variant_code,
                    i.name,
                    i.on_hand,
                    i.on_order,
                    Some(r.daily_demand),
                    r.demand_cv,
                    lead,
                    Some(r.safety_stock),
                    Some(r.reorder_point),
                    Some(r.eoq),
                    Some(r.order_qty),
                    r.days_of_cover,
                    Some(r.stockout_risk),
                    Some(r.excess_value),
                    a.as_str().to_string(),
                    x.as_str().to_string(),
                    format!("{}{default_note}", r.reason),
                ),
                None => (
                    i.product_id,
                    i.variant_code,
                    i.name,
                    i.on_hand,
                    i.on_order,
                    None,
                    None,
                    lead,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    a.as_str().to_string(),
                    x.as_str().to_string(),
                    "no recommendation: unit cost unknown (set cafe24.product.unit_cost)".to_string(),
                ),
            }
        })
        .collect();
    TableIterator::new(rows)
}

#[pg_extern(stable, parallel_restricted)]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn simulate_inventory_policy(
    from_date: Option<Date>,
    to_date: Option<Date>,
    policy: default!(Option<&str>, "'recommended'"),
    service_level: default!(Option<f64>, 0.95),
    review_period_days: default!(Option<i32>, "NULL"),
    holding_cost_rate: default!(Option<f64>, 0.25),
    order_cost: default!(Option<f64>, 30000.0),
    history_days: default!(Option<i32>, 180),
) -> TableIterator<
    'static,
    (
        name!(product_id, Option<i64>),
        name!(variant_code, String),
        name!(fill_rate, f64),
        name!(stockout_days, i32),
        name!(avg_inventory_value, f64),
        name!(total_cost, f64),
        name!(naive_fill_rate, f64),
        name!(naive_stockout_days, i32),
        name!(naive_avg_inventory_value, f64),
        name!(naive_total_cost, f64),
        name!(cost_change_pct, Option<f64>),
    ),
> {
    const F: &str = "simulate_inventory_policy";
    let from_date = required(F, "from_date", from_date);
    let to_date = required(F, "to_date", to_date);
    let policy = required(F, "policy", policy);
    let service_level = required(F, "service_level", service_level);
    let holding_cost_rate = required(F, "holding_cost_rate", holding_cost_rate);
    let order_cost = required(F, "order_cost", order_cost);
    let history_days = required(F, "history_days", history_days);
    gucs::require(Feature::InventoryOptimization, F);
    let p = params(F, service_level, None, review_period_days, holding_cost_rate, order_cost);
    // In i64: an infinite date is i32::MIN or i32::MAX days from the epoch.
    let days = to_date.to_pg_epoch_days() as i64 - from_date.to_pg_epoch_days() as i64 + 1;
    if !from_date.is_finite() || !to_date.is_finite() || !(1..=3660).contains(&days) {
        error::invalid_argument(
            format!("{F}: from_date {from_date} to to_date {to_date} spans {days} days: allowed 1 to 3660"),
            "Pass a from_date on or before to_date.",
        );
    }
    let days = days as i32;
    if !(7..=3660).contains(&history_days) {
        error::invalid_argument(
            format!("{F}: history_days = {history_days} is out of range: allowed 7 to 3660"),
            "Pass how many days before from_date the policy may learn from.",
        );
    }
    let start = Date::saturating_from_raw(from_date.to_pg_epoch_days() - 1);
    let chosen = match policy.trim().to_ascii_lowercase().as_str() {
        // Re-planned daily: the coming days' events move the levels from one day to the next.
        "recommended" => Policy::Recommended {
            params: p.clone(),
            window_days: history_days as u32,
            replan_days: 1,
            // Each product's own stockout days are filled in below.
            basis: DemandBasis::Events {
                last_day: super::forecast::to_naive(start),
                history: vec![],
                stocked_out: vec![],
            },
        },
        "smoothed" => Policy::Recommended {
            params: p.clone(),
            window_days: history_days as u32,
            replan_days: 7,
            basis: DemandBasis::Smoothed,
        },
        "history_mean" => Policy::Recommended {
            params: p.clone(),
            window_days: history_days as u32,
            replan_days: 7,
            basis: DemandBasis::History,
        },
        "naive" => Policy::Naive { window_days: NAIVE_WINDOW_DAYS },
        other => error::invalid_argument(
            format!("{F}: policy: unknown policy \"{other}\""),
            "Use recommended, smoothed, history_mean or naive.",
        ),
    };
    // Inputs as of the day before the simulation, with the history and the replayed
    // period read as one window.
    let known = history_days.max(EVENT_HISTORY_DAYS as i32);
    let window = known + days;
    let end = Date::saturating_from_raw(to_date.to_pg_epoch_days());
    let stock = db::inventory_inputs(Some(start), 1, 1);
    let demand = db::inventory_inputs(Some(end), window, window);
    let default_lead = gucs::DEFAULT_LEAD_TIME_DAYS.get();
    let mut rows = Vec::new();
    let (mut tot, mut naive_tot) = (Totals::default(), Totals::default());
    for (s, d) in stock.iter().zip(&demand) {
        pgrx::check_for_interrupts!();
        let Some(unit_cost) = s.unit_cost.filter(|c| *c > 0.0) else { continue };
        let series = db::dense(window as usize, &d.offsets, &d.units);
        let (history, replay) = series.split_at(known as usize);
        let config = |policy: Policy| SimConfig {
            policy,
            lead_time: LeadTime::Fixed(s.lead_time_days.unwrap_or(default_lead).max(0) as u32),
            history: history.to_vec(),
            on_hand: s.on_hand.max(0) as f64,
            pipeline: if s.on_order > 0 { vec![(0, s.on_order as f64)] } else { vec![] },
            unit_cost,
            price: s.price.max(unit_cost),
            holding_cost_rate,
            order_cost,
        };
        let mut policy = chosen.clone();
        if let Policy::Recommended { basis: DemandBasis::Events { stocked_out, .. }, .. } = &mut policy {
            *stocked_out = db::flags(known as usize, &d.stockout_offsets);
        }
        let ours = simulate(replay, &config(policy)).unwrap_or_else(|e| fail(F, e));
        let naive =
            simulate(replay, &config(Policy::Naive { window_days: NAIVE_WINDOW_DAYS })).unwrap_or_else(|e| fail(F, e));
        tot.add(&ours);
        naive_tot.add(&naive);
        rows.push(row(Some(s.product_id), s.variant_code.clone(), &ours.into(), &naive.into()));
    }
    rows.push(row(None, "TOTAL".into(), &tot, &naive_tot));
    TableIterator::new(rows)
}

/// Sums over products (fill rate recomputed from units).
#[derive(Default)]
struct Totals {
    demanded: f64,
    served: f64,
    stockout_days: usize,
    avg_value: f64,
    cost: f64,
}

impl Totals {
    fn add(&mut self, r: &SimResult) {
        self.demanded += r.demanded;
        self.served += r.served;
        self.stockout_days += r.stockout_days;
        self.avg_value += r.avg_on_hand_value;
        self.cost += r.total_cost;
    }
}

impl From<SimResult> for Totals {
    fn from(r: SimResult) -> Self {
        let mut t = Totals::default();
        t.add(&r);
        t
    }
}

type SimRow = (Option<i64>, String, f64, i32, f64, f64, f64, i32, f64, f64, Option<f64>);

fn row(product_id: Option<i64>, code: String, ours: &Totals, naive: &Totals) -> SimRow {
    let fill = |t: &Totals| if t.demanded > 0.0 { t.served / t.demanded } else { 1.0 };
    (
        product_id,
        code,
        fill(ours),
        ours.stockout_days as i32,
        ours.avg_value,
        ours.cost,
        fill(naive),
        naive.stockout_days as i32,
        naive.avg_value,
        naive.cost,
        (naive.cost > 0.0).then(|| 100.0 * (ours.cost / naive.cost - 1.0)),
    )
}
