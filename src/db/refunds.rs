//! Inspections, refund triggers and the outbox that announces each trigger to finance.
//!
//! A trigger and its outbox message are written in the same transaction as the change
//! that causes them (an inspection, an incident resolution): neither exists without the
//! other, so a trigger is never lost and never announced twice under two ids.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{inspections, orders, outbox, refund_triggers, rmas};
use super::{naive, DbConnection};

pub const FINANCE_EMAIL: &str = "finance_refund_email";

/// A refund trigger's statuses: waiting to be emailed, emailed, acknowledged by
/// finance, or failed (its email was dead-lettered).
pub const TRIGGER_STATUSES: [&str; 4] = ["pending", "emailed", "acknowledged", "failed"];
/// The customer's email about a change of their return; the subject is the RMA event.
pub const CUSTOMER_EMAIL: &str = "customer_status_email";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = inspections)]
pub struct InspectionRow {
    pub rma_id: String,
    pub outcome: String,
    pub lines: String,
    pub calculation: String,
    pub inspected_by: String,
    pub inspected_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refund_triggers)]
pub struct TriggerRow {
    pub id: String,
    pub rma_id: Option<String>,
    pub incident_id: Option<String>,
    pub order_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub method: String,
    pub status: String,
    pub calculation: String,
    pub created_at: chrono::NaiveDateTime,
    pub emailed_at: Option<chrono::NaiveDateTime>,
    pub acknowledged_at: Option<chrono::NaiveDateTime>,
    pub acknowledged_by: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub kind: String,
    pub subject_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: chrono::NaiveDateTime,
    pub lease_owner: Option<String>,
    pub lease_until: Option<chrono::NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub sent_at: Option<chrono::NaiveDateTime>,
}

