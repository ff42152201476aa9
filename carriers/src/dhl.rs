//! DHL "Shipment Tracking - Unified" (Express, Parcel, eCommerce), from
//! shared/carriers.md: `GET /track/shipments?trackingNumber=…` with header
//! `DHL-API-Key`; `shipments[].status` and `events[]` carry `timestamp`,
//! `location.address`, `statusCode` (`pre-transit`, `transit`, `delivered`, `failure`,
//! `unknown`) and a description. The free tier is tightly rate-limited, so this
//! adapter always runs with a rate limit (default one call every 5 s; configurable).
//! Timestamps without an offset are converted from the scan's country (raw text kept).
//!
//! Return labels come from the MyDHL Express API (`…/mydhlapi`, HTTP Basic), when an
//! Express account is configured: `POST /shipments` for an import shipment billed to
//! the shop's account (the customer ships, the shop pays), with the label in
//! `documents[].content` (base64 PDF or ZPL). MyDHL has no void for an unused label
//! (nothing is billed until it moves), so voiding says NotSupported. Request and answer
//! fields follow carriers.md and DHL's published examples; not verified against the
//! live test host.

use async_trait::async_trait;
use base64::Engine;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{parse_borrowed, CarrierHttp, HttpSettings};
use crate::one_by_one;
use crate::tracking::{
    error_answer, exception_from_texts, mentions, owned, parse_time, refine_exception, said,
    settle, str_of, Asked, Scan, Text,
};
use crate::{
    Address, Capabilities, Carrier, CarrierError, ExceptionKind, Label, LabelFormat, LabelRequest,
    Location, TrackingStatus, TrackingUpdate,
};

pub const DEFAULT_BASE_URL: &str = "https://api-eu.dhl.com";
pub const DEFAULT_RATE_PER_SECOND: f64 = 0.2;

pub const STATUS_CODES: &[(&str, TrackingStatus)] = &[
    ("pre-transit", TrackingStatus::PreTransit),
    ("transit", TrackingStatus::InTransit),
    ("delivered", TrackingStatus::Delivered),
    ("failure", TrackingStatus::Exception),
    ("unknown", TrackingStatus::Unknown),
];

/// Words in a status text that has no `statusCode` (DHL sends such answers), in the
/// order they are tried.
pub const STATUS_WORDS: &[(&str, TrackingStatus)] = &[
    ("out for delivery", TrackingStatus::OutForDelivery),
    ("delivery courier", TrackingStatus::OutForDelivery),
    ("returned to sender", TrackingStatus::ReturnedToSender),
    ("returned to shipper", TrackingStatus::ReturnedToSender),
    ("return to sender", TrackingStatus::ReturnedToSender),
    ("available for pick", TrackingStatus::AvailableForPickup),
    ("ready for pick", TrackingStatus::AvailableForPickup),
    ("ready for collection", TrackingStatus::AvailableForPickup),
    ("not delivered", TrackingStatus::Exception),
    ("could not be delivered", TrackingStatus::Exception),
    ("delivered", TrackingStatus::Delivered),
    ("zugestellt", TrackingStatus::Delivered),
    ("picked up", TrackingStatus::InTransit),
    ("transit", TrackingStatus::InTransit),
    ("arrived", TrackingStatus::InTransit),
    ("departed", TrackingStatus::InTransit),
    ("processed", TrackingStatus::InTransit),
    ("electronically", TrackingStatus::PreTransit),
    ("label created", TrackingStatus::PreTransit),
];

/// `statusCode` (or, without one, the words of `texts`: the event's status line and
/// description) → status; a `failure` takes its kind from the words.
pub fn normalize(code: &str, texts: &[&str]) -> (TrackingStatus, Option<ExceptionKind>) {
    let from_words = || {
        STATUS_WORDS
            .iter()
            .find(|(w, _)| texts.iter().any(|t| mentions(t, w)))
            .map_or(TrackingStatus::Unknown, |(_, s)| *s)
    };
    let status = match STATUS_CODES.iter().find(|(c, _)| *c == code) {
        Some((_, TrackingStatus::Unknown)) | None => from_words(),
        Some((_, TrackingStatus::InTransit)) => match from_words() {
            s @ (TrackingStatus::OutForDelivery
            | TrackingStatus::ReturnedToSender
            | TrackingStatus::AvailableForPickup) => s,
            _ => TrackingStatus::InTransit,
        },
        Some((_, s)) => *s,
    };
    match status {
        TrackingStatus::Exception => (status, Some(exception_from_texts(texts))),
        _ => (status, None),
    }
}

