//! Daily demand with Korean retail events planned ahead: the forecast behind
//! [`DemandBasis::Events`](super::demand::DemandBasis::Events).
//!
//! A day's expected demand is a level times the multiplier of the day's event
//! ([`crate::calendar::event_on`]: holiday gifting, the lunar holidays, 11.11 and Black Friday
//! to Cyber Monday, the Christmas run-up), 1 on days without one. Both are learned from the
//! history alone, which ends on a known date:
//!
//! - an event's multiplier is its days' demand over their baseline, the mean demand of the
//!   days without an event within [`BASELINE_DAYS`] either side, summed over every day of
//!   that event in the history and shrunk towards 1 by [`PRIOR_UNITS`] of baseline demand
//!   (a product selling a unit a week cannot show a multiplier, a bestseller can); days
//!   whose baseline is zero (before a product sold at all) count for nothing;
//! - the level is Brown's exponential smoothing ([`super::smoothing::SMOOTHING_ALPHA`]) of
//!   the known days without an event, so a peak neither lifts the plan after it nor is
//!   averaged into the weeks before the next one.
//!
//! The error is measured, not assumed: [`EventDemand::outlook`] replays the history and
//! takes the RMSE of the forecast *sums* over every stretch of as many days as the outlook
//! (the level then times the stretch's multipliers, against what sold). Days are not
//! independent: a level that is off stays off for the whole lead time, so the textbook
//! √L·σ_day under-states the lead-time error, and safety stock sized on it runs out.
//!
//! A history of a year or more sees every event once before it comes round again.

use super::smoothing::{Smoother, SMOOTHING_START_DAYS};
use crate::calendar::{event_on, RetailEvent};
use chrono::{Duration, NaiveDate};

/// Days of history the events basis learns from: a year and the longest usual lead time,
/// so every event of the coming weeks has been seen once.
pub const EVENT_HISTORY_DAYS: usize = 400;
/// Days either side of an event day whose event-free demand is its baseline.
pub const BASELINE_DAYS: usize = 28;
/// Baseline units of pseudo-evidence for "no effect" in each multiplier.
pub const PRIOR_UNITS: f64 = 5.0;
/// Half-life, in days, of a stretch's weight in the error: a growing product's errors grow
/// with it, so last year's small ones must not hide this season's.
pub const ERROR_HALF_LIFE_DAYS: f64 = 60.0;

const EVENTS: [RetailEvent; 4] =
    [RetailEvent::HolidayGifting, RetailEvent::LunarHoliday, RetailEvent::MegaSale, RetailEvent::Christmas];

fn kind(day: NaiveDate) -> Option<usize> {
    event_on(day).map(|e| EVENTS.iter().position(|k| *k == e).expect("every event is listed"))
}

/// The mean of `y[i + k·step]` for k in −reach..=reach, over the positions inside `y` that
/// `keep` accepts (oldest first); `None` when it accepts none. With step 7 on daily values:
/// the same weekday's days around day i.
pub(crate) fn mean_around(y: &[f64], i: usize, step: i64, reach: i64, keep: impl Fn(usize) -> bool) -> Option<f64> {
    let (total, count) = (-reach..=reach)
        .map(|k| i as i64 + k * step)
        .filter(|j| *j >= 0 && (*j as usize) < y.len())
        .map(|j| j as usize)
        .filter(|&j| keep(j))
        .fold((0.0, 0usize), |(t, c), j| (t + y[j], c + 1));
    (count > 0).then(|| total / count as f64)
}

/// What [`EventDemand::learn`] found in a history.
#[derive(Clone, Debug, PartialEq)]
pub struct EventDemand {
    /// Expected demand on a day without an event.
    pub level: f64,
    /// Multiplier of holiday gifting, the lunar holidays, the mega sales and Christmas.
    pub multipliers: [f64; 4],
    /// The day after the history.
    next_day: NaiveDate,
    /// Prefix sums over the history (from its first sale): demand, and each day's
    /// multiplier; `levels[i]` is the level the days before day i left.
    demand_sums: Vec<f64>,
    multiplier_sums: Vec<f64>,
    levels: Vec<f64>,
    /// Prefix counts of the days that ended out of stock.
    stockout_days: Vec<usize>,
    /// RMSE of the one-day-ahead forecasts of the known days without an event.
    one_day_rmse: f64,
}

impl EventDemand {
    /// Learns from `history` (one value per day, oldest first, negatives count as 0), whose
    /// last day is `last_day`. Days before the first sale are not part of it (a product not
    /// yet listed). `stocked_out[i]` (empty: none) marks a day that ended out of stock:
    /// what sold is only a lower bound on its demand, so it teaches neither a level, a
    /// baseline nor a multiplier, and no error stretch holds it.
    pub fn learn(history: &[f64], stocked_out: &[bool], last_day: NaiveDate) -> Self {
        Self::learn_with(history, stocked_out, last_day, false)
    }

    /// As [`Self::learn`], each event day's baseline taken from the event-free days of the
    /// same weekday only: where weekends sell more than weekdays, a holiday on a Tuesday
    /// must not read as a slump (the forecasting models model the week themselves).
    pub fn learn_by_weekday(history: &[f64], stocked_out: &[bool], last_day: NaiveDate) -> Self {
        Self::learn_with(history, stocked_out, last_day, true)
    }

