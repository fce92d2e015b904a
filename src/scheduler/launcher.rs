//! The launcher: a static background worker connected to `cafe24_analytics.scheduler_database`.
//! Each tick it records what its runs' workers reported, then starts the due jobs (at most
//! `scheduler_max_running_jobs` at once, never a job that is still running), then sleeps on its
//! latch until the next due time (at most a second, so new jobs are seen). Every tick runs
//! under an error guard: a failure is logged and the next tick tries again.
//! Between ticks, every 250 ms, it folds what the live-KPI triggers queued
//! (`cafe24._fold_kpis`, see sql/dashboards.sql) into order_daily and kpi_live.

use super::api;
use super::shared::{self, Request, Segment};
use crate::gucs;
use cafe24_engine::cron::plan;
use pgrx::bgworkers::{BackgroundWorker, BackgroundWorkerBuilder, BgWorkerStartTime, SignalWakeFlags};
use pgrx::datum::TimestampWithTimeZone;
use pgrx::pg_sys;
use pgrx::prelude::*;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// `backend_type` of the launcher and of run workers in pg_stat_activity.
pub const LAUNCHER_TYPE: &str = "cafe24_analytics scheduler";
pub const RUNNER_TYPE: &str = "cafe24_analytics job";
/// Seconds before the postmaster restarts a launcher that exited.
const RESTART_SECS: u64 = 5;
/// Longest sleep between ticks.
const MAX_SLEEP: Duration = Duration::from_secs(1);
/// How often the live-KPI queue is folded.
const FOLD_EVERY: Duration = Duration::from_millis(250);
/// Most queued changes one fold takes: a bulk load never holds up job dispatch for long
/// (a full batch is followed by the next at once).
const FOLD_MAX_ROWS: i32 = 10_000;
/// A run still going this long after its statement timeout is terminated.
const TIMEOUT_GRACE_US: i64 = 2_000_000;

pub fn register() {
    BackgroundWorkerBuilder::new(LAUNCHER_TYPE)
        .set_type(LAUNCHER_TYPE)
        .set_library("cafe24_analytics")
        .set_function("cafe24_scheduler_launcher_main")
        .enable_spi_access()
        .set_start_time(BgWorkerStartTime::RecoveryFinished)
        .set_restart_time(Some(Duration::from_secs(RESTART_SECS)))
        .load();
}

#[pg_guard]
#[no_mangle]
pub extern "C-unwind" fn cafe24_scheduler_launcher_main(_arg: pg_sys::Datum) {
    BackgroundWorker::attach_signal_handlers(SignalWakeFlags::SIGHUP | SignalWakeFlags::SIGTERM);
    let database = gucs::scheduler_database();
    BackgroundWorker::connect_worker_to_spi(Some(&database), None);
    // Every query below runs as a superuser: nothing the database's owner can set (ALTER
    // DATABASE ... SET search_path) may decide which functions and operators they call.
    crate::privileged::pin_search_path_for_session();
    log!("cafe24_analytics scheduler started in database \"{database}\"");
    let mut launcher = Launcher { zone: api::effective_zone(None), ..Launcher::default() };
    let mut next_tick = Instant::now();
    let mut woken = true;
    loop {
        if BackgroundWorker::sighup_received() {
            unsafe { pg_sys::ProcessConfigFile(pg_sys::GucContext::PGC_SIGHUP) };
        }
        // A tick when it is due, or when the latch woke us (a run's worker exited, a signal).
        if woken || Instant::now() >= next_tick {
            let sleep = match guarded(|| launcher.tick()) {
                Ok(d) => d,
                Err(e) => {
                    warning!("cafe24_analytics scheduler: {e}");
                    MAX_SLEEP
                }
            };
            next_tick = Instant::now() + sleep;
        }
        let more = launcher.extension_seen && fold_live_kpis();
        let sleep = if more {
            Duration::from_millis(1)
        } else {
            next_tick.saturating_duration_since(Instant::now()).min(FOLD_EVERY)
        };
        let until = Instant::now() + sleep;
        // A long-lived worker must send its statistics itself (at most once a second): the
        // fold's deletes from kpi_dirty are the dead rows autovacuum goes by, and its
        // functions' times show in pg_stat_user_functions.
        unsafe { pg_sys::pgstat_report_stat(false) };
        if !BackgroundWorker::wait_latch(Some(sleep)) {
            break;
        }
        woken = Instant::now() + Duration::from_millis(2) < until;
    }
    log!(
        "cafe24_analytics scheduler stopping; {} run(s) in progress continue on their own and are recorded when they end, {} waiting for a worker slot will be marked failed (and retried if the job has retries) at restart",
        launcher.active.len(),
        launcher.waiting.len()
    );
    // Exit code 1: the postmaster restarts the launcher (after RESTART_SECS) unless it is
    // shutting down, e.g. after pg_terminate_backend.
    unsafe { pg_sys::proc_exit(1) };
}

