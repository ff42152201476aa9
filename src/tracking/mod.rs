//! Tracking in the service: the one ingest path polled and pushed updates share, the
//! poller that asks carriers ([`poller`]), and the sweep that flags returns waiting too
//! long at the warehouse.

pub mod incidents;
pub mod poller;

use backhaul_carriers::{TrackingStatus, TrackingUpdate};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::orders;
use crate::db::parcels::{self, EventRow, IncidentRow, ParcelProgress, ParcelRow};
use crate::db::rmas::{self, Audit};
use crate::db::schema::shipments;
use crate::db::{naive, utc, DbConnection};
use crate::domain::tracking::{
    next_poll, next_status, outbound_findings, supersedes, unscanned_too_long, Finding,
    IncidentKind, ParcelFacts, PollFacts, ScanFacts, TrackingRules,
};
use crate::domain::{transition, RmaEvent, RmaNumber};
use crate::error::AppError;

/// Where an update came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Poll,
    Webhook,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Poll => "poll",
            Source::Webhook => "webhook",
        }
    }
}

/// What one update changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Ingested {
    pub new_events: usize,
    pub status: Option<TrackingStatus>,
    pub opened: Vec<IncidentKind>,
}

fn status_of(text: &str) -> TrackingStatus {
    TrackingStatus::parse(text).unwrap_or(TrackingStatus::Unknown)
}

/// Stores what a carrier said about `parcel` and applies it, all in the caller's
/// transaction: new events (a (time, code) pair already stored is skipped, so replays
/// are harmless), the parcel's status (never backwards), the order or RMA it belongs to
/// (with an audit event), the incidents the rules call for (each kind once), and when
/// to poll next.
pub fn ingest(
    c: &mut DbConnection,
    parcel: &ParcelRow,
    update: &TrackingUpdate,
    source: Source,
    pushed: bool,
    rules: &TrackingRules,
    now: DateTime<Utc>,
) -> Result<Ingested, AppError> {
    let mut new_events = 0;
    for e in &update.events {
        let row = EventRow {
            id: uuid::Uuid::now_v7().to_string(),
            parcel_id: parcel.id.clone(),
            at: naive(e.at),
            raw_code: e.raw_code.clone(),
            raw_time: e.raw_time.clone(),
            description: e.description.clone(),
            status: e.status.as_str().to_string(),
            exception: e.exception.map(|k| k.as_str().to_string()),
            city: e.location.city.clone(),
            region: e.location.region.clone(),
            postal_code: e.location.postal_code.clone(),
            country: e.location.country.clone(),
            lat: e.location.lat,
            lon: e.location.lon,
            source: source.as_str().to_string(),
            received_at: naive(now),
        };
        if parcels::add_event(c, &row)? {
            new_events += 1;
        }
    }
    let before = status_of(&parcel.status);
    let known_at = parcel.last_event_at.map(utc);
    let reported_at = update.events.iter().map(|e| e.at).max();
    let status = next_status(before, known_at, update.status, reported_at);
    let last_event_at = known_at.max(reported_at);
    let exception = match status {
        TrackingStatus::Exception if status != before || update.exception.is_some() => {
            update.exception.map(|k| k.as_str().to_string())
        }
        TrackingStatus::Exception => parcel.exception.clone(),
        _ => None,
    };
    let delivered_at = match (parcel.delivered_at, status) {
        (Some(at), _) => Some(utc(at)),
        (None, TrackingStatus::Delivered) => Some(
            update
                .events
                .iter()
                .filter(|e| e.status == TrackingStatus::Delivered)
                .map(|e| e.at)
                .max()
                .unwrap_or(now),
        ),
        _ => None,
    };
    let estimated_delivery = update
        .estimated_delivery
        .or(parcel.estimated_delivery.map(utc));
    // The first promise stays: a carrier that revises its estimate is still late.
    let promised_delivery = parcel.promised_delivery.map(utc).or(estimated_delivery);
    let facts = PollFacts {
        status,
        shipped_at: utc(parcel.shipped_at),
        last_event_at,
        estimated_delivery,
        promised_delivery,
        failures: 0,
        pushed,
    };
    let polled = source == Source::Poll;
    let progress = ParcelProgress {
        status: status.as_str().to_string(),
        exception: exception.clone(),
        last_event_at: last_event_at.map(naive),
        estimated_delivery: estimated_delivery.map(naive),
        promised_delivery: promised_delivery.map(naive),
        delivered_at: delivered_at.map(naive),
        // An unlinked parcel belongs to nobody yet: it is kept, not polled.
        next_poll_at: if parcel.direction == parcels::UNLINKED {
            None
        } else {
            next_poll(now, &facts, rules).map(naive)
        },
        last_polled_at: if polled {
            Some(naive(now))
        } else {
            parcel.last_polled_at
        },
        polls: parcel.polls + i64::from(polled),
        failures: 0,
        lease_owner: None,
        lease_until: None,
        updated_at: naive(now),
    };
    parcels::save_progress(c, &parcel.id, &progress)?;

    if status != before {
        apply_to_owner(c, parcel, status, delivered_at, update, now)?;
    }
    let mut opened = Vec::new();
    if parcel.direction == parcels::OUTBOUND {
        let scans: Vec<ScanFacts> = parcels::events(c, &parcel.id)?
            .into_iter()
            .map(|e| ScanFacts {
                at: utc(e.at),
                status: status_of(&e.status),
                exception: e
                    .exception
                    .as_deref()
                    .and_then(backhaul_carriers::ExceptionKind::parse),
                lat: e.lat,
                lon: e.lon,
            })
            .collect();
        let facts = ParcelFacts {
            carrier: &parcel.carrier,
            status,
            exception: exception
                .as_deref()
                .and_then(backhaul_carriers::ExceptionKind::parse),
            international: parcel.international,
            shipped_at: utc(parcel.shipped_at),
            last_event_at,
            promised_delivery,
            destination: parcel.destination_lat.zip(parcel.destination_lon),
        };
        for finding in outbound_findings(now, &facts, &scans, rules) {
            if open_incident(c, &parcel.id, &finding, now)? {
                opened.push(finding.kind);
            }
        }
    }
    Ok(Ingested {
        new_events,
        status: (status != before).then_some(status),
        opened,
    })
}

