//! The sandbox carrier: offline, deterministic, and the default. It renders real labels
//! (PDF 4×6, PDF A4, ZPL) and simulates a tracking timeline from the moment the label
//! was created, with the trouble real parcels run into.
//!
//! Tracking numbers look like `SBX` + 12 digits: a scenario digit, the hour the label
//! was created (hours since 2026-01-01 UTC, 7 digits), 3 digits that make it unique,
//! and a mod-10 check digit (weights 3 and 1). Everything the timeline needs is in the
//! number, so tracking needs no state and survives restarts. Scenarios:
//!
//! | digit | scenario | what happens |
//! |---|---|---|
//! | 0 | normal | label created, picked up (+20 h), sorted (+32 h), out for delivery (+50 h), delivered (+56 h) |
//! | 1 | lost | scans stop after sorting |
//! | 2 | damaged | a damage exception at +40 h, delivered at +66 h |
//! | 3 | delayed | a delay exception at +44 h, delivered at +116 h |
//! | 4 | returned to sender | refused at +52 h, back with the sender at +120 h |
//! | 5 | misdelivered | delivered at +56 h, but scanned in Reykjavík |
//! | 6 | unused | the label is never handed over: no scan after its creation |
//!
//! A label's scenario is chosen from its RMA number: 85 % normal, 3 % each of lost,
//! damaged, delayed, returned and misdelivered; or forced for every label by the setting
//! `carriers.sandbox.scenario` (for demos and tests). `unused` is only ever forced.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use sha2::{Digest, Sha256};

use crate::label::{self, LabelContent, LabelFormat};
use crate::{
    Capabilities, Carrier, CarrierError, ExceptionKind, Label, LabelRef, LabelRequest, Location,
    TrackingEvent, TrackingStatus, TrackingUpdate,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Normal,
    Lost,
    Damaged,
    Delayed,
    ReturnedToSender,
    Misdelivered,
    Unused,
}

impl Scenario {
    const ALL: [Scenario; 7] = [
        Scenario::Normal,
        Scenario::Lost,
        Scenario::Damaged,
        Scenario::Delayed,
        Scenario::ReturnedToSender,
        Scenario::Misdelivered,
        Scenario::Unused,
    ];

    const NAMES: [&'static str; 7] = [
        "normal",
        "lost",
        "damaged",
        "delayed",
        "returned_to_sender",
        "misdelivered",
        "unused",
    ];

    /// A scenario by its name in the table above.
    pub fn parse(name: &str) -> Option<Scenario> {
        Scenario::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Scenario::ALL[i])
    }

    fn digit(self) -> u32 {
        Scenario::ALL.iter().position(|s| *s == self).unwrap_or(0) as u32
    }

    /// The scenario for an RMA: mostly normal, sometimes trouble.
    pub fn for_reference(reference: &str) -> Scenario {
        let roll = hash_number(reference) % 100;
        match roll {
            0..85 => Scenario::Normal,
            85..88 => Scenario::Lost,
            88..91 => Scenario::Damaged,
            91..94 => Scenario::Delayed,
            94..97 => Scenario::ReturnedToSender,
            _ => Scenario::Misdelivered,
        }
    }
}

fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn hash_number(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(bytes)
}

/// Mod-10 check digit with weights 3 and 1 from the right.
fn check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { d })
        .sum();
    (10 - sum % 10) % 10
}

/// A sandbox tracking number for a label created at `created_at`; `salt` makes it
/// unique among labels created in the same hour.
pub fn tracking_number(scenario: Scenario, created_at: DateTime<Utc>, salt: &str) -> String {
    let hours = (created_at - epoch()).num_hours().clamp(0, 9_999_999);
    let unique = hash_number(salt) % 1000;
    let body = format!("{}{hours:07}{unique:03}", scenario.digit());
    format!("SBX{body}{}", check_digit(&body))
}

/// What a sandbox number says, if it is one.
pub fn decode(tracking: &str) -> Option<(Scenario, DateTime<Utc>)> {
    let digits = tracking.strip_prefix("SBX")?;
    if digits.len() != 12 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (body, check) = digits.split_at(11);
    if check.parse::<u32>().ok()? != check_digit(body) {
        return None;
    }
    let scenario = *Scenario::ALL.get(body[..1].parse::<usize>().ok()?)?;
    let hours: i64 = body[1..8].parse().ok()?;
    Some((scenario, epoch() + Duration::hours(hours)))
}

/// (hours after creation, raw code, description, status, exception)
type Step = (
    i64,
    &'static str,
    &'static str,
    TrackingStatus,
    Option<ExceptionKind>,
);