/// A run whose worker the launcher started.
struct Run {
    jobid: i64,
    seg: Segment,
    handle: *mut pg_sys::BackgroundWorkerHandle,
    timeout_ms: i64,
    recorded_running: bool,
    terminated_for_timeout: bool,
}

/// A due job claimed in a tick's transaction, to be started after it commits.
struct Claim {
    runid: i64,
    jobid: i64,
    timeout_ms: i64,
    database: String,
    username: String,
    command: String,
}

/// What a run's worker reported, to record.
enum Report {
    Running {
        runid: i64,
        pid: i32,
        start: i64,
    },
    /// `retry`: whether a failure may be retried (not when its outcome is unknown).
    Done {
        runid: i64,
        succeeded: bool,
        message: String,
        start: Option<i64>,
        end: i64,
        pid: Option<i32>,
        retry: bool,
    },
}

#[derive(Default)]
struct Launcher {
    active: HashMap<i64, Run>,
    /// Whether the extension existed at the previous tick.
    extension_seen: bool,
    /// Whether the launcher has gone through its start-up recovery.
    recovered: bool,
    /// `cafe24_analytics.timezone` when next runs were last computed.
    zone: String,
    /// Claimed runs waiting for a free background worker slot.
    waiting: Vec<Claim>,
}

enum StartError {
    /// Every max_worker_processes slot is taken: try again later.
    NoSlot,
    Other(String),
}

/// An error's message, with its DETAIL in parentheses when it has one.
pub(super) fn message_of(e: &pg_sys::panic::CaughtError) -> String {
    use pg_sys::panic::CaughtError;
    let r = match e {
        CaughtError::PostgresError(r) | CaughtError::ErrorReport(r) => r,
        CaughtError::RustPanic { ereport, .. } => ereport,
    };
    match r.detail() {
        Some(d) => format!("{} ({d})", r.message()),
        None => r.message().to_string(),
    }
}

/// Runs `f`; an ERROR (or panic) inside comes back as Err with its message.
fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    PgTryBuilder::new(std::panic::AssertUnwindSafe(|| Ok(f()))).catch_others(|e| Err(message_of(&e))).execute()
}

/// Runs `f` in a transaction with a snapshot; commits, or aborts on error.
pub(super) fn transaction<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    unsafe {
        pg_sys::SetCurrentStatementStartTimestamp();
        pg_sys::StartTransactionCommand();
        pg_sys::PushActiveSnapshot(pg_sys::GetTransactionSnapshot());
    }
    let result = guarded(|| {
        let r = f();
        unsafe {
            pg_sys::PopActiveSnapshot();
            pg_sys::CommitTransactionCommand();
        }
        r
    });
    if result.is_err() {
        unsafe { pg_sys::AbortCurrentTransaction() };
    }
    result
}

fn tstz(us: i64) -> Option<TimestampWithTimeZone> {
    TimestampWithTimeZone::try_from(us).ok()
}

