//! The transactional outbox: messages written in the same transaction as the change
//! they announce (a refund trigger for finance, a return's news for its customer),
//! leased by one dispatcher at a time, sent, retried with backoff, skipped with a
//! reason, or dead-lettered.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{outbox, refund_triggers};
use super::{naive, DbConnection};
use crate::domain::{OutboxStatus, TriggerStatus};

/// Finance's email about a refund trigger; the subject is the trigger.
pub const FINANCE_EMAIL: &str = "finance_refund_email";
/// The customer's email about a change of their return; the subject is the RMA event.
pub const CUSTOMER_EMAIL: &str = "customer_status_email";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub kind: String,
    pub subject_id: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: chrono::NaiveDateTime,
    pub lease_owner: Option<String>,
    pub lease_until: Option<chrono::NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub sent_at: Option<chrono::NaiveDateTime>,
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
            status: OutboxStatus::Pending,
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
        .filter(outbox::status.eq(OutboxStatus::Pending))
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

/// Frees the leases a worker named `prefix…` held before its instance restarted.
pub fn release_leases(conn: &mut DbConnection, prefix: &str) -> QueryResult<usize> {
    super::release_rows!(conn, outbox, prefix)
}

/// Keeps the messages of `ids` that `owner` is still sending leased until `until`.
pub fn extend_lease(
    conn: &mut DbConnection,
    owner: &str,
    ids: &[String],
    until: DateTime<Utc>,
) -> QueryResult<usize> {
    super::renew_rows!(conn, outbox, owner, ids, until)
}

/// What became of one message the dispatcher tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Left unsent on purpose (a later message says more, or such emails are off).
    Skipped(&'static str),
    /// Not sent: tried again at `retry_at`, or dead-lettered when `None`.
    Failed {
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

/// Writes down what became of `results`, in the caller's transaction: the sent messages
/// and the finance triggers they announce in one statement each, however many; the
/// rarer skipped and failed ones one by one.
pub fn record(
    conn: &mut DbConnection,
    results: &[(OutboxRow, Delivery)],
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let sent: Vec<&OutboxRow> = results
        .iter()
        .filter(|(_, d)| *d == Delivery::Sent)
        .map(|(m, _)| m)
        .collect();
    if !sent.is_empty() {
        mark_sent(conn, &sent, now)?;
    }
    for (message, delivery) in results {
        match delivery {
            Delivery::Sent => {}
            Delivery::Skipped(why) => mark_skipped(conn, message, why)?,
            Delivery::Failed { error, retry_at } => mark_failed(conn, message, error, *retry_at)?,
        }
    }
    Ok(())
}

/// The messages went out: their outbox rows and the triggers they announce say so.
fn mark_sent(conn: &mut DbConnection, sent: &[&OutboxRow], now: DateTime<Utc>) -> QueryResult<()> {
    let ids: Vec<&str> = sent.iter().map(|m| m.id.as_str()).collect();
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            outbox::status.eq(OutboxStatus::Sent),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::sent_at.eq(naive(now)),
            outbox::lease_owner.eq(None::<String>),
            outbox::lease_until.eq(None::<chrono::NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    let triggers: Vec<&str> = sent
        .iter()
        .filter(|m| m.kind == FINANCE_EMAIL)
        .map(|m| m.subject_id.as_str())
        .collect();
    if triggers.is_empty() {
        return Ok(());
    }
    diesel::update(
        refund_triggers::table
            .filter(refund_triggers::id.eq_any(&triggers))
            .filter(
                refund_triggers::status.eq_any([TriggerStatus::Pending, TriggerStatus::Failed]),
            ),
    )
    .set((
        refund_triggers::status.eq(TriggerStatus::Emailed),
        refund_triggers::emailed_at.eq(naive(now)),
    ))
    .execute(conn)
    .map(|_| ())
}

/// The message need not go out: it leaves the queue without being sent, saying why.
fn mark_skipped(conn: &mut DbConnection, message: &OutboxRow, why: &str) -> QueryResult<()> {
    diesel::update(outbox::table.find(&message.id))
        .set((
            outbox::status.eq(OutboxStatus::Skipped),
            outbox::lease_owner.eq(None::<String>),
            outbox::lease_until.eq(None::<chrono::NaiveDateTime>),
            outbox::last_error.eq(why),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A try failed: again at `retry_at`, or dead-lettered (`None`), with the trigger
/// marked failed for finance and operations to see.
fn mark_failed(
    conn: &mut DbConnection,
    message: &OutboxRow,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    let status = if retry_at.is_some() {
        OutboxStatus::Pending
    } else {
        OutboxStatus::Dead
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
                .filter(refund_triggers::status.eq(TriggerStatus::Pending)),
        )
        .set(refund_triggers::status.eq(TriggerStatus::Failed))
        .execute(conn)?;
    }
    Ok(())
}

pub fn count_outbox(conn: &mut DbConnection) -> QueryResult<Vec<(OutboxStatus, i64)>> {
    use diesel::dsl::count_star;
    outbox::table
        .group_by(outbox::status)
        .select((outbox::status, count_star()))
        .load(conn)
}
