//! Shippo (an aggregator), from shared/carriers.md: header
//! `Authorization: ShippoToken <token>`; tracking is
//! `GET /tracks/{carrier}/{tracking_number}` with `tracking_status {status, substatus
//! {code, text}, status_details, status_date, location}` and `tracking_history[]` of the
//! same shape. `status` is mapped by [`STATUS`] and refined by `substatus.code` through
//! [`SUBSTATUS`]. Shippo needs the underlying carrier: a number may be written
//! `carrier:number` (e.g. `usps:9400…`), otherwise the configured default carrier is
//! used (`shippo` is Shippo's test carrier).
//!
//! Return labels: `POST /shipments` with `extra.is_return: true`, then
//! `POST /transactions` `{rate, label_file_type, async: false}` with the cheapest rate;
//! a transaction with `status: SUCCESS` has `tracking_number` and `label_url` (fetched
//! and stored). Void: `POST /refunds {transaction}`.
//!
//! Partial: webhooks are not built yet.

use async_trait::async_trait;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{parse_borrowed, CarrierHttp, HttpSettings};
use crate::one_by_one;
use crate::tracking::{
    about, error_answer, owned, parse_time, refine_exception, settle, Asked, Scan, Text,
};
use crate::{
    Address, Capabilities, Carrier, CarrierError, ExceptionKind, Label, LabelFormat, LabelRef,
    LabelRequest, Location, TrackingStatus, TrackingUpdate,
};

pub const DEFAULT_BASE_URL: &str = "https://api.goshippo.com";

pub const STATUS: &[(&str, TrackingStatus)] = &[
    ("PRE_TRANSIT", TrackingStatus::PreTransit),
    ("TRANSIT", TrackingStatus::InTransit),
    ("DELIVERED", TrackingStatus::Delivered),
    ("RETURNED", TrackingStatus::ReturnedToSender),
    ("FAILURE", TrackingStatus::Exception),
    ("UNKNOWN", TrackingStatus::Unknown),
];

/// `substatus.code` → (status, exception kind), where it says more than `status`.
pub const SUBSTATUS: &[(&str, TrackingStatus, Option<ExceptionKind>)] = &[
    ("out_for_delivery", TrackingStatus::OutForDelivery, None),
    ("pickup_available", TrackingStatus::AvailableForPickup, None),
    (
        "package_damaged",
        TrackingStatus::Exception,
        Some(ExceptionKind::Damaged),
    ),
    (
        "package_lost",
        TrackingStatus::Exception,
        Some(ExceptionKind::Lost),
    ),
    (
        "address_issue",
        TrackingStatus::Exception,
        Some(ExceptionKind::Address),
    ),
    (
        "package_held",
        TrackingStatus::Exception,
        Some(ExceptionKind::Customs),
    ),
    (
        "delivery_refused",
        TrackingStatus::Exception,
        Some(ExceptionKind::Refused),
    ),
    (
        "package_delayed",
        TrackingStatus::Exception,
        Some(ExceptionKind::Delayed),
    ),
];

pub fn normalize(status: &str, substatus: Option<&str>) -> (TrackingStatus, Option<ExceptionKind>) {
    if let Some((_, s, kind)) =
        substatus.and_then(|code| SUBSTATUS.iter().find(|(c, _, _)| *c == code))
    {
        return (*s, *kind);
    }
    match STATUS.iter().find(|(s, _)| *s == status) {
        Some((_, TrackingStatus::Exception)) => {
            (TrackingStatus::Exception, Some(ExceptionKind::Other))
        }
        Some((_, s)) => (*s, None),
        None => (TrackingStatus::Unknown, None),
    }
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

/// A Track object, or an error (`detail`, or Shippo's `messages`).
#[derive(Deserialize)]
struct Track<'a> {
    #[serde(borrow, default)]
    tracking_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    tracking_status: Option<Status<'a>>,
    #[serde(borrow, default)]
    tracking_history: Option<Vec<Status<'a>>>,
    #[serde(borrow, default)]
    eta: Option<Text<'a>>,
    #[serde(borrow, default)]
    detail: Option<Text<'a>>,
    #[serde(borrow, default)]
    messages: Option<Vec<ShippoMessage<'a>>>,
}

#[derive(Deserialize)]
struct ShippoMessage<'a> {
    #[serde(borrow, default)]
    text: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Status<'a> {
    #[serde(borrow, default)]
    status: Option<Text<'a>>,
    #[serde(borrow, default)]
    substatus: Option<Substatus<'a>>,
    #[serde(borrow, default)]
    status_details: Option<Text<'a>>,
    #[serde(borrow, default)]
    status_date: Option<Text<'a>>,
    #[serde(borrow, default)]
    location: Option<Place<'a>>,
}

