//! The JSON shapes of orders and RMAs, built from storage rows. Money goes out as the
//! currency's decimal string, times as RFC 3339 UTC.

use chrono::NaiveDateTime;
use serde_json::{json, Value};

use crate::db::orders::OrderRecord;
use crate::db::rmas::{RmaEventRow, RmaLineRow, RmaRow};
use crate::domain::routing::Warehouse;

pub use crate::domain::display::{amount, time as ts};

pub fn opt_ts(t: Option<NaiveDateTime>) -> Value {
    t.map_or(Value::Null, |t| Value::String(ts(t)))
}

/// Masks the customer's email, name, street and coordinates (a postcode look-up sees
/// the order, not who and where exactly).
pub fn mask_customer(o: &mut crate::db::orders::OrderRow) {
    use crate::domain::privacy::{mask_email, mask_words};
    o.customer_email = mask_email(&o.customer_email);
    o.customer_name = mask_words(&o.customer_name);
    o.ship_name = mask_words(&o.ship_name);
    o.ship_line1 = mask_words(&o.ship_line1);
    o.ship_line2 = o.ship_line2.as_deref().map(mask_words);
    o.ship_lat = None;
    o.ship_lon = None;
}

pub fn order(record: &OrderRecord) -> Value {
    let o = &record.order;
    let c = o.currency.as_str();
    json!({
        "order_number": o.order_number,
        "currency": c,
        "placed_at": ts(o.placed_at),
        "total": amount(o.total_minor, c),
        "customer": {"email": o.customer_email, "name": o.customer_name, "locale": o.customer_locale},
        "ship_to": {
            "name": o.ship_name, "line1": o.ship_line1, "line2": o.ship_line2, "city": o.ship_city,
            "region": o.ship_region, "postal_code": o.ship_postal_code, "country": o.ship_country,
            "lat": o.ship_lat, "lon": o.ship_lon,
        },
        "lines": record.lines.iter().map(|l| json!({
            "line_id": l.line_id,
            "sku": l.sku,
            "title": l.title,
            "category": l.category,
            "quantity": l.quantity,
            "unit_price": amount(l.unit_price_minor, c),
            "tax": amount(l.tax_minor, c),
            "returnable_quantity": record.returnable_quantity(l),
            "delivered_at": opt_ts(l.delivered_at),
        })).collect::<Vec<_>>(),
        "shipments": record.shipments.iter().map(|s| json!({
            "carrier": s.carrier,
            "tracking_number": s.tracking_number,
            "service": s.service,
            "shipped_at": ts(s.shipped_at),
            "delivered_at": opt_ts(s.delivered_at),
            "status": s.status,
        })).collect::<Vec<_>>(),
        "created_at": ts(o.created_at),
        "updated_at": ts(o.updated_at),
    })
}

pub fn shipment(s: &crate::db::orders::ShipmentRow, order_number: &str) -> Value {
    json!({
        "order_number": order_number,
        "carrier": s.carrier,
        "tracking_number": s.tracking_number,
        "service": s.service,
        "shipped_at": ts(s.shipped_at),
        "delivered_at": opt_ts(s.delivered_at),
        "status": s.status,
    })
}

pub fn event(e: &RmaEventRow) -> Value {
    json!({
        "at": ts(e.at),
        "event": e.event,
        "from": e.from_status,
        "to": e.to_status,
        "actor": e.actor,
        "note": e.note,
    })
}

/// An RMA's lines with what the order says about each item.
pub fn rma_lines(order: &OrderRecord, lines: &[RmaLineRow], currency: &str) -> Vec<Value> {
    crate::receiving::RmaLine::all(order, lines, currency)
        .iter()
        .map(|l| json!(l))
        .collect()
}

/// One RMA in full. `return_to` is the warehouse when it is still configured.
/// What an RMA view shows beside the RMA itself, each already in its JSON shape. A new
/// RMA has none of them.
pub struct RmaParts {
    pub label: Value,
    pub parcels: Value,
    pub photos: Value,
}

impl Default for RmaParts {
    fn default() -> Self {
        RmaParts {
            label: Value::Null,
            parcels: json!([]),
            photos: json!([]),
        }
    }
}

pub fn rma(
    r: &RmaRow,
    order: &OrderRecord,
    lines: &[RmaLineRow],
    events: &[RmaEventRow],
    return_to: Option<&Warehouse>,
    parts: RmaParts,
) -> Value {
    let RmaParts {
        label,
        parcels,
        photos,
    } = parts;
    let c = r.currency.as_str();
    let decision: Value = serde_json::from_str(&r.decision).unwrap_or(Value::Null);
    json!({
        "number": r.number,
        "status": r.status,
        "order_number": order.order.order_number,
        "resolution": r.resolution,
        "currency": c,
        "label_payer": r.label_payer,
        "estimated_refund": amount(r.estimated_refund_minor, c),
        "lines": rma_lines(order, lines, c),
        "decision": decision,
        "return_to": return_to.map_or_else(|| json!({"code": r.return_to}), |w| json!(w)),
        "comment": r.comment,
        "label": label,
        "parcels": parcels,
        "photos": photos,
        "timeline": events.iter().map(event).collect::<Vec<_>>(),
        "created_at": ts(r.created_at),
        "updated_at": ts(r.updated_at),
    })
}

