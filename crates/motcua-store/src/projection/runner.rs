//! The runner: reads the log from a checkpoint, applies, saves.

use super::error::ProjectionError;
use super::Projection;
use crate::checkpoint::{Checkpoint, CheckpointStore};
use crate::store::EventStore;

/// Events read and applied per step (and per checkpoint).
pub const DEFAULT_PAGE: usize = 1024;

/// Keeps a projection current from the log of `store`, checkpointed under `name` in the same
/// store.
///
/// ```
/// use motcua_store::projection::{DossierSummaries, ProjectionRunner};
/// use motcua_store::{CheckpointStore, InMemoryStore};
/// let store = InMemoryStore::new();
/// let mut runner = ProjectionRunner::<_, DossierSummaries>::resume(&store, "summaries")?;
/// runner.catch_up()?;
/// assert_eq!(runner.position(), 0);
/// assert_eq!(store.load_checkpoint("summaries")?.map(|c| c.position), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ProjectionRunner<'s, S, P> {
    store: &'s S,
    name: String,
    projection: P,
    position: u64,
    page: usize,
    stale: bool,
}

impl<'s, S: EventStore + CheckpointStore, P: Projection> ProjectionRunner<'s, S, P> {
    /// Loads the named checkpoint, or starts from the empty state at position 0.
    pub fn resume(store: &'s S, name: impl Into<String>) -> Result<Self, ProjectionError> {
        let name = name.into();
        let saved = store
            .load_checkpoint(&name)
            .map_err(|source| ProjectionError::Store {
                name: name.clone(),
                source,
            })?;
        let (projection, position) = match saved {
            None => (P::default(), 0),
            Some(c) => {
                let projection =
                    P::decode(&c.state).map_err(|message| ProjectionError::Corrupt {
                        name: name.clone(),
                        position: c.position,
                        message,
                    })?;
                (projection, c.position)
            }
        };
        Ok(Self {
            store,
            name,
            projection,
            position,
            page: DEFAULT_PAGE,
            stale: false,
        })
    }

    /// Sets how many events a step reads (at least 1).
    pub fn with_page_size(mut self, page: usize) -> Self {
        self.page = page.max(1);
        self
    }

    /// Reads and applies the next page of events, then saves the checkpoint. Returns how many
    /// events it applied: 0 when the projection is current.
    pub fn step(&mut self) -> Result<usize, ProjectionError> {
        if self.stale {
            return Err(ProjectionError::Stale {
                name: self.name.clone(),
            });
        }
        let store_error = |name: &str, source| ProjectionError::Store {
            name: name.to_owned(),
            source,
        };
        let page = self
            .store
            .read_all(self.position, self.page)
            .map_err(|e| store_error(&self.name, e))?;
        if page.is_empty() {
            return Ok(0);
        }
        self.stale = true;
        for stored in &page {
            let expected = self.position + 1;
            if stored.position != expected {
                return Err(ProjectionError::Gap {
                    name: self.name.clone(),
                    expected,
                    found: stored.position,
                });
            }
            self.projection.apply(stored);
            self.position = stored.position;
        }
        let checkpoint = Checkpoint {
            position: self.position,
            state: self.projection.encode(),
        };
        self.store
            .save_checkpoint(&self.name, &checkpoint)
            .map_err(|e| store_error(&self.name, e))?;
        self.stale = false;
        Ok(page.len())
    }

    /// Steps until the projection is current; returns how many events it applied.
    pub fn catch_up(&mut self) -> Result<u64, ProjectionError> {
        let mut applied = 0u64;
        loop {
            let n = self.step()?;
            if n == 0 {
                return Ok(applied);
            }
            applied += n as u64;
        }
    }

    /// The last position applied.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The projection's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The current state.
    pub fn projection(&self) -> &P {
        &self.projection
    }

    /// The state, consuming the runner.
    pub fn into_projection(self) -> P {
        self.projection
    }
}

/// Builds a projection from the whole log, without reading or saving any checkpoint.
///
/// ```
/// use motcua_store::projection::{rebuild, DossierSummaries};
/// let summaries: DossierSummaries = rebuild(&motcua_store::InMemoryStore::new())?;
/// assert_eq!(summaries.events, 0);
/// # Ok::<(), motcua_store::projection::ProjectionError>(())
/// ```
pub fn rebuild<S: EventStore, P: Projection>(store: &S) -> Result<P, ProjectionError> {
    let mut projection = P::default();
    let mut position = 0;
    loop {
        let page =
            store
                .read_all(position, DEFAULT_PAGE)
                .map_err(|source| ProjectionError::Store {
                    name: "rebuild".to_owned(),
                    source,
                })?;
        let Some(last) = page.last().map(|s| s.position) else {
            return Ok(projection);
        };
        for stored in &page {
            projection.apply(stored);
        }
        position = last;
    }
}
