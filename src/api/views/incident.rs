//! Tracked parcels with their carrier scans, and the incidents opened on them.

use serde::Serialize;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use super::{amount, opt_ts, ts};
use crate::db::parcels::{EventRow, IncidentRow, ParcelRow, INBOUND, OUTBOUND};
use crate::domain::schema::string_enum;

/// The statuses a carrier's tracking reads as.
pub(super) fn tracking_statuses() -> RefOr<Schema> {
    string_enum(
        backhaul_carriers::TrackingStatus::ALL
            .iter()
            .map(|s| s.as_str()),
    )
}

/// A tracked parcel, inbound (a return) or outbound (an order's), with its carrier
/// scans when it is shown on its own.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Parcel {
    pub id: String,
    #[schema(schema_with = directions)]
    pub direction: String,
    pub carrier: String,
    pub tracking_number: String,
    #[schema(schema_with = tracking_statuses)]
    pub status: String,
    /// What went wrong: lost, damaged, address, customs, refused, delayed or other.
    pub exception: Option<String>,
    #[schema(format = DateTime)]
    pub last_event_at: Option<String>,
    #[schema(format = DateTime)]
    pub estimated_delivery: Option<String>,
    #[schema(format = DateTime)]
    pub promised_delivery: Option<String>,
    #[schema(format = DateTime)]
    pub delivered_at: Option<String>,
    #[schema(format = DateTime)]
    pub next_poll_at: Option<String>,
    /// The carrier's scans, oldest first (on an RMA's parcels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<ParcelScan>>,
}

fn directions() -> RefOr<Schema> {
    string_enum(["inbound", "outbound", "unlinked"])
}

/// One carrier scan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParcelScan {
    #[schema(format = DateTime)]
    pub at: String,
    #[schema(schema_with = tracking_statuses)]
    pub status: String,
    /// What went wrong: lost, damaged, address, customs, refused, delayed or other.
    pub exception: Option<String>,
    pub description: String,
    pub raw_code: String,
    pub city: Option<String>,
    pub country: Option<String>,
}

impl Parcel {
    pub fn new(p: &ParcelRow) -> Parcel {
        Parcel {
            id: p.id.clone(),
            direction: p.direction.clone(),
            carrier: p.carrier.clone(),
            tracking_number: p.tracking_number.clone(),
            status: p.status.clone(),
            exception: p.exception.clone(),
            last_event_at: opt_ts(p.last_event_at),
            estimated_delivery: opt_ts(p.estimated_delivery),
            promised_delivery: opt_ts(p.promised_delivery),
            delivered_at: opt_ts(p.delivered_at),
            next_poll_at: opt_ts(p.next_poll_at),
            events: None,
        }
    }

    /// A parcel with its carrier scans, oldest first.
    pub fn tracked(p: &ParcelRow, events: &[EventRow]) -> Parcel {
        Parcel {
            events: Some(
                events
                    .iter()
                    .map(|e| ParcelScan {
                        at: ts(e.at),
                        status: e.status.clone(),
                        exception: e.exception.clone(),
                        description: e.description.clone(),
                        raw_code: e.raw_code.clone(),
                        city: e.city.clone(),
                        country: e.country.clone(),
                    })
                    .collect(),
            ),
            ..Parcel::new(p)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Open,
    Resolved,
}

/// What operations did about an incident.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentResolution {
    #[schema(value_type = Option<crate::domain::tracking::IncidentAction>)]
    pub action: Option<String>,
    #[schema(value_type = Option<crate::domain::Money>)]
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub claim_reference: Option<String>,
    pub replacement_shipment_id: Option<String>,
    pub refund_trigger_id: Option<String>,
    pub note: Option<String>,
    pub resolved_by: Option<String>,
    #[schema(format = DateTime)]
    pub resolved_at: String,
}

/// An incident with the parcel it is about and the order or RMA that parcel belongs to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Incident {
    pub id: String,
    #[schema(value_type = crate::domain::tracking::IncidentKind)]
    pub kind: String,
    pub detail: String,
    pub status: IncidentStatus,
    #[schema(format = DateTime)]
    pub opened_at: String,
    pub resolution: Option<IncidentResolution>,
    pub parcel: Parcel,
    pub order_number: Option<String>,
    pub rma_number: Option<String>,
}

impl Incident {
    /// `owner` is the order or RMA number of the parcel.
    pub fn new(i: &IncidentRow, p: &ParcelRow, owner: Option<&str>) -> Incident {
        let resolution = i.resolved_at.map(|at| IncidentResolution {
            action: i.action.clone(),
            amount: i
                .amount_minor
                .zip(i.currency.as_deref())
                .map(|(m, c)| amount(m, c)),
            currency: i.currency.clone(),
            claim_reference: i.claim_reference.clone(),
            replacement_shipment_id: i.replacement_shipment_id.clone(),
            refund_trigger_id: i.refund_trigger_id.clone(),
            note: i.note.clone(),
            resolved_by: i.resolved_by.clone(),
            resolved_at: ts(at),
        });
        let direction = p.direction.as_str();
        let owned_by = |d: &str| {
            (direction == d)
                .then(|| owner.map(str::to_string))
                .flatten()
        };
        Incident {
            id: i.id.clone(),
            kind: i.kind.clone(),
            detail: i.detail.clone(),
            status: if i.resolved_at.is_some() {
                IncidentStatus::Resolved
            } else {
                IncidentStatus::Open
            },
            opened_at: ts(i.opened_at),
            resolution,
            parcel: Parcel::new(p),
            order_number: owned_by(OUTBOUND),
            rma_number: owned_by(INBOUND),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentList {
    pub items: Vec<Incident>,
    /// Pass it as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}
