//! Failed guesses per key (see `domain::throttle`), in the database so that every
//! instance sharing it sees the same counts. Keys are stored as SHA-256 hashes.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::throttles;
use super::{naive, try_insert, utc, DbConnection};
use crate::domain::throttle::{Failures, ThrottleRule};

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

/// What is stored for each of `keys` (hashed on the way in), in no particular order.
pub fn load(conn: &mut DbConnection, keys: &[&str]) -> QueryResult<Vec<(String, Failures)>> {
    let hashes: Vec<String> = keys.iter().map(|k| key_hash(k)).collect();
    let rows: Vec<Row> = throttles::table
        .filter(throttles::key_hash.eq_any(&hashes))
        .select((
            throttles::key_hash,
            throttles::failures,
            throttles::last_failure_at,
            throttles::blocked_until,
        ))
        .load(conn)?;
    Ok(rows.iter().map(|r| (r.0.clone(), failures(r))).collect())
}

/// Counts one failure for `key` under `rule`. Runs inside the caller's write
/// transaction; on PostgreSQL the row is locked so two instances cannot both count
/// from the same number.
pub fn record_failure(
    conn: &mut DbConnection,
    key: &str,
    rule: &ThrottleRule,
    now: DateTime<Utc>,
) -> QueryResult<Failures> {
    let hash = key_hash(key);
    for _ in 0..3 {
        let query = throttles::table.find(&hash).select((
            throttles::key_hash,
            throttles::failures,
            throttles::last_failure_at,
            throttles::blocked_until,
        ));
        let stored: Option<Row> = match conn {
            DbConnection::Pg(pg) => query.for_update().get_result(pg).optional()?,
            DbConnection::Sqlite(sqlite) => query.get_result(sqlite).optional()?,
        };
        let next = rule.after_failure(now, stored.as_ref().map(failures).as_ref());
        let values = (
            throttles::failures.eq(i32::try_from(next.count).unwrap_or(i32::MAX)),
            throttles::last_failure_at.eq(naive(next.last_at)),
            throttles::blocked_until.eq(next.blocked_until.map(naive)),
        );
        if stored.is_some() {
            diesel::update(throttles::table.find(&hash))
                .set(values)
                .execute(conn)?;
            return Ok(next);
        }
        let inserted = try_insert(conn, |c| {
            diesel::insert_into(throttles::table)
                .values((throttles::key_hash.eq(&hash), values))
                .execute(c)
        })?;
        if inserted {
            return Ok(next);
        }
        // Another instance counted the first failure at the same moment: count on top.
    }
    Err(diesel::result::Error::RollbackTransaction)
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
    diesel::delete(
        throttles::table
            .filter(throttles::last_failure_at.lt(naive(before)))
            .filter(
                throttles::blocked_until
                    .is_null()
                    .or(throttles::blocked_until.lt(naive(now))),
            ),
    )
    .execute(conn)
}
