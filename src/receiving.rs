//! The warehouse bench: a scanned box is matched to its RMA (by RMA number or by the
//! tracking number of its return label), received with an audit event, and flagged when
//! it reached the wrong warehouse; a box that matches nothing is stored, never dropped,
//! until someone links it.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::api::views;
use crate::db::parcels;
use crate::db::received::{self, ReceivedRow};
use crate::db::rmas::{self, Audit, RmaRow};
use crate::db::{naive, DbConnection};
use crate::domain::barcode::Scan;
use crate::domain::routing::Network;
use crate::domain::{transition, RmaEvent, RmaNumber, RmaStatus};
use crate::error::AppError;

/// One scan at a bench, already read.
#[derive(Debug, Clone)]
pub struct BenchScan {
    pub raw: String,
    pub read: Scan,
    pub station: String,
    /// The warehouse code the bench belongs to, if known.
    pub warehouse: Option<String>,
}

/// A bench's name as staff typed it: 1 to 64 characters, none of them control
/// characters (a NUL or newline would reach pages, CSV files and logs).
pub fn check_station(text: &str) -> Result<String, AppError> {
    let station = text.trim();
    if station.is_empty() || station.chars().count() > 64 || station.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "station",
            "name the bench in 1 to 64 characters without control characters, e.g. DE-BER/bench-2",
        ));
    }
    Ok(station.to_string())
}

/// The warehouse a station belongs to: named outright, or the station's prefix before
/// `/` or `:` when that is a warehouse code (`DE-BER/bench-2`).
pub fn warehouse_of(network: &Network, named: Option<&str>, station: &str) -> Option<String> {
    let candidate = named.map(str::to_string).or_else(|| {
        station
            .split(['/', ':'])
            .next()
            .filter(|prefix| prefix.len() < station.len())
            .map(str::to_string)
    })?;
    let code = candidate.trim().to_ascii_uppercase();
    network.find(&code).map(|w| w.code.clone())
}

