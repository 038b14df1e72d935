//! Locking a mutex shared between threads, whether or not a thread that
//! held it panicked.

use std::sync::{Mutex, MutexGuard};

/// The guard of `m`; a panic elsewhere does not poison what the tester
/// counts (the panic itself is the failure that gets reported).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