pub fn insert_inspection(conn: &mut DbConnection, row: &InspectionRow) -> QueryResult<()> {
    diesel::insert_into(inspections::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn inspection(conn: &mut DbConnection, rma_id: &str) -> QueryResult<Option<InspectionRow>> {
    inspections::table
        .find(rma_id)
        .select(InspectionRow::as_select())
        .get_result(conn)
        .optional()
}

/// Stores a trigger and the outbox message announcing it, in the caller's transaction.
pub fn create_trigger(
    conn: &mut DbConnection,
    trigger: &TriggerRow,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(refund_triggers::table)
        .values(trigger)
        .execute(conn)?;
    enqueue(conn, FINANCE_EMAIL, &trigger.id, now, now)
}

/// Puts a message about `subject_id` in the outbox, due at `due`, in the caller's
/// transaction.
pub fn enqueue(
    conn: &mut DbConnection,
    kind: &str,
    subject_id: &str,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(&OutboxRow {
            id: uuid::Uuid::now_v7().to_string(),
            kind: kind.into(),
            subject_id: subject_id.into(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: naive(due),
            lease_owner: None,
            lease_until: None,
            last_error: None,
            created_at: naive(now),
            sent_at: None,
        })
        .execute(conn)
        .map(|_| ())
}

/// The message need not go out (a later one says more, or such emails are off): it
/// leaves the queue without being sent, saying why.
pub fn mark_skipped(conn: &mut DbConnection, message: &OutboxRow, why: &str) -> QueryResult<()> {
    diesel::update(outbox::table.find(&message.id))
        .set((
            outbox::status.eq("skipped"),
            outbox::lease_owner.eq(None::<String>),
            outbox::lease_until.eq(None::<chrono::NaiveDateTime>),
            outbox::last_error.eq(why),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn trigger(conn: &mut DbConnection, id: &str) -> QueryResult<Option<TriggerRow>> {
    refund_triggers::table
        .find(id)
        .select(TriggerRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn trigger_for_rma(conn: &mut DbConnection, rma_id: &str) -> QueryResult<Option<TriggerRow>> {
    refund_triggers::table
        .filter(refund_triggers::rma_id.eq(rma_id))
        .select(TriggerRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn trigger_for_incident(
    conn: &mut DbConnection,
    incident_id: &str,
) -> QueryResult<Option<TriggerRow>> {
    refund_triggers::table
        .filter(refund_triggers::incident_id.eq(incident_id))
        .select(TriggerRow::as_select())
        .get_result(conn)
        .optional()
}

/// Triggers with their order number and RMA number, newest first.
/// Which refund triggers to list; every part optional.
#[derive(Debug, Clone, Default)]
pub struct TriggerFilter {
    pub status: Option<String>,
    pub currency: Option<String>,
    /// Created at or after.
    pub from: Option<chrono::NaiveDateTime>,
    /// Created before.
    pub until: Option<chrono::NaiveDateTime>,
    /// An order number, or an RMA number as stored.
    pub search: Option<String>,
}

pub fn list_triggers(
    conn: &mut DbConnection,
    filter: &TriggerFilter,
    id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<(TriggerRow, String, Option<String>)>> {
    let mut query = refund_triggers::table
        .inner_join(orders::table)
        .left_join(rmas::table.on(rmas::id.nullable().eq(refund_triggers::rma_id)))
        .order(refund_triggers::created_at.desc())
        .select((
            TriggerRow::as_select(),
            orders::order_number,
            rmas::number.nullable(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(refund_triggers::status.eq(status.clone()));
    }
    if let Some(currency) = &filter.currency {
        query = query.filter(refund_triggers::currency.eq(currency.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(refund_triggers::created_at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(refund_triggers::created_at.lt(until));
    }
    if let Some(search) = &filter.search {
        query = query.filter(
            orders::order_number
                .eq(search.clone())
                .or(rmas::number.nullable().eq(search.clone())),
        );
    }
    if let Some(id) = id {
        query = query.filter(refund_triggers::id.eq(id.to_string()));
    }
    query.load(conn)
}

/// One trigger with its order number and RMA number.
pub fn list_one(
    conn: &mut DbConnection,
    id: &str,
) -> QueryResult<Option<(TriggerRow, String, Option<String>)>> {
    Ok(list_triggers(conn, &TriggerFilter::default(), Some(id), 1)?.pop())
}

/// Marks a trigger acknowledged by finance; `false` if it already was.
pub fn acknowledge(
    conn: &mut DbConnection,
    id: &str,
    by: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(
        refund_triggers::table
            .find(id)
            .filter(refund_triggers::status.ne("acknowledged")),
    )
    .set((
        refund_triggers::status.eq("acknowledged"),
        refund_triggers::acknowledged_at.eq(naive(now)),
        refund_triggers::acknowledged_by.eq(by),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn count_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    use diesel::dsl::count_star;
    refund_triggers::table
        .group_by(refund_triggers::status)
        .select((refund_triggers::status, count_star()))
        .load(conn)
}

/// Leases up to `limit` messages due at `now` (`FOR UPDATE SKIP LOCKED` on
/// PostgreSQL), so several dispatchers never send the same one at once.
pub fn claim_due(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    owner: &str,
    until: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let due = outbox::table
        .filter(outbox::status.eq("pending"))
        .filter(outbox::next_attempt_at.le(naive(now)))
        .filter(
            outbox::lease_until
                .is_null()
                .or(outbox::lease_until.lt(naive(now))),
        )
        .order(outbox::next_attempt_at)
        .limit(limit)
        .select(outbox::id);
    let ids = super::lease_rows!(conn, outbox, due, owner, until);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    outbox::table
        .filter(outbox::id.eq_any(&ids))
        .select(OutboxRow::as_select())
        .load(conn)
}

/// The message went out: the outbox row and its trigger say so.
pub fn mark_sent(
    conn: &mut DbConnection,
    message: &OutboxRow,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(outbox::table.find(&message.id))
        .set((
            outbox::status.eq("sent"),
            outbox::attempts.eq(message.attempts + 1),
            outbox::sent_at.eq(naive(now)),
            outbox::lease_owner.eq(None::<String>),
            outbox::lease_until.eq(None::<chrono::NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::update(
        refund_triggers::table
            .find(&message.subject_id)
            .filter(refund_triggers::status.eq_any(["pending", "failed"])),
    )
    .set((
        refund_triggers::status.eq("emailed"),
        refund_triggers::emailed_at.eq(naive(now)),
    ))
    .execute(conn)
    .map(|_| ())
}

/// A try failed: again at `retry_at`, or dead-lettered (`None`), with the trigger
/// marked failed for finance and operations to see.
pub fn mark_failed(
    conn: &mut DbConnection,
    message: &OutboxRow,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    let status = if retry_at.is_some() {
        "pending"
    } else {
        "dead"
    };
    diesel::update(outbox::table.find(&message.id))
        .set((
            outbox::status.eq(status),
            outbox::attempts.eq(message.attempts + 1),
            outbox::next_attempt_at.eq(retry_at.map_or(message.next_attempt_at, naive)),
            outbox::lease_owner.eq(None::<String>),
            outbox::lease_until.eq(None::<chrono::NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)?;
    if retry_at.is_none() {
        diesel::update(
            refund_triggers::table
                .find(&message.subject_id)
                .filter(refund_triggers::status.eq("pending")),
        )
        .set(refund_triggers::status.eq("failed"))
        .execute(conn)?;
    }
    Ok(())
}

pub fn count_outbox(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    use diesel::dsl::count_star;
    outbox::table
        .group_by(outbox::status)
        .select((outbox::status, count_star()))
        .load(conn)
}
