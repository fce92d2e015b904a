//! Daily retail sales: Korean retail events and stockout days around any model (issue 16).
//!
//! A day's sales are a level (what the model forecasts) times its event's multiplier
//! ([`crate::calendar::event_on`]: holiday gifting, the lunar holidays, 11.11 and Black Friday to
//! Cyber Monday, the Christmas run-up). The multipliers are learned from the history by
//! [`EventDemand::learn_by_weekday`], the inventory policy's estimate with each event day
//! set against the same weekday's days around it. The model sees the
//! history divided by them, so a Chuseok slump or an 11.11 peak neither drags nor lifts its
//! level and season, and its forecast is multiplied by the multipliers of the days ahead
//! (its intervals too: they scale with the level).
//!
//! A day that ended out of stock sold less than was asked for. What sold is a lower bound,
//! so it is raised to the demand of the days around it: the mean of the same weekday's
//! days in stock within four weeks either side, else of the days in stock within a week
//! either side. Then a stockout does not teach the model a slump.
//!
//! Written here, not taken from a library: no forecasting crate knows the Korean retail
//! calendar or stock levels. statsforecast and Prophet take holidays as regressors, which
//! the fast models that `auto` combines (Theta, ETS) do not accept.

use super::{forecast, Forecast, ForecastError, Model, Options};
use crate::inventory::events::{mean_around, EventDemand};
use chrono::{Duration, NaiveDate};

/// Days either side of a stockout day whose same weekday stands in for its demand.
const FILL_WEEKS: i64 = 4;
/// The smallest multiplier the history is divided by: a shop closed on the lunar holidays
/// has a multiplier near 0, and the few sales of such a day divided by it would become a
/// spike the model learns from. (Its forecast is still multiplied by the real multiplier.)
const MIN_DIVISOR: f64 = 0.2;

/// What the retail calendar did to a series.
#[derive(Clone, Debug, PartialEq)]
pub struct Adjusted {
    /// The history the model sees: stockout days filled, event days divided by their multiplier.
    pub y: Vec<f64>,
    /// Days whose sales were raised because they ended out of stock.
    pub filled: usize,
    events: EventDemand,
}

impl Adjusted {
    /// Adjusts the daily series `y` (oldest first) whose last day is `last_day`;
    /// `stocked_out[i]` (shorter or empty: no) marks a day that ended out of stock.
    pub fn new(y: &[f64], stocked_out: &[bool], last_day: NaiveDate) -> Self {
        let out = |i: usize| stocked_out.get(i).copied().unwrap_or(false);
        let first = last_day - Duration::days(y.len() as i64 - 1);
        let mut filled = 0;
        let in_stock: Vec<f64> = (0..y.len())
            .map(|i| {
                if !out(i) {
                    return y[i];
                }
                // Day i itself is out of stock, so `keep` leaves it out.
                let around = |step: i64, reach: i64| mean_around(y, i, step, reach, |j| !out(j));
                match around(7, FILL_WEEKS).or_else(|| around(1, 7)) {
                    Some(d) if d > y[i] => {
                        filled += 1;
                        d
                    }
                    _ => y[i],
                }
            })
            .collect();
        let events = EventDemand::learn_by_weekday(&in_stock, stocked_out, last_day);
        let y = in_stock
            .iter()
            .enumerate()
            .map(|(i, v)| v / events.multiplier_on(first + Duration::days(i as i64)).max(MIN_DIVISOR))
            .collect();
        Adjusted { y, filled, events }
    }

    /// Multipliers of holiday gifting, the lunar holidays, the mega sales and Christmas.
    pub fn multipliers(&self) -> [f64; 4] {
        self.events.multipliers
    }

