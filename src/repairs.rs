//! Warranty repairs after inspection: the repair order opened for what passed, its
//! moves at the bench (`domain::repair`), and what ends it — the item going back to the
//! customer in a parcel tracked like any outbound one, or, when it cannot be repaired,
//! the policy's fallback: a refund trigger for its price and tax, or a replacement in
//! the warehouse's queue.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::fulfilments::{self, FulfilmentLine, FulfilmentRow};
use crate::db::orders::{self, NewShipment, OrderRecord};
use crate::db::refunds::{self, TriggerFor, TriggerRow};
use crate::db::repairs::{self, ListedRepair, RepairRow, RepairStep};
use crate::db::rmas::{self, Audit, RmaRow};
use crate::db::{naive, DbConnection};
use crate::domain::display;
use crate::domain::money::line_value;
use crate::domain::repair::{repair_move, RepairFallback, RepairStatus};
use crate::domain::{RefundMethod, RmaEvent, RmaNumber};
use crate::error::AppError;
use crate::paging::{self, Page};
use crate::refunds::{Calculation, KeepItRefund, KeepItRefundLine};

/// A repair as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Repair {
    pub id: String,
    pub status: RepairStatus,
    pub rma_number: String,
    pub order_number: String,
    /// What is at the bench.
    pub lines: Vec<FulfilmentLine>,
    /// Every move, oldest first, with who made it and why.
    pub history: Vec<RepairStep>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The parcel it went back in, once shipped back: tracked like any outbound parcel.
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
}

impl Repair {
    pub fn new(r: &ListedRepair) -> Repair {
        let row = &r.repair;
        let ts = display::time;
        Repair {
            id: row.id.clone(),
            status: row.status.parse().unwrap_or(RepairStatus::Received),
            rma_number: r.rma_number.clone(),
            order_number: r.order_number.clone(),
            lines: row.lines(),
            history: row.history(),
            created_at: ts(row.created_at),
            updated_at: ts(row.updated_at),
            carrier: r.parcel.as_ref().map(|p| p.0.clone()),
            tracking_number: r.parcel.as_ref().map(|p| p.1.clone()),
        }
    }
}

fn json<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

