//! The look-up's per-minute limit counted in the database, so that every instance on
//! one PostgreSQL counts the same client address together: one row per key, locked
//! while a request is counted. Keys are stored as SHA-256 hashes.

use diesel::prelude::*;

use super::schema::request_rates;
use super::throttles::key_hash;
use super::{try_insert, DbConnection};
use crate::domain::request_rate;

/// Counts a request for `key` at `now_ms` against `per_minute` (see
/// [`request_rate::admit`]): `Err` with the seconds to wait when it is over. Run in a
/// transaction; on PostgreSQL the key's row is locked until it ends, so two instances
/// cannot both count from the same due time.
pub fn hit(
    conn: &mut DbConnection,
    key: &str,
    per_minute: u32,
    now_ms: i64,
) -> QueryResult<Result<(), u64>> {
    let hash = key_hash(key);
    // A row must exist to be locked; one due now counts as a key not seen.
    try_insert(conn, |c| {
        diesel::insert_into(request_rates::table)
            .values((
                request_rates::key_hash.eq(&hash),
                request_rates::next_at_ms.eq(now_ms),
            ))
            .execute(c)
    })?;
    let query = request_rates::table
        .find(&hash)
        .select(request_rates::next_at_ms);
    let due: Option<i64> = match conn {
        DbConnection::Pg(pg) => query.for_update().get_result(pg).optional()?,
        DbConnection::Sqlite(sqlite) => query.get_result(sqlite).optional()?,
    };
    match request_rate::admit(due, per_minute, now_ms) {
        Ok(next) => {
            diesel::update(request_rates::table.find(&hash))
                .set(request_rates::next_at_ms.eq(next))
                .execute(conn)?;
            Ok(Ok(()))
        }
        Err(wait) => Ok(Err(wait)),
    }
}

/// Deletes keys whose next request is due by `now_ms` (a key due is as good as a key
/// not seen); how many.
pub fn sweep(conn: &mut DbConnection, now_ms: i64) -> QueryResult<usize> {
    diesel::delete(request_rates::table.filter(request_rates::next_at_ms.le(now_ms))).execute(conn)
}
