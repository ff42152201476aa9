//! Storage: one diesel connection type over SQLite (embedded default) and PostgreSQL,
//! a pool, embedded migrations per backend, and the two ways the rest of the service
//! touches the database: [`Db::read`] and [`Db::write`] (one transaction), both run on
//! the blocking thread pool so database work never stalls the async executor.
//!
//! Backend differences stay in this module: SQLite is tuned on connect (WAL, foreign
//! keys, busy timeout) and all its writes go through one connection owned by the
//! [`sqlite_writer`] thread. SQLite allows one writer at a time anyway; one writer
//! connection avoids `SQLITE_BUSY` on lock upgrades (which a busy timeout cannot
//! resolve), keeps its page and statement caches warm, and lets queued writes share a
//! commit. Reads use the pool.

pub mod api_keys;
pub mod catalog;
pub mod fulfilments;
pub mod idempotency;
pub mod labels;
pub mod orders;
pub mod outbox;
pub mod parcels;
pub mod photos;
pub mod received;
pub mod refunds;
pub mod repairs;
pub mod request_rates;
pub mod rmas;
pub mod schema;
pub mod sqlite_writer;
pub mod staff;
pub mod stats;
mod stored_text;
pub mod throttles;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use sqlite_writer::SqliteWriter;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever backend `DATABASE_URL` names. `Pg` comes first: diesel
/// tries the variants in order when establishing from a bare URL.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL {0:?} is neither sqlite://PATH nor postgres://...")]
    BadUrl(String),
    #[error("cannot open the database: {0}")]
    Connect(String),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("database task failed: {0}")]
    Task(String),
}

/// An advisory lock held (see [`Db::hold_named_lock`]); dropping it lets go.
pub struct NamedLock(#[allow(dead_code)] Option<PgConnection>);

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_string()))
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(DbError::BadUrl(url.to_string()));
            }
            Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
        } else {
            Err(DbError::BadUrl(url.to_string()))
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, DatabaseUrl::Sqlite(_))
    }
}

/// Opens connections for the pool and tunes SQLite ones.
#[derive(Debug)]
struct Connector {
    url: DatabaseUrl,
    /// SQLite connections other than the writer's refuse to write (`query_only`), so
    /// a write that strays onto one fails at once in tests instead of racing the
    /// writer for the lock under load.
    sqlite_read_only: bool,
}

// busy_timeout first: switching a new file to WAL takes a lock that other pool
// connections, opened at the same moment, must wait for.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

impl ManageConnection for Connector {
    type Connection = DbConnection;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url).map(DbConnection::Pg),
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = SqliteConnection::establish(&path)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .and_then(|()| {
                        if self.sqlite_read_only {
                            conn.batch_execute("PRAGMA query_only = ON")
                        } else {
                            Ok(())
                        }
                    })
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// The database handle the service shares. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Connector>,
    url: DatabaseUrl,
    /// The thread that owns the one SQLite connection that writes; `None` on PostgreSQL.
    sqlite_writer: Option<Arc<SqliteWriter>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("sqlite", &self.url.is_sqlite())
            .finish()
    }
}

fn create_parent(path: &Path) -> Result<(), DbError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| DbError::Connect(format!("cannot create {}: {e}", dir.display()))),
        _ => Ok(()),
    }
}

