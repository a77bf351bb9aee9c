//! Projections: state derived from the global log, kept current by a [`ProjectionRunner`] that
//! reads from its checkpoint and saves position and state together.
//!
//! A runner applies one page of events, then saves its [`Checkpoint`](crate::Checkpoint) (the last position and
//! the encoded state) in one atomic write. After a crash it resumes from the last checkpoint:
//! the events after it are applied exactly once more to the state saved with it, so nothing is
//! missed or counted twice, and the result is byte-identical to a full [`rebuild`].
//!
//! ```
//! use motcua_store::projection::{rebuild, DossierSummaries, Projection, ProjectionRunner};
//! use motcua_store::InMemoryStore;
//!
//! let store = InMemoryStore::new();
//! let mut runner = ProjectionRunner::<_, DossierSummaries>::resume(&store, "summaries")?;
//! assert_eq!(runner.catch_up()?, 0);
//! let rebuilt: DossierSummaries = rebuild(&store)?;
//! assert_eq!(runner.projection().encode(), rebuilt.encode());
//! # Ok::<(), motcua_store::projection::ProjectionError>(())
//! ```

mod error;
mod runner;
mod summaries;

pub use error::ProjectionError;
pub use runner::{rebuild, ProjectionRunner, DEFAULT_PAGE};
pub use summaries::{DossierSummaries, DossierSummary};

use crate::store::StoredEvent;

/// State folded from the global log, in position order.
///
/// `encode` must be deterministic (same state, same bytes) and `decode(encode(s)) == s`; the
/// runner relies on both to resume and to compare with a rebuild.
pub trait Projection: Default + Sized {
    /// Applies the next event of the log.
    fn apply(&mut self, event: &StoredEvent);

    /// The state as bytes, to save with the checkpoint.
    fn encode(&self) -> Vec<u8>;

    /// The state back from [`Projection::encode`]'s bytes; an error says what is wrong.
    fn decode(bytes: &[u8]) -> Result<Self, String>;
}
