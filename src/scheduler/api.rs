//! The scheduler's SQL functions, with pg_cron's names, arguments and meaning: argument
//! checks, then one SPI statement each. The tables are read with the caller's rights (row-level
//! security shows a role its own jobs) and written as their owner, as pg_cron's C functions do.

use crate::args::{required, JsonArg};
use crate::privileged::as_scheduler_owner;
use crate::{error, gucs};
use cafe24_engine::cron::plan;
use cafe24_engine::cron::Schedule;
use pgrx::datum::{Interval, TimestampWithTimeZone};
use pgrx::prelude::*;
use pgrx::{JsonB, PgSqlErrorCode};

pgrx::extension_sql_file!(
    "../../sql/scheduler.sql",
    name = "scheduler",
    requires = [
        schedule_named,
        schedule_unnamed,
        schedule_in_database,
        unschedule_by_id,
        unschedule_by_name,
        alter_job,
        alter_job_options,
        run_job_by_id,
        run_job_by_name,
        cron_next,
        schedule_report,
        report_file_name
    ]
);

const SCHEDULE_HINT: &str = "A schedule is five fields 'minute hour day-of-month month day-of-week' (e.g. '30 3 * * *', '0 9 * * MON-FRI', '0 0 $ * *'), a macro (@hourly, @daily, @weekly, @monthly, @yearly, @reboot) or 'N seconds' with N from 1 to 59. Preview one with SELECT * FROM cafe24.cron_next('30 3 * * *').";

/// Parses a schedule or raises 22023 naming the bad field.
pub fn parse_schedule(function: &str, text: &str) -> Schedule {
    Schedule::parse(text)
        .unwrap_or_else(|e| error::invalid_argument(format!("{function}: invalid schedule: {e}"), SCHEDULE_HINT))
}

/// The time zone a job's schedule is read in: its own, or `cafe24_analytics.timezone`.
pub fn effective_zone(tz: Option<&str>) -> String {
    match tz {
        Some(t) => t.to_string(),
        None => gucs::TIMEZONE
            .get()
            .map(|c| c.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "GMT".into()),
    }
}

fn check_zone(function: &str, tz: &str) {
    if let Err(e) = plan::check_zone(tz) {
        error::invalid_argument(
            format!("{function}: {e}"),
            "Use an IANA name such as 'Asia/Seoul', 'Europe/Berlin', 'UTC' or 'GMT' (see pg_timezone_names).",
        );
    }
}

fn now() -> TimestampWithTimeZone {
    TimestampWithTimeZone::try_from(unsafe { pg_sys::GetCurrentTransactionStartTimestamp() })
        .expect("now() is a valid timestamp")
}

/// When `schedule` fires first after now in `tz`; NULL for @reboot.
fn first_run(function: &str, schedule: &Schedule, tz: &str) -> Option<TimestampWithTimeZone> {
    let after = plan::from_pg(now().into()).expect("now() converts");
    let next =
        plan::next_run(schedule, after, tz).unwrap_or_else(|e| error::invalid_argument(format!("{function}: {e}"), ""));
    next.map(|t| TimestampWithTimeZone::try_from(plan::to_pg(t)).expect("a run time within PostgreSQL's range"))
}

/// Raises a clear error unless the library was preloaded (the launcher exists only then),
/// and on a Citus worker: jobs live on the coordinator, where a job's command fans out to
/// the shards (docs/citus.md).
fn require_preloaded(function: &str) {
    if !crate::preloaded() {
        error::raise(
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!("{function}: the scheduler is not running because cafe24_analytics is not in shared_preload_libraries"),
            "Add it (keeping any libraries already listed): ALTER SYSTEM SET shared_preload_libraries = 'cafe24_analytics'; then restart PostgreSQL.",
        );
    }
    if Spi::get_one::<bool>("SELECT cafe24._on_citus_worker()").ok().flatten().unwrap_or(false) {
        error::raise(
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!("{function}: this database is on a Citus worker; jobs are scheduled and run on the coordinator"),
            "Connect to the coordinator and call it there: a job's command on the coordinator reaches every shard.",
        );
    }
}

