//! `motcua follow` end to end: it prints what `alarms` lists for the same window, resumes
//! after kill -9 with no event line lost or written twice, stops cleanly on SIGTERM, and
//! prints a committed event within a second (the figures are printed with --nocapture).

mod common;

use common::motcua;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "motcua failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("follow-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// A generated province-year as files, its events split into `parts` files by line.
fn province(dir: &Path, dossiers: &str, parts: usize) -> Vec<PathBuf> {
    let files = dir.join("files");
    let files_s = files.display().to_string();
    ok(&motcua(&[
        "gen",
        "--dossiers",
        dossiers,
        "--seed",
        "3",
        "--out",
        &files_s,
    ]));
    let text =
        std::fs::read_to_string(files.join("events.jsonl")).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<&str> = text.lines().collect();
    let size = lines.len().div_ceil(parts);
    lines
        .chunks(size)
        .enumerate()
        .map(|(i, chunk)| {
            let path = dir.join(format!("part-{i}.jsonl"));
            std::fs::write(&path, chunk.join("\n") + "\n").unwrap_or_else(|e| panic!("{e}"));
            path
        })
        .collect()
}

fn import(store: &Path, part: &Path, catalogue: Option<&Path>) {
    let (s, p) = (store.display().to_string(), part.display().to_string());
    let mut args = vec!["import", "--store", &s, &p];
    let c = catalogue.map(|c| c.display().to_string());
    if let Some(c) = &c {
        args.extend(["--catalog", c]);
    }
    ok(&motcua(&args));
}

/// A follower process, killed when dropped (a failed test leaves none running).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `motcua follow` on `store` with a checkpoint and an `--out` file, and `more` options.
fn follower(store: &Path, checkpoint: &Path, out: &Path, more: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args([
            "follow",
            "--store",
            &store.display().to_string(),
            "--checkpoint",
            &checkpoint.display().to_string(),
            "--out",
            &out.display().to_string(),
        ])
        .args(more)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run motcua follow: {e}"))
}

/// The positions of the event lines of `out`, in order (complete lines only: the follower
/// may be writing the last one).
fn positions(out: &Path) -> Vec<u64> {
    std::fs::read_to_string(out)
        .unwrap_or_default()
        .split_inclusive('\n')
        .filter(|line| line.ends_with('\n'))
        .filter_map(|line| {
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
            (value["type"] == "event").then(|| value["position"].as_u64().unwrap_or(0))
        })
        .collect()
}

#[test]
fn follow_prints_the_alarms_that_alarms_lists() {
    let dir = scratch("alarms");
    let parts = province(&dir, "1500", 1);
    let store = dir.join("store.db");
    import(&store, &parts[0], Some(&dir.join("files/catalogue.json")));
    let s = store.display().to_string();
    let from = "2024-12-31T17:00:00+07:00";
    let out = ok(&motcua(&[
        "follow",
        "--store",
        &s,
        "--once",
        "--since",
        "0",
        "--alarms-since",
        from,
    ]));
    let events = out
        .lines()
        .filter(|l| l.starts_with("{\"type\":\"event\""))
        .count();
    let alarms: Vec<serde_json::Value> = out
        .lines()
        .filter(|l| l.starts_with("{\"type\":\"alarm\""))
        .map(|l| {
            let mut v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}"));
            if let Some(map) = v.as_object_mut() {
                map.remove("type");
            }
            v
        })
        .collect();
    let total = std::fs::read_to_string(&parts[0])
        .unwrap_or_default()
        .lines()
        .count();
    assert_eq!(events, total, "every stored event once");
    // Everything the 2024 dossiers will ever ring has rung by now (the clock is past 2025).
    let listed: Vec<serde_json::Value> = ok(&motcua(&[
        "alarms",
        "--store",
        &s,
        "--from",
        from,
        "--until",
        "2026-01-01T00:00:00+07:00",
        "--format",
        "jsonl",
    ]))
    .lines()
    .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}")))
    .collect();
    assert!(!listed.is_empty());
    assert_eq!(alarms, listed);
}

