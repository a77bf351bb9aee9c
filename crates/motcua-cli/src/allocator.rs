//! The allocator's settings for the commands that write a whole province: `gen` and `import`
//! hold a bounded working set (a generator's events in flight, the import's dossiers and
//! indices, SQLite's page cache) through millions of allocations and frees; mimalloc (v3)
//! keeps freed pages for a second before giving them back to the system, which at 10⁶
//! dossiers is about 30 MB of resident memory holding nothing (`gen --store`: 227 → 198 MB
//! peak, BENCHMARKS.md). On Linux they also turn transparent huge pages off for the process:
//! where the system backs memory with 2 MiB pages ("always", or mimalloc's `madvise`), a
//! page given back and touched again comes back as a whole huge page, zeroed, so the peak
//! carries partly used 2 MiB pages (`gen --store` at 10⁶: 197 → 178 MB, the same time). The
//! short commands keep mimalloc's and the system's defaults: giving pages back at once costs
//! system calls that a list finished in milliseconds does not need.

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

/// Transparent huge pages off for the rest of the process (Linux: `prctl(PR_SET_THP_DISABLE)`,
/// which mimalloc itself sets when started with `MIMALLOC_ALLOW_THP=0`; elsewhere nothing).
/// A system that refuses leaves the process as it was, which only costs memory.
pub fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: sets a flag on the process's memory map; takes no pointers, and the other
    // arguments must be 0 as passed. Its result is not needed (see above).
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// The settings for a command that writes a whole province (`gen`, `import`), made on the
/// main thread before the command starts its own threads.
pub fn for_a_long_write() {
    return_freed_memory_at_once();
    no_transparent_huge_pages();
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
    fn a_long_write_gives_pages_back_at_once_without_huge_pages() {
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
        for_a_long_write();
        assert_eq!(purge_delay(), 0);
        #[cfg(target_os = "linux")]
        {
            // SAFETY: reads the process's flag; takes no pointers.
            let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
            assert_eq!(disabled, 1, "transparent huge pages are still on");
        }
    }
}
