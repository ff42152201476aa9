//! UPS, from its public OAuth and Tracking APIs as summarized in shared/carriers.md:
//!
//! - OAuth 2 client credentials: `POST /security/v1/oauth/token` with HTTP Basic
//!   (client id, secret), form `grant_type=client_credentials`, header `x-merchant-id`;
//!   `expires_in` (seconds, sent as a string) is about four hours;
//! - tracking: `GET /api/track/v1/details/{inquiryNumber}` with `transId` and
//!   `transactionSrc`, one number per call; `activity[].status.type` mapped by
//!   [`STATUS_TYPE`]; exception descriptions refine the kind through
//!   [`crate::tracking::EXCEPTION_WORDS`].
//!
//! - return labels: `POST /api/shipments/{version}/ship` with `ReturnService.Code` 9
//!   (print return label), billed to the shop's account; the label comes back base64 in
//!   `PackageResults.ShippingLabel.GraphicImage` as PNG (wrapped into a 4×6 PDF) or
//!   ZPL; void: `DELETE /api/shipments/{version}/void/cancel/{shipment id}`. Field names
//!   follow carriers.md and UPS's published examples, not verified against the live CIE.
//!
//! UPS sends local times without an offset; they are converted to UTC from the scan's
//! country and state ([`crate::local_time`]), the raw text kept.

use async_trait::async_trait;
use base64::Engine;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{parse_borrowed, CarrierHttp, HttpSettings};
use crate::local_time;
use crate::oauth::{read_token, TokenCache};
use crate::one_by_one;
use crate::pdf::Page;
use crate::tracking::{
    digits_date, error_answer, exception_from_words, mentions, mentions_any, number, owned,
    refine_exception, said, settle, str_of, Asked, Scan, Text,
};
use crate::{
    Address, Capabilities, Carrier, CarrierError, ExceptionKind, Label, LabelFormat, LabelRef,
    LabelRequest, Location, TrackingStatus, TrackingUpdate,
};

pub const DEFAULT_BASE_URL: &str = "https://onlinetools.ups.com";

/// `status.type` → normalized status.
pub const STATUS_TYPE: &[(&str, TrackingStatus)] = &[
    ("M", TrackingStatus::PreTransit),
    ("MV", TrackingStatus::Cancelled),
    ("P", TrackingStatus::InTransit),
    ("I", TrackingStatus::InTransit),
    ("W", TrackingStatus::InTransit),
    ("O", TrackingStatus::OutForDelivery),
    ("D", TrackingStatus::Delivered),
    ("X", TrackingStatus::Exception),
    ("RS", TrackingStatus::ReturnedToSender),
];

/// One row of [`STATUS_CODE`]: an activity `status.code` that says more than its
/// `type`, for the types named (none: any) and, when words are named, only if the
/// description holds one of them.
pub struct CodeRule {
    pub code: &'static str,
    pub types: &'static [&'static str],
    pub words: &'static [&'static str],
    pub status: TrackingStatus,
}

const fn rule(
    code: &'static str,
    types: &'static [&'static str],
    words: &'static [&'static str],
    status: TrackingStatus,
) -> CodeRule {
    CodeRule {
        code,
        types,
        words,
        status,
    }
}

/// Activity codes that win over their `type`; the first row that fits decides. UPS
/// publishes one code list per activity type and the same two letters mean different
/// things in them (manifest `MP` is "label created", delivery `MP` is "left in the
/// garage"; exception `RS` asks the importer for customs papers, `RP` waits for a
/// government agency, `CA` is a parcel too large), so the exception readings of the
/// shared codes come first.
pub const STATUS_CODE: &[CodeRule] = &[
    rule("RS", &["X"], &[], TrackingStatus::Exception),
    rule("CA", &["X"], &[], TrackingStatus::Exception),
    rule("OT", &["X"], &["clearance"], TrackingStatus::Exception),
    rule(
        "RP",
        &["X"],
        &["government", "release"],
        TrackingStatus::Exception,
    ),
    rule("MP", &["D"], &[], TrackingStatus::Delivered),
    // "Shipper created a label, UPS has not received the package yet."
    rule("MP", &[], &[], TrackingStatus::PreTransit),
    rule("VP", &[], &[], TrackingStatus::Cancelled),
    rule("CA", &[], &[], TrackingStatus::Cancelled),
    rule("OT", &[], &[], TrackingStatus::OutForDelivery),
    rule("OF", &[], &[], TrackingStatus::OutForDelivery),
    rule("OD", &[], &[], TrackingStatus::OutForDelivery),
    // Out for delivery to an Access Point: still on its way, not to the customer.
    rule("YI", &[], &[], TrackingStatus::InTransit),
    rule("ZS", &[], &[], TrackingStatus::InTransit),
    // At an Access Point, a locker or a post office, waiting for the customer.
    rule("RP", &[], &[], TrackingStatus::AvailableForPickup),
    rule("ZP", &[], &[], TrackingStatus::AvailableForPickup),
    rule("I5", &[], &[], TrackingStatus::AvailableForPickup),
    rule("5G", &[], &[], TrackingStatus::AvailableForPickup),
    rule("6B", &[], &[], TrackingStatus::AvailableForPickup),
    rule("2Q", &[], &[], TrackingStatus::AvailableForPickup),
    rule("1N", &[], &[], TrackingStatus::AvailableForPickup),
    rule("ZQ", &[], &[], TrackingStatus::AvailableForPickup),
    rule("EP", &["D"], &[], TrackingStatus::AvailableForPickup),
    // "Package Picked Up At UPS Access Point": the customer has it.
    rule("2W", &[], &[], TrackingStatus::Delivered),
    rule("RS", &[], &[], TrackingStatus::ReturnedToSender),
    rule("UA", &[], &[], TrackingStatus::ReturnedToSender),
    rule("B0", &[], &[], TrackingStatus::ReturnedToSender),
];