#[test]
fn follow_resumes_after_kill_9_without_loss_or_repeat() {
    let dir = scratch("kill");
    // `MOTCUA_FOLLOW_KILLS=200` runs a long campaign; CI kills it 11 times.
    let kills_wanted = std::env::var("MOTCUA_FOLLOW_KILLS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(11);
    let parts = province(&dir, "2400", kills_wanted + 1);
    let store = dir.join("store.db");
    let (checkpoint, out) = (dir.join("checkpoint.json"), dir.join("out.jsonl"));
    import(&store, &parts[0], Some(&dir.join("files/catalogue.json")));
    let mut child = Running(follower(
        &store,
        &checkpoint,
        &out,
        &["--since", "0", "--poll-ms", "20"],
    ));
    let mut kills = 0;
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for part in &parts[1..] {
        import(&store, part, None);
        // Kill it a pseudo-random while after the import, mid-poll or mid-write.
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        std::thread::sleep(Duration::from_millis((state >> 33) % 120));
        child.0.kill().unwrap_or_else(|e| panic!("{e}"));
        let _ = child.0.wait();
        kills += 1;
        child = Running(follower(
            &store,
            &checkpoint,
            &out,
            &["--since", "0", "--poll-ms", "20"],
        ));
    }
    // Let it catch up, then stop it cleanly.
    let last = parts
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap_or_default()
                .lines()
                .count() as u64
        })
        .sum::<u64>();
    let deadline = Instant::now() + Duration::from_secs(60);
    while positions(&out).last() != Some(&last) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = child.0.id().to_string();
    let o = Command::new("kill").args(["-TERM", &pid]).output();
    assert!(o.is_ok_and(|o| o.status.success()));
    let status = child.0.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        status.success(),
        "follow did not stop cleanly on SIGTERM: {status:?}"
    );
    let seen = positions(&out);
    let expected: Vec<u64> = (1..=last).collect();
    println!(
        "follow: {kills} kills -9, {} event lines checked",
        seen.len()
    );
    assert!(
        seen == expected,
        "after {kills} kills: {} event lines for {last} events (first difference at {:?})",
        seen.len(),
        seen.iter().zip(&expected).position(|(a, b)| a != b)
    );
    let saved: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&checkpoint).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(saved["position"], last);
    assert_eq!(
        saved["out_length"].as_u64(),
        std::fs::metadata(&out).ok().map(|m| m.len())
    );
}

#[test]
fn a_committed_event_is_printed_within_a_second() {
    let dir = scratch("latency");
    let parts = province(&dir, "600", 20);
    let store = dir.join("store.db");
    let (checkpoint, out) = (dir.join("checkpoint.json"), dir.join("out.jsonl"));
    import(&store, &parts[0], Some(&dir.join("files/catalogue.json")));
    let mut child = Running(follower(&store, &checkpoint, &out, &[]));
    // Started: it has saved its first checkpoint (the end of the log when it started).
    let started = Instant::now();
    while !checkpoint.exists() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut waits = Vec::new();
    let mut total = std::fs::read_to_string(&parts[0])
        .unwrap_or_default()
        .lines()
        .count() as u64;
    for part in &parts[1..] {
        import(&store, part, None);
        let committed = Instant::now();
        total += std::fs::read_to_string(part)
            .unwrap_or_default()
            .lines()
            .count() as u64;
        while positions(&out).last() != Some(&total)
            && committed.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        waits.push(committed.elapsed());
    }
    let _ = Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .output();
    let status = child.0.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        status.success(),
        "follow did not stop cleanly on SIGINT: {status:?}"
    );
    waits.sort();
    let (median, worst) = (waits[waits.len() / 2], waits[waits.len() - 1]);
    println!(
        "follow: commit to printed line over {} imports: median {median:?}, worst {worst:?}",
        waits.len()
    );
    assert!(
        worst < Duration::from_secs(1),
        "median {median:?}, worst {worst:?}"
    );
}

/// A second follower given the checkpoint a running one holds is refused (exit 5, naming the
/// checkpoint) and writes nothing; the first goes on, and once it has stopped the checkpoint
/// can be taken again, where the first left it.
#[test]
fn a_second_follower_on_one_checkpoint_is_refused() {
    let dir = scratch("second");
    let parts = province(&dir, "200", 2);
    let store = dir.join("store.db");
    let (checkpoint, out) = (dir.join("checkpoint.json"), dir.join("out.jsonl"));
    import(&store, &parts[0], Some(&dir.join("files/catalogue.json")));
    let mut first = Running(follower(
        &store,
        &checkpoint,
        &out,
        &["--since", "0", "--poll-ms", "20"],
    ));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !checkpoint.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let other_out = dir.join("other.jsonl");
    let second = follower(&store, &checkpoint, &other_out, &["--since", "0"])
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{e}"));
    let said = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(5), "{said}");
    assert!(
        said.contains("another `motcua follow` is using the checkpoint"),
        "{said}"
    );
    assert!(
        !other_out.exists(),
        "the refused follower opened its --out file"
    );
    // The first goes on: it prints what is imported next.
    import(&store, &parts[1], None);
    let last = ok(&motcua(&[
        "export",
        "--store",
        &store.display().to_string(),
    ]))
    .lines()
    .count() as u64;
    let deadline = Instant::now() + Duration::from_secs(30);
    while positions(&out).last() != Some(&last) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(positions(&out), (1..=last).collect::<Vec<_>>());
    let pid = first.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .output()
        .is_ok_and(|o| o.status.success()));
    let status = first.0.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "{status:?}");
    // Free again: a follower resumes from the first one's checkpoint and has nothing to add.
    let again = follower(&store, &checkpoint, &out, &["--once"])
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(positions(&out), (1..=last).collect::<Vec<_>>());
}