fn now_us() -> i64 {
    unsafe { pg_sys::GetCurrentTimestamp() }
}

impl Launcher {
    /// One pass: recover what a previous launcher or server left, record what the runs
    /// reported, then claim and start the due jobs. Every record is its own transaction
    /// holding no other lock, and claiming skips job rows that others have locked, so a
    /// user's statement that locks many job rows (a bulk unschedule) may wait for the
    /// launcher but never deadlocks with it.
    fn tick(&mut self) -> Duration {
        let installed = transaction(extension_installed).unwrap_or(false);
        if !installed {
            if self.extension_seen {
                log!("cafe24_analytics scheduler: extension not installed in this database; waiting for CREATE EXTENSION cafe24_analytics");
            }
            self.extension_seen = false;
            return MAX_SLEEP;
        }
        self.extension_seen = true;
        let active_ids: Vec<i64> = self.active.keys().copied().chain(self.waiting.iter().map(|c| c.runid)).collect();
        let first = !self.recovered;
        match transaction(|| self.sweep(&active_ids, first)) {
            Ok(stale) => {
                self.recovered = true;
                for r in &stale {
                    if let Err(e) = transaction(|| record(r)) {
                        warning!("cafe24_analytics scheduler: {e}");
                    }
                }
            }
            Err(e) => warning!("cafe24_analytics scheduler: {e}"),
        }
        if let Err(e) = transaction(|| self.follow_zone()) {
            warning!("cafe24_analytics scheduler: {e}");
        }
        // A report that could not be recorded stays: the run is polled again next tick.
        for r in self.poll_runs() {
            match transaction(|| record(&r)) {
                Ok(()) => self.recorded(&r),
                Err(e) => warning!("cafe24_analytics scheduler: {e}; trying again"),
            }
        }
        let free = (gucs::SCHEDULER_MAX_RUNNING_JOBS.get().max(1) as usize)
            .saturating_sub(self.active.len() + self.waiting.len());
        let outcome = transaction(|| {
            let claims = if free > 0 { self.claim_due(free) } else { Vec::new() };
            (claims, next_sleep())
        });
        match outcome {
            Ok((claims, sleep)) => {
                // Runs waiting for a background worker slot go first, in order; a run that
                // cannot get one stays `starting` and waits (the postmaster wakes the launcher
                // when one of its workers exits).
                let mut queue: Vec<Claim> = std::mem::take(&mut self.waiting);
                queue.extend(claims);
                let mut failed: Vec<(i64, String)> = Vec::new();
                let mut slots_full = false;
                for c in queue {
                    if slots_full {
                        self.waiting.push(c);
                        continue;
                    }
                    match self.start(&c) {
                        Ok(()) => {}
                        Err(StartError::NoSlot) => {
                            slots_full = true;
                            self.waiting.push(c);
                        }
                        Err(StartError::Other(e)) => failed.push((c.runid, e)),
                    }
                }
                for (runid, message) in failed {
                    let r = Report::Done {
                        runid,
                        succeeded: false,
                        message,
                        start: None,
                        end: now_us(),
                        pid: None,
                        retry: true,
                    };
                    if let Err(e) = transaction(|| record(&r)) {
                        warning!("cafe24_analytics scheduler: {e}");
                    }
                }
                if free == 0 || !self.waiting.is_empty() {
                    MAX_SLEEP
                } else {
                    sleep
                }
            }
            Err(e) => {
                warning!("cafe24_analytics scheduler: {e}");
                MAX_SLEEP
            }
        }
    }

