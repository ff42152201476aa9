//! Tracking rules, pure: how a parcel's status moves when a carrier reports, when to ask
//! the carrier again, and which incidents a parcel's history opens.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use backhaul_carriers::{ExceptionKind, TrackingStatus};
use chrono::{DateTime, Duration, Timelike, Utc};
use geo::{Distance, Haversine, Point};
use serde::{Deserialize, Serialize};

use super::rma_status::string_enum;

string_enum! {
    /// What went wrong with a parcel, as operations see it.
    IncidentKind {
        Lost => "lost",
        Damaged => "damaged",
        Delayed => "delayed",
        ReturnedToSender => "returned_to_sender",
        Misdelivered => "misdelivered",
        UnscannedReturn => "unscanned_return",
    }
}

string_enum! {
    /// How operations settle an outbound incident.
    IncidentAction {
        Reship => "reship",
        Refund => "refund",
        PartialRefund => "partial_refund",
        Claim => "claim",
    }
}

impl IncidentKind {
    /// How grave the kind is for the shop: a later incident on a parcel takes the
    /// place of an open one no graver than itself.
    fn gravity(self) -> u8 {
        match self {
            IncidentKind::Delayed | IncidentKind::UnscannedReturn => 1,
            IncidentKind::Misdelivered | IncidentKind::ReturnedToSender => 2,
            IncidentKind::Damaged | IncidentKind::Lost => 3,
        }
    }
}

/// Whether a new `found` incident on a parcel replaces its `open` one (which is then
/// closed as superseded, its history kept): a parcel has one open incident, the
/// gravest news. One of the same kind is not opened twice; a lesser one is not opened.
pub fn supersedes(found: IncidentKind, open: IncidentKind) -> bool {
    found != open && found.gravity() >= open.gravity()
}

/// Days without a carrier scan before a parcel counts as lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LostAfter {
    pub domestic: i64,
    pub international: i64,
}

/// The configured limits (`[tracking]` in the settings).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingRules {
    pub lost_after_days: LostAfter,
    /// Per carrier code, replacing `lost_after_days`.
    #[serde(default)]
    pub lost_after_days_by_carrier: BTreeMap<String, LostAfter>,
    /// Days past the carrier's promised delivery before a parcel counts as delayed.
    pub delayed_after_days: i64,
    /// A delivered scan farther than this from the address is a misdelivery.
    pub misdelivered_km: f64,
    /// Hours a return may sit delivered at the warehouse without a scan at the bench.
    pub unscanned_after_hours: i64,
    /// Parcels whose carrier pushes updates are still polled this often, in case a push
    /// is lost.
    pub safety_poll_hours: i64,
    /// Hour (UTC) of the first poll on the promised delivery day, after carriers load
    /// their vans: one look then usually finds the parcel out for delivery.
    pub delivery_day_poll_hour: u32,
    /// Stop polling a parcel that has said nothing for this many days.
    pub give_up_after_days: i64,
    /// The first look at a new parcel, this long after it shipped: carriers scan parcels
    /// within a day, and a look before that finds only "label created".
    pub first_poll_after_hours: i64,
}

impl TrackingRules {
    fn lost_after(&self, carrier: &str, international: bool) -> i64 {
        let limits = self
            .lost_after_days_by_carrier
            .get(carrier)
            .unwrap_or(&self.lost_after_days);
        if international {
            limits.international
        } else {
            limits.domestic
        }
    }

