//! The dynamic shared memory segment the launcher gives each run: what to run (database,
//! role, command, timeout) and, filled in by the run's worker, how it went. The worker may run
//! in another database than the job tables, so it never writes them: the launcher records.

use pgrx::pg_sys;
use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU32, Ordering};

pub const STARTING: u32 = 0;
pub const RUNNING: u32 = 1;
pub const SUCCEEDED: u32 = 2;
pub const FAILED: u32 = 3;

/// Longest result message kept (bytes); longer ones are cut at a character boundary.
pub const MESSAGE_BYTES: usize = 2000;

#[repr(C)]
pub struct Header {
    pub state: AtomicU32,
    pub pid: AtomicI32,
    /// TimestampTz when the command started / ended.
    pub start: AtomicI64,
    pub end: AtomicI64,
    pub runid: i64,
    pub jobid: i64,
    /// 0 = no timeout.
    pub timeout_ms: i64,
    pub database_len: u32,
    pub username_len: u32,
    pub command_len: u32,
    pub message_len: AtomicU32,
    pub message: [u8; MESSAGE_BYTES],
}

/// What the launcher puts in a run's segment.
pub struct Request<'a> {
    pub runid: i64,
    pub jobid: i64,
    pub timeout_ms: i64,
    pub database: &'a str,
    pub username: &'a str,
    pub command: &'a str,
}

/// A segment created by the launcher (session lifetime: detach when done).
pub struct Segment {
    pub seg: *mut pg_sys::dsm_segment,
}

impl Segment {
    /// Creates and fills a segment. Must be called outside a transaction, so the segment
    /// lives until [`Segment::detach`].
    pub fn create(r: &Request) -> Segment {
        let size = std::mem::size_of::<Header>() + r.database.len() + r.username.len() + r.command.len();
        unsafe {
            let seg = pg_sys::dsm_create(size, 0);
            let base = pg_sys::dsm_segment_address(seg) as *mut u8;
            std::ptr::write_bytes(base, 0, size);
            let h = &mut *(base as *mut Header);
            h.runid = r.runid;
            h.jobid = r.jobid;
            h.timeout_ms = r.timeout_ms;
            h.database_len = r.database.len() as u32;
            h.username_len = r.username.len() as u32;
            h.command_len = r.command.len() as u32;
            let mut p = base.add(std::mem::size_of::<Header>());
            for s in [r.database, r.username, r.command] {
                std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
                p = p.add(s.len());
            }
            Segment { seg }
        }
    }

    pub fn handle(&self) -> pg_sys::dsm_handle {
        unsafe { pg_sys::dsm_segment_handle(self.seg) }
    }

    pub fn header(&self) -> &Header {
        unsafe { &*(pg_sys::dsm_segment_address(self.seg) as *const Header) }
    }

    pub fn detach(self) {
        unsafe { pg_sys::dsm_detach(self.seg) }
    }
}

impl Header {
    /// The request texts that follow the header.
    ///
    /// # Safety
    /// `self` must be the start of a segment filled by [`Segment::create`].
    pub unsafe fn texts(&self) -> (String, String, String) {
        let mut p = (self as *const Header as *const u8).add(std::mem::size_of::<Header>());
        let mut take = |len: u32| {
            let s = std::slice::from_raw_parts(p, len as usize);
            p = p.add(len as usize);
            String::from_utf8_lossy(s).into_owned()
        };
        let database = take(self.database_len);
        let username = take(self.username_len);
        let command = take(self.command_len);
        (database, username, command)
    }

    pub fn state(&self) -> u32 {
        self.state.load(Ordering::Acquire)
    }

    pub fn message(&self) -> String {
        let len = (self.message_len.load(Ordering::Acquire) as usize).min(MESSAGE_BYTES);
        String::from_utf8_lossy(&self.message[..len]).into_owned()
    }

    /// Worker side: the command is starting now.
    pub fn set_running(&self, pid: i32, start: i64) {
        self.pid.store(pid, Ordering::Relaxed);
        self.start.store(start, Ordering::Relaxed);
        self.state.store(RUNNING, Ordering::Release);
    }

    /// Worker side: the outcome. The message is written before the state that publishes it.
    pub fn set_done(&self, succeeded: bool, message: &str, end: i64) {
        let mut len = message.len().min(MESSAGE_BYTES);
        while !message.is_char_boundary(len) {
            len -= 1;
        }
        unsafe {
            let dst = self.message.as_ptr() as *mut u8;
            std::ptr::copy_nonoverlapping(message.as_ptr(), dst, len);
        }
        self.message_len.store(len as u32, Ordering::Release);
        self.end.store(end, Ordering::Relaxed);
        self.state.store(if succeeded { SUCCEEDED } else { FAILED }, Ordering::Release);
    }
}
