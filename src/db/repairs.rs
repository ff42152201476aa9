//! Repair orders: one per repair RMA that passed inspection, at the bench until it goes
//! back (its outbound parcel) or cannot be repaired.

use diesel::prelude::*;

use super::schema::{orders, repairs, rmas, shipments};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = repairs)]
pub struct RepairRow {
    pub id: String,
    pub rma_id: String,
    pub order_id: String,
    pub status: String,
    /// JSON array of [`crate::db::fulfilments::FulfilmentLine`]: what is at the bench.
    pub lines: String,
    /// JSON array of [`RepairStep`].
    pub history: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub shipment_id: Option<String>,
}

/// One move of a repair: to which status, why, by whom, when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RepairStep {
    pub status: crate::domain::repair::RepairStatus,
    pub note: Option<String>,
    pub actor: String,
    #[schema(format = DateTime)]
    pub at: String,
}

impl RepairRow {
    pub fn lines(&self) -> Vec<crate::db::fulfilments::FulfilmentLine> {
        serde_json::from_str(&self.lines).unwrap_or_default()
    }

    pub fn history(&self) -> Vec<RepairStep> {
        serde_json::from_str(&self.history).unwrap_or_default()
    }
}

/// A repair with the numbers it is known by, and its parcel once shipped back.
#[derive(Debug, Clone)]
pub struct ListedRepair {
    pub repair: RepairRow,
    pub rma_number: String,
    pub order_number: String,
    /// (carrier, tracking number)
    pub parcel: Option<(String, String)>,
}

type Joined = (RepairRow, String, String, Option<String>, Option<String>);

pub fn insert(conn: &mut DbConnection, row: &RepairRow) -> QueryResult<()> {
    diesel::insert_into(repairs::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Which repairs a query loads.
enum Which<'a> {
    All,
    Id(&'a str),
    Rma(&'a str),
}

/// Holds repair `id`'s row until the transaction ends (PostgreSQL; SQLite's one writer
/// serializes writes already), so two moves at once queue up: the second finds the
/// first's status.
pub fn lock(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    if let DbConnection::Pg(pg) = conn {
        repairs::table
            .find(id)
            .select(repairs::id)
            .for_update()
            .first::<String>(pg)
            .optional()?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ListedRepair>> {
    Ok(load(conn, Which::Id(id), None, None, 1)?.into_iter().next())
}

/// The repair of RMA `rma_id`, if it has one.
pub fn for_rma(conn: &mut DbConnection, rma_id: &str) -> QueryResult<Option<ListedRepair>> {
    Ok(load(conn, Which::Rma(rma_id), None, None, 1)?
        .into_iter()
        .next())
}

/// Up to `limit` repairs with `status` (all when `None`), oldest first, after id `after`.
pub fn page(
    conn: &mut DbConnection,
    status: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ListedRepair>> {
    load(conn, Which::All, status, after, limit)
}

fn load(
    conn: &mut DbConnection,
    which: Which<'_>,
    status: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ListedRepair>> {
    let mut query = repairs::table
        .inner_join(rmas::table)
        .inner_join(orders::table)
        .left_join(shipments::table)
        .select((
            RepairRow::as_select(),
            rmas::number,
            orders::order_number,
            shipments::carrier.nullable(),
            shipments::tracking_number.nullable(),
        ))
        .order(repairs::id)
        .limit(limit)
        .into_boxed();
    match which {
        Which::All => {}
        Which::Id(id) => query = query.filter(repairs::id.eq(id.to_string())),
        Which::Rma(id) => query = query.filter(repairs::rma_id.eq(id.to_string())),
    }
    if let Some(status) = status {
        query = query.filter(repairs::status.eq(status.to_string()));
    }
    if let Some(after) = after {
        query = query.filter(repairs::id.gt(after.to_string()));
    }
    Ok(query
        .load::<Joined>(conn)?
        .into_iter()
        .map(
            |(repair, rma_number, order_number, carrier, tracking)| ListedRepair {
                repair,
                rma_number,
                order_number,
                parcel: carrier.zip(tracking),
            },
        )
        .collect())
}

/// Moves repair `id` from `from` to `to` with its history and parcel; `false` when it
/// was no longer `from` (another request moved it meanwhile).
pub fn moved(
    conn: &mut DbConnection,
    id: &str,
    from: &str,
    to: &str,
    history: &str,
    shipment_id: Option<&str>,
    at: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        repairs::table
            .find(id)
            .filter(repairs::status.eq(from.to_string())),
    )
    .set((
        repairs::status.eq(to.to_string()),
        repairs::history.eq(history.to_string()),
        repairs::updated_at.eq(at),
        repairs::shipment_id.eq(shipment_id.map(str::to_string)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
