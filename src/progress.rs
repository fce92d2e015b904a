//! `cafe24.progress`: what each backend's long call has done so far, in shared memory.
//!
//! One slot per backend with a running call (at most `SLOTS` at once), claimed by
//! `Tracker::start` and given back when the tracker is dropped (also when the call errors);
//! a backend that exits (a FATAL exit skips destructors) frees its slot in a
//! `before_shmem_exit` callback. Shared memory exists only when the library is preloaded;
//! without it, tracking is a no-op and the view is empty.

use pgrx::prelude::*;
use pgrx::shmem::PGRXSharedMemory;
use pgrx::{pg_shmem_init, PgLwLock};
use std::time::{Duration, Instant};

const SLOTS: usize = 256;
const NAME_BYTES: usize = 64;

#[derive(Copy, Clone)]
pub struct Slot {
    pid: i32,
    /// Bumped by every start, so that an older tracker of the same backend leaves a newer
    /// one's slot alone.
    generation: u64,
    role: pg_sys::Oid,
    function: [u8; NAME_BYTES],
    phase: [u8; NAME_BYTES],
    done: u64,
    total: u64,
    started: pg_sys::TimestampTz,
    updated: pg_sys::TimestampTz,
}

const FREE: Slot = Slot {
    pid: 0,
    generation: 0,
    role: pg_sys::InvalidOid,
    function: [0; NAME_BYTES],
    phase: [0; NAME_BYTES],
    done: 0,
    total: 0,
    started: 0,
    updated: 0,
};

#[derive(Copy, Clone)]
pub struct Slots([Slot; SLOTS]);

impl Default for Slots {
    fn default() -> Self {
        Slots([FREE; SLOTS])
    }
}

unsafe impl PGRXSharedMemory for Slots {}

static PROGRESS: PgLwLock<Slots> = unsafe { PgLwLock::new(c"cafe24_analytics progress") };

/// Called from `_PG_init` while preloading: reserves the slots.
#[allow(unexpected_cfgs)] // the macro also tests for a pg18 feature, which this crate does not declare
pub fn init() {
    pg_shmem_init!(PROGRESS);
}

fn alive(pid: i32) -> bool {
    pid != 0 && !unsafe { pg_sys::BackendPidGetProc(pid) }.is_null()
}

/// A name cut to the slot's bytes at a character boundary.
fn name_bytes(name: &str) -> [u8; NAME_BYTES] {
    let mut end = name.len().min(NAME_BYTES);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = [0; NAME_BYTES];
    out[..end].copy_from_slice(&name.as_bytes()[..end]);
    out
}

fn name_text(bytes: &[u8; NAME_BYTES]) -> String {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(NAME_BYTES);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// This backend's entry in `cafe24.progress` while it lives. A backend has one: a tracker
/// started inside another shows instead of it and puts it back when dropped. Main thread only.
pub struct Tracker {
    slot: Option<(usize, u64)>,
    /// The entry this one replaced (an outer call of the same backend).
    outer: Option<Slot>,
    last: Instant,
}

/// Frees the exiting backend's slot (registered once per backend).
unsafe extern "C-unwind" fn free_on_exit(_code: i32, _arg: pg_sys::Datum) {
    let pid = unsafe { pg_sys::MyProcPid };
    let mut slots = PROGRESS.exclusive();
    for s in slots.0.iter_mut().filter(|s| s.pid == pid) {
        *s = Slot { generation: s.generation, ..FREE };
    }
}

static EXIT_CALLBACK: std::sync::Once = std::sync::Once::new();

impl Tracker {
    /// Shows `function` in `phase` with `total` items to do (0: unknown) until dropped.
    pub fn start(function: &str, phase: &str, total: usize) -> Tracker {
        let last = Instant::now();
        if !crate::preloaded() {
            return Tracker { slot: None, outer: None, last };
        }
        EXIT_CALLBACK.call_once(|| unsafe { pg_sys::before_shmem_exit(Some(free_on_exit), pg_sys::Datum::from(0)) });
        let pid = unsafe { pg_sys::MyProcPid };
        let now = unsafe { pg_sys::GetCurrentTimestamp() };
        let mut slots = PROGRESS.exclusive();
        let own = slots.0.iter().position(|s| s.pid == pid);
        let Some(i) = own.or_else(|| slots.0.iter().position(|s| !alive(s.pid))) else {
            return Tracker { slot: None, outer: None, last };
        };
        let outer = own.map(|i| slots.0[i]);
        let generation = slots.0[i].generation.wrapping_add(1);
        slots.0[i] = Slot {
            pid,
            generation,
            // The session's role, as pg_stat_activity shows it (not a SECURITY DEFINER owner).
            role: unsafe { pg_sys::GetSessionUserId() },
            function: name_bytes(function),
            phase: name_bytes(phase),
            done: 0,
            total: total as u64,
            started: now,
            updated: now,
        };
        Tracker { slot: Some((i, generation)), outer, last }
    }

    /// Records `done` items, at most every 100 ms (an LWLock round trip each time).
    pub fn set(&mut self, done: usize) {
        let Some((i, generation)) = self.slot else { return };
        if self.last.elapsed() < Duration::from_millis(100) {
            return;
        }
        self.last = Instant::now();
        let now = unsafe { pg_sys::GetCurrentTimestamp() };
        let mut slots = PROGRESS.exclusive();
        if slots.0[i].generation == generation {
            slots.0[i].done = done as u64;
            slots.0[i].updated = now;
        }
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        if let Some((i, generation)) = self.slot {
            let mut slots = PROGRESS.exclusive();
            if slots.0[i].generation == generation {
                // The outer call shows again, as it was when this one started, and its
                // tracker owns the slot again (trackers nest strictly).
                slots.0[i] = self.outer.unwrap_or(Slot { generation, ..FREE });
            }
        }
    }
}

/// Every tracked call of a live backend whose role the caller has the privileges of (all
/// of them with pg_read_all_stats), for the `cafe24.progress` view.
#[pg_extern(volatile, parallel_restricted)]
fn _progress() -> TableIterator<
    'static,
    (
        name!(pid, i32),
        name!(role_oid, pg_sys::Oid),
        name!(function, String),
        name!(phase, String),
        name!(done, i64),
        name!(total, Option<i64>),
        name!(started, TimestampWithTimeZone),
        name!(updated, TimestampWithTimeZone),
    ),
> {
    if !crate::preloaded() {
        return TableIterator::new(Vec::new());
    }
    let copy = PROGRESS.share().0;
    let me = unsafe { pg_sys::GetUserId() };
    let all = unsafe { pg_sys::has_privs_of_role(me, pg_sys::Oid::from(pg_sys::ROLE_PG_READ_ALL_STATS)) };
    let rows: Vec<_> = copy
        .iter()
        .filter(|s| alive(s.pid) && (all || unsafe { pg_sys::has_privs_of_role(me, s.role) }))
        .map(|s| {
            let ts = |t: pg_sys::TimestampTz| {
                TimestampWithTimeZone::try_from(t).unwrap_or_else(|_| TimestampWithTimeZone::positive_infinity())
            };
            (
                s.pid,
                s.role,
                name_text(&s.function),
                name_text(&s.phase),
                s.done as i64,
                (s.total > 0).then_some(s.total as i64),
                ts(s.started),
                ts(s.updated),
            )
        })
        .collect();
    TableIterator::new(rows)
}