fn steps(scenario: Scenario) -> Vec<Step> {
    use ExceptionKind as X;
    use TrackingStatus as S;
    let created: Step = (0, "LC", "Label created", S::PreTransit, None);
    let start: [Step; 3] = [
        created,
        (20, "PU", "Picked up", S::InTransit, None),
        (32, "AR", "Arrived at sorting facility", S::InTransit, None),
    ];
    let rest: Vec<Step> = match scenario {
        Scenario::Normal => vec![
            (50, "OD", "Out for delivery", S::OutForDelivery, None),
            (56, "DL", "Delivered", S::Delivered, None),
        ],
        Scenario::Lost => vec![],
        Scenario::Damaged => vec![
            (
                40,
                "EX-DMG",
                "Parcel damaged in handling",
                S::Exception,
                Some(X::Damaged),
            ),
            (60, "OD", "Out for delivery", S::OutForDelivery, None),
            (66, "DL", "Delivered", S::Delivered, None),
        ],
        Scenario::Delayed => vec![
            (
                44,
                "EX-DLY",
                "Delayed: operational disruption",
                S::Exception,
                Some(X::Delayed),
            ),
            (110, "OD", "Out for delivery", S::OutForDelivery, None),
            (116, "DL", "Delivered", S::Delivered, None),
        ],
        Scenario::ReturnedToSender => vec![
            (50, "OD", "Out for delivery", S::OutForDelivery, None),
            (
                52,
                "EX-REF",
                "Delivery refused",
                S::Exception,
                Some(X::Refused),
            ),
            (120, "RS", "Returned to sender", S::ReturnedToSender, None),
        ],
        Scenario::Unused => return vec![created],
        Scenario::Misdelivered => vec![
            (50, "OD", "Out for delivery", S::OutForDelivery, None),
            (56, "DL", "Delivered", S::Delivered, None),
        ],
    };
    start.into_iter().chain(rest).collect()
}

/// The timeline of a sandbox parcel as known at `now`.
pub fn simulate(tracking: &str, now: DateTime<Utc>) -> TrackingUpdate {
    let Some((scenario, created)) = decode(tracking) else {
        return TrackingUpdate::unknown("sandbox", tracking);
    };
    let hub = Location {
        city: Some("Sandbox Hub".into()),
        country: None,
        ..Location::default()
    };
    let events: Vec<TrackingEvent> = steps(scenario)
        .into_iter()
        .map(|(hours, code, description, status, exception)| {
            let at = created + Duration::hours(hours);
            let location = if scenario == Scenario::Misdelivered && code == "DL" {
                Location {
                    city: Some("Reykjavík".into()),
                    country: Some("IS".into()),
                    lat: Some(64.1466),
                    lon: Some(-21.9426),
                    ..Location::default()
                }
            } else {
                hub.clone()
            };
            TrackingEvent {
                at,
                raw_time: at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                raw_code: code.into(),
                description: description.into(),
                location,
                status,
                exception,
            }
        })
        .filter(|e| e.at <= now)
        .collect();
    let latest = events.last();
    TrackingUpdate {
        carrier: "sandbox".into(),
        tracking_number: tracking.to_string(),
        status: latest.map_or(TrackingStatus::Unknown, |e| e.status),
        exception: latest.and_then(|e| e.exception),
        estimated_delivery: steps(scenario)
            .iter()
            .find(|s| s.3 == TrackingStatus::Delivered)
            .map(|s| created + Duration::hours(s.0)),
        events,
    }
}

/// Where the sandbox reads the time; the service passes its own clock so simulated
/// parcels move when tests move time.
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The sandbox carrier.
pub struct Sandbox {
    now: Now,
    forced: Option<Scenario>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox::with_clock(Arc::new(Utc::now))
    }

    pub fn with_clock(now: Now) -> Sandbox {
        Sandbox { now, forced: None }
    }

    /// Every label follows `scenario` instead of one chosen from its RMA number.
    pub fn with_scenario(mut self, scenario: Option<Scenario>) -> Sandbox {
        self.forced = scenario;
        self
    }
}