/// Warns when jobs stored here are not the ones the launcher reads.
fn warn_other_database(function: &str) {
    let here = Spi::get_one::<String>("SELECT current_database()::text").ok().flatten().unwrap_or_default();
    let scheduler = gucs::scheduler_database();
    if here != scheduler {
        ereport!(
            PgLogLevel::WARNING,
            PgSqlErrorCode::ERRCODE_WARNING,
            format!("{function}: the scheduler reads jobs from database \"{scheduler}\", not \"{here}\"; this job will not run"),
            format!("Schedule from \"{scheduler}\" (cafe24.schedule_in_database(..., database => '{here}') runs a job here), or set cafe24_analytics.scheduler_database = '{here}' and restart.")
        );
    }
}

fn current_user() -> String {
    Spi::get_one::<String>("SELECT current_user::text").ok().flatten().unwrap_or_default()
}

fn is_superuser() -> bool {
    unsafe { pg_sys::superuser() }
}

/// Checks that `role` exists and can log in (a job runs as its owner), and that it may
/// connect to `database`.
fn check_owner(function: &str, role: &str, database: &str) {
    let can_login = Spi::get_one_with_args::<bool>(
        "SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = $1",
        &[role.into()],
    )
    .ok()
    .flatten();
    match can_login {
        None => error::raise(PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT, format!("{function}: role \"{role}\" does not exist"), "Pass an existing role as username."),
        Some(false) => error::raise(
            PgSqlErrorCode::ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
            format!("{function}: role \"{role}\" cannot log in, and a job runs as its owner"),
            format!("ALTER ROLE \"{role}\" LOGIN, or schedule the job as a role that can log in (after SET ROLE, the job belongs to the role set)."),
        ),
        Some(true) => {}
    }
    let exists = Spi::get_one_with_args::<bool>(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = $1)",
        &[database.into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false);
    if !exists {
        error::raise(
            PgSqlErrorCode::ERRCODE_INVALID_CATALOG_NAME,
            format!("{function}: database \"{database}\" does not exist"),
            "Pass the name of an existing database.",
        );
    }
    let may = Spi::get_one_with_args::<bool>(
        "SELECT has_database_privilege($1, $2, 'CONNECT')",
        &[role.into(), database.into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false);
    if !may {
        error::raise(
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            format!("{function}: role \"{role}\" may not connect to database \"{database}\""),
            format!("GRANT CONNECT ON DATABASE \"{database}\" TO \"{role}\", or run the job in another database."),
        );
    }
}

struct NewJob<'a> {
    name: Option<&'a str>,
    schedule: &'a str,
    command: &'a str,
    database: String,
    username: String,
    active: bool,
}

/// Inserts a job, or updates the caller's job of the same name (pg_cron's behaviour).
fn upsert(function: &str, job: NewJob) -> i64 {
    require_preloaded(function);
    if job.name.is_some_and(|n| n.trim().is_empty()) {
        error::invalid_argument(
            format!("{function}: job_name must not be empty"),
            "Pass a name such as 'nightly-vacuum', or use cafe24.schedule(schedule, command) for an unnamed job.",
        );
    }
    if job.command.trim().is_empty() {
        error::invalid_argument(
            format!("{function}: command must not be empty"),
            "Pass the SQL to run, e.g. 'VACUUM ANALYZE' or 'CALL my_procedure()'.",
        );
    }
    let schedule = parse_schedule(function, job.schedule);
    check_owner(function, &job.username, &job.database);
    warn_other_database(function);
    // The existing job's own time zone (if any) decides its next run.
    let tz: Option<String> = job.name.and_then(|n| {
        Spi::get_one_with_args::<String>(
            "SELECT timezone FROM cafe24.job WHERE jobname = $1 AND username = $2",
            &[n.into(), job.username.as_str().into()],
        )
        .ok()
        .flatten()
    });
    let next = first_run(function, &schedule, &effective_zone(tz.as_deref()));
    as_scheduler_owner(|| {
        Spi::get_one_with_args::<i64>(
            "INSERT INTO cafe24.job (jobname, schedule, command, database, username, active, next_run)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (jobname, username) DO UPDATE
             SET schedule = excluded.schedule, command = excluded.command, database = excluded.database,
                 active = excluded.active, next_run = excluded.next_run, retry_at = NULL, retry_attempt = NULL
             RETURNING jobid",
            &[
                job.name.into(),
                job.schedule.trim().into(),
                job.command.into(),
                job.database.as_str().into(),
                job.username.as_str().into(),
                job.active.into(),
                next.into(),
            ],
        )
    })
    .unwrap_or_else(|e| pgrx::error!("{function}: {e}"))
    .expect("INSERT RETURNING gives the job id")
}