/// Opens the repair of `rma` for `accepted` (line id, quantity that passed), in the
/// inspection's transaction.
pub fn open(
    c: &mut DbConnection,
    rma: &RmaRow,
    order: &OrderRecord,
    accepted: &[(String, i64)],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<RepairRow, AppError> {
    let lines: Vec<FulfilmentLine> = accepted
        .iter()
        .filter(|(_, n)| *n > 0)
        .filter_map(|(id, n)| {
            let o = order.lines.iter().find(|l| l.line_id == *id)?;
            Some(FulfilmentLine {
                line_id: id.clone(),
                sku: o.sku.clone(),
                title: o.title.clone(),
                quantity: *n,
            })
        })
        .collect();
    let step = RepairStep {
        status: RepairStatus::Received,
        note: None,
        actor: actor.to_string(),
        at: display::time(naive(now)),
    };
    let row = RepairRow {
        id: uuid::Uuid::now_v7().to_string(),
        rma_id: rma.id.clone(),
        order_id: rma.order_id.clone(),
        status: RepairStatus::Received.as_str().to_string(),
        lines: json(&lines)?,
        history: json(&[step])?,
        created_at: naive(now),
        updated_at: naive(now),
        shipment_id: None,
    };
    repairs::insert(c, &row)?;
    Ok(row)
}

/// Repairs with `status` (all when `None`), oldest first, `limit` at a time after
/// repair `cursor`.
pub fn page(
    c: &mut DbConnection,
    status: Option<RepairStatus>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<ListedRepair>, AppError> {
    let after = paging::id_cursor(cursor, "repair")?;
    let found = repairs::page(c, status.map(|s| s.as_str()), after, limit + 1)?;
    Ok(Page::cut(found, limit, |r| &r.repair.id))
}

/// A move asked for: where to, why, and for `shipped_back` the parcel it leaves in.
pub struct RepairMove {
    pub to: RepairStatus,
    pub note: Option<String>,
    pub parcel: Option<NewShipment>,
}

/// Moves repair `id` as `asked`, with what the move brings: the parcel registered on
/// the order for `shipped_back`, the fallback for `unrepairable`. 404 for no such
/// repair, 409 for a move its status does not allow (or another made meanwhile).
pub fn advance(
    c: &mut DbConnection,
    fallback: RepairFallback,
    id: &str,
    asked: RepairMove,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ListedRepair, AppError> {
    repairs::lock(c, id)?;
    let found = repairs::find(c, id)?.ok_or_else(|| AppError::not_found("repair"))?;
    let from: RepairStatus = found
        .repair
        .status
        .parse()
        .map_err(|e: crate::domain::UnknownValue| AppError::Internal(e.to_string()))?;
    repair_move(from, asked.to).map_err(|e| AppError::Conflict(e.to_string()))?;
    let order = orders::load_by_id(c, &found.repair.order_id)?;
    let rma = rmas::find_by_id(c, &found.repair.rma_id)?
        .ok_or_else(|| AppError::Internal("a repair without its RMA".into()))?;
    let mut shipment_id = None;
    let mut note = asked.note;
    match (asked.to, asked.parcel) {
        (RepairStatus::ShippedBack, Some(mut parcel)) => {
            parcel.line_ids = Some(
                found
                    .repair
                    .lines()
                    .into_iter()
                    .map(|l| l.line_id)
                    .collect(),
            );
            let (row, created) = orders::add_shipment(c, &order.order, &parcel, now)?;
            if !created {
                return Err(AppError::Conflict(format!(
                    "{} parcel {} is already one of order {}'s; give the repaired item's own",
                    parcel.carrier, parcel.tracking_number, found.order_number
                )));
            }
            shipment_id = Some(row.id);
            // The item is the customer's again: it may come back another day.
            let held = rmas::lines(c, &rma.id)?;
            orders::release_quantities(c, &rma.order_id, &held)?;
        }
        (RepairStatus::ShippedBack, None) => {
            return Err(AppError::invalid(
                "tracking_number",
                "name the parcel it goes back in (carrier and tracking_number)",
            ))
        }
        (RepairStatus::Unrepairable, _) => {
            let done = unrepairable(c, fallback, &rma, &order, &found.repair, actor, now)?;
            note = Some(match note {
                Some(n) => format!("{n} — {done}"),
                None => done,
            });
        }
        _ => {}
    }
    let mut history = found.repair.history();
    history.push(RepairStep {
        status: asked.to,
        note,
        actor: actor.to_string(),
        at: display::time(naive(now)),
    });
    if !repairs::moved(
        c,
        id,
        from.as_str(),
        asked.to.as_str(),
        &json(&history)?,
        shipment_id.as_deref(),
        naive(now),
    )? {
        return Err(AppError::Conflict(
            "the repair was moved by another request meanwhile".into(),
        ));
    }
    repairs::find(c, id)?.ok_or_else(|| AppError::Internal("the repair just moved is gone".into()))
}

/// The policy's fallback for an item that cannot be repaired; what was done, in words.
fn unrepairable(
    c: &mut DbConnection,
    fallback: RepairFallback,
    rma: &RmaRow,
    order: &OrderRecord,
    repair: &RepairRow,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let lines = repair.lines();
    match fallback {
        RepairFallback::Replacement => {
            let row = FulfilmentRow {
                id: uuid::Uuid::now_v7().to_string(),
                rma_id: rma.id.clone(),
                order_id: rma.order_id.clone(),
                status: fulfilments::TO_SHIP.to_string(),
                lines: json(&lines)?,
                created_at: naive(now),
                shipped_at: None,
                shipment_id: None,
            };
            fulfilments::insert(c, &row)?;
            Ok("a replacement is in the warehouse's queue".into())
        }
        RepairFallback::Refund => {
            let overflow = || AppError::Internal(format!("RMA {}: amounts overflow", rma.number));
            let money = |minor: i64| display::amount(minor, &rma.currency);
            let mut refund_lines = Vec::with_capacity(lines.len());
            let mut total = 0i64;
            for l in &lines {
                let o = order
                    .lines
                    .iter()
                    .find(|o| o.line_id == l.line_id)
                    .ok_or_else(overflow)?;
                let value = line_value(o.unit_price_minor, o.tax_minor, l.quantity, o.quantity)
                    .ok_or_else(overflow)?;
                let worth = value.total().ok_or_else(overflow)?;
                total = total.checked_add(worth).ok_or_else(overflow)?;
                refund_lines.push(KeepItRefundLine {
                    line_id: l.line_id.clone(),
                    quantity: l.quantity,
                    item_amount: money(value.item),
                    tax_share: money(value.tax),
                    restocking_fee: money(0),
                    refund: money(worth),
                });
            }
            let words = format!(
                "could not be repaired: {} {} refunded, price and tax",
                money(total),
                rma.currency
            );
            let calculation = Calculation::KeepIt(KeepItRefund {
                source: "unrepairable".into(),
                currency: rma.currency.clone(),
                lines: refund_lines,
                total: money(total),
                notes: vec![words.clone()],
            });
            let trigger = TriggerRow::pending(
                TriggerFor::Rma(&rma.id),
                &rma.order_id,
                total,
                &rma.currency,
                RefundMethod::OriginalPayment.as_str(),
                json(&calculation)?,
                now,
            );
            refunds::create_trigger(c, &trigger, now)?;
            let number = RmaNumber::parse(&rma.number)
                .map_err(|e| AppError::Internal(format!("RMA {}: {e}", rma.number)))?;
            let note = format!("unrepairable: refund trigger {}", trigger.id);
            let audit = Audit {
                actor,
                note: Some(&note),
                at: now,
            };
            rmas::apply_event(c, &number, RmaEvent::TriggerRefund, audit)?;
            Ok(words)
        }
    }
}
