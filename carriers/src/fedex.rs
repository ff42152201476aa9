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
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{parse_borrowed, CarrierHttp, HttpSettings};
use crate::oauth::{read_token, TokenCache};
use crate::tracking::{
    error_answer, exception_from_texts, owned, parse_time, refine_exception, said, settle, str_of,
    Asked, Scan, Text,
};
use crate::{
    Address, Capabilities, Carrier, CarrierError, ExceptionKind, Label, LabelFormat, LabelRef,
    LabelRequest, Location, TrackingStatus, TrackingUpdate,
};

pub const DEFAULT_BASE_URL: &str = "https://apis.fedex.com";
pub const MAX_BATCH: usize = 30;

/// Event / status code → status, and the exception kind when the code itself says it
/// (FedEx's track event codes; a code not here reads as `unknown`, its text kept).
pub const CODES: &[(&str, TrackingStatus, Option<ExceptionKind>)] = &[
    ("OC", TrackingStatus::PreTransit, None),
    ("IN", TrackingStatus::PreTransit, None),
    // A return label's link emailed to the customer, or about to expire: nothing sent yet.
    ("RP", TrackingStatus::PreTransit, None),
    ("RG", TrackingStatus::PreTransit, None),
    ("OX", TrackingStatus::InTransit, None),
    ("PU", TrackingStatus::InTransit, None),
    ("PX", TrackingStatus::InTransit, None),
    ("IT", TrackingStatus::InTransit, None),
    ("IX", TrackingStatus::InTransit, None),
    ("AR", TrackingStatus::InTransit, None),
    ("DP", TrackingStatus::InTransit, None),
    ("AA", TrackingStatus::InTransit, None),
    ("AC", TrackingStatus::InTransit, None),
    ("AF", TrackingStatus::InTransit, None),
    ("AP", TrackingStatus::InTransit, None),
    ("AX", TrackingStatus::InTransit, None),
    ("CC", TrackingStatus::InTransit, None),
    ("CH", TrackingStatus::InTransit, None),
    ("CP", TrackingStatus::InTransit, None),
    ("DR", TrackingStatus::InTransit, None),
    ("DS", TrackingStatus::InTransit, None),
    ("EA", TrackingStatus::InTransit, None),
    ("ED", TrackingStatus::InTransit, None),
    ("EO", TrackingStatus::InTransit, None),
    ("EP", TrackingStatus::InTransit, None),
    ("FD", TrackingStatus::InTransit, None),
    ("LO", TrackingStatus::InTransit, None),
    ("OF", TrackingStatus::InTransit, None),
    ("PF", TrackingStatus::InTransit, None),
    ("PL", TrackingStatus::InTransit, None),
    ("PM", TrackingStatus::InTransit, None),
    ("SF", TrackingStatus::InTransit, None),
    ("SP", TrackingStatus::InTransit, None),
    ("TR", TrackingStatus::InTransit, None),
    ("RR", TrackingStatus::InTransit, None),
    ("RM", TrackingStatus::InTransit, None),
    ("RC", TrackingStatus::InTransit, None),
    // Arriving early / on time, on the way, hold-at-location accepted (not yet there).
    ("AE", TrackingStatus::InTransit, None),
    ("AO", TrackingStatus::InTransit, None),
    ("OW", TrackingStatus::InTransit, None),
    ("HA", TrackingStatus::InTransit, None),
    ("AD", TrackingStatus::OutForDelivery, None),
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
        "DY",
        TrackingStatus::Exception,
        Some(ExceptionKind::Delayed),
    ),
    (
        "PD",
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
    // A return label's link cancelled by the shop, or expired unused.
    ("LP", TrackingStatus::Cancelled, None),
    ("RD", TrackingStatus::Cancelled, None),
];

