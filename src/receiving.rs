//! The warehouse bench: a scanned box is matched to its RMA (by RMA number or by the
//! tracking number of its return label), received with an audit event, and flagged when
//! it reached the wrong warehouse; a box that matches nothing is stored, never dropped,
//! until someone links it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::orders::OrderRecord;
use crate::db::parcels;
use crate::db::received::{self, ReceivedRow};
use crate::db::rmas::{self, Audit, RmaLineRow, RmaRow};
use crate::db::{naive, DbConnection, PageStart};
use crate::domain::barcode::{self, BarcodeError, Scan};
use crate::domain::display;
use crate::domain::routing::Network;
use crate::domain::{transition, RmaEvent, RmaNumber, RmaStatus};
use crate::error::AppError;
use crate::paging::{self, Page};

/// What a bench scan found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScanResult {
    /// The box's RMA, received now.
    Matched,
    /// The RMA was received before: no second event.
    AlreadyReceived,
    /// Nothing matched (or the RMA cannot be received): the box is kept to link later.
    Unmatched,
}

/// How the scanned text was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReadAs {
    Rma { number: String },
    TrackingNumber { carrier: String, number: String },
    Unknown { text: String },
}

/// One line of a return, with what the order says about the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RmaLine {
    pub line_id: String,
    pub sku: Option<String>,
    pub title: Option<String>,
    pub quantity: i64,
    pub reason: String,
    pub estimated_refund: String,
    /// With an exchange: the SKU sent instead.
    pub exchange_for: Option<String>,
}

impl RmaLine {
    /// The lines of a return on `order`, amounts in `currency`.
    pub fn all(order: &OrderRecord, lines: &[RmaLineRow], currency: &str) -> Vec<RmaLine> {
        lines
            .iter()
            .map(|l| {
                let ordered = order.lines.iter().find(|o| o.line_id == l.line_id);
                RmaLine {
                    line_id: l.line_id.clone(),
                    sku: ordered.map(|o| o.sku.clone()),
                    title: ordered.map(|o| o.title.clone()),
                    quantity: l.quantity,
                    reason: l.reason.clone(),
                    estimated_refund: display::amount(l.refund_minor, currency),
                    exchange_for: l.exchange_sku.clone(),
                }
            })
            .collect()
    }
}

/// What the bench needs to see about an RMA: its number, status, and the lines to
/// expect in the box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BenchRma {
    pub number: String,
    pub status: RmaStatus,
    pub order_number: String,
    pub resolution: String,
    pub return_to: String,
    pub lines: Vec<RmaLine>,
}

/// The answer to a bench scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ScanAnswer {
    pub result: ScanResult,
    pub parcel_id: String,
    pub rma: Option<BenchRma>,
    /// Why a scanned RMA was not received.
    pub reason: Option<String>,
    pub read_as: ReadAs,
    pub station: String,
    pub warehouse: Option<String>,
    pub expected_warehouse: Option<String>,
    pub wrong_warehouse: bool,
}

/// A box as it arrived at a bench.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReceivedParcel {
    pub id: String,
    pub barcode: String,
    pub scanned: String,
    pub tracking_carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub station: String,
    pub warehouse: Option<String>,
    pub received_at: String,
    pub received_by: String,
    pub rma_number: Option<String>,
    pub linked_at: Option<String>,
    pub linked_by: Option<String>,
}

impl ReceivedParcel {
    pub fn new(p: &ReceivedRow, rma_number: Option<&str>) -> ReceivedParcel {
        ReceivedParcel {
            id: p.id.clone(),
            barcode: p.barcode.clone(),
            scanned: p.scanned.clone(),
            tracking_carrier: p.tracking_carrier.clone(),
            tracking_number: p.tracking_number.clone(),
            station: p.station.clone(),
            warehouse: p.warehouse.clone(),
            received_at: display::time(p.received_at),
            received_by: p.received_by.clone(),
            rma_number: rma_number.map(str::to_string),
            linked_at: p.linked_at.map(display::time),
            linked_by: p.linked_by.clone(),
        }
    }
}

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

