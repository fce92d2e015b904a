//! pg_cron-compatible schedules: parsing, canonical text and next run times.
//!
//! Accepted, as pg_cron accepts them:
//! - five fields `minute hour day-of-month month day-of-week`, each a comma list of `*`,
//!   `n`, `a-b`, `*/s`, `a-b/s` and `a/s` (= `a-max/s`); months may be `JAN`-`DEC`, days of
//!   week `SUN`-`SAT` (case-insensitive), and 0 and 7 are both Sunday;
//! - `$` in the day-of-month field: the last day of the month;
//! - `@yearly`/`@annually`, `@monthly`, `@weekly`, `@daily`/`@midnight`, `@hourly` (stored as
//!   their five-field equivalents), `@reboot` (and pg_cron's alias `@restart`);
//! - `N seconds` / `N second` with N in 1..=59.
//!
//! Day rule (Vixie cron): when neither the day-of-month nor the day-of-week field starts with
//! `*`, a day matches if either field matches; otherwise both must.
//!
//! Stricter than pg_cron, which silently ignores them: trailing text after the fifth field,
//! junk after a list element (`5;`), and reversed ranges such as `5-1` (which select nothing
//! in pg_cron) are refused, as is a schedule that can never fire.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

/// pg_cron's default `cron.timezone`.
pub const DEFAULT_TZ: Tz = Tz::GMT;

/// A parsed schedule. Its `Display` is the canonical text, which parses back to an equal value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Cron(CronFields),
    Reboot,
    Interval(u32),
}

/// The five fields of a calendar schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronFields {
    minute: Field,
    hour: Field,
    day_of_month: Field,
    month: Field,
    day_of_week: Field,
    last_day: bool,
}

/// One cron field: the values it selects and whether its text starts with `*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    bits: u64,
    star: bool,
}

/// Why a schedule was refused: where, the offending text, and what is allowed there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronError {
    /// `minute`, `hour`, `day-of-month`, `month` or `day-of-week`; `None` for the whole schedule.
    pub field: Option<&'static str>,
    /// The offending list element of the field, or the whole schedule.
    pub text: String,
    /// What is wrong, or what is allowed there.
    pub problem: String,
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "{field} field \"{}\": {}", self.text, self.problem),
            None => write!(f, "schedule \"{}\": {}", self.text, self.problem),
        }
    }
}

impl std::error::Error for CronError {}

fn schedule_error(text: &str, problem: impl Into<String>) -> CronError {
    CronError { field: None, text: text.to_string(), problem: problem.into() }
}

/// How to read one field.
struct Spec {
    name: &'static str,
    lo: u32,
    hi: u32,
    names: &'static [&'static str],
    allowed: &'static str,
}

const MINUTE: Spec = Spec { name: "minute", lo: 0, hi: 59, names: &[], allowed: "0-59" };
const HOUR: Spec = Spec { name: "hour", lo: 0, hi: 23, names: &[], allowed: "0-23" };
const DAY_OF_MONTH: Spec = Spec { name: "day-of-month", lo: 1, hi: 31, names: &[], allowed: "1-31 or $" };
const MONTH: Spec = Spec {
    name: "month",
    lo: 1,
    hi: 12,
    names: &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    allowed: "1-12 or JAN-DEC",
};
const DAY_OF_WEEK: Spec = Spec {
    name: "day-of-week",
    lo: 0,
    hi: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    allowed: "0-7 or SUN-SAT",
};

/// Longest month length, February counting its leap day.
const MONTH_DAYS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

impl Spec {
    fn error(&self, text: &str, problem: impl Into<String>) -> CronError {
        CronError { field: Some(self.name), text: text.to_string(), problem: problem.into() }
    }

