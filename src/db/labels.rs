//! Return labels and their documents (PDF, ZPL) as the carrier delivered them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{label_documents, return_labels};
use super::{naive, DbConnection};
use crate::domain::RmaStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = return_labels)]
pub struct LabelRow {
    pub rma_id: String,
    pub carrier: String,
    pub tracking_number: String,
    pub carrier_reference: String,
    pub service: String,
    /// The cost in the order's currency.
    pub cost_minor: i64,
    pub currency: String,
    /// What the carrier billed, in its currency.
    pub carrier_cost_minor: i64,
    pub carrier_currency: String,
    pub created_at: chrono::NaiveDateTime,
    pub expires_at: chrono::NaiveDateTime,
    pub voided_at: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = label_documents)]
pub struct DocumentRow {
    pub rma_id: String,
    pub format: String,
    pub content: Vec<u8>,
}

pub fn find(conn: &mut DbConnection, rma_id: &str) -> QueryResult<Option<LabelRow>> {
    return_labels::table
        .find(rma_id)
        .select(LabelRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConnection,
    label: &LabelRow,
    documents: &[DocumentRow],
) -> QueryResult<()> {
    diesel::insert_into(return_labels::table)
        .values(label)
        .execute(conn)?;
    for document in documents {
        diesel::insert_into(label_documents::table)
            .values(document)
            .execute(conn)?;
    }
    Ok(())
}

pub fn document(
    conn: &mut DbConnection,
    rma_id: &str,
    format: &str,
) -> QueryResult<Option<Vec<u8>>> {
    label_documents::table
        .find((rma_id, format))
        .select(label_documents::content)
        .get_result(conn)
        .optional()
}

pub fn formats(conn: &mut DbConnection, rma_id: &str) -> QueryResult<Vec<String>> {
    label_documents::table
        .filter(label_documents::rma_id.eq(rma_id))
        .select(label_documents::format)
        .order(label_documents::format)
        .load(conn)
}

/// Marks the RMA's label voided; its parcel stops being tracked.
pub fn mark_voided(conn: &mut DbConnection, rma_id: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(return_labels::table.find(rma_id))
        .set(return_labels::voided_at.eq(naive(now)))
        .execute(conn)?;
    super::parcels::cancel(conn, rma_id, now)
}

/// Leases to `owner` until `until` up to `limit` labels of RMAs still waiting for their
/// parcel whose validity ended at or before `now` and that no other sweep holds: each
/// with its RMA number, the longest expired first.
pub fn claim_expired(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    owner: &str,
    until: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<(String, LabelRow)>> {
    use super::schema::rmas;
    let due = return_labels::table
        .inner_join(rmas::table)
        .filter(rmas::status.eq(RmaStatus::LabelIssued))
        .filter(return_labels::voided_at.is_null())
        .filter(return_labels::expires_at.le(naive(now)))
        .filter(
            return_labels::lease_until
                .is_null()
                .or(return_labels::lease_until.lt(naive(now))),
        )
        .select(return_labels::rma_id)
        .order(return_labels::expires_at)
        .limit(limit);
    let ids = super::lease_rows!(conn, return_labels, rma_id, due, owner, until);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    return_labels::table
        .inner_join(rmas::table)
        .filter(return_labels::rma_id.eq_any(&ids))
        .select((rmas::number, LabelRow::as_select()))
        .order(return_labels::expires_at)
        .load(conn)
}

/// Keeps the labels of `rma_ids` that `owner` is still voiding leased until `until`.
pub fn extend_lease(
    conn: &mut DbConnection,
    owner: &str,
    rma_ids: &[String],
    until: DateTime<Utc>,
) -> QueryResult<usize> {
    super::renew_rows!(conn, return_labels, rma_id, owner, rma_ids, until)
}