fn current_database() -> String {
    Spi::get_one::<String>("SELECT current_database()::text").ok().flatten().unwrap_or_default()
}

/// `cafe24.schedule(job_name, schedule, command)`, as pg_cron's.
#[pg_extern(name = "schedule", volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn schedule_named(job_name: &str, schedule: &str, command: &str) -> i64 {
    upsert(
        "schedule",
        NewJob {
            name: Some(job_name),
            schedule,
            command,
            database: current_database(),
            username: current_user(),
            active: true,
        },
    )
}

/// `cafe24.schedule(schedule, command)`, as pg_cron's.
#[pg_extern(name = "schedule", volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn schedule_unnamed(schedule: &str, command: &str) -> i64 {
    upsert(
        "schedule",
        NewJob { name: None, schedule, command, database: current_database(), username: current_user(), active: true },
    )
}

/// `cafe24.schedule_in_database(...)`, as pg_cron's.
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn schedule_in_database(
    job_name: Option<&str>,
    schedule: Option<&str>,
    command: Option<&str>,
    database: Option<&str>,
    username: default!(Option<&str>, "NULL"),
    active: default!(Option<bool>, true),
) -> i64 {
    const F: &str = "schedule_in_database";
    let (job_name, schedule, command) =
        (required(F, "job_name", job_name), required(F, "schedule", schedule), required(F, "command", command));
    let (database, active) = (required(F, "database", database), required(F, "active", active));
    let me = current_user();
    let username = username.map(str::to_string).unwrap_or_else(|| me.clone());
    if username != me && !is_superuser() {
        error::raise(
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            format!("{F}: only a superuser may schedule a job as another role (username = '{username}')"),
            "Leave username NULL to schedule the job as yourself.",
        );
    }
    upsert(F, NewJob { name: Some(job_name), schedule, command, database: database.to_string(), username, active })
}

fn not_found(function: &str, what: String) -> ! {
    error::raise(
        PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
        format!("{function}: {what} does not exist or is not yours"),
        "SELECT jobid, jobname, schedule FROM cafe24.job lists your jobs.",
    )
}

/// `cafe24.unschedule(job_id)`, as pg_cron's.
#[pg_extern(name = "unschedule", volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn unschedule_by_id(job_id: i64) -> bool {
    let visible =
        Spi::get_one_with_args::<bool>("SELECT EXISTS (SELECT FROM cafe24.job WHERE jobid = $1)", &[job_id.into()])
            .ok()
            .flatten()
            .unwrap_or(false);
    if !visible {
        not_found("unschedule", format!("job {job_id}"));
    }
    as_scheduler_owner(|| {
        Spi::run_with_args("DELETE FROM cafe24.job WHERE jobid OPERATOR(pg_catalog.=) $1", &[job_id.into()])
    })
    .unwrap_or_else(|e| pgrx::error!("unschedule: {e}"));
    true
}

/// The caller's own job named `name`, as pg_cron: a superuser's too (never another role's).
fn job_id_by_name(function: &str, name: &str) -> i64 {
    Spi::get_one_with_args::<i64>(
        "SELECT jobid FROM cafe24.job WHERE jobname = $1 AND username = current_user",
        &[name.into()],
    )
    .ok()
    .flatten()
    .unwrap_or_else(|| not_found(function, format!("job \"{name}\"")))
}

/// `cafe24.unschedule(job_name)`, as pg_cron's.
#[pg_extern(name = "unschedule", volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn unschedule_by_name(job_name: &str) -> bool {
    let id = job_id_by_name("unschedule", job_name);
    unschedule_by_id(id)
}

/// What an `alter_job` or `alter_job_options` call changes (NULL = keep).
#[derive(Default)]
struct JobChange<'a> {
    schedule: Option<&'a str>,
    command: Option<&'a str>,
    database: Option<&'a str>,
    username: Option<&'a str>,
    active: Option<bool>,
    timeout: Option<Interval>,
    retries: Option<i32>,
    retry_backoff: Option<Interval>,
    max_run_history: Option<i32>,
    timezone: Option<&'a str>,
}

