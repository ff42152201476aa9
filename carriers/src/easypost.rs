//! EasyPost (an aggregator over many carriers), from its public v2 API as summarized in
//! shared/carriers.md:
//!
//! - auth: HTTP Basic with the API key as user name and an empty password;
//! - label: `POST /shipments` with `is_return: true`, then `POST /shipments/{id}/buy`
//!   with the cheapest rate; the bought shipment has `tracking_code` and
//!   `postage_label.label_url` (fetched and stored, since the URL is not ours to keep);
//! - void: `POST /shipments/{id}/refund`;
//! - tracking: `POST /trackers` per code (EasyPost returns the existing tracker for a
//!   code it already tracks), statuses mapped by [`STATUS`] and refined by
//!   `status_detail` through [`DETAIL`];
//! - webhooks: an Event whose `result` is the tracker, signed with HMAC-SHA256 of the
//!   raw body: header `X-Hmac-Signature: hmac-sha256-hex=<hex>`, compared in constant
//!   time.
//!
//! Not verified against the live service (no network here): the exact `status_detail`
//! vocabulary. Unknown details keep the status and map the exception kind to `other`.

use async_trait::async_trait;
use chrono::Utc;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;

use crate::http::{parse_borrowed, CarrierHttp, HttpSettings};
use crate::tracking::{about, error_answer, owned, parse_time, said, settle, Asked, Scan, Text};
use crate::{
    Address, Capabilities, Carrier, CarrierError, ExceptionKind, Label, LabelFormat, LabelRef,
    LabelRequest, Location, TrackingStatus, TrackingUpdate,
};

pub const DEFAULT_BASE_URL: &str = "https://api.easypost.com/v2";

/// EasyPost `status` → normalized status.
pub const STATUS: &[(&str, TrackingStatus)] = &[
    ("unknown", TrackingStatus::Unknown),
    ("pre_transit", TrackingStatus::PreTransit),
    ("in_transit", TrackingStatus::InTransit),
    ("out_for_delivery", TrackingStatus::OutForDelivery),
    ("delivered", TrackingStatus::Delivered),
    ("available_for_pickup", TrackingStatus::AvailableForPickup),
    ("return_to_sender", TrackingStatus::ReturnedToSender),
    ("failure", TrackingStatus::Exception),
    ("cancelled", TrackingStatus::Cancelled),
    ("error", TrackingStatus::Unknown),
];

/// EasyPost `status_detail` → exception kind, for `failure` (and any status whose
/// detail says something went wrong).
pub const DETAIL: &[(&str, ExceptionKind)] = &[
    ("damaged", ExceptionKind::Damaged),
    ("lost", ExceptionKind::Lost),
    ("address_correction", ExceptionKind::Address),
    ("incorrect_address", ExceptionKind::Address),
    ("undeliverable", ExceptionKind::Address),
    ("customs_hold", ExceptionKind::Customs),
    ("customs_issue", ExceptionKind::Customs),
    ("refused", ExceptionKind::Refused),
    ("delivery_refused", ExceptionKind::Refused),
    ("delayed", ExceptionKind::Delayed),
    ("weather_delay", ExceptionKind::Delayed),
];

/// Maps a status and detail; unknown values never fail.
pub fn normalize(status: &str, detail: Option<&str>) -> (TrackingStatus, Option<ExceptionKind>) {
    let mapped = STATUS
        .iter()
        .find(|(s, _)| *s == status)
        .map_or(TrackingStatus::Unknown, |(_, m)| *m);
    let kind = detail.and_then(|d| DETAIL.iter().find(|(k, _)| *k == d).map(|(_, m)| *m));
    match (mapped, kind) {
        (TrackingStatus::Exception, kind) => (
            TrackingStatus::Exception,
            Some(kind.unwrap_or(ExceptionKind::Other)),
        ),
        // A damage or loss reported under another status is still an exception.
        (_, Some(kind @ (ExceptionKind::Damaged | ExceptionKind::Lost))) => {
            (TrackingStatus::Exception, Some(kind))
        }
        (status, _) => (status, None),
    }
}

pub struct EasyPost {
    http: CarrierHttp,
    api_key: SecretString,
    webhook_secret: Option<SecretString>,
}

#[derive(Deserialize)]
struct Rate {
    id: String,
    rate: String,
    currency: String,
    #[serde(default)]
    service: String,
}

