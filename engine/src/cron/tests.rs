use super::*;
use chrono_tz::{America::New_York, Asia::Seoul, Australia::Lord_Howe, Europe::Berlin, UTC};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn parse(text: &str) -> Schedule {
    Schedule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The next `n` runs, as `YYYY-MM-DDTHH:MMZ`.
fn runs(schedule: &str, after: &str, tz: Tz, n: usize) -> Vec<String> {
    parse(schedule).upcoming(at(after), tz, n).iter().map(|t| t.format("%Y-%m-%dT%H:%MZ").to_string()).collect()
}

fn error(schedule: &str) -> String {
    Schedule::parse(schedule).unwrap_err().to_string()
}

#[test]
fn fields_steps_ranges_and_names() {
    let s = parse("*/15 9-17 * * MON-FRI");
    let f = s.fields().unwrap();
    assert_eq!(f.minute().values().collect::<Vec<_>>(), [0, 15, 30, 45]);
    assert_eq!(f.hour().values().collect::<Vec<_>>(), (9..=17).collect::<Vec<_>>());
    assert_eq!(f.day_of_week().values().collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    assert!(f.minute().starts_with_star() && !f.hour().starts_with_star());
    assert!(f.day_of_month().starts_with_star() && !f.day_of_week().starts_with_star());

    let values =
        |text: &str, pick: fn(&CronFields) -> Field| pick(parse(text).fields().unwrap()).values().collect::<Vec<_>>();
    assert_eq!(values("5-20/5 * * * *", CronFields::minute), [5, 10, 15, 20]);
    assert_eq!(values("10/20 * * * *", CronFields::minute), [10, 30, 50]); // a/n = a-59/n
    assert_eq!(values("0 22/1 * * *", CronFields::hour), [22, 23]);
    assert_eq!(values("1,2,3,7,3 * * * *", CronFields::minute), [1, 2, 3, 7]);
    assert_eq!(values("0 0 */10,5 * *", CronFields::day_of_month), [1, 5, 11, 21, 31]);
    assert_eq!(values("0 0 1 jan-Mar/2,DEC *", CronFields::month), [1, 3, 12]);
    assert_eq!(values("0 0 * * 7", CronFields::day_of_week), [0]); // 7 = Sunday
    assert_eq!(values("0 0 * * 5-7", CronFields::day_of_week), [0, 5, 6]);
    assert_eq!(values("0 0 * * sun,SAT", CronFields::day_of_week), [0, 6]);
    assert_eq!(values("0 0 * * */2", CronFields::day_of_week), [0, 2, 4, 6]);
    assert!(parse("0 0 1,$ * *").fields().unwrap().last_day_of_month());
    assert!(!parse("0 0 1 * *").fields().unwrap().last_day_of_month());
}

#[test]
fn canonical_text_normalises_and_parses_back() {
    for (text, canonical) in [
        ("*/15 9-17 * * MON-FRI", "*/15 9-17 * * 1-5"),
        ("  0   0  *  *  7 ", "0 0 * * 0"),
        ("10/20 * * * *", "10,30,50 * * * *"),
        ("1,2,3,7 * * * *", "1-3,7 * * * *"),
        ("1,2 * * * *", "1,2 * * * *"),
        ("0-59 * * * *", "0-59 * * * *"), // not a star: kept apart for the day rule and DST
        ("0 0 */10,5 * *", "0 0 */10,5 * *"),
        ("0 0 */31 * 1", "0 0 */31 * 1"),
        ("0 0 $,1,15 * *", "0 0 1,15,$ * *"),
        ("0 0 $ FEB *", "0 0 $ 2 *"),
        ("0 0 * * 5-7", "0 0 * * 0,5,6"),
        ("0 0 * * */3", "0 0 * * */3"),
        ("0 0 * * 0-7", "0 0 * * 0-6"),
        ("0 12 * jan-MAR/2 *", "0 12 * 1,3 *"),
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
        ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"),
        ("@reboot", "@reboot"),
        ("@restart", "@reboot"),
        ("30 seconds", "30 seconds"),
        (" 1 second", "1 seconds"),
        ("59 Seconds ", "59 seconds"),
        ("7seconds", "7 seconds"),
    ] {
        let s = parse(text);
        assert_eq!(s.to_string(), canonical, "{text}");
        assert_eq!(parse(canonical), s, "{canonical}");
        assert_eq!(text.parse::<Schedule>().unwrap(), s);
    }
}

#[test]
fn reboot_and_interval_kinds() {
    let reboot = parse("@reboot");
    assert!(reboot.is_reboot());
    assert_eq!((reboot.interval_seconds(), reboot.fields()), (None, None));
    assert_eq!(reboot.next_after(at("2024-01-01T00:00:00Z"), UTC), None);
    assert!(reboot.upcoming(at("2024-01-01T00:00:00Z"), UTC, 3).is_empty());

    let every = parse("30 seconds");
    assert_eq!(every.interval_seconds(), Some(30));
    assert!(!every.is_reboot() && every.fields().is_none());
    assert_eq!(every.next_after(at("2024-01-01T00:00:10Z"), Berlin), Some(at("2024-01-01T00:00:40Z")));
    assert_eq!(
        every.upcoming(at("2024-01-01T23:59:45Z"), UTC, 3),
        [at("2024-01-02T00:00:15Z"), at("2024-01-02T00:00:45Z"), at("2024-01-02T00:01:15Z")]
    );
    assert_eq!(parse("1 second").interval_seconds(), Some(1));
    assert!(parse("0 0 * * *").interval_seconds().is_none() && !parse("@daily").is_reboot());
}

#[test]
fn next_runs_in_utc() {
    assert_eq!(
        runs("*/15 9-17 * * MON-FRI", "2024-09-06T17:44:59Z", UTC, 3),
        ["2024-09-06T17:45Z", "2024-09-09T09:00Z", "2024-09-09T09:15Z"]
    );
    // Strictly after: a run exactly at `after` is not returned.
    assert_eq!(runs("0 0 * * *", "2024-05-01T00:00:00Z", UTC, 1), ["2024-05-02T00:00Z"]);
    assert_eq!(runs("* * * * *", "2024-05-01T00:00:00.5Z", UTC, 2), ["2024-05-01T00:01Z", "2024-05-01T00:02Z"]);
    assert_eq!(runs("10/20 * * * *", "2024-05-01T10:50:00Z", UTC, 2), ["2024-05-01T11:10Z", "2024-05-01T11:30Z"]);
    assert_eq!(
        runs("0 0 1 JAN-MAR/2 *", "2024-01-01T00:00:00Z", UTC, 3),
        ["2024-03-01T00:00Z", "2025-01-01T00:00Z", "2025-03-01T00:00Z"]
    );
    assert_eq!(runs("@yearly", "2024-06-01T00:00:00Z", UTC, 2), ["2025-01-01T00:00Z", "2026-01-01T00:00Z"]);
    assert_eq!(runs("@weekly", "2024-09-02T00:00:00Z", UTC, 2), ["2024-09-08T00:00Z", "2024-09-15T00:00Z"]);
    // 7 and SUN are Sunday like 0.
    for sunday in ["0 6 * * 7", "0 6 * * 0", "0 6 * * SUN", "0 6 * * 0,7"] {
        assert_eq!(runs(sunday, "2024-09-02T00:00:00Z", UTC, 1), ["2024-09-08T06:00Z"], "{sunday}");
    }
}

#[test]
fn last_day_of_month() {
    assert_eq!(
        runs("0 12 $ * *", "2024-01-15T00:00:00Z", UTC, 4),
        ["2024-01-31T12:00Z", "2024-02-29T12:00Z", "2024-03-31T12:00Z", "2024-04-30T12:00Z"]
    );
    assert_eq!(runs("0 12 $ * *", "2023-02-01T00:00:00Z", UTC, 1), ["2023-02-28T12:00Z"]);
    assert_eq!(
        runs("0 0 1,$ * *", "2024-01-15T00:00:00Z", UTC, 4),
        ["2024-01-31T00:00Z", "2024-02-01T00:00Z", "2024-02-29T00:00Z", "2024-03-01T00:00Z"]
    );
    assert_eq!(runs("0 0 $ 2 *", "2100-01-01T00:00:00Z", UTC, 1), ["2100-02-28T00:00Z"]);
}

#[test]
fn day_of_month_or_day_of_week() {
    // Both restricted: the 13th OR any Friday (2024-09-01 is a Sunday).
    assert_eq!(
        runs("0 0 13 * 5", "2024-09-01T00:00:00Z", UTC, 7),
        [
            "2024-09-06T00:00Z",
            "2024-09-13T00:00Z",
            "2024-09-20T00:00Z",
            "2024-09-27T00:00Z",
            "2024-10-04T00:00Z",
            "2024-10-11T00:00Z",
            "2024-10-13T00:00Z",
        ]
    );
    // A field starting with * does not restrict: both must match (days 1, 11, 21, 31 AND Monday).
    assert_eq!(
        runs("0 0 */10 * 1", "2024-01-01T00:00:00Z", UTC, 4),
        ["2024-03-11T00:00Z", "2024-04-01T00:00Z", "2024-07-01T00:00Z", "2024-10-21T00:00Z"]
    );
    // Day 30 never occurs in February, but Mondays do.
    assert_eq!(runs("0 0 30 2 1", "2024-01-31T00:00:00Z", UTC, 2), ["2024-02-05T00:00Z", "2024-02-12T00:00Z"]);
    // $ OR Friday.
    assert_eq!(runs("0 0 $ 2 FRI", "2024-02-20T00:00:00Z", UTC, 2), ["2024-02-23T00:00Z", "2024-02-29T00:00Z"]);
}

#[test]
fn february_29_only_in_leap_years() {
    assert_eq!(runs("0 0 29 2 *", "2023-01-01T00:00:00Z", UTC, 2), ["2024-02-29T00:00Z", "2028-02-29T00:00Z"]);
    assert_eq!(runs("0 0 29 2 *", "2096-03-01T00:00:00Z", UTC, 1), ["2104-02-29T00:00Z"]); // 2100 is not leap
                                                                                           // February 29 that is a Sunday (*/7 = Sunday, and a star field means AND): 2032.
    assert_eq!(runs("0 0 29 2 */7", "2024-03-01T00:00:00Z", UTC, 1), ["2032-02-29T00:00Z"]);
}

#[test]
fn schedules_that_never_fire_are_refused() {
    for never in ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 30,31 FEB *", "0 0 31 2,4 */7"] {
        assert_eq!(
            error(never),
            format!("schedule \"{never}\": can never fire: none of the selected months has any of the selected days of the month")
        );
    }
    for fires in ["0 0 30 2 1", "0 0 29 2 *", "0 0 $ 2 *", "0 0 31 4 MON", "0 0 31 4,5 *", "0 0 */31 2 *"] {
        assert!(Schedule::parse(fires).is_ok(), "{fires}");
    }
}

#[test]
fn errors_name_field_text_and_what_is_allowed() {
    for (schedule, message) in [
        ("75 * * * *", "minute field \"75\": values must be between 0 and 59"),
        ("0 0 * * FUNDAY", "day-of-week field \"FUNDAY\": expected 0-7 or SUN-SAT"),
        ("0 0 * * 8", "day-of-week field \"8\": values must be between 0 and 7"),
        ("0 24 * * *", "hour field \"24\": values must be between 0 and 23"),
        ("0 0 0 * *", "day-of-month field \"0\": values must be between 1 and 31"),
        ("0 0 1 13 *", "month field \"13\": values must be between 1 and 12"),
        ("0 0 1 JANUARY *", "month field \"JANUARY\": expected 1-12 or JAN-DEC"),
        ("0 0 MON * *", "day-of-month field \"MON\": expected 1-31 or $"),
        ("1,5-64/30 * * * *", "minute field \"5-64/30\": values must be between 0 and 59"),
        ("99999999999 * * * *", "minute field \"99999999999\": values must be between 0 and 59"),
        ("*/0 * * * *", "minute field \"*/0\": step must be a whole number from 1 to 59"),
        ("*/MON * * * *", "minute field \"*/MON\": step must be a whole number from 1 to 59"),
        ("*/+5 * * * *", "minute field \"*/+5\": step must be a whole number from 1 to 59"),
        ("+5 * * * *", "minute field \"+5\": expected 0-59"),
        ("*/60 * * * *", "minute field \"*/60\": step must be a whole number from 1 to 59"),
        ("0 */25 * * *", "hour field \"*/25\": step must be a whole number from 1 to 23"),
        ("0 0 */32 * *", "day-of-month field \"*/32\": step must be a whole number from 1 to 31"),
        ("0 5-1 * * *", "hour field \"5-1\": range start must not exceed its end"),
        ("0 0 * * FRI-SUN", "day-of-week field \"FRI-SUN\": range start must not exceed its end"),
        ("1,,2 * * * *", "minute field \"1,,2\": empty element in a comma list"),
        ("1, * * * *", "minute field \"1,\": empty element in a comma list"),
        ("0 0 1-$ * *", "day-of-month field \"1-$\": $ (last day of the month) must stand alone"),
        ("0 $ * * *", "hour field \"$\": expected 0-23"),
        ("5; * * * *", "minute field \"5;\": expected 0-59"),
        ("1-2-3 * * * *", "minute field \"1-2-3\": expected 0-59"),
        ("L * * * *", "minute field \"L\": expected 0-59"),
        ("", "schedule \"\": is empty"),
        ("0 0 30 2 *", "schedule \"0 0 30 2 *\": can never fire: none of the selected months has any of the selected days of the month"),
        ("60 seconds", "schedule \"60 seconds\": an interval must be between 1 and 59 seconds"),
        ("0 seconds", "schedule \"0 seconds\": an interval must be between 1 and 59 seconds"),
        ("-5 seconds", "schedule \"-5 seconds\": an interval must be between 1 and 59 seconds"),
        ("@weekday", "schedule \"@weekday\": unknown macro; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @reboot"),
        ("@Daily", "schedule \"@Daily\": unknown macro; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @reboot"),
        ("* * * *", "schedule \"* * * *\": expected 5 fields (minute hour day-of-month month day-of-week), a macro such as @daily, or \"N seconds\"; got 4 fields"),
        ("* * * * * echo", "schedule \"* * * * * echo\": expected 5 fields (minute hour day-of-month month day-of-week), a macro such as @daily, or \"N seconds\"; got 6 fields"),
        ("1 minute", "schedule \"1 minute\": expected 5 fields (minute hour day-of-month month day-of-week), a macro such as @daily, or \"N seconds\"; got 2 fields"),
    ] {
        assert_eq!(error(schedule), message, "{schedule}");
    }
    let e = Schedule::parse("0 0 * * FUNDAY").unwrap_err();
    assert_eq!((e.field, e.text.as_str()), (Some("day-of-week"), "FUNDAY"));
}

#[test]
fn daily_job_across_dst_new_york() {
    // 2024-03-10: 02:00 EST -> 03:00 EDT. 02:30 does not exist: run once at 03:00 EDT.
    assert_eq!(
        runs("30 2 * * *", "2024-03-09T00:00:00Z", New_York, 3),
        ["2024-03-09T07:30Z", "2024-03-10T07:00Z", "2024-03-11T06:30Z"]
    );
    // Several skipped times of a fixed job collapse into one run at the end of the gap.
    assert_eq!(runs("0,30 2 * * *", "2024-03-10T00:00:00Z", New_York, 2), ["2024-03-10T07:00Z", "2024-03-11T06:00Z"]);
    // 2024-11-03: 02:00 EDT -> 01:00 EST. 02:30 happens once; 01:30 twice, run at the first only.
    assert_eq!(
        runs("30 2 * * *", "2024-11-02T00:00:00Z", New_York, 3),
        ["2024-11-02T06:30Z", "2024-11-03T07:30Z", "2024-11-04T07:30Z"]
    );
    assert_eq!(runs("30 1 * * *", "2024-11-02T12:00:00Z", New_York, 2), ["2024-11-03T05:30Z", "2024-11-04T06:30Z"]);
    assert_eq!(runs("30 1 * * *", "2024-11-03T05:30:00Z", New_York, 1), ["2024-11-04T06:30Z"]);
    // A fixed hour list covering the repeated hour still runs 01:00 once.
    assert_eq!(runs("0 1,2 * * *", "2024-11-03T00:00:00Z", New_York, 2), ["2024-11-03T05:00Z", "2024-11-03T07:00Z"]);
}

#[test]
fn hourly_and_wildcard_jobs_across_dst_new_york() {
    // Spring: every real hour, no duplicate for the missing 02:00.
    assert_eq!(
        runs("0 * * * *", "2024-03-10T05:30:00Z", New_York, 3),
        ["2024-03-10T06:00Z", "2024-03-10T07:00Z", "2024-03-10T08:00Z"]
    );
    // A wildcard job skips wall-clock minutes that do not exist (no catch-up at 03:00).
    assert_eq!(runs("30 * * * *", "2024-03-10T05:45:00Z", New_York, 2), ["2024-03-10T06:30Z", "2024-03-10T07:30Z"]);
    // Fall: 01:00 EDT and 01:00 EST are distinct instants; both run.
    assert_eq!(
        runs("0 * * * *", "2024-11-03T03:30:00Z", New_York, 4),
        ["2024-11-03T04:00Z", "2024-11-03T05:00Z", "2024-11-03T06:00Z", "2024-11-03T07:00Z"]
    );
    let quarter: Vec<String> = (0..9).map(|i| format!("2024-11-03T{:02}:{:02}Z", 5 + i / 4, i % 4 * 15)).collect();
    assert_eq!(runs("*/15 * * * *", "2024-11-03T04:50:00Z", New_York, 9), quarter);
    // From the end of the first pass (01:50 EDT) the wall clock goes back: next is 01:00 EST.
    assert_eq!(runs("*/15 * * * *", "2024-11-03T05:50:00Z", New_York, 1), ["2024-11-03T06:00Z"]);
    assert_eq!(runs("*/15 * * * *", "2024-11-03T06:10:00Z", New_York, 1), ["2024-11-03T06:15Z"]);
}

#[test]
fn daily_and_hourly_jobs_across_dst_berlin() {
    // 2024-03-31: 02:00 CET -> 03:00 CEST.
    assert_eq!(
        runs("30 2 * * *", "2024-03-30T00:00:00Z", Berlin, 3),
        ["2024-03-30T01:30Z", "2024-03-31T01:00Z", "2024-04-01T00:30Z"]
    );
    assert_eq!(
        runs("0 * * * *", "2024-03-30T23:30:00Z", Berlin, 3),
        ["2024-03-31T00:00Z", "2024-03-31T01:00Z", "2024-03-31T02:00Z"]
    );
    // 2024-10-27: 03:00 CEST -> 02:00 CET. 02:30 exists twice: the daily job runs at the first.
    assert_eq!(
        runs("30 2 * * *", "2024-10-26T00:00:00Z", Berlin, 3),
        ["2024-10-26T00:30Z", "2024-10-27T00:30Z", "2024-10-28T01:30Z"]
    );
    assert_eq!(
        runs("0 * * * *", "2024-10-26T23:30:00Z", Berlin, 3),
        ["2024-10-27T00:00Z", "2024-10-27T01:00Z", "2024-10-27T02:00Z"]
    );
}

#[test]
fn seoul_has_no_dst_and_gmt_is_the_default() {
    assert_eq!(
        runs("0 9 * * *", "2024-03-08T12:00:00Z", Seoul, 3),
        ["2024-03-09T00:00Z", "2024-03-10T00:00Z", "2024-03-11T00:00Z"]
    );
    assert_eq!(runs("30 2 * * *", "2024-11-02T00:00:00Z", Seoul, 2), ["2024-11-02T17:30Z", "2024-11-03T17:30Z"]);
    assert_eq!("GMT".parse::<Tz>().unwrap(), DEFAULT_TZ);
    for schedule in ["30 2 * * *", "*/15 * * * *", "0 0 $ * *", "@weekly"] {
        let s = parse(schedule);
        let after = at("2024-03-30T22:17:00Z");
        assert_eq!(s.upcoming(after, DEFAULT_TZ, 5), s.upcoming(after, UTC, 5), "{schedule}");
    }
}

/// Schedules exercised by the property tests.
const SCHEDULES: [&str; 24] = [
    "* * * * *",
    "*/7 * * * *",
    "0 * * * *",
    "30 2 * * *",
    "15 1,2,3 * * *",
    "59 23 * * *",
    "0 12 $ * *",
    "0 0 1,$ * *",
    "0 0 13 * 5",
    "0 0 */10 * 1",
    "0 0 1 */5 MON",
    "0 0 29 2 *",
    "0 0 30 2 1",
    "0 0 31 * *",
    "5-20/5 9-17 * * MON-FRI",
    "10/20 */3 * * *",
    "0 0 * JAN-MAR/2 SUN",
    "0 4 8-14 * 1",
    "*/30 0-3 * * 7",
    "@yearly",
    "@weekly",
    "0 0 29 2 */7",
    "0,30 2 * * *",
    "* 2 * * *",
];

/// The first whole minute strictly after `after`.
fn first_minute_after(after: DateTime<Utc>) -> DateTime<Utc> {
    let floor = after.with_second(0).unwrap().with_nanosecond(0).unwrap();
    floor + TimeDelta::minutes(1)
}

#[test]
fn next_after_equals_brute_force_in_utc() {
    let starts = [
        "1999-12-31T23:59:59Z",
        "2023-12-31T23:59:30Z",
        "2024-02-28T23:59:00Z",
        "2024-02-29T12:34:56Z",
        "2024-03-31T00:00:00Z",
        "2025-06-15T08:07:00Z",
        "2026-11-30T23:45:00.250Z",
        "2099-12-31T23:00:00Z",
    ];
    let horizon = TimeDelta::days(400);
    for schedule in SCHEDULES {
        let s = parse(schedule);
        let fields = s.fields().unwrap();
        for start in starts {
            let after = at(start);
            let mut t = first_minute_after(after);
            let brute = loop {
                if t > after + horizon {
                    break None;
                }
                if fields.matches(t.naive_utc()) {
                    break Some(t);
                }
                t += TimeDelta::minutes(1);
            };
            let next = s.next_after(after, UTC);
            match brute {
                Some(_) => assert_eq!(next, brute, "{schedule} after {start}"),
                None => assert!(next.unwrap() > after + horizon, "{schedule} after {start}"),
            }
        }
    }
}

/// Minute-by-minute over real time in a zone with clock changes, following the rules of
/// [`Schedule::next_after`]: wildcard jobs run whenever the wall clock shows a matching minute;
/// fixed jobs only at its first showing, or at the first minute after a jump over it.
fn brute_force_in_zone(fields: &CronFields, after: DateTime<Utc>, tz: Tz, horizon: TimeDelta) -> Option<DateTime<Utc>> {
    let wildcard = fields.minute().starts_with_star() || fields.hour().starts_with_star();
    let wall = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
    let mut t = first_minute_after(after);
    while t <= after + horizon {
        let (now, before) = (wall(t), wall(t - TimeDelta::minutes(1)));
        let first_showing = tz.from_local_datetime(&now).earliest().map(|e| e.with_timezone(&Utc)) == Some(t);
        if fields.matches(now) && (wildcard || first_showing) {
            return Some(t);
        }
        let mut skipped = before + TimeDelta::minutes(1);
        while !wildcard && skipped < now {
            if fields.matches(skipped) {
                return Some(t);
            }
            skipped += TimeDelta::minutes(1);
        }
        t += TimeDelta::minutes(1);
    }
    None
}

#[test]
fn next_after_equals_brute_force_across_clock_changes() {
    let cases = [
        (
            New_York,
            [
                "2024-03-09T12:00:00Z",
                "2024-03-10T06:59:30Z",
                "2024-11-02T12:00:00Z",
                "2024-11-03T05:50:00Z",
                "2024-11-03T06:10:00Z",
            ],
        ),
        (
            Berlin,
            [
                "2024-03-30T12:00:00Z",
                "2024-03-31T00:59:00Z",
                "2024-10-26T12:00:00Z",
                "2024-10-27T00:45:00Z",
                "2024-10-27T01:05:00Z",
            ],
        ),
        // Lord Howe Island moves its clocks by 30 minutes.
        (
            Lord_Howe,
            [
                "2024-04-06T06:00:00Z",
                "2024-04-06T14:45:00Z",
                "2024-04-06T15:10:00Z",
                "2024-10-05T06:00:00Z",
                "2024-10-05T15:15:00Z",
            ],
        ),
    ];
    let dst_schedules = [
        "* * * * *",
        "*/15 * * * *",
        "0 * * * *",
        "30 * * * *",
        "30 2 * * *",
        "30 1 * * *",
        "0 1,2 * * *",
        "0,30 2 * * *",
        "45 1 * * *",
        "* 2 * * *",
        "10 */1 * * *",
        "0 0 * * *",
        "59 1 * * *",
        "0 3 * * *",
        "15,45 1,2 * * *",
        "0 0 $ * *",
    ];
    let horizon = TimeDelta::days(2);
    for (tz, starts) in cases {
        for schedule in dst_schedules {
            let s = parse(schedule);
            for start in starts {
                let after = at(start);
                let next = s.next_after(after, tz);
                match brute_force_in_zone(s.fields().unwrap(), after, tz, horizon) {
                    Some(t) => assert_eq!(next, Some(t), "{schedule} after {start} in {tz}"),
                    None => assert!(next.unwrap() > after + horizon, "{schedule} after {start} in {tz}"),
                }
            }
        }
    }
}

#[test]
fn upcoming_is_strictly_increasing() {
    for tz in [UTC, New_York, Berlin, Lord_Howe, Seoul] {
        for schedule in SCHEDULES.iter().copied().chain(["*/15 * * * *", "30 seconds"]) {
            let after = at("2024-10-26T20:17:31Z");
            let times = parse(schedule).upcoming(after, tz, 200);
            assert_eq!(times.len(), 200, "{schedule} in {tz}");
            assert!(times[0] > after, "{schedule} in {tz}");
            assert!(times.windows(2).all(|w| w[0] < w[1]), "{schedule} in {tz}");
        }
    }
}
