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

/// The single pass names the same units as a walk from each unit to its root: the unit whose
/// parent is missing, and for a cycle the first unit (in code order) whose walk meets it.
#[test]
fn a_missing_parent_or_a_cycle_names_the_same_unit_as_before() {
    let mut units = chain(1_000);
    units[500].parent = Some(UnitId::new("NOWHERE"));
    let err = Catalogue::new(units, vec![]).err();
    assert!(
        matches!(&err, Some(CatalogueError::UnknownParent { id, parent })
            if id.as_str() == "U000500" && parent.as_str() == "NOWHERE"),
        "{err:?}"
    );
    // U000000 made a child of U000999: the whole chain is a cycle, met first from U000000.
    let mut units = chain(1_000);
    units[0].parent = Some(UnitId::new("U000999"));
    let err = Catalogue::new(units, vec![]).err();
    assert!(
        matches!(&err, Some(CatalogueError::UnitCycle { id }) if id.as_str() == "U000000"),
        "{err:?}"
    );
    // A cycle of two far down a chain, and units leading into it: the first walker is named.
    let mut units = chain(10);
    units[3].parent = Some(UnitId::new("U000004"));
    let err = Catalogue::new(units, vec![]).err();
    assert!(
        matches!(&err, Some(CatalogueError::UnitCycle { id }) if id.as_str() == "U000003"),
        "{err:?}"
    );
    // A unit that is its own parent.
    let mut units = chain(3);
    units[2].parent = Some(UnitId::new("U000002"));
    let err = Catalogue::new(units, vec![]).err();
    assert!(
        matches!(&err, Some(CatalogueError::UnitCycle { id }) if id.as_str() == "U000002"),
        "{err:?}"
    );
}
