//! RMAs in full and in short, their audit trail, and a quote.

use serde::Serialize;
use utoipa::ToSchema;

use super::incident::Parcel;
use super::{amount, ts};
use crate::db::rmas::{RmaEventRow, RmaRow};
use crate::domain::policy::Decision;
use crate::domain::routing::{Network, Warehouse};
use crate::labels::ReturnLabel;
use crate::photos::PhotoView;
use crate::receiving::RmaLine;
use crate::rmas::RmaDetails;

/// One RMA with its lines, decision, label, parcels, photos and timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rma {
    #[schema(value_type = crate::domain::RmaNumber)]
    pub number: String,
    pub status: crate::domain::RmaStatus,
    pub order_number: String,
    #[schema(value_type = crate::domain::Resolution)]
    pub resolution: String,
    #[schema(value_type = crate::domain::Currency)]
    pub currency: String,
    #[schema(value_type = crate::domain::LabelPayer)]
    pub label_payer: String,
    #[schema(value_type = crate::domain::Money)]
    pub estimated_refund: String,
    pub lines: Vec<RmaLine>,
    /// The policy's decision as it was made.
    #[schema(value_type = Decision)]
    pub decision: serde_json::Value,
    pub return_to: ReturnTo,
    pub comment: Option<String>,
    pub label: Option<ReturnLabel>,
    pub parcels: Vec<Parcel>,
    /// Evidence photos, oldest first.
    pub photos: Vec<PhotoView>,
    /// What an exchange sends back once inspection passed it: to ship, then its parcel.
    pub replacement: Option<super::Fulfilment>,
    /// A repair's order at the bench, once inspection passed it.
    pub repair: Option<crate::repairs::Repair>,
    pub timeline: Vec<Event>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// Where the parcel goes: the warehouse, or only its code when it is no longer
/// configured.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ReturnTo {
    Warehouse(Box<Warehouse>),
    Code(WarehouseCode),
}

/// A warehouse that is no longer configured: only its code is known. It takes
/// no other field, so that a full warehouse matches one alternative only.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarehouseCode {
    pub code: String,
}

impl Rma {
    /// `return_to` is the warehouse from `network` when it is still configured.
    pub fn new(d: &RmaDetails, network: &Network) -> Rma {
        let (r, order) = (&d.rma, &d.order);
        let c = r.currency.as_str();
        Rma {
            number: r.number.clone(),
            status: r.status,
            order_number: order.order.order_number.clone(),
            resolution: r.resolution.clone(),
            currency: r.currency.clone(),
            label_payer: r.label_payer.clone(),
            estimated_refund: amount(r.estimated_refund_minor, c),
            lines: RmaLine::all(order, &d.lines, c),
            decision: serde_json::from_str(&r.decision).unwrap_or(serde_json::Value::Null),
            return_to: match network.find(&r.return_to) {
                Some(w) => ReturnTo::Warehouse(Box::new(w.clone())),
                None => ReturnTo::Code(WarehouseCode {
                    code: r.return_to.clone(),
                }),
            },
            comment: r.comment.clone(),
            label: d.label.clone(),
            parcels: d
                .parcels
                .iter()
                .map(|t| Parcel::tracked(&t.parcel, &t.scans))
                .collect(),
            photos: d.photos.clone(),
            replacement: d.replacement.as_ref().map(super::Fulfilment::new),
            repair: d.repair.as_ref().map(crate::repairs::Repair::new),
            timeline: d.events.iter().map(Event::new).collect(),
            created_at: ts(r.created_at),
            updated_at: ts(r.updated_at),
        }
    }
}

/// An RMA in short, for lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RmaSummary {
    #[schema(value_type = crate::domain::RmaNumber)]
    pub number: String,
    pub status: crate::domain::RmaStatus,
    pub order_number: String,
    #[schema(value_type = crate::domain::Resolution)]
    pub resolution: String,
    #[schema(value_type = crate::domain::Currency)]
    pub currency: String,
    #[schema(value_type = crate::domain::LabelPayer)]
    pub label_payer: String,
    #[schema(value_type = crate::domain::Money)]
    pub estimated_refund: String,
    /// The warehouse code.
    pub return_to: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl RmaSummary {
    pub fn new(r: &RmaRow, order_number: &str) -> RmaSummary {
        RmaSummary {
            number: r.number.clone(),
            status: r.status,
            order_number: order_number.to_string(),
            resolution: r.resolution.clone(),
            currency: r.currency.clone(),
            label_payer: r.label_payer.clone(),
            estimated_refund: amount(r.estimated_refund_minor, &r.currency),
            return_to: r.return_to.clone(),
            created_at: ts(r.created_at),
            updated_at: ts(r.updated_at),
        }
    }
}

/// One page of RMAs, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RmaList {
    pub items: Vec<RmaSummary>,
    /// Pass it as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

/// One step of an RMA's audit trail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Event {
    /// The entry's id (a page of the trail ends at one).
    pub id: String,
    #[schema(format = DateTime)]
    pub at: String,
    #[schema(schema_with = event_names)]
    pub event: String,
    pub from: Option<crate::domain::RmaStatus>,
    pub to: crate::domain::RmaStatus,
    pub actor: String,
    pub note: Option<String>,
}

/// `create`, then the lifecycle's events.
fn event_names() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    let events = crate::domain::RmaEvent::ALL.iter().map(|e| e.as_str());
    crate::domain::schema::string_enum(std::iter::once("create").chain(events))
}

impl Event {
    pub fn new(e: &RmaEventRow) -> Event {
        Event {
            id: e.id.clone(),
            at: ts(e.at),
            event: e.event.clone(),
            from: e.from_status,
            to: e.to_status,
            actor: e.actor.clone(),
            note: e.note.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<Event>,
    /// Pass it as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

/// The policy's decision for a return and where the parcel would go.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Quote {
    pub decision: Decision,
    pub return_to: Warehouse,
    /// Why this warehouse.
    pub route: String,
}
