//! Tracked parcels, the carrier events seen for them, and the incidents opened on them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{
    incident_events, incidents, orders, parcels, rmas, shipments, tracking_events,
};
use super::{naive, older_than, try_insert, DbConnection, PageStart};
use crate::domain::RmaStatus;

pub const OUTBOUND: &str = "outbound";
pub const INBOUND: &str = "inbound";
/// Pushed by a carrier for a number we do not know: kept for operations, never polled.
pub const UNLINKED: &str = "unlinked";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = parcels)]
pub struct ParcelRow {
    pub id: String,
    pub direction: String,
    pub carrier: String,
    pub tracking_number: String,
    pub shipment_id: Option<String>,
    pub rma_id: Option<String>,
    pub status: String,
    pub exception: Option<String>,
    pub international: bool,
    pub destination_lat: Option<f64>,
    pub destination_lon: Option<f64>,
    pub shipped_at: chrono::NaiveDateTime,
    pub last_event_at: Option<chrono::NaiveDateTime>,
    pub estimated_delivery: Option<chrono::NaiveDateTime>,
    pub promised_delivery: Option<chrono::NaiveDateTime>,
    pub delivered_at: Option<chrono::NaiveDateTime>,
    pub next_poll_at: Option<chrono::NaiveDateTime>,
    pub last_polled_at: Option<chrono::NaiveDateTime>,
    pub polls: i64,
    pub failures: i32,
    pub lease_owner: Option<String>,
    pub lease_until: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// What changes on a parcel when the carrier has spoken (or failed to).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = parcels, treat_none_as_null = true)]
pub struct ParcelProgress {
    pub status: String,
    pub exception: Option<String>,
    pub last_event_at: Option<chrono::NaiveDateTime>,
    pub estimated_delivery: Option<chrono::NaiveDateTime>,
    pub promised_delivery: Option<chrono::NaiveDateTime>,
    pub delivered_at: Option<chrono::NaiveDateTime>,
    pub next_poll_at: Option<chrono::NaiveDateTime>,
    pub last_polled_at: Option<chrono::NaiveDateTime>,
    pub polls: i64,
    pub failures: i32,
    pub lease_owner: Option<String>,
    pub lease_until: Option<chrono::NaiveDateTime>,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tracking_events)]
pub struct EventRow {
    pub id: String,
    pub parcel_id: String,
    pub at: chrono::NaiveDateTime,
    pub raw_code: String,
    pub raw_time: String,
    pub description: String,
    pub status: String,
    pub exception: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub source: String,
    pub received_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = incidents)]
pub struct IncidentRow {
    pub id: String,
    pub parcel_id: String,
    pub kind: String,
    pub detail: String,
    pub opened_at: chrono::NaiveDateTime,
    pub resolved_at: Option<chrono::NaiveDateTime>,
    pub action: Option<String>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub claim_reference: Option<String>,
    pub replacement_shipment_id: Option<String>,
    pub refund_trigger_id: Option<String>,
    pub note: Option<String>,
    pub resolved_by: Option<String>,
}

/// A parcel to start tracking.
#[derive(Debug, Clone)]
pub struct NewParcel {
    pub direction: &'static str,
    pub carrier: String,
    pub tracking_number: String,
    pub shipment_id: Option<String>,
    pub rma_id: Option<String>,
    pub status: String,
    pub international: bool,
    pub destination: Option<(f64, f64)>,
    pub shipped_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// `None`: not polled (delivered already, or unlinked).
    pub next_poll_at: Option<DateTime<Utc>>,
}