/// Reads what a scanner (or a person) typed. Nothing scanned or a text too long is
/// malformed input (400); an RMA number with a wrong check character is a typo to scan
/// again (422), and nothing is stored for it.
pub fn read_barcode(raw: &str) -> Result<Scan, AppError> {
    barcode::read(raw).map_err(|e| match e {
        BarcodeError::Empty => AppError::invalid("barcode", "nothing was scanned"),
        BarcodeError::TooLong(_) => AppError::invalid("barcode", e.to_string()),
        BarcodeError::MistypedRma(_) => AppError::does_not_fit("barcode", e.to_string()),
    })
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
) -> Result<ScanAnswer, AppError> {
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
        Some(r) if transition(r.status, RmaEvent::Receive).is_ok() => {
            let parcel = row(Some(r.id.clone()));
            received::insert(c, &parcel)?;
            let note = format!("scanned at {}: {scanned}", scan.station);
            receive(c, r, &note, actor, now)?;
            (ScanResult::Matched, parcel, None)
        }
        Some(r)
            if matches!(
                r.status,
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
            (ScanResult::AlreadyReceived, parcel, None)
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
            (ScanResult::Unmatched, parcel, reason)
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
    Ok(ScanAnswer {
        result,
        parcel_id: parcel.id,
        rma: lines,
        reason,
        read_as: read_as(&scan.read),
        station: scan.station,
        warehouse: scan.warehouse,
        expected_warehouse: expected,
        wrong_warehouse: wrong,
    })
}

fn read_as(read: &Scan) -> ReadAs {
    match read {
        Scan::Rma(n) => ReadAs::Rma {
            number: n.as_str().to_string(),
        },
        Scan::Tracking { carrier, number } => ReadAs::TrackingNumber {
            carrier: carrier.to_string(),
            number: number.clone(),
        },
        Scan::Unknown(text) => ReadAs::Unknown { text: text.clone() },
    }
}

fn rma_summary(c: &mut DbConnection, rma: &RmaRow) -> Result<BenchRma, AppError> {
    let order = crate::db::orders::load_by_id(c, &rma.order_id)?;
    let lines = rmas::lines(c, &rma.id)?;
    Ok(BenchRma {
        number: rma.number.clone(),
        status: rma.status,
        order_number: order.order.order_number.clone(),
        resolution: rma.resolution.clone(),
        return_to: rma.return_to.clone(),
        lines: RmaLine::all(&order, &lines, &rma.currency),
    })
}

/// Received boxes, newest first (only those no RMA matched, if `unmatched`), each with
/// the number of the RMA it belongs to, `limit` at a time after box `cursor`.
pub fn boxes(
    c: &mut DbConnection,
    unmatched: bool,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<(ReceivedRow, Option<String>)>, AppError> {
    let after = paging::start(cursor, "received box", |id| {
        Ok(received::find(c, id)?.map(|row| PageStart {
            at: row.received_at,
            id: row.id,
        }))
    })?;
    let rows = received::list(c, unmatched, after.as_ref(), limit + 1)?;
    Ok(Page::cut(rows, limit, |(row, _)| &row.id))
}

/// Links an unmatched box to `number`'s RMA and receives it.
pub fn link(
    c: &mut DbConnection,
    parcel_id: &str,
    number: &RmaNumber,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ReceivedParcel, AppError> {
    let parcel = received::find(c, parcel_id)?.ok_or_else(|| AppError::not_found("parcel"))?;
    if parcel.rma_id.is_some() {
        return Err(AppError::Conflict(
            "the parcel is already linked to an RMA".into(),
        ));
    }
    let rma = rmas::find(c, number)?.ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
    transition(rma.status, RmaEvent::Receive)?;
    if !received::link(c, parcel_id, &rma.id, actor, now)? {
        return Err(AppError::Conflict(
            "the parcel was linked by another request meanwhile".into(),
        ));
    }
    let note = format!(
        "parcel scanned at {} on {} linked: {}",
        parcel.station,
        display::time(parcel.received_at),
        parcel.scanned
    );
    receive(c, &rma, &note, actor, now)?;
    let parcel = received::find(c, parcel_id)?.ok_or_else(|| AppError::not_found("parcel"))?;
    Ok(ReceivedParcel::new(&parcel, Some(&rma.number)))
}
