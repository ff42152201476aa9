//! Replacements to send: one per exchange that passed inspection, until the parcel it
//! left in is registered.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{fulfilments, orders, rmas, shipments};
use super::{naive, DbConnection};

pub const TO_SHIP: &str = "to_ship";
pub const SHIPPED: &str = "shipped";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = fulfilments)]
pub struct FulfilmentRow {
    pub id: String,
    pub rma_id: String,
    pub order_id: String,
    pub status: String,
    /// JSON array of [`FulfilmentLine`].
    pub lines: String,
    pub created_at: chrono::NaiveDateTime,
    pub shipped_at: Option<chrono::NaiveDateTime>,
    pub shipment_id: Option<String>,
}

/// What to put in the box.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FulfilmentLine {
    /// The order line the replacement is for.
    pub line_id: String,
    /// What to send: the variant an exchange asked for, or the item ordered.
    pub sku: String,
    pub title: String,
    pub quantity: i64,
}

impl FulfilmentRow {
    pub fn lines(&self) -> Vec<FulfilmentLine> {
        serde_json::from_str(&self.lines).unwrap_or_default()
    }
}

/// A fulfilment with the numbers it is known by, and its parcel once shipped.
#[derive(Debug, Clone)]
pub struct ListedFulfilment {
    pub fulfilment: FulfilmentRow,
    pub rma_number: String,
    pub order_number: String,
    /// (carrier, tracking number)
    pub parcel: Option<(String, String)>,
}

type Joined = (
    FulfilmentRow,
    String,
    String,
    Option<String>,
    Option<String>,
);

pub fn insert(conn: &mut DbConnection, row: &FulfilmentRow) -> QueryResult<()> {
    diesel::insert_into(fulfilments::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ListedFulfilment>> {
    Ok(load(conn, Which::Id(id), None, None, 1)?.into_iter().next())
}

/// The replacement of RMA `rma_id`, if an exchange made one (one per RMA).
pub fn for_rma(conn: &mut DbConnection, rma_id: &str) -> QueryResult<Option<ListedFulfilment>> {
    Ok(load(conn, Which::Rma(rma_id), None, None, 1)?
        .into_iter()
        .next())
}

/// Which fulfilments a query loads.
enum Which<'a> {
    All,
    Id(&'a str),
    Rma(&'a str),
}

/// Up to `limit` fulfilments with `status` (all when `None`), oldest first, after id
/// `after`.
pub fn page(
    conn: &mut DbConnection,
    status: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ListedFulfilment>> {
    load(conn, Which::All, status, after, limit)
}

fn load(
    conn: &mut DbConnection,
    which: Which<'_>,
    status: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ListedFulfilment>> {
    let mut query = fulfilments::table
        .inner_join(rmas::table)
        .inner_join(orders::table)
        .left_join(shipments::table)
        .select((
            FulfilmentRow::as_select(),
            rmas::number,
            orders::order_number,
            shipments::carrier.nullable(),
            shipments::tracking_number.nullable(),
        ))
        .order(fulfilments::id)
        .limit(limit)
        .into_boxed();
    match which {
        Which::All => {}
        Which::Id(id) => query = query.filter(fulfilments::id.eq(id.to_string())),
        Which::Rma(id) => query = query.filter(fulfilments::rma_id.eq(id.to_string())),
    }
    if let Some(status) = status {
        query = query.filter(fulfilments::status.eq(status.to_string()));
    }
    if let Some(after) = after {
        query = query.filter(fulfilments::id.gt(after.to_string()));
    }
    Ok(query
        .load::<Joined>(conn)?
        .into_iter()
        .map(listed)
        .collect())
}

fn listed((fulfilment, rma_number, order_number, carrier, tracking): Joined) -> ListedFulfilment {
    ListedFulfilment {
        fulfilment,
        rma_number,
        order_number,
        parcel: carrier.zip(tracking),
    }
}

/// Marks fulfilment `id` shipped in `shipment_id`; `false` when it was not to ship
/// (another request shipped it meanwhile).
pub fn mark_shipped(
    conn: &mut DbConnection,
    id: &str,
    shipment_id: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let updated = diesel::update(
        fulfilments::table
            .find(id)
            .filter(fulfilments::status.eq(TO_SHIP)),
    )
    .set((
        fulfilments::status.eq(SHIPPED),
        fulfilments::shipped_at.eq(Some(naive(now))),
        fulfilments::shipment_id.eq(Some(shipment_id)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}