/// Opens the incident unless the parcel already has one of its kind. A parcel has one
/// open incident: a graver finding closes the open one as superseded (its history
/// kept) and takes its place; a lesser one is not opened.
pub fn open_incident(
    c: &mut DbConnection,
    parcel_id: &str,
    finding: &Finding,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    if let Some(open) = parcels::open_incident_of(c, parcel_id)? {
        let replaces = open
            .kind
            .parse::<IncidentKind>()
            .is_ok_and(|kind| supersedes(finding.kind, kind));
        if !replaces {
            return Ok(false);
        }
        let note = format!("superseded by {}", finding.kind);
        parcels::supersede_incident(c, &open.id, &note, now)?;
    }
    let row = IncidentRow {
        id: uuid::Uuid::now_v7().to_string(),
        parcel_id: parcel_id.to_string(),
        kind: finding.kind.as_str().to_string(),
        detail: finding.detail.clone(),
        opened_at: naive(now),
        resolved_at: None,
        action: None,
        amount_minor: None,
        currency: None,
        claim_reference: None,
        replacement_shipment_id: None,
        refund_trigger_id: None,
        note: None,
        resolved_by: None,
    };
    let opened = parcels::open_incident(c, &row)?;
    if opened {
        tracing::info!(parcel = %parcel_id, kind = %finding.kind, "incident opened");
    }
    Ok(opened)
}

/// The order (outbound) or RMA (inbound) follows its parcel.
fn apply_to_owner(
    c: &mut DbConnection,
    parcel: &ParcelRow,
    status: TrackingStatus,
    delivered_at: Option<DateTime<Utc>>,
    update: &TrackingUpdate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if let Some(shipment_id) = &parcel.shipment_id {
        diesel::update(shipments::table.find(shipment_id))
            .set((
                shipments::status.eq(status.as_str()),
                shipments::delivered_at.eq(delivered_at.map(naive)),
            ))
            .execute(c)?;
        if let Some(delivered) = delivered_at {
            mark_lines_delivered(c, shipment_id, delivered)?;
        }
    }
    let Some(rma_id) = &parcel.rma_id else {
        return Ok(());
    };
    let event = match status {
        TrackingStatus::Delivered => RmaEvent::DeliveredToWarehouse,
        TrackingStatus::InTransit
        | TrackingStatus::OutForDelivery
        | TrackingStatus::AvailableForPickup
        | TrackingStatus::Exception => RmaEvent::PickedUp,
        _ => return Ok(()),
    };
    let Some(rma) = rmas::find_by_id(c, rma_id)? else {
        return Ok(());
    };
    // Only moves the lifecycle allows: a return already scanned at the bench, or
    // cancelled, keeps its status whatever the carrier says later.
    if transition(rma.status, event).is_err() {
        return Ok(());
    }
    let number = RmaNumber::parse(&rma.number).map_err(|e| AppError::Internal(e.to_string()))?;
    let latest = update.events.iter().max_by_key(|e| e.at);
    let note = format!(
        "{} {}: {}",
        parcel.carrier,
        parcel.tracking_number,
        latest.map_or(status.as_str(), |e| e.description.as_str())
    );
    let actor = format!("carrier:{}", parcel.carrier);
    rmas::apply_event(
        c,
        &number,
        event,
        Audit {
            actor: &actor,
            note: Some(&note),
            at: now,
        },
    )?;
    Ok(())
}