    /// Reads each active run's segment and worker; terminates runs past their timeout.
    fn poll_runs(&mut self) -> Vec<Report> {
        let mut reports = Vec::new();
        let now = now_us();
        for (&runid, run) in self.active.iter_mut() {
            let h = run.seg.header();
            let state = h.state();
            let mut pid = 0;
            let status = unsafe { pg_sys::GetBackgroundWorkerPid(run.handle, &mut pid) };
            let start = h.start.load(std::sync::atomic::Ordering::Relaxed);
            let worker_pid = h.pid.load(std::sync::atomic::Ordering::Relaxed);
            if state == shared::SUCCEEDED || state == shared::FAILED {
                reports.push(Report::Done {
                    runid,
                    succeeded: state == shared::SUCCEEDED,
                    message: h.message(),
                    start: Some(start),
                    end: h.end.load(std::sync::atomic::Ordering::Relaxed),
                    pid: Some(worker_pid),
                    retry: true,
                });
            } else if status == pg_sys::BgwHandleStatus::BGWH_STOPPED
                || status == pg_sys::BgwHandleStatus::BGWH_POSTMASTER_DIED
            {
                let message = if run.terminated_for_timeout {
                    format!("job exceeded its timeout of {} and was terminated", human_ms(run.timeout_ms))
                } else if state == shared::STARTING {
                    format!("job worker exited before running the command (could not connect to database \"{}\" as role \"{}\"?); see the server log", unsafe { h.texts() }.0, unsafe { h.texts() }.1)
                } else {
                    "job worker exited without a result (terminated or crashed); see the server log".to_string()
                };
                reports.push(Report::Done {
                    runid,
                    succeeded: false,
                    message,
                    start: (state == shared::RUNNING).then_some(start),
                    end: now,
                    pid: (worker_pid != 0).then_some(worker_pid),
                    retry: true,
                });
            } else if state == shared::RUNNING {
                if !run.recorded_running {
                    reports.push(Report::Running { runid, pid: worker_pid, start });
                }
                if run.timeout_ms > 0
                    && !run.terminated_for_timeout
                    && now - start > run.timeout_ms * 1000 + TIMEOUT_GRACE_US
                {
                    log!(
                        "cafe24_analytics scheduler: job {} run {runid} is past its timeout; terminating its worker",
                        run.jobid
                    );
                    unsafe { pg_sys::TerminateBackgroundWorker(run.handle) };
                    run.terminated_for_timeout = true;
                }
            }
        }
        reports
    }

    /// After a report is recorded: a finished run is forgotten.
    fn recorded(&mut self, report: &Report) {
        match report {
            Report::Running { runid, .. } => {
                if let Some(run) = self.active.get_mut(runid) {
                    run.recorded_running = true;
                }
            }
            Report::Done { runid, .. } => {
                if let Some(run) = self.active.remove(runid) {
                    unsafe { pg_sys::pfree(run.handle.cast()) };
                    run.seg.detach();
                }
            }
        }
    }

