//! One job run: a dynamic background worker, connected to the job's database as the job's
//! owner, that runs the command like a client's simple query (so `VACUUM` and procedures that
//! `COMMIT` work), under the job's statement timeout, and reports through its segment.

use super::launcher::transaction;
use super::shared::Header;
use crate::privileged::as_scheduler_owner;
use pgrx::bgworkers::BackgroundWorker;
use pgrx::datum::TimestampWithTimeZone;
use pgrx::pg_sys;
use pgrx::prelude::*;
use std::ffi::{c_int, CStr, CString};

const STATEMENT_TIMEOUT: u32 = 3; // utils/timeout.h, TimeoutId::STATEMENT_TIMEOUT

extern "C-unwind" {
    fn enable_timeout_after(id: u32, delay_ms: c_int);
    fn disable_timeout(id: u32, keep_indicator: bool);
}

/// SIGTERM (the launcher's timeout, pg_terminate_backend, shutdown): end the run at the next
/// interrupt check with a FATAL, as a client backend's `die` does.
unsafe extern "C-unwind" fn on_sigterm(_signal: c_int) {
    (&raw mut pg_sys::InterruptPending).write_volatile(1);
    (&raw mut pg_sys::ProcDiePending).write_volatile(1);
    pg_sys::SetLatch(pg_sys::MyLatch);
}

/// Entry point of a run's worker; `arg` is the segment handle.
#[pg_guard]
#[no_mangle]
pub extern "C-unwind" fn cafe24_scheduler_run_main(arg: pg_sys::Datum) {
    unsafe {
        // SIGINT keeps the default StatementCancelHandler, which the statement timeout uses.
        pg_sys::pqsignal(pg_sys::SIGTERM as c_int, Some(on_sigterm));
        pg_sys::BackgroundWorkerUnblockSignals();
    }
    let seg = unsafe { pg_sys::dsm_attach(arg.value() as pg_sys::dsm_handle) };
    if seg.is_null() {
        log!("cafe24_analytics job worker: the launcher's segment is gone; nothing to run");
        return;
    }
    let header = unsafe { &*(pg_sys::dsm_segment_address(seg) as *const Header) };
    let (database, username, command) = unsafe { header.texts() };
    // As the owner, never as a superuser by default: a missing role is a FATAL here, and the
    // launcher checks the role (exists, LOGIN) before starting us.
    BackgroundWorker::connect_worker_to_spi(Some(&database), Some(&username));
    let timeout_ms = match header.timeout_ms {
        0 => i64::from(unsafe { pg_sys::StatementTimeout }), // the role's / database's setting
        t => t,
    };
    let pid = unsafe { pg_sys::MyProcPid };
    let start = unsafe { pg_sys::GetCurrentTimestamp() };
    // A run in the scheduler's own database records itself, so its outcome survives a
    // restart of the launcher: first that it is running (unless it was given up on before
    // this worker began: then it must not run), at the end success inside the command's own
    // transaction (a committed run is never recorded failed nor retried).
    let own = OwnRecord::here(&database, header.runid);
    if let Some(own) = &own {
        if !own.start(pid, start) {
            log!(
                "cafe24_analytics job {} run {}: the run was given up before its worker began; not running it",
                header.jobid,
                header.runid
            );
            header.set_done(false, "the run was given up before its worker began", start);
            unsafe { pg_sys::dsm_detach(seg) };
            return;
        }
    }
    header.set_running(pid, start);
    let ccommand = CString::new(command.replace('\0', " ")).unwrap_or_default();
    unsafe { pg_sys::pgstat_report_activity(pg_sys::BackendState::STATE_RUNNING, ccommand.as_ptr()) };
    let outcome = run(&ccommand, timeout_ms, own.as_ref().map(|o| (o, pid, start)));
    unsafe { pg_sys::pgstat_report_activity(pg_sys::BackendState::STATE_IDLE, std::ptr::null()) };
    let end = unsafe { pg_sys::GetCurrentTimestamp() };
    match outcome {
        Ok(tag) => header.set_done(true, &tag, end),
        Err(message) => {
            log!("cafe24_analytics job {} run {} failed: {message}", header.jobid, header.runid);
            if let Some(own) = &own {
                own.failed(&message, pid, start, end);
            }
            header.set_done(false, &message, end)
        }
    }
    unsafe { pg_sys::dsm_detach(seg) };
}

