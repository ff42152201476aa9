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
use serde_json::{json, Value};

use crate::http::{parse_json, CarrierHttp, HttpSettings};
use crate::one_by_one;
use crate::tracking::{exception_from_words, parse_time, refine_exception};
use crate::{
    Address, Capabilities, Carrier, CarrierError, ExceptionKind, Label, LabelFormat, LabelRequest,
    Location, TrackingEvent, TrackingStatus, TrackingUpdate,
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

pub fn normalize(code: &str, description: &str) -> (TrackingStatus, Option<ExceptionKind>) {
    let status = STATUS_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(TrackingStatus::Unknown, |(_, s)| *s);
    let lower = description.to_lowercase();
    match status {
        TrackingStatus::Exception => (status, Some(exception_from_words(description))),
        TrackingStatus::InTransit if lower.contains("out for delivery") => {
            (TrackingStatus::OutForDelivery, None)
        }
        TrackingStatus::InTransit
            if lower.contains("returned to sender") || lower.contains("returned to shipper") =>
        {
            (TrackingStatus::ReturnedToSender, None)
        }
        _ => (status, None),
    }
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

fn event(v: &Value) -> TrackingEvent {
    let raw_time = text(v, "/timestamp").unwrap_or_default();
    let description = text(v, "/description")
        .or_else(|| text(v, "/status"))
        .unwrap_or_default();
    let code = text(v, "/statusCode").unwrap_or_default();
    let (status, exception) = normalize(&code, &description);
    let location = Location {
        city: text(v, "/location/address/addressLocality"),
        region: None,
        postal_code: text(v, "/location/address/postalCode"),
        country: text(v, "/location/address/countryCode"),
        lat: None,
        lon: None,
    };
    TrackingEvent {
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
        if answer.status == reqwest::StatusCode::NOT_FOUND {
            return Ok(TrackingUpdate::unknown("dhl", number));
        }
        self.http.check(&answer)?;
        read_tracking(number, &answer.body)
    }
}

/// Reads one Shipment Tracking - Unified answer (`GET /track/shipments`).
pub fn read_tracking(number: &str, body: &[u8]) -> Result<TrackingUpdate, CarrierError> {
    let body: Value = parse_json("dhl", body)?;
    let Some(shipment) = body.pointer("/shipments/0") else {
        return Ok(TrackingUpdate::unknown("dhl", number));
    };
    let mut events: Vec<TrackingEvent> = shipment
        .get("events")
        .and_then(Value::as_array)
        .map(|e| e.iter().map(event).collect())
        .unwrap_or_default();
    events.sort_by_key(|e| e.at);
    let current = shipment.get("status").map(event);
    let (status, exception) =
        current.map_or((TrackingStatus::Unknown, None), |c| (c.status, c.exception));
    Ok(TrackingUpdate {
        carrier: "dhl".into(),
        tracking_number: text(shipment, "/id").unwrap_or_else(|| number.to_string()),
        status,
        exception: refine_exception(exception, &events),
        events,
        estimated_delivery: text(shipment, "/estimatedTimeOfDelivery")
            .map(|t| parse_time(&t, &Location::default())),
    })
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
                "contactInformation": {"fullName": a.name, "companyName": a.name, "phone": "0000000"}
            })
        };
        let encoding = if request.format == LabelFormat::Zpl {
            "zpl"
        } else {
            "pdf"
        };
        let body = json!({
            "plannedShippingDateAndTime": Utc::now().format("%Y-%m-%dT%H:%M:%S GMT+00:00").to_string(),
            "pickup": {"isRequested": false},
            "productCode": "P",
            "accounts": [{"typeCode": "shipper", "number": express.account_number}],
            "customerDetails": {"shipperDetails": party(&request.from), "receiverDetails": party(&request.to)},
            "content": {
                "packages": [{"weight": 1, "dimensions": {"length": 30, "width": 20, "height": 10}, "customerReferences": [{"value": request.rma_number}]}],
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
                normalize(code, description),
                (status, kind),
                "{code}: {description}"
            );
        }
    }
}
