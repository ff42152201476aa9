//! RMAs, their lines and their audit trail. Every status change goes through
//! [`apply_event`], which checks the lifecycle table, updates the row only if nobody
//! moved it meanwhile, and writes the audit event in the caller's transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{orders, rma_events, rma_lines, rmas};
use super::{naive, newer_than, try_insert, DbConnection, PageStart};
use crate::domain::{customer_news, transition, RmaEvent, RmaNumber, RmaStatus};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rmas)]
pub struct RmaRow {
    pub id: String,
    pub number: String,
    pub order_id: String,
    pub status: RmaStatus,
    pub resolution: String,
    pub label_payer: String,
    pub currency: String,
    pub estimated_refund_minor: i64,
    pub customer_email: String,
    pub comment: Option<String>,
    pub decision: String,
    pub return_to: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rma_lines)]
pub struct RmaLineRow {
    pub rma_id: String,
    pub line_id: String,
    pub quantity: i64,
    pub reason: String,
    pub refund_minor: i64,
    /// The variant an exchange sends instead.
    pub exchange_sku: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rma_events)]
pub struct RmaEventRow {
    pub id: String,
    pub rma_id: String,
    pub at: chrono::NaiveDateTime,
    pub actor: String,
    pub event: String,
    pub from_status: Option<RmaStatus>,
    pub to_status: RmaStatus,
    pub note: Option<String>,
}

/// Who did something to an RMA, when, and why: the fields every audit event shares.
#[derive(Debug, Clone, Copy)]
pub struct Audit<'a> {
    pub actor: &'a str,
    pub note: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Writes the audit event for a status change (or for creation, with no `from`), and