/// Starts tracking a parcel; a parcel already tracked is left as it is.
pub fn register(conn: &mut DbConnection, new: NewParcel, now: DateTime<Utc>) -> QueryResult<()> {
    let row = ParcelRow {
        id: uuid::Uuid::now_v7().to_string(),
        direction: new.direction.to_string(),
        carrier: new.carrier,
        tracking_number: new.tracking_number,
        shipment_id: new.shipment_id,
        rma_id: new.rma_id,
        status: new.status,
        exception: None,
        international: new.international,
        destination_lat: new.destination.map(|d| d.0),
        destination_lon: new.destination.map(|d| d.1),
        shipped_at: naive(new.shipped_at),
        last_event_at: None,
        estimated_delivery: None,
        promised_delivery: None,
        delivered_at: new.delivered_at.map(naive),
        next_poll_at: new.next_poll_at.map(naive),
        last_polled_at: None,
        polls: 0,
        failures: 0,
        lease_owner: None,
        lease_until: None,
        created_at: naive(now),
        updated_at: naive(now),
    };
    try_insert(conn, |c| {
        diesel::insert_into(parcels::table).values(&row).execute(c)
    })
    .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ParcelRow>> {
    parcels::table
        .find(id)
        .select(ParcelRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn find_by_number(
    conn: &mut DbConnection,
    carrier: &str,
    tracking_number: &str,
) -> QueryResult<Option<ParcelRow>> {
    parcels::table
        .filter(parcels::carrier.eq(carrier))
        .filter(parcels::tracking_number.eq(tracking_number))
        .select(ParcelRow::as_select())
        .get_result(conn)
        .optional()
}

/// The return parcel with this tracking number, whatever its carrier.
pub fn inbound_by_tracking_number(
    conn: &mut DbConnection,
    tracking_number: &str,
) -> QueryResult<Option<ParcelRow>> {
    parcels::table
        .filter(parcels::tracking_number.eq(tracking_number))
        .filter(parcels::direction.eq(INBOUND))
        .order(parcels::created_at.desc())
        .select(ParcelRow::as_select())
        .first(conn)
        .optional()
}

pub fn for_rma(conn: &mut DbConnection, rma_id: &str) -> QueryResult<Vec<ParcelRow>> {
    parcels::table
        .filter(parcels::rma_id.eq(rma_id))
        .order(parcels::created_at)
        .select(ParcelRow::as_select())
        .load(conn)
}

pub fn events(conn: &mut DbConnection, parcel_id: &str) -> QueryResult<Vec<EventRow>> {
    tracking_events::table
        .filter(tracking_events::parcel_id.eq(parcel_id))
        .order((tracking_events::at, tracking_events::raw_code))
        .select(EventRow::as_select())
        .load(conn)
}

/// Stores an event unless the same (time, code) is already stored for the parcel.
pub fn add_event(conn: &mut DbConnection, event: &EventRow) -> QueryResult<bool> {
    try_insert(conn, |c| {
        diesel::insert_into(tracking_events::table)
            .values(event)
            .execute(c)
    })
}

pub fn save_progress(
    conn: &mut DbConnection,
    parcel_id: &str,
    progress: &ParcelProgress,
) -> QueryResult<()> {
    diesel::update(parcels::table.find(parcel_id))
        .set(progress)
        .execute(conn)
        .map(|_| ())
}

/// Frees the leases a worker named `prefix…` held before its instance restarted.
pub fn release_leases(conn: &mut DbConnection, prefix: &str) -> QueryResult<usize> {
    super::release_rows!(conn, parcels, prefix)
}

/// Keeps the parcels of `ids` that `owner` is still polling leased until `until`.
pub fn extend_lease(
    conn: &mut DbConnection,
    owner: &str,
    ids: &[String],
    until: DateTime<Utc>,
) -> QueryResult<usize> {
    super::renew_rows!(conn, parcels, owner, ids, until)
}

/// After a failed or skipped poll: the failure count, when to try again, lease released.
pub fn postpone(
    conn: &mut DbConnection,
    parcel_id: &str,
    failures: i32,
    next_poll_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(parcels::table.find(parcel_id))
        .set((
            parcels::failures.eq(failures),
            parcels::next_poll_at.eq(next_poll_at.map(naive)),
            parcels::lease_owner.eq(None::<String>),
            parcels::lease_until.eq(None::<chrono::NaiveDateTime>),
            parcels::updated_at.eq(naive(now)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Stops polling the RMA's return parcels: the box is at the bench.
pub fn stop_polling_for_rma(
    conn: &mut DbConnection,
    rma_id: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(parcels::table.filter(parcels::rma_id.eq(rma_id)))
        .set((
            parcels::next_poll_at.eq(None::<chrono::NaiveDateTime>),
            parcels::updated_at.eq(naive(now)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Stops tracking (a voided label's parcel will never move).
pub fn cancel(conn: &mut DbConnection, rma_id: &str, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(
        parcels::table
            .filter(parcels::rma_id.eq(rma_id))
            .filter(parcels::status.eq_any(["pre_transit", "unknown"])),
    )
    .set((
        parcels::status.eq("cancelled"),
        parcels::next_poll_at.eq(None::<chrono::NaiveDateTime>),
        parcels::updated_at.eq(naive(now)),
    ))
    .execute(conn)
    .map(|_| ())
}

/// Leases up to `limit` parcels due at `now` to `owner` until `until`, soonest due
/// first. On PostgreSQL rows another instance is claiming are skipped, not waited for
/// (`FOR UPDATE SKIP LOCKED`); SQLite has one writer, so the claim is already exclusive.
pub fn claim_due(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    owner: &str,
    until: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<ParcelRow>> {
    let due = parcels::table
        .filter(parcels::next_poll_at.le(naive(now)))
        .filter(
            parcels::lease_until
                .is_null()
                .or(parcels::lease_until.lt(naive(now))),
        )
        .order(parcels::next_poll_at)
        .limit(limit)
        .select(parcels::id);
    let ids = super::lease_rows!(conn, parcels, due, owner, until);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    parcels::table
        .filter(parcels::id.eq_any(&ids))
        .order(parcels::next_poll_at)
        .select(ParcelRow::as_select())
        .load(conn)
}

/// Returns delivered to the warehouse whose RMA still waits for its bench scan, and
/// that have no unscanned-return incident yet.
pub fn delivered_returns_awaiting_scan(
    conn: &mut DbConnection,
    delivered_before: DateTime<Utc>,
) -> QueryResult<Vec<ParcelRow>> {
    let flagged = incidents::table
        .filter(incidents::kind.eq("unscanned_return"))
        .select(incidents::parcel_id);
    parcels::table
        .inner_join(rmas::table)
        .filter(parcels::direction.eq(INBOUND))
        .filter(parcels::delivered_at.le(naive(delivered_before)))
        .filter(rmas::status.eq(RmaStatus::DeliveredToWarehouse))
        .filter(parcels::id.ne_all(flagged))
        .select(ParcelRow::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = incident_events)]
pub struct IncidentEventRow {
    pub id: String,
    pub incident_id: String,
    pub at: chrono::NaiveDateTime,
    pub actor: String,
    pub event: String,
    pub note: Option<String>,
}

/// Writes one entry of an incident's audit trail.
pub fn record_incident_event(
    conn: &mut DbConnection,
    incident_id: &str,
    actor: &str,
    event: &str,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(incident_events::table)
        .values(&IncidentEventRow {
            id: uuid::Uuid::now_v7().to_string(),
            incident_id: incident_id.to_string(),
            at: naive(at),
            actor: actor.to_string(),
            event: event.to_string(),
            note: note.map(str::to_string),
        })
        .execute(conn)
        .map(|_| ())
}

pub fn incident_events(
    conn: &mut DbConnection,
    incident_id: &str,
) -> QueryResult<Vec<IncidentEventRow>> {
    incident_events::table
        .filter(incident_events::incident_id.eq(incident_id))
        .order(incident_events::at)
        .select(IncidentEventRow::as_select())
        .load(conn)
}

/// The parcel's open incident, if it has one.
pub fn open_incident_of(
    conn: &mut DbConnection,
    parcel_id: &str,
) -> QueryResult<Option<IncidentRow>> {
    incidents::table
        .filter(incidents::parcel_id.eq(parcel_id))
        .filter(incidents::resolved_at.is_null())
        .order(incidents::opened_at.desc())
        .select(IncidentRow::as_select())
        .first(conn)
        .optional()
}

/// Closes open incident `id` as taken over by a graver one (`note` says which), with
/// an audit entry; `false` if it was closed meanwhile.
pub fn supersede_incident(
    conn: &mut DbConnection,
    id: &str,
    note: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let closed = diesel::update(
        incidents::table
            .find(id)
            .filter(incidents::resolved_at.is_null()),
    )
    .set((
        incidents::resolved_at.eq(naive(now)),
        incidents::resolved_by.eq("system:tracking"),
        incidents::note.eq(note),
    ))
    .execute(conn)?;
    if closed == 1 {
        record_incident_event(conn, id, "system:tracking", "superseded", Some(note), now)?;
    }
    Ok(closed == 1)
}

/// Opens an incident unless the parcel already has one of that kind; `true` if opened,
/// with its first audit entry.
pub fn open_incident(conn: &mut DbConnection, incident: &IncidentRow) -> QueryResult<bool> {
    let opened = try_insert(conn, |c| {
        diesel::insert_into(incidents::table)
            .values(incident)
            .execute(c)
    })?;
    if opened {
        record_incident_event(
            conn,
            &incident.id,
            "system:tracking",
            "opened",
            Some(&incident.detail),
            crate::db::utc(incident.opened_at),
        )?;
    }
    Ok(opened)
}

/// Records how an incident was settled.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = incidents)]
pub struct IncidentResolution {
    pub resolved_at: chrono::NaiveDateTime,
    pub action: String,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub claim_reference: Option<String>,
    pub replacement_shipment_id: Option<String>,
    pub refund_trigger_id: Option<String>,
    pub note: String,
    pub resolved_by: String,
}

/// Resolves an open incident; `false` if someone resolved it first.
pub fn resolve_incident(
    conn: &mut DbConnection,
    id: &str,
    resolution: &IncidentResolution,
) -> QueryResult<bool> {
    let updated = diesel::update(
        incidents::table
            .find(id)
            .filter(incidents::resolved_at.is_null()),
    )
    .set(resolution)
    .execute(conn)?;
    if updated == 1 {
        record_incident_event(
            conn,
            id,
            &resolution.resolved_by,
            &format!("resolved:{}", resolution.action),
            Some(&resolution.note),
            crate::db::utc(resolution.resolved_at),
        )?;
    }
    Ok(updated == 1)
}

/// The order number (outbound) or RMA number (inbound) each parcel belongs to.
pub fn owner_numbers(
    conn: &mut DbConnection,
    parcels: &[&ParcelRow],
) -> QueryResult<std::collections::HashMap<String, String>> {
    let shipment_ids: Vec<&String> = parcels
        .iter()
        .filter_map(|p| p.shipment_id.as_ref())
        .collect();
    let rma_ids: Vec<&String> = parcels.iter().filter_map(|p| p.rma_id.as_ref()).collect();
    let by_shipment: std::collections::HashMap<String, String> = shipments::table
        .inner_join(orders::table)
        .filter(shipments::id.eq_any(shipment_ids))
        .select((shipments::id, orders::order_number))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let by_rma: std::collections::HashMap<String, String> = rmas::table
        .filter(rmas::id.eq_any(rma_ids))
        .select((rmas::id, rmas::number))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(parcels
        .iter()
        .filter_map(|p| {
            let owner = p
                .shipment_id
                .as_ref()
                .and_then(|s| by_shipment.get(s))
                .or_else(|| p.rma_id.as_ref().and_then(|r| by_rma.get(r)))?;
            Some((p.id.clone(), owner.clone()))
        })
        .collect())
}

pub fn incident(conn: &mut DbConnection, id: &str) -> QueryResult<Option<IncidentRow>> {
    incidents::table
        .find(id)
        .select(IncidentRow::as_select())
        .get_result(conn)
        .optional()
}

/// Which incidents a list shows.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    /// `true`: unresolved only; `false`: resolved only.
    pub open: Option<bool>,
    pub kind: Option<String>,
}

/// A page of the incidents `filter` names with their parcels, newest first, after
/// `after` when given.
pub fn list_incidents(
    conn: &mut DbConnection,
    filter: &IncidentFilter,
    after: Option<&PageStart>,
    limit: i64,
) -> QueryResult<Vec<(IncidentRow, ParcelRow)>> {
    let mut query = incidents::table
        .inner_join(parcels::table)
        .order((incidents::opened_at.desc(), incidents::id.desc()))
        .select((IncidentRow::as_select(), ParcelRow::as_select()))
        .limit(limit)
        .into_boxed();
    match filter.open {
        Some(true) => query = query.filter(incidents::resolved_at.is_null()),
        Some(false) => query = query.filter(incidents::resolved_at.is_not_null()),
        None => {}
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(incidents::kind.eq(kind.clone()));
    }
    if let Some(after) = after {
        query = older_than!(query, incidents::opened_at, incidents::id, after);
    }
    query.load(conn)
}

pub fn count_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(String, String, i64)>> {
    use diesel::dsl::count_star;
    parcels::table
        .group_by((parcels::direction, parcels::status))
        .select((parcels::direction, parcels::status, count_star()))
        .load(conn)
}

pub fn count_open_incidents(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    use diesel::dsl::count_star;
    incidents::table
        .filter(incidents::resolved_at.is_null())
        .group_by(incidents::kind)
        .select((incidents::kind, count_star()))
        .load(conn)
}

/// The oldest `next_poll_at` that has passed: how far behind the poller is.
pub fn oldest_due(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
) -> QueryResult<Option<chrono::NaiveDateTime>> {
    use diesel::dsl::min;
    parcels::table
        .filter(parcels::next_poll_at.le(naive(now)))
        .select(min(parcels::next_poll_at))
        .get_result(conn)
}

/// Return parcels bound for `warehouse` (every warehouse when `None`) whose box has not
/// been scanned yet and that the carrier has delivered, has out for delivery or ready
/// for pick-up, or expects between `since` and `until` (a parcel expected days ago and
/// still not delivered is late, not arriving); never one cancelled or sent back.
pub fn arriving_returns(
    conn: &mut DbConnection,
    warehouse: Option<&str>,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<(ParcelRow, super::rmas::RmaRow, String)>> {
    use super::rmas::RmaRow;
    use backhaul_carriers::TrackingStatus as T;
    let here = [T::Delivered, T::OutForDelivery, T::AvailableForPickup].map(|s| s.as_str());
    let gone = [T::Cancelled, T::ReturnedToSender].map(|s| s.as_str());
    let mut query = parcels::table
        .inner_join(rmas::table.inner_join(orders::table))
        .filter(parcels::direction.eq(INBOUND))
        .filter(parcels::status.ne_all(gone))
        .filter(rmas::status.eq_any([
            RmaStatus::LabelIssued,
            RmaStatus::InTransit,
            RmaStatus::DeliveredToWarehouse,
        ]))
        .filter(
            parcels::status.eq_any(here).or(parcels::estimated_delivery
                .ge(naive(since))
                .and(parcels::estimated_delivery.le(naive(until)))),
        )
        .select((
            ParcelRow::as_select(),
            RmaRow::as_select(),
            orders::order_number,
        ))
        .order(parcels::id)
        .limit(limit)
        .into_boxed();
    if let Some(code) = warehouse {
        query = query.filter(rmas::return_to.eq(code.to_string()));
    }
    query.load(conn)
}