    /// A number or a name, within bounds; `item` is the list element for error messages.
    fn value(&self, token: &str, item: &str) -> Result<u32, CronError> {
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            return match token.parse::<u32>() {
                Ok(v) if (self.lo..=self.hi).contains(&v) => Ok(v),
                _ => Err(self.error(item, format!("values must be between {} and {}", self.lo, self.hi))),
            };
        }
        match self.names.iter().position(|n| n.eq_ignore_ascii_case(token)) {
            Some(i) => Ok(self.lo + i as u32),
            None => Err(self.error(item, format!("expected {}", self.allowed))),
        }
    }

    /// A comma list; returns the field and whether `$` (last day of the month) was listed.
    fn parse(&self, text: &str) -> Result<(Field, bool), CronError> {
        let mut bits = 0u64;
        let mut last_day = false;
        for item in text.split(',') {
            if item.is_empty() {
                return Err(self.error(text, "empty element in a comma list"));
            }
            if item.contains('$') && self.name == DAY_OF_MONTH.name {
                if item != "$" {
                    return Err(self.error(item, "$ (last day of the month) must stand alone"));
                }
                last_day = true;
                continue;
            }
            let (range, step) = match item.split_once('/') {
                None => (item, None),
                Some((range, step)) => match step.parse::<u32>() {
                    // pg_cron's bounds: a step above the field's largest value is refused.
                    Ok(s) if (1..=self.hi).contains(&s) && step.bytes().all(|b| b.is_ascii_digit()) => (range, Some(s)),
                    _ => return Err(self.error(item, format!("step must be a whole number from 1 to {}", self.hi))),
                },
            };
            let (start, end) = match range.split_once('-') {
                _ if range == "*" => (self.lo, self.hi),
                Some((a, b)) => (self.value(a, item)?, self.value(b, item)?),
                None => {
                    let a = self.value(range, item)?;
                    (a, if step.is_some() { self.hi } else { a })
                }
            };
            if start > end {
                return Err(self.error(item, "range start must not exceed its end"));
            }
            for v in (start..=end).step_by(step.unwrap_or(1) as usize) {
                bits |= 1 << v;
            }
        }
        Ok((Field { bits, star: text.starts_with('*') }, last_day))
    }
}

impl Field {
    /// Whether `value` is selected.
    pub fn contains(&self, value: u32) -> bool {
        value < 64 && self.bits >> value & 1 == 1
    }

    /// The selected values, ascending. Day of week is 0 (Sunday) to 6; a 7 is stored as 0.
    pub fn values(&self) -> impl Iterator<Item = u32> {
        let bits = self.bits;
        (0..64).filter(move |v| bits >> v & 1 == 1)
    }

    /// Whether the field's text starts with `*` (`*`, `*/15`, `*/2,5`). Such a day field does
    /// not restrict the day (see the module docs); such a minute or hour field makes the job a
    /// wildcard job for daylight-saving changes (see [`Schedule::next_after`]).
    pub fn starts_with_star(&self) -> bool {
        self.star
    }

    fn first_at_or_after(&self, value: u32) -> Option<u32> {
        let rest = self.bits.checked_shr(value).unwrap_or(0);
        (rest != 0).then(|| value + rest.trailing_zeros())
    }

    /// Canonical text over `lo..=hi`: a leading `*`/`*/s` if the field starts with a star,
    /// then single values and runs of three or more as `a-b`.
    fn render(&self, lo: u32, hi: u32) -> Vec<String> {
        let mut items = Vec::new();
        let mut rest = *self;
        if self.star {
            let span = hi - lo + 1;
            let step = (1..=span).find(|&s| (lo..=hi).step_by(s as usize).all(|v| self.contains(v))).unwrap_or(span);
            for v in (lo..=hi).step_by(step as usize) {
                rest.bits &= !(1 << v);
            }
            items.push(if step == 1 { "*".to_string() } else { format!("*/{step}") });
        }
        let mut v = lo;
        while v <= hi {
            if !rest.contains(v) {
                v += 1;
                continue;
            }
            let mut end = v;
            while end < hi && rest.contains(end + 1) {
                end += 1;
            }
            if end - v >= 2 {
                items.push(format!("{v}-{end}"));
            } else {
                items.extend((v..=end).map(|x| x.to_string()));
            }
            v = end + 1;
        }
        items
    }
}

impl CronFields {
    /// Minutes 0-59.
    pub fn minute(&self) -> Field {
        self.minute
    }

    /// Hours 0-23.
    pub fn hour(&self) -> Field {
        self.hour
    }

    /// Days of the month 1-31 (without `$`, see [`CronFields::last_day_of_month`]).
    pub fn day_of_month(&self) -> Field {
        self.day_of_month
    }

    /// Months 1-12.
    pub fn month(&self) -> Field {
        self.month
    }

    /// Days of the week 0-6, Sunday = 0.
    pub fn day_of_week(&self) -> Field {
        self.day_of_week
    }

    /// Whether the day-of-month field lists `$`, the last day of the month.
    pub fn last_day_of_month(&self) -> bool {
        self.last_day
    }

    /// Whether the wall-clock minute `t` is selected (seconds are ignored).
    pub fn matches(&self, t: NaiveDateTime) -> bool {
        self.minute.contains(t.minute()) && self.hour.contains(t.hour()) && self.date_matches(t.date())
    }

    fn date_matches(&self, d: NaiveDate) -> bool {
        let last = d.succ_opt().is_none_or(|next| next.month() != d.month());
        let dom = self.day_of_month.contains(d.day()) || (self.last_day && last);
        let dow = self.day_of_week.contains(d.weekday().num_days_from_sunday());
        let month = self.month.contains(d.month());
        if self.day_of_month.star || self.day_of_week.star {
            month && dom && dow
        } else {
            month && (dom || dow)
        }
    }

