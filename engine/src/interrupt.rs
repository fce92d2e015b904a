//! Cancellation between the steps of long computations. The engine knows nothing of
//! PostgreSQL; the host sets a hook (the extension: PostgreSQL's interrupt check, which
//! raises the query-cancel or terminate error) that [`check`] calls, only on the thread
//! that set it (model fitting may also run on worker threads, which must never call into
//! the server).

use std::sync::OnceLock;
use std::thread::ThreadId;

static HOOK: OnceLock<(fn(), ThreadId)> = OnceLock::new();

/// Sets the hook, once, for the calling thread.
pub fn set_hook(hook: fn()) {
    let _ = HOOK.set((hook, std::thread::current().id()));
}

/// Calls the hook when one is set and this is its thread.
pub fn check() {
    if let Some((hook, thread)) = HOOK.get() {
        if std::thread::current().id() == *thread {
            hook();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    #[test]
    fn the_hook_runs_only_on_its_own_thread() {
        super::set_hook(|| {
            CALLS.fetch_add(1, Ordering::SeqCst);
        });
        super::check();
        std::thread::spawn(super::check).join().unwrap();
        assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    }
}