/// `GET /track/shipments`: the shipments found, or a problem document.
#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(borrow, default)]
    shipments: Option<Vec<Shipment<'a>>>,
    #[serde(borrow, default)]
    title: Option<Text<'a>>,
    #[serde(borrow, default)]
    detail: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shipment<'a> {
    #[serde(borrow, default)]
    id: Option<Text<'a>>,
    #[serde(borrow, default)]
    status: Option<Event<'a>>,
    #[serde(borrow, default)]
    events: Vec<Event<'a>>,
    #[serde(borrow, default)]
    estimated_time_of_delivery: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event<'a> {
    #[serde(borrow, default)]
    timestamp: Option<Text<'a>>,
    #[serde(borrow, default)]
    status_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    status: Option<Text<'a>>,
    #[serde(borrow, default)]
    description: Option<Text<'a>>,
    #[serde(borrow, default)]
    location: Option<Place<'a>>,
}

#[derive(Deserialize)]
struct Place<'a> {
    #[serde(borrow, default)]
    address: Option<PlaceAddress<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlaceAddress<'a> {
    #[serde(borrow, default)]
    address_locality: Option<Text<'a>>,
    #[serde(borrow, default)]
    postal_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    country_code: Option<Text<'a>>,
}

fn scan(e: &Event<'_>) -> Scan {
    let description = owned(&e.description)
        .or_else(|| owned(&e.status))
        .unwrap_or_default();
    let code = owned(&e.status_code).unwrap_or_default();
    let (status, exception) = normalize(&code, &[str_of(&e.status), &description]);
    let address = e.location.as_ref().and_then(|l| l.address.as_ref());
    let location = Location {
        city: address.and_then(|a| owned(&a.address_locality)),
        region: None,
        postal_code: address.and_then(|a| owned(&a.postal_code)),
        country: address.and_then(|a| owned(&a.country_code)),
        lat: None,
        lon: None,
    };
    let raw_time = owned(&e.timestamp).unwrap_or_default();
    Scan {
        at: parse_time(&raw_time, &location),
        raw_time,
        raw_code: code,
        description,
        location,
        status,
        exception,
    }
}

pub struct Dhl {
    http: CarrierHttp,
    api_key: SecretString,
    express: Option<Express>,
}

/// A MyDHL Express account for labels.
pub struct ExpressAccount {
    pub settings: HttpSettings,
    pub username: String,
    pub password: SecretString,
    pub account_number: String,
}

struct Express {
    http: CarrierHttp,
    username: String,
    password: SecretString,
    account_number: String,
}

impl Dhl {
    /// `settings.rate_limit_per_second` defaults to [`DEFAULT_RATE_PER_SECOND`].
    pub fn new(mut settings: HttpSettings, api_key: SecretString) -> Result<Dhl, CarrierError> {
        settings
            .rate_limit_per_second
            .get_or_insert(DEFAULT_RATE_PER_SECOND);
        Ok(Dhl {
            http: CarrierHttp::new("dhl", settings)?,
            api_key,
            express: None,
        })
    }

    /// Adds the MyDHL Express account that buys return labels.
    pub fn with_express(mut self, account: ExpressAccount) -> Result<Dhl, CarrierError> {
        self.express = Some(Express {
            http: CarrierHttp::new("dhl", account.settings)?,
            username: account.username,
            password: account.password,
            account_number: account.account_number,
        });
        Ok(self)
    }

    async fn track_one(&self, number: &str) -> Result<TrackingUpdate, CarrierError> {
        let url = self.http.url("/track/shipments");
        let answer = self
            .http
            .send(|c| {
                c.get(&url)
                    .query(&[("trackingNumber", number)])
                    .header("DHL-API-Key", self.api_key.expose_secret())
            })
            .await?;
        self.http.polled(&answer, number, read_tracking)
    }
}

/// MyDHL's planned shipping time: now for a parcel handed over today, nine in the
/// morning (UTC) of a later ship date.
fn planned_shipping(ship_date: chrono::NaiveDate) -> String {
    let now = Utc::now();
    let when = match ship_date.and_hms_opt(9, 0, 0) {
        Some(morning) if ship_date > now.date_naive() => morning.and_utc(),
        _ => now,
    };
    when.format("%Y-%m-%dT%H:%M:%S GMT+00:00").to_string()
}