/// What the scanner sent, with control characters made visible (`\x1d` for FNC1).
fn visible(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_control() {
                format!("\\x{:02x}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn scanned_text(read: &Scan) -> String {
    match read {
        Scan::Rma(n) => n.as_str().to_string(),
        Scan::Tracking { number, .. } => number.clone(),
        Scan::Unknown(text) => text.clone(),
    }
}

/// The RMA a scan names: by its number, or by its return label's tracking number.
fn rma_for(c: &mut DbConnection, read: &Scan) -> Result<Option<RmaRow>, AppError> {
    Ok(match read {
        Scan::Rma(number) => rmas::find(c, number)?,
        Scan::Tracking { number, .. } => {
            match parcels::inbound_by_tracking_number(c, number)?.and_then(|p| p.rma_id) {
                Some(id) => rmas::find_by_id(c, &id)?,
                None => None,
            }
        }
        Scan::Unknown(_) => None,
    })
}

/// Receives the RMA's box: the status change with its audit event, and the
/// unscanned-return alert closed.
fn receive(
    c: &mut DbConnection,
    rma: &RmaRow,
    note: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let number = RmaNumber::parse(&rma.number).map_err(|e| AppError::Internal(e.to_string()))?;
    rmas::apply_event(
        c,
        &number,
        RmaEvent::Receive,
        Audit {
            actor,
            note: Some(note),
            at: now,
        },
    )?;
    received::close_unscanned_alerts(c, &rma.id, actor, now)?;
    // The box is in our hands: nothing more to ask its carrier.
    parcels::stop_polling_for_rma(c, &rma.id, now)?;
    Ok(())
}

/// Handles one scan in the caller's transaction and returns the answer.
pub fn scan(
    c: &mut DbConnection,
    scan: BenchScan,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Value, AppError> {
    let scanned = scanned_text(&scan.read);
    let rma = rma_for(c, &scan.read)?;
    let row = |rma_id: Option<String>| ReceivedRow {
        id: uuid::Uuid::now_v7().to_string(),
        barcode: visible(&scan.raw),
        scanned: scanned.clone(),
        tracking_carrier: match &scan.read {
            Scan::Tracking { carrier, .. } => Some(carrier.to_string()),
            _ => None,
        },
        tracking_number: match &scan.read {
            Scan::Tracking { number, .. } => Some(number.clone()),
            _ => None,
        },
        station: scan.station.clone(),
        warehouse: scan.warehouse.clone(),
        rma_id,
        received_at: naive(now),
        received_by: actor.to_string(),
        linked_at: None,
        linked_by: None,
    };
    let (result, parcel, reason) = match &rma {
        Some(r) if transition(r.status()?, RmaEvent::Receive).is_ok() => {
            let parcel = row(Some(r.id.clone()));
            received::insert(c, &parcel)?;
            let note = format!("scanned at {}: {scanned}", scan.station);
            receive(c, r, &note, actor, now)?;
            ("matched", parcel, None)
        }
        Some(r)
            if matches!(
                r.status()?,
                RmaStatus::Received
                    | RmaStatus::Inspected
                    | RmaStatus::RefundTriggered
                    | RmaStatus::Closed
            ) =>
        {
            let parcel = match received::for_rma(c, &r.id)? {
                Some(existing) => existing,
                None => {
                    let parcel = row(Some(r.id.clone()));
                    received::insert(c, &parcel)?;
                    parcel
                }
            };
            ("already_received", parcel, None)
        }
        other => {
            let reason = other
                .as_ref()
                .map(|r| format!("{} is {}; it cannot be received", r.number, r.status));
            let parcel = match received::unmatched_by_scan(c, &scanned)? {
                Some(existing) => existing,
                None => {
                    let parcel = row(None);
                    received::insert(c, &parcel)?;
                    parcel
                }
            };
            ("unmatched", parcel, reason)
        }
    };
    let rma = match rma {
        Some(r) => Some(rmas::find_by_id(c, &r.id)?.unwrap_or(r)),
        None => None,
    };
    let lines = match &rma {
        Some(r) => Some(rma_summary(c, r)?),
        None => None,
    };
    let expected = rma.as_ref().map(|r| r.return_to.clone());
    let wrong = matches!((&scan.warehouse, &expected), (Some(here), Some(there)) if here != there);
    Ok(json!({
        "result": result,
        "parcel_id": parcel.id,
        "rma": lines,
        "reason": reason,
        "read_as": read_as(&scan.read),
        "station": scan.station,
        "warehouse": scan.warehouse,
        "expected_warehouse": expected,
        "wrong_warehouse": wrong,
    }))
}

fn read_as(read: &Scan) -> Value {
    match read {
        Scan::Rma(n) => json!({"kind": "rma", "number": n.as_str()}),
        Scan::Tracking { carrier, number } => {
            json!({"kind": "tracking_number", "carrier": carrier, "number": number})
        }
        Scan::Unknown(text) => json!({"kind": "unknown", "text": text}),
    }
}

/// What the bench needs to see about an RMA: its number, status, and the lines to
/// expect in the box.
fn rma_summary(c: &mut DbConnection, rma: &RmaRow) -> Result<Value, AppError> {
    let order = crate::db::orders::load_by_id(c, &rma.order_id)?;
    let lines = rmas::lines(c, &rma.id)?;
    Ok(json!({
        "number": rma.number,
        "status": rma.status,
        "order_number": order.order.order_number,
        "resolution": rma.resolution,
        "return_to": rma.return_to,
        "lines": views::rma_lines(&order, &lines, &rma.currency),
    }))
}

/// Received boxes, newest first (only those no RMA matched, if `unmatched`), each with
/// the number of the RMA it belongs to.
pub fn boxes(
    c: &mut DbConnection,
    unmatched: bool,
    limit: i64,
) -> Result<Vec<(ReceivedRow, Option<String>)>, AppError> {
    let rows = received::list(c, unmatched, limit)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let number = match &row.rma_id {
            Some(id) => rmas::find_by_id(c, id)?.map(|r| r.number),
            None => None,
        };
        out.push((row, number));
    }
    Ok(out)
}

/// Links an unmatched box to `number`'s RMA and receives it.
pub fn link(
    c: &mut DbConnection,
    parcel_id: &str,
    number: &RmaNumber,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Value, AppError> {
    let parcel = received::find(c, parcel_id)?.ok_or_else(|| AppError::not_found("parcel"))?;
    if parcel.rma_id.is_some() {
        return Err(AppError::Conflict(
            "the parcel is already linked to an RMA".into(),
        ));
    }
    let rma = rmas::find(c, number)?.ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
    transition(rma.status()?, RmaEvent::Receive)?;
    if !received::link(c, parcel_id, &rma.id, actor, now)? {
        return Err(AppError::Conflict(
            "the parcel was linked by another request meanwhile".into(),
        ));
    }
    let note = format!(
        "parcel scanned at {} on {} linked: {}",
        parcel.station,
        views::ts(parcel.received_at),
        parcel.scanned
    );
    receive(c, &rma, &note, actor, now)?;
    let parcel = received::find(c, parcel_id)?.ok_or_else(|| AppError::not_found("parcel"))?;
    Ok(views::received_parcel(&parcel, Some(&rma.number)))
}
