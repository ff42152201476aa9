//! The sandbox carrier: offline, deterministic, and the default. It renders real labels
//! (PDF 4×6, PDF A4, ZPL) and simulates a tracking timeline from the moment the label
//! was created, with the trouble real parcels run into.
//!
//! Tracking numbers look like `SBX` + 15 digits: a scenario digit, the hour the label
//! was created (hours since 2026-01-01 UTC, 7 digits), 6 digits that make it unique,
//! and a mod-10 check digit (weights 3 and 1). Everything the timeline needs is in the
//! number (times vary per parcel, drawn from a hash of the number), so tracking needs
//! no state and survives restarts. Like real carriers, it promises a delivery day once
//! the parcel is picked up and a delivery window (from the hour before delivery) once it
//! is out for delivery. Scenarios:
//!
//! | digit | scenario | what happens |
//! |---|---|---|
//! | 0 | normal | label created; picked up after 14–26 h; sorted 8–16 h later; out for delivery on the first morning (07:00–09:00 UTC) at least 6 h after sorting; delivered 1–8 h after that |
//! | 1 | lost | scans stop after sorting |
//! | 2 | damaged | a damage exception 4 h after sorting, then delivered as normal |
//! | 3 | delayed | a delay exception 4 h after sorting; delivered 2.5 days after the promised day |
//! | 4 | returned to sender | out for delivery, refused 2 h later, back with the sender after 70 h |
//! | 5 | misdelivered | delivered as normal, but scanned in Reykjavík |
//! | 6 | unused | the label is never handed over: no scan after its creation |
//!
//! A label's scenario is chosen from its RMA number: 85 % normal, 3 % each of lost,
//! damaged, delayed, returned and misdelivered; or forced for every label by the setting
//! `carriers.sandbox.scenario` (for demos and tests). `unused` is only ever forced.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use sha2::{Digest, Sha256};

use crate::label::{self, LabelContent, LabelFormat};
use crate::script_font::ScriptFont;
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

use crate::mod10_check_digit as check_digit;

/// A sandbox tracking number for a label created at `created_at`; `salt` makes it
/// unique among labels created in the same hour.
pub fn tracking_number(scenario: Scenario, created_at: DateTime<Utc>, salt: &str) -> String {
    numbered(scenario, created_at, hash_number(salt))
}

/// The number of parcel `unique` (of a million an hour) in `scenario`.
fn numbered(scenario: Scenario, created_at: DateTime<Utc>, unique: u64) -> String {
    let hours = (created_at - epoch()).num_hours().clamp(0, 9_999_999);
    let body = format!("{}{hours:07}{:06}", scenario.digit(), unique % 1_000_000);
    format!("SBX{body}{}", check_digit(&body))
}

/// What a sandbox number says, if it is one.
pub fn decode(tracking: &str) -> Option<(Scenario, DateTime<Utc>)> {
    let digits = tracking.strip_prefix("SBX")?;
    if digits.len() != 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (body, check) = digits.split_at(14);
    if check.parse::<u32>().ok()? != check_digit(body) {
        return None;
    }
    let scenario = *Scenario::ALL.get(body[..1].parse::<usize>().ok()?)?;
    let hours: i64 = body[1..8].parse().ok()?;
    Some((scenario, epoch() + Duration::hours(hours)))
}

/// (time, raw code, description, status, exception)
type Step = (
    DateTime<Utc>,
    &'static str,
    &'static str,
    TrackingStatus,
    Option<ExceptionKind>,
);

/// A parcel's timeline, fixed by its number: the scans, and what the carrier promises
/// (a delivery day once the parcel moves, a delivery window once it is out for
/// delivery).
struct Timeline {
    steps: Vec<Step>,
    /// (from, promised delivery): the date, as midnight UTC, from pickup on; a delay
    /// comes with a new promise.
    promised_days: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// (from, window start): from out-for-delivery on.
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// A number in `0..range` drawn from the tracking number, different per `draw`.
fn draw(tracking: &str, n: u8, range: i64) -> i64 {
    let value = hash_number(&format!("{tracking}/{n}")) % range.max(1) as u64;
    value as i64
}

/// The first 07:00 UTC at or after `t`: vans leave in the morning.
fn next_morning(t: DateTime<Utc>) -> DateTime<Utc> {
    let seven = t
        .date_naive()
        .and_hms_opt(7, 0, 0)
        .map(|n| n.and_utc())
        .unwrap_or(t);
    if seven >= t {
        seven
    } else {
        seven + Duration::days(1)
    }
}

fn midnight(t: DateTime<Utc>) -> DateTime<Utc> {
    t.date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|n| n.and_utc())
        .unwrap_or(t)
}

