//! Figures for the operations dashboard: small, bounded reads that the page aggregates.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{incidents, order_lines, orders, parcels, refund_triggers, rma_lines, rmas};
use super::{naive, DbConnection};
use crate::domain::money::line_value;
use crate::domain::RmaStatus;

/// A returned line as the dashboard counts it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnedLine {
    pub reason: String,
    pub sku: String,
    pub category: String,
    pub quantity: i64,
    pub resolution: String,
    pub status: RmaStatus,
    pub currency: String,
    pub created_at: chrono::NaiveDateTime,
    /// What the returned units were bought for, tax included, in minor units.
    pub value_minor: i64,
}

/// The most recent returned lines, `limit` at most.
pub fn returned_lines(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<ReturnedLine>> {
    type Row = (
        String,
        String,
        String,
        i64,
        String,
        RmaStatus,
        String,
        chrono::NaiveDateTime,
    );
    let lines: Vec<Row> = rma_lines::table
        .inner_join(rmas::table)
        .order(rmas::created_at.desc())
        .limit(limit)
        .select((
            rmas::order_id,
            rma_lines::line_id,
            rma_lines::reason,
            rma_lines::quantity,
            rmas::resolution,
            rmas::status,
            rmas::currency,
            rmas::created_at,
        ))
        .load(conn)?;
    let order_ids: Vec<&String> = lines.iter().map(|l| &l.0).collect();
    type Ordered = (String, String, String, String, i64, i64, i64);
    let ordered: Vec<Ordered> = order_lines::table
        .filter(order_lines::order_id.eq_any(order_ids))
        .select((
            order_lines::order_id,
            order_lines::line_id,
            order_lines::sku,
            order_lines::category,
            order_lines::unit_price_minor,
            order_lines::tax_minor,
            order_lines::quantity,
        ))
        .load(conn)?;
    Ok(lines
        .into_iter()
        .map(
            |(order, line, reason, quantity, resolution, status, currency, created_at)| {
                let found = ordered.iter().find(|o| o.0 == order && o.1 == line);
                let value_minor = found
                    .and_then(|o| line_value(o.4, o.5, quantity, o.6))
                    .and_then(|v| v.total())
                    .unwrap_or(0);
                ReturnedLine {
                    reason,
                    sku: found.map(|o| o.2.clone()).unwrap_or_default(),
                    category: found.map(|o| o.3.clone()).unwrap_or_default(),
                    quantity,
                    resolution,
                    status,
                    currency,
                    created_at,
                    value_minor,
                }
            },
        )
        .collect())
}

/// (orders, RMAs) in all.
pub fn return_rate(conn: &mut DbConnection) -> QueryResult<(i64, i64)> {
    let orders: i64 = orders::table.count().get_result(conn)?;
    let returns: i64 = rmas::table.count().get_result(conn)?;
    Ok((orders, returns))
}

/// (carrier, shipped, delivered) of delivered outbound parcels, most recent first.
pub fn transits(
    conn: &mut DbConnection,
    limit: i64,
) -> QueryResult<Vec<(String, chrono::NaiveDateTime, chrono::NaiveDateTime)>> {
    let rows: Vec<(String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> = parcels::table
        .filter(parcels::direction.eq("outbound"))
        .filter(parcels::delivered_at.is_not_null())
        .order(parcels::delivered_at.desc())
        .limit(limit)
        .select((parcels::carrier, parcels::shipped_at, parcels::delivered_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, s, d)| Some((c, s, d?)))
        .collect())
}

/// Per carrier: (outbound parcels, of them with a lost incident).
pub fn losses(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64, i64)>> {
    use diesel::dsl::count_star;
    let all: Vec<(String, i64)> = parcels::table
        .filter(parcels::direction.eq("outbound"))
        .group_by(parcels::carrier)
        .select((parcels::carrier, count_star()))
        .load(conn)?;
    let lost: Vec<(String, i64)> = incidents::table
        .inner_join(parcels::table)
        .filter(incidents::kind.eq("lost"))
        .group_by(parcels::carrier)
        .select((parcels::carrier, count_star()))
        .load(conn)?;
    Ok(all
        .into_iter()
        .map(|(carrier, n)| {
            let l = lost.iter().find(|x| x.0 == carrier).map_or(0, |x| x.1);
            (carrier, n, l)
        })
        .collect())
}

/// (created, currency, amount) of refund triggers since `since`: money paid back, not
/// the amounts customers owe for dearer exchanges.
pub fn refunds_since(
    conn: &mut DbConnection,
    since: DateTime<Utc>,
) -> QueryResult<Vec<(chrono::NaiveDateTime, String, i64)>> {
    refund_triggers::table
        .filter(refund_triggers::created_at.ge(naive(since)))
        .filter(refund_triggers::method.ne(crate::domain::RefundMethod::ChargeCustomer.as_str()))
        .order(refund_triggers::created_at)
        .select((
            refund_triggers::created_at,
            refund_triggers::currency,
            refund_triggers::amount_minor,
        ))
        .load(conn)
}

/// An RMA waiting on the way: its id, number, status and since when.
pub type StalledRow = (String, String, String, chrono::NaiveDateTime);

/// Up to `limit` RMAs waiting on the way (label issued or in transit) since before
/// `before`, the longest waiting first; those after `after` when given.
pub fn stalled(
    conn: &mut DbConnection,
    before: DateTime<Utc>,
    after: Option<&super::PageStart>,
    limit: i64,
) -> QueryResult<Vec<StalledRow>> {
    let mut query = rmas::table
        .filter(rmas::status.eq_any([
            RmaStatus::LabelIssued,
            RmaStatus::InTransit,
            RmaStatus::DeliveredToWarehouse,
        ]))
        .filter(rmas::updated_at.lt(naive(before)))
        .order((rmas::updated_at, rmas::id))
        .limit(limit)
        .select((rmas::id, rmas::number, rmas::status, rmas::updated_at))
        .into_boxed();
    if let Some(start) = after {
        query = super::newer_than!(query, rmas::updated_at, rmas::id, start);
    }
    query.load(conn)
}
