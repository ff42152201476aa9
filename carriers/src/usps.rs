//! USPS REST APIs v3 (the XML Web Tools are retired), from shared/carriers.md:
//!
//! - OAuth 2 client credentials: `POST /oauth2/v3/token` with a JSON body; tokens last
//!   hours and are cached (see [`crate::oauth`]);
//! - tracking: `GET /tracking/v3/tracking/{trackingNumber}?expand=DETAIL` with
//!   `statusCategory` and `trackingEvents[]` (`eventType`, `eventTimestamp`,
//!   `eventCode`, `eventCity`, `eventState`, `eventZIP`, `eventCountry`).
//!
//! Parcel status comes from `statusCategory` ([`CATEGORIES`]); each event from its
//! `eventCode` ([`EVENT_CODES`]), and from its text where the code is not in the table.
//! The event-code table holds only the codes carriers.md names (01, 03, 07, 10, 16 and
//! the 04/05/09/21 undeliverable family); the full USPS table is not verified here.
//! Partial: return labels (`/labels/v3/return-label` with a payment authorization) are
//! not built yet.

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use crate::http::{CarrierHttp, HttpSettings};
use crate::oauth::{read_token, TokenCache};
use crate::one_by_one;
use crate::tracking::{exception_from_words, parse_time, refine_exception};
use crate::{
    Capabilities, Carrier, CarrierError, ExceptionKind, Location, TrackingEvent, TrackingStatus,
    TrackingUpdate,
};

pub const DEFAULT_BASE_URL: &str = "https://apis.usps.com";

/// `statusCategory` → status.
pub const CATEGORIES: &[(&str, TrackingStatus)] = &[
    ("pre-shipment", TrackingStatus::PreTransit),
    ("accepted", TrackingStatus::InTransit),
    ("in transit", TrackingStatus::InTransit),
    ("out for delivery", TrackingStatus::OutForDelivery),
    ("available for pickup", TrackingStatus::AvailableForPickup),
    ("delivered", TrackingStatus::Delivered),
    ("alert", TrackingStatus::Exception),
    ("delivery attempt", TrackingStatus::Exception),
    ("return to sender", TrackingStatus::ReturnedToSender),
];

/// `eventCode` → status and, for the undeliverable family, the kind.
pub const EVENT_CODES: &[(&str, TrackingStatus, Option<ExceptionKind>)] = &[
    ("01", TrackingStatus::Delivered, None),
    ("03", TrackingStatus::InTransit, None),
    ("07", TrackingStatus::OutForDelivery, None),
    ("10", TrackingStatus::InTransit, None),
    ("16", TrackingStatus::AvailableForPickup, None),
    (
        "04",
        TrackingStatus::Exception,
        Some(ExceptionKind::Refused),
    ),
    (
        "05",
        TrackingStatus::Exception,
        Some(ExceptionKind::Address),
    ),
    (
        "21",
        TrackingStatus::Exception,
        Some(ExceptionKind::Address),
    ),
    ("09", TrackingStatus::ReturnedToSender, None),
];

fn by_category(category: &str, text: &str) -> (TrackingStatus, Option<ExceptionKind>) {
    let lower = category.trim().to_lowercase();
    match CATEGORIES.iter().find(|(c, _)| *c == lower) {
        Some((_, TrackingStatus::Exception)) => {
            (TrackingStatus::Exception, Some(exception_from_words(text)))
        }
        Some((_, status)) => (*status, None),
        None => (TrackingStatus::Unknown, None),
    }
}