    /// Runs left `starting` or `running` that no worker of this launcher runs: those of a
    /// previous launcher or server. A run whose worker is still alive (the launcher alone
    /// restarted) is left to finish: a run in this database records its own outcome. The
    /// others are returned as failed, to record: retried when nothing of them can have
    /// committed (a run here records success in its own transaction; a `starting` run never
    /// began), never when the outcome is unknown (a run in another database reports only to
    /// the launcher that started it). At start-up, `@reboot` jobs are requested.
    fn sweep(&mut self, active_ids: &[i64], first: bool) -> Vec<Report> {
        let stale: Vec<(i64, bool, bool, bool)> = Spi::connect(|client| {
            let rows = client.select(
                "SELECT r.runid, r.status = 'running', r.database = current_database(),
                        coalesce(coalesce(r.start_time, r.scheduled_time) < pg_postmaster_start_time(), false)
                 FROM cafe24.job_run_details AS r
                 LEFT JOIN pg_catalog.pg_stat_activity AS a ON a.pid = r.job_pid AND a.backend_type = $2
                 WHERE r.status IN ('starting', 'running') AND r.runid <> ALL ($1) AND a.pid IS NULL
                 ORDER BY r.runid",
                None,
                &[active_ids.to_vec().into(), RUNNER_TYPE.into()],
            )?;
            let mut out = Vec::new();
            for row in rows {
                out.push((
                    row.get::<i64>(1)?.unwrap_or_default(),
                    row.get::<bool>(2)?.unwrap_or(false),
                    row.get::<bool>(3)?.unwrap_or(false),
                    row.get::<bool>(4)?.unwrap_or(false),
                ));
            }
            Ok::<_, pgrx::spi::Error>(out)
        })
        .unwrap_or_else(|e| pgrx::error!("reading unfinished runs: {e}"));
        let reports = stale
            .into_iter()
            .map(|(runid, running, here, before_server_start)| {
                let (message, retry) = match (running, here) {
                    (false, _) => ("the run did not start: the scheduler or the server restarted before its worker began".to_string(), true),
                    (true, true) if before_server_start => ("server restarted during the run".to_string(), true),
                    (true, true) => ("the run's worker exited without a result (terminated or crashed); see the server log".to_string(), true),
                    (true, false) => (
                        "the scheduler or the server restarted during the run, and a run in another database reports only to the scheduler that started it: its outcome is unknown, so it is not retried".to_string(),
                        false,
                    ),
                };
                Report::Done { runid, succeeded: false, message, start: None, end: now_us(), pid: None, retry }
            })
            .collect();
        if first {
            // @reboot jobs run once when the scheduler starts.
            Spi::run(
                "UPDATE cafe24.job SET run_requested_at = now()
                 WHERE active AND next_run IS NULL AND run_requested_at IS NULL
                   AND lower(btrim(schedule)) IN ('@reboot', '@restart')",
            )
            .unwrap_or_else(|e| pgrx::error!("requesting @reboot jobs: {e}"));
        }
        reports
    }

    /// After a reload that changed `cafe24_analytics.timezone`, recomputes the next runs of
    /// jobs that read their schedule in it.
    fn follow_zone(&mut self) {
        let zone = api::effective_zone(None);
        if zone == self.zone {
            return;
        }
        log!("cafe24_analytics scheduler: cafe24_analytics.timezone is now \"{zone}\"; recomputing next runs");
        let jobs: Vec<(i64, String)> = Spi::connect_mut(|client| {
            let rows = client.update("SELECT jobid, schedule FROM cafe24.job WHERE timezone IS NULL AND next_run IS NOT NULL FOR UPDATE SKIP LOCKED", None, &[])?;
            let mut out = Vec::new();
            for row in rows {
                out.push((row.get::<i64>(1)?.unwrap_or_default(), row.get::<String>(2)?.unwrap_or_default()));
            }
            Ok::<_, pgrx::spi::Error>(out)
        })
        .unwrap_or_default();
        let now = plan::from_pg(now_us()).expect("now converts");
        let done = jobs.len();
        for (jobid, text) in jobs {
            let Ok(schedule) = cafe24_engine::cron::Schedule::parse(&text) else { continue };
            let next = plan::next_run(&schedule, now, &zone).ok().flatten().and_then(|t| tstz(plan::to_pg(t)));
            Spi::run_with_args("UPDATE cafe24.job SET next_run = $2 WHERE jobid = $1", &[jobid.into(), next.into()])
                .unwrap_or_else(|e| pgrx::error!("updating job {jobid}: {e}"));
        }
        // Jobs locked by others were skipped: look again next tick.
        let all =
            Spi::get_one::<i64>("SELECT count(*) FROM cafe24.job WHERE timezone IS NULL AND next_run IS NOT NULL")
                .ok()
                .flatten()
                .unwrap_or_default();
        if all as usize <= done {
            self.zone = zone;
        }
    }