/// Runs `sql` in one transaction; the last statement's command tag, or the error message.
/// With `own`, success is recorded in that transaction, just before it commits.
fn run(sql: &CStr, timeout_ms: i64, own: Option<(&OwnRecord, i32, i64)>) -> Result<String, String> {
    unsafe {
        pg_sys::SetCurrentStatementStartTimestamp();
        pg_sys::StartTransactionCommand();
        if timeout_ms > 0 {
            enable_timeout_after(STATEMENT_TIMEOUT, timeout_ms.min(i64::from(i32::MAX)) as c_int);
        }
    }
    let result = PgTryBuilder::new(|| unsafe {
        let tag = execute(sql);
        if let Some((own, pid, start)) = own {
            own.record("succeeded", &tag, pid, start, pg_sys::GetCurrentTimestamp());
        }
        pg_sys::CommitTransactionCommand();
        Ok(tag)
    })
    .catch_others(|e| {
        let message = super::launcher::message_of(&e);
        unsafe { pg_sys::AbortCurrentTransaction() };
        Err(message)
    })
    .execute();
    unsafe {
        if timeout_ms > 0 {
            disable_timeout(STATEMENT_TIMEOUT, false);
        }
    }
    result
}

/// The statements of `sql` run one by one through portals, as `exec_simple_query` and
/// pg_cron's background workers do; a single statement runs at top level.
unsafe fn execute(sql: &CStr) -> String {
    // Parse trees must outlive transactions that VACUUM or a procedure commits.
    let old = pg_sys::MemoryContextSwitchTo(pg_sys::TopMemoryContext);
    let raw = pg_sys::pg_parse_query(sql.as_ptr());
    pg_sys::MemoryContextSwitchTo(old);
    let n = if raw.is_null() { 0 } else { (*raw).length };
    let top_level = n == 1;
    let mut last = String::from("EMPTY");
    for i in 0..n {
        let stmt = (*(*raw).elements.add(i as usize)).ptr_value as *mut pg_sys::RawStmt;
        if (*(*stmt).stmt).type_ == pg_sys::NodeTag::T_TransactionStmt {
            pgrx::error!("transaction control statements (BEGIN, COMMIT, ...) are not allowed in a job; a job runs in one transaction, or call a procedure that commits");
        }
        let tag = pg_sys::CreateCommandTag((*stmt).stmt);
        let snapshot = pg_sys::analyze_requires_snapshot(stmt);
        if snapshot {
            pg_sys::PushActiveSnapshot(pg_sys::GetTransactionSnapshot());
        }
        let old = pg_sys::MemoryContextSwitchTo(pg_sys::TopMemoryContext);
        let queries =
            pg_sys::pg_analyze_and_rewrite_fixedparams(stmt, sql.as_ptr(), std::ptr::null(), 0, std::ptr::null_mut());
        let plans = pg_sys::pg_plan_queries(
            queries,
            sql.as_ptr(),
            pg_sys::CURSOR_OPT_PARALLEL_OK as c_int,
            std::ptr::null_mut(),
        );
        if snapshot {
            pg_sys::PopActiveSnapshot();
        }
        pg_sys::check_for_interrupts!();
        let portal = pg_sys::CreatePortal(c"".as_ptr(), true, true);
        (*portal).visible = false;
        pg_sys::PortalDefineQuery(portal, std::ptr::null(), sql.as_ptr(), tag, plans, std::ptr::null_mut());
        pg_sys::PortalStart(portal, std::ptr::null_mut(), 0, std::ptr::null_mut());
        let receiver = pg_sys::CreateDestReceiver(pg_sys::CommandDest::DestNone);
        pg_sys::MemoryContextSwitchTo(old);
        let mut qc = pg_sys::QueryCompletion { commandTag: tag, nprocessed: 0 };
        pg_sys::PortalRun(portal, std::ffi::c_long::MAX, top_level, true, receiver, receiver, &mut qc);
        if let Some(destroy) = (*receiver).rDestroy {
            destroy(receiver);
        }
        pg_sys::PortalDrop(portal, false);
        last = completion_tag(&qc);
        if i + 1 < n {
            pg_sys::CommandCounterIncrement();
        }
    }
    last
}