    /// False only when days are ANDed and no selected month has a selected day of the month
    /// (every existing month-day falls on every weekday within the 400-year Gregorian cycle,
    /// and a star day-of-month field always selects the 1st).
    fn can_fire(&self) -> bool {
        self.day_of_month.star
            || !self.day_of_week.star
            || self.last_day
            || self.month.values().any(|m| self.day_of_month.values().any(|d| d <= MONTH_DAYS[m as usize - 1]))
    }

    /// The first selected wall-clock minute at or after `from` (a whole minute), searching
    /// 401 years: every schedule that can fire does so within one 400-year cycle.
    fn next_match(&self, from: NaiveDateTime) -> Option<NaiveDateTime> {
        let limit = from.year() + 401;
        let mut date = from.date();
        let (mut hour, mut minute) = (from.hour(), from.minute());
        while date.year() <= limit {
            if !self.month.contains(date.month()) {
                let (y, m) = if date.month() == 12 { (date.year() + 1, 1) } else { (date.year(), date.month() + 1) };
                date = NaiveDate::from_ymd_opt(y, m, 1)?;
            } else {
                if self.date_matches(date) {
                    if let Some((h, m)) = self.time_at_or_after(hour, minute) {
                        return date.and_hms_opt(h, m, 0);
                    }
                }
                date = date.succ_opt()?;
            }
            (hour, minute) = (0, 0);
        }
        None
    }

    fn time_at_or_after(&self, hour: u32, minute: u32) -> Option<(u32, u32)> {
        let mut h = self.hour.first_at_or_after(hour)?;
        loop {
            if let Some(m) = self.minute.first_at_or_after(if h == hour { minute } else { 0 }) {
                return Some((h, m));
            }
            h = self.hour.first_at_or_after(h + 1)?;
        }
    }

    /// The instants at which the selected wall-clock minute `x` runs in `tz`.
    fn occurrences(&self, x: NaiveDateTime, tz: Tz) -> Vec<DateTime<Utc>> {
        let wildcard = self.minute.star || self.hour.star;
        let utc = |t: DateTime<Tz>| t.with_timezone(&Utc);
        match tz.from_local_datetime(&x) {
            LocalResult::Single(t) => vec![utc(t)],
            LocalResult::Ambiguous(first, second) if wildcard => vec![utc(first), utc(second)],
            LocalResult::Ambiguous(first, _) => vec![utc(first)],
            LocalResult::None if wildcard => Vec::new(),
            // Skipped by a clock change: the first wall-clock minute after the gap.
            LocalResult::None => (1..=2 * 24 * 60)
                .find_map(|k| {
                    let later = x.checked_add_signed(TimeDelta::minutes(k))?;
                    tz.from_local_datetime(&later).earliest()
                })
                .map(utc)
                .into_iter()
                .collect(),
        }
    }

    fn next_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let offset = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc();
        // Clocks going back within the next day repeat wall-clock minutes before `after`'s.
        let now = offset(after);
        let later = after.checked_add_signed(TimeDelta::days(1)).map_or(now, offset);
        let start = after.with_timezone(&tz).naive_local() - TimeDelta::seconds((now - later).max(0).into());
        let mut x = self.next_match(start.with_second(0)?.with_nanosecond(0)?)?;
        let mut best: Option<DateTime<Utc>> = None;
        loop {
            let runs = self.occurrences(x, tz);
            for &u in runs.iter().filter(|u| **u > after) {
                best = Some(best.map_or(u, |b| b.min(u)));
            }
            // The first run of later minutes is never earlier than this minute's first run.
            if runs.first().is_some_and(|u| *u > after) {
                return best;
            }
            x = self.next_match(x.checked_add_signed(TimeDelta::minutes(1))?)?;
        }
    }
}

impl fmt::Display for CronFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut days = self.day_of_month.render(1, 31);
        if self.last_day {
            days.push("$".to_string());
        }
        let fields = [
            self.minute.render(0, 59),
            self.hour.render(0, 23),
            days,
            self.month.render(1, 12),
            self.day_of_week.render(0, 6),
        ];
        let texts: Vec<String> = fields.iter().map(|items| items.join(",")).collect();
        write!(f, "{}", texts.join(" "))
    }
}