    fn learn_with(history: &[f64], stocked_out: &[bool], last_day: NaiveDate, by_weekday: bool) -> Self {
        let skip = history.iter().take_while(|v| **v <= 0.0).count();
        let y: Vec<f64> = history[skip..].iter().map(|v| v.max(0.0)).collect();
        let out: Vec<bool> = (skip..history.len()).map(|i| stocked_out.get(i).copied().unwrap_or(false)).collect();
        let n = y.len();
        let first = last_day - Duration::days(n as i64 - 1);
        let kinds: Vec<Option<usize>> = (0..n).map(|i| kind(first + Duration::days(i as i64))).collect();
        // Prefix sums of the known event-free days' demand and count, for the baselines.
        let (mut sum, mut count) = (vec![0.0; n + 1], vec![0usize; n + 1]);
        for i in 0..n {
            let free = kinds[i].is_none() && !out[i];
            sum[i + 1] = sum[i] + if free { y[i] } else { 0.0 };
            count[i + 1] = count[i] + free as usize;
        }
        let (mut seen, mut base) = ([0.0; 4], [0.0; 4]);
        for (i, k) in kinds.iter().enumerate() {
            let Some(k) = *k else { continue };
            if out[i] {
                continue;
            }
            let baseline = if by_weekday {
                mean_around(&y, i, 7, (BASELINE_DAYS / 7) as i64, |j| kinds[j].is_none() && !out[j]).unwrap_or(0.0)
            } else {
                let (lo, hi) = (i.saturating_sub(BASELINE_DAYS), (i + BASELINE_DAYS + 1).min(n));
                let days = count[hi] - count[lo];
                if days > 0 {
                    (sum[hi] - sum[lo]) / days as f64
                } else {
                    0.0
                }
            };
            if baseline > 0.0 {
                seen[k] += y[i];
                base[k] += baseline;
            }
        }
        let multipliers = std::array::from_fn(|k| (seen[k] + PRIOR_UNITS) / (base[k] + PRIOR_UNITS));

        // The level after each day: smoothing of the known event-free days only, started
        // from the mean of the first of them.
        let factor = |i: usize| kinds[i].map_or(1.0, |k| multipliers[k]);
        let free: Vec<f64> = (0..n).filter(|i| kinds[*i].is_none() && !out[*i]).map(|i| y[i]).collect();
        let mut smoother = Smoother::start(&free);
        let mut levels = Vec::with_capacity(n + 1);
        let (mut demand_sums, mut multiplier_sums) = (vec![0.0; n + 1], vec![0.0; n + 1]);
        let mut stockout_days = vec![0usize; n + 1];
        for i in 0..n {
            levels.push(smoother.level);
            if kinds[i].is_none() && !out[i] {
                smoother.update(y[i]);
            }
            demand_sums[i + 1] = demand_sums[i] + y[i];
            multiplier_sums[i + 1] = multiplier_sums[i] + factor(i);
            stockout_days[i + 1] = stockout_days[i] + out[i] as usize;
        }
        levels.push(smoother.level);
        EventDemand {
            level: smoother.level,
            multipliers,
            next_day: last_day + Duration::days(1),
            demand_sums,
            multiplier_sums,
            levels,
            stockout_days,
            one_day_rmse: smoother.rmse(),
        }
    }

    /// The multiplier of `day`'s event (1 on a day without one).
    pub fn multiplier_on(&self, day: NaiveDate) -> f64 {
        kind(day).map_or(1.0, |k| self.multipliers[k])
    }

    /// Mean expected demand per day over the `days` days after the history (at least one),
    /// and a per-day error σ such that √days·σ is the RMSE of the history's forecast sums
    /// over `days` days: each stretch from [`SMOOTHING_START_DAYS`] days after the first sale
    /// on, forecast as the level before it times the stretch's multipliers, weighted by age
    /// ([`ERROR_HALF_LIFE_DAYS`]), and scaled by the outlook's mean multiplier where that is
    /// above 1 (errors grow with demand). Without such a stretch (a history of weeks), the
    /// one-day error stands in, as if days were independent.
    pub fn outlook(&self, days: usize) -> (f64, f64) {
        let days = days.max(1);
        let m: f64 = (0..days).map(|i| self.multiplier_on(self.next_day + Duration::days(i as i64))).sum();
        let n = self.levels.len() - 1;
        let mean = self.level * m / days as f64;
        // Weighted by age: a stretch ERROR_HALF_LIFE_DAYS older weighs half as much.
        let decay = 0.5f64.powf(1.0 / ERROR_HALF_LIFE_DAYS);
        let (mut sq, mut weights) = (0.0, 0.0);
        let end = (n + 1).saturating_sub(days);
        for o in SMOOTHING_START_DAYS..end {
            if self.stockout_days[o + days] > self.stockout_days[o] {
                continue;
            }
            let w = decay.powi((end - 1 - o) as i32);
            let forecast = self.levels[o] * (self.multiplier_sums[o + days] - self.multiplier_sums[o]);
            let actual = self.demand_sums[o + days] - self.demand_sums[o];
            sq += w * (actual - forecast).powi(2);
            weights += w;
        }
        // Errors grow with demand: in a stretch of events the error is scaled by the
        // stretch's mean multiplier (above 1 only).
        let lift = (m / days as f64).max(1.0);
        let per_day = if weights > 0.0 { (sq / weights / days as f64).sqrt() } else { self.one_day_rmse };
        let sd = lift * per_day;
        (mean, sd)
    }
}