impl Db {
    /// Opens a pool for `url`; a SQLite file (and its folder) is created if absent.
    pub fn connect(url: &str, pool_size: u32) -> Result<Db, DbError> {
        let url = DatabaseUrl::parse(url)?;
        if let DatabaseUrl::Sqlite(path) = &url {
            create_parent(path)?;
        }
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(Duration::from_secs(10))
            .build(Connector {
                url: url.clone(),
                sqlite_read_only: true,
            })
            .map_err(|e| DbError::Connect(e.to_string()))?;
        let sqlite_writer = match url.is_sqlite() {
            true => {
                let connector = Connector {
                    url: url.clone(),
                    sqlite_read_only: false,
                };
                let open = move || {
                    connector
                        .connect()
                        .map_err(|e| DbError::Connect(e.to_string()))
                };
                Some(Arc::new(SqliteWriter::start(open)?))
            }
            false => None,
        };
        Ok(Db {
            pool,
            url,
            sqlite_writer,
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.url.is_sqlite()
    }

    /// Takes the PostgreSQL advisory lock named `name` on a connection of its own and
    /// holds it for as long as the returned [`NamedLock`] lives (the server lets go
    /// when the process dies); `None` when another session holds it. On SQLite, which
    /// one process uses, the lock is always had. Blocking.
    pub fn hold_named_lock(&self, name: &str) -> Result<Option<NamedLock>, DbError> {
        use diesel::sql_types::{BigInt, Bool};
        use diesel::RunQueryDsl;
        use sha2::Digest;
        #[derive(diesel::QueryableByName)]
        struct Taken {
            #[diesel(sql_type = Bool)]
            taken: bool,
        }
        let DatabaseUrl::Postgres(url) = &self.url else {
            return Ok(Some(NamedLock(None)));
        };
        let digest = sha2::Sha256::digest(name.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let key = i64::from_be_bytes(first);
        let mut conn = PgConnection::establish(url).map_err(|e| DbError::Connect(e.to_string()))?;
        let taken: Taken = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS taken")
            .bind::<BigInt, _>(key)
            .get_result(&mut conn)?;
        Ok(taken.taken.then_some(NamedLock(Some(conn))))
    }

    fn conn(&self) -> Result<PooledConnection<Connector>, DbError> {
        Ok(self.pool.get()?)
    }

    /// Runs the embedded migrations of this backend that have not run yet.
    pub fn migrate(&self) -> Result<(), DbError> {
        let mut conn = self.conn()?;
        let failed =
            |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
        match &mut *conn {
            DbConnection::Pg(pg) => {
                // Several instances may start at once: one migrates, the others wait.
                pg.batch_execute("SELECT pg_advisory_lock(727246)")?;
                let result = pg
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|_| ())
                    .map_err(failed);
                pg.batch_execute("SELECT pg_advisory_unlock(727246)")?;
                result
            }
            // Nothing else writes while migrations run at start-up, so a pool
            // connection may write here, for once.
            DbConnection::Sqlite(sqlite) => {
                sqlite.batch_execute("PRAGMA query_only = OFF")?;
                let result = sqlite
                    .run_pending_migrations(SQLITE_MIGRATIONS)
                    .map(|_| ())
                    .map_err(failed);
                sqlite.batch_execute("PRAGMA query_only = ON")?;
                result
            }
        }
    }

    /// Runs `f` on a pooled connection, outside a transaction, on this thread.
    pub fn read_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<DbError>,
    {
        let mut conn = self.conn()?;
        f(&mut conn)
    }

    /// Runs `f` in one transaction and waits for it: all of it is written or none.
    /// Blocks the calling thread; async code uses [`Db::write`].
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        if let Some(writer) = &self.sqlite_writer {
            let (reply, answer) = std::sync::mpsc::sync_channel(1);
            writer.submit(f, move |result| {
                let _ = reply.send(result);
            })?;
            return answer.recv().map_err(|_| E::from(not_saved()))?;
        }
        let mut conn = self.conn()?;
        let conn: &mut DbConnection = &mut conn;
        conn.transaction(f)
    }

    /// [`Db::read_blocking`] on the blocking thread pool.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read_blocking(f))
            .await
            .map_err(|e| E::from(DbError::Task(e.to_string())))?
    }

    /// Runs `f` in one transaction without blocking the executor: on SQLite through
    /// the writer thread, on PostgreSQL on the blocking thread pool.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        if let Some(writer) = &self.sqlite_writer {
            let (reply, answer) = tokio::sync::oneshot::channel();
            writer.submit(f, move |result| {
                let _ = reply.send(result);
            })?;
            return answer.await.map_err(|_| E::from(not_saved()))?;
        }
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.write_blocking(f))
            .await
            .map_err(|e| E::from(DbError::Task(e.to_string())))?
    }
}

fn not_saved() -> DbError {
    DbError::Task("the write was not saved (internal error, logged)".into())
}

