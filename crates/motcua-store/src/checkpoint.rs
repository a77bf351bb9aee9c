//! Checkpoints: where a projection stands in the global log, saved with its state.

use crate::store::StoreResult;

/// A projection's saved progress: the last global position it has applied and its state as
/// bytes, saved together so that one can never be ahead of the other.
///
/// ```
/// use motcua_store::{Checkpoint, CheckpointStore, InMemoryStore};
/// let store = InMemoryStore::new();
/// assert_eq!(store.load_checkpoint("views")?, None);
/// let saved = Checkpoint { position: 42, state: b"{}".to_vec() };
/// store.save_checkpoint("views", &saved)?;
/// assert_eq!(store.load_checkpoint("views")?, Some(saved));
/// # Ok::<(), motcua_store::StoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checkpoint {
    /// The last global position applied (0: nothing yet).
    pub position: u64,
    /// The projection's state after that position, encoded by the projection.
    pub state: Vec<u8>,
}

/// Where projections keep their checkpoints: the same store as the events, so a durable store
/// keeps both in one file or database.
///
/// [`CheckpointStore::save_checkpoint`] replaces the named checkpoint atomically: after a crash
/// the old or the new one is there, whole, never a mix.
pub trait CheckpointStore: Send + Sync {
    /// The named checkpoint, `None` if it was never saved.
    fn load_checkpoint(&self, name: &str) -> StoreResult<Option<Checkpoint>>;

    /// Saves (replaces) the named checkpoint, position and state together, atomically.
    fn save_checkpoint(&self, name: &str, checkpoint: &Checkpoint) -> StoreResult<()>;
}

impl<S: CheckpointStore + ?Sized> CheckpointStore for &S {
    fn load_checkpoint(&self, name: &str) -> StoreResult<Option<Checkpoint>> {
        (**self).load_checkpoint(name)
    }
    fn save_checkpoint(&self, name: &str, checkpoint: &Checkpoint) -> StoreResult<()> {
        (**self).save_checkpoint(name, checkpoint)
    }
}

impl<S: CheckpointStore + ?Sized> CheckpointStore for std::sync::Arc<S> {
    fn load_checkpoint(&self, name: &str) -> StoreResult<Option<Checkpoint>> {
        (**self).load_checkpoint(name)
    }
    fn save_checkpoint(&self, name: &str, checkpoint: &Checkpoint) -> StoreResult<()> {
        (**self).save_checkpoint(name, checkpoint)
    }
}