    /// Why the settings cannot work, naming the key.
    pub fn check(&self) -> Result<(), String> {
        let all = std::iter::once(("lost_after_days".to_string(), &self.lost_after_days)).chain(
            self.lost_after_days_by_carrier
                .iter()
                .map(|(c, l)| (format!("lost_after_days_by_carrier.{c}"), l)),
        );
        for (key, limits) in all {
            if limits.domestic < 1 || limits.international < 1 {
                return Err(format!("tracking.{key}: days must be at least 1"));
            }
        }
        if self.delayed_after_days < 0 || self.unscanned_after_hours < 1 {
            return Err(
                "tracking.delayed_after_days and unscanned_after_hours must be positive".into(),
            );
        }
        if !self.misdelivered_km.is_finite() || self.misdelivered_km <= 0.0 {
            return Err("tracking.misdelivered_km: must be a positive distance".into());
        }
        if self.safety_poll_hours < 1 || self.give_up_after_days < 1 {
            return Err(
                "tracking.safety_poll_hours and give_up_after_days must be at least 1".into(),
            );
        }
        if !(0..=168).contains(&self.first_poll_after_hours) {
            return Err("tracking.first_poll_after_hours: 0 to 168".into());
        }
        if self.delivery_day_poll_hour > 23 {
            return Err("tracking.delivery_day_poll_hour: an hour from 0 to 23".into());
        }
        Ok(())
    }
}

/// The status after a carrier reported `reported` as of `reported_at` (its latest
/// event). A parcel never moves backwards: a final status stays, an answer older than
/// what we know changes nothing, and "label created" cannot undo a scan.
pub fn next_status(
    current: TrackingStatus,
    known_at: Option<DateTime<Utc>>,
    reported: TrackingStatus,
    reported_at: Option<DateTime<Utc>>,
) -> TrackingStatus {
    use TrackingStatus as S;
    let stale = matches!((known_at, reported_at), (Some(k), Some(r)) if r < k);
    let regress = reported == S::PreTransit && !matches!(current, S::Unknown | S::PreTransit);
    if reported == S::Unknown || current.is_final() || stale || regress {
        current
    } else {
        reported
    }
}

/// What the schedule needs to know about a parcel.
#[derive(Debug, Clone)]
pub struct PollFacts {
    pub status: TrackingStatus,
    pub shipped_at: DateTime<Utc>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub estimated_delivery: Option<DateTime<Utc>>,
    /// The carrier's first promise: a look when it is `delayed_after_days` overdue
    /// settles whether the parcel is late.
    pub promised_delivery: Option<DateTime<Utc>>,
    /// Carrier calls that failed in a row.
    pub failures: i32,
    /// The carrier pushes updates (webhooks configured).
    pub pushed: bool,
}

/// When to ask the carrier about a parcel next; `None` stops polling. Sooner when
/// delivery is near, rarer when nothing happens, backed off after errors.
pub fn next_poll(
    now: DateTime<Utc>,
    p: &PollFacts,
    rules: &TrackingRules,
) -> Option<DateTime<Utc>> {
    if p.status.is_final() {
        return None;
    }
    let last_news = p.last_event_at.unwrap_or(p.shipped_at);
    if now - last_news > Duration::days(rules.give_up_after_days) {
        return None;
    }
    if p.failures > 0 {
        let exponent = u32::try_from(p.failures.clamp(1, 7) - 1).unwrap_or(0);
        let wait = Duration::minutes(10 * 2i64.pow(exponent)).min(Duration::hours(6));
        return Some(now + wait);
    }
    if p.pushed {
        return Some(now + Duration::hours(rules.safety_poll_hours));
    }
    let quiet = now - last_news;
    let next = regular_poll(now, p, quiet, rules);
    // One look when the first promise is overdue by the limit decides "delayed".
    let overdue = p
        .promised_delivery
        .map(|t| t + Duration::days(rules.delayed_after_days))
        .filter(|t| *t > now);
    Some(match overdue {
        Some(deadline) if deadline < next => deadline,
        _ => next,
    })
}