#[derive(Deserialize)]
struct Shipment {
    id: String,
    #[serde(default)]
    rates: Vec<Rate>,
    tracking_code: Option<String>,
    postage_label: Option<PostageLabel>,
    selected_rate: Option<Rate>,
}

#[derive(Deserialize)]
struct PostageLabel {
    label_url: String,
}

#[derive(Deserialize)]
struct Refund {
    refund_status: String,
}

/// What a tracking answer may be: a Tracker, a list of them, a webhook Event whose
/// `result` is one, or an error.
#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(borrow, default)]
    trackers: Option<Vec<Tracker<'a>>>,
    #[serde(borrow, default)]
    result: Option<Tracker<'a>>,
    #[serde(borrow, default)]
    description: Option<Text<'a>>,
    #[serde(borrow, default)]
    error: Option<ApiError<'a>>,
    #[serde(borrow, default)]
    tracking_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    status: Option<Text<'a>>,
    #[serde(borrow, default)]
    status_detail: Option<Text<'a>>,
    #[serde(borrow, default)]
    est_delivery_date: Option<Text<'a>>,
    #[serde(borrow, default)]
    tracking_details: Vec<Detail<'a>>,
}

#[derive(Deserialize)]
struct Tracker<'a> {
    #[serde(borrow, default)]
    tracking_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    status: Option<Text<'a>>,
    #[serde(borrow, default)]
    status_detail: Option<Text<'a>>,
    #[serde(borrow, default)]
    est_delivery_date: Option<Text<'a>>,
    #[serde(borrow, default)]
    tracking_details: Vec<Detail<'a>>,
}

#[derive(Deserialize)]
struct ApiError<'a> {
    #[serde(borrow, default)]
    code: Option<Text<'a>>,
    #[serde(borrow, default)]
    message: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Detail<'a> {
    #[serde(borrow, default)]
    datetime: Option<Text<'a>>,
    #[serde(borrow, default)]
    message: Option<Text<'a>>,
    #[serde(borrow, default)]
    description: Option<Text<'a>>,
    #[serde(borrow, default)]
    status: Option<Text<'a>>,
    #[serde(borrow, default)]
    status_detail: Option<Text<'a>>,
    #[serde(borrow, default)]
    tracking_location: Option<TrackingLocation<'a>>,
}

#[derive(Deserialize)]
struct TrackingLocation<'a> {
    #[serde(borrow, default)]
    city: Option<Text<'a>>,
    #[serde(borrow, default)]
    state: Option<Text<'a>>,
    #[serde(borrow, default)]
    country: Option<Text<'a>>,
    #[serde(borrow, default)]
    zip: Option<Text<'a>>,
}

fn address(a: &Address) -> serde_json::Value {
    json!({
        "name": a.name, "street1": a.line1, "street2": a.line2, "city": a.city,
        "state": a.region, "zip": a.postal_code, "country": a.country, "phone": a.phone,
    })
}

/// Reads a tracking answer: a Tracker (from `POST /trackers`), a list of them
/// (`GET /trackers`), or a webhook Event whose `result` is one; an error answer reads
/// as the number asked about, unknown, with EasyPost's words.
pub fn read_tracking(body: &[u8], asked: &Asked) -> Result<Vec<TrackingUpdate>, CarrierError> {
    let answer: Answer = parse_borrowed("easypost", body)?;
    if let Some(error) = &answer.error {
        let said = said(&error.code, &error.message);
        return error_answer("easypost", asked, &said);
    }
    if let Some(about) = answer.description.as_deref() {
        // A webhook Event: only a tracker's carries tracking.
        return Ok(match &answer.result {
            Some(tracker) if about.starts_with("tracker.") => vec![update(tracker, asked)],
            _ => vec![],
        });
    }
    if let Some(trackers) = &answer.trackers {
        return Ok(trackers.iter().map(|t| update(t, asked)).collect());
    }
    if answer.tracking_code.is_none() {
        return Err(EasyPost::malformed(
            "neither a tracker, a list of trackers, an event nor an error",
        ));
    }
    let tracker = Tracker {
        tracking_code: answer.tracking_code,
        status: answer.status,
        status_detail: answer.status_detail,
        est_delivery_date: answer.est_delivery_date,
        tracking_details: answer.tracking_details,
    };
    Ok(vec![update(&tracker, asked)])
}

