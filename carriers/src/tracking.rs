//! The normalized tracking model every adapter maps into. Carriers say the same things
//! in many dialects; the rest of Backhaul reads only this one.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::CarrierError;

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
    // UPS: "pending release from a Government Agency".
    ("government agency", ExceptionKind::Customs),
    ("weather", ExceptionKind::Delayed),
    ("delay", ExceptionKind::Delayed),
];

/// The exception kind a description names, or `other`.
pub fn exception_from_words(description: &str) -> ExceptionKind {
    exception_from_texts(&[description])
}

/// The exception kind the first word found in any of `texts` names, or `other`.
pub fn exception_from_texts(texts: &[&str]) -> ExceptionKind {
    EXCEPTION_WORDS
        .iter()
        .find(|(word, _)| texts.iter().any(|t| mentions(t, word)))
        .map_or(ExceptionKind::Other, |(_, k)| *k)
}

/// Whether `text` holds `word` (given in lower case), ignoring ASCII case. Carriers'
/// words are read once per scan; this spares a lower-cased copy of each.
pub(crate) fn mentions(text: &str, word: &str) -> bool {
    let (text, word) = (text.as_bytes(), word.as_bytes());
    let Some((first, rest)) = word.split_first() else {
        return false;
    };
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    // Only where the first letter fits is the rest compared.
    text.windows(word.len())
        .any(|w| (w[0] == lower || w[0] == upper) && w[1..].eq_ignore_ascii_case(rest))
}

/// Whether `text` holds any of `words`.
pub(crate) fn mentions_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| mentions(text, w))
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

/// Formats with an offset that RFC 3339 does not cover (no colon in the offset, a
/// space before it).
const WITH_OFFSET: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%dT%H:%M%z",
];

/// Local formats, converted from the zone of the scan's place.
const LOCAL: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y%m%d%H%M%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
];

/// Before this nothing we track was scanned: such a time is a carrier's placeholder
/// ("0001-01-01", the Unix epoch), not a reading.
const EARLIEST_YEAR: i32 = 2000;

/// A carrier's time: RFC 3339 (with `Z` or an offset), an offset without its colon, a
/// local time without an offset (converted from the zone of `at`), or a date alone
/// (local midnight). `None` when it is none of these or a placeholder year; callers
/// keep the raw text beside it and settle the time from other evidence.
pub fn parse_time(raw: &str, at: &Location) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let raw = raw.trim();
    let read = match iso_time(raw) {
        Some((local, Some(offset))) => Some((local - chrono::TimeDelta::seconds(offset)).and_utc()),
        Some((local, None)) => Some(crate::local_time::to_utc(local, at)),
        None => slow_time(raw, at),
    }?;
    (read.year() >= EARLIEST_YEAR).then_some(read)
}

/// The forms `iso_time` does not read, through chrono's format strings.
fn slow_time(raw: &str, at: &Location) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .or_else(|| {
            WITH_OFFSET
                .iter()
                .find_map(|f| DateTime::parse_from_str(raw, f).ok())
        })
        .map(|t| t.with_timezone(&Utc))
        .or_else(|| {
            LOCAL
                .iter()
                .find_map(|f| chrono::NaiveDateTime::parse_from_str(raw, f).ok())
                .or_else(|| {
                    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                        .ok()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                })
                .map(|t| crate::local_time::to_utc(t, at))
        })
}