/// `currentStatus.code` (UPS's status codes, sent as "011" or "11") → the package's
/// status. Codes still moving back to the shipper ("returning to sender", 035/036)
/// read as in transit: returned is final and would stop the polling before it arrives.
pub const CURRENT_STATUS: &[(u16, TrackingStatus, Option<ExceptionKind>)] = &[
    (3, TrackingStatus::PreTransit, None),
    (45, TrackingStatus::PreTransit, None),
    (77, TrackingStatus::PreTransit, None),
    (79, TrackingStatus::PreTransit, None),
    (80, TrackingStatus::PreTransit, None),
    (157, TrackingStatus::PreTransit, None),
    (166, TrackingStatus::PreTransit, None),
    (5, TrackingStatus::InTransit, None),
    (10, TrackingStatus::InTransit, None),
    (12, TrackingStatus::InTransit, None),
    (14, TrackingStatus::InTransit, None),
    (16, TrackingStatus::InTransit, None),
    (19, TrackingStatus::InTransit, None),
    (20, TrackingStatus::InTransit, None),
    (25, TrackingStatus::InTransit, None),
    (35, TrackingStatus::InTransit, None),
    (36, TrackingStatus::InTransit, None),
    (38, TrackingStatus::InTransit, None),
    (39, TrackingStatus::InTransit, None),
    (44, TrackingStatus::InTransit, None),
    (47, TrackingStatus::InTransit, None),
    (57, TrackingStatus::InTransit, None),
    (70, TrackingStatus::InTransit, None),
    (71, TrackingStatus::InTransit, None),
    (87, TrackingStatus::InTransit, None),
    (158, TrackingStatus::InTransit, None),
    (159, TrackingStatus::InTransit, None),
    (160, TrackingStatus::InTransit, None),
    (164, TrackingStatus::InTransit, None),
    (165, TrackingStatus::InTransit, None),
    // Dropped off by the customer at a UPS Store, a shop or an Access Point.
    (167, TrackingStatus::InTransit, None),
    (168, TrackingStatus::InTransit, None),
    (169, TrackingStatus::InTransit, None),
    (6, TrackingStatus::OutForDelivery, None),
    (21, TrackingStatus::OutForDelivery, None),
    (37, TrackingStatus::OutForDelivery, None),
    (72, TrackingStatus::OutForDelivery, None),
    (89, TrackingStatus::OutForDelivery, None),
    (91, TrackingStatus::OutForDelivery, None),
    (146, TrackingStatus::OutForDelivery, None),
    (162, TrackingStatus::OutForDelivery, None),
    (11, TrackingStatus::Delivered, None),
    (26, TrackingStatus::Delivered, None),
    (143, TrackingStatus::Delivered, None),
    (17, TrackingStatus::AvailableForPickup, None),
    (40, TrackingStatus::AvailableForPickup, None),
    (144, TrackingStatus::AvailableForPickup, None),
    (161, TrackingStatus::AvailableForPickup, None),
    (7, TrackingStatus::Cancelled, None),
    (34, TrackingStatus::ReturnedToSender, None),
    (67, TrackingStatus::ReturnedToSender, None),
    (32, TrackingStatus::Exception, Some(ExceptionKind::Delayed)),
    (46, TrackingStatus::Exception, Some(ExceptionKind::Delayed)),
    (48, TrackingStatus::Exception, Some(ExceptionKind::Delayed)),
    (49, TrackingStatus::Exception, Some(ExceptionKind::Delayed)),
    (51, TrackingStatus::Exception, Some(ExceptionKind::Delayed)),
    (52, TrackingStatus::Exception, Some(ExceptionKind::Delayed)),
    (53, TrackingStatus::Exception, Some(ExceptionKind::Delayed)),
    (86, TrackingStatus::Exception, Some(ExceptionKind::Delayed)),
    (90, TrackingStatus::Exception, Some(ExceptionKind::Delayed)),
    (132, TrackingStatus::Exception, Some(ExceptionKind::Delayed)),
    (50, TrackingStatus::Exception, Some(ExceptionKind::Address)),
    (58, TrackingStatus::Exception, Some(ExceptionKind::Customs)),
    (123, TrackingStatus::Exception, Some(ExceptionKind::Customs)),
    (124, TrackingStatus::Exception, Some(ExceptionKind::Customs)),
    (125, TrackingStatus::Exception, Some(ExceptionKind::Customs)),
    (126, TrackingStatus::Exception, Some(ExceptionKind::Customs)),
    (59, TrackingStatus::Exception, Some(ExceptionKind::Damaged)),
    (81, TrackingStatus::Exception, Some(ExceptionKind::Damaged)),
    (64, TrackingStatus::Exception, Some(ExceptionKind::Refused)),
    (68, TrackingStatus::Exception, Some(ExceptionKind::Lost)),
    // Exceptions whose kind the words tell: "Exception", failed delivery attempts,
    // "Unable to Deliver", seized, destroyed.
    (13, TrackingStatus::Exception, None),
    (22, TrackingStatus::Exception, None),
    (23, TrackingStatus::Exception, None),
    (24, TrackingStatus::Exception, None),
    (29, TrackingStatus::Exception, None),
    (30, TrackingStatus::Exception, None),
    (60, TrackingStatus::Exception, None),
    (61, TrackingStatus::Exception, None),
    (62, TrackingStatus::Exception, None),
    (66, TrackingStatus::Exception, None),
    (69, TrackingStatus::Exception, None),
    (145, TrackingStatus::Exception, None),
    (147, TrackingStatus::Exception, None),
    (149, TrackingStatus::Exception, None),
];