fn timeline(tracking: &str, scenario: Scenario, created: DateTime<Utc>) -> Timeline {
    use ExceptionKind as X;
    use TrackingStatus as S;
    let minutes =
        |n: u8, from: i64, to: i64| Duration::minutes(from + draw(tracking, n, to - from));
    let created_step: Step = (created, "LC", "Label created", S::PreTransit, None);
    if scenario == Scenario::Unused {
        return Timeline {
            steps: vec![created_step],
            promised_days: Vec::new(),
            window: None,
        };
    }
    let pickup = created + minutes(1, 14 * 60, 26 * 60);
    let sorted = pickup + minutes(2, 8 * 60, 16 * 60);
    // Out for delivery on the first morning at least 6 h after sorting (a delay pushes
    // it by 2.5 days), delivered 1 to 8 hours later.
    let extra = if scenario == Scenario::Delayed {
        Duration::hours(60)
    } else {
        Duration::zero()
    };
    let promised_out = next_morning(sorted + Duration::hours(6)) + minutes(3, 0, 120);
    let out = next_morning(sorted + Duration::hours(6) + extra) + minutes(3, 0, 120);
    let delivered = out + minutes(4, 60, 8 * 60);
    let mut steps = vec![
        created_step,
        (pickup, "PU", "Picked up", S::InTransit, None),
        (
            sorted,
            "AR",
            "Arrived at sorting facility",
            S::InTransit,
            None,
        ),
    ];
    let out_step: Step = (out, "OD", "Out for delivery", S::OutForDelivery, None);
    let delivered_step: Step = (delivered, "DL", "Delivered", S::Delivered, None);
    match scenario {
        Scenario::Normal | Scenario::Misdelivered => steps.extend([out_step, delivered_step]),
        Scenario::Lost => {}
        Scenario::Damaged => steps.extend([
            (
                sorted + Duration::hours(4),
                "EX-DMG",
                "Parcel damaged in handling",
                S::Exception,
                Some(X::Damaged),
            ),
            out_step,
            delivered_step,
        ]),
        Scenario::Delayed => steps.extend([
            (
                sorted + Duration::hours(4),
                "EX-DLY",
                "Delayed: operational disruption",
                S::Exception,
                Some(X::Delayed),
            ),
            out_step,
            delivered_step,
        ]),
        Scenario::ReturnedToSender => steps.extend([
            out_step,
            (
                out + Duration::hours(2),
                "EX-REF",
                "Delivery refused",
                S::Exception,
                Some(X::Refused),
            ),
            (
                out + Duration::hours(70),
                "RS",
                "Returned to sender",
                S::ReturnedToSender,
                None,
            ),
        ]),
        Scenario::Unused => {}
    }
    let delivers = matches!(
        scenario,
        Scenario::Normal | Scenario::Misdelivered | Scenario::Damaged | Scenario::Delayed
    );
    let mut promised_days = vec![(pickup, midnight(promised_out))];
    if scenario == Scenario::Delayed {
        promised_days.push((sorted + Duration::hours(4), midnight(out)));
    }
    Timeline {
        steps,
        promised_days,
        // The carrier announces a window starting on the hour before the delivery.
        window: delivers.then(|| {
            let start = delivered
                .with_minute(0)
                .and_then(|t| t.with_second(0))
                .unwrap_or(delivered);
            (out, start)
        }),
    }
}

/// When a sandbox parcel is (or would be) delivered, for tests and simulations that
/// need the truth; `None` for scenarios that never deliver, or numbers not ours.
pub fn delivered_at(tracking: &str) -> Option<DateTime<Utc>> {
    let (scenario, created) = decode(tracking)?;
    timeline(tracking, scenario, created)
        .steps
        .iter()
        .find(|s| s.3 == TrackingStatus::Delivered)
        .map(|s| s.0)
}