#[derive(Deserialize)]
struct Substatus<'a> {
    #[serde(borrow, default)]
    code: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Place<'a> {
    #[serde(borrow, default)]
    city: Option<Text<'a>>,
    #[serde(borrow, default)]
    state: Option<Text<'a>>,
    #[serde(borrow, default)]
    zip: Option<Text<'a>>,
    #[serde(borrow, default)]
    country: Option<Text<'a>>,
}

fn scan(v: &Status<'_>) -> Scan {
    let raw_time = owned(&v.status_date).unwrap_or_default();
    let substatus = v.substatus.as_ref().and_then(|s| owned(&s.code));
    let status = owned(&v.status).unwrap_or_default();
    let (normalized, exception) = normalize(&status, substatus.as_deref());
    let location = v
        .location
        .as_ref()
        .map_or_else(Location::default, |l| Location {
            city: owned(&l.city),
            region: owned(&l.state),
            postal_code: owned(&l.zip),
            country: owned(&l.country),
            lat: None,
            lon: None,
        });
    Scan {
        at: parse_time(&raw_time, &location),
        raw_time,
        raw_code: substatus.map_or(status.clone(), |s| format!("{status}/{s}")),
        description: owned(&v.status_details).unwrap_or_default(),
        location,
        status: normalized,
        exception,
    }
}

pub struct Shippo {
    http: CarrierHttp,
    token: SecretString,
    default_carrier: String,
}

impl Shippo {
    pub fn new(
        settings: HttpSettings,
        token: SecretString,
        default_carrier: String,
    ) -> Result<Shippo, CarrierError> {
        Ok(Shippo {
            http: CarrierHttp::new("shippo", settings)?,
            token,
            default_carrier,
        })
    }

