//! Pure scheduling decisions, with no PostgreSQL calls: time zones, next runs after a
//! dispatch and report file names, on top of the cron maths in [`super`].

use super::Schedule;
use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};

/// Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01 (UTC).
const PG_EPOCH_UNIX_US: i64 = 946_684_800_000_000;

/// A PostgreSQL `TimestampTz` (µs since 2000-01-01 UTC) as a UTC instant.
pub fn from_pg(us: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us.checked_add(PG_EPOCH_UNIX_US)?)
}

/// A UTC instant as a PostgreSQL `TimestampTz`.
pub fn to_pg(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros() - PG_EPOCH_UNIX_US
}

fn bad_zone(tz: &str) -> String {
    format!("time zone \"{tz}\" is not an IANA time zone name")
}

/// The next `n` runs of `schedule` strictly after `after`, its fields read as wall-clock time
/// in the IANA time zone `tz` (e.g. `Asia/Seoul`, `GMT`). Err names a bad time zone.
pub fn upcoming(schedule: &Schedule, after: DateTime<Utc>, tz: &str, n: usize) -> Result<Vec<DateTime<Utc>>, String> {
    let zone = tz.parse().map_err(|_| bad_zone(tz))?;
    Ok(schedule.upcoming(after, zone, n))
}

/// Whether `tz` names a time zone the schedules understand.
pub fn check_zone(tz: &str) -> Result<(), String> {
    upcoming(&Schedule::parse("@reboot").expect("@reboot parses"), DateTime::UNIX_EPOCH, tz, 0).map(|_| ())
}

/// The first run strictly after `after`; `None` for `@reboot`.
pub fn next_run(schedule: &Schedule, after: DateTime<Utc>, tz: &str) -> Result<Option<DateTime<Utc>>, String> {
    Ok(upcoming(schedule, after, tz, 1)?.into_iter().next())
}

/// The run after a dispatch of the run due at `due`, dispatched at `now`: the schedule's next
/// time after `due`, or, when that has passed too (the server was down, or the previous run
/// overran), the next time after `now`. A job therefore runs at most once for a stretch of
/// missed times, never once per missed time, and never twice for one time.
pub fn next_after_dispatch(
    schedule: &Schedule,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: &str,
) -> Result<Option<DateTime<Utc>>, String> {
    match next_run(schedule, due, tz)? {
        Some(next) if next <= now => next_run(schedule, now, tz),
        other => Ok(other),
    }
}

/// Placeholders a report file name template may use.
pub const FILE_NAME_PLACEHOLDERS: &str = "{report}, {format}, {date}, {time}, {datetime}, {job_id}";

/// Expands a report file name template: `{report}`, `{format}`, `{job_id}`, and the run's
/// local date and time `local` as `{date}` (2026-10-01), `{time}` (090000) and `{datetime}`
/// (20261001-090000). Err names an unknown placeholder or an unmatched brace.
pub fn expand_file_name(
    template: &str,
    report: &str,
    format: &str,
    job_id: i64,
    local: NaiveDateTime,
) -> Result<String, String> {
    let date = format!("{:04}-{:02}-{:02}", local.year(), local.month(), local.day());
    let time = format!("{:02}{:02}{:02}", local.hour(), local.minute(), local.second());
    let datetime = format!("{:04}{:02}{:02}-{time}", local.year(), local.month(), local.day());
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if rest[..open].contains('}') {
            return Err(format!("unmatched }} in \"{template}\""));
        }
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            return Err(format!("unclosed {{ in \"{template}\""));
        };
        let name = &rest[open + 1..open + close];
        match name {
            "report" => out.push_str(report),
            "format" => out.push_str(format),
            "date" => out.push_str(&date),
            "time" => out.push_str(&time),
            "datetime" => out.push_str(&datetime),
            "job_id" => out.push_str(&job_id.to_string()),
            _ => return Err(format!("unknown placeholder {{{name}}}; allowed: {FILE_NAME_PLACEHOLDERS}")),
        }
        rest = &rest[open + close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("unmatched }} in \"{template}\""));
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn postgres_timestamps_round_trip_from_their_own_epoch() {
        assert_eq!(from_pg(0), Some(utc(2000, 1, 1, 0, 0)));
        assert_eq!(to_pg(utc(2000, 1, 1, 0, 1)), 60_000_000);
        let t = utc(2026, 11, 24, 9, 30);
        assert_eq!(from_pg(to_pg(t)), Some(t));
        assert_eq!(from_pg(i64::MAX), None, "out of range, not a panic");
    }

    #[test]
    fn a_dispatch_on_time_moves_to_the_next_slot() {
        let every_15 = Schedule::parse("*/15 * * * *").unwrap();
        let due = utc(2026, 11, 24, 9, 15);
        let next = next_after_dispatch(&every_15, due, due + chrono::Duration::seconds(1), "GMT").unwrap();
        assert_eq!(next, Some(utc(2026, 11, 24, 9, 30)));
    }

    #[test]
    fn missed_slots_run_once_then_resume_from_now() {
        // The server was down from 09:15 to 10:07: one run for the whole gap, next at 10:15.
        let every_15 = Schedule::parse("*/15 * * * *").unwrap();
        let next = next_after_dispatch(&every_15, utc(2026, 11, 24, 9, 15), utc(2026, 11, 24, 10, 7), "GMT").unwrap();
        assert_eq!(next, Some(utc(2026, 11, 24, 10, 15)));
    }

    #[test]
    fn schedules_are_read_in_their_time_zone() {
        // 09:00 every day in Seoul is 00:00 UTC.
        let nine = Schedule::parse("0 9 * * *").unwrap();
        let runs = upcoming(&nine, utc(2026, 11, 24, 1, 0), "Asia/Seoul", 2).unwrap();
        assert_eq!(runs, vec![utc(2026, 11, 25, 0, 0), utc(2026, 11, 26, 0, 0)]);
        assert_eq!(next_run(&Schedule::parse("@reboot").unwrap(), utc(2026, 1, 1, 0, 0), "GMT").unwrap(), None);
        assert_eq!(check_zone("Mars/Olympus").unwrap_err(), "time zone \"Mars/Olympus\" is not an IANA time zone name");
        assert!(check_zone("Europe/Berlin").is_ok());
    }

    #[test]
    fn file_name_templates_expand_every_placeholder_and_refuse_the_rest() {
        let at = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap().and_hms_opt(9, 5, 7).unwrap();
        let name =
            expand_file_name("{report}/{date}_{time}-{datetime}.{format}#{job_id}", "monthly_sales", "pdf", 42, at)
                .unwrap();
        assert_eq!(name, "monthly_sales/2026-10-01_090507-20261001-090507.pdf#42");
        assert_eq!(expand_file_name("plain.csv", "r", "csv", 1, at).unwrap(), "plain.csv");
        assert_eq!(
            expand_file_name("{month}.pdf", "r", "pdf", 1, at).unwrap_err(),
            format!("unknown placeholder {{month}}; allowed: {FILE_NAME_PLACEHOLDERS}")
        );
        assert_eq!(expand_file_name("{report.pdf", "r", "pdf", 1, at).unwrap_err(), "unclosed { in \"{report.pdf\"");
        assert_eq!(expand_file_name("report}.pdf", "r", "pdf", 1, at).unwrap_err(), "unmatched } in \"report}.pdf\"");
        assert_eq!(expand_file_name("a}{report}", "r", "pdf", 1, at).unwrap_err(), "unmatched } in \"a}{report}\"");
    }
}
