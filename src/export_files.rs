//! Report files that appear when their transaction commits.
//!
//! `export_report` writes a report into a temporary file next to its target and hands it
//! here; the file is published under its name (the engine's atomic rename or link) just
//! before the transaction commits, and removed when the transaction, or the subtransaction
//! that wrote it, rolls back. So a file exists exactly when its `cafe24.report_output` row
//! does, except after a crash between the publish and the commit record (the file is then
//! there without its row) or when one of several files of a transaction fails to publish
//! (the transaction aborts; files published before it stay).

use cafe24_engine::report::storage::{PendingFile, StorageError};
use pgrx::pg_guard;
use pgrx::pg_sys;
use std::cell::RefCell;

thread_local! {
    /// Files waiting for their transaction, with the subtransaction that wrote each.
    static PENDING: RefCell<Vec<(pg_sys::SubTransactionId, PendingFile)>> = const { RefCell::new(Vec::new()) };
}

/// Registers the transaction callbacks; from `_PG_init`.
pub fn init() {
    unsafe {
        pg_sys::RegisterXactCallback(Some(on_xact), std::ptr::null_mut());
        pg_sys::RegisterSubXactCallback(Some(on_subxact), std::ptr::null_mut());
    }
}

/// Publishes `file` when the current transaction commits (a failure raises an ERROR, which
/// aborts the commit); drops it if the current subtransaction rolls back.
pub fn publish_at_commit(file: PendingFile) {
    let sub = unsafe { pg_sys::GetCurrentSubTransactionId() };
    PENDING.with(|p| p.borrow_mut().push((sub, file)));
}

#[pg_guard]
unsafe extern "C-unwind" fn on_xact(event: pg_sys::XactEvent::Type, _arg: *mut std::ffi::c_void) {
    use pg_sys::XactEvent::*;
    match event {
        XACT_EVENT_PRE_COMMIT => {
            let files = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
            for (_, file) in files {
                let target = file.target().to_path_buf();
                if let Err(e) = file.publish() {
                    let (code, hint) = match e {
                        StorageError::Exists(_) => (pgrx::PgSqlErrorCode::ERRCODE_DUPLICATE_FILE, "Another transaction published a file of that name first: export again with another file_name, or overwrite => true."),
                        _ => (pgrx::PgSqlErrorCode::ERRCODE_IO_ERROR, "Check the storage path's permissions and free space."),
                    };
                    crate::error::raise(
                        code,
                        format!("export_report: publishing \"{}\" at commit failed: {e}", target.display()),
                        hint,
                    );
                }
            }
        }
        XACT_EVENT_PRE_PREPARE if PENDING.with(|p| !p.borrow().is_empty()) => {
            crate::error::raise(
                pgrx::PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
                "export_report: a transaction that exported a file cannot be prepared",
                "Export outside PREPARE TRANSACTION.",
            );
        }
        // Dropping a pending file removes its temporary file.
        XACT_EVENT_ABORT | XACT_EVENT_PARALLEL_ABORT => PENDING.with(|p| p.borrow_mut().clear()),
        _ => {}
    }
}

#[pg_guard]
unsafe extern "C-unwind" fn on_subxact(
    event: pg_sys::SubXactEvent::Type,
    sub: pg_sys::SubTransactionId,
    parent: pg_sys::SubTransactionId,
    _arg: *mut std::ffi::c_void,
) {
    use pg_sys::SubXactEvent::*;
    match event {
        SUBXACT_EVENT_COMMIT_SUB => PENDING.with(|p| {
            for (s, _) in p.borrow_mut().iter_mut().filter(|(s, _)| *s == sub) {
                *s = parent;
            }
        }),
        SUBXACT_EVENT_ABORT_SUB => PENDING.with(|p| p.borrow_mut().retain(|(s, _)| *s != sub)),
        _ => {}
    }
}
