//! DHL "Shipment Tracking - Unified" (Express, Parcel, eCommerce), from
//! shared/carriers.md: `GET /track/shipments?trackingNumber=…` with header
//! `DHL-API-Key`; `shipments[].status` and `events[]` carry `timestamp`,
//! `location.address`, `statusCode` (`pre-transit`, `transit`, `delivered`, `failure`,
//! `unknown`) and a description. The free tier is tightly rate-limited, so this
//! adapter always runs with a rate limit (default one call every 5 s; configurable).
//! Timestamps without an offset are converted from the scan's country (raw text kept).
//!
//! Partial: MyDHL Express return labels are not built yet.

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::http::{CarrierHttp, HttpSettings};
use crate::tracking::{exception_from_words, parse_time, refine_exception};
use crate::{
    Capabilities, Carrier, CarrierError, ExceptionKind, Location, TrackingEvent, TrackingStatus,
    TrackingUpdate,
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
        })
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
        let unknown = TrackingUpdate::unknown("dhl", number);
        if answer.status == reqwest::StatusCode::NOT_FOUND {
            return Ok(unknown);
        }
        self.http.check(&answer)?;
        let body: Value =
            serde_json::from_slice(&answer.body).map_err(|e| CarrierError::Malformed {
                carrier: "dhl".into(),
                message: e.to_string(),
            })?;
        let Some(shipment) = body.pointer("/shipments/0") else {
            return Ok(unknown);
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
}

#[async_trait]
impl Carrier for Dhl {
    fn code(&self) -> &'static str {
        "dhl"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            label_formats: vec![],
            max_batch: 1,
            webhooks: false,
            rate_limit_per_second: Some(DEFAULT_RATE_PER_SECOND),
        }
    }

    async fn track(
        &self,
        tracking_numbers: &[String],
    ) -> Result<Vec<TrackingUpdate>, CarrierError> {
        let mut updates = Vec::with_capacity(tracking_numbers.len());
        for number in tracking_numbers {
            updates.push(self.track_one(number).await?);
        }
        Ok(updates)
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
