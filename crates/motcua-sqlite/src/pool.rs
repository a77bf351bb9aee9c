//! A small pool of connections to one database, so threads sharing a store use several
//! connections (SQLite serialises their writes with its own lock).

use crate::access::Access;
use motcua_store::StoreError;
use rusqlite::Connection;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::{Condvar, Mutex};

/// Idle connections kept at most; more are closed when returned.
const KEEP: usize = 8;

/// Connections to one database.
pub(crate) struct Pool {
    idle: Mutex<Vec<Connection>>,
    returned: Condvar,
    /// Where and how to open more; `None` for an in-memory database, which has exactly one.
    path: Option<(PathBuf, Access)>,
}

/// A connection taken from the pool, given back when dropped.
pub(crate) struct Lease<'p> {
    pool: &'p Pool,
    conn: Option<Connection>,
}

impl Pool {
    pub(crate) fn new(first: Connection, path: Option<(PathBuf, Access)>) -> Self {
        Pool {
            idle: Mutex::new(vec![first]),
            returned: Condvar::new(),
            path,
        }
    }

    /// An idle connection, a new one for a file, or (in memory) the one when it is returned.
    pub(crate) fn lease(&self) -> Result<Lease<'_>, StoreError> {
        let poisoned = || StoreError::Backend("the connection pool's lock is poisoned".to_owned());
        let mut idle = self.idle.lock().map_err(|_| poisoned())?;
        loop {
            if let Some(conn) = idle.pop() {
                return Ok(Lease {
                    pool: self,
                    conn: Some(conn),
                });
            }
            if let Some((path, access)) = &self.path {
                drop(idle);
                let conn = crate::access::connect(path, *access).map_err(|e| {
                    crate::error::store_error(e.to_string(), e.is_storage_failure())
                })?;
                return Ok(Lease {
                    pool: self,
                    conn: Some(conn),
                });
            }
            idle = self.returned.wait(idle).map_err(|_| poisoned())?;
        }
    }
}

impl Pool {
    /// Closes every idle connection.
    pub(crate) fn close_idle(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}

impl Lease<'_> {
    /// Takes the connection out (to hand it to another thread for a while); the lease is
    /// hollow until [`Lease::put`] and must not be dereferenced meanwhile ([`Lease::get`]
    /// tells). Dropped hollow, it gives nothing back to the pool.
    pub(crate) fn take(&mut self) -> Option<Connection> {
        self.conn.take()
    }

    /// Puts a connection taken with [`Lease::take`] back.
    pub(crate) fn put(&mut self, conn: Connection) {
        self.conn = Some(conn);
    }

    /// The connection, unless taken out.
    pub(crate) fn get(&self) -> Option<&Connection> {
        self.conn.as_ref()
    }

    /// Whether the pool is a file's (an in-memory database has one connection, which must
    /// never be lost).
    pub(crate) fn of_a_file(&self) -> bool {
        self.pool.path.is_some()
    }

    /// Closes a file's connection instead of returning it (its state is unknown). An
    /// in-memory database's only connection is kept.
    pub(crate) fn discard(mut self) {
        if self.pool.path.is_some() {
            self.conn = None;
        }
    }
}

impl Deref for Lease<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Present from creation until drop.
        match &self.conn {
            Some(conn) => conn,
            None => unreachable!("a lease holds its connection until dropped"),
        }
    }
}

impl DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        match &mut self.conn {
            Some(conn) => conn,
            None => unreachable!("a lease holds its connection until dropped"),
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if let Ok(mut idle) = self.pool.idle.lock() {
            if idle.len() < KEEP || self.pool.path.is_none() {
                idle.push(conn);
            }
            self.pool.returned.notify_one();
        }
    }
}
