//! The look-up's per-minute limit counted in the database, so that every instance on
//! one PostgreSQL counts the same client address together: one row per key holding
//! when its next request is due, moved on by one atomic statement per request (no
//! lock held between statements). Keys are stored as SHA-256 hashes.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::schema::request_rates;
use super::throttles::key_hash;
use super::DbConnection;
use crate::domain::request_rate::Pace;

#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = BigInt)]
    next_at_ms: i64,
}

/// Counts a request for `key` at `now_ms` against `per_minute`, by the rule of
/// [`crate::domain::request_rate::admit`] written as one upsert: `Err` with the
/// seconds to wait when it is over. PostgreSQL only (SQLite runs one instance, which
/// counts in memory).
pub fn hit(
    conn: &mut DbConnection,
    key: &str,
    per_minute: u32,
    now_ms: i64,
) -> QueryResult<Result<(), u64>> {
    let DbConnection::Pg(pg) = conn else {
        return Err(diesel::result::Error::QueryBuilderError(
            "request rates are counted in the database on PostgreSQL only".into(),
        ));
    };
    let pace = Pace::of(per_minute);
    let hash = key_hash(key);
    // The row moves on only when the request is admitted: a refused one changes nothing.
    // A count lost in a crash costs nothing, so the commit does not wait for the disk
    // (an fsync per look-up was most of the look-up's time).
    let admitted: Option<i64> = pg.transaction(|pg| {
        diesel::sql_query("SET LOCAL synchronous_commit TO OFF").execute(pg)?;
        diesel::sql_query(
            "INSERT INTO request_rates AS r (key_hash, next_at_ms) VALUES ($1, $2 + $3) \
             ON CONFLICT (key_hash) DO UPDATE SET next_at_ms = GREATEST(r.next_at_ms, $2) + $3 \
             WHERE GREATEST(r.next_at_ms, $2) - $2 <= $4 \
             RETURNING next_at_ms",
        )
        .bind::<Text, _>(&hash)
        .bind::<BigInt, _>(now_ms)
        .bind::<BigInt, _>(pace.interval_ms)
        .bind::<BigInt, _>(pace.burst_ms)
        .get_result::<Due>(pg)
        .optional()
        .map(|due| due.map(|d| d.next_at_ms))
    })?;
    if admitted.is_some() {
        return Ok(Ok(()));
    }
    let due: i64 = request_rates::table
        .find(&hash)
        .select(request_rates::next_at_ms)
        .get_result(pg)
        .optional()?
        .unwrap_or(now_ms);
    Ok(Err(pace.wait_seconds(due, now_ms)))
}

/// Deletes keys whose next request is due by `now_ms` (a key due is as good as a key
/// not seen); how many.
pub fn sweep(conn: &mut DbConnection, now_ms: i64) -> QueryResult<usize> {
    diesel::delete(request_rates::table.filter(request_rates::next_at_ms.le(now_ms))).execute(conn)
}