fn scan(d: &Detail<'_>) -> Scan {
    let (status, exception) = normalize(
        d.status.as_deref().unwrap_or("unknown"),
        d.status_detail.as_deref(),
    );
    let location = d
        .tracking_location
        .as_ref()
        .map_or_else(Location::default, |l| Location {
            city: owned(&l.city),
            region: owned(&l.state),
            postal_code: owned(&l.zip),
            country: owned(&l.country),
            lat: None,
            lon: None,
        });
    let raw_time = owned(&d.datetime).unwrap_or_default();
    let code = owned(&d.status).unwrap_or_default();
    Scan {
        at: parse_time(&raw_time, &location),
        raw_time,
        raw_code: match owned(&d.status_detail) {
            Some(detail) => format!("{code}/{detail}"),
            None => code,
        },
        description: owned(&d.message)
            .or_else(|| owned(&d.description))
            .unwrap_or_default(),
        location,
        status,
        exception,
    }
}

fn update(tracker: &Tracker<'_>, asked: &Asked) -> TrackingUpdate {
    let events = settle(
        "easypost",
        tracker.tracking_details.iter().map(scan).collect(),
        None,
        asked.received_at,
    );
    // The tracker's own status is EasyPost's verdict over all the scans; only without
    // one does the latest scan say where the parcel is.
    let (status, exception) = match tracker.status.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() && s != "unknown" => {
            normalize(s, tracker.status_detail.as_deref())
        }
        _ => events
            .last()
            .map_or((TrackingStatus::Unknown, None), |e| (e.status, e.exception)),
    };
    TrackingUpdate {
        carrier: "easypost".into(),
        tracking_number: asked.named(tracker.tracking_code.as_deref()),
        status,
        exception,
        events,
        estimated_delivery: owned(&tracker.est_delivery_date)
            .and_then(|t| parse_time(&t, &Location::default())),
        message: None,
    }
}

impl EasyPost {
    pub fn new(
        settings: HttpSettings,
        api_key: SecretString,
        webhook_secret: Option<SecretString>,
    ) -> Result<EasyPost, CarrierError> {
        Ok(EasyPost {
            http: CarrierHttp::new("easypost", settings)?,
            api_key,
            webhook_secret,
        })
    }

