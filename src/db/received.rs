//! Boxes scanned at a warehouse bench.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{incidents, parcels, received_parcels, rmas};
use super::{naive, older_than, DbConnection, PageStart};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = received_parcels)]
pub struct ReceivedRow {
    pub id: String,
    pub barcode: String,
    pub scanned: String,
    pub tracking_carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub station: String,
    pub warehouse: Option<String>,
    pub rma_id: Option<String>,
    pub received_at: chrono::NaiveDateTime,
    pub received_by: String,
    pub linked_at: Option<chrono::NaiveDateTime>,
    pub linked_by: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &ReceivedRow) -> QueryResult<()> {
    diesel::insert_into(received_parcels::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ReceivedRow>> {
    received_parcels::table
        .find(id)
        .select(ReceivedRow::as_select())
        .get_result(conn)
        .optional()
}

/// The box already received for this RMA, if any.
pub fn for_rma(conn: &mut DbConnection, rma_id: &str) -> QueryResult<Option<ReceivedRow>> {
    received_parcels::table
        .filter(received_parcels::rma_id.eq(rma_id))
        .order(received_parcels::received_at)
        .select(ReceivedRow::as_select())
        .first(conn)
        .optional()
}

/// An unmatched box already stored for the same scan (a double scan at the bench).
pub fn unmatched_by_scan(
    conn: &mut DbConnection,
    scanned: &str,
) -> QueryResult<Option<ReceivedRow>> {
    received_parcels::table
        .filter(received_parcels::scanned.eq(scanned))
        .filter(received_parcels::rma_id.is_null())
        .select(ReceivedRow::as_select())
        .first(conn)
        .optional()
}

/// A page of boxes, newest first, each with the number of the RMA it is linked to,
/// after `after` when given; `unmatched` limits them to those not linked to an RMA.
pub fn list(
    conn: &mut DbConnection,
    unmatched: bool,
    after: Option<&PageStart>,
    limit: i64,
) -> QueryResult<Vec<(ReceivedRow, Option<String>)>> {
    let mut query = received_parcels::table
        .left_join(rmas::table.on(received_parcels::rma_id.eq(rmas::id.nullable())))
        .order((
            received_parcels::received_at.desc(),
            received_parcels::id.desc(),
        ))
        .select((ReceivedRow::as_select(), rmas::number.nullable()))
        .limit(limit)
        .into_boxed();
    if unmatched {
        query = query.filter(received_parcels::rma_id.is_null());
    }
    if let Some(after) = after {
        query = older_than!(
            query,
            received_parcels::received_at,
            received_parcels::id,
            after
        );
    }
    query.load(conn)
}

/// Links an unmatched box to an RMA; `false` if someone linked it first.
pub fn link(
    conn: &mut DbConnection,
    id: &str,
    rma_id: &str,
    by: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(
        received_parcels::table
            .find(id)
            .filter(received_parcels::rma_id.is_null()),
    )
    .set((
        received_parcels::rma_id.eq(rma_id),
        received_parcels::linked_at.eq(naive(now)),
        received_parcels::linked_by.eq(by),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Closes the RMA's open unscanned-return alerts: the box has been scanned.
pub fn close_unscanned_alerts(
    conn: &mut DbConnection,
    rma_id: &str,
    by: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let parcel_ids = parcels::table
        .filter(parcels::rma_id.eq(rma_id))
        .select(parcels::id);
    let open: Vec<String> = incidents::table
        .filter(incidents::parcel_id.eq_any(parcel_ids))
        .filter(incidents::kind.eq("unscanned_return"))
        .filter(incidents::resolved_at.is_null())
        .select(incidents::id)
        .load(conn)?;
    for id in &open {
        let resolution = super::parcels::IncidentResolution {
            resolved_at: naive(now),
            action: "received".into(),
            amount_minor: None,
            currency: None,
            claim_reference: None,
            replacement_shipment_id: None,
            refund_trigger_id: None,
            note: "scanned at the warehouse".into(),
            resolved_by: by.to_string(),
        };
        super::parcels::resolve_incident(conn, id, &resolution)?;
    }
    Ok(open.len())
}