/// The times carriers send most, read by hand (chrono's format strings cost more
/// than the rest of an answer): `YYYY-MM-DD`, then `T` or a space and
/// `HH:MM[:SS[.fraction]]`, then `Z`, `±HH:MM`, `±HHMM` or `±HH`, maybe after a space.
/// The local time and its offset in seconds east of UTC, if one was given.
fn iso_time(raw: &str) -> Option<(chrono::NaiveDateTime, Option<i64>)> {
    let b = raw.as_bytes();
    let date = digits_date(b.get(..10)?, true)?;
    if b.len() == 10 {
        return Some((date.and_hms_opt(0, 0, 0)?, None));
    }
    if !matches!(b.get(10)?, b'T' | b' ') || *b.get(13)? != b':' {
        return None;
    }
    let (hour, minute) = (number(b.get(11..13)?)?, number(b.get(14..16)?)?);
    let mut rest = &b[16..];
    let mut second = 0;
    let mut nanos = 0;
    if let [b':', s1, s2, tail @ ..] = rest {
        second = number(&[*s1, *s2])?;
        rest = tail;
        if let [b'.', tail @ ..] = rest {
            let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            let (fraction, tail) = tail.split_at(n);
            nanos = fraction
                .iter()
                .take(9)
                .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
                * 10u32.pow(9 - n.min(9) as u32);
            rest = tail;
        }
    }
    let time = chrono::NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let local = date.and_time(time);
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let offset = match rest {
        [] => None,
        [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), h1, h2, tail @ ..] => {
            let minutes = match tail {
                [] => 0,
                [b':', m1, m2] | [m1, m2] => number(&[*m1, *m2])?,
                _ => return None,
            };
            let seconds = i64::from(number(&[*h1, *h2])? * 3600 + minutes * 60);
            Some(if *sign == b'-' { -seconds } else { seconds })
        }
        _ => return None,
    };
    Some((local, offset))
}

