//! Failed guesses per key (see `domain::throttle`), in the database so that every
//! instance sharing it sees the same counts. Keys are stored as SHA-256 hashes.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::throttles;
use super::{naive, try_insert, utc, DbConnection};
use crate::domain::throttle::Failures;

/// The stored form of a key: no username, address or order number in the table.
pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

type Row = (
    String,
    i32,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
);

fn failures(row: &Row) -> Failures {
    Failures {
        count: u32::try_from(row.1).unwrap_or(0),
        last_at: utc(row.2),
        blocked_until: row.3.map(utc),
    }
}

/// What is stored for `key`, locked until the transaction ends on PostgreSQL (SQLite
/// has one writer), so two instances cannot both count from the same number.
pub fn lock(conn: &mut DbConnection, key: &str) -> QueryResult<Option<Failures>> {
    let hash = key_hash(key);
    if matches!(conn, DbConnection::Pg(_)) {
        // A row must exist to be locked: two first failures at once would otherwise
        // both count from nothing. A zero row counts nothing and is swept like others.
        try_insert(conn, |c| {
            diesel::insert_into(throttles::table)
                .values((
                    throttles::key_hash.eq(&hash),
                    throttles::failures.eq(0),
                    throttles::last_failure_at.eq(naive(Utc::now())),
                ))
                .execute(c)
        })?;
    }
    let query = throttles::table.find(hash).select((
        throttles::key_hash,
        throttles::failures,
        throttles::last_failure_at,
        throttles::blocked_until,
    ));
    let row: Option<Row> = match conn {
        DbConnection::Pg(pg) => query.for_update().get_result(pg).optional()?,
        DbConnection::Sqlite(sqlite) => query.get_result(sqlite).optional()?,
    };
    Ok(row.as_ref().map(failures))
}

/// Stores `next` for `key`, in the caller's write transaction.
pub fn store(conn: &mut DbConnection, key: &str, next: &Failures) -> QueryResult<()> {
    let hash = key_hash(key);
    let values = (
        throttles::failures.eq(i32::try_from(next.count).unwrap_or(i32::MAX)),
        throttles::last_failure_at.eq(naive(next.last_at)),
        throttles::blocked_until.eq(next.blocked_until.map(naive)),
    );
    let updated = diesel::update(throttles::table.find(&hash))
        .set(values)
        .execute(conn)?;
    if updated == 0 {
        let inserted = try_insert(conn, |c| {
            diesel::insert_into(throttles::table)
                .values((throttles::key_hash.eq(&hash), values))
                .execute(c)
        })?;
        if !inserted {
            // Another instance stored the key's first failure a moment ago.
            diesel::update(throttles::table.find(&hash))
                .set(values)
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Forgets `key`'s failures (after a success).
pub fn forget(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(throttles::table.find(key_hash(key))).execute(conn)?;
    Ok(())
}

/// Deletes keys quiet since `before` and no longer blocked; returns how many.
pub fn sweep(
    conn: &mut DbConnection,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let quiet = throttles::table
        .filter(throttles::last_failure_at.lt(naive(before)))
        .filter(
            throttles::blocked_until
                .is_null()
                .or(throttles::blocked_until.lt(naive(now))),
        )
        .select(throttles::key_hash)
        .limit(10_000);
    // Rows an attempt holds right now are left for the next sweep, never waited for
    // (waiting could deadlock with an attempt holding several keys).
    let keys: Vec<String> = match conn {
        DbConnection::Pg(pg) => quiet.for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(sqlite) => quiet.load(sqlite)?,
    };
    diesel::delete(throttles::table.filter(throttles::key_hash.eq_any(&keys))).execute(conn)
}
