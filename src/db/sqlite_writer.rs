//! The SQLite writer: one thread owns the one connection that writes.
//!
//! SQLite takes one writer at a time, so writers queue anyway; here they queue on a
//! channel instead of a lock. The thread runs whatever has queued up as one batch: each
//! job in its own savepoint (a failing job rolls back alone), then one COMMIT for the
//! batch. Callers hear back only after that commit, so nobody is told "saved" for work
//! that is not. Under load this turns N commits and N thread hand-offs into one
//! ("group commit"); when idle a batch is a single job and nothing waits.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::{Connection, QueryResult};

use super::{DbConnection, DbError};

/// What a job leaves behind: a reply to send once the batch's fate is known.
type Delivery = Box<dyn FnOnce(Result<(), DbError>) + Send>;
type Job = Box<dyn FnOnce(&mut DbConnection) -> Delivery + Send>;

/// Most jobs in one transaction; bounds how long one COMMIT keeps callers waiting.
const MAX_BATCH: usize = 128;

pub struct SqliteWriter {
    jobs: mpsc::Sender<Job>,
}

impl SqliteWriter {
    /// Starts the writer thread. `open` makes the connection, and a fresh one should a
    /// job panic mid-transaction.
    pub fn start<O>(open: O) -> Result<SqliteWriter, DbError>
    where
        O: Fn() -> Result<DbConnection, DbError> + Send + 'static,
    {
        let conn = open()?;
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, queue, open))
            .map_err(|e| DbError::Task(format!("cannot start the SQLite writer: {e}")))?;
        Ok(SqliteWriter { jobs })
    }

    /// Queues `f` to run in a transaction of its own (a savepoint in the batch);
    /// `reply` receives its result after the batch commits or fails.
    pub fn submit<T, E, F, R>(&self, f: F, reply: R) -> Result<(), DbError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        R: FnOnce(Result<T, E>) + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        let job: Job = Box::new(move |conn: &mut DbConnection| -> Delivery {
            let result = conn.transaction(f);
            Box::new(move |batch: Result<(), DbError>| {
                reply(match (result, batch) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Ok(_), Err(e)) => Err(E::from(e)),
                    (Err(e), _) => Err(e),
                })
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| DbError::Task("the SQLite writer has stopped".into()))
    }
}

fn run<O>(mut conn: DbConnection, queue: mpsc::Receiver<Job>, open: O)
where
    O: Fn() -> Result<DbConnection, DbError>,
{
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut deliveries: Vec<Delivery> = Vec::with_capacity(batch.len());
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            immediate_transaction(&mut conn, |c| {
                for job in batch {
                    deliveries.push(job(c));
                }
                Ok(())
            })
        }));
        let batch_result = match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                // The lock not had within the busy timeout, or the COMMIT refused: no
                // job of the batch is saved (a job that never ran drops its reply).
                tracing::error!(error = %e, "a batch of database writes failed");
                if <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(
                    &mut conn,
                ) {
                    conn = reopen(&open);
                }
                Err(DbError::Query(e))
            }
            Err(_) => {
                // A job panicked inside the transaction. Dropping the connection rolls
                // the whole batch back; callers whose job never finished see their
                // reply channel close. Then carry on with a fresh connection.
                tracing::error!("a database write panicked; its batch was rolled back");
                conn = reopen(&open);
                Err(DbError::Task(
                    "the write was rolled back after an internal error".into(),
                ))
            }
        };
        for deliver in deliveries {
            deliver(
                batch_result
                    .as_ref()
                    .map(|_| ())
                    .map_err(|e| DbError::Task(e.to_string())),
            );
        }
    }
}

/// Runs `f` in a transaction that takes the write lock when it begins (`BEGIN
/// IMMEDIATE`), waiting for it under the busy timeout. A plain `BEGIN` takes it at the
/// first write, after the batch's first job has read, and SQLite does not wait there
/// for a lock held at that moment: it answers "database is locked" at once and every
/// job of the batch fails (a few 500s in most runs of the load tool's `mixed`).
fn immediate_transaction(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> QueryResult<()>,
) -> QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        DbConnection::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(()) => <DbConnection as Connection>::TransactionManager::commit_transaction(conn),
        Err(e) => {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

fn reopen<O>(open: &O) -> DbConnection
where
    O: Fn() -> Result<DbConnection, DbError>,
{
    loop {
        match open() {
            Ok(conn) => return conn,
            Err(e) => {
                tracing::error!(error = %e, "cannot reopen the SQLite writer; retrying");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use diesel::connection::SimpleConnection;
    use diesel::RunQueryDsl;

    fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().expect("dir");
        let db = Db::connect(&format!("sqlite://{}/w.db", dir.path().display()), 2).expect("open");
        db.write_blocking(|c| {
            c.batch_execute("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)")
                .map_err(DbError::from)
        })
        .expect("table");
        (dir, db)
    }

    fn values(db: &Db) -> Vec<i64> {
        #[derive(diesel::QueryableByName)]
        struct V {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            v: i64,
        }
        db.read_blocking(|c| {
            diesel::sql_query("SELECT v FROM t ORDER BY v")
                .load::<V>(c)
                .map_err(DbError::from)
        })
        .expect("read")
        .into_iter()
        .map(|r| r.v)
        .collect()
    }

    fn insert(v: i64) -> impl FnOnce(&mut DbConnection) -> Result<(), DbError> + Send + 'static {
        move |c| {
            diesel::sql_query(format!("INSERT INTO t (v) VALUES ({v})")).execute(c)?;
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_failing_write_rolls_back_alone_in_its_batch() {
        let (_dir, db) = db();
        // 1 twice: the second violates UNIQUE; 2..=40 share batches with it.
        let writes = (1..=40).chain([1]).map(|v| db.write(insert(v)));
        let results = futures_util::future::join_all(writes).await;
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
        assert_eq!(values(&db), (1..=40).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_panicking_write_loses_nothing_else_and_the_writer_goes_on() {
        let (_dir, db) = db();
        db.write(insert(1)).await.expect("first write");
        let panicked = db
            .write(|c: &mut DbConnection| -> Result<(), DbError> {
                insert(2)(c)?;
                panic!("a bug in a handler");
            })
            .await;
        assert!(panicked.is_err());
        db.write(insert(3)).await.expect("the writer still works");
        assert_eq!(
            values(&db),
            vec![1, 3],
            "the panicking write left nothing behind"
        );
    }
}
