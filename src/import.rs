//! `backhaul import orders FILE.csv`: bulk-load orders from a shop export. One row per
//! order line; the order's own columns are read from its first row. Rows are validated
//! exactly like the API's `POST /orders`; bad orders are reported by CSV line number and
//! the good ones are imported in batches of one transaction each (or nothing at all with
//! `--all-or-nothing`).
//!
//! Columns (header row required, order free, optional ones may be left out):
//! `order_number, currency, placed_at, customer_email, customer_name, customer_locale?,
//! ship_name, ship_line1, ship_line2?, ship_city, ship_region?, ship_postal_code,
//! ship_country, ship_lat?, ship_lon?, ship_phone?, line_id, sku, title, category,
//! quantity, unit_price, tax, weight_grams?, variant_of?, options? (`size=M;colour=navy`),
//! carrier?, tracking_number?, shipped_at?, delivered_at?`

pub mod catalog;

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::db::orders::{self, NewShipment};
use crate::db::Db;
use crate::domain::catalog::parse_options;
use crate::domain::order::{
    check_time, AddressInput, CustomerInput, LineInput, Order, OrderInput, Problems,
};
use crate::domain::order_number::OrderNumber;
use crate::domain::InputErrors;
use crate::error::AppError;

pub const COLUMNS: &[&str] = &[
    "order_number",
    "currency",
    "placed_at",
    "customer_email",
    "customer_name",
    "customer_locale",
    "ship_name",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_country",
    "ship_lat",
    "ship_lon",
    "ship_phone",
    "line_id",
    "sku",
    "title",
    "category",
    "quantity",
    "unit_price",
    "tax",
    "weight_grams",
    "variant_of",
    "options",
    "carrier",
    "tracking_number",
    "shipped_at",
    "delivered_at",
];

const REQUIRED: &[&str] = &[
    "order_number",
    "currency",
    "placed_at",
    "customer_email",
    "customer_name",
    "ship_name",
    "ship_line1",
    "ship_city",
    "ship_postal_code",
    "ship_country",
    "line_id",
    "sku",
    "title",
    "category",
    "quantity",
    "unit_price",
    "tax",
];

#[derive(Debug, Deserialize)]
struct Row {
    order_number: String,
    currency: String,
    placed_at: String,
    customer_email: String,
    customer_name: String,
    #[serde(default)]
    customer_locale: Option<String>,
    ship_name: String,
    ship_line1: String,
    #[serde(default)]
    ship_line2: Option<String>,
    ship_city: String,
    #[serde(default)]
    ship_region: Option<String>,
    ship_postal_code: String,
    ship_country: String,
    #[serde(default)]
    ship_lat: Option<f64>,
    #[serde(default)]
    ship_lon: Option<f64>,
    #[serde(default)]
    ship_phone: Option<String>,
    line_id: String,
    sku: String,
    title: String,
    category: String,
    quantity: i64,
    unit_price: String,
    tax: String,
    #[serde(default)]
    weight_grams: Option<i64>,
    #[serde(default)]
    variant_of: Option<String>,
    #[serde(default)]
    options: Option<String>,
    #[serde(default)]
    carrier: Option<String>,
    #[serde(default)]
    tracking_number: Option<String>,
    #[serde(default)]
    shipped_at: Option<String>,
    #[serde(default)]
    delivered_at: Option<String>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub all_or_nothing: bool,
    pub batch_size: usize,
}

/// (CSV line number, problem), sorted by line.
pub type RowProblems = Vec<(u64, String)>;

#[derive(Debug, Default)]
pub struct ImportReport {
    pub orders_imported: usize,
    pub lines_imported: usize,
    pub rejected: RowProblems,
}

#[derive(Clone)]
struct PendingOrder {
    first_line: u64,
    order: Order,
    shipments: Vec<NewShipment>,
    lines: usize,
}

fn parse_time(field: &str, text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{field}: {text:?} is not an RFC 3339 time ({e})"))
}

