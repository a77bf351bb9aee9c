//! Checking the unit tree (parents exist, no cycle) costs time linear in the units, however
//! deep the tree.

use motcua_core::{Catalogue, CatalogueError, Level, Unit, UnitId};
use std::time::{Duration, Instant};

/// `n` units in one chain, each the parent of the next: the deepest tree `n` units make.
fn chain(n: usize) -> Vec<Unit> {
    (0..n)
        .map(|i| Unit {
            id: UnitId::new(format!("U{i:06}")),
            name: format!("Đơn vị {i}"),
            level: Level::Commune,
            parent: (i > 0).then(|| UnitId::new(format!("U{:06}", i - 1))),
        })
        .collect()
}

/// The best of three timings of checking `units`, so a busy machine does not decide.
fn best_time(units: &[Unit]) -> Duration {
    (0..3)
        .map(|_| {
            let units = units.to_vec();
            let start = Instant::now();
            let checked = Catalogue::new(units, vec![]);
            let took = start.elapsed();
            assert!(checked.is_ok(), "{:?}", checked.err());
            took
        })
        .min()
        .unwrap_or_default()
}

/// A chain of 100,000 units is checked in under a second, in a debug build too (about 0.2 s
/// here; walking every unit's chain to the root took minutes), and ten times the units take
/// nowhere near a hundred times as long.
#[test]
fn a_chain_of_100_000_units_is_checked_in_under_a_second() {
    let (small, large) = (chain(10_000), chain(100_000));
    let (t_small, t_large) = (best_time(&small), best_time(&large));
    assert!(
        t_large < Duration::from_secs(1),
        "100,000 units in a chain took {t_large:?}"
    );
    let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-6);
    assert!(
        ratio < 30.0,
        "10x the units took {ratio:.1}x the time ({t_small:?} → {t_large:?})"
    );
}

/// The error for a chain of `n` units in which unit `k` is given `parent` instead.
fn refusal(n: usize, k: usize, parent: &str) -> Option<CatalogueError> {
    let mut units = chain(n);
    units[k].parent = Some(UnitId::new(parent));
    Catalogue::new(units, vec![]).err()
}

/// Whether `err` is a cycle named from unit `id`.
fn cycle_from(err: &Option<CatalogueError>, id: &str) -> bool {
    matches!(err, Some(CatalogueError::UnitCycle { id: named }) if named.as_str() == id)
}

/// The single pass names the same units as a walk from each unit to its root: the unit whose
/// parent is missing, and for a cycle the first unit (in code order) whose walk meets it.
#[test]
fn a_missing_parent_or_a_cycle_names_the_same_unit_as_before() {
    let err = refusal(1_000, 500, "NOWHERE");
    assert!(
        matches!(&err, Some(CatalogueError::UnknownParent { id, parent })
            if id.as_str() == "U000500" && parent.as_str() == "NOWHERE"),
        "{err:?}"
    );
    // U000000 made a child of U000999: the whole chain is a cycle, met first from U000000.
    let err = refusal(1_000, 0, "U000999");
    assert!(cycle_from(&err, "U000000"), "{err:?}");
    // A cycle of two down a chain (U000003 ⇄ U000004): U000003's walk meets it first.
    let err = refusal(10, 3, "U000004");
    assert!(cycle_from(&err, "U000003"), "{err:?}");
    // A unit that is its own parent.
    let err = refusal(3, 2, "U000002");
    assert!(cycle_from(&err, "U000002"), "{err:?}");
}