fn regular_poll(
    now: DateTime<Utc>,
    p: &PollFacts,
    quiet: Duration,
    rules: &TrackingRules,
) -> DateTime<Utc> {
    use TrackingStatus as S;
    let wait = match p.status {
        // Delivery is hours away. The carrier's window opens at `eta`: look half an hour
        // into it, then every 40 minutes, so a delivery is known within the hour.
        S::OutForDelivery => match p.estimated_delivery {
            Some(eta) if eta + Duration::minutes(30) > now + Duration::minutes(40) => {
                return (eta + Duration::minutes(30)).min(now + Duration::hours(3));
            }
            _ => Duration::minutes(40),
        },
        S::AvailableForPickup => Duration::hours(12),
        // Nothing urgent before the delivery day: a lost parcel is days of silence, so
        // twice a day is plenty until a promise tells us when to look.
        S::PreTransit | S::Unknown if quiet < Duration::hours(24) => Duration::hours(12),
        S::PreTransit | S::Unknown => Duration::hours(24),
        _ => match p.estimated_delivery {
            Some(eta) => return delivery_day_poll(now, eta, quiet, rules),
            None if p.status == S::Exception => Duration::hours(6),
            None => quiet_wait(quiet),
        },
    };
    now + wait
}

/// The wait between looks at a parcel that has said nothing new for `quiet`.
fn quiet_wait(quiet: Duration) -> Duration {
    if quiet < Duration::hours(48) {
        Duration::hours(12)
    } else if quiet < Duration::days(7) {
        Duration::hours(24)
    } else {
        Duration::hours(72)
    }
}

/// The first look at a parcel shipped at `shipped_at`, registered at `now`.
pub fn first_poll(
    shipped_at: DateTime<Utc>,
    now: DateTime<Utc>,
    rules: &TrackingRules,
) -> DateTime<Utc> {
    (shipped_at + Duration::hours(rules.first_poll_after_hours)).max(now)
}

/// On the way with a promised day: at most daily until then; that day, a first look
/// after the vans are loaded and hourly for two hours (the parcel shows up out for
/// delivery), then every 3 hours; once the day has passed, as for a quiet parcel.
fn delivery_day_poll(
    now: DateTime<Utc>,
    eta: DateTime<Utc>,
    quiet: Duration,
    rules: &TrackingRules,
) -> DateTime<Utc> {
    let day_start = eta
        .with_hour(0)
        .and_then(|t| t.with_minute(0))
        .and_then(|t| t.with_second(0))
        .unwrap_or(eta);
    let first_look = day_start + Duration::hours(i64::from(rules.delivery_day_poll_hour));
    if now < first_look {
        first_look.min(now + Duration::hours(24))
    } else if now < first_look + Duration::hours(2) {
        now + Duration::hours(1)
    } else if now < day_start + Duration::hours(24) {
        now + Duration::hours(3)
    } else {
        now + quiet_wait(quiet)
    }
}

/// One carrier scan, as the incident rules read it.
#[derive(Debug, Clone)]
pub struct ScanFacts {
    pub at: DateTime<Utc>,
    pub status: TrackingStatus,
    pub exception: Option<ExceptionKind>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// An outbound parcel, as the incident rules read it.
#[derive(Debug, Clone)]
pub struct ParcelFacts<'a> {
    pub carrier: &'a str,
    pub status: TrackingStatus,
    pub exception: Option<ExceptionKind>,
    pub international: bool,
    pub shipped_at: DateTime<Utc>,
    pub last_event_at: Option<DateTime<Utc>>,
    /// The carrier's first promised delivery.
    pub promised_delivery: Option<DateTime<Utc>>,
    /// Where it should arrive (the order's ship-to), if known.
    pub destination: Option<(f64, f64)>,
}

/// An incident to open, with the reason in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: IncidentKind,
    pub detail: String,
}

