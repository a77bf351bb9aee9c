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

/// The crate READMEs' sessions (```console blocks) run as written, like the top-level one's.
#[test]
fn crate_readme_sessions_run_as_written() {
    trycmd::TestCases::new()
        .register_bin("motcua", motcua_bin())
        .case("crates/motcua-cli/README.md");
}

/// The `cargo run … --example NAME -- ARGS` commands of the crate READMEs name examples that
/// exist, and run as written (here in the test profile, with the README's arguments).
#[test]
fn crate_readme_example_commands_run() {
    let mut ran = 0;
    for entry in std::fs::read_dir("crates").unwrap_or_else(|e| panic!("{e}")) {
        let dir = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let Ok(readme) = std::fs::read_to_string(dir.join("README.md")) else {
            continue;
        };
        for line in readme.lines().filter(|l| l.starts_with("cargo run ")) {
            let command = line.split_once("  #").map_or(line, |(c, _)| c).trim_end();
            let (cargo, args) = command.split_once(" -- ").unwrap_or((command, ""));
            let words: Vec<&str> = cargo.split_whitespace().collect();
            let after = |flag: &str| {
                words
                    .iter()
                    .position(|w| *w == flag)
                    .and_then(|i| words.get(i + 1))
                    .copied()
                    .unwrap_or_else(|| panic!("{line:?} has no {flag}"))
            };
            let (package, example) = (after("-p"), after("--example"));
            assert!(
                Path::new("crates")
                    .join(package)
                    .join("examples")
                    .join(format!("{example}.rs"))
                    .exists(),
                "{line:?}: no such example"
            );
            let built = escargot::CargoBuild::new()
                .manifest_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
                .package(package)
                .example(example)
                .run()
                .unwrap_or_else(|e| panic!("{line:?}: cannot build: {e}"));
            let output = built
                .command()
                .args(args.split_whitespace())
                .output()
                .unwrap_or_else(|e| panic!("{line:?}: cannot run: {e}"));
            assert!(
                output.status.success(),
                "{line:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran > 0, "no example command found in the crate READMEs");
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