#[async_trait]
impl Carrier for Sandbox {
    fn code(&self) -> &'static str {
        "sandbox"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            label_formats: LabelFormat::ALL.to_vec(),
            max_batch: 100,
            webhooks: false,
            rate_limit_per_second: None,
        }
    }

    async fn create_return_label(&self, request: &LabelRequest) -> Result<Label, CarrierError> {
        let now = (self.now)();
        let scenario = self
            .forced
            .unwrap_or_else(|| Scenario::for_reference(&request.rma_number));
        let salt = format!(
            "{}{}",
            request.rma_number,
            now.timestamp_nanos_opt().unwrap_or_default()
        );
        let tracking = tracking_number(scenario, now, &salt);
        let content = LabelContent {
            carrier_name: "Sandbox",
            service: "Ground return",
            tracking_number: &tracking,
            rma_number: &request.rma_number,
            from: &request.from,
            to: &request.to,
        };
        let mut formats = vec![request.format];
        formats.extend(
            LabelFormat::ALL
                .into_iter()
                .filter(|f| *f != request.format),
        );
        let documents = formats
            .into_iter()
            .map(|f| label::render(f, &content).map(|bytes| (f, bytes)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Label {
            carrier: "sandbox".into(),
            reference: tracking.clone(),
            tracking_number: tracking,
            service: "ground_return".into(),
            cost: request.estimated_cost.clone(),
            currency: request.currency.clone(),
            documents,
            created_at: now,
        })
    }

    async fn void_label(&self, label: &LabelRef) -> Result<(), CarrierError> {
        let tracking_number = label.tracking_number.as_str();
        let rejected = |message: &str| CarrierError::Rejected {
            carrier: "sandbox".into(),
            message: message.into(),
        };
        decode(tracking_number).ok_or_else(|| rejected("unknown tracking number"))?;
        // Voidable until the first scan after the label was created.
        if simulate(tracking_number, (self.now)()).status != TrackingStatus::PreTransit {
            return Err(rejected("the parcel is already with the carrier"));
        }
        Ok(())
    }

    async fn track(
        &self,
        tracking_numbers: &[String],
    ) -> Result<Vec<TrackingUpdate>, CarrierError> {
        let now = (self.now)();
        Ok(tracking_numbers.iter().map(|t| simulate(t, now)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
            .single()
            .expect("time")
            + Duration::hours(hours)
    }

    #[test]
    fn numbers_decode_to_their_scenario_and_hour() {
        for scenario in Scenario::ALL {
            let n = tracking_number(scenario, at(0), "R-7KQ2-M9XD");
            assert_eq!(n.len(), 15, "{n}");
            let (s, created) = decode(&n).expect("decodes");
            assert_eq!(s, scenario);
            assert_eq!(created, at(0));
        }
        let n = tracking_number(Scenario::Normal, at(0), "x");
        let mut typo = n.clone().into_bytes();
        typo[8] = if typo[8] == b'9' { b'8' } else { typo[8] + 1 };
        assert_eq!(
            decode(&String::from_utf8(typo).expect("ascii")),
            None,
            "the check digit catches typos"
        );
        assert_eq!(decode("1Z999AA10123456784"), None);
    }

    /// (scenario, hours after creation, expected status, expected exception)
    #[test]
    fn timelines_table() {
        use ExceptionKind as X;
        use Scenario as Sc;
        use TrackingStatus as S;
        let table = [
            (Sc::Normal, 1, S::PreTransit, None),
            (Sc::Normal, 21, S::InTransit, None),
            (Sc::Normal, 51, S::OutForDelivery, None),
            (Sc::Normal, 57, S::Delivered, None),
            (Sc::Lost, 500, S::InTransit, None),
            (Sc::Damaged, 41, S::Exception, Some(X::Damaged)),
            (Sc::Damaged, 70, S::Delivered, None),
            (Sc::Delayed, 60, S::Exception, Some(X::Delayed)),
            (Sc::ReturnedToSender, 53, S::Exception, Some(X::Refused)),
            (Sc::ReturnedToSender, 121, S::ReturnedToSender, None),
            (Sc::Misdelivered, 57, S::Delivered, None),
            (Sc::Unused, 5000, S::PreTransit, None),
        ];
        for (scenario, hours, status, exception) in table {
            let n = tracking_number(scenario, at(0), "salt");
            let update = simulate(&n, at(hours));
            assert_eq!(update.status, status, "{scenario:?} at +{hours} h");
            assert_eq!(update.exception, exception, "{scenario:?} at +{hours} h");
            assert!(
                update.events.windows(2).all(|w| w[0].at <= w[1].at),
                "oldest first"
            );
        }
        let misdelivered = simulate(&tracking_number(Sc::Misdelivered, at(0), "s"), at(60));
        assert_eq!(
            misdelivered
                .events
                .last()
                .and_then(|e| e.location.country.clone()),
            Some("IS".into())
        );
    }

    #[test]
    fn unknown_numbers_are_unknown_not_errors() {
        let update = simulate("NOT-A-NUMBER", at(0));
        assert_eq!(update.status, TrackingStatus::Unknown);
        assert!(update.events.is_empty());
    }

    #[test]
    fn most_references_are_normal_but_not_all() {
        let scenarios: Vec<Scenario> = (0..1000)
            .map(|i| Scenario::for_reference(&format!("R-{i}")))
            .collect();
        let normal = scenarios.iter().filter(|s| **s == Scenario::Normal).count();
        assert!((800..900).contains(&normal), "{normal}");
        for s in Scenario::ALL.into_iter().filter(|s| *s != Scenario::Unused) {
            assert!(scenarios.contains(&s), "{s:?} never chosen");
        }
        assert!(
            !scenarios.contains(&Scenario::Unused),
            "unused is only ever forced"
        );
        assert_eq!(Scenario::parse("unused"), Some(Scenario::Unused));
        assert_eq!(Scenario::parse("teleported"), None);
    }
}
