//! FedEx, from its public OAuth and Track APIs as summarized in shared/carriers.md:
//!
//! - OAuth 2: `POST /oauth/token`, form `grant_type=client_credentials&client_id=…&
//!   client_secret=…`; `expires_in` about an hour;
//! - tracking: `POST /track/v1/trackingnumbers` with up to 30 numbers; each result has
//!   `latestStatusDetail` and `scanEvents[]` (dates in ISO 8601 with offset); an
//!   unknown number comes back as an `error` inside its result, not as an HTTP error.
//!   Codes are mapped by [`CODES`]; exception text refines the kind.
//!
//! - return labels: `POST /ship/v1/shipments` with
//!   `shipmentSpecialServices.specialServiceTypes: ["RETURN_SHIPMENT"]` and
//!   `returnShipmentDetail.returnType: "PRINT_RETURN_LABEL"`, `labelSpecification`
//!   `imageType` PDF or ZPLII on `STOCK_4X6`; the label comes back base64 in
//!   `pieceResponses[].packageDocuments[].encodedLabel`; cancel with
//!   `PUT /ship/v1/shipments/cancel`. The answer's field names follow carriers.md and
//!   FedEx's published examples; not verified against the live sandbox here.

use async_trait::async_trait;
use base64::Engine;
use chrono::DateTime;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use crate::http::{parse_json, CarrierHttp, HttpSettings};
use crate::oauth::{read_token, TokenCache};
use crate::tracking::{exception_from_words, refine_exception};
use crate::{
    Address, Capabilities, Carrier, CarrierError, ExceptionKind, Label, LabelFormat, LabelRef,
    LabelRequest, Location, TrackingEvent, TrackingStatus, TrackingUpdate,
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
    /// The shop's FedEx account, billed for return labels; `None` tracks only.
    account_number: Option<String>,
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

fn malformed(message: &str) -> CarrierError {
    CarrierError::Malformed {
        carrier: "fedex".into(),
        message: message.into(),
    }
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

/// Reads one `POST /track/v1/trackingnumbers` answer: an update per asked number, in
/// the order asked; numbers the answer leaves out are unknown.
pub fn read_tracking(numbers: &[String], body: &[u8]) -> Result<Vec<TrackingUpdate>, CarrierError> {
    let parsed: Value = parse_json("fedex", body)?;
    let results = parsed
        .pointer("/output/completeTrackResults")
        .and_then(Value::as_array);
    Ok(numbers
        .iter()
        .map(|number| {
            let found = results
                .and_then(|all| all.iter().find(|r| text(r, "/trackingNumber") == *number))
                .and_then(|r| r.pointer("/trackResults/0"));
            match found {
                Some(r) => result(number, r),
                None => result(number, &json!({"error": {"code": "NOT.FOUND"}})),
            }
        })
        .collect())
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
        account_number: Option<String>,
    ) -> Result<FedEx, CarrierError> {
        Ok(FedEx {
            http: CarrierHttp::new("fedex", settings)?,
            client_id,
            client_secret,
            account_number,
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
            label_formats: if self.account_number.is_some() {
                vec![LabelFormat::Pdf, LabelFormat::Zpl]
            } else {
                vec![]
            },
            max_batch: MAX_BATCH,
            webhooks: false,
            rate_limit_per_second: None,
        }
    }

    async fn create_return_label(&self, request: &LabelRequest) -> Result<Label, CarrierError> {
        let account = self
            .account_number
            .as_deref()
            .ok_or_else(|| self.not_supported("labels without carriers.fedex.account_number"))?;
        let party = |a: &Address| {
            let street: Vec<&String> = [Some(&a.line1), a.line2.as_ref()]
                .into_iter()
                .flatten()
                .collect();
            json!({
                "contact": {"personName": a.name},
                "address": {"streetLines": street, "city": a.city, "stateOrProvinceCode": a.region,
                            "postalCode": a.postal_code, "countryCode": a.country}
            })
        };
        let image_type = if request.format == LabelFormat::Zpl {
            "ZPLII"
        } else {
            "PDF"
        };
        let body = json!({
            "accountNumber": {"value": account},
            "labelResponseOptions": "LABEL",
            "requestedShipment": {
                "shipper": party(&request.from),
                "recipients": [party(&request.to)],
                "pickupType": "DROPOFF_AT_FEDEX_LOCATION",
                "serviceType": "FEDEX_GROUND",
                "packagingType": "YOUR_PACKAGING",
                "shippingChargesPayment": {"paymentType": "RECIPIENT", "payor": {"responsibleParty": {"accountNumber": {"value": account}}}},
                "shipmentSpecialServices": {"specialServiceTypes": ["RETURN_SHIPMENT"], "returnShipmentDetail": {"returnType": "PRINT_RETURN_LABEL"}},
                "labelSpecification": {"imageType": image_type, "labelStockType": "STOCK_4X6"},
                "customerReferences": [{"customerReferenceType": "RMA_ASSOCIATION", "value": request.rma_number}],
                "requestedPackageLineItems": [{"weight": {"units": "KG", "value": 1}}]
            }
        });
        let token = self.token().await?;
        let url = self.http.url("/ship/v1/shipments");
        let answer: Value = self
            .http
            .json(|c| c.post(&url).bearer_auth(token.expose_secret()).json(&body))
            .await?;
        let shipment = answer
            .pointer("/output/transactionShipments/0")
            .ok_or_else(|| malformed("an answer without transactionShipments"))?;
        let tracking = optional(shipment, "/masterTrackingNumber")
            .ok_or_else(|| malformed("no masterTrackingNumber"))?;
        let encoded = optional(
            shipment,
            "/pieceResponses/0/packageDocuments/0/encodedLabel",
        )
        .ok_or_else(|| malformed("no encodedLabel"))?;
        let document = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_bytes())
            .map_err(|e| malformed(&format!("label is not base64: {e}")))?;
        let charge = shipment.pointer(
            "/completedShipmentDetail/shipmentRating/shipmentRateDetails/0/totalNetCharge",
        );
        let cost = match charge {
            Some(Value::Number(n)) => format!("{:.2}", n.as_f64().unwrap_or(0.0)),
            Some(Value::String(s)) => s.clone(),
            _ => "0.00".to_string(),
        };
        Ok(Label {
            carrier: "fedex".into(),
            reference: tracking.clone(),
            tracking_number: tracking,
            service: optional(shipment, "/serviceType").unwrap_or_else(|| "FEDEX_GROUND".into()),
            cost,
            currency: optional(
                shipment,
                "/completedShipmentDetail/shipmentRating/shipmentRateDetails/0/currency",
            )
            .unwrap_or_else(|| request.currency.clone()),
            documents: vec![(request.format, document)],
            created_at: Utc::now(),
        })
    }

    async fn void_label(&self, label: &LabelRef) -> Result<(), CarrierError> {
        let account = self
            .account_number
            .as_deref()
            .ok_or_else(|| self.not_supported("voiding without an account"))?;
        let token = self.token().await?;
        let url = self.http.url("/ship/v1/shipments/cancel");
        let body = json!({"accountNumber": {"value": account}, "trackingNumber": label.tracking_number, "deletionControl": "DELETE_ALL_PACKAGES"});
        let answer: Value = self
            .http
            .json(|c| c.put(&url).bearer_auth(token.expose_secret()).json(&body))
            .await?;
        if answer
            .pointer("/output/cancelledShipment")
            .and_then(Value::as_bool)
            == Some(true)
        {
            Ok(())
        } else {
            Err(CarrierError::Rejected {
                carrier: "fedex".into(),
                message: optional(&answer, "/output/message")
                    .unwrap_or_else(|| "cancel refused".into()),
            })
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
            updates.extend(read_tracking(batch, &answer.body)?);
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
