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
use serde_json::{json, Value};

use crate::http::{parse_json, CarrierHttp, HttpSettings};
use crate::one_by_one;
use crate::tracking::{parse_time, refine_exception};
use crate::{
    Address, Capabilities, Carrier, CarrierError, ExceptionKind, Label, LabelFormat, LabelRef,
    LabelRequest, Location, TrackingEvent, TrackingStatus, TrackingUpdate,
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

fn event(v: &Value) -> TrackingEvent {
    let raw_time = text(v, "/status_date").unwrap_or_default();
    let substatus = text(v, "/substatus/code");
    let status = text(v, "/status").unwrap_or_default();
    let (normalized, exception) = normalize(&status, substatus.as_deref());
    let location = Location {
        city: text(v, "/location/city"),
        region: text(v, "/location/state"),
        postal_code: text(v, "/location/zip"),
        country: text(v, "/location/country"),
        lat: None,
        lon: None,
    };
    TrackingEvent {
        at: parse_time(&raw_time, &location),
        raw_time,
        raw_code: substatus.map_or(status.clone(), |s| format!("{status}/{s}")),
        description: text(v, "/status_details").unwrap_or_default(),
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
        read_tracking(number, &answer.body)
    }
}

/// Reads one tracking answer (`GET /tracks/{carrier}/{number}`).
pub fn read_tracking(number: &str, body: &[u8]) -> Result<TrackingUpdate, CarrierError> {
    let body: Value = parse_json("shippo", body)?;
    let mut events: Vec<TrackingEvent> = body
        .get("tracking_history")
        .and_then(Value::as_array)
        .map(|h| h.iter().map(event).collect())
        .unwrap_or_default();
    events.sort_by_key(|e| e.at);
    let current = body
        .get("tracking_status")
        .filter(|v| !v.is_null())
        .map(event);
    let (status, exception) =
        current.map_or((TrackingStatus::Unknown, None), |c| (c.status, c.exception));
    Ok(TrackingUpdate {
        carrier: "shippo".into(),
        tracking_number: number.to_string(),
        status,
        exception: refine_exception(exception, &events),
        events,
        estimated_delivery: text(&body, "/eta").map(|t| parse_time(&t, &Location::default())),
    })
}

#[async_trait]
impl Carrier for Shippo {
    fn code(&self) -> &'static str {
        "shippo"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            label_formats: vec![LabelFormat::Pdf, LabelFormat::PdfA4, LabelFormat::Zpl],
            max_batch: 1,
            webhooks: false,
            rate_limit_per_second: None,
        }
    }

    async fn create_return_label(&self, request: &LabelRequest) -> Result<Label, CarrierError> {
        let address = |a: &Address| {
            json!({"name": a.name, "street1": a.line1, "street2": a.line2, "city": a.city, "state": a.region,
                   "zip": a.postal_code, "country": a.country})
        };
        let shipment = self
            .post(
                "/shipments",
                &json!({
                    "address_from": address(&request.from),
                    "address_to": address(&request.to),
                    "parcels": [{"length": "30", "width": "20", "height": "10", "distance_unit": "cm", "weight": "1", "mass_unit": "kg"}],
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
            LabelFormat::PdfA4 => "PDF",
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