    /// Claims up to `limit` due jobs that are not running: inserts their runs as `starting`
    /// and moves their next run on. Jobs that cannot start (bad schedule, owner cannot log in,
    /// database gone) get a failed run at once.
    fn claim_due(&mut self, limit: usize) -> Vec<Claim> {
        struct Due {
            jobid: i64,
            schedule: String,
            command: String,
            database: String,
            username: String,
            timezone: Option<String>,
            timeout_ms: i64,
            kind: String,
            due: Option<TimestampWithTimeZone>,
            attempt: i32,
            problem: Option<String>,
        }
        let due: Vec<Due> = Spi::connect_mut(|client| {
            let rows = client.update(
                "SELECT j.jobid, j.schedule, j.command, j.database, j.username, j.timezone,
                        coalesce((extract(epoch FROM j.timeout) * 1000)::bigint, 0),
                        d.kind, d.due,
                        CASE d.kind WHEN 'retry' THEN coalesce(j.retry_attempt, 2) ELSE 1 END,
                        CASE WHEN r.rolname IS NULL THEN format('role \"%s\" does not exist', j.username)
                             WHEN NOT r.rolcanlogin THEN format('role \"%s\" cannot log in, and a job runs as its owner; ALTER ROLE \"%s\" LOGIN', j.username, j.username)
                             WHEN db.datname IS NULL THEN format('database \"%s\" does not exist', j.database)
                             WHEN NOT db.datallowconn THEN format('database \"%s\" does not allow connections', j.database) END
                 FROM cafe24.job AS j
                 CROSS JOIN LATERAL (SELECT CASE WHEN j.active AND j.next_run <= now() THEN 'schedule'
                                                 WHEN j.retry_at <= now() THEN 'retry'
                                                 ELSE 'request' END AS kind) AS k
                 CROSS JOIN LATERAL (SELECT k.kind, CASE k.kind WHEN 'schedule' THEN j.next_run WHEN 'retry' THEN j.retry_at
                                                    ELSE j.run_requested_at END AS due) AS d
                 LEFT JOIN pg_catalog.pg_roles AS r ON r.rolname = j.username
                 LEFT JOIN pg_catalog.pg_database AS db ON db.datname = j.database
                 WHERE ((j.active AND j.next_run <= now()) OR j.retry_at <= now() OR j.run_requested_at <= now())
                   AND NOT EXISTS (SELECT FROM cafe24.job_run_details AS x WHERE x.jobid = j.jobid AND x.status IN ('starting', 'running'))
                 ORDER BY d.due, j.jobid
                 LIMIT $1
                 FOR UPDATE OF j SKIP LOCKED",
                None,
                &[(limit as i64).into()],
            )?;
            let mut out = Vec::new();
            for row in rows {
                out.push(Due {
                    jobid: row.get::<i64>(1)?.unwrap_or_default(),
                    schedule: row.get::<String>(2)?.unwrap_or_default(),
                    command: row.get::<String>(3)?.unwrap_or_default(),
                    database: row.get::<String>(4)?.unwrap_or_default(),
                    username: row.get::<String>(5)?.unwrap_or_default(),
                    timezone: row.get::<String>(6)?,
                    timeout_ms: row.get::<i64>(7)?.unwrap_or_default(),
                    kind: row.get::<String>(8)?.unwrap_or_default(),
                    due: row.get::<TimestampWithTimeZone>(9)?,
                    attempt: row.get::<i32>(10)?.unwrap_or(1),
                    problem: row.get::<String>(11)?,
                });
            }
            Ok::<_, pgrx::spi::Error>(out)
        })
        .unwrap_or_else(|e| pgrx::error!("reading due jobs: {e}"));
        let now_pg = now_us();
        let now = plan::from_pg(now_pg).expect("now converts");
        let mut claims = Vec::new();
        for mut d in due {
            let zone = api::effective_zone(d.timezone.as_deref());
            let mut next = None;
            if d.kind == "schedule" {
                let due_at = d.due.and_then(|t| plan::from_pg(t.into())).unwrap_or(now);
                match cafe24_engine::cron::Schedule::parse(&d.schedule) {
                    Ok(s) => match plan::next_after_dispatch(&s, due_at, now, &zone) {
                        Ok(n) => next = n.and_then(|t| tstz(plan::to_pg(t))),
                        Err(e) => d.problem = d.problem.or(Some(e)),
                    },
                    Err(e) => d.problem = d.problem.or(Some(format!("invalid schedule: {e}"))),
                }
            }
            let update = match d.kind.as_str() {
                // A scheduled run also stands for a pending retry or run_job request.
                "schedule" => "UPDATE cafe24.job SET next_run = $2, retry_at = NULL, retry_attempt = NULL, run_requested_at = NULL WHERE jobid = $1",
                "retry" => "UPDATE cafe24.job SET retry_at = NULL, retry_attempt = NULL WHERE jobid = $1",
                _ => "UPDATE cafe24.job SET run_requested_at = NULL WHERE jobid = $1",
            };
            Spi::run_with_args(update, &[d.jobid.into(), next.into()])
                .unwrap_or_else(|e| pgrx::error!("updating job {}: {e}", d.jobid));
            let runid = Spi::get_one_with_args::<i64>(
                "INSERT INTO cafe24.job_run_details (jobid, database, username, command, status, scheduled_time, attempt)
                 VALUES ($1, $2, $3, $4, 'starting', $5, $6) RETURNING runid",
                &[d.jobid.into(), d.database.as_str().into(), d.username.as_str().into(), d.command.as_str().into(), d.due.into(), d.attempt.into()],
            )
            .unwrap_or_else(|e| pgrx::error!("recording a run of job {}: {e}", d.jobid))
            .unwrap_or_default();
            match d.problem {
                Some(problem) => record(&Report::Done {
                    runid,
                    succeeded: false,
                    message: problem,
                    start: None,
                    end: now_pg,
                    pid: None,
                    retry: true,
                }),
                None => claims.push(Claim {
                    runid,
                    jobid: d.jobid,
                    timeout_ms: d.timeout_ms,
                    database: d.database,
                    username: d.username,
                    command: d.command,
                }),
            }
        }
        claims
    }