    fn auth(&self) -> String {
        format!("ShippoToken {}", self.token.expose_secret())
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Value, CarrierError> {
        let (url, auth) = (self.http.url(path), self.auth());
        self.http
            .json(|c| c.post(&url).header("Authorization", &auth).json(body))
            .await
    }

    fn refused(message: impl Into<String>) -> CarrierError {
        CarrierError::Rejected {
            carrier: "shippo".into(),
            message: message.into(),
        }
    }

    async fn track_one(&self, number: &str) -> Result<TrackingUpdate, CarrierError> {
        let (carrier, code) = number
            .split_once(':')
            .unwrap_or((self.default_carrier.as_str(), number));
        let url = self.http.url(&format!("/tracks/{carrier}/{code}"));
        let auth = self.auth();
        let answer = self
            .http
            .send(|c| c.get(&url).header("Authorization", &auth))
            .await?;
        if answer.status == reqwest::StatusCode::NOT_FOUND {
            return Ok(TrackingUpdate::unknown("shippo", number));
        }
        self.http.check(&answer)?;
        let updates = read_tracking(&answer.body, &Asked::number(number, Utc::now()))?;
        Ok(about(updates, "shippo", number))
    }
}

/// Reads one tracking answer (`GET /tracks/{carrier}/{number}`, or a `track_updated`
/// webhook's `data`); an error answer reads as the number asked about, unknown, with
/// Shippo's words.
pub fn read_tracking(body: &[u8], asked: &Asked) -> Result<Vec<TrackingUpdate>, CarrierError> {
    let track: Track = parse_borrowed("shippo", body)?;
    if track.tracking_status.is_none() && track.tracking_history.is_none() {
        let said = owned(&track.detail).or_else(|| {
            let texts: Vec<String> = track
                .messages
                .iter()
                .flatten()
                .filter_map(|m| owned(&m.text))
                .collect();
            Some(texts.join("; ")).filter(|t| !t.is_empty())
        });
        return match said {
            Some(said) => error_answer("shippo", asked, &said),
            None if track.tracking_number.is_some() => Ok(vec![TrackingUpdate::unknown(
                "shippo",
                &asked.named(track.tracking_number.as_deref()),
            )]),
            None => Err(CarrierError::Malformed {
                carrier: "shippo".into(),
                message: "neither a track nor an error".into(),
            }),
        };
    }
    let current = track.tracking_status.as_ref().map(scan);
    let events = settle(
        "shippo",
        track.tracking_history.iter().flatten().map(scan).collect(),
        current.as_ref().and_then(|c| c.at),
        asked.received_at,
    );
    let (status, exception) = match &current {
        Some(c) => (c.status, c.exception),
        None => events
            .last()
            .map_or((TrackingStatus::Unknown, None), |e| (e.status, e.exception)),
    };
    // The number as it was asked (`carrier:number`) is how the parcel is known here.
    let number = match asked.number {
        Some(n) => n.to_string(),
        None => asked.named(track.tracking_number.as_deref()),
    };
    Ok(vec![TrackingUpdate {
        carrier: "shippo".into(),
        tracking_number: number,
        status,
        exception: refine_exception(exception, &events),
        events,
        estimated_delivery: owned(&track.eta).and_then(|t| parse_time(&t, &Location::default())),
        message: None,
    }])
}

#[async_trait]
impl Carrier for Shippo {
    fn code(&self) -> &'static str {
        "shippo"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            label_formats: LabelFormat::ALL.to_vec(),
            max_batch: 1,
            webhooks: false,
            rate_limit_per_second: None,
        }
    }

    async fn create_return_label(&self, request: &LabelRequest) -> Result<Label, CarrierError> {
        let address = |a: &Address| {
            json!({"name": a.name, "street1": a.line1, "street2": a.line2, "city": a.city, "state": a.region,
                   "zip": a.postal_code, "country": a.country, "phone": a.phone})
        };
        let shipment = self
            .post(
                "/shipments",
                &json!({
                    "address_from": address(&request.from),
                    "address_to": address(&request.to),
                    "parcels": [{"length": "30", "width": "20", "height": "10", "distance_unit": "cm", "weight": request.weight_kg(1.0).to_string(), "mass_unit": "kg"}],
                    "extra": {"is_return": true, "reference_1": request.rma_number},
                    "async": false,
                }),
            )
            .await?;
        let cheapest = shipment
            .get("rates")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| Some((text(r, "/amount")?.parse::<f64>().ok()?, r)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, r)| r.clone())
            .ok_or_else(|| Self::refused("no rates offered for this return"))?;
        let file_type = match request.format {
            LabelFormat::Pdf => "PDF_4x6",
            LabelFormat::PdfA4 => "PDF_A4",
            LabelFormat::PdfLetter => "PDF",
            LabelFormat::Zpl => "ZPLII",
        };
        let rate_id = text(&cheapest, "/object_id")
            .ok_or_else(|| Self::refused("a rate without object_id"))?;
        let transaction = self
            .post(
                "/transactions",
                &json!({"rate": rate_id, "label_file_type": file_type, "async": false}),
            )
            .await?;
        if text(&transaction, "/status").as_deref() != Some("SUCCESS") {
            let messages: Vec<String> = transaction
                .get("messages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|m| text(m, "/text"))
                .collect();
            return Err(Self::refused(if messages.is_empty() {
                "label purchase failed".to_string()
            } else {
                messages.join("; ")
            }));
        }
        let malformed = |what: &str| CarrierError::Malformed {
            carrier: "shippo".into(),
            message: format!("transaction without {what}"),
        };
        let tracking =
            text(&transaction, "/tracking_number").ok_or_else(|| malformed("tracking_number"))?;
        let label_url = text(&transaction, "/label_url").ok_or_else(|| malformed("label_url"))?;
        let document = self.http.send(|c| c.get(&label_url)).await?;
        self.http.check(&document)?;
        Ok(Label {
            carrier: "shippo".into(),
            tracking_number: tracking,
            reference: text(&transaction, "/object_id").ok_or_else(|| malformed("object_id"))?,
            service: text(&cheapest, "/servicelevel/token").unwrap_or_default(),
            cost: text(&cheapest, "/amount").unwrap_or_default(),
            currency: text(&cheapest, "/currency").unwrap_or_default(),
            documents: vec![(request.format, document.body)],
            created_at: Utc::now(),
        })
    }

    async fn void_label(&self, label: &LabelRef) -> Result<(), CarrierError> {
        let refund = self
            .post(
                "/refunds",
                &json!({"transaction": label.reference, "async": false}),
            )
            .await?;
        match text(&refund, "/status").as_deref() {
            Some("QUEUED" | "PENDING" | "SUCCESS") => Ok(()),
            other => Err(Self::refused(format!(
                "refund {}",
                other.unwrap_or("not accepted")
            ))),
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

    #[test]
    fn statuses_and_substatuses() {
        use ExceptionKind as X;
        use TrackingStatus as S;
        let table = [
            ("PRE_TRANSIT", None, S::PreTransit, None),
            ("TRANSIT", None, S::InTransit, None),
            ("TRANSIT", Some("out_for_delivery"), S::OutForDelivery, None),
            (
                "TRANSIT",
                Some("pickup_available"),
                S::AvailableForPickup,
                None,
            ),
            ("DELIVERED", None, S::Delivered, None),
            ("RETURNED", None, S::ReturnedToSender, None),
            (
                "FAILURE",
                Some("package_damaged"),
                S::Exception,
                Some(X::Damaged),
            ),
            ("FAILURE", Some("package_lost"), S::Exception, Some(X::Lost)),
            (
                "FAILURE",
                Some("brand_new_code"),
                S::Exception,
                Some(X::Other),
            ),
            ("UNKNOWN", None, S::Unknown, None),
            ("WHATEVER", None, S::Unknown, None),
        ];
        for (status, sub, expected, kind) in table {
            assert_eq!(normalize(status, sub), (expected, kind), "{status}/{sub:?}");
        }
    }
}