/// All ASCII digits → their number.
pub(crate) fn number(b: &[u8]) -> Option<u32> {
    (!b.is_empty() && b.len() <= 9 && b.iter().all(u8::is_ascii_digit))
        .then(|| b.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
}

/// `YYYY-MM-DD` (`dashes`) or `YYYYMMDD` → the date, if it is one.
pub(crate) fn digits_date(b: &[u8], dashes: bool) -> Option<chrono::NaiveDate> {
    let (year, month, day) = match (dashes, b.len()) {
        (true, 10) if b[4] == b'-' && b[7] == b'-' => (&b[..4], &b[5..7], &b[8..10]),
        (false, 8) => (&b[..4], &b[4..6], &b[6..8]),
        _ => return None,
    };
    chrono::NaiveDate::from_ymd_opt(number(year)? as i32, number(month)?, number(day)?)
}

/// Text in a carrier's answer, borrowed from its bytes unless it holds escapes.
pub(crate) type Text<'a> = std::borrow::Cow<'a, str>;

/// A field's text, trimmed; `None` when absent or blank.
pub(crate) fn owned(t: &Option<Text<'_>>) -> Option<String> {
    Some(str_of(t))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A field's text, trimmed; empty when absent.
pub(crate) fn str_of<'b>(t: &'b Option<Text<'_>>) -> &'b str {
    t.as_deref().map_or("", str::trim)
}

/// What a carrier said in an error: its code and its words, as "code: words".
pub(crate) fn said(code: &Option<Text<'_>>, words: &Option<Text<'_>>) -> String {
    [owned(code), owned(words)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(": ")
}

/// One scan as a reader found it, before its time is settled.
#[derive(Debug, Clone)]
pub(crate) struct Scan {
    /// `None` when the carrier's time could not be read.
    pub at: Option<DateTime<Utc>>,
    pub raw_time: String,
    pub raw_code: String,
    pub description: String,
    pub location: Location,
    pub status: TrackingStatus,
    pub exception: Option<ExceptionKind>,
}

/// The scans with every time settled, oldest first. A time that could not be read is
/// never the Unix epoch: it takes the time of the scan listed next to it in the answer
/// (carriers list in time order, newest or oldest first), else `answer_time` (a time
/// the answer itself states), else when we received the answer; each such time is
/// logged with the carrier and the raw text, which is kept.
pub(crate) fn settle(
    carrier: &str,
    scans: Vec<Scan>,
    answer_time: Option<DateTime<Utc>>,
    received_at: DateTime<Utc>,
) -> Vec<TrackingEvent> {
    let read: Vec<Option<DateTime<Utc>>> = scans.iter().map(|s| s.at).collect();
    let neighbour = |i: usize| {
        let before = read[..i].iter().rev().flatten().next();
        let after = read[i + 1..].iter().flatten().next();
        before.or(after).copied()
    };
    let mut events: Vec<TrackingEvent> = scans
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let at = s.at.unwrap_or_else(|| {
                let at = neighbour(i).or(answer_time).unwrap_or(received_at);
                tracing::warn!(carrier, raw_time = %s.raw_time, settled = %at, "carrier time unreadable");
                at
            });
            TrackingEvent {
                at,
                raw_time: s.raw_time,
                raw_code: s.raw_code,
                description: s.description,
                location: s.location,
                status: s.status,
                exception: s.exception,
            }
        })
        .collect();
    // Stable: scans at the same minute keep the carrier's order among themselves.
    events.sort_by_key(|e| e.at);
    events
}

/// The update about `number` among those one answer held (carriers may answer with
/// several shipments for one number): the first that names it, else the first; an
/// answer with none means the carrier does not know it.
pub(crate) fn about(updates: Vec<TrackingUpdate>, carrier: &str, number: &str) -> TrackingUpdate {
    let at = updates
        .iter()
        .position(|u| u.tracking_number.eq_ignore_ascii_case(number))
        .unwrap_or(0);
    updates
        .into_iter()
        .nth(at)
        .unwrap_or_else(|| TrackingUpdate::unknown(carrier, number))
}

/// Words and codes with which carriers say they do not know a number.
const NOT_FOUND: &[&str] = &[
    "not found",
    "notfound",
    "not_found",
    "cannot be found",
    "could not be found",
    "no result",
    "no shipment",
    "no information",
    "no record",
    "151044",
];

/// A carrier's error answer: a parcel it does not know reads as the number asked
/// about, unknown, with its words; any other error (bad credentials, a bad request) is
/// the carrier refusing.
pub(crate) fn error_answer(
    carrier: &str,
    asked: &Asked,
    said: &str,
) -> Result<Vec<TrackingUpdate>, CarrierError> {
    if mentions_any(said, NOT_FOUND) {
        return Ok(vec![TrackingUpdate::not_found(
            carrier,
            &asked.named(None),
            said,
        )]);
    }
    Err(CarrierError::Rejected {
        carrier: carrier.to_string(),
        message: said.replace(['\n', '\r'], " "),
    })
}

/// What a tracking reader knows besides the answer's bytes.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    /// The number asked about, when there was a question (a poll); `None` for an
    /// answer read on its own (`backhaul track parse`), which names its parcels.
    pub number: Option<&'a str>,
    /// When the answer arrived: the last resort for a time that cannot be read.
    pub received_at: DateTime<Utc>,
}