pub fn normalize_event(code: &str, text: &str) -> (TrackingStatus, Option<ExceptionKind>) {
    match EVENT_CODES.iter().find(|(c, _, _)| *c == code) {
        Some((_, status, kind)) => (*status, *kind),
        // Not in our table: keep the code, read the words.
        None if text.to_lowercase().contains("deliver")
            && !text.to_lowercase().contains("out for") =>
        {
            (TrackingStatus::Delivered, None)
        }
        None => (TrackingStatus::InTransit, None),
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

pub struct Usps {
    http: CarrierHttp,
    client_id: String,
    client_secret: SecretString,
    tokens: TokenCache,
}

impl Usps {
    pub fn new(
        settings: HttpSettings,
        client_id: String,
        client_secret: SecretString,
    ) -> Result<Usps, CarrierError> {
        Ok(Usps {
            http: CarrierHttp::new("usps", settings)?,
            client_id,
            client_secret,
            tokens: TokenCache::default(),
        })
    }

    async fn token(&self) -> Result<SecretString, CarrierError> {
        self.tokens
            .get(|| async {
                let url = self.http.url("/oauth2/v3/token");
                let body = json!({
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret.expose_secret(),
                });
                let answer: Value = self.http.json(|c| c.post(&url).json(&body)).await?;
                read_token("usps", &answer)
            })
            .await
    }

    async fn track_one(&self, number: &str) -> Result<TrackingUpdate, CarrierError> {
        let token = self.token().await?;
        let url = self.http.url(&format!("/tracking/v3/tracking/{number}"));
        let answer = self
            .http
            .send(|c| {
                c.get(&url)
                    .query(&[("expand", "DETAIL")])
                    .bearer_auth(token.expose_secret())
            })
            .await?;
        if answer.status == reqwest::StatusCode::NOT_FOUND {
            return Ok(TrackingUpdate::unknown("usps", number));
        }
        if answer.status == reqwest::StatusCode::UNAUTHORIZED {
            self.tokens.clear().await;
        }
        self.http.check(&answer)?;
        let body: Value =
            serde_json::from_slice(&answer.body).map_err(|e| CarrierError::Malformed {
                carrier: "usps".into(),
                message: e.to_string(),
            })?;
        let mut events: Vec<TrackingEvent> = body
            .get("trackingEvents")
            .and_then(Value::as_array)
            .map(|all| {
                all.iter()
                    .map(|e| {
                        let raw_time = text(e, "eventTimestamp").unwrap_or_default();
                        let description = text(e, "eventType").unwrap_or_default();
                        let code = text(e, "eventCode").unwrap_or_default();
                        let (status, exception) = normalize_event(&code, &description);
                        let location = Location {
                            city: text(e, "eventCity"),
                            region: text(e, "eventState"),
                            postal_code: text(e, "eventZIP"),
                            country: text(e, "eventCountry").or_else(|| Some("US".into())),
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
                    })
                    .collect()
            })
            .unwrap_or_default();
        events.sort_by_key(|e| e.at);
        let summary = format!(
            "{} {}",
            text(&body, "status").unwrap_or_default(),
            text(&body, "statusSummary").unwrap_or_default()
        );
        let (status, exception) =
            by_category(&text(&body, "statusCategory").unwrap_or_default(), &summary);
        Ok(TrackingUpdate {
            carrier: "usps".into(),
            tracking_number: text(&body, "trackingNumber").unwrap_or_else(|| number.to_string()),
            status,
            exception: refine_exception(exception, &events),
            events,
            estimated_delivery: None,
        })
    }
}

#[async_trait]
impl Carrier for Usps {
    fn code(&self) -> &'static str {
        "usps"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            label_formats: vec![],
            max_batch: 1,
            webhooks: false,
            rate_limit_per_second: None,
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
    fn categories_and_event_codes() {
        use ExceptionKind as X;
        use TrackingStatus as S;
        assert_eq!(by_category("Delivered", ""), (S::Delivered, None));
        assert_eq!(by_category("Pre-Shipment", ""), (S::PreTransit, None));
        assert_eq!(
            by_category("Alert", "Delivery refused"),
            (S::Exception, Some(X::Refused))
        );
        assert_eq!(by_category("Something New", ""), (S::Unknown, None));
        let table = [
            ("01", "Delivered, In/At Mailbox", S::Delivered, None),
            ("03", "USPS in possession of item", S::InTransit, None),
            ("07", "Out for Delivery", S::OutForDelivery, None),
            ("16", "Available for Pickup", S::AvailableForPickup, None),
            ("04", "Refused", S::Exception, Some(X::Refused)),
            ("21", "No Such Number", S::Exception, Some(X::Address)),
            ("09", "Return to Sender", S::ReturnedToSender, None),
            ("OF", "Departed USPS Regional Facility", S::InTransit, None),
        ];
        for (code, text, status, kind) in table {
            assert_eq!(normalize_event(code, text), (status, kind), "{code}");
        }
    }
}
