//! Inspections and refund triggers; each trigger's message to finance goes through the
//! outbox (`db::outbox`).
//!
//! A trigger and its outbox message are written in the same transaction as the change
//! that causes them (an inspection, an incident resolution): neither exists without the
//! other, so a trigger is never lost and never announced twice under two ids.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{inspections, orders, refund_triggers, rmas};
use super::{naive, DbConnection};
use crate::domain::TriggerStatus;

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
    pub status: TriggerStatus,
    pub calculation: String,
    pub created_at: chrono::NaiveDateTime,
    pub emailed_at: Option<chrono::NaiveDateTime>,
    pub acknowledged_at: Option<chrono::NaiveDateTime>,
    pub acknowledged_by: Option<String>,
}

/// What a refund trigger pays back for.
#[derive(Debug, Clone, Copy)]
pub enum TriggerFor<'a> {
    /// A returned (or kept) RMA, by id.
    Rma(&'a str),
    /// An outbound parcel's incident, by id.
    Incident(&'a str),
}

impl TriggerRow {
    /// A new trigger for `what`, waiting for its email to finance.
    pub fn pending(
        what: TriggerFor<'_>,
        order_id: &str,
        amount_minor: i64,
        currency: &str,
        method: &str,
        calculation: String,
        now: DateTime<Utc>,
    ) -> TriggerRow {
        let (rma_id, incident_id) = match what {
            TriggerFor::Rma(id) => (Some(id.to_string()), None),
            TriggerFor::Incident(id) => (None, Some(id.to_string())),
        };
        TriggerRow {
            id: uuid::Uuid::now_v7().to_string(),
            rma_id,
            incident_id,
            order_id: order_id.to_string(),
            amount_minor,
            currency: currency.to_string(),
            method: method.to_string(),
            status: TriggerStatus::Pending,
            calculation,
            created_at: naive(now),
            emailed_at: None,
            acknowledged_at: None,
            acknowledged_by: None,
        }
    }
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
    super::outbox::enqueue(conn, super::outbox::FINANCE_EMAIL, &trigger.id, now, now)
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
    pub status: Option<TriggerStatus>,
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
        query = query.filter(refund_triggers::status.eq(*status));
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
            .filter(refund_triggers::status.ne(TriggerStatus::Acknowledged)),
    )
    .set((
        refund_triggers::status.eq(TriggerStatus::Acknowledged),
        refund_triggers::acknowledged_at.eq(naive(now)),
        refund_triggers::acknowledged_by.eq(by),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn count_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(TriggerStatus, i64)>> {
    use diesel::dsl::count_star;
    refund_triggers::table
        .group_by(refund_triggers::status)
        .select((refund_triggers::status, count_star()))
        .load(conn)
}
