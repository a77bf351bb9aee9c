//! The README runs as written: its commands are trycmd sessions in `tests/readme/` (each
//! command with its checked output, `...` and `[..]` standing for what runs long), run against
//! the `motcua` binary in an empty directory each, and a second test checks that the sessions'
//! commands are exactly the README's, in order, so neither can change without the other.
//!
//! The binary belongs to another package (`motcua-cli`), so `CARGO_BIN_EXE_motcua` is not set
//! here; escargot asks cargo to build it (nothing to do when `cargo test --workspace` has just
//! built it for the CLI's own tests) and gives its path. `MOTCUA_BIN` names another binary.

use std::path::{Path, PathBuf};

/// The `motcua` binary: `MOTCUA_BIN`, else `motcua-cli`'s, built by cargo as needed.
fn motcua_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTCUA_BIN") {
        return PathBuf::from(path);
    }
    let built = escargot::CargoBuild::new()
        .manifest_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .package("motcua-cli")
        .bin("motcua")
        .run()
        .unwrap_or_else(|e| panic!("cannot build motcua-cli's motcua binary: {e}"));
    built.path().to_owned()
}

#[test]
fn readme_sessions_run_as_written() {
    trycmd::TestCases::new()
        .register_bin("motcua", motcua_bin())
        .case("tests/readme/*.md");
}

/// The first `sh` block after a heading of README.md.
fn block_after(readme: &str, heading: &str) -> Vec<String> {
    let section = readme
        .split_once(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("README.md has no heading {heading:?}"))
        .1;
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .unwrap_or_else(|| panic!("no sh block after {heading:?}"))
        .0;
    block
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        // A comment after a command is not part of it.
        .map(|line| line.split_once("  #").map_or(line, |(c, _)| c).trim_end())
        .map(str::to_owned)
        .collect()
}

/// The commands (`$ ` lines) of a trycmd session file.
fn session(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    text.lines()
        .filter_map(|line| line.strip_prefix("$ "))
        .map(|c| c.trim_end().to_owned())
        .collect()
}

#[test]
fn the_sessions_are_the_readme_commands() {
    let readme = std::fs::read_to_string("README.md").unwrap_or_else(|e| panic!("{e}"));
    // Set-up: `motcua` is `cargo run --release -p motcua-cli --`; the test command is CI's own
    // step, not a session.
    let setup: Vec<String> = block_after(&readme, "## Set-up")
        .into_iter()
        .filter(|c| !c.starts_with("cargo test"))
        .map(
            |c| match c.strip_prefix("cargo run --release -p motcua-cli -- ") {
                Some(args) => format!("motcua {args}"),
                None => panic!("a Set-up command the sessions cannot run: {c}"),
            },
        )
        .collect();
    assert_eq!(session("tests/readme/setup.md"), setup);
    assert_eq!(
        session("tests/readme/own-data.md"),
        block_after(&readme, "## On your own data")
    );
}