/// Words that mark a parcel waiting for the customer at a UPS Access Point or counter,
/// which UPS files under `X` (exception) although nothing went wrong.
const PICKUP_WORDS: &[&str] = &[
    "access point",
    "awaiting customer pickup",
    "available for pickup",
    "ready for pickup",
    "held for customer pickup",
];

/// One activity's `type`, `code` and description → status and exception kind.
pub fn normalize(
    status_type: &str,
    code: &str,
    description: &str,
) -> (TrackingStatus, Option<ExceptionKind>) {
    let by_code = STATUS_CODE
        .iter()
        .find(|r| {
            r.code == code
                && (r.types.is_empty() || r.types.contains(&status_type))
                && (r.words.is_empty() || mentions_any(description, r.words))
        })
        .map(|r| r.status);
    let by_type = STATUS_TYPE
        .iter()
        .find(|(t, _)| *t == status_type)
        .map(|(_, s)| *s);
    let status = match (by_code, by_type) {
        (Some(s), _) => s,
        (None, Some(TrackingStatus::Exception)) if mentions_any(description, PICKUP_WORDS) => {
            TrackingStatus::AvailableForPickup
        }
        // `U` (update) says what happened in words only.
        (None, None) if status_type == "U" && mentions(description, "return") => {
            TrackingStatus::ReturnedToSender
        }
        (None, None) if status_type == "U" => TrackingStatus::InTransit,
        (None, Some(s)) => s,
        (None, None) => TrackingStatus::Unknown,
    };
    match status {
        TrackingStatus::Exception => (status, Some(exception_from_words(description))),
        _ => (status, None),
    }
}

/// The package's `currentStatus` code and description → status, if the code is known.
pub fn normalize_current(
    code: &str,
    description: &str,
) -> Option<(TrackingStatus, Option<ExceptionKind>)> {
    let code = u16::try_from(number(code.as_bytes()).filter(|_| code.len() <= 3)?).ok()?;
    let (_, status, kind) = CURRENT_STATUS.iter().find(|(c, _, _)| *c == code)?;
    Some(match (status, kind) {
        (TrackingStatus::Exception, None) => (*status, Some(exception_from_words(description))),
        _ => (*status, *kind),
    })
}