/// A string at `pointer` in a MyDHL answer.
fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

fn malformed(message: &str) -> CarrierError {
    CarrierError::Malformed {
        carrier: "dhl".into(),
        message: message.into(),
    }
}

/// Reads one Shipment Tracking - Unified answer (`GET /track/shipments`): an update per
/// shipment, or the number asked about as unknown with DHL's words when it found none.
pub fn read_tracking(body: &[u8], asked: &Asked) -> Result<Vec<TrackingUpdate>, CarrierError> {
    let answer: Answer = parse_borrowed("dhl", body)?;
    let shipments = match answer.shipments {
        Some(s) if !s.is_empty() => s,
        _ if answer.title.is_some() || answer.detail.is_some() => {
            let said = said(&answer.title, &answer.detail);
            return error_answer("dhl", asked, &said);
        }
        Some(_) => return Ok(vec![TrackingUpdate::unknown("dhl", &asked.named(None))]),
        None => return Err(malformed("neither shipments nor a problem document")),
    };
    Ok(shipments.iter().map(|s| shipment(s, asked)).collect())
}

fn shipment(s: &Shipment<'_>, asked: &Asked) -> TrackingUpdate {
    let current = s.status.as_ref().map(scan);
    let events = settle(
        "dhl",
        s.events.iter().map(scan).collect(),
        current.as_ref().and_then(|c| c.at),
        asked.received_at,
    );
    // The shipment's status is DHL's summary; without one, the latest scan says it.
    let (status, exception) = match &current {
        Some(c) if c.status != TrackingStatus::Unknown => (c.status, c.exception),
        _ => events
            .last()
            .map_or((TrackingStatus::Unknown, None), |e| (e.status, e.exception)),
    };
    TrackingUpdate {
        carrier: "dhl".into(),
        tracking_number: asked.named(s.id.as_deref()),
        status,
        exception: refine_exception(exception, &events),
        events,
        estimated_delivery: owned(&s.estimated_time_of_delivery)
            .and_then(|t| parse_time(&t, &Location::default())),
        message: None,
    }
}

