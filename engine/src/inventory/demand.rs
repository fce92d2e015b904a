//! Daily demand statistics and demand over a lead time.

use super::events::EventDemand;
use super::smoothing::smooth;
use super::{check, demand_value, non_negative, InventoryError, MIN_DAILY_DEMAND};
use chrono::NaiveDate;

/// Average-demand-interval cut-off above which demand counts as intermittent
/// (Syntetos & Boylan, 2005: ADI > 1.32).
pub const INTERMITTENT_ADI: f64 = 1.32;

/// Statistics of a daily demand history (oldest day first, one value per calendar day,
/// days without sales as 0; negative days, i.e. net returns, count as 0).
#[derive(Clone, Debug, PartialEq)]
pub struct DemandStats {
    /// Days in the history.
    pub days: usize,
    /// Days with demand above zero.
    pub demand_days: usize,
    /// Mean demand per day, Croston-style: mean size of the non-zero demands divided by
    /// the mean interval between them (`days / demand_days`); with plain averages this is
    /// total demand over all days. 0 for an empty or all-zero history.
    pub mean: f64,
    /// Sample standard deviation of daily demand, zero days included (0 for < 2 days).
    pub sd: f64,
    /// Simple exponential smoothing (Brown) of daily demand with α =
    /// [`super::smoothing::SMOOTHING_ALPHA`], started from the mean of the first
    /// [`super::smoothing::SMOOTHING_START_DAYS`] days: the level after the
    /// last day, i.e. the forecast of each coming day (0 for an empty history).
    pub level: f64,
    /// Root mean squared error of the smoothing's one-day-ahead forecasts over the history.
    pub level_rmse: f64,
}

impl DemandStats {
    /// Reads a history; NaN or infinite values are an error naming `demand[i]`.
    pub fn from_history(history: &[f64]) -> Result<Self, InventoryError> {
        let clean =
            history.iter().enumerate().map(|(i, v)| demand_value("demand", i, *v)).collect::<Result<Vec<f64>, _>>()?;
        let days = clean.len();
        let demand_days = clean.iter().filter(|v| **v > 0.0).count();
        let total: f64 = clean.iter().sum();
        let mean = if demand_days == 0 {
            0.0
        } else {
            let size = total / demand_days as f64;
            let interval = days as f64 / demand_days as f64;
            size / interval
        };
        let sd = if days < 2 {
            0.0
        } else {
            (clean.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (days - 1) as f64).sqrt()
        };
        let (level, level_rmse) = smooth(&clean);
        Ok(DemandStats { days, demand_days, mean, sd, level, level_rmse })
    }

    /// Whether there is any demand to plan for (mean at least [`MIN_DAILY_DEMAND`]).
    pub fn has_demand(&self) -> bool {
        self.mean >= MIN_DAILY_DEMAND
    }

    /// Coefficient of variation sd / mean; `None` without demand (no NaN or infinity).
    pub fn cv(&self) -> Option<f64> {
        self.has_demand().then(|| self.sd / self.mean)
    }

    /// Demand is intermittent when sales come on few days: the average interval between
    /// demand days exceeds [`INTERMITTENT_ADI`]. False without any demand.
    pub fn intermittent(&self) -> bool {
        self.demand_days > 0 && self.days as f64 / self.demand_days as f64 > INTERMITTENT_ADI
    }
}

/// Where the daily demand rate d and its standard deviation σ_d come from.
#[derive(Clone, Debug, PartialEq)]
pub enum DemandBasis {
    /// From the history: d = [`DemandStats::mean`], σ_d = [`DemandStats::sd`].
    History,
    /// From exponential smoothing of the history, the textbook forecast for inventory
    /// control (Silver, Pyke & Peterson, ch. 4): d = [`DemandStats::level`], σ_d =
    /// [`DemandStats::level_rmse`]. Follows trends and season starts the plain mean misses.
    Smoothed,
    /// From a forecast: d = the forecast's mean demand per day over the horizon that
    /// matters (lead time plus review period), σ_d = its backtest error, the RMSE of
    /// one-day forecasts. A negative mean counts as 0.
    Forecast { mean_per_day: f64, rmse_per_day: f64 },
    /// Smoothing with Korean retail events planned ahead ([`super::events`]), learned from
    /// `history` (its own, usually longer than the statistics' window: see
    /// [`super::events::EVENT_HISTORY_DAYS`]), which ends on `last_day`: d = the mean
    /// expected demand over the days that matter (lead time plus review period), σ_d the
    /// measured error of such forecasts in the history, per day. Where no event falls in those days, d is the level
    /// of the event-free days. `stocked_out` marks the history's days that ended out of
    /// stock (empty: none), which teach nothing.
    Events { last_day: NaiveDate, history: Vec<f64>, stocked_out: Vec<bool> },
}

impl DemandBasis {
    /// (d, σ_d) per day over the `days` days after the history whose statistics are `stats`;
    /// errors name `forecast_mean`, `forecast_rmse` or `event_history[i]`.
    pub fn rate(&self, stats: &DemandStats, days: usize) -> Result<(f64, f64), InventoryError> {
        match *self {
            DemandBasis::Events { last_day, ref history, ref stocked_out } => {
                let clean = history
                    .iter()
                    .enumerate()
                    .map(|(i, v)| demand_value("event_history", i, *v))
                    .collect::<Result<Vec<f64>, _>>()?;
                Ok(EventDemand::learn(&clean, stocked_out, last_day).outlook(days))
            }
            DemandBasis::History => Ok((stats.mean, stats.sd)),
            DemandBasis::Smoothed => Ok((stats.level.max(0.0), stats.level_rmse)),
            DemandBasis::Forecast { mean_per_day, rmse_per_day } => {
                let mean =
                    check("forecast_mean", mean_per_day, true, "allowed any finite number (negatives count as 0)")?;
                Ok((mean.max(0.0), non_negative("forecast_rmse", rmse_per_day)?))
            }
        }
    }
}

/// Mean and standard deviation of demand over a (possibly uncertain) lead time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeadTimeDemand {
    pub mean: f64,
    pub sd: f64,
}

/// Demand over `days` days (mean L, standard deviation σ_L) with daily demand of mean d and
/// standard deviation σ_d, days independent: mean d·L, variance L·σ_d² + d²·σ_L².
/// Inputs are assumed validated (finite, non-negative).
pub fn lead_time_demand(daily_mean: f64, daily_sd: f64, days: f64, days_sd: f64) -> LeadTimeDemand {
    LeadTimeDemand {
        mean: daily_mean * days,
        sd: (days * daily_sd * daily_sd + daily_mean * daily_mean * days_sd * days_sd).sqrt(),
    }
}
