//! Starting a report's threads: an error, not a panic, when the system refuses one.
//!
//! `std::thread::Scope::spawn` panics when a thread cannot be started (too many threads for
//! the system, or too little address space left for their stacks, as under `ulimit -v`). Every
//! thread of the pipelines starts through [`start`] instead, and a refusal ends the run with
//! [`PipelineError::Worker`]: the threads started before it end when the channels they wait
//! on close, as the caller returns and drops its ends.

use crate::PipelineError;
use std::thread::{Scope, ScopedJoinHandle};

/// Starts `work` on a thread of `scope`.
///
/// # Errors
/// [`PipelineError::Worker`] naming the system's refusal, when the thread cannot be started.
pub(crate) fn start<'scope, T, F>(
    scope: &'scope Scope<'scope, '_>,
    work: F,
) -> Result<ScopedJoinHandle<'scope, T>, PipelineError>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    std::thread::Builder::new()
        .spawn_scoped(scope, work)
        .map_err(|e| {
            PipelineError::Worker(format!(
                "a thread could not be started ({e}); fewer threads may do"
            ))
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_started_thread_runs_and_is_joined() {
        let answer = std::thread::scope(|scope| {
            super::start(scope, || 6 * 7).map(|h| h.join().unwrap_or_default())
        });
        assert_eq!(answer.ok(), Some(42));
    }
}