/// The incidents an outbound parcel's history calls for at `now`. The caller opens each
/// kind once per parcel.
pub fn outbound_findings(
    now: DateTime<Utc>,
    parcel: &ParcelFacts<'_>,
    scans: &[ScanFacts],
    rules: &TrackingRules,
) -> Vec<Finding> {
    use TrackingStatus as S;
    let mut found = Vec::new();
    let mut add = |kind, detail: String| found.push(Finding { kind, detail });
    let says = |kind: ExceptionKind| {
        parcel.exception == Some(kind) || scans.iter().any(|s| s.exception == Some(kind))
    };
    if says(ExceptionKind::Lost) {
        add(
            IncidentKind::Lost,
            "the carrier reports the parcel lost".into(),
        );
    } else if !parcel.status.is_final() {
        let limit = rules.lost_after(parcel.carrier, parcel.international);
        let last_scan = parcel.last_event_at.unwrap_or(parcel.shipped_at);
        let silent = now - last_scan;
        if silent >= Duration::days(limit) {
            add(
                IncidentKind::Lost,
                format!(
                    "no carrier scan for {} days (limit {limit}, {})",
                    silent.num_days(),
                    if parcel.international {
                        "international"
                    } else {
                        "domestic"
                    }
                ),
            );
        }
    }
    if says(ExceptionKind::Damaged) {
        add(IncidentKind::Damaged, "the carrier reports damage".into());
    }
    if let Some(eta) = parcel.promised_delivery {
        let late = now - eta;
        if !parcel.status.is_final()
            && late >= Duration::days(rules.delayed_after_days.max(0))
            && late > Duration::zero()
        {
            add(
                IncidentKind::Delayed,
                format!(
                    "promised for {}, not delivered {} days later",
                    eta.format("%Y-%m-%d"),
                    late.num_days()
                ),
            );
        }
    }
    if parcel.status == S::ReturnedToSender {
        add(
            IncidentKind::ReturnedToSender,
            "the carrier returned the parcel to the sender".into(),
        );
    }
    if let Some((lat, lon)) = parcel.destination {
        let delivered_far = scans
            .iter()
            .filter(|s| s.status == S::Delivered)
            .filter_map(|s| Some((s.lat?, s.lon?)))
            .map(|(slat, slon)| {
                Haversine.distance(Point::new(lon, lat), Point::new(slon, slat)) / 1000.0
            })
            .find(|km| *km > rules.misdelivered_km);
        if let Some(km) = delivered_far {
            add(
                IncidentKind::Misdelivered,
                format!(
                    "delivered {km:.0} km from the address (limit {} km)",
                    rules.misdelivered_km
                ),
            );
        }
    }
    found
}

