//! FedEx, from its public OAuth and Track APIs as summarized in shared/carriers.md:
//!
//! - OAuth 2: `POST /oauth/token`, form `grant_type=client_credentials&client_id=…&
//!   client_secret=…`; `expires_in` about an hour;
//! - tracking: `POST /track/v1/trackingnumbers` with up to 30 numbers; each result has
//!   `latestStatusDetail` and `scanEvents[]` (dates in ISO 8601 with offset); an
//!   unknown number comes back as an `error` inside its result, not as an HTTP error.
//!   Codes are mapped by [`CODES`]; exception text refines the kind.
//!
//! Partial: return labels (Ship API with `RETURN_SHIPMENT`) are not built yet.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use crate::http::{CarrierHttp, HttpSettings};
use crate::oauth::{read_token, TokenCache};
use crate::tracking::{exception_from_words, refine_exception};
use crate::{
    Capabilities, Carrier, CarrierError, ExceptionKind, Location, TrackingEvent, TrackingStatus,
    TrackingUpdate,
};

pub const DEFAULT_BASE_URL: &str = "https://apis.fedex.com";
pub const MAX_BATCH: usize = 30;

/// Event / status code → status, and the exception kind when the code itself says it.
pub const CODES: &[(&str, TrackingStatus, Option<ExceptionKind>)] = &[
    ("OC", TrackingStatus::PreTransit, None),
    ("PU", TrackingStatus::InTransit, None),
    ("IT", TrackingStatus::InTransit, None),
    ("AR", TrackingStatus::InTransit, None),
    ("DP", TrackingStatus::InTransit, None),
    ("OD", TrackingStatus::OutForDelivery, None),
    ("DL", TrackingStatus::Delivered, None),
    ("DE", TrackingStatus::Exception, None),
    ("SE", TrackingStatus::Exception, None),
    (
        "DD",
        TrackingStatus::Exception,
        Some(ExceptionKind::Delayed),
    ),
    (
        "CD",
        TrackingStatus::Exception,
        Some(ExceptionKind::Customs),
    ),
    ("HL", TrackingStatus::AvailableForPickup, None),
    ("HP", TrackingStatus::AvailableForPickup, None),
    ("RS", TrackingStatus::ReturnedToSender, None),
    ("CA", TrackingStatus::Cancelled, None),
];

pub fn normalize(code: &str, exception_text: &str) -> (TrackingStatus, Option<ExceptionKind>) {
    match CODES.iter().find(|(c, _, _)| *c == code) {
        Some((_, TrackingStatus::Exception, kind)) => (
            TrackingStatus::Exception,
            Some(kind.unwrap_or_else(|| exception_from_words(exception_text))),
        ),
        Some((_, status, _)) => (*status, None),
        None => (TrackingStatus::Unknown, None),
    }
}

pub struct FedEx {
    http: CarrierHttp,
    client_id: String,
    client_secret: SecretString,
    tokens: TokenCache,
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn optional(v: &Value, pointer: &str) -> Option<String> {
    Some(text(v, pointer)).filter(|s| !s.is_empty())
}

fn scan(event: &Value) -> TrackingEvent {
    let raw_time = text(event, "/date");
    let code = optional(event, "/derivedStatusCode").unwrap_or_else(|| text(event, "/eventType"));
    let exception_text = format!(
        "{} {}",
        text(event, "/exceptionDescription"),
        text(event, "/eventDescription")
    );
    let (status, exception) = normalize(&code, &exception_text);
    TrackingEvent {
        at: DateTime::parse_from_rfc3339(&raw_time)
            .map_or(DateTime::UNIX_EPOCH, |t| t.with_timezone(&Utc)),
        raw_time,
        raw_code: text(event, "/eventType"),
        description: text(event, "/eventDescription"),
        location: Location {
            city: optional(event, "/scanLocation/city"),
            region: optional(event, "/scanLocation/stateOrProvinceCode"),
            postal_code: optional(event, "/scanLocation/postalCode"),
            country: optional(event, "/scanLocation/countryCode"),
            lat: None,
            lon: None,
        },
        status,
        exception,
    }
}

fn result(number: &str, result: &Value) -> TrackingUpdate {
    let mut events: Vec<TrackingEvent> = result
        .get("scanEvents")
        .and_then(Value::as_array)
        .map(|events| events.iter().map(scan).collect())
        .unwrap_or_default();
    events.sort_by_key(|e| e.at);
    let (status, exception) = if result.get("error").is_some() {
        (TrackingStatus::Unknown, None)
    } else {
        let latest = result
            .get("latestStatusDetail")
            .cloned()
            .unwrap_or(Value::Null);
        let code = optional(&latest, "/derivedCode").unwrap_or_else(|| text(&latest, "/code"));
        let described = format!(
            "{} {}",
            text(&latest, "/description"),
            text(&latest, "/statusByLocale")
        );
        normalize(&code, &described)
    };
    TrackingUpdate {
        carrier: "fedex".into(),
        tracking_number: number.to_string(),
        status,
        exception: refine_exception(exception, &events),
        events,
        estimated_delivery: None,
    }
}

impl FedEx {
    pub fn new(
        settings: HttpSettings,
        client_id: String,
        client_secret: SecretString,
    ) -> Result<FedEx, CarrierError> {
        Ok(FedEx {
            http: CarrierHttp::new("fedex", settings)?,
            client_id,
            client_secret,
            tokens: TokenCache::default(),
        })
    }