/// queues the customer's email when the change is news to them.
pub fn record_event(
    conn: &mut DbConnection,
    rma_id: &str,
    event: &str,
    from: Option<RmaStatus>,
    to: RmaStatus,
    audit: Audit<'_>,
) -> QueryResult<RmaEventRow> {
    let id = uuid::Uuid::now_v7().to_string();
    if customer_news::tells_customer(to) {
        let due = audit.at + customer_news::delay();
        super::outbox::enqueue(conn, super::outbox::CUSTOMER_EMAIL, &id, due, audit.at)?;
    }
    let row = RmaEventRow {
        id,
        rma_id: rma_id.to_string(),
        at: naive(audit.at),
        actor: audit.actor.to_string(),
        event: event.to_string(),
        from_status: from,
        to_status: to,
        note: audit.note.map(str::to_string),
    };
    diesel::insert_into(rma_events::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// Inserts a new RMA and its lines under a fresh number, drawing again on the rare
/// number collision (`row.number` is replaced), and adds its quantities to what the
/// order lines hold.
pub fn insert(
    conn: &mut DbConnection,
    mut row: RmaRow,
    lines: &[RmaLineRow],
) -> Result<RmaRow, AppError> {
    let mut rng = rand::rng();
    for _ in 0..5 {
        row.number = RmaNumber::generate(&mut rng).to_string();
        // A number already taken inserts nothing and another is drawn. PostgreSQL
        // says so without failing the statement (a failed one would need a savepoint
        // around it: two more round trips for every RMA).
        let inserted = match &mut *conn {
            DbConnection::Pg(pg) => diesel::insert_into(rmas::table)
                .values(&row)
                .on_conflict_do_nothing()
                .execute(pg)?,
            DbConnection::Sqlite(_) => usize::from(try_insert(conn, |c| {
                diesel::insert_into(rmas::table).values(&row).execute(c)
            })?),
        };
        if inserted == 1 {
            match &mut *conn {
                // One statement for every line.
                DbConnection::Pg(pg) => {
                    diesel::insert_into(rma_lines::table)
                        .values(lines)
                        .execute(pg)?;
                }
                DbConnection::Sqlite(_) => {
                    for line in lines {
                        diesel::insert_into(rma_lines::table)
                            .values(line)
                            .execute(conn)?;
                    }
                }
            }
            super::orders::hold_quantities(conn, &row.order_id, lines)?;
            return Ok(row);
        }
    }
    Err(AppError::Internal(
        "could not find a free RMA number".into(),
    ))
}

/// The units each SKU an RMA's exchange lines ask for, by SKU: taken and given back
/// in that order, so that two writers never wait on each other's variants.
pub fn exchanged(lines: &[RmaLineRow]) -> Vec<(&str, i64)> {
    let mut per_sku: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for line in lines {
        if let Some(sku) = &line.exchange_sku {
            *per_sku.entry(sku.as_str()).or_insert(0) += line.quantity;
        }
    }
    per_sku.into_iter().collect()
}

pub fn find_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<RmaRow>> {
    rmas::table
        .find(id)
        .select(RmaRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, number: &RmaNumber) -> QueryResult<Option<RmaRow>> {
    rmas::table
        .filter(rmas::number.eq(number.as_str()))
        .select(RmaRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn lines(conn: &mut DbConnection, rma_id: &str) -> QueryResult<Vec<RmaLineRow>> {
    rma_lines::table
        .filter(rma_lines::rma_id.eq(rma_id))
        .order(rma_lines::line_id)
        .select(RmaLineRow::as_select())
        .load(conn)
}

pub fn events(conn: &mut DbConnection, rma_id: &str) -> QueryResult<Vec<RmaEventRow>> {
    rma_events::table
        .filter(rma_events::rma_id.eq(rma_id))
        .order((rma_events::at, rma_events::id))
        .select(RmaEventRow::as_select())
        .load(conn)
}

/// A page of `rma_id`'s events, oldest first, after `after` when given.
pub fn events_page(
    conn: &mut DbConnection,
    rma_id: &str,
    after: Option<&PageStart>,
    limit: i64,
) -> QueryResult<Vec<RmaEventRow>> {
    let mut query = rma_events::table
        .filter(rma_events::rma_id.eq(rma_id.to_string()))
        .order((rma_events::at, rma_events::id))
        .select(RmaEventRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = newer_than!(query, rma_events::at, rma_events::id, after);
    }
    query.load(conn)
}

pub fn event(conn: &mut DbConnection, id: &str) -> QueryResult<Option<RmaEventRow>> {
    rma_events::table
        .find(id)
        .select(RmaEventRow::as_select())
        .first(conn)
        .optional()
}

/// Moves an RMA by `event`, or says why it cannot move; an RMA rejected, cancelled or
/// expired gives its quantities back to the order, and its exchanges' variants back to
/// the catalogue. Must run inside a transaction.
pub fn apply_event(
    conn: &mut DbConnection,
    number: &RmaNumber,
    event: RmaEvent,
    audit: Audit<'_>,
) -> Result<RmaRow, AppError> {
    let now = audit.at;
    let mut rma =
        find(conn, number)?.ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
    let from = rma.status;
    let to = transition(from, event)?;
    let updated = diesel::update(rmas::table.find(&rma.id).filter(rmas::status.eq(from)))
        .set((rmas::status.eq(to), rmas::updated_at.eq(naive(now))))
        .execute(conn)?;
    if updated == 0 {
        return Err(AppError::Conflict(format!(
            "RMA {number} was changed by another request; retry"
        )));
    }
    record_event(conn, &rma.id, event.as_str(), Some(from), to, audit)?;
    if from.holds_quantity() != to.holds_quantity() {
        let lines = lines(conn, &rma.id)?;
        if to.holds_quantity() {
            super::orders::lock(conn, &rma.order_id)?;
            super::orders::hold_quantities(conn, &rma.order_id, &lines)?;
        } else {
            super::orders::release_quantities(conn, &rma.order_id, &lines)?;
            for (sku, quantity) in exchanged(&lines) {
                super::catalog::give_back(conn, sku, quantity)?;
            }
        }
    }
    rma.status = to;
    rma.updated_at = naive(now);
    Ok(rma)
}

/// RMAs this customer opened since `since` that still count (not cancelled, rejected
/// or expired).
pub fn customer_returns_since(
    conn: &mut DbConnection,
    email: &str,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    rmas::table
        .filter(rmas::customer_email.eq(email))
        .filter(rmas::created_at.ge(naive(since)))
        // Three plain filters rather than NOT IN: diesel caches their prepared statement.
        .filter(rmas::status.ne("cancelled"))
        .filter(rmas::status.ne("rejected"))
        .filter(rmas::status.ne("expired"))
        .count()
        .get_result(conn)
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<RmaStatus>,
    pub order_number: Option<String>,
    pub rma_number: Option<String>,
    /// Created at or after.
    pub created_from: Option<chrono::NaiveDateTime>,
    /// Created before.
    pub created_until: Option<chrono::NaiveDateTime>,
    /// Return RMAs older than this id (ids are time-ordered UUIDv7).
    pub before_id: Option<String>,
    pub limit: i64,
}

/// One page of RMAs, newest first, with their order numbers.
pub fn list(conn: &mut DbConnection, filter: &ListFilter) -> QueryResult<Vec<(RmaRow, String)>> {
    let mut query = rmas::table
        .inner_join(orders::table)
        .select((RmaRow::as_select(), orders::order_number))
        .order(rmas::id.desc())
        .limit(filter.limit)
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(rmas::status.eq(status));
    }
    if let Some(number) = &filter.order_number {
        query = query.filter(orders::order_number.eq(number.clone()));
    }
    if let Some(number) = &filter.rma_number {
        query = query.filter(rmas::number.eq(number.clone()));
    }
    if let Some(from) = filter.created_from {
        query = query.filter(rmas::created_at.ge(from));
    }
    if let Some(until) = filter.created_until {
        query = query.filter(rmas::created_at.lt(until));
    }
    if let Some(before) = &filter.before_id {
        query = query.filter(rmas::id.lt(before.clone()));
    }
    query.load(conn)
}

/// How many RMAs are in each status (for /metrics).
pub fn count_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(RmaStatus, i64)>> {
    rmas::table
        .group_by(rmas::status)
        .select((rmas::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Returns received and not yet inspected, the longest waiting first (`updated_at` is
/// when each was received: nothing else changes a received RMA), with their order
/// numbers; only those whose box is at `warehouse` when one is named (the warehouse
/// of the bench that scanned it, else the one it was meant for); those after `after`.
pub fn awaiting_inspection(
    conn: &mut DbConnection,
    warehouse: Option<&str>,
    after: Option<&super::PageStart>,
    limit: i64,
) -> QueryResult<Vec<(RmaRow, String)>> {
    use super::schema::received_parcels;
    let mut query = rmas::table
        .inner_join(orders::table)
        .left_join(received_parcels::table)
        .filter(rmas::status.eq(RmaStatus::Received))
        .select((RmaRow::as_select(), orders::order_number))
        // One row per return even when it came in two boxes, before the limit counts.
        .distinct()
        .order((rmas::updated_at.asc(), rmas::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some(code) = warehouse {
        query = query.filter(
            received_parcels::warehouse
                .eq(code.to_string())
                .or(received_parcels::warehouse
                    .is_null()
                    .and(rmas::return_to.eq(code.to_string()))),
        );
    }
    if let Some(start) = after {
        query = super::newer_than!(query, rmas::updated_at, rmas::id, start);
    }
    query.load(conn)
}

/// The lines of several RMAs at once.
pub fn lines_of(conn: &mut DbConnection, rma_ids: &[String]) -> QueryResult<Vec<RmaLineRow>> {
    rma_lines::table
        .filter(rma_lines::rma_id.eq_any(rma_ids))
        .order((rma_lines::rma_id, rma_lines::line_id))
        .select(RmaLineRow::as_select())
        .load(conn)
}

/// What staff typed in the search box, read as every kind of key it could be.
#[derive(Debug, Clone, Default)]
pub struct SearchKeys {
    pub rma_number: Option<String>,
    /// The order-number look-up key (lower case, no hyphens).
    pub order_key: Option<String>,
    /// A tracking number as carriers write it (upper case, no spaces).
    pub tracking_number: Option<String>,
    /// An email address, lower case.
    pub email: Option<String>,
}

/// Up to `limit` RMAs matching any of `keys`, newest first, with their order numbers:
/// those older than the RMA `after` names (its id) when given.
pub fn search(
    conn: &mut DbConnection,
    keys: &SearchKeys,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<(RmaRow, String)>> {
    use super::schema::{parcels, return_labels};
    // Ids are time-ordered: newest first is by id, and a page starts below `after`.
    let after = after.map(str::to_string);
    macro_rules! below_after {
        ($query:expr, $id:expr) => {
            match &after {
                Some(after) => $query.filter($id.lt(after.clone())),
                None => $query,
            }
        };
    }
    let mut ids: Vec<String> = Vec::new();
    if keys.rma_number.is_some() || keys.email.is_some() {
        let mut own = rmas::table
            .select(rmas::id)
            .order(rmas::id.desc())
            .limit(limit)
            .into_boxed();
        if let Some(number) = &keys.rma_number {
            own = own.or_filter(rmas::number.eq(number.clone()));
        }
        if let Some(email) = &keys.email {
            own = own.or_filter(rmas::customer_email.eq(email.clone()));
        }
        ids.extend(below_after!(own, rmas::id).load::<String>(conn)?);
    }
    if let Some(key) = &keys.order_key {
        let numbers: Vec<String> = super::orders::by_lookup_key(conn, key)?
            .into_iter()
            .map(|(number, ..)| number)
            .collect();
        let ordered = rmas::table
            .inner_join(orders::table)
            .filter(orders::order_number.eq_any(numbers))
            .select(rmas::id)
            .order(rmas::id.desc())
            .limit(limit)
            .into_boxed();
        ids.extend(below_after!(ordered, rmas::id).load::<String>(conn)?);
    }
    if let Some(number) = &keys.tracking_number {
        let labelled = return_labels::table
            .filter(return_labels::tracking_number.eq(number))
            .select(return_labels::rma_id)
            .order(return_labels::rma_id.desc())
            .limit(limit)
            .into_boxed();
        let tracked = parcels::table
            .filter(parcels::tracking_number.eq(number))
            .filter(parcels::rma_id.is_not_null())
            .select(parcels::rma_id.assume_not_null())
            .order(parcels::rma_id.desc())
            .limit(limit)
            .into_boxed();
        ids.extend(below_after!(labelled, return_labels::rma_id).load::<String>(conn)?);
        ids.extend(below_after!(tracked, parcels::rma_id).load::<String>(conn)?);
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    rmas::table
        .inner_join(orders::table)
        .filter(rmas::id.eq_any(ids))
        .select((RmaRow::as_select(), orders::order_number))
        .order(rmas::id.desc())
        .limit(limit)
        .load(conn)
}
