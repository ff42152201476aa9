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
use chrono::{NaiveDateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use crate::http::{parse_json, CarrierHttp, HttpSettings};
use crate::local_time;
use crate::oauth::{read_token, TokenCache};
use crate::one_by_one;
use crate::pdf::Page;
use crate::tracking::{exception_from_words, refine_exception};
use crate::{
    Address, Capabilities, Carrier, CarrierError, ExceptionKind, Label, LabelFormat, LabelRef,
    LabelRequest, Location, TrackingEvent, TrackingStatus, TrackingUpdate,
};

pub const DEFAULT_BASE_URL: &str = "https://onlinetools.ups.com";

/// `status.type` → normalized status.
pub const STATUS_TYPE: &[(&str, TrackingStatus)] = &[
    ("M", TrackingStatus::PreTransit),
    ("P", TrackingStatus::InTransit),
    ("I", TrackingStatus::InTransit),
    ("O", TrackingStatus::OutForDelivery),
    ("OT", TrackingStatus::OutForDelivery),
    ("D", TrackingStatus::Delivered),
    ("X", TrackingStatus::Exception),
    ("RS", TrackingStatus::ReturnedToSender),
    ("MV", TrackingStatus::Cancelled),
];

pub fn normalize(status_type: &str, description: &str) -> (TrackingStatus, Option<ExceptionKind>) {
    let status = STATUS_TYPE
        .iter()
        .find(|(t, _)| *t == status_type)
        .map_or(TrackingStatus::Unknown, |(_, s)| *s);
    if status != TrackingStatus::Exception {
        return (status, None);
    }
    (status, Some(exception_from_words(description)))
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

fn event(activity: &Value) -> TrackingEvent {
    let date = text(activity, "/date").unwrap_or_default();
    let time = text(activity, "/time").unwrap_or_else(|| "000000".into());
    let raw_time = format!("{date}{time}");
    let location = Location {
        city: text(activity, "/location/address/city"),
        region: text(activity, "/location/address/stateProvince"),
        postal_code: text(activity, "/location/address/postalCode"),
        country: text(activity, "/location/address/countryCode"),
        lat: None,
        lon: None,
    };
    // UPS scan times are local to the scan, without an offset.
    let at = NaiveDateTime::parse_from_str(&raw_time, "%Y%m%d%H%M%S")
        .map_or(chrono::DateTime::UNIX_EPOCH, |t| {
            local_time::to_utc(t, &location)
        });
    let description = text(activity, "/status/description").unwrap_or_default();
    let (status, exception) = normalize(
        &text(activity, "/status/type").unwrap_or_default(),
        &description,
    );
    TrackingEvent {
        at,
        raw_time,
        raw_code: text(activity, "/status/code")
            .or_else(|| text(activity, "/status/type"))
            .unwrap_or_default(),
        description,
        location,
        status,
        exception,
    }
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
        if answer.status == reqwest::StatusCode::NOT_FOUND {
            return Ok(TrackingUpdate::unknown("ups", number));
        }
        if answer.status == reqwest::StatusCode::UNAUTHORIZED {
            self.tokens.clear().await;
        }
        self.http.check(&answer)?;
        read_tracking(number, &answer.body)
    }
}

/// Reads one Track API answer (`GET /api/track/v1/details/{number}`).
pub fn read_tracking(number: &str, body: &[u8]) -> Result<TrackingUpdate, CarrierError> {
    let body: Value = parse_json("ups", body)?;
    let Some(package) = body.pointer("/trackResponse/shipment/0/package/0") else {
        return Ok(TrackingUpdate::unknown("ups", number));
    };
    let mut events: Vec<TrackingEvent> = package
        .get("activity")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(event).collect())
        .unwrap_or_default();
    events.sort_by_key(|e| e.at);
    let current = package.get("currentStatus");
    let (status, exception) = match current {
        Some(c) => normalize(
            &text(c, "/type").unwrap_or_else(|| {
                events
                    .last()
                    .map(|e| e.raw_code.clone())
                    .unwrap_or_default()
            }),
            &text(c, "/description").unwrap_or_default(),
        ),
        None => events
            .last()
            .map_or((TrackingStatus::Unknown, None), |e| (e.status, e.exception)),
    };
    let exception = refine_exception(exception, &events);
    Ok(TrackingUpdate {
        carrier: "ups".into(),
        tracking_number: text(package, "/trackingNumber").unwrap_or_else(|| number.to_string()),
        status,
        exception,
        events,
        estimated_delivery: None,
    })
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
            json!({"Name": a.name, "Address": {"AddressLine": lines, "City": a.city, "StateProvinceCode": a.region,
                   "PostalCode": a.postal_code, "CountryCode": a.country}})
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
                            "PackageWeight": {"UnitOfMeasurement": {"Code": "KGS"}, "Weight": "1"}}
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
                page.to_pdf()
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

    #[test]
    fn status_types_and_exception_words() {
        use ExceptionKind as X;
        use TrackingStatus as S;
        let table = [
            ("M", "Shipper created a label", S::PreTransit, None),
            ("P", "Pickup Scan", S::InTransit, None),
            ("I", "Arrived at Facility", S::InTransit, None),
            ("O", "Out For Delivery Today", S::OutForDelivery, None),
            ("D", "DELIVERED", S::Delivered, None),
            (
                "X",
                "The package was damaged and the contents discarded",
                S::Exception,
                Some(X::Damaged),
            ),
            (
                "X",
                "The receiver refused the delivery",
                S::Exception,
                Some(X::Refused),
            ),
            (
                "X",
                "The address is incorrect",
                S::Exception,
                Some(X::Address),
            ),
            (
                "X",
                "Severe weather conditions have delayed delivery",
                S::Exception,
                Some(X::Delayed),
            ),
            ("X", "Something unusual", S::Exception, Some(X::Other)),
            ("RS", "Returned to shipper", S::ReturnedToSender, None),
            ("MV", "Voided", S::Cancelled, None),
            ("ZZ", "New code", S::Unknown, None),
        ];
        for (t, description, status, kind) in table {
            assert_eq!(
                normalize(t, description),
                (status, kind),
                "{t}: {description}"
            );
        }
    }
}