    /// Starts a run's worker (outside a transaction).
    fn start(&mut self, c: &Claim) -> Result<(), StartError> {
        let seg = guarded(|| {
            Segment::create(&Request {
                runid: c.runid,
                jobid: c.jobid,
                timeout_ms: c.timeout_ms,
                database: &c.database,
                username: &c.username,
                command: &c.command,
            })
        })
        .map_err(StartError::Other)?;
        let builder = BackgroundWorkerBuilder::new(&format!("cafe24_analytics job {} run {}", c.jobid, c.runid))
            .set_type(RUNNER_TYPE)
            .set_library("cafe24_analytics")
            .set_function("cafe24_scheduler_run_main")
            .enable_spi_access()
            .set_start_time(BgWorkerStartTime::RecoveryFinished)
            .set_argument(Some(pg_sys::Datum::from(seg.handle())))
            .set_notify_pid(unsafe { pg_sys::MyProcPid });
        let mut worker: pg_sys::BackgroundWorker = (&builder).into();
        let mut handle: *mut pg_sys::BackgroundWorkerHandle = std::ptr::null_mut();
        let ok = unsafe {
            let old = pg_sys::MemoryContextSwitchTo(pg_sys::TopMemoryContext);
            let ok = pg_sys::RegisterDynamicBackgroundWorker(&mut worker, &mut handle);
            pg_sys::MemoryContextSwitchTo(old);
            ok
        };
        if !ok {
            seg.detach();
            return Err(StartError::NoSlot);
        }
        self.active.insert(
            c.runid,
            Run {
                jobid: c.jobid,
                seg,
                handle,
                timeout_ms: c.timeout_ms,
                recorded_running: false,
                terminated_for_timeout: false,
            },
        );
        Ok(())
    }
}

