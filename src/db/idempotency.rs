//! Stored responses for `Idempotency-Key`, keyed by (caller, key). They are written in
//! the same transaction as the work they describe, so a replay never sees work without
//! its response or a response without its work.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::{naive, DbConnection};

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
        .first(conn)
        .optional()
}

pub fn save(
    conn: &mut DbConnection,
    principal: &str,
    key: &str,
    request_hash: &str,
    status_code: u16,
    body: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(StoredResponse {
            principal: principal.to_string(),
            idempotency_key: key.to_string(),
            request_hash: request_hash.to_string(),
            status_code: i32::from(status_code),
            response_body: body.to_string(),
            created_at: naive(now),
        })
        .execute(conn)
        .map(|_| ())
}