/// The scans of a sandbox parcel, all of them (including those still in its future).
pub fn scans(tracking: &str) -> Vec<TrackingEvent> {
    simulate(tracking, DateTime::<Utc>::MAX_UTC).events
}

/// The timeline of a sandbox parcel as known at `now`.
/// Reads what the sandbox answers: its tracking in Backhaul's own model (one parcel as
/// an object, several as an array), or a bare sandbox tracking number, which is
/// simulated as of `asked.received_at`.
pub fn read_tracking(
    body: &[u8],
    asked: &crate::tracking::Asked,
) -> Result<Vec<TrackingUpdate>, CarrierError> {
    let text = std::str::from_utf8(body).map_err(|_| CarrierError::Malformed {
        carrier: "sandbox".into(),
        message: "the answer is not UTF-8 text".into(),
    })?;
    let number = text.trim();
    if !number.is_empty() && number.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Ok(vec![simulate(number, asked.received_at)]);
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Answer {
        One(TrackingUpdate),
        Many(Vec<TrackingUpdate>),
    }
    match crate::http::parse_json::<Answer>("sandbox", body)? {
        Answer::One(update) => Ok(vec![update]),
        Answer::Many(updates) => Ok(updates),
    }
}

pub fn simulate(tracking: &str, now: DateTime<Utc>) -> TrackingUpdate {
    let Some((scenario, created)) = decode(tracking) else {
        return TrackingUpdate::unknown("sandbox", tracking);
    };
    let hub = Location {
        city: Some("Sandbox Hub".into()),
        country: None,
        ..Location::default()
    };
    let line = timeline(tracking, scenario, created);
    let events: Vec<TrackingEvent> = line
        .steps
        .into_iter()
        .filter(|step| step.0 <= now)
        .map(|(at, code, description, status, exception)| {
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
        .collect();
    let latest = events.last();
    let promise = |p: Option<(DateTime<Utc>, DateTime<Utc>)>| {
        p.filter(|(from, _)| *from <= now).map(|(_, at)| at)
    };
    TrackingUpdate {
        carrier: "sandbox".into(),
        tracking_number: tracking.to_string(),
        status: latest.map_or(TrackingStatus::Unknown, |e| e.status),
        exception: latest.and_then(|e| e.exception),
        message: None,
        estimated_delivery: promise(line.window).or(promise(
            line.promised_days
                .into_iter()
                .rev()
                .find(|(from, _)| *from <= now),
        )),
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
    script_font: Option<Arc<ScriptFont>>,
    /// The next label's place among the hour's million numbers: counted from a random
    /// start, so one process never repeats a number within an hour (drawn at random,
    /// two thousand labels an hour would share one about twice) and several rarely do.
    next_label: std::sync::atomic::AtomicU64,
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
        Sandbox {
            now,
            forced: None,
            script_font: None,
            next_label: std::sync::atomic::AtomicU64::new(rand::random::<u64>() % 1_000_000),
        }
    }

    /// Labels print addresses in other scripts with `font` (see [`ScriptFont`]).
    pub fn with_script_font(mut self, font: Option<Arc<ScriptFont>>) -> Sandbox {
        self.script_font = font;
        self
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
        let unique = self
            .next_label
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tracking = numbered(scenario, now, unique);
        // Drawing four documents (and subsetting a font for other scripts) is CPU work:
        // off the async workers.
        let (request_copy, font, number) =
            (request.clone(), self.script_font.clone(), tracking.clone());
        let documents = tokio::task::spawn_blocking(move || {
            let request = request_copy;
            let content = LabelContent {
                carrier_name: "Sandbox",
                service: "Ground return",
                tracking_number: &number,
                rma_number: &request.rma_number,
                from: &request.from,
                to: &request.to,
                ship_date: request.ship_date,
                weight_grams: request.weight_grams,
                script_font: font.as_deref(),
            };
            let mut formats = vec![request.format];
            formats.extend(
                LabelFormat::ALL
                    .into_iter()
                    .filter(|f| *f != request.format),
            );
            formats
                .into_iter()
                .map(|f| label::render(f, &content).map(|bytes| (f, bytes)))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| CarrierError::Label(format!("label drawing stopped: {e}")))??;
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
    fn labels_in_one_hour_never_share_a_number() {
        // Counted from near the end of the million, so the count wraps round.
        let start = 999_000;
        let numbers: std::collections::HashSet<String> = (start..start + 20_000)
            .map(|u| numbered(Scenario::Normal, at(0), u))
            .collect();
        assert_eq!(numbers.len(), 20_000);
        assert!(numbers
            .iter()
            .all(|n| decode(n) == Some((Scenario::Normal, at(0)))));
    }

    #[test]
    fn numbers_decode_to_their_scenario_and_hour() {
        for scenario in Scenario::ALL {
            let n = tracking_number(scenario, at(0), "R-7KQ2-M9XD");
            assert_eq!(n.len(), 18, "{n}");
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

    /// Each scenario's scan codes in order, for many parcels (their times vary).
    #[test]
    fn timelines_table() {
        use Scenario as Sc;
        let table: [(Sc, &[&str]); 7] = [
            (Sc::Normal, &["LC", "PU", "AR", "OD", "DL"]),
            (Sc::Lost, &["LC", "PU", "AR"]),
            (Sc::Damaged, &["LC", "PU", "AR", "EX-DMG", "OD", "DL"]),
            (Sc::Delayed, &["LC", "PU", "AR", "EX-DLY", "OD", "DL"]),
            (
                Sc::ReturnedToSender,
                &["LC", "PU", "AR", "OD", "EX-REF", "RS"],
            ),
            (Sc::Misdelivered, &["LC", "PU", "AR", "OD", "DL"]),
            (Sc::Unused, &["LC"]),
        ];
        for (scenario, codes) in table {
            for salt in 0..50 {
                let n = tracking_number(scenario, at(0), &salt.to_string());
                let all = scans(&n);
                let got: Vec<&str> = all.iter().map(|e| e.raw_code.as_str()).collect();
                assert_eq!(got, codes, "{scenario:?} {n}");
                assert!(all.windows(2).all(|w| w[0].at < w[1].at), "{n}: in order");
                assert_eq!(simulate(&n, at(0)).status, TrackingStatus::PreTransit);
                if let Some(delivered) = delivered_at(&n) {
                    let hours = (delivered - at(0)).num_hours();
                    let limit = if scenario == Sc::Delayed { 150 } else { 90 };
                    assert!((28..limit).contains(&hours), "{n}: delivered at +{hours} h");
                    let before = simulate(&n, delivered - Duration::minutes(1));
                    assert_eq!(before.status, TrackingStatus::OutForDelivery);
                    let window = before.estimated_delivery.expect("a window");
                    assert!(window <= delivered && delivered - window < Duration::hours(1));
                    assert_eq!(simulate(&n, delivered).status, TrackingStatus::Delivered);
                    let out = all.iter().find(|e| e.raw_code == "OD").map(|e| e.at);
                    assert!(
                        out.is_some_and(|o| (7..9).contains(&o.hour())),
                        "{n}: vans leave in the morning"
                    );
                }
            }
        }
        let damaged = tracking_number(Sc::Damaged, at(0), "d");
        let damage = scans(&damaged)[3].at;
        let update = simulate(&damaged, damage);
        assert_eq!(
            (update.status, update.exception),
            (TrackingStatus::Exception, Some(ExceptionKind::Damaged))
        );
        let returned = tracking_number(Sc::ReturnedToSender, at(0), "r");
        assert_eq!(
            simulate(&returned, at(500)).status,
            TrackingStatus::ReturnedToSender
        );
        let picked_up = scans(&returned)[1].at;
        assert!(simulate(&returned, picked_up - Duration::minutes(1))
            .estimated_delivery
            .is_none());
        let promised = simulate(&returned, picked_up)
            .estimated_delivery
            .expect("a day");
        assert_eq!(
            (promised.hour(), promised.minute()),
            (0, 0),
            "a day, not a time"
        );
        let misdelivered = simulate(&tracking_number(Sc::Misdelivered, at(0), "s"), at(200));
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