#[async_trait]
impl Carrier for Dhl {
    fn code(&self) -> &'static str {
        "dhl"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            label_formats: if self.express.is_some() {
                vec![LabelFormat::Pdf, LabelFormat::Zpl]
            } else {
                vec![]
            },
            max_batch: 1,
            webhooks: false,
            rate_limit_per_second: Some(DEFAULT_RATE_PER_SECOND),
        }
    }

    async fn create_return_label(&self, request: &LabelRequest) -> Result<Label, CarrierError> {
        let express = self
            .express
            .as_ref()
            .ok_or_else(|| self.not_supported("labels without a MyDHL Express account"))?;
        let party = |a: &Address| {
            json!({
                "postalAddress": {"postalCode": a.postal_code, "cityName": a.city, "countryCode": a.country,
                                  "addressLine1": a.line1, "addressLine2": a.line2, "provinceCode": a.region},
                "contactInformation": {"fullName": a.name, "companyName": a.name, "phone": a.phone.as_deref().unwrap_or("0000000")}
            })
        };
        let encoding = if request.format == LabelFormat::Zpl {
            "zpl"
        } else {
            "pdf"
        };
        let body = json!({
            "plannedShippingDateAndTime": planned_shipping(request.ship_date),
            "pickup": {"isRequested": false},
            "productCode": "P",
            "accounts": [{"typeCode": "shipper", "number": express.account_number}],
            "customerDetails": {"shipperDetails": party(&request.from), "receiverDetails": party(&request.to)},
            "content": {
                "packages": [{"weight": request.weight_kg(1.0), "dimensions": {"length": 30, "width": 20, "height": 10}, "customerReferences": [{"value": request.rma_number}]}],
                "isCustomsDeclarable": false,
                "description": format!("Return {}", request.rma_number),
                "incoterm": "DAP",
                "unitOfMeasurement": "metric"
            },
            "outputImageProperties": {"encodingFormat": encoding, "imageOptions": [{"typeCode": "label"}]},
            "customerReferences": [{"value": request.rma_number, "typeCode": "CU"}]
        });
        let url = express.http.url("/shipments");
        let answer: Value = express
            .http
            .json(|c| {
                c.post(&url)
                    .basic_auth(&express.username, Some(express.password.expose_secret()))
                    .json(&body)
            })
            .await?;
        let malformed = |what: &str| CarrierError::Malformed {
            carrier: "dhl".into(),
            message: format!("shipment answer without {what}"),
        };
        let tracking = text(&answer, "/shipmentTrackingNumber")
            .ok_or_else(|| malformed("shipmentTrackingNumber"))?;
        let content = answer
            .get("documents")
            .and_then(Value::as_array)
            .and_then(|docs| {
                docs.iter()
                    .find(|d| text(d, "/typeCode").as_deref() != Some("invoice"))
            })
            .and_then(|d| text(d, "/content"))
            .ok_or_else(|| malformed("a label document"))?;
        let document = base64::engine::general_purpose::STANDARD
            .decode(content.as_bytes())
            .map_err(|e| malformed(&format!("base64 label ({e})")))?;
        let charge = answer.pointer("/shipmentCharges/0");
        Ok(Label {
            carrier: "dhl".into(),
            reference: tracking.clone(),
            tracking_number: tracking,
            service: "express_worldwide".into(),
            cost: charge
                .and_then(|c| c.get("price"))
                .map(|p| match p {
                    Value::Number(n) => format!("{:.2}", n.as_f64().unwrap_or(0.0)),
                    Value::String(s) => s.clone(),
                    _ => "0.00".into(),
                })
                .unwrap_or_else(|| "0.00".into()),
            currency: charge
                .and_then(|c| text(c, "/priceCurrency"))
                .unwrap_or_else(|| request.currency.clone()),
            documents: vec![(request.format, document)],
            created_at: Utc::now(),
        })
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

    /// Every word row, written as DHL writes a status without a `statusCode`.
    #[test]
    fn status_words_without_a_code() {
        use TrackingStatus as S;
        let table = [
            ("The shipment is out for delivery", S::OutForDelivery),
            (
                "The shipment is with the delivery courier",
                S::OutForDelivery,
            ),
            (
                "The shipment has been returned to sender",
                S::ReturnedToSender,
            ),
            ("Returned to shipper", S::ReturnedToSender),
            ("Return to sender initiated", S::ReturnedToSender),
            (
                "The shipment is available for pickup",
                S::AvailableForPickup,
            ),
            ("Ready for pickup at the Parcelshop", S::AvailableForPickup),
            (
                "Ready for collection at the post office",
                S::AvailableForPickup,
            ),
            ("The shipment could not be delivered", S::Exception),
            ("Shipment not delivered: recipient absent", S::Exception),
            ("The shipment has been delivered", S::Delivered),
            ("Die Sendung wurde zugestellt", S::Delivered),
            ("The shipment has been picked up", S::InTransit),
            ("In transit", S::InTransit),
            ("Arrived at Sort Facility", S::InTransit),
            ("Departed Facility in PARIS", S::InTransit),
            (
                "The shipment has been processed in the parcel center",
                S::InTransit,
            ),
            (
                "The instruction data have been provided electronically",
                S::PreTransit,
            ),
            ("Label created", S::PreTransit),
            ("Something new", S::Unknown),
        ];
        assert_eq!(table.len(), STATUS_WORDS.len() + 1, "a row per word");
        for (text, status) in table {
            assert_eq!(normalize("", &[text]).0, status, "{text}");
        }
        // A code, where there is one, wins over words that say less.
        assert_eq!(normalize("delivered", &["Arrived"]).0, S::Delivered);
    }

    #[test]
    fn status_codes_table() {
        use ExceptionKind as X;
        use TrackingStatus as S;
        let table = [
            (
                "pre-transit",
                "The instruction data for this shipment have been provided",
                S::PreTransit,
                None,
            ),
            (
                "transit",
                "Arrived at Sort Facility LEIPZIG - GERMANY",
                S::InTransit,
                None,
            ),
            (
                "transit",
                "Shipment is out for delivery",
                S::OutForDelivery,
                None,
            ),
            ("delivered", "Delivered", S::Delivered, None),
            (
                "failure",
                "Shipment damaged",
                S::Exception,
                Some(X::Damaged),
            ),
            (
                "failure",
                "Customs clearance status updated",
                S::Exception,
                Some(X::Customs),
            ),
            ("unknown", "", S::Unknown, None),
            ("teleport", "", S::Unknown, None),
        ];
        for (code, description, status, kind) in table {
            assert_eq!(
                normalize(code, &["", description]),
                (status, kind),
                "{code}: {description}"
            );
        }
    }
}