    /// What the model's name gets: the multipliers that are not 1, and the filled days.
    pub fn note(&self) -> String {
        let names = ["gifting", "lunar holidays", "mega sales", "Christmas"];
        let mut parts: Vec<String> = names
            .iter()
            .zip(self.multipliers())
            .filter(|(_, m)| (m - 1.0).abs() >= 0.005)
            .map(|(n, m)| format!("{n} ×{m:.2}"))
            .collect();
        if self.filled > 0 {
            parts.push(format!("{} stockout day{} filled", self.filled, if self.filled == 1 { "" } else { "s" }));
        }
        if parts.is_empty() {
            "retail calendar: no effect".into()
        } else {
            format!("retail calendar: {}", parts.join(", "))
        }
    }
}

/// Forecasts daily sales `y` ending on `last_day` with `model` through the retail calendar.
pub fn forecast_daily(
    y: &[f64],
    stocked_out: &[bool],
    last_day: NaiveDate,
    model: Model,
    opts: &Options,
) -> Result<Forecast, ForecastError> {
    if y.is_empty() {
        return forecast(y, model, opts);
    }
    let adjusted = Adjusted::new(y, stocked_out, last_day);
    let mut f = forecast(&adjusted.y, model, opts)?;
    for step in 0..f.point.len() {
        let m = adjusted.events.multiplier_on(last_day + Duration::days(step as i64 + 1));
        f.point[step] *= m;
        for iv in &mut f.intervals {
            iv.lower[step] *= m;
            iv.upper[step] *= m;
        }
    }
    f.model = format!("{} ({})", f.model, adjusted.note());
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{event_on, RetailEvent};
    use crate::rng::Rng;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn opts(h: usize) -> Options {
        Options {
            horizon: h,
            season_lengths: Some(vec![7]),
            candidates: vec![],
            detect_seasons: false,
            levels: vec![80.0, 95.0],
        }
    }

    const WEEK: [f64; 7] = [1.2, 1.0, 1.0, 1.0, 0.9, 0.8, 1.1];

    /// Two years of days to `last`: 100 a day with a weekly pattern and noise, times 2.2 on
    /// the mega sales and 0.6 on the lunar holidays (the demo's multipliers).
    fn sales(last: NaiveDate, seed: u64) -> Vec<f64> {
        let mut r = Rng::new(seed);
        (0..730)
            .map(|i| {
                let d = last - Duration::days(729 - i);
                let e = match event_on(d) {
                    Some(RetailEvent::MegaSale) => 2.2,
                    Some(RetailEvent::LunarHoliday) => 0.6,
                    _ => 1.0,
                };
                100.0 * WEEK[i as usize % 7] * e + 3.0 * r.normal()
            })
            .collect()
    }

    #[test]
    fn events_are_learned_and_planned_ahead() {
        let last = day(2025, 11, 5);
        let y = sales(last, 1);
        let a = Adjusted::new(&y, &[], last);
        assert!((a.multipliers()[2] - 2.2).abs() < 0.05, "mega sales {:?}", a.multipliers());
        assert!((a.multipliers()[1] - 0.6).abs() < 0.03, "lunar holidays {:?}", a.multipliers());
        assert!((a.multipliers()[3] - 1.0).abs() < 0.02, "Christmas has no effect here {:?}", a.multipliers());
        // 11.11 is step 6: planned at about 2.2 times the weekday's level; the plain
        // model has never heard of it.
        let f = forecast_daily(&y, &[], last, Model::Auto, &opts(14)).unwrap();
        let plain = forecast(&y, Model::Auto, &opts(14)).unwrap();
        let truth = |s: usize| 100.0 * WEEK[(730 + s) % 7] * if s == 5 { 2.2 } else { 1.0 };
        for s in 0..14 {
            assert!((f.point[s] / truth(s) - 1.0).abs() < 0.08, "step {s}: {} vs {}", f.point[s], truth(s));
        }
        assert!(plain.point[5] < 0.6 * truth(5), "the plain model misses 11.11: {}", plain.point[5]);
        assert!(f.intervals[0].upper[5] > 1.5 * plain.intervals[0].upper[5]);
        assert!(f.model.contains("retail calendar: ") && f.model.contains("mega sales ×2."), "{}", f.model);
    }

    #[test]
    fn stockout_days_do_not_teach_a_slump() {
        let last = day(2025, 6, 30);
        let mut y = sales(last, 2);
        // The last 10 days out of stock: few sales, then none.
        let mut out = vec![false; y.len()];
        for i in y.len() - 10..y.len() {
            y[i] = if i < y.len() - 8 { 20.0 } else { 0.0 };
            out[i] = true;
        }
        let a = Adjusted::new(&y, &out, last);
        assert_eq!(a.filled, 10);
        // Filled from the same weekday up to four weeks back that was in stock (a week back
        // was out too).
        let n = y.len();
        let same_day: f64 = (2..=4).map(|k| y[n - 1 - 7 * k]).sum::<f64>() / 3.0;
        assert!((a.y[n - 1] - same_day).abs() < 1e-9, "{} vs {same_day}", a.y[n - 1]);
        let f = forecast_daily(&y, &out, last, Model::Auto, &opts(7)).unwrap();
        let mean = f.point.iter().sum::<f64>() / 7.0;
        assert!((90.0..110.0).contains(&mean), "forecast after a stockout {mean}: {:?}", f.point);
        assert!(f.model.contains("10 stockout days filled"), "{}", f.model);
        // Unflagged, the same zeros are sales: the plain forecast drops.
        let plain = forecast(&y, Model::Auto, &opts(7)).unwrap();
        assert!(plain.point.iter().sum::<f64>() / 7.0 < 85.0, "{:?}", plain.point);
        // A day in stock is never changed, and a stockout day that sold more than usual stays.
        let mut out2 = vec![false; n];
        out2[n - 20] = true;
        y[n - 20] = 500.0;
        let b = Adjusted::new(&y, &out2, last);
        assert_eq!((b.filled, b.y[n - 20] * b.events.multiplier_on(last - Duration::days(19))), (0, 500.0));
    }

    #[test]
    fn short_or_eventless_histories_pass_through() {
        // Six weeks in summer: no event seen, every multiplier 1, the model's own forecast.
        let last = day(2025, 7, 31);
        let y: Vec<f64> = sales(last, 3)[730 - 42..].to_vec();
        let f = forecast_daily(&y, &[], last, Model::Ets, &opts(7)).unwrap();
        let plain = forecast(&y, Model::Ets, &opts(7)).unwrap();
        assert_eq!(f.point, plain.point);
        assert_eq!(f.model, format!("{} (retail calendar: no effect)", plain.model));
        assert!(forecast_daily(&[], &[], last, Model::Ets, &opts(7)).is_err());
    }

    #[test]
    fn a_shop_closed_on_holidays_is_not_a_spike() {
        // Closed on the lunar holidays but for one small order: the multiplier is near 0,
        // the divided history stays bounded, the forecast for the holiday is near 0.
        let last = day(2026, 2, 10);
        let mut y = sales(last, 6);
        let first = last - Duration::days(729);
        for (i, v) in y.iter_mut().enumerate() {
            if event_on(first + Duration::days(i as i64)) == Some(RetailEvent::LunarHoliday) {
                *v = 0.0;
            }
        }
        let closed =
            (0..730).find(|&i| event_on(first + Duration::days(i)) == Some(RetailEvent::LunarHoliday)).unwrap();
        y[closed as usize] = 2.0;
        let a = Adjusted::new(&y, &[], last);
        assert!(a.multipliers()[1] < 0.05, "{:?}", a.multipliers());
        let max = a.y.iter().cloned().fold(0.0, f64::max);
        assert!(max < 200.0, "adjusted history peaks at {max}");
        // Seollal 2026 is 17 February: the eve, the day and the day after are steps 6-8.
        let f = forecast_daily(&y, &[], last, Model::Ets, &opts(9)).unwrap();
        assert!(f.point[5..8].iter().all(|p| *p < 10.0) && f.point[0] > 50.0, "{:?}", f.point);
    }
}
