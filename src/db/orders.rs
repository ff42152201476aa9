//! Orders, their lines and outbound shipments.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::parcels::{self, NewParcel};
use super::rmas::RmaLineRow;
use super::schema::{order_lines, orders, rmas, shipments};
use super::{is_unique_violation, naive, DbConnection};
use crate::domain::order::Order;
use crate::error::AppError;

/// `treat_none_as_null`: an order sent again replaces what it had, so a line2 or
/// phone left out is cleared, not kept.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = orders, treat_none_as_null = true)]
pub struct OrderRow {
    pub id: String,
    pub order_number: String,
    pub currency: String,
    pub placed_at: chrono::NaiveDateTime,
    pub customer_email: String,
    pub customer_name: String,
    pub customer_locale: String,
    pub ship_name: String,
    pub ship_line1: String,
    pub ship_line2: Option<String>,
    pub ship_city: String,
    pub ship_region: Option<String>,
    pub ship_postal_code: String,
    pub ship_country: String,
    pub ship_lat: Option<f64>,
    pub ship_lon: Option<f64>,
    pub total_minor: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub ship_phone: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = order_lines, treat_none_as_null = true)]
pub struct LineRow {
    pub order_id: String,
    pub line_id: String,
    pub sku: String,
    pub title: String,
    pub category: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub tax_minor: i64,
    pub delivered_at: Option<chrono::NaiveDateTime>,
    /// One unit's weight.
    pub weight_grams: Option<i64>,
    /// How many units returns hold: every RMA not rejected, cancelled or expired.
    /// Written only by [`hold_quantities`] and [`release_quantities`], never by an
    /// order sent again.
    #[diesel(skip_insertion, skip_update)]
    pub held_quantity: i64,
    /// The product group the line is a variant of.
    pub variant_of: Option<String>,
    /// JSON object of its options; `None` when it has none.
    pub options: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = shipments)]
pub struct ShipmentRow {
    pub id: String,
    pub order_id: String,
    pub carrier: String,
    pub tracking_number: String,
    pub service: Option<String>,
    pub shipped_at: chrono::NaiveDateTime,
    pub delivered_at: Option<chrono::NaiveDateTime>,
    pub status: String,
    pub created_at: chrono::NaiveDateTime,
    /// JSON array of the order lines in the parcel; `None`: all of them.
    pub line_ids: Option<String>,
}

/// An order with everything hanging off it that the API shows.
#[derive(Debug, Clone)]
pub struct OrderRecord {
    pub order: OrderRow,
    pub lines: Vec<LineRow>,
    pub shipments: Vec<ShipmentRow>,
}

impl LineRow {
    pub fn returnable_quantity(&self) -> i64 {
        (self.quantity - self.held_quantity).max(0)
    }

    pub fn options(&self) -> std::collections::BTreeMap<String, String> {
        super::catalog::read_options(self.options.as_deref().unwrap_or("{}"))
    }
}

pub fn find_by_number(
    conn: &mut DbConnection,
    order_number: &str,
) -> QueryResult<Option<OrderRow>> {
    orders::table
        .filter(orders::order_number.eq(order_number))
        .select(OrderRow::as_select())
        .get_result(conn)
        .optional()
}

/// What a customer's look-up is checked against: the order's email and delivery
/// postcode, and nothing else (the order itself is loaded only after a match).
/// One query whichever of `numbers` exist: (number, email, postcode) of each found.
pub fn lookup_keys(
    conn: &mut DbConnection,
    numbers: &[&str],
) -> QueryResult<Vec<(String, String, String)>> {
    orders::table
        .filter(orders::order_number.eq_any(numbers))
        .select((
            orders::order_number,
            orders::customer_email,
            orders::ship_postal_code,
        ))
        .load(conn)
}

/// A stored order number as [`OrderNumber::lookup_key`] spells it, in SQL both
/// backends read alike (SQLite's `lower` changes ASCII only, so the key does too);
/// indexed by the `orders_lookup_key` migration.
///
/// [`OrderNumber::lookup_key`]: crate::domain::order_number::OrderNumber::lookup_key
const LOOKUP_KEY: &str = "lower(replace(order_number, '-', ''))";

/// Orders whose number has look-up key `key` (case and hyphens aside), at most two:
/// enough to tell one from several.
pub fn by_lookup_key(
    conn: &mut DbConnection,
    key: &str,
) -> QueryResult<Vec<(String, String, String)>> {
    orders::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("{LOOKUP_KEY} = "))
                .bind::<diesel::sql_types::Text, _>(key),
        )
        .select((
            orders::order_number,
            orders::customer_email,
            orders::ship_postal_code,
        ))
        .limit(2)
        .load(conn)
}