/// Whether a return delivered to the warehouse at `delivered_at` has waited too long
/// for its scan at the bench.
pub fn unscanned_too_long(
    now: DateTime<Utc>,
    delivered_at: DateTime<Utc>,
    rules: &TrackingRules,
) -> Option<Finding> {
    let waited = now - delivered_at;
    (waited >= Duration::hours(rules.unscanned_after_hours)).then(|| Finding {
        kind: IncidentKind::UnscannedReturn,
        detail: format!(
            "delivered to the warehouse {} hours ago and not scanned (limit {} h)",
            waited.num_hours(),
            rules.unscanned_after_hours
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use TrackingStatus as S;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
            .single()
            .expect("valid time")
    }

    pub(crate) fn rules() -> TrackingRules {
        TrackingRules {
            lost_after_days: LostAfter {
                domestic: 5,
                international: 10,
            },
            lost_after_days_by_carrier: BTreeMap::from([(
                "dhl".to_string(),
                LostAfter {
                    domestic: 3,
                    international: 7,
                },
            )]),
            delayed_after_days: 2,
            misdelivered_km: 25.0,
            unscanned_after_hours: 24,
            safety_poll_hours: 24,
            delivery_day_poll_hour: 9,
            give_up_after_days: 30,
            first_poll_after_hours: 24,
        }
    }

    #[test]
    fn a_parcel_never_moves_backwards() {
        let table = [
            // (current, known at, reported, reported at, expected)
            (
                S::PreTransit,
                None,
                S::InTransit,
                Some(at(2, 10)),
                S::InTransit,
            ),
            (
                S::InTransit,
                Some(at(2, 10)),
                S::OutForDelivery,
                Some(at(3, 8)),
                S::OutForDelivery,
            ),
            (
                S::Delivered,
                Some(at(3, 14)),
                S::InTransit,
                Some(at(3, 15)),
                S::Delivered,
            ),
            (
                S::Delivered,
                Some(at(3, 14)),
                S::Exception,
                Some(at(3, 15)),
                S::Delivered,
            ),
            (
                S::OutForDelivery,
                Some(at(3, 8)),
                S::InTransit,
                Some(at(2, 10)),
                S::OutForDelivery,
            ),
            (
                S::OutForDelivery,
                Some(at(3, 8)),
                S::Exception,
                Some(at(3, 12)),
                S::Exception,
            ),
            (
                S::Exception,
                Some(at(3, 12)),
                S::InTransit,
                Some(at(4, 9)),
                S::InTransit,
            ),
            (
                S::InTransit,
                Some(at(2, 10)),
                S::PreTransit,
                Some(at(2, 11)),
                S::InTransit,
            ),
            (
                S::InTransit,
                Some(at(2, 10)),
                S::Unknown,
                None,
                S::InTransit,
            ),
            (
                S::Unknown,
                None,
                S::PreTransit,
                Some(at(1, 9)),
                S::PreTransit,
            ),
            (
                S::ReturnedToSender,
                Some(at(9, 9)),
                S::Delivered,
                Some(at(10, 9)),
                S::ReturnedToSender,
            ),
            (
                S::InTransit,
                Some(at(2, 10)),
                S::Delivered,
                None,
                S::Delivered,
            ),
        ];
        for (current, known, reported, reported_at, expected) in table {
            assert_eq!(
                next_status(current, known, reported, reported_at),
                expected,
                "{current} then {reported}"
            );
        }
    }

    fn facts(status: TrackingStatus) -> PollFacts {
        PollFacts {
            status,
            shipped_at: at(1, 9),
            last_event_at: Some(at(1, 9)),
            estimated_delivery: None,
            promised_delivery: None,
            failures: 0,
            pushed: false,
        }
    }

    #[test]
    fn polls_sooner_near_delivery_and_rarer_when_quiet() {
        let r = rules();
        let now = at(1, 10);
        let with = |f: &dyn Fn(&mut PollFacts), status| {
            let mut p = facts(status);
            f(&mut p);
            next_poll(now, &p, &r).map(|t| (t - now).num_minutes())
        };
        let none = |_: &mut PollFacts| {};
        let quiet_for = |d: Duration| move |p: &mut PollFacts| p.last_event_at = Some(now - d);
        let promised = |t: DateTime<Utc>| move |p: &mut PollFacts| p.estimated_delivery = Some(t);
        let minutes = |h: i64| Some(h * 60);
        // (case, minutes until the next look: None stops)
        let table: Vec<(&str, Option<i64>, Option<i64>)> = vec![
            ("delivered stops", with(&none, S::Delivered), None),
            ("returned stops", with(&none, S::ReturnedToSender), None),
            ("out for delivery", with(&none, S::OutForDelivery), Some(40)),
            ("fresh label", with(&none, S::PreTransit), minutes(12)),
            (
                "old label",
                with(&quiet_for(Duration::days(3)), S::PreTransit),
                minutes(24),
            ),
            ("fresh scan", with(&none, S::InTransit), minutes(12)),
            (
                "quiet a day",
                with(&quiet_for(Duration::hours(20)), S::InTransit),
                minutes(12),
            ),
            (
                "quiet for days",
                with(&quiet_for(Duration::days(3)), S::InTransit),
                minutes(24),
            ),
            (
                "quiet for a week",
                with(&quiet_for(Duration::days(8)), S::InTransit),
                minutes(72),
            ),
            (
                "exception, no promise",
                with(&none, S::Exception),
                minutes(6),
            ),
            (
                "pushed: safety net",
                with(&|p| p.pushed = true, S::InTransit),
                minutes(24),
            ),
            (
                "first failure",
                with(&|p| p.failures = 1, S::InTransit),
                Some(10),
            ),
            (
                "third failure",
                with(&|p| p.failures = 3, S::InTransit),
                Some(40),
            ),
            (
                "many failures",
                with(&|p| p.failures = 30, S::InTransit),
                minutes(6),
            ),
            (
                "silent a month: give up",
                with(&quiet_for(Duration::days(31)), S::InTransit),
                None,
            ),
            (
                "promised in 3 days",
                with(&promised(at(4, 0)), S::InTransit),
                minutes(24),
            ),
            (
                "promised tomorrow: its 09:00",
                with(&promised(at(2, 0)), S::InTransit),
                minutes(23),
            ),
            (
                "promised today, first look at 09:00: hourly for two hours",
                with(&promised(at(1, 0)), S::InTransit),
                minutes(1),
            ),
            (
                "promised yesterday: as a quiet parcel",
                with(&promised(at(1, 0) - Duration::days(1)), S::InTransit),
                minutes(12),
            ),
            (
                "exception, promised today",
                with(&promised(at(1, 0)), S::Exception),
                minutes(1),
            ),
            (
                "out for delivery, window at 12:00: half an hour into it",
                with(&promised(at(1, 12)), S::OutForDelivery),
                Some(150),
            ),
            (
                "out for delivery, window at 16:00: at most 3 h",
                with(&promised(at(1, 16)), S::OutForDelivery),
                minutes(3),
            ),
            (
                "out for delivery, window open",
                with(&promised(at(1, 10)), S::OutForDelivery),
                Some(40),
            ),
        ];
        for (case, got, want) in table {
            assert_eq!(got, want, "{case}");
        }
        let mut today = facts(S::InTransit);
        today.estimated_delivery = Some(at(1, 0));
        let later = at(1, 12);
        assert_eq!(
            next_poll(later, &today, &r),
            Some(later + Duration::hours(3)),
            "promised today, no van by 11:00: every 3 h"
        );
        let mut overdue = facts(S::InTransit);
        overdue.last_event_at = Some(now - Duration::days(8));
        overdue.promised_delivery = Some(at(1, 0));
        assert_eq!(
            next_poll(now, &overdue, &r),
            Some(at(3, 0)),
            "one look when the first promise is 2 days overdue, before the 3-day wait"
        );
    }

    fn parcel(status: TrackingStatus) -> ParcelFacts<'static> {
        ParcelFacts {
            carrier: "ups",
            status,
            exception: None,
            international: false,
            shipped_at: at(1, 9),
            last_event_at: Some(at(2, 9)),
            promised_delivery: None,
            destination: Some((52.52, 13.405)),
        }
    }

    fn scan(day: u32, status: TrackingStatus) -> ScanFacts {
        ScanFacts {
            at: at(day, 9),
            status,
            exception: None,
            lat: None,
            lon: None,
        }
    }

    #[test]
    fn one_open_incident_per_parcel_the_gravest() {
        use IncidentKind::*;
        let cases = [
            (Lost, Delayed, true),
            (Damaged, Delayed, true),
            (Lost, Damaged, true),
            (Damaged, Lost, true),
            (ReturnedToSender, Misdelivered, true),
            (Delayed, Lost, false),
            (Delayed, Misdelivered, false),
            (Misdelivered, Damaged, false),
            (Lost, Lost, false),
        ];
        for (found, open, replaces) in cases {
            assert_eq!(supersedes(found, open), replaces, "{found:?} over {open:?}");
        }
    }

    fn kinds(found: Vec<Finding>) -> Vec<IncidentKind> {
        found.into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn lost_after_silence_by_carrier_and_distance() {
        let r = rules();
        let quiet = |carrier: &'static str, international: bool, now: DateTime<Utc>| {
            let mut p = parcel(S::InTransit);
            p.carrier = carrier;
            p.international = international;
            kinds(outbound_findings(now, &p, &[scan(2, S::InTransit)], &r))
        };
        // Last scan on the 2nd at 09:00.
        assert!(quiet("ups", false, at(7, 8)).is_empty(), "4 days 23 h");
        assert_eq!(quiet("ups", false, at(7, 9)), vec![IncidentKind::Lost]);
        assert!(
            quiet("ups", true, at(11, 9)).is_empty(),
            "international: 10 days"
        );
        assert_eq!(quiet("ups", true, at(12, 9)), vec![IncidentKind::Lost]);
        assert_eq!(
            quiet("dhl", false, at(5, 9)),
            vec![IncidentKind::Lost],
            "dhl: 3 days"
        );
        // A delivered parcel is never lost, however long ago.
        let delivered = parcel(S::Delivered);
        assert!(outbound_findings(at(30, 9), &delivered, &[scan(2, S::Delivered)], &r).is_empty());
    }

    #[test]
    fn the_carriers_words_and_the_delivery_scan() {
        let r = rules();
        let now = at(3, 9);
        let mut told_lost = parcel(S::Exception);
        told_lost.exception = Some(ExceptionKind::Lost);
        let found = outbound_findings(now, &told_lost, &[], &r);
        assert_eq!(found[0].detail, "the carrier reports the parcel lost");

        let mut damaged_scan = scan(2, S::Exception);
        damaged_scan.exception = Some(ExceptionKind::Damaged);
        let later_delivered = parcel(S::Delivered);
        assert_eq!(
            kinds(outbound_findings(
                now,
                &later_delivered,
                &[damaged_scan, scan(3, S::Delivered)],
                &r
            )),
            vec![IncidentKind::Damaged],
            "damage stays an incident after delivery"
        );

        assert_eq!(
            kinds(outbound_findings(
                now,
                &parcel(S::ReturnedToSender),
                &[],
                &r
            )),
            vec![IncidentKind::ReturnedToSender]
        );

        let far = |lat: f64, lon: f64| {
            let mut s = scan(3, S::Delivered);
            s.lat = Some(lat);
            s.lon = Some(lon);
            kinds(outbound_findings(now, &parcel(S::Delivered), &[s], &r))
        };
        assert_eq!(
            far(64.1466, -21.9426),
            vec![IncidentKind::Misdelivered],
            "Reykjavík"
        );
        assert!(far(52.50, 13.30).is_empty(), "7 km away, same city");
        let mut no_address = parcel(S::Delivered);
        no_address.destination = None;
        let mut s = scan(3, S::Delivered);
        s.lat = Some(64.1);
        s.lon = Some(-21.9);
        assert!(outbound_findings(now, &no_address, &[s], &r).is_empty());
    }

    #[test]
    fn delayed_past_the_promise() {
        let r = rules();
        let mut p = parcel(S::InTransit);
        p.last_event_at = Some(at(5, 9));
        p.promised_delivery = Some(at(4, 0));
        assert!(
            outbound_findings(at(5, 23), &p, &[], &r).is_empty(),
            "1 day 23 h late"
        );
        let found = outbound_findings(at(6, 0), &p, &[], &r);
        assert_eq!(kinds(found.clone()), vec![IncidentKind::Delayed]);
        assert_eq!(
            found[0].detail,
            "promised for 2026-11-04, not delivered 2 days later"
        );
        p.status = S::Delivered;
        assert!(outbound_findings(at(9, 0), &p, &[], &r).is_empty());
    }

    #[test]
    fn the_first_look_waits_for_the_first_scan() {
        let r = rules();
        assert_eq!(first_poll(at(1, 9), at(1, 9), &r), at(2, 9));
        assert_eq!(
            first_poll(at(1, 9), at(3, 9), &r),
            at(3, 9),
            "registered late: now"
        );
    }

    #[test]
    fn unscanned_returns_wait_a_limited_time() {
        let r = rules();
        assert_eq!(unscanned_too_long(at(2, 8), at(1, 9), &r), None);
        let found = unscanned_too_long(at(2, 9), at(1, 9), &r).expect("24 h");
        assert_eq!(found.kind, IncidentKind::UnscannedReturn);
    }

    #[test]
    fn settings_are_checked() {
        assert!(rules().check().is_ok());
        let mut r = rules();
        r.lost_after_days_by_carrier.insert(
            "ups".into(),
            LostAfter {
                domestic: 0,
                international: 3,
            },
        );
        let err = r.check().expect_err("zero days");
        assert!(err.contains("lost_after_days_by_carrier.ups"), "{err}");
        let mut r = rules();
        r.misdelivered_km = f64::NAN;
        assert!(r.check().is_err());
    }
}