/// Folds the live-KPI queue (`cafe24._fold_kpis`) in its own transaction, never waiting for
/// a fold in progress elsewhere, nor more than a second for a lock (a TRUNCATE, say);
/// returns whether it took a full batch (more may be waiting).
fn fold_live_kpis() -> bool {
    let taken = transaction(|| {
        let present = Spi::get_one::<bool>("SELECT to_regprocedure('cafe24._fold_kpis(boolean,integer)') IS NOT NULL")
            .ok()
            .flatten()
            .unwrap_or(false);
        if !present {
            return 0;
        }
        Spi::run("SET LOCAL lock_timeout = '1s'").unwrap_or_else(|e| pgrx::error!("{e}"));
        Spi::get_one_with_args::<i64>("SELECT cafe24._fold_kpis(false, $1)", &[FOLD_MAX_ROWS.into()])
            .unwrap_or_else(|e| pgrx::error!("{e}"))
            .unwrap_or(0)
    });
    match taken {
        Ok(n) => n >= FOLD_MAX_ROWS as i64,
        Err(e) => {
            // Every 250 ms the same failure would flood the log: once a minute, with a count.
            thread_local! {
                static LAST: std::cell::Cell<(Option<Instant>, u64)> = const { std::cell::Cell::new((None, 0)) };
            }
            LAST.with(|last| {
                let (at, quiet) = last.get();
                if at.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                    let more = if quiet > 0 {
                        format!(" ({quiet} more failures since the last warning)")
                    } else {
                        String::new()
                    };
                    warning!("cafe24_analytics live KPIs: folding the queue failed: {e}{more}");
                    last.set((Some(Instant::now()), 0));
                } else {
                    last.set((at, quiet + 1));
                }
            });
            false
        }
    }
}

/// Whether the extension (with the objects the launcher uses) is installed here.
fn extension_installed() -> bool {
    Spi::get_one::<bool>(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'cafe24_analytics')
                AND to_regclass('cafe24.job_run_details') IS NOT NULL
                AND to_regprocedure('cafe24._record_run(bigint,text,text,timestamptz,timestamptz,integer,boolean)') IS NOT NULL",
    )
    .ok()
    .flatten()
    .unwrap_or(false)
}

/// Writes one report to the tables (inside a transaction).
fn record(r: &Report) {
    let result = match r {
        Report::Running { runid, pid, start } => Spi::run_with_args(
            "UPDATE cafe24.job_run_details SET status = 'running', job_pid = $2, start_time = $3 WHERE runid = $1 AND status = 'starting'",
            &[(*runid).into(), (*pid).into(), tstz(*start).into()],
        ),
        Report::Done { runid, succeeded, message, start, end, pid, retry } => Spi::run_with_args(
            "SELECT cafe24._record_run($1, $2, $3, $4, $5, $6, $7)",
            &[
                (*runid).into(),
                (if *succeeded { "succeeded" } else { "failed" }).into(),
                message.as_str().into(),
                start.and_then(tstz).into(),
                tstz(*end).into(),
                (*pid).into(),
                (*retry).into(),
            ],
        ),
    };
    if let Err(e) = result {
        pgrx::error!("recording a run: {e}");
    }
}

/// Time until the earliest due job, between 0 and MAX_SLEEP.
fn next_sleep() -> Duration {
    let secs = Spi::get_one::<f64>(
        "SELECT extract(epoch FROM least(min(next_run) FILTER (WHERE active), min(retry_at)) - clock_timestamp())::float8 FROM cafe24.job",
    )
    .ok()
    .flatten()
    .unwrap_or(f64::MAX);
    if secs.is_nan() || secs >= MAX_SLEEP.as_secs_f64() {
        MAX_SLEEP
    } else if secs <= 0.0 {
        Duration::from_millis(1)
    } else {
        // WaitLatch counts whole milliseconds: round up so a job is never woken early.
        Duration::from_millis((secs * 1000.0).ceil() as u64)
    }
}

fn human_ms(ms: i64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}