/// A job id argument that must not be NULL (22004, as pg_cron's "job_id can not be NULL").
fn required_job_id(function: &str, job_id: Option<i64>) -> i64 {
    job_id.unwrap_or_else(|| {
        error::raise(
            PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
            format!("{function}: job_id must not be NULL"),
            "Pass the id of one of your jobs: SELECT jobid, jobname FROM cafe24.job.",
        )
    })
}

/// `cafe24.alter_job(job_id, schedule, command, database, username, active)`: pg_cron's
/// function, with pg_cron's signature (so pg_cron's GRANTs apply to it).
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn alter_job(
    job_id: Option<i64>,
    schedule: default!(Option<&str>, "NULL"),
    command: default!(Option<&str>, "NULL"),
    database: default!(Option<&str>, "NULL"),
    username: default!(Option<&str>, "NULL"),
    active: default!(Option<bool>, "NULL"),
) {
    let id = required_job_id("alter_job", job_id);
    alter("alter_job", id, JobChange { schedule, command, database, username, active, ..JobChange::default() });
}

/// `cafe24.alter_job_options(job_id, timeout, retries, retry_backoff, max_run_history,
/// timezone)`: this scheduler's per-job options that pg_cron does not have.
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn alter_job_options(
    job_id: Option<i64>,
    timeout: default!(Option<Interval>, "NULL"),
    retries: default!(Option<i32>, "NULL"),
    retry_backoff: default!(Option<Interval>, "NULL"),
    max_run_history: default!(Option<i32>, "NULL"),
    timezone: default!(Option<&str>, "NULL"),
) {
    let id = required_job_id("alter_job_options", job_id);
    alter(
        "alter_job_options",
        id,
        JobChange { timeout, retries, retry_backoff, max_run_history, timezone, ..JobChange::default() },
    );
}

fn alter(function: &str, job_id: i64, c: JobChange) {
    require_preloaded(function);
    let row = Spi::get_two_with_args::<String, String>(
        "SELECT username, database FROM cafe24.job WHERE jobid = $1",
        &[job_id.into()],
    )
    .ok();
    let Some((Some(old_user), Some(old_db))) = row else { not_found(function, format!("job {job_id}")) };
    let nothing = c.schedule.is_none()
        && c.command.is_none()
        && c.database.is_none()
        && c.username.is_none()
        && c.active.is_none()
        && c.timeout.is_none()
        && c.retries.is_none()
        && c.retry_backoff.is_none()
        && c.max_run_history.is_none()
        && c.timezone.is_none();
    if nothing {
        error::invalid_argument(
            format!("{function}: no updates specified for job {job_id}"),
            "Pass at least one argument to change, e.g. active => false.",
        );
    }
    let owner = c.username.map(str::to_string).unwrap_or(old_user.clone());
    if owner != old_user && !is_superuser() {
        error::raise(
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            format!("{function}: only a superuser may give job {job_id} to another role (username = '{owner}')"),
            "Leave username NULL to keep the owner.",
        );
    }
    let db = c.database.map(str::to_string).unwrap_or(old_db);
    check_owner(function, &owner, &db);
    if let Some(cmd) = c.command.filter(|c| c.trim().is_empty()) {
        error::invalid_argument(
            format!("{function}: command = '{cmd}' must not be empty"),
            "Pass the SQL to run, or NULL to keep the command.",
        );
    }
    for (name, value) in [("timeout", c.timeout), ("retry_backoff", c.retry_backoff)] {
        if value.is_some_and(|v| v.is_negative()) {
            error::invalid_argument(
                format!("{function}: {name} must not be negative"),
                "Pass an interval such as '5 minutes', or NULL to keep it.",
            );
        }
    }
    if let Some(r) = c.retries.filter(|r| !(0..=100).contains(r)) {
        error::invalid_argument(format!("{function}: retries = {r} is out of range"), "Pass 0 (no retries) to 100.");
    }
    if let Some(m) = c.max_run_history.filter(|m| *m < 1) {
        error::invalid_argument(
            format!("{function}: max_run_history = {m} must be at least 1"),
            "Pass the number of runs to keep, or unschedule the job to stop it.",
        );
    }
    // Next run from the schedule and time zone as they will be.
    let (old_schedule, old_tz) = Spi::get_two_with_args::<String, String>(
        "SELECT schedule, timezone FROM cafe24.job WHERE jobid = $1",
        &[job_id.into()],
    )
    .unwrap_or((None, None));
    let text = c.schedule.map(str::to_string).or(old_schedule).unwrap_or_default();
    let parsed = parse_schedule(function, &text);
    let tz_text = c.timezone.map(str::to_string).or(old_tz);
    let zone = effective_zone(tz_text.as_deref());
    check_zone(function, &zone);
    let next = first_run(function, &parsed, &zone);
    as_scheduler_owner(|| {
        Spi::run_with_args(
            "UPDATE cafe24.job SET
                 schedule = coalesce($2, schedule), command = coalesce($3, command), database = $4, username = $5,
                 active = coalesce($6, active), timeout = coalesce($7, timeout), retries = coalesce($8, retries),
                 retry_backoff = coalesce($9, retry_backoff), max_run_history = coalesce($10, max_run_history),
                 timezone = coalesce($11, timezone), next_run = $12,
                 retry_at = CASE WHEN $2 IS NULL AND $11 IS NULL THEN retry_at END,
                 retry_attempt = CASE WHEN $2 IS NULL AND $11 IS NULL THEN retry_attempt END
             WHERE jobid OPERATOR(pg_catalog.=) $1",
            &[
                job_id.into(),
                c.schedule.map(str::trim).into(),
                c.command.into(),
                db.as_str().into(),
                owner.as_str().into(),
                c.active.into(),
                c.timeout.into(),
                c.retries.into(),
                c.retry_backoff.into(),
                c.max_run_history.into(),
                c.timezone.into(),
                next.into(),
            ],
        )
    })
    .unwrap_or_else(|e| pgrx::error!("{function}: {e}"));
}

