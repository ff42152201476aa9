//! The catalogue: product groups and their variants, replaced a whole group at a time.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{catalog_variants, product_groups};
use super::{naive, try_insert, DbConnection};
use crate::domain::catalog::{ProductGroup, Variant};
use crate::domain::{Currency, FieldError};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = product_groups)]
pub struct ProductGroupRow {
    pub id: String,
    pub currency: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = catalog_variants)]
pub struct VariantRow {
    pub sku: String,
    pub product_group: String,
    /// Where the shop listed it in the group.
    pub position: i32,
    pub title: String,
    /// JSON object of option name to value.
    pub options: String,
    pub price_minor: i64,
    pub available: i64,
}

impl VariantRow {
    pub fn options(&self) -> BTreeMap<String, String> {
        read_options(&self.options)
    }
}

/// Options as stored: a JSON object of name to value.
pub fn options_json(options: &BTreeMap<String, String>) -> String {
    // A map of strings always serializes.
    serde_json::to_string(options).unwrap_or_else(|_| "{}".to_string())
}

/// Options as [`options_json`] stored them (none when unreadable: nothing else writes
/// them).
pub fn read_options(json: &str) -> BTreeMap<String, String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// A product group with its variants in the shop's order.
#[derive(Debug, Clone)]
pub struct GroupRecord {
    pub group: ProductGroupRow,
    pub variants: Vec<VariantRow>,
}

/// Replaces the variants of `group` with the ones given, creating the group when it
/// is new (`Ok(true)`). A SKU another group has is refused, naming the variant.
pub fn replace(
    conn: &mut DbConnection,
    group: &ProductGroup,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let skus: Vec<&str> = group.variants.iter().map(|v| v.sku.as_str()).collect();
    let taken: Vec<(String, String)> = catalog_variants::table
        .filter(catalog_variants::sku.eq_any(&skus))
        .filter(catalog_variants::product_group.ne(&group.id))
        .select((catalog_variants::sku, catalog_variants::product_group))
        .load(conn)?;
    let elsewhere: Vec<FieldError> = group
        .variants
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let (_, other) = taken.iter().find(|(sku, _)| *sku == v.sku)?;
            Some(FieldError {
                field: format!("variants[{i}].sku"),
                message: format!("{:?} belongs to product group {other:?}", v.sku),
            })
        })
        .collect();
    AppError::from_fields(Vec::new(), elsewhere)?;

    // Held until the transaction ends, so two puts of one group replace it in turn
    // (SQLite's one writer already serializes them).
    let existing = match conn {
        DbConnection::Pg(pg) => product_groups::table
            .find(&group.id)
            .select(ProductGroupRow::as_select())
            .for_update()
            .first(pg)
            .optional()?,
        DbConnection::Sqlite(_) => product_groups::table
            .find(&group.id)
            .select(ProductGroupRow::as_select())
            .first(conn)
            .optional()?,
    };
    let created = existing.is_none();
    match existing {
        None => {
            let row = ProductGroupRow {
                id: group.id.clone(),
                currency: group.currency.code().to_string(),
                created_at: naive(now),
                updated_at: naive(now),
            };
            let inserted = try_insert(conn, |c| {
                diesel::insert_into(product_groups::table)
                    .values(&row)
                    .execute(c)
            })?;
            if !inserted {
                return Err(AppError::Conflict(format!(
                    "product group {} is being created by another request; retry",
                    group.id
                )));
            }
        }
        Some(_) => {
            diesel::update(product_groups::table.find(&group.id))
                .set((
                    product_groups::currency.eq(group.currency.code()),
                    product_groups::updated_at.eq(naive(now)),
                ))
                .execute(conn)?;
            diesel::delete(
                catalog_variants::table.filter(catalog_variants::product_group.eq(&group.id)),
            )
            .execute(conn)?;
        }
    }
    // By SKU, whatever their position: two puts that both name SKUs X and Y then
    // claim them in the same order, and the second waits for the first instead of
    // each waiting for the other.
    let mut variants: Vec<(usize, &Variant)> = group.variants.iter().enumerate().collect();
    variants.sort_by(|a, b| a.1.sku.cmp(&b.1.sku));
    for (position, v) in variants {
        let row = VariantRow {
            sku: v.sku.clone(),
            product_group: group.id.clone(),
            position: i32::try_from(position).unwrap_or(i32::MAX),
            title: v.title.clone(),
            options: options_json(&v.options),
            price_minor: v.price.minor(),
            available: v.available,
        };
        let inserted = try_insert(conn, |c| {
            diesel::insert_into(catalog_variants::table)
                .values(&row)
                .execute(c)
        })?;
        if !inserted {
            return Err(AppError::Conflict(format!(
                "SKU {} was put in another product group meanwhile; retry",
                v.sku
            )));
        }
    }
    Ok(created)
}

/// Takes the variants of the groups `ids` out, so that a file moving a SKU from one of
/// them to another stores in any order.
pub fn remove_variants(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<usize> {
    diesel::delete(catalog_variants::table.filter(catalog_variants::product_group.eq_any(ids)))
        .execute(conn)
}

/// The variants with these SKUs, each with its group's currency.
pub fn variants(
    conn: &mut DbConnection,
    skus: &[&str],
) -> Result<Vec<(VariantRow, Currency)>, AppError> {
    let rows: Vec<(VariantRow, String)> = catalog_variants::table
        .inner_join(product_groups::table)
        .filter(catalog_variants::sku.eq_any(skus))
        .select((VariantRow::as_select(), product_groups::currency))
        .load(conn)?;
    rows.into_iter()
        .map(|(v, code)| {
            let currency = Currency::parse(&code).map_err(|e| AppError::Internal(e.to_string()))?;
            Ok((v, currency))
        })
        .collect()
}

/// Takes `quantity` of `sku` for an exchange; `false` when fewer are available.
pub fn take(conn: &mut DbConnection, sku: &str, quantity: i64) -> QueryResult<bool> {
    let taken = diesel::update(
        catalog_variants::table
            .find(sku)
            .filter(catalog_variants::available.ge(quantity)),
    )
    .set(catalog_variants::available.eq(catalog_variants::available - quantity))
    .execute(conn)?;
    Ok(taken == 1)
}

/// Gives `quantity` of `sku` back (the exchange was cancelled, rejected or expired);
/// nothing when the shop has since taken the variant out of its catalogue.
pub fn give_back(conn: &mut DbConnection, sku: &str, quantity: i64) -> QueryResult<()> {
    diesel::update(catalog_variants::table.find(sku))
        .set(catalog_variants::available.eq(catalog_variants::available + quantity))
        .execute(conn)
        .map(|_| ())
}

/// The product group `id` with its variants.
pub fn load(conn: &mut DbConnection, id: &str) -> QueryResult<Option<GroupRecord>> {
    let Some(group) = product_groups::table
        .find(id)
        .select(ProductGroupRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let variants = catalog_variants::table
        .filter(catalog_variants::product_group.eq(id))
        .order(catalog_variants::position)
        .select(VariantRow::as_select())
        .load(conn)?;
    Ok(Some(GroupRecord { group, variants }))
}