/// `GET /api/track/v1/details/{number}`: the shipment, or `response.errors`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer<'a> {
    #[serde(borrow, default)]
    track_response: Option<TrackResponse<'a>>,
    #[serde(borrow, default)]
    response: Option<ErrorResponse<'a>>,
}

#[derive(Deserialize)]
struct ErrorResponse<'a> {
    #[serde(borrow, default)]
    errors: Vec<UpsMessage<'a>>,
}

#[derive(Deserialize)]
struct UpsMessage<'a> {
    #[serde(borrow, default)]
    code: Option<Text<'a>>,
    #[serde(borrow, default)]
    message: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct TrackResponse<'a> {
    #[serde(borrow, default)]
    shipment: Vec<Shipment<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shipment<'a> {
    #[serde(borrow, default)]
    inquiry_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    package: Vec<Package<'a>>,
    #[serde(borrow, default)]
    warnings: Vec<UpsMessage<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Package<'a> {
    #[serde(borrow, default)]
    tracking_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    current_status: Option<Status<'a>>,
    #[serde(borrow, default)]
    activity: Vec<Activity<'a>>,
    #[serde(borrow, default)]
    delivery_date: Vec<DeliveryDate<'a>>,
}

#[derive(Deserialize)]
struct DeliveryDate<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Option<Text<'a>>,
    #[serde(borrow, default)]
    date: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Status<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Option<Text<'a>>,
    #[serde(borrow, default)]
    code: Option<Text<'a>>,
    #[serde(borrow, default)]
    description: Option<Text<'a>>,
    #[serde(borrow, default, rename = "statusCode")]
    status_code: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Activity<'a> {
    #[serde(borrow, default)]
    date: Option<Text<'a>>,
    #[serde(borrow, default)]
    time: Option<Text<'a>>,
    #[serde(borrow, default)]
    gmt_date: Option<Text<'a>>,
    #[serde(borrow, default)]
    gmt_time: Option<Text<'a>>,
    #[serde(borrow, default)]
    location: Option<ActivityPlace<'a>>,
    #[serde(borrow, default)]
    status: Option<Status<'a>>,
}

#[derive(Deserialize)]
struct ActivityPlace<'a> {
    #[serde(borrow, default)]
    address: Option<PlaceAddress<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlaceAddress<'a> {
    #[serde(borrow, default)]
    city: Option<Text<'a>>,
    #[serde(borrow, default)]
    state_province: Option<Text<'a>>,
    #[serde(borrow, default)]
    postal_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    country_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    country: Option<Text<'a>>,
}

/// A UPS date (`YYYYMMDD`) and time: `HHMMSS`, `HH:MM:SS` in the GMT fields, or with
/// the hour's leading zero dropped (`74700`, as UPS's own example has it).
fn date_time(date: &str, time: &str) -> Option<chrono::NaiveDateTime> {
    let date = digits_date(date.as_bytes(), false)?;
    let mut buffer = [0u8; 6];
    let mut n = 0;
    for b in time.bytes().filter(|b| *b != b':') {
        *buffer.get_mut(n)? = b;
        n += 1;
    }
    let digits = &buffer[..n];
    let (h, m, s) = match n {
        6 => (&digits[..2], &digits[2..4], &digits[4..]),
        5 => (&digits[..1], &digits[1..3], &digits[3..]),
        _ => return None,
    };
    date.and_hms_opt(number(h)?, number(m)?, number(s)?)
}

fn scan(a: &Activity<'_>) -> Scan {
    let address = a.location.as_ref().and_then(|l| l.address.as_ref());
    let location = Location {
        city: address.and_then(|x| owned(&x.city)),
        region: address.and_then(|x| owned(&x.state_province)),
        postal_code: address.and_then(|x| owned(&x.postal_code)),
        country: address.and_then(|x| owned(&x.country_code).or_else(|| owned(&x.country))),
        lat: None,
        lon: None,
    };
    let (date, time) = (str_of(&a.date), str_of(&a.time));
    let raw_time = format!("{date}{time}");
    // The GMT fields need no zone; the local ones are converted from the scan's place.
    let at = date_time(str_of(&a.gmt_date), str_of(&a.gmt_time))
        .map(|t| t.and_utc())
        .or_else(|| {
            date_time(date, if time.is_empty() { "000000" } else { time })
                .map(|t| local_time::to_utc(t, &location))
        })
        .filter(|t| chrono::Datelike::year(t) >= 2000);
    let status = a.status.as_ref();
    let code = status.map_or("", |s| str_of(&s.code));
    let description = status.map_or(String::new(), |s| str_of(&s.description).to_string());
    let kind = status.map_or("", |s| str_of(&s.kind));
    let (normalized, exception) = normalize(kind, code, &description);
    Scan {
        at,
        raw_time,
        raw_code: if code.is_empty() { kind } else { code }.to_string(),
        description,
        location,
        status: normalized,
        exception,
    }
}