/// A code → status; an exception's kind from the code, else from the first of `texts`
/// (exception description, event description, …) that names one.
pub fn normalize(code: &str, texts: &[&str]) -> (TrackingStatus, Option<ExceptionKind>) {
    match CODES.iter().find(|(c, _, _)| *c == code) {
        Some((_, TrackingStatus::Exception, kind)) => (
            TrackingStatus::Exception,
            Some(kind.unwrap_or_else(|| exception_from_texts(texts))),
        ),
        Some((_, status, _)) => (*status, None),
        None => (TrackingStatus::Unknown, None),
    }
}

#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(borrow, default)]
    output: Option<Output<'a>>,
    #[serde(borrow, default)]
    errors: Option<Vec<FedExError<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Output<'a> {
    #[serde(borrow, default)]
    complete_track_results: Vec<CompleteResult<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompleteResult<'a> {
    #[serde(borrow, default)]
    tracking_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    track_results: Vec<TrackResult<'a>>,
}

#[derive(Deserialize)]
struct FedExError<'a> {
    #[serde(borrow, default)]
    code: Option<Text<'a>>,
    #[serde(borrow, default)]
    message: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TrackResult<'a> {
    #[serde(borrow, default)]
    tracking_number_info: Option<NumberInfo<'a>>,
    #[serde(borrow, default)]
    latest_status_detail: Option<StatusDetail<'a>>,
    #[serde(borrow, default)]
    date_and_times: Vec<DateAndTime<'a>>,
    #[serde(borrow, default)]
    scan_events: Vec<ScanEvent<'a>>,
    #[serde(borrow, default)]
    estimated_delivery_time_window: Option<TimeWindow<'a>>,
    #[serde(borrow, default)]
    error: Option<FedExError<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NumberInfo<'a> {
    #[serde(borrow, default)]
    tracking_number: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusDetail<'a> {
    #[serde(borrow, default)]
    code: Option<Text<'a>>,
    #[serde(borrow, default)]
    derived_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    status_by_locale: Option<Text<'a>>,
    #[serde(borrow, default)]
    description: Option<Text<'a>>,
    #[serde(borrow, default)]
    ancillary_details: Vec<Ancillary<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Ancillary<'a> {
    #[serde(borrow, default)]
    reason_description: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DateAndTime<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Option<Text<'a>>,
    #[serde(borrow, default)]
    date_time: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct TimeWindow<'a> {
    #[serde(borrow, default)]
    window: Option<Window<'a>>,
}

#[derive(Deserialize)]
struct Window<'a> {
    #[serde(borrow, default)]
    begins: Option<Text<'a>>,
    #[serde(borrow, default)]
    ends: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScanEvent<'a> {
    #[serde(borrow, default)]
    date: Option<Text<'a>>,
    #[serde(borrow, default)]
    event_type: Option<Text<'a>>,
    #[serde(borrow, default)]
    event_description: Option<Text<'a>>,
    #[serde(borrow, default)]
    exception_description: Option<Text<'a>>,
    #[serde(borrow, default)]
    derived_status_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    scan_location: Option<ScanLocation<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScanLocation<'a> {
    #[serde(borrow, default)]
    city: Option<Text<'a>>,
    #[serde(borrow, default)]
    state_or_province_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    postal_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    country_code: Option<Text<'a>>,
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

fn scan(e: &ScanEvent<'_>) -> Scan {
    let raw_code = str_of(&e.event_type);
    let code = match str_of(&e.derived_status_code) {
        "" => raw_code,
        derived => derived,
    };
    let words = [
        str_of(&e.exception_description),
        str_of(&e.event_description),
    ];
    // The event's own code first: a derived code is the parcel's, coarser.
    let (status, exception) = match normalize(raw_code, &words) {
        (TrackingStatus::Unknown, _) => normalize(code, &words),
        read => read,
    };
    let place = e.scan_location.as_ref();
    let location = Location {
        city: place.and_then(|p| owned(&p.city)),
        region: place.and_then(|p| owned(&p.state_or_province_code)),
        postal_code: place.and_then(|p| owned(&p.postal_code)),
        country: place.and_then(|p| owned(&p.country_code)),
        lat: None,
        lon: None,
    };
    let raw_time = str_of(&e.date).to_string();
    Scan {
        at: parse_time(&raw_time, &location),
        raw_time,
        raw_code: raw_code.to_string(),
        description: str_of(&e.event_description).to_string(),
        location,
        status,
        exception,
    }
}

