//! What a hand-written benchmark is told on its command line and in its environment: the sizes
//! to measure (arguments; flags such as cargo's `--bench` are skipped), the folder its data
//! sets are kept in, and how many runs each measurement takes.

use std::path::PathBuf;

/// A benchmark's sizes, data folder and runs.
pub struct BenchArgs {
    pub sizes: Vec<usize>,
    pub dir: PathBuf,
    pub runs: usize,
}

/// Reads the arguments: `default_size` when none is given, the folder from `dir_var` (else
/// `target/<default_dir>`, created), the runs from `runs_var` (else 3). A bad argument or a
/// folder that cannot be made ends the process with a message naming `bench`.
pub fn bench_args(
    bench: &str,
    default_size: usize,
    dir_var: &str,
    default_dir: &str,
    runs_var: &str,
) -> BenchArgs {
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! {
        eprintln!("{bench}: {what}: {e}");
        std::process::exit(1)
    };
    let mut sizes = Vec::new();
    for arg in std::env::args().skip(1).filter(|a| !a.starts_with('-')) {
        match arg.parse() {
            Ok(size) => sizes.push(size),
            Err(e) => fail(&arg, &e),
        }
    }
    if sizes.is_empty() {
        sizes.push(default_size);
    }
    let dir = std::env::var_os(dir_var)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target")
                .join(default_dir)
        });
    if let Err(e) = std::fs::create_dir_all(&dir) {
        fail(&dir.display().to_string(), &e);
    }
    let runs = std::env::var(runs_var)
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    BenchArgs { sizes, dir, runs }
}