/// Runs `insert`; `Ok(false)` when it hit a unique constraint (a lost race, a taken
/// number). PostgreSQL aborts the whole transaction on a failed statement, so there the
/// insert runs in a savepoint; SQLite needs none, which saves two statements.
pub fn try_insert(
    conn: &mut DbConnection,
    insert: impl Fn(&mut DbConnection) -> diesel::QueryResult<usize>,
) -> diesel::QueryResult<bool> {
    let result = if matches!(conn, DbConnection::Pg(_)) {
        conn.transaction(|c| insert(c))
    } else {
        insert(conn)
    };
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether a diesel error is a unique-constraint violation (a lost race on insert).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Leases the rows whose ids `$due` selects to `$owner` until `$until`, and evaluates
/// to their ids. On PostgreSQL rows another instance is leasing are skipped, not waited
/// for (`FOR UPDATE SKIP LOCKED`); SQLite has one writer, so the lease is exclusive.
/// The table needs `lease_owner` and `lease_until` columns, and `id` unless the key
/// column is named.
macro_rules! lease_rows {
    ($conn:expr, $table:ident, $due:expr, $owner:expr, $until:expr) => {
        $crate::db::lease_rows!($conn, $table, id, $due, $owner, $until)
    };
    ($conn:expr, $table:ident, $key:ident, $due:expr, $owner:expr, $until:expr) => {{
        let ids: Vec<String> = match &mut *$conn {
            $crate::db::DbConnection::Pg(pg) => $due.for_update().skip_locked().load(pg)?,
            $crate::db::DbConnection::Sqlite(sqlite) => $due.load(sqlite)?,
        };
        if !ids.is_empty() {
            diesel::update($table::table.filter($table::$key.eq_any(&ids)))
                .set((
                    $table::lease_owner.eq($owner),
                    $table::lease_until.eq($crate::db::naive($until)),
                ))
                .execute($conn)?;
        }
        ids
    }};
}
pub(crate) use lease_rows;

/// Extends `owner`'s lease on those of `ids` it still holds to `until` (rows it has
/// finished carry no owner any more): a live worker keeps its work however long a
/// slow carrier or relay takes, while a crashed one's runs out after one short lease.
macro_rules! renew_rows {
    ($conn:expr, $table:ident, $owner:expr, $ids:expr, $until:expr) => {
        $crate::db::renew_rows!($conn, $table, id, $owner, $ids, $until)
    };
    ($conn:expr, $table:ident, $key:ident, $owner:expr, $ids:expr, $until:expr) => {
        diesel::update(
            $table::table
                .filter($table::$key.eq_any($ids))
                .filter($table::lease_owner.eq($owner)),
        )
        .set($table::lease_until.eq($crate::db::naive($until)))
        .execute($conn)
    };
}
pub(crate) use renew_rows;

/// Where a page of a list starts: the row listed last on the page before, by the
/// time the list is ordered by and then its id (ties on time are common: one
/// transaction writes several rows with one clock reading).
#[derive(Debug, Clone)]
pub struct PageStart {
    pub at: chrono::NaiveDateTime,
    pub id: String,
}

/// Narrows boxed `$query`, ordered by (`$at`, `$id`) descending, to the rows after
/// `$start` (a [`PageStart`]): a keyset page, as fast on the millionth row as on the
/// first, and stable while rows are added.
macro_rules! older_than {
    ($query:expr, $at:expr, $id:expr, $start:expr) => {{
        let start: &$crate::db::PageStart = $start;
        // The first bound alone is a range the index answers; the second breaks ties.
        $query.filter($at.le(start.at)).filter(
            $at.lt(start.at)
                .or($at.eq(start.at).and($id.lt(start.id.clone()))),
        )
    }};
}
pub(crate) use older_than;

/// The same for a list ordered ascending: the rows after `$start`.
macro_rules! newer_than {
    ($query:expr, $at:expr, $id:expr, $start:expr) => {{
        let start: &$crate::db::PageStart = $start;
        $query.filter($at.ge(start.at)).filter(
            $at.gt(start.at)
                .or($at.eq(start.at).and($id.gt(start.id.clone()))),
        )
    }};
}
pub(crate) use newer_than;

/// Frees the leases whose owner starts with `$prefix` (a worker of this instance
/// before it restarted; no live worker has that name): the work is due again at once
/// instead of after its lease. Evaluates to how many.
macro_rules! release_rows {
    ($conn:expr, $table:ident, $prefix:expr) => {
        diesel::update($table::table.filter($table::lease_owner.like(format!("{}%", $prefix))))
            .set((
                $table::lease_owner.eq(None::<String>),
                $table::lease_until.eq(None::<chrono::NaiveDateTime>),
            ))
            .execute($conn)
    };
}
pub(crate) use release_rows;

/// Database time: naive UTC, as both backends store it.
pub fn naive(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    t.naive_utc()
}

pub fn utc(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://var/backhaul.db").ok(),
            Some(DatabaseUrl::Sqlite("var/backhaul.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").ok(),
            Some(DatabaseUrl::Sqlite("/tmp/x.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@localhost/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }
}