impl Schedule {
    /// Parses a pg_cron schedule (see the module docs). Errors name the field, the offending
    /// text and what is allowed; a schedule that can never fire is an error.
    pub fn parse(text: &str) -> Result<Schedule, CronError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(schedule_error(t, "is empty"));
        }
        if let Some(name) = t.strip_prefix('@') {
            let fields = match name {
                "reboot" | "restart" => return Ok(Schedule { kind: Kind::Reboot }),
                "yearly" | "annually" => "0 0 1 1 *",
                "monthly" => "0 0 1 * *",
                "weekly" => "0 0 * * 0",
                "daily" | "midnight" => "0 0 * * *",
                "hourly" => "0 * * * *",
                _ => {
                    return Err(schedule_error(
                        t,
                        "unknown macro; expected @yearly, @annually, @monthly, @weekly, @daily, \
                         @midnight, @hourly or @reboot",
                    ))
                }
            };
            return Schedule::parse(fields);
        }
        let lower = t.to_ascii_lowercase();
        if let Some(number) = lower.strip_suffix("seconds").or_else(|| lower.strip_suffix("second")) {
            return match number.trim().parse::<u32>() {
                Ok(n @ 1..=59) if number.trim().bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(Schedule { kind: Kind::Interval(n) })
                }
                _ => Err(schedule_error(t, "an interval must be between 1 and 59 seconds")),
            };
        }
        let parts: Vec<&str> = t.split_whitespace().collect();
        let [minute, hour, dom, month, dow] = parts[..] else {
            return Err(schedule_error(
                t,
                format!(
                    "expected 5 fields (minute hour day-of-month month day-of-week), a macro \
                     such as @daily, or \"N seconds\"; got {} fields",
                    parts.len()
                ),
            ));
        };
        let (minute, _) = MINUTE.parse(minute)?;
        let (hour, _) = HOUR.parse(hour)?;
        let (day_of_month, last_day) = DAY_OF_MONTH.parse(dom)?;
        let (month, _) = MONTH.parse(month)?;
        let (mut day_of_week, _) = DAY_OF_WEEK.parse(dow)?;
        if day_of_week.contains(7) {
            day_of_week.bits = (day_of_week.bits & !(1 << 7)) | 1;
        }
        let fields = CronFields { minute, hour, day_of_month, month, day_of_week, last_day };
        if !fields.can_fire() {
            return Err(schedule_error(
                t,
                "can never fire: none of the selected months has any of the selected days of the month",
            ));
        }
        Ok(Schedule { kind: Kind::Cron(fields) })
    }

    /// Whether this is `@reboot`: run once when the scheduler starts, never by the clock.
    pub fn is_reboot(&self) -> bool {
        self.kind == Kind::Reboot
    }

    /// N for an `N seconds` schedule.
    pub fn interval_seconds(&self) -> Option<u32> {
        match self.kind {
            Kind::Interval(n) => Some(n),
            _ => None,
        }
    }

    /// The calendar fields of a five-field (or macro) schedule.
    pub fn fields(&self) -> Option<&CronFields> {
        match &self.kind {
            Kind::Cron(fields) => Some(fields),
            _ => None,
        }
    }

    /// The first run strictly after `after`, with the fields read as wall-clock time in `tz`;
    /// `None` for `@reboot`. An interval runs `after` + N seconds.
    ///
    /// Daylight-saving changes follow Vixie cron. A *wildcard* job (minute or hour field starting
    /// with `*`, e.g. `*/15 * * * *`, `0 * * * *`) runs at every instant whose wall-clock
    /// minute matches: twice for minutes repeated when clocks go back, not at all for minutes
    /// skipped when clocks go forward. Any other job (e.g. `30 2 * * *`) runs once per matching
    /// wall-clock minute: at its first occurrence when repeated, and at the first minute after
    /// the gap (03:00 for 02:30 when clocks jump 02:00 to 03:00) when skipped.
    pub fn next_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        match &self.kind {
            Kind::Cron(fields) => fields.next_after(after, tz),
            Kind::Reboot => None,
            Kind::Interval(n) => after.checked_add_signed(TimeDelta::seconds((*n).into())),
        }
    }

    /// The next `n` runs after `after` (fewer if there are none), strictly increasing.
    pub fn upcoming(&self, after: DateTime<Utc>, tz: Tz, n: usize) -> Vec<DateTime<Utc>> {
        let mut runs = Vec::with_capacity(n);
        let mut t = after;
        while runs.len() < n {
            let Some(next) = self.next_after(t, tz) else { break };
            runs.push(next);
            t = next;
        }
        runs
    }
}

impl FromStr for Schedule {
    type Err = CronError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Schedule::parse(s)
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Cron(fields) => fields.fmt(f),
            Kind::Reboot => f.write_str("@reboot"),
            Kind::Interval(n) => write!(f, "{n} seconds"),
        }
    }
}

pub mod plan;

#[cfg(test)]
mod tests;