/// A short RMA for lists.
pub fn rma_summary(r: &RmaRow, order_number: &str) -> Value {
    let c = r.currency.as_str();
    json!({
        "number": r.number,
        "status": r.status,
        "order_number": order_number,
        "resolution": r.resolution,
        "currency": c,
        "label_payer": r.label_payer,
        "estimated_refund": amount(r.estimated_refund_minor, c),
        "return_to": r.return_to,
        "created_at": ts(r.created_at),
        "updated_at": ts(r.updated_at),
    })
}

/// An incident with the parcel it is about and the order or RMA that parcel belongs to.
pub fn incident(
    i: &crate::db::parcels::IncidentRow,
    p: &crate::db::parcels::ParcelRow,
    owner: Option<&str>,
) -> Value {
    let resolution = i.resolved_at.map(|at| {
        json!({
            "action": i.action,
            "amount": i.amount_minor.zip(i.currency.as_deref()).map(|(m, c)| amount(m, c)),
            "currency": i.currency,
            "claim_reference": i.claim_reference,
            "replacement_shipment_id": i.replacement_shipment_id,
            "refund_trigger_id": i.refund_trigger_id,
            "note": i.note,
            "resolved_by": i.resolved_by,
            "resolved_at": ts(at),
        })
    });
    let direction = p.direction.as_str();
    json!({
        "id": i.id,
        "kind": i.kind,
        "detail": i.detail,
        "status": if i.resolved_at.is_some() { "resolved" } else { "open" },
        "opened_at": ts(i.opened_at),
        "resolution": resolution,
        "parcel": parcel(p),
        "order_number": if direction == crate::db::parcels::OUTBOUND { owner } else { None },
        "rma_number": if direction == crate::db::parcels::INBOUND { owner } else { None },
    })
}

/// A tracked parcel as the API shows it.
pub fn parcel(p: &crate::db::parcels::ParcelRow) -> Value {
    json!({
        "id": p.id,
        "direction": p.direction,
        "carrier": p.carrier,
        "tracking_number": p.tracking_number,
        "status": p.status,
        "exception": p.exception,
        "last_event_at": opt_ts(p.last_event_at),
        "estimated_delivery": opt_ts(p.estimated_delivery),
        "promised_delivery": opt_ts(p.promised_delivery),
        "delivered_at": opt_ts(p.delivered_at),
        "next_poll_at": opt_ts(p.next_poll_at),
    })
}

/// A parcel with its carrier scans, oldest first.
pub fn tracked_parcel(
    p: &crate::db::parcels::ParcelRow,
    events: &[crate::db::parcels::EventRow],
) -> Value {
    let mut view = parcel(p);
    view["events"] = events
        .iter()
        .map(|e| {
            json!({
                "at": ts(e.at),
                "status": e.status,
                "exception": e.exception,
                "description": e.description,
                "raw_code": e.raw_code,
                "city": e.city,
                "country": e.country,
            })
        })
        .collect();
    view
}

/// A scanned box as the API shows it.
pub fn received_parcel(p: &crate::db::received::ReceivedRow, rma_number: Option<&str>) -> Value {
    json!(crate::receiving::ReceivedParcel::new(p, rma_number))
}

/// A refund trigger in short, as an inspection answers with it.
pub fn refund_trigger_brief(t: &crate::db::refunds::TriggerRow) -> Value {
    json!(crate::inspection::RefundTriggerBrief::new(t))
}

/// A refund trigger as finance sees it.
pub fn refund_trigger(
    t: &crate::db::refunds::TriggerRow,
    order_number: &str,
    rma_number: Option<&str>,
) -> Value {
    let mut view = refund_trigger_brief(t);
    view["order_number"] = json!(order_number);
    view["rma_number"] = json!(rma_number);
    view["incident_id"] = json!(t.incident_id);
    view["calculation"] = serde_json::from_str(&t.calculation).unwrap_or(Value::Null);
    view["created_at"] = json!(ts(t.created_at));
    view["emailed_at"] = opt_ts(t.emailed_at);
    view["acknowledged_at"] = opt_ts(t.acknowledged_at);
    view["acknowledged_by"] = json!(t.acknowledged_by);
    view["idempotency_key"] = json!(t.id);
    view
}