/// The order with its lines and shipments, its row held until the
/// transaction ends so that concurrent changes to its returns queue up. PostgreSQL
/// takes the row lock in the same read; SQLite writes through one connection (see
/// `db`), so its transactions are serialized already.
pub fn load_locked(
    conn: &mut DbConnection,
    order_number: &str,
) -> QueryResult<Option<OrderRecord>> {
    let order = match conn {
        DbConnection::Pg(pg) => orders::table
            .filter(orders::order_number.eq(order_number))
            .select(OrderRow::as_select())
            .for_update()
            .get_result(pg)
            .optional()?,
        DbConnection::Sqlite(_) => find_by_number(conn, order_number)?,
    };
    match order {
        Some(order) => load_parts(conn, order).map(Some),
        None => Ok(None),
    }
}

pub fn load(conn: &mut DbConnection, order_number: &str) -> QueryResult<Option<OrderRecord>> {
    let Some(order) = find_by_number(conn, order_number)? else {
        return Ok(None);
    };
    load_parts(conn, order).map(Some)
}

pub fn load_by_id(conn: &mut DbConnection, order_id: &str) -> QueryResult<OrderRecord> {
    let order = orders::table
        .find(order_id)
        .select(OrderRow::as_select())
        .get_result(conn)?;
    load_parts(conn, order)
}

fn load_parts(conn: &mut DbConnection, order: OrderRow) -> QueryResult<OrderRecord> {
    let lines = order_lines::table
        .filter(order_lines::order_id.eq(&order.id))
        .order(order_lines::line_id)
        .select(LineRow::as_select())
        .load(conn)?;
    let shipments = shipments::table
        .filter(shipments::order_id.eq(&order.id))
        .order(shipments::shipped_at)
        .select(ShipmentRow::as_select())
        .load(conn)?;
    Ok(OrderRecord {
        order,
        lines,
        shipments,
    })
}

/// Adds an RMA's quantities to what its order lines hold. The caller holds the order's
/// lock ([`load_locked`], [`lock`]).
pub fn hold_quantities(
    conn: &mut DbConnection,
    order_id: &str,
    lines: &[RmaLineRow],
) -> QueryResult<()> {
    add_held(conn, order_id, lines, 1)
}

/// Gives an RMA's quantities back to its order lines (it was rejected, cancelled or
/// expired), under the order's lock like RMA creation, so that the two queue up
/// instead of each waiting for a line the other has.
pub fn release_quantities(
    conn: &mut DbConnection,
    order_id: &str,
    lines: &[RmaLineRow],
) -> QueryResult<()> {
    lock(conn, order_id)?;
    add_held(conn, order_id, lines, -1)
}

/// Holds the order's row until the transaction ends (PostgreSQL; SQLite's one writer
/// serializes writes already).
pub fn lock(conn: &mut DbConnection, order_id: &str) -> QueryResult<()> {
    if let DbConnection::Pg(pg) = conn {
        orders::table
            .find(order_id)
            .select(orders::id)
            .for_update()
            .first::<String>(pg)?;
    }
    Ok(())
}

/// Lines in one order (by id), whoever writes them: no two writers wait on each other.
fn add_held(
    conn: &mut DbConnection,
    order_id: &str,
    lines: &[RmaLineRow],
    sign: i64,
) -> QueryResult<()> {
    let mut lines: Vec<&RmaLineRow> = lines.iter().collect();
    lines.sort_by(|a, b| a.line_id.cmp(&b.line_id));
    for line in lines {
        diesel::update(order_lines::table.find((order_id, &line.line_id)))
            .set(order_lines::held_quantity.eq(order_lines::held_quantity + sign * line.quantity))
            .execute(conn)?;
    }
    Ok(())
}

