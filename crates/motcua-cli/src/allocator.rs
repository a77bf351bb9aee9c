//! The allocator's settings for the commands that write a whole province: `gen` and `import`
//! hold a bounded working set (a generator's events in flight, the import's dossiers and
//! indices, SQLite's page cache) through millions of allocations and frees; mimalloc (v3)
//! keeps freed pages for a second before giving them back to the system, which at 10⁶
//! dossiers is about 30 MB of resident memory holding nothing (`gen --store`: 227 → 198 MB
//! peak, BENCHMARKS.md). The short commands keep mimalloc's defaults: giving pages back at
//! once costs system calls that a list finished in milliseconds does not need.

#[cfg(test)]
use libmimalloc_sys::mi_option_get;
use libmimalloc_sys::{mi_option_set, mi_option_t};

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`, `enum mi_option_e`: the sixteenth
/// option in v2 and v3 alike; `libmimalloc-sys` names no constant for it): the milliseconds a
/// freed page waits before it is given back to the system (v3: 1000; v2: 10).
const PURGE_DELAY: mi_option_t = 15;

/// Freed pages go back to the system as soon as they are free, for the rest of the process.
pub fn return_freed_memory_at_once() {
    // SAFETY: `mi_option_set` stores a value in mimalloc's option table, which mimalloc reads
    // when it next decides to purge; every value of this option is valid (0: at once), and
    // it is called on the main thread before the command starts its own threads.
    unsafe { mi_option_set(PURGE_DELAY, 0) }
}

/// The purge delay in force, in milliseconds.
#[cfg(test)]
fn purge_delay() -> std::os::raw::c_long {
    // SAFETY: reads mimalloc's option table; no precondition.
    unsafe { mi_option_get(PURGE_DELAY) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_is_the_purge_delay_and_is_set_to_zero() {
        // Its default (or what `MIMALLOC_PURGE_DELAY` set) first: mimalloc v3's default is
        // 1000 ms, v2's 10; the options beside it (eager_commit_delay 1, use_numa_nodes 0)
        // have other defaults, so a wrong index shows here.
        let before = purge_delay();
        let from_env = std::env::var("MIMALLOC_PURGE_DELAY").ok();
        if from_env.is_none() {
            assert!(
                before == 1000 || before == 10,
                "option 15 is not the purge delay: {before}"
            );
        }
        return_freed_memory_at_once();
        assert_eq!(purge_delay(), 0);
    }
}