/// `cafe24.run_job(job_id)`: runs a job once, now (pg_cron issue 226).
#[pg_extern(name = "run_job", volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn run_job_by_id(job_id: i64) -> i64 {
    require_preloaded("run_job");
    let visible =
        Spi::get_one_with_args::<bool>("SELECT EXISTS (SELECT FROM cafe24.job WHERE jobid = $1)", &[job_id.into()])
            .ok()
            .flatten()
            .unwrap_or(false);
    if !visible {
        not_found("run_job", format!("job {job_id}"));
    }
    as_scheduler_owner(|| Spi::run_with_args("UPDATE cafe24.job SET run_requested_at = coalesce(run_requested_at, pg_catalog.now()) WHERE jobid OPERATOR(pg_catalog.=) $1", &[job_id.into()]))
        .unwrap_or_else(|e| pgrx::error!("run_job: {e}"));
    job_id
}

/// `cafe24.run_job(job_name)`.
#[pg_extern(name = "run_job", volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn run_job_by_name(job_name: &str) -> i64 {
    let id = job_id_by_name("run_job", job_name);
    run_job_by_id(id)
}

/// `cafe24.cron_next(schedule, after, n, timezone)`: the next `n` runs, via the engine.
#[pg_extern(stable, parallel_safe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn cron_next(
    schedule: Option<&str>,
    after: default!(Option<TimestampWithTimeZone>, "now()"),
    n: default!(Option<i32>, 5),
    timezone: default!(Option<&str>, "NULL"),
) -> SetOfIterator<'static, TimestampWithTimeZone> {
    const F: &str = "cron_next";
    let (schedule, after, n) = (required(F, "schedule", schedule), required(F, "after", after), required(F, "n", n));
    if !(0..=10_000).contains(&n) {
        error::invalid_argument(format!("{F}: n = {n} is out of range"), "Pass a number of runs from 0 to 10000.");
    }
    let parsed = parse_schedule(F, schedule);
    let zone = effective_zone(timezone);
    check_zone(F, &zone);
    let Some(start) = plan::from_pg(after.into()) else {
        error::invalid_argument(
            format!("{F}: after = {after} is not a finite time"),
            "Pass a time such as '2026-01-01 00:00+09', or leave it out for now().",
        );
    };
    let runs = plan::upcoming(&parsed, start, &zone, n as usize)
        .unwrap_or_else(|e| error::invalid_argument(format!("{F}: {e}"), ""));
    SetOfIterator::new(runs.into_iter().filter_map(|t| TimestampWithTimeZone::try_from(plan::to_pg(t)).ok()))
}

const FORMATS: [&str; 5] = ["pdf", "xlsx", "csv", "html", "json"];