    fn malformed(message: impl Into<String>) -> CarrierError {
        CarrierError::Malformed {
            carrier: "easypost".into(),
            message: message.into(),
        }
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<T, CarrierError> {
        let url = self.http.url(path);
        self.http
            .json(|c| {
                c.post(&url)
                    .basic_auth(self.api_key.expose_secret(), Some(""))
                    .json(body)
            })
            .await
    }
}

#[async_trait]
impl Carrier for EasyPost {
    fn code(&self) -> &'static str {
        "easypost"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            label_formats: vec![LabelFormat::Pdf, LabelFormat::Zpl],
            max_batch: 20,
            // Pushes reach us only where a webhook secret is configured to check them.
            webhooks: self.webhook_secret.is_some(),
            rate_limit_per_second: None,
        }
    }

    async fn create_return_label(&self, request: &LabelRequest) -> Result<Label, CarrierError> {
        let label_format = match request.format {
            LabelFormat::Zpl => "ZPL",
            _ => "PDF",
        };
        let created: Shipment = self
            .post(
                "/shipments",
                &json!({"shipment": {
                    "from_address": address(&request.from),
                    "to_address": address(&request.to),
                    "parcel": {"weight": request.weight_oz(16.0)},
                    "is_return": true,
                    "reference": request.rma_number,
                    "options": {"label_format": label_format},
                }}),
            )
            .await?;
        let cheapest = created
            .rates
            .iter()
            .filter_map(|r| r.rate.parse::<f64>().ok().map(|price| (price, r)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, r)| r)
            .ok_or_else(|| CarrierError::Rejected {
                carrier: "easypost".into(),
                message: "no rates offered for this return".into(),
            })?;
        let bought: Shipment = self
            .post(
                &format!("/shipments/{}/buy", created.id),
                &json!({"rate": {"id": cheapest.id}}),
            )
            .await?;
        let tracking = bought
            .tracking_code
            .ok_or_else(|| Self::malformed("bought shipment has no tracking_code"))?;
        let label_url = bought
            .postage_label
            .map(|l| l.label_url)
            .ok_or_else(|| Self::malformed("bought shipment has no postage_label"))?;
        let rate = bought.selected_rate.unwrap_or(Rate {
            id: cheapest.id.clone(),
            rate: cheapest.rate.clone(),
            currency: cheapest.currency.clone(),
            service: cheapest.service.clone(),
        });
        // The label lives at a URL of EasyPost's; keep our own copy.
        let document = self.http.send(|c| c.get(&label_url)).await?;
        self.http.check(&document)?;
        Ok(Label {
            carrier: "easypost".into(),
            tracking_number: tracking,
            reference: bought.id,
            service: rate.service,
            cost: rate.rate,
            currency: rate.currency,
            documents: vec![(request.format, document.body)],
            created_at: Utc::now(),
        })
    }

    async fn void_label(&self, label: &LabelRef) -> Result<(), CarrierError> {
        let refund: Refund = self
            .post(
                &format!("/shipments/{}/refund", label.reference),
                &json!({}),
            )
            .await?;
        match refund.refund_status.as_str() {
            "submitted" | "refunded" => Ok(()),
            other => Err(CarrierError::Rejected {
                carrier: "easypost".into(),
                message: format!("refund {other}"),
            }),
        }
    }

    async fn track(
        &self,
        tracking_numbers: &[String],
    ) -> Result<Vec<TrackingUpdate>, CarrierError> {
        let mut updates = Vec::with_capacity(tracking_numbers.len());
        for code in tracking_numbers {
            let url = self.http.url("/trackers");
            let answer = self
                .http
                .send(|c| {
                    c.post(&url)
                        .basic_auth(self.api_key.expose_secret(), Some(""))
                        .json(&json!({"tracker": {"tracking_code": code}}))
                })
                .await?;
            let asked = Asked::number(code, Utc::now());
            match self.http.check(&answer) {
                Ok(()) => updates.push(about(
                    read_tracking(&answer.body, &asked)?,
                    "easypost",
                    code,
                )),
                // EasyPost refuses codes it cannot track: that parcel is unknown, not
                // the whole batch failed.
                Err(CarrierError::Rejected { message, .. }) => {
                    updates.push(TrackingUpdate::not_found("easypost", code, &message))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(updates)
    }

    fn parse_webhook(
        &self,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Vec<TrackingUpdate>, CarrierError> {
        let unauthorized = || CarrierError::Unauthorized {
            carrier: "easypost".into(),
        };
        let secret = self
            .webhook_secret
            .as_ref()
            .ok_or_else(|| CarrierError::NotSupported {
                carrier: "easypost".into(),
                what: "webhooks without a configured webhook secret".into(),
            })?;
        let signature = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("x-hmac-signature"))
            .and_then(|(_, value)| value.strip_prefix("hmac-sha256-hex="))
            .and_then(|hex_digest| hex::decode(hex_digest.trim()).ok())
            .ok_or_else(unauthorized)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
            .map_err(|_| unauthorized())?;
        mac.update(body);
        mac.verify_slice(&signature).map_err(|_| unauthorized())?;
        let asked = Asked {
            number: None,
            received_at: Utc::now(),
        };
        read_tracking(body, &asked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_maps_and_unknown_values_do_not_fail() {
        use ExceptionKind as X;
        use TrackingStatus as S;
        let table = [
            ("pre_transit", None, S::PreTransit, None),
            (
                "in_transit",
                Some("arrived_at_facility"),
                S::InTransit,
                None,
            ),
            ("out_for_delivery", None, S::OutForDelivery, None),
            ("delivered", None, S::Delivered, None),
            ("available_for_pickup", None, S::AvailableForPickup, None),
            ("return_to_sender", None, S::ReturnedToSender, None),
            ("failure", Some("damaged"), S::Exception, Some(X::Damaged)),
            ("failure", Some("lost"), S::Exception, Some(X::Lost)),
            (
                "failure",
                Some("address_correction"),
                S::Exception,
                Some(X::Address),
            ),
            (
                "failure",
                Some("something_new"),
                S::Exception,
                Some(X::Other),
            ),
            (
                "in_transit",
                Some("damaged"),
                S::Exception,
                Some(X::Damaged),
            ),
            ("cancelled", None, S::Cancelled, None),
            ("error", None, S::Unknown, None),
            ("teleported", None, S::Unknown, None),
        ];
        for (status, detail, expected, kind) in table {
            assert_eq!(
                normalize(status, detail),
                (expected, kind),
                "{status} / {detail:?}"
            );
        }
    }
}
