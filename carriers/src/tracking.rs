//! The normalized tracking model every adapter maps into. Carriers say the same things
//! in many dialects; the rest of Backhaul reads only this one.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a parcel is, in the terms the rest of Backhaul uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    PreTransit,
    InTransit,
    OutForDelivery,
    AvailableForPickup,
    Delivered,
    Exception,
    ReturnedToSender,
    Cancelled,
    Unknown,
}

/// What went wrong, for `TrackingStatus::Exception`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    Damaged,
    Lost,
    Address,
    Customs,
    Refused,
    Delayed,
    Other,
}

impl TrackingStatus {
    pub const ALL: [TrackingStatus; 9] = [
        TrackingStatus::PreTransit,
        TrackingStatus::InTransit,
        TrackingStatus::OutForDelivery,
        TrackingStatus::AvailableForPickup,
        TrackingStatus::Delivered,
        TrackingStatus::Exception,
        TrackingStatus::ReturnedToSender,
        TrackingStatus::Cancelled,
        TrackingStatus::Unknown,
    ];

    /// The status named `text` (as stored), if it is one.
    pub fn parse(text: &str) -> Option<TrackingStatus> {
        TrackingStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            TrackingStatus::PreTransit => "pre_transit",
            TrackingStatus::InTransit => "in_transit",
            TrackingStatus::OutForDelivery => "out_for_delivery",
            TrackingStatus::AvailableForPickup => "available_for_pickup",
            TrackingStatus::Delivered => "delivered",
            TrackingStatus::Exception => "exception",
            TrackingStatus::ReturnedToSender => "returned_to_sender",
            TrackingStatus::Cancelled => "cancelled",
            TrackingStatus::Unknown => "unknown",
        }
    }

    /// No further scans are expected once a parcel is here.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            TrackingStatus::Delivered
                | TrackingStatus::ReturnedToSender
                | TrackingStatus::Cancelled
        )
    }
}

impl ExceptionKind {
    pub const ALL: [ExceptionKind; 7] = [
        ExceptionKind::Damaged,
        ExceptionKind::Lost,
        ExceptionKind::Address,
        ExceptionKind::Customs,
        ExceptionKind::Refused,
        ExceptionKind::Delayed,
        ExceptionKind::Other,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ExceptionKind::Damaged => "damaged",
            ExceptionKind::Lost => "lost",
            ExceptionKind::Address => "address",
            ExceptionKind::Customs => "customs",
            ExceptionKind::Refused => "refused",
            ExceptionKind::Delayed => "delayed",
            ExceptionKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<ExceptionKind> {
        ExceptionKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl fmt::Display for TrackingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Words in a carrier's exception text → kind; the first match wins. Carriers that
/// describe exceptions in prose (UPS, FedEx) share this table.
pub const EXCEPTION_WORDS: &[(&str, ExceptionKind)] = &[
    ("damage", ExceptionKind::Damaged),
    ("lost", ExceptionKind::Lost),
    ("missing", ExceptionKind::Lost),
    ("refused", ExceptionKind::Refused),
    ("address", ExceptionKind::Address),
    ("customs", ExceptionKind::Customs),
    ("clearance", ExceptionKind::Customs),
    ("brokerage", ExceptionKind::Customs),
    ("weather", ExceptionKind::Delayed),
    ("delay", ExceptionKind::Delayed),
];

/// The exception kind a description names, or `other`.
pub fn exception_from_words(description: &str) -> ExceptionKind {
    let lower = description.to_lowercase();
    EXCEPTION_WORDS
        .iter()
        .find(|(word, _)| lower.contains(word))
        .map_or(ExceptionKind::Other, |(_, k)| *k)
}

/// A parcel-level exception of kind `other` takes the kind of its latest exception
/// scan: "Exception" alone says little, the scan usually says what happened.
pub fn refine_exception(
    kind: Option<ExceptionKind>,
    events: &[TrackingEvent],
) -> Option<ExceptionKind> {
    match kind {
        Some(ExceptionKind::Other) => events.iter().rev().find_map(|e| e.exception).or(kind),
        other => other,
    }
}

/// A carrier's time: RFC 3339 with an offset, or a local time without one, which is
/// converted from the zone of `at` (callers keep the raw text beside it).
pub fn parse_time(raw: &str, at: &Location) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S")
                .map(|t| crate::local_time::to_utc(t, at))
        })
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// One scan, as the carrier reported it and as Backhaul understands it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackingEvent {
    pub at: DateTime<Utc>,
    /// The time as the carrier wrote it (often local time without an offset).
    pub raw_time: String,
    /// The carrier's own code for the scan; kept even when it maps to `unknown`.
    pub raw_code: String,
    pub description: String,
    pub location: Location,
    pub status: TrackingStatus,
    pub exception: Option<ExceptionKind>,
}

/// What a carrier says about one parcel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackingUpdate {
    pub carrier: String,
    pub tracking_number: String,
    pub status: TrackingStatus,
    pub exception: Option<ExceptionKind>,
    /// Oldest first.
    pub events: Vec<TrackingEvent>,
    pub estimated_delivery: Option<DateTime<Utc>>,
}

impl TrackingUpdate {
    /// A parcel the carrier does not know (yet): status `unknown`, no events.
    pub fn unknown(carrier: &str, tracking_number: &str) -> TrackingUpdate {
        TrackingUpdate {
            carrier: carrier.to_string(),
            tracking_number: tracking_number.to_string(),
            status: TrackingStatus::Unknown,
            exception: None,
            events: vec![],
            estimated_delivery: None,
        }
    }
}

#[cfg(test)]
mod names {
    use super::*;

    #[test]
    fn stored_names_read_back_and_match_serde() {
        for status in TrackingStatus::ALL {
            assert_eq!(TrackingStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::Value::String(status.as_str().into()))
            );
        }
        for kind in ExceptionKind::ALL {
            assert_eq!(ExceptionKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::Value::String(kind.as_str().into()))
            );
        }
        assert_eq!(TrackingStatus::parse("lost"), None);
    }
}