fn order_row(id: &str, order: &Order, created_at: DateTime<Utc>, now: DateTime<Utc>) -> OrderRow {
    let a = &order.ship_to;
    OrderRow {
        id: id.to_string(),
        order_number: order.order_number.clone(),
        currency: order.currency.code().to_string(),
        placed_at: naive(order.placed_at),
        customer_email: order.customer_email.clone(),
        customer_name: order.customer_name.clone(),
        customer_locale: order.customer_locale.clone(),
        ship_name: a.name.clone(),
        ship_line1: a.line1.clone(),
        ship_line2: a.line2.clone(),
        ship_city: a.city.clone(),
        ship_region: a.region.clone(),
        ship_postal_code: a.postal_code.clone(),
        ship_country: a.country.clone(),
        ship_lat: a.lat,
        ship_lon: a.lon,
        total_minor: order.total.minor(),
        created_at: naive(created_at),
        updated_at: naive(now),
        ship_phone: a.phone.clone(),
    }
}

fn line_rows(order_id: &str, order: &Order) -> Vec<LineRow> {
    order
        .lines
        .iter()
        .map(|l| LineRow {
            order_id: order_id.to_string(),
            line_id: l.line_id.clone(),
            sku: l.sku.clone(),
            title: l.title.clone(),
            category: l.category.clone(),
            quantity: l.quantity,
            unit_price_minor: l.unit_price.minor(),
            tax_minor: l.tax.minor(),
            delivered_at: None,
            weight_grams: l.weight_grams,
            held_quantity: 0,
            variant_of: l.variant_of.clone(),
            options: (!l.options.is_empty()).then(|| super::catalog::options_json(&l.options)),
        })
        .collect()
}

/// Creates the order, or updates it when the number is known. Returns the order id and
/// whether it was created. An update may not remove a line that has returns, nor change
/// the currency of an order that has RMAs.
pub fn upsert(
    conn: &mut DbConnection,
    order: &Order,
    now: DateTime<Utc>,
) -> Result<(String, bool), AppError> {
    let existing = find_by_number(conn, &order.order_number)?;
    let Some(existing) = existing else {
        let id = uuid::Uuid::now_v7().to_string();
        let inserted = diesel::insert_into(orders::table)
            .values(order_row(&id, order, now, now))
            .execute(conn);
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::Conflict(format!(
                    "order {} is being created by another request; retry",
                    order.order_number
                )))
            }
            other => other?,
        };
        for row in line_rows(&id, order) {
            diesel::insert_into(order_lines::table)
                .values(row)
                .execute(conn)?;
        }
        return Ok((id, true));
    };

    let id = existing.id.clone();
    let has_rmas = rmas::table
        .filter(rmas::order_id.eq(&id))
        .select(rmas::id)
        .first::<String>(conn)
        .optional()?
        .is_some();
    if has_rmas && existing.currency != order.currency.code() {
        return Err(AppError::Conflict(format!(
            "order {} has returns; its currency cannot change from {} to {}",
            order.order_number,
            existing.currency,
            order.currency.code()
        )));
    }
    diesel::update(orders::table.find(&id))
        .set(order_row(
            &id,
            order,
            crate::db::utc(existing.created_at),
            now,
        ))
        .execute(conn)?;

    let current: Vec<LineRow> = order_lines::table
        .filter(order_lines::order_id.eq(&id))
        .select(LineRow::as_select())
        .load(conn)?;
    let current_ids: HashSet<&str> = current.iter().map(|l| l.line_id.as_str()).collect();
    let wanted: HashSet<&str> = order.lines.iter().map(|l| l.line_id.as_str()).collect();
    for gone in current
        .iter()
        .filter(|l| !wanted.contains(l.line_id.as_str()))
    {
        if gone.held_quantity > 0 {
            return Err(AppError::Conflict(format!(
                "line {} has returns and cannot be removed from order {}",
                gone.line_id, order.order_number
            )));
        }
        diesel::delete(order_lines::table.find((&id, &gone.line_id))).execute(conn)?;
    }
    let delivered: HashMap<&str, Option<chrono::NaiveDateTime>> = current
        .iter()
        .map(|l| (l.line_id.as_str(), l.delivered_at))
        .collect();
    for mut row in line_rows(&id, order) {
        if current_ids.contains(row.line_id.as_str()) {
            row.delivered_at = delivered.get(row.line_id.as_str()).copied().flatten();
            diesel::update(order_lines::table.find((&id, &row.line_id)))
                .set(&row)
                .execute(conn)?;
        } else {
            diesel::insert_into(order_lines::table)
                .values(row)
                .execute(conn)?;
        }
    }
    Ok((id, false))
}