/// The delivery date the return window counts from, on the lines the shipment carried.
fn mark_lines_delivered(
    c: &mut DbConnection,
    shipment_id: &str,
    delivered: DateTime<Utc>,
) -> Result<(), AppError> {
    let (order_id, line_ids): (String, Option<String>) = shipments::table
        .find(shipment_id)
        .select((shipments::order_id, shipments::line_ids))
        .get_result(c)?;
    let ids: Option<Vec<String>> = line_ids.and_then(|text| serde_json::from_str(&text).ok());
    orders::mark_lines_delivered(c, &order_id, ids.as_deref(), delivered)?;
    Ok(())
}

/// Opens an `unscanned_return` incident for each return delivered to the warehouse
/// longer ago than the rules allow and still not scanned at the bench.
pub fn flag_unscanned_returns(
    c: &mut DbConnection,
    rules: &TrackingRules,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let cutoff = now - chrono::Duration::hours(rules.unscanned_after_hours);
    let mut opened = 0;
    for parcel in parcels::delivered_returns_awaiting_scan(c, cutoff)? {
        let Some(delivered) = parcel.delivered_at else {
            continue;
        };
        if let Some(finding) = unscanned_too_long(now, utc(delivered), rules) {
            if open_incident(c, &parcel.id, &finding, now)? {
                opened += 1;
            }
        }
    }
    Ok(opened)
}

/// What a pushed delivery did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PushReport {
    /// Updates about parcels we track.
    pub accepted: usize,
    pub new_events: usize,
    /// Tracking numbers we do not know: stored as unlinked parcels for operations.
    pub unknown: Vec<String>,
}

/// Ingests updates a carrier pushed (its signature already checked), in one
/// transaction. Numbers we do not track are kept as unlinked parcels, never dropped.
pub async fn receive_pushed(
    state: &crate::core::Core,
    carrier: &str,
    updates: Vec<TrackingUpdate>,
) -> Result<PushReport, AppError> {
    let rules = state.settings.tracking.rules.clone();
    let now = state.clock.now();
    let carrier = carrier.to_string();
    state
        .db
        .write(move |c| {
            let mut report = PushReport::default();
            for update in &updates {
                let parcel = match parcels::find_by_number(c, &carrier, &update.tracking_number)? {
                    Some(p) => p,
                    None => {
                        report.unknown.push(update.tracking_number.clone());
                        parcels::register(c, unlinked(&carrier, update, now), now)?;
                        parcels::find_by_number(c, &carrier, &update.tracking_number)?.ok_or_else(
                            || AppError::Internal("unlinked parcel not stored".into()),
                        )?
                    }
                };
                if parcel.direction != parcels::UNLINKED {
                    report.accepted += 1;
                }
                let done = ingest(c, &parcel, update, Source::Webhook, true, &rules, now)?;
                report.new_events += done.new_events;
            }
            Ok(report)
        })
        .await
}

fn unlinked(carrier: &str, update: &TrackingUpdate, now: DateTime<Utc>) -> parcels::NewParcel {
    parcels::NewParcel {
        direction: parcels::UNLINKED,
        carrier: carrier.to_string(),
        tracking_number: update.tracking_number.clone(),
        shipment_id: None,
        rma_id: None,
        status: TrackingStatus::Unknown.as_str().to_string(),
        international: false,
        destination: None,
        shipped_at: update.events.iter().map(|e| e.at).min().unwrap_or(now),
        delivered_at: None,
        next_poll_at: None,
    }
}
