//! Inspections and refund triggers; each trigger's message to finance goes through the
//! outbox (`db::outbox`).
//!
//! A trigger and its outbox message are written in the same transaction as the change
//! that causes them (an inspection, an incident resolution): neither exists without the
//! other, so a trigger is never lost and never announced twice under two ids.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{inspections, orders, refund_triggers, rmas};
use super::{naive, older_than, DbConnection, PageStart};
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
    /// A store credit's bonus on top of `amount_minor`; zero for other methods.
    pub bonus_minor: i64,
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
            bonus_minor: 0,
        }
    }

    /// The same trigger with a store credit's bonus on top.
    pub fn with_bonus(self, bonus_minor: i64) -> TriggerRow {
        TriggerRow {
            bonus_minor,
            ..self
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

/// A trigger as finance lists it: with its order, RMA and customer.
#[derive(Debug, Clone, Queryable)]
pub struct ListedTrigger {
    pub trigger: TriggerRow,
    pub order_number: String,
    pub rma_number: Option<String>,
    pub customer_name: String,
    /// The RMA's resolution; none for an incident's trigger.
    pub resolution: Option<String>,
}

/// The number and sum of the listed triggers in one currency settled one way (money
/// back, store credit, a charge): sums of different directions never mix.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct CurrencyTotal {
    pub currency: String,
    pub method: String,
    pub count: i64,
    pub amount_minor: i64,
    /// Store credits' bonuses on top of `amount_minor`.
    pub bonus_minor: i64,
}

impl CurrencyTotal {
    /// Counts `t` into the total of its currency and method in `totals`.
    pub fn add(totals: &mut Vec<CurrencyTotal>, t: &TriggerRow) {
        match totals
            .iter_mut()
            .find(|x| x.currency == t.currency && x.method == t.method)
        {
            Some(x) => {
                x.count += 1;
                x.amount_minor = x.amount_minor.saturating_add(t.amount_minor);
                x.bonus_minor = x.bonus_minor.saturating_add(t.bonus_minor);
            }
            None => totals.push(CurrencyTotal {
                currency: t.currency.clone(),
                method: t.method.clone(),
                count: 1,
                amount_minor: t.amount_minor,
                bonus_minor: t.bonus_minor,
            }),
        }
    }
}

/// The triggers joined with their order and (for returns) RMA, narrowed by `$filter`:
/// one place for the conditions the list and its totals share.
macro_rules! filtered {
    ($filter:expr) => {{
        let filter: &TriggerFilter = $filter;
        let mut query = refund_triggers::table
            .inner_join(orders::table)
            .left_join(rmas::table.on(rmas::id.nullable().eq(refund_triggers::rma_id)))
            .into_boxed::<super::MultiBackend>();
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
        query
    }};
}

/// One page of the triggers `filter` names, newest first, starting `after` a trigger
/// (or at the newest); only trigger `id` when given.
pub fn list_triggers(
    conn: &mut DbConnection,
    filter: &TriggerFilter,
    after: Option<&PageStart>,
    id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ListedTrigger>> {
    let mut query = filtered!(filter)
        .order((
            refund_triggers::created_at.desc(),
            refund_triggers::id.desc(),
        ))
        .select((
            TriggerRow::as_select(),
            orders::order_number,
            rmas::number.nullable(),
            orders::customer_name,
            rmas::resolution.nullable(),
        ))
        .limit(limit);
    if let Some(after) = after {
        query = older_than!(
            query,
            refund_triggers::created_at,
            refund_triggers::id,
            after
        );
    }
    if let Some(id) = id {
        query = query.filter(refund_triggers::id.eq(id.to_string()));
    }
    query.load(conn)
}

/// How many triggers `filter` names per currency and method, and their sums (every
/// page): the pairs first, then one count and sum each (a shop has a handful).
pub fn totals(conn: &mut DbConnection, filter: &TriggerFilter) -> QueryResult<Vec<CurrencyTotal>> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    let pairs: Vec<(String, String)> = filtered!(filter)
        .select((refund_triggers::currency, refund_triggers::method))
        .distinct()
        .order((refund_triggers::currency, refund_triggers::method))
        .load(conn)?;
    let mut totals = Vec::with_capacity(pairs.len());
    for (currency, method) in pairs {
        let (count, amount_minor, bonus_minor) = filtered!(filter)
            .filter(refund_triggers::currency.eq(currency.clone()))
            .filter(refund_triggers::method.eq(method.clone()))
            .select((
                sql::<BigInt>("COUNT(*)"),
                // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back (refunds in minor
                // units stay far below 2^63).
                sql::<BigInt>("CAST(COALESCE(SUM(refund_triggers.amount_minor), 0) AS BIGINT)"),
                sql::<BigInt>("CAST(COALESCE(SUM(refund_triggers.bonus_minor), 0) AS BIGINT)"),
            ))
            .get_result::<(i64, i64, i64)>(conn)?;
        totals.push(CurrencyTotal {
            currency,
            method,
            count,
            amount_minor,
            bonus_minor,
        });
    }
    Ok(totals)
}

/// Where the list continues after trigger `id`, if there is such a trigger.
pub fn after(conn: &mut DbConnection, id: &str) -> QueryResult<Option<PageStart>> {
    Ok(trigger(conn, id)?.map(|t| PageStart {
        at: t.created_at,
        id: t.id,
    }))
}

/// One trigger with its order number and RMA number.
pub fn list_one(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ListedTrigger>> {
    Ok(list_triggers(conn, &TriggerFilter::default(), None, Some(id), 1)?.pop())
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
