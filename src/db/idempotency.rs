//! Stored responses for `Idempotency-Key`, keyed by (caller, key). They are written in
//! the same transaction as the work they describe, so a replay never sees work without
//! its response or a response without its work.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::{naive, try_insert, DbConnection};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct StoredResponse {
    pub principal: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub status_code: i32,
    pub response_body: String,
    pub created_at: chrono::NaiveDateTime,
}

pub fn find(
    conn: &mut DbConnection,
    principal: &str,
    key: &str,
) -> QueryResult<Option<StoredResponse>> {
    idempotency_keys::table
        .find((principal, key))
        .select(StoredResponse::as_select())
        .get_result(conn)
        .optional()
}

/// Claims (caller, key) for a request with `request_hash`; `false` when the key was
/// already claimed.
pub fn claim(
    conn: &mut DbConnection,
    principal: &str,
    key: &str,
    request_hash: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let row = StoredResponse {
        principal: principal.to_string(),
        idempotency_key: key.to_string(),
        request_hash: request_hash.to_string(),
        status_code: 0,
        response_body: String::new(),
        created_at: naive(now),
    };
    match conn {
        // A key already stored inserts nothing, without failing the statement (which
        // would need a savepoint around it: two more round trips for every write);
        // one another transaction is inserting waits for it, as a unique index does.
        DbConnection::Pg(pg) => Ok(diesel::insert_into(idempotency_keys::table)
            .values(&row)
            .on_conflict_do_nothing()
            .execute(pg)?
            == 1),
        DbConnection::Sqlite(_) => try_insert(conn, |c| {
            diesel::insert_into(idempotency_keys::table)
                .values(&row)
                .execute(c)
        }),
    }
}

/// Stores the response of the claimed request, in the same transaction as its work.
pub fn complete(
    conn: &mut DbConnection,
    principal: &str,
    key: &str,
    status_code: u16,
    body: &str,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((principal, key)))
        .set((
            idempotency_keys::status_code.eq(i32::from(status_code)),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)
        .map(|_| ())
}