    async fn token(&self) -> Result<SecretString, CarrierError> {
        self.tokens
            .get(|| async {
                let url = self.http.url("/oauth/token");
                let answer: Value = self
                    .http
                    .json(|c| {
                        c.post(&url).form(&[
                            ("grant_type", "client_credentials"),
                            ("client_id", self.client_id.as_str()),
                            ("client_secret", self.client_secret.expose_secret()),
                        ])
                    })
                    .await?;
                read_token("fedex", &answer)
            })
            .await
    }
}

#[async_trait]
impl Carrier for FedEx {
    fn code(&self) -> &'static str {
        "fedex"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            label_formats: vec![],
            max_batch: MAX_BATCH,
            webhooks: false,
            rate_limit_per_second: None,
        }
    }

    async fn track(
        &self,
        tracking_numbers: &[String],
    ) -> Result<Vec<TrackingUpdate>, CarrierError> {
        let mut updates = Vec::with_capacity(tracking_numbers.len());
        for batch in tracking_numbers.chunks(MAX_BATCH) {
            let token = self.token().await?;
            let url = self.http.url("/track/v1/trackingnumbers");
            let body = json!({
                "includeDetailedScans": true,
                "trackingInfo": batch.iter().map(|n| json!({"trackingNumberInfo": {"trackingNumber": n}})).collect::<Vec<_>>(),
            });
            let answer = self
                .http
                .send(|c| c.post(&url).bearer_auth(token.expose_secret()).json(&body))
                .await?;
            if answer.status == reqwest::StatusCode::UNAUTHORIZED {
                self.tokens.clear().await;
            }
            self.http.check(&answer)?;
            let parsed: Value =
                serde_json::from_slice(&answer.body).map_err(|e| CarrierError::Malformed {
                    carrier: "fedex".into(),
                    message: e.to_string(),
                })?;
            let results = parsed
                .pointer("/output/completeTrackResults")
                .and_then(Value::as_array);
            for number in batch {
                let found = results
                    .and_then(|all| all.iter().find(|r| text(r, "/trackingNumber") == *number))
                    .and_then(|r| r.pointer("/trackResults/0"));
                updates.push(match found {
                    Some(r) => result(number, r),
                    None => result(number, &json!({"error": {"code": "NOT.FOUND"}})),
                });
            }
        }
        Ok(updates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_table() {
        use ExceptionKind as X;
        use TrackingStatus as S;
        let table = [
            ("OC", "", S::PreTransit, None),
            ("PU", "", S::InTransit, None),
            ("AR", "", S::InTransit, None),
            ("OD", "", S::OutForDelivery, None),
            ("DL", "", S::Delivered, None),
            ("DE", "Package damaged", S::Exception, Some(X::Damaged)),
            (
                "DE",
                "Customer not available or business closed",
                S::Exception,
                Some(X::Other),
            ),
            ("SE", "Incorrect address", S::Exception, Some(X::Address)),
            ("DD", "", S::Exception, Some(X::Delayed)),
            ("CD", "", S::Exception, Some(X::Customs)),
            ("HL", "", S::AvailableForPickup, None),
            ("RS", "", S::ReturnedToSender, None),
            ("CA", "", S::Cancelled, None),
            ("QQ", "", S::Unknown, None),
        ];
        for (code, text, status, kind) in table {
            assert_eq!(normalize(code, text), (status, kind), "{code}");
        }
    }
}