pub struct Ups {
    http: CarrierHttp,
    client_id: String,
    client_secret: SecretString,
    account: String,
    tokens: TokenCache,
}

/// The Shipping API version in the path.
const SHIP_API_VERSION: &str = "v2409";

fn malformed(message: &str) -> CarrierError {
    CarrierError::Malformed {
        carrier: "ups".into(),
        message: message.into(),
    }
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

impl Ups {
    pub fn new(
        settings: HttpSettings,
        client_id: String,
        client_secret: SecretString,
        account: String,
    ) -> Result<Ups, CarrierError> {
        Ok(Ups {
            http: CarrierHttp::new("ups", settings)?,
            client_id,
            client_secret,
            account,
            tokens: TokenCache::default(),
        })
    }

    async fn token(&self) -> Result<SecretString, CarrierError> {
        self.tokens
            .get(|| async {
                let url = self.http.url("/security/v1/oauth/token");
                let answer: Value = self
                    .http
                    .json(|c| {
                        c.post(&url)
                            .basic_auth(&self.client_id, Some(self.client_secret.expose_secret()))
                            .header("x-merchant-id", &self.account)
                            .form(&[("grant_type", "client_credentials")])
                    })
                    .await?;
                read_token("ups", &answer)
            })
            .await
    }

    async fn track_one(&self, number: &str) -> Result<TrackingUpdate, CarrierError> {
        let token = self.token().await?;
        let url = self.http.url(&format!("/api/track/v1/details/{number}"));
        let answer = self
            .http
            .send(|c| {
                c.get(&url)
                    .bearer_auth(token.expose_secret())
                    .header("transId", uuid_like(number))
                    .header("transactionSrc", "backhaul")
            })
            .await?;
        if answer.status == reqwest::StatusCode::UNAUTHORIZED {
            self.tokens.clear().await;
        }
        self.http.polled(&answer, number, read_tracking)
    }
}

/// Reads one Track API answer (`GET /api/track/v1/details/{number}`): an update per
/// package (a multi-piece shipment has several); an error or a warning without packages
/// reads as the number asked about, unknown, with UPS's words.
pub fn read_tracking(body: &[u8], asked: &Asked) -> Result<Vec<TrackingUpdate>, CarrierError> {
    let answer: Answer = parse_borrowed("ups", body)?;
    let all_said = |messages: &[UpsMessage<'_>]| {
        messages
            .iter()
            .map(|m| said(&m.code, &m.message))
            .collect::<Vec<_>>()
            .join("; ")
    };
    if let Some(error) = &answer.response {
        return error_answer("ups", asked, &all_said(&error.errors));
    }
    let Some(track) = answer.track_response else {
        return Err(malformed("neither trackResponse nor response.errors"));
    };
    let mut updates = Vec::new();
    for shipment in &track.shipment {
        if shipment.package.is_empty() {
            let number = asked.named(shipment.inquiry_number.as_deref());
            updates.push(TrackingUpdate::not_found(
                "ups",
                &number,
                &all_said(&shipment.warnings),
            ));
        }
        for package in &shipment.package {
            updates.push(package_update(package, shipment, asked));
        }
    }
    if updates.is_empty() {
        updates.push(TrackingUpdate::unknown("ups", &asked.named(None)));
    }
    Ok(updates)
}

fn package_update(package: &Package<'_>, shipment: &Shipment<'_>, asked: &Asked) -> TrackingUpdate {
    let events = settle(
        "ups",
        package.activity.iter().map(scan).collect(),
        None,
        asked.received_at,
    );
    let latest = || {
        events
            .last()
            .map_or((TrackingStatus::Unknown, None), |e| (e.status, e.exception))
    };
    // The package's current status when UPS's code for it is known (older answers put
    // an activity's type and code there instead); else the latest activity.
    let (status, exception) = match &package.current_status {
        Some(c) => {
            let description = str_of(&c.description);
            normalize_current(str_of(&c.code), description)
                .or_else(|| normalize_current(str_of(&c.status_code), description))
                .or_else(|| {
                    Some(normalize(str_of(&c.kind), str_of(&c.code), description))
                        .filter(|(s, _)| *s != TrackingStatus::Unknown)
                })
                .unwrap_or_else(latest)
        }
        None => latest(),
    };
    // A scheduled ("SDD") or rescheduled ("RDD") day; "DEL" is the day it was delivered.
    let estimated_delivery = package
        .delivery_date
        .iter()
        .find(|d| matches!(str_of(&d.kind), "SDD" | "RDD"))
        .and_then(|d| digits_date(str_of(&d.date).as_bytes(), false))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    TrackingUpdate {
        carrier: "ups".into(),
        tracking_number: asked.named(
            package
                .tracking_number
                .as_deref()
                .or(shipment.inquiry_number.as_deref()),
        ),
        status,
        exception: refine_exception(exception, &events),
        events,
        estimated_delivery,
        message: None,
    }
}

/// A per-request id UPS asks for; unique enough and free of customer data.
fn uuid_like(number: &str) -> String {
    format!("bh-{}-{}", Utc::now().timestamp_micros(), number.len())
}

#[async_trait]
impl Carrier for Ups {
    fn code(&self) -> &'static str {
        "ups"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            label_formats: vec![LabelFormat::Pdf, LabelFormat::Zpl],
            max_batch: 1,
            webhooks: false,
            rate_limit_per_second: None,
        }
    }

    async fn create_return_label(&self, request: &LabelRequest) -> Result<Label, CarrierError> {
        let party = |a: &Address| {
            let lines: Vec<&String> = [Some(&a.line1), a.line2.as_ref()]
                .into_iter()
                .flatten()
                .collect();
            let mut party = json!({"Name": a.name, "Address": {"AddressLine": lines, "City": a.city, "StateProvinceCode": a.region,
                   "PostalCode": a.postal_code, "CountryCode": a.country}});
            if let Some(phone) = &a.phone {
                party["Phone"] = json!({"Number": phone});
            }
            party
        };
        let mut shipper = party(&request.to);
        shipper["ShipperNumber"] = json!(self.account);
        let image = if request.format == LabelFormat::Zpl {
            "ZPL"
        } else {
            "PNG"
        };
        let body = json!({"ShipmentRequest": {
            "Request": {"RequestOption": "nonvalidate"},
            "Shipment": {
                "Description": format!("Return {}", request.rma_number),
                "ReturnService": {"Code": "9"},
                "Shipper": shipper,
                "ShipTo": party(&request.to),
                "ShipFrom": party(&request.from),
                "PaymentInformation": {"ShipmentCharge": {"Type": "01", "BillShipper": {"AccountNumber": self.account}}},
                "Service": {"Code": "03"},
                "ReferenceNumber": {"Value": request.rma_number},
                "Package": {"Description": "Return", "Packaging": {"Code": "02"},
                            "PackageWeight": {"UnitOfMeasurement": {"Code": "KGS"}, "Weight": request.weight_kg(1.0).to_string()}}
            },
            "LabelSpecification": {"LabelImageFormat": {"Code": image}}
        }});
        let token = self.token().await?;
        let url = self
            .http
            .url(&format!("/api/shipments/{SHIP_API_VERSION}/ship"));
        let answer: Value = self
            .http
            .json(|c| {
                c.post(&url)
                    .bearer_auth(token.expose_secret())
                    .header("transId", uuid_like(&request.rma_number))
                    .header("transactionSrc", "backhaul")
                    .json(&body)
            })
            .await?;
        let results = answer
            .pointer("/ShipmentResponse/ShipmentResults")
            .ok_or_else(|| malformed("an answer without ShipmentResults"))?;
        // One package comes back as an object, several as an array.
        let package = results
            .get("PackageResults")
            .map(|p| p.get(0).unwrap_or(p).clone())
            .ok_or_else(|| malformed("no PackageResults"))?;
        let tracking =
            text(&package, "/TrackingNumber").ok_or_else(|| malformed("no TrackingNumber"))?;
        let image_data = text(&package, "/ShippingLabel/GraphicImage")
            .ok_or_else(|| malformed("no GraphicImage"))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(image_data.as_bytes())
            .map_err(|e| malformed(&format!("label image is not base64: {e}")))?;
        let document = match request.format {
            LabelFormat::Zpl => bytes,
            // UPS prints pictures; a PDF is the picture on a 4×6 page.
            _ => {
                let mut page = Page::new(288.0, 432.0);
                page.png(&bytes, 0.0, 0.0, 288.0, 432.0)
                    .map_err(|e| malformed(&format!("label image: {e}")))?;
                page.to_pdf().map_err(CarrierError::Label)?
            }
        };
        Ok(Label {
            carrier: "ups".into(),
            reference: text(results, "/ShipmentIdentificationNumber")
                .unwrap_or_else(|| tracking.clone()),
            tracking_number: tracking,
            service: "03".into(),
            cost: text(results, "/ShipmentCharges/TotalCharges/MonetaryValue")
                .unwrap_or_else(|| "0.00".into()),
            currency: text(results, "/ShipmentCharges/TotalCharges/CurrencyCode")
                .unwrap_or_else(|| request.currency.clone()),
            documents: vec![(request.format, document)],
            created_at: Utc::now(),
        })
    }

    async fn void_label(&self, label: &LabelRef) -> Result<(), CarrierError> {
        let token = self.token().await?;
        let url = self.http.url(&format!(
            "/api/shipments/{SHIP_API_VERSION}/void/cancel/{}",
            label.reference
        ));
        let answer: Value = self
            .http
            .json(|c| {
                c.delete(&url)
                    .bearer_auth(token.expose_secret())
                    .header("transId", uuid_like(&label.reference))
                    .header("transactionSrc", "backhaul")
            })
            .await?;
        match text(&answer, "/VoidShipmentResponse/SummaryResult/Status/Code").as_deref() {
            Some("1") => Ok(()),
            _ => Err(CarrierError::Rejected {
                carrier: "ups".into(),
                message: text(
                    &answer,
                    "/VoidShipmentResponse/SummaryResult/Status/Description",
                )
                .unwrap_or_else(|| "void refused".into()),
            }),
        }
    }

    async fn track(
        &self,
        tracking_numbers: &[String],
    ) -> Result<Vec<TrackingUpdate>, CarrierError> {
        one_by_one(tracking_numbers, |number| self.track_one(number)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code row can decide (no earlier row hides it) and none is there twice;
    /// every current-status code reads as its row says, padded or not.
    #[test]
    fn every_row_reads_and_none_is_twice() {
        let mut rows = std::collections::BTreeSet::new();
        for r in STATUS_CODE {
            assert!(rows.insert((r.code, r.types, r.words)), "{} twice", r.code);
            let kind = r.types.first().copied().unwrap_or("I");
            let words = r.words.first().copied().unwrap_or("");
            assert_eq!(
                normalize(kind, r.code, words).0,
                r.status,
                "{kind}/{}",
                r.code
            );
        }
        let mut current = std::collections::BTreeSet::new();
        for (code, status, kind) in CURRENT_STATUS {
            assert!(current.insert(*code), "{code} twice");
            for text in [format!("{code:03}"), code.to_string()] {
                let read = normalize_current(&text, "").expect("known");
                assert_eq!(read.0, *status, "{text}");
                if kind.is_some() {
                    assert_eq!(read.1, *kind, "{text}");
                }
            }
        }
        assert_eq!(normalize_current("0011", ""), None);
        assert_eq!(normalize_current("D", ""), None);
    }

    #[test]
    fn times_with_and_without_colons_and_leading_zeros() {
        let at = |d, t| date_time(d, t).map(|t| t.to_string());
        assert_eq!(at("20261121", "153000"), Some("2026-11-21 15:30:00".into()));
        assert_eq!(
            at("20261121", "15:30:00"),
            Some("2026-11-21 15:30:00".into())
        );
        assert_eq!(at("20261121", "74700"), Some("2026-11-21 07:47:00".into()));
        assert_eq!(
            at("20261121", "7:47:00"),
            Some("2026-11-21 07:47:00".into())
        );
        assert_eq!(at("20261121", "1530"), None);
        assert_eq!(at("20261121", "1530000"), None);
        assert_eq!(at("20261321", "153000"), None);
        assert_eq!(at("2026-11-21", "153000"), None);
    }

    #[test]
    fn activity_types_codes_and_words() {
        use ExceptionKind as X;
        use TrackingStatus as S;
        let table = [
            (
                "M",
                "MP",
                "Shipper created a label, UPS has not received the package yet.",
                S::PreTransit,
                None,
            ),
            (
                "M",
                "",
                "Order Processed: Ready for UPS",
                S::PreTransit,
                None,
            ),
            ("MV", "", "Shipment information voided", S::Cancelled, None),
            ("P", "PU", "Pickup Scan", S::InTransit, None),
            ("I", "AR", "Arrived at Facility", S::InTransit, None),
            ("I", "OT", "Out For Delivery Today", S::OutForDelivery, None),
            (
                "X",
                "OT",
                "Out for delivery: the driver will try again",
                S::OutForDelivery,
                None,
            ),
            ("O", "", "Out For Delivery", S::OutForDelivery, None),
            ("D", "KB", "DELIVERED", S::Delivered, None),
            (
                "X",
                "RP",
                "Delivered to UPS Access Point. Awaiting customer pickup.",
                S::AvailableForPickup,
                None,
            ),
            (
                "X",
                "ZZ",
                "The package is at the UPS Access Point location and is scheduled to be returned",
                S::AvailableForPickup,
                None,
            ),
            ("U", "RS", "Returned to shipper", S::ReturnedToSender, None),
            (
                "U",
                "ZZ",
                "The package is being returned to the sender",
                S::ReturnedToSender,
                None,
            ),
            ("RS", "", "Returned to shipper", S::ReturnedToSender, None),
            ("I", "CA", "Cancelled", S::Cancelled, None),
            (
                "X",
                "X1",
                "The package was damaged and the contents discarded",
                S::Exception,
                Some(X::Damaged),
            ),
            (
                "X",
                "X2",
                "The receiver refused the delivery",
                S::Exception,
                Some(X::Refused),
            ),
            (
                "X",
                "X3",
                "The address is incorrect",
                S::Exception,
                Some(X::Address),
            ),
            (
                "X",
                "X4",
                "Severe weather conditions have delayed delivery",
                S::Exception,
                Some(X::Delayed),
            ),
            ("X", "X5", "Something unusual", S::Exception, Some(X::Other)),
            // Each type has its own code list: the same letters under another type.
            (
                "X",
                "RS",
                "UPS initiated contact with receiver or importer for clearance information",
                S::Exception,
                Some(X::Customs),
            ),
            (
                "X",
                "CA",
                "Your package exceeds the maximum dimensions we can accept",
                S::Exception,
                Some(X::Other),
            ),
            (
                "X",
                "OT",
                "UPS initiated contact with the sender to obtain clearance information",
                S::Exception,
                Some(X::Customs),
            ),
            (
                "X",
                "RP",
                "Your package is pending release from a Government Agency",
                S::Exception,
                Some(X::Customs),
            ),
            ("D", "MP", "Garage", S::Delivered, None),
            (
                "D",
                "2W",
                "Package Picked Up At UPS Access Point",
                S::Delivered,
                None,
            ),
            (
                "D",
                "2Q",
                "Delivered To UPS Access Point",
                S::AvailableForPickup,
                None,
            ),
            (
                "D",
                "UA",
                "Package was returned to the sender",
                S::ReturnedToSender,
                None,
            ),
            (
                "D",
                "B0",
                "Package Delivered To Original Sender",
                S::ReturnedToSender,
                None,
            ),
            (
                "X",
                "I5",
                "Your package is at a UPS Access Point location and is awaiting collection",
                S::AvailableForPickup,
                None,
            ),
            (
                "I",
                "YI",
                "Out for delivery to UPS Access Point",
                S::InTransit,
                None,
            ),
            (
                "I",
                "OF",
                "Loaded on Delivery Vehicle",
                S::OutForDelivery,
                None,
            ),
            (
                "M",
                "VP",
                "Manifest cancelled and shipment voided",
                S::Cancelled,
                None,
            ),
            ("ZZ", "Q9", "New code", S::Unknown, None),
        ];
        for (t, code, description, status, kind) in table {
            assert_eq!(
                normalize(t, code, description),
                (status, kind),
                "{t}/{code}: {description}"
            );
        }
    }

    #[test]
    fn current_status_codes() {
        use ExceptionKind as X;
        use TrackingStatus as S;
        let table = [
            (
                "003",
                "Order Processed: Ready for UPS",
                Some((S::PreTransit, None)),
            ),
            ("005", "In Transit", Some((S::InTransit, None))),
            ("021", "Out For Delivery", Some((S::OutForDelivery, None))),
            ("011", "Delivered", Some((S::Delivered, None))),
            (
                "040",
                "Delivered to UPS Access Point",
                Some((S::AvailableForPickup, None)),
            ),
            (
                "007",
                "Shipment Information Voided",
                Some((S::Cancelled, None)),
            ),
            (
                "034",
                "Returned to Sender",
                Some((S::ReturnedToSender, None)),
            ),
            (
                "032",
                "Adverse Weather May Cause Delay",
                Some((S::Exception, Some(X::Delayed))),
            ),
            (
                "013",
                "Exception: damaged",
                Some((S::Exception, Some(X::Damaged))),
            ),
            ("D", "Delivered", None),
            ("999", "New", None),
        ];
        for (code, description, read) in table {
            assert_eq!(normalize_current(code, description), read, "{code}");
        }
    }
}