/// "SELECT 3", "INSERT 0 1", "VACUUM": what psql would print.
unsafe fn completion_tag(qc: &pg_sys::QueryCompletion) -> String {
    let name = CStr::from_ptr(pg_sys::GetCommandTagName(qc.commandTag)).to_string_lossy().into_owned();
    if !pg_sys::command_tag_display_rowcount(qc.commandTag) {
        name
    } else if qc.commandTag == pg_sys::CommandTag::CMDTAG_INSERT {
        format!("{name} 0 {}", qc.nprocessed)
    } else {
        format!("{name} {}", qc.nprocessed)
    }
}

/// A run in the scheduler's database, which writes its own rows of `cafe24.job_run_details`
/// (as the tables' owner, with `search_path` pinned: the command ran as the job's owner).
pub struct OwnRecord {
    runid: i64,
}

impl OwnRecord {
    fn here(database: &str, runid: i64) -> Option<OwnRecord> {
        let scheduler = crate::gucs::scheduler_database();
        (database == scheduler).then_some(OwnRecord { runid })
    }

    /// Marks the run `running`; false when it is no longer `starting` (given up).
    fn start(&self, pid: i32, start: i64) -> bool {
        let claimed = transaction(|| {
            as_scheduler_owner(|| {
                Spi::get_one_with_args::<i64>(
                    "UPDATE cafe24.job_run_details SET status = 'running', job_pid = $2, start_time = $3
                     WHERE runid OPERATOR(pg_catalog.=) $1 AND status OPERATOR(pg_catalog.=) 'starting' RETURNING runid",
                    &[self.runid.into(), pid.into(), TimestampWithTimeZone::try_from(start).ok().into()],
                )
            })
        });
        // If the tables cannot be written, the launcher records the run from the segment.
        !matches!(claimed, Ok(Ok(None)))
    }

    /// Records the outcome in the current transaction.
    fn record(&self, status: &str, message: &str, pid: i32, start: i64, end: i64) {
        unsafe {
            pg_sys::CommandCounterIncrement();
            pg_sys::PushActiveSnapshot(pg_sys::GetTransactionSnapshot());
        }
        as_scheduler_owner(|| {
            Spi::run_with_args(
                "SELECT cafe24._record_run($1, $2, $3, $4, $5, $6, true)",
                &[
                    self.runid.into(),
                    status.into(),
                    message.into(),
                    TimestampWithTimeZone::try_from(start).ok().into(),
                    TimestampWithTimeZone::try_from(end).ok().into(),
                    pid.into(),
                ],
            )
        })
        .unwrap_or_else(|e| pgrx::error!("recording the run: {e}"));
        unsafe { pg_sys::PopActiveSnapshot() };
    }

    /// Records a failure in a transaction of its own (the command's was rolled back).
    fn failed(&self, message: &str, pid: i32, start: i64, end: i64) {
        if let Err(e) = transaction(|| self.record("failed", message, pid, start, end)) {
            log!(
                "cafe24_analytics job run {}: could not record its failure ({e}); the scheduler records it",
                self.runid
            );
        }
    }
}