fn blank_to_none(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

/// Reads a CSV file whose header row names at least `required`, groups its rows by
/// `key` (in the order the groups first appear; a group's rows may be apart) and turns
/// each group into a `T` with `build`: the ones built, and the problems by CSV line (a
/// group's by the line of its first row, naming all of its lines as `what` rows).
pub(crate) fn read_groups<R, T>(
    input: impl Read,
    required: &[&str],
    what: &str,
    key: impl Fn(&R) -> String,
    mut build: impl FnMut(Vec<(u64, R)>) -> Result<T, String>,
) -> Result<(Vec<T>, RowProblems), String>
where
    R: serde::de::DeserializeOwned,
{
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .clone();
    if let Some(missing) = required.iter().find(|c| !headers.iter().any(|h| h == **c)) {
        return Err(format!("the header row lacks the column {missing:?}"));
    }
    let mut rejected = Vec::new();
    let mut groups: Vec<Vec<(u64, R)>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rejected.push((line, e.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        match record.deserialize::<R>(Some(&headers)) {
            Ok(row) => {
                let at = *index.entry(key(&row)).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[at].push((line, row));
            }
            Err(e) => rejected.push((line, e.to_string())),
        }
    }

    let mut built = Vec::new();
    for rows in groups {
        let lines: Vec<u64> = rows.iter().map(|(l, _)| *l).collect();
        match build(rows) {
            Ok(group) => built.push(group),
            Err(problem) => {
                let where_ = lines
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                rejected.push((
                    lines[0],
                    format!("{problem} ({what} rows on lines {where_})"),
                ));
            }
        }
    }
    rejected.sort_by_key(|(line, _)| *line);
    Ok((built, rejected))
}

/// Input errors as one line of a report.
pub(crate) fn problems_text(errors: &InputErrors) -> String {
    errors
        .all()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Groups rows into orders, validating each; returns the good orders and the problems.
fn read_orders(
    input: impl Read,
    now: DateTime<Utc>,
) -> Result<(Vec<PendingOrder>, RowProblems), String> {
    // Rows of one order may spell its number differently (full-width digits).
    let key = |row: &Row| {
        OrderNumber::parse(&row.order_number)
            .map_or_else(|_| row.order_number.trim().to_string(), |n| n.into_string())
    };
    read_groups(input, REQUIRED, "order", key, |rows| build_order(rows, now))
}

fn build_order(rows: Vec<(u64, Row)>, now: DateTime<Utc>) -> Result<PendingOrder, String> {
    let (first_line, first) = (rows[0].0, &rows[0].1);
    let input = OrderInput {
        order_number: first.order_number.clone(),
        currency: first.currency.clone(),
        placed_at: parse_time("placed_at", &first.placed_at)?,
        customer: CustomerInput {
            email: first.customer_email.clone(),
            name: first.customer_name.clone(),
            locale: blank_to_none(first.customer_locale.clone()),
        },
        ship_to: AddressInput {
            name: first.ship_name.clone(),
            line1: first.ship_line1.clone(),
            line2: blank_to_none(first.ship_line2.clone()),
            city: first.ship_city.clone(),
            region: blank_to_none(first.ship_region.clone()),
            postal_code: first.ship_postal_code.clone(),
            country: first.ship_country.clone(),
            lat: first.ship_lat,
            lon: first.ship_lon,
            phone: blank_to_none(first.ship_phone.clone()),
        },
        lines: rows
            .iter()
            .map(|(_, r)| {
                Ok(LineInput {
                    line_id: r.line_id.clone(),
                    sku: r.sku.clone(),
                    title: r.title.clone(),
                    category: r.category.clone(),
                    quantity: r.quantity,
                    unit_price: r.unit_price.clone(),
                    tax: r.tax.clone(),
                    weight_grams: r.weight_grams,
                    variant_of: blank_to_none(r.variant_of.clone()),
                    options: parse_options(r.options.as_deref().unwrap_or(""))
                        .map_err(|e| format!("options: {e}"))?,
                })
            })
            .collect::<Result<_, String>>()?,
    };
    let order = input.validate(now).map_err(|e| problems_text(&e))?;
    let mut shipments: Vec<NewShipment> = Vec::new();
    for (_, r) in &rows {
        let (Some(carrier), Some(tracking)) = (
            blank_to_none(r.carrier.clone()),
            blank_to_none(r.tracking_number.clone()),
        ) else {
            continue;
        };
        let shipped_at = match blank_to_none(r.shipped_at.clone()) {
            Some(t) => parse_time("shipped_at", &t)?,
            None => order.placed_at,
        };
        let delivered_at = blank_to_none(r.delivered_at.clone())
            .map(|t| parse_time("delivered_at", &t))
            .transpose()?;
        let mut p = Problems::default();
        check_time(&mut p, "shipped_at", shipped_at, now);
        if let Some(delivered) = delivered_at {
            check_time(&mut p, "delivered_at", delivered, now);
        }
        if let Some(problem) = p.0.first() {
            return Err(format!("{}: {}", problem.field, problem.message));
        }
        let carrier = carrier.to_ascii_lowercase();
        let tracking = tracking.to_ascii_uppercase();
        match shipments
            .iter_mut()
            .find(|s| s.carrier == carrier && s.tracking_number == tracking)
        {
            Some(s) => s
                .line_ids
                .get_or_insert_with(Vec::new)
                .push(r.line_id.trim().to_string()),
            None => shipments.push(NewShipment {
                carrier,
                tracking_number: tracking,
                service: None,
                shipped_at,
                delivered_at,
                line_ids: Some(vec![r.line_id.trim().to_string()]),
                origin_country: None,
                first_poll_at: None,
            }),
        }
    }
    Ok(PendingOrder {
        first_line,
        lines: order.lines.len(),
        order,
        shipments,
    })
}

/// Imports `input` into `db`. `progress(done, total)` is called after each batch.
pub fn import_orders(
    db: &Db,
    input: impl Read,
    options: ImportOptions,
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize, usize),
) -> Result<ImportReport, String> {
    let (orders, rejected) = read_orders(input, now)?;
    let mut report = ImportReport {
        rejected,
        ..ImportReport::default()
    };
    if options.all_or_nothing && !report.rejected.is_empty() {
        return Ok(report);
    }
    let batch_size = if options.all_or_nothing {
        orders.len().max(1)
    } else {
        options.batch_size.max(1)
    };
    let total = orders.len();
    for batch in orders.chunks(batch_size) {
        match store(db, batch, now) {
            Ok(()) => report.count(batch),
            Err(_) if options.all_or_nothing => {
                return Err(
                    "nothing imported: the database refused the import (see the log)".into(),
                )
            }
            // One order spoiled the batch: store its orders one by one to find it.
            Err(_) => {
                for pending in batch {
                    match store(db, std::slice::from_ref(pending), now) {
                        Ok(()) => report.count(std::slice::from_ref(pending)),
                        Err(e) => report.rejected.push((
                            pending.first_line,
                            format!("order {}: {e}", pending.order.order_number),
                        )),
                    }
                }
            }
        }
        progress(report.orders_imported, total);
    }
    report.rejected.sort_by_key(|(line, _)| *line);
    Ok(report)
}

impl ImportReport {
    fn count(&mut self, batch: &[PendingOrder]) {
        self.orders_imported += batch.len();
        self.lines_imported += batch.iter().map(|p| p.lines).sum::<usize>();
    }
}

fn store(db: &Db, batch: &[PendingOrder], now: DateTime<Utc>) -> Result<(), AppError> {
    let batch = batch.to_vec();
    db.write_blocking(move |c| {
        for pending in &batch {
            let (id, _) = orders::upsert(c, &pending.order, now)?;
            let order = orders::load_by_id(c, &id)?.order;
            for shipment in &pending.shipments {
                orders::add_shipment(c, &order, shipment, now)?;
            }
        }
        Ok(())
    })
}