/// Reads one `POST /track/v1/trackingnumbers` answer: an update per number it holds,
/// in its order. A number with several results (a multi-piece shipment, or the same
/// number asked twice) reads as its most advanced result; one FedEx does not know reads
/// as unknown with FedEx's words.
pub fn read_tracking(body: &[u8], asked: &Asked) -> Result<Vec<TrackingUpdate>, CarrierError> {
    let answer: Answer = parse_borrowed("fedex", body)?;
    let Some(output) = answer.output else {
        return match answer.errors {
            Some(errors) => {
                let said = errors
                    .iter()
                    .map(|e| said(&e.code, &e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                error_answer("fedex", asked, &said)
            }
            None => Err(malformed("neither output nor errors")),
        };
    };
    let mut updates: Vec<TrackingUpdate> = Vec::new();
    for complete in &output.complete_track_results {
        let number = complete.tracking_number.as_deref().or_else(|| {
            complete
                .track_results
                .iter()
                .find_map(|r| r.tracking_number_info.as_ref()?.tracking_number.as_deref())
        });
        let number = asked.named(number);
        let best = complete
            .track_results
            .iter()
            .map(|r| result(&number, r, asked))
            .max_by_key(rank);
        let update = best.unwrap_or_else(|| TrackingUpdate::unknown("fedex", &number));
        // The same number asked twice comes back twice: one parcel.
        match updates
            .iter_mut()
            .find(|u| u.tracking_number == update.tracking_number)
        {
            Some(seen) if rank(&update) > rank(seen) => *seen = update,
            Some(_) => {}
            None => updates.push(update),
        }
    }
    if updates.is_empty() {
        updates.push(TrackingUpdate::unknown("fedex", &asked.named(None)));
    }
    Ok(updates)
}

/// How much an update knows: a result over an error, scans over none, newer over older.
fn rank(u: &TrackingUpdate) -> (bool, bool, Option<chrono::DateTime<Utc>>) {
    (
        u.message.is_none(),
        !u.events.is_empty(),
        u.events.last().map(|e| e.at),
    )
}

fn result(number: &str, r: &TrackResult<'_>, asked: &Asked) -> TrackingUpdate {
    if let Some(error) = &r.error {
        let said = said(&error.code, &error.message);
        return TrackingUpdate::not_found("fedex", number, &said);
    }
    let scans: Vec<Scan> = r.scan_events.iter().map(scan).collect();
    // A time without an offset in `dateAndTimes` or the delivery window is local to the
    // parcel's latest known place (FedEx lists the newest scan first).
    let place = scans
        .iter()
        .find(|s| s.location.country.is_some())
        .map(|s| s.location.clone())
        .unwrap_or_default();
    let time_of = |kinds: &[&str]| {
        r.date_and_times
            .iter()
            .filter(|d| kinds.contains(&str_of(&d.kind)))
            .find_map(|d| parse_time(str_of(&d.date_time), &place))
    };
    let answer_time = time_of(&["ACTUAL_DELIVERY", "ACTUAL_PICKUP", "SHIP", "ACTUAL_TENDER"]);
    let events = settle("fedex", scans, answer_time, asked.received_at);
    let (status, exception) = match &r.latest_status_detail {
        Some(latest) => {
            let words: Vec<&str> = [
                str_of(&latest.description),
                str_of(&latest.status_by_locale),
            ]
            .into_iter()
            .chain(
                latest
                    .ancillary_details
                    .iter()
                    .map(|a| str_of(&a.reason_description)),
            )
            .collect();
            match normalize(str_of(&latest.code), &words) {
                (TrackingStatus::Unknown, _) => normalize(str_of(&latest.derived_code), &words),
                read => read,
            }
        }
        None => (TrackingStatus::Unknown, None),
    };
    let (status, exception) = match status {
        TrackingStatus::Unknown => events
            .last()
            .map_or((TrackingStatus::Unknown, None), |e| (e.status, e.exception)),
        _ => (status, exception),
    };
    let window = r
        .estimated_delivery_time_window
        .as_ref()
        .and_then(|w| w.window.as_ref());
    let estimated_delivery = time_of(&["ESTIMATED_DELIVERY"]).or_else(|| {
        window.and_then(|w| {
            parse_time(str_of(&w.ends), &place).or_else(|| parse_time(str_of(&w.begins), &place))
        })
    });
    TrackingUpdate {
        carrier: "fedex".into(),
        tracking_number: number.to_string(),
        status,
        exception: refine_exception(exception, &events),
        events,
        estimated_delivery,
        message: None,
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
                "contact": match &a.phone {
                    Some(phone) => json!({"personName": a.name, "phoneNumber": phone}),
                    None => json!({"personName": a.name}),
                },
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
                "shipDatestamp": request.ship_date.format("%Y-%m-%d").to_string(),
                "pickupType": "DROPOFF_AT_FEDEX_LOCATION",
                "serviceType": "FEDEX_GROUND",
                "packagingType": "YOUR_PACKAGING",
                "shippingChargesPayment": {"paymentType": "RECIPIENT", "payor": {"responsibleParty": {"accountNumber": {"value": account}}}},
                "shipmentSpecialServices": {"specialServiceTypes": ["RETURN_SHIPMENT"], "returnShipmentDetail": {"returnType": "PRINT_RETURN_LABEL"}},
                "labelSpecification": {"imageType": image_type, "labelStockType": "STOCK_4X6"},
                "customerReferences": [{"customerReferenceType": "RMA_ASSOCIATION", "value": request.rma_number}],
                "requestedPackageLineItems": [{"weight": {"units": "KG", "value": request.weight_kg(1.0)}}]
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
            let read = read_tracking(
                &answer.body,
                &Asked {
                    number: None,
                    received_at: Utc::now(),
                },
            )?;
            // One update per number asked, in the order asked; left out means unknown.
            for number in batch {
                let found = read.iter().find(|u| u.tracking_number == *number).cloned();
                updates.push(found.unwrap_or_else(|| TrackingUpdate::unknown("fedex", number)));
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
            ("IN", "", S::PreTransit, None),
            ("IX", "", S::InTransit, None),
            ("FD", "", S::InTransit, None),
            ("CC", "", S::InTransit, None),
            ("AD", "", S::OutForDelivery, None),
            ("DY", "", S::Exception, Some(X::Delayed)),
            ("PD", "", S::Exception, Some(X::Delayed)),
            (
                "SE",
                "Package damaged in transit",
                S::Exception,
                Some(X::Damaged),
            ),
            ("HP", "", S::AvailableForPickup, None),
            (
                "RP",
                "Return label link emailed to return sender",
                S::PreTransit,
                None,
            ),
            (
                "LP",
                "Return label link cancelled by shipment originator",
                S::Cancelled,
                None,
            ),
            ("AE", "Shipment arriving early", S::InTransit, None),
            ("QQ", "", S::Unknown, None),
        ];
        for (code, text, status, kind) in table {
            assert_eq!(normalize(code, &["", text]), (status, kind), "{code}");
        }
    }

    /// Each code is in the table once, and reads as its row says.
    #[test]
    fn every_code_row_reads_and_none_is_twice() {
        let mut seen = std::collections::BTreeSet::new();
        for (code, status, kind) in CODES {
            assert!(seen.insert(*code), "{code} twice");
            let (read, read_kind) = normalize(code, &[]);
            assert_eq!(read, *status, "{code}");
            if *status == TrackingStatus::Exception {
                assert_eq!(
                    read_kind,
                    Some(kind.unwrap_or(ExceptionKind::Other)),
                    "{code}"
                );
            }
        }
    }
}