/// `cafe24.schedule_report(...)`: a job that runs `export_report` on a schedule.
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn schedule_report(
    job_name: Option<&str>,
    schedule: Option<&str>,
    report_name: Option<&str>,
    format: default!(Option<&str>, "'pdf'"),
    params: default!(Option<JsonArg>, "'{}'"),
    file_name_template: default!(Option<&str>, "NULL"),
) -> i64 {
    const F: &str = "schedule_report";
    let (job_name, schedule, report_name) =
        (required(F, "job_name", job_name), required(F, "schedule", schedule), required(F, "report_name", report_name));
    let format = required(F, "format", format);
    let params = JsonB(required(F, "params", params).parse(F, "params"));
    require_preloaded(F);
    if !FORMATS.contains(&format) {
        error::invalid_argument(
            format!("{F}: format = '{format}' is not supported"),
            "Pass 'pdf', 'xlsx', 'csv', 'html' or 'json'.",
        );
    }
    if !params.0.is_object() {
        error::invalid_argument(
            format!("{F}: params must be a JSON object, got {}", params.0),
            "Pass parameters by name, e.g. '{\"month\": \"2026-10-01\"}', or '{}'.",
        );
    }
    // The job runs as the caller, so report_name resolves at each run as it does here.
    let visible =
        Spi::get_one_with_args::<bool>("SELECT EXISTS (SELECT FROM cafe24._find_report($1))", &[report_name.into()])
            .ok()
            .flatten()
            .unwrap_or(false);
    if !visible {
        crate::api::report::not_found(F, &crate::api::report::REPORT, report_name);
    }
    let may_export = Spi::get_one::<bool>("SELECT has_function_privilege('cafe24.export_report(text,text,jsonb,text,boolean,boolean,boolean)', 'EXECUTE')").ok().flatten().unwrap_or(false);
    if !may_export {
        error::raise(
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            format!("{F}: role \"{}\" may not call cafe24.export_report, which the job would run as it", current_user()),
            "A superuser can GRANT EXECUTE ON FUNCTION cafe24.export_report(text,text,jsonb,text,boolean,boolean,boolean) TO the role.",
        );
    }
    if let Some(t) = file_name_template {
        let probe = cafe24_engine::chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("a valid date");
        if let Err(e) = plan::expand_file_name(t, report_name, format, 1, probe) {
            error::invalid_argument(format!("{F}: file_name_template: {e}"), "Example: 'monthly/{report}_{date}.pdf'.");
        }
    }
    let id = upsert(
        F,
        NewJob {
            name: Some(job_name),
            schedule,
            command: "SELECT 1",
            database: current_database(),
            username: current_user(),
            active: true,
        },
    );
    let command = Spi::get_one_with_args::<String>(
        "SELECT format('SELECT output_id, path, bytes FROM cafe24.export_report(name => %L, format => %L, params => %L::jsonb, file_name => %s, overwrite => true, '
                       'keep_content => coalesce(current_setting(''cafe24_analytics.report_storage_path'', true), '''') = '''')',
                       $1, $2, $3::text,
                       CASE WHEN $4 IS NULL THEN 'NULL'
                            ELSE format('cafe24._report_file_name(%L, %L, %L, %s, now() AT TIME ZONE coalesce(nullif(current_setting(''cafe24_analytics.timezone'', true), ''''), ''GMT''))', $4, $1, $2, $5) END)",
        &[report_name.into(), format.into(), params.into(), file_name_template.into(), id.into()],
    )
    .ok()
    .flatten()
    .expect("format() gives the command");
    as_scheduler_owner(|| {
        Spi::run_with_args(
            "UPDATE cafe24.job SET command = $2 WHERE jobid OPERATOR(pg_catalog.=) $1",
            &[id.into(), command.as_str().into()],
        )
    })
    .unwrap_or_else(|e| pgrx::error!("{F}: {e}"));
    id
}

/// `cafe24._report_file_name(template, report, format, job_id, local)`: a scheduled report's
/// file name for one run.
#[pg_extern(name = "_report_file_name", immutable, parallel_safe)]
#[search_path(pg_catalog, cafe24, pg_temp)]
fn report_file_name(template: &str, report: &str, format: &str, job_id: i64, local: pgrx::datum::Timestamp) -> String {
    let us: i64 = local.into();
    let at = plan::from_pg(us).map(|t| t.naive_utc()).unwrap_or_default();
    plan::expand_file_name(template, report, format, job_id, at)
        .unwrap_or_else(|e| error::invalid_argument(format!("schedule_report: file_name_template: {e}"), ""))
}