impl<'a> Asked<'a> {
    pub fn number(number: &'a str, received_at: DateTime<Utc>) -> Asked<'a> {
        Asked {
            number: Some(number),
            received_at,
        }
    }

    /// The parcel's number: the answer's own, else the one asked about.
    pub(crate) fn named(&self, in_answer: Option<&str>) -> String {
        in_answer
            .filter(|n| !n.trim().is_empty())
            .or(self.number)
            .unwrap_or_default()
            .trim()
            .to_string()
    }
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
    /// What the carrier said when it does not know the parcel (or not yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
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
            message: None,
        }
    }

    /// As [`TrackingUpdate::unknown`], with what the carrier said.
    pub fn not_found(carrier: &str, tracking_number: &str, message: &str) -> TrackingUpdate {
        TrackingUpdate {
            message: Some(message.trim().to_string()).filter(|m| !m.is_empty()),
            ..TrackingUpdate::unknown(carrier, tracking_number)
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

#[cfg(test)]
mod times {
    use super::*;

    fn utc(text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn carrier_times_read_as_utc() {
        let berlin = Location {
            country: Some("DE".into()),
            ..Location::default()
        };
        let rows: &[(&str, &Location, Option<&str>)] = &[
            (
                "2026-11-21T10:15:00Z",
                &berlin,
                Some("2026-11-21T10:15:00Z"),
            ),
            (
                "2026-11-21T10:15:00+02:00",
                &berlin,
                Some("2026-11-21T08:15:00Z"),
            ),
            (
                "2026-11-21T10:15:00-0600",
                &berlin,
                Some("2026-11-21T16:15:00Z"),
            ),
            (
                "2026-11-21T10:15:00-06",
                &berlin,
                Some("2026-11-21T16:15:00Z"),
            ),
            (
                "2026-11-21 10:15:00 +05:30",
                &berlin,
                Some("2026-11-21T04:45:00Z"),
            ),
            (
                "2026-11-21T10:15:00.123-06:00",
                &berlin,
                Some("2026-11-21T16:15:00.123Z"),
            ),
            (
                "2026-11-21T10:15+01:00",
                &berlin,
                Some("2026-11-21T09:15:00Z"),
            ),
            // Local times take the zone of the place (Berlin: UTC+1 in November).
            ("2026-11-21T10:15:00", &berlin, Some("2026-11-21T09:15:00Z")),
            ("2026-11-21 10:15", &berlin, Some("2026-11-21T09:15:00Z")),
            ("2026-11-21", &berlin, Some("2026-11-20T23:00:00Z")),
            ("20261121101500", &berlin, Some("2026-11-21T09:15:00Z")),
            ("11/21/2026 10:15:00", &berlin, Some("2026-11-21T09:15:00Z")),
            (
                "  2026-11-21T10:15:00Z ",
                &berlin,
                Some("2026-11-21T10:15:00Z"),
            ),
            // Placeholders and garbage are not times.
            ("0001-01-01T00:00:00", &berlin, None),
            ("1970-01-01T00:00:00Z", &berlin, None),
            ("", &berlin, None),
            ("tomorrow", &berlin, None),
            ("2026-13-01T10:00:00Z", &berlin, None),
            ("2026-11-21T25:00:00Z", &berlin, None),
            ("2026-11-21T10:15:00+", &berlin, None),
            ("2026-11-21T10:15:00.Z", &berlin, None),
            ("2026-11-21X10:15:00", &berlin, None),
        ];
        for (raw, at, want) in rows {
            assert_eq!(parse_time(raw, at), want.and_then(utc), "{raw:?}");
        }
    }

    /// The hand reader agrees with chrono's format strings on what both read.
    #[test]
    fn the_quick_reader_agrees_with_chrono() {
        let at = Location::default();
        for raw in [
            "2026-11-21T10:15:00Z",
            "2026-11-21T10:15:00.5+02:00",
            "2026-11-21T10:15:00.123456789-06:00",
            "2026-11-21T10:15:00-0600",
            "2026-11-21 10:15:00 -0600",
            "2026-11-21T10:15-0600",
            "2026-11-21T10:15:00",
            "2026-11-21 10:15:00.250",
            "2026-11-21T10:15",
            "2026-11-21",
        ] {
            let quick = iso_time(raw).map(|(local, offset)| match offset {
                Some(o) => (local - chrono::TimeDelta::seconds(o)).and_utc(),
                None => crate::local_time::to_utc(local, &at),
            });
            assert!(quick.is_some(), "{raw:?}");
            assert_eq!(quick, slow_time(raw, &at), "{raw:?}");
        }
    }

    #[test]
    fn words_are_found_whatever_their_case() {
        assert!(mentions("Delivered to UPS Access Point", "access point"));
        assert!(mentions("WEATHER DELAY", "delay"));
        assert!(!mentions("Delivered", "delivery"));
        assert!(!mentions("", "x"));
        assert!(!mentions("anything", ""));
        assert!(mentions_any("Package Damaged", &["lost", "damage"]));
    }
}