/// An outbound parcel to register on an order.
#[derive(Debug, Clone)]
pub struct NewShipment {
    pub carrier: String,
    pub tracking_number: String,
    pub service: Option<String>,
    pub shipped_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The lines in the parcel; `None` means all of them.
    pub line_ids: Option<Vec<String>>,
    /// Where the parcel left from (ISO 3166 alpha-2); abroad from the ship-to country
    /// makes it international for the tracking rules. `None`: domestic.
    pub origin_country: Option<String>,
    /// When to ask the carrier first (see `domain::tracking::first_poll`); `None`: at
    /// once.
    pub first_poll_at: Option<DateTime<Utc>>,
}

/// Registers an outbound parcel. Registering the same parcel again on the same order
/// returns it unchanged (`false`); on another order it is a conflict.
pub fn add_shipment(
    conn: &mut DbConnection,
    order: &OrderRow,
    shipment: &NewShipment,
    now: DateTime<Utc>,
) -> Result<(ShipmentRow, bool), AppError> {
    let existing: Option<ShipmentRow> = shipments::table
        .filter(shipments::carrier.eq(&shipment.carrier))
        .filter(shipments::tracking_number.eq(&shipment.tracking_number))
        .select(ShipmentRow::as_select())
        .get_result(conn)
        .optional()?;
    if let Some(existing) = existing {
        if existing.order_id == order.id {
            return Ok((existing, false));
        }
        return Err(AppError::Conflict(format!(
            "{} parcel {} is registered on another order",
            shipment.carrier, shipment.tracking_number
        )));
    }
    if let Some(ids) = &shipment.line_ids {
        let known: HashSet<String> = order_lines::table
            .filter(order_lines::order_id.eq(&order.id))
            .select(order_lines::line_id)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        if let Some((i, unknown)) = ids.iter().enumerate().find(|(_, id)| !known.contains(*id)) {
            return Err(AppError::does_not_fit(
                format!("line_ids[{i}]"),
                format!("order has no line {unknown:?}"),
            ));
        }
    }
    let row = ShipmentRow {
        id: uuid::Uuid::now_v7().to_string(),
        order_id: order.id.clone(),
        carrier: shipment.carrier.clone(),
        tracking_number: shipment.tracking_number.clone(),
        service: shipment.service.clone(),
        shipped_at: naive(shipment.shipped_at),
        delivered_at: shipment.delivered_at.map(naive),
        status: if shipment.delivered_at.is_some() {
            "delivered"
        } else {
            "in_transit"
        }
        .to_string(),
        created_at: naive(now),
        line_ids: shipment
            .line_ids
            .as_ref()
            .map(|ids| serde_json::Value::from(ids.clone()).to_string()),
    };
    diesel::insert_into(shipments::table)
        .values(&row)
        .execute(conn)?;
    let destination = order.ship_lat.zip(order.ship_lon);
    parcels::register(
        conn,
        NewParcel {
            direction: parcels::OUTBOUND,
            carrier: row.carrier.clone(),
            tracking_number: row.tracking_number.clone(),
            shipment_id: Some(row.id.clone()),
            rma_id: None,
            status: row.status.clone(),
            international: shipment
                .origin_country
                .as_ref()
                .is_some_and(|c| !c.eq_ignore_ascii_case(&order.ship_country)),
            destination,
            shipped_at: shipment.shipped_at,
            delivered_at: shipment.delivered_at,
            // Already delivered (an import of past orders): nothing left to watch.
            next_poll_at: shipment
                .delivered_at
                .is_none()
                .then(|| shipment.first_poll_at.unwrap_or(now)),
        },
        now,
    )?;
    if let Some(delivered) = shipment.delivered_at {
        mark_lines_delivered(conn, &order.id, shipment.line_ids.as_deref(), delivered)?;
    }
    Ok((row, true))
}

/// Sets the delivery date (the return window counts from it) on the lines a shipment
/// carried (`None`: all), where none is set yet.
pub fn mark_lines_delivered(
    conn: &mut DbConnection,
    order_id: &str,
    line_ids: Option<&[String]>,
    delivered: DateTime<Utc>,
) -> QueryResult<()> {
    let lines = order_lines::table
        .filter(order_lines::order_id.eq(order_id))
        .filter(order_lines::delivered_at.is_null());
    match line_ids {
        Some(ids) => diesel::update(lines.filter(order_lines::line_id.eq_any(ids)))
            .set(order_lines::delivered_at.eq(naive(delivered)))
            .execute(conn)?,
        None => diesel::update(lines)
            .set(order_lines::delivered_at.eq(naive(delivered)))
            .execute(conn)?,
    };
    Ok(())
}
