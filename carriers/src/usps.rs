//! USPS REST APIs v3 (the XML Web Tools are retired), from shared/carriers.md:
//!
//! - OAuth 2 client credentials: `POST /oauth2/v3/token` with a JSON body; tokens last
//!   hours and are cached (see [`crate::oauth`]);
//! - tracking: `GET /tracking/v3/tracking/{trackingNumber}?expand=DETAIL` with
//!   `statusCategory` and `trackingEvents[]` (`eventType`, `eventTimestamp`,
//!   `eventCode`, `eventCity`, `eventState`, `eventZIP`, `eventCountry`).
//!
//! Parcel status comes from `statusCategory` ([`CATEGORIES`]), except that an `Alert`
//! (or an `In Transit` arriving late) is read by its latest scan; each event from its
//! `eventCode` ([`EVENT_CODES`], the USPS event-code list as the Web Tools tracking
//! codes give it: OF out for delivery, 07 arrival at unit, the 09/21–29/31 return to
//! sender family, the 02/52–56 notice-left family), and from its text where the code
//! is not in the table. `TD` (arriving late) is not in that list; it is read as a delay.
//!
//! Return labels (domestic only, when a [`Payer`] is configured): a payment
//! authorization token from `POST /payments/v3/payment-authorization` (roles PAYER and
//! LABEL_OWNER with the shop's CRID, MIDs and EPS account; cached like the OAuth
//! token), then `POST /labels/v3/return-label` with `X-Payment-Authorization-Token`.
//! USPS answers multipart: a JSON part (`trackingNumber`, `postage`) and the label as
//! base64 ([`read_label_answer`]). Voiding is `DELETE /labels/v3/label/{number}`.
//! Request and answer shapes follow USPS's published examples; not verified live.

use async_trait::async_trait;
use base64::Engine;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{parse_borrowed, parse_json, CarrierHttp, HttpSettings};
use crate::oauth::{read_token, TokenCache};
use crate::one_by_one;
use crate::tracking::{
    error_answer, exception_from_texts, mentions, owned, parse_time, refine_exception, said,
    settle, Asked, Scan, Text,
};
use crate::{
    Address, Capabilities, Carrier, CarrierError, ExceptionKind, Label, LabelFormat, LabelRef,
    LabelRequest, Location, TrackingStatus, TrackingUpdate,
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

/// `eventCode` → status and, for the exception families, the kind: the USPS tracking
/// event codes, grouped as USPS groups them (the 09, 21–29 and 31 family sends the
/// item back to its sender; 02 and 52–56 are attempts with a notice left).
pub const EVENT_CODES: &[(&str, TrackingStatus, Option<ExceptionKind>)] = &[
    ("MA", TrackingStatus::PreTransit, None),
    ("GX", TrackingStatus::PreTransit, None),
    ("03", TrackingStatus::InTransit, None),
    ("TM", TrackingStatus::InTransit, None),
    ("PA", TrackingStatus::InTransit, None),
    ("06", TrackingStatus::InTransit, None),
    ("07", TrackingStatus::InTransit, None),
    ("08", TrackingStatus::InTransit, None),
    ("10", TrackingStatus::InTransit, None),
    ("15", TrackingStatus::InTransit, None),
    ("19", TrackingStatus::InTransit, None),
    ("41", TrackingStatus::InTransit, None),
    ("42", TrackingStatus::InTransit, None),
    ("80", TrackingStatus::InTransit, None),
    ("81", TrackingStatus::InTransit, None),
    ("82", TrackingStatus::InTransit, None),
    ("EF", TrackingStatus::InTransit, None),
    ("SF", TrackingStatus::InTransit, None),
    ("PC", TrackingStatus::InTransit, None),
    ("OF", TrackingStatus::OutForDelivery, None),
    ("01", TrackingStatus::Delivered, None),
    ("17", TrackingStatus::Delivered, None),
    ("43", TrackingStatus::Delivered, None),
    ("14", TrackingStatus::AvailableForPickup, None),
    ("16", TrackingStatus::AvailableForPickup, None),
    ("09", TrackingStatus::ReturnedToSender, None),
    ("21", TrackingStatus::ReturnedToSender, None),
    ("22", TrackingStatus::ReturnedToSender, None),
    ("23", TrackingStatus::ReturnedToSender, None),
    ("24", TrackingStatus::ReturnedToSender, None),
    ("25", TrackingStatus::ReturnedToSender, None),
    ("26", TrackingStatus::ReturnedToSender, None),
    ("27", TrackingStatus::ReturnedToSender, None),
    ("28", TrackingStatus::ReturnedToSender, None),
    ("29", TrackingStatus::ReturnedToSender, None),
    ("31", TrackingStatus::ReturnedToSender, None),
    ("02", TrackingStatus::Exception, Some(ExceptionKind::Other)),
    ("52", TrackingStatus::Exception, Some(ExceptionKind::Other)),
    ("53", TrackingStatus::Exception, Some(ExceptionKind::Other)),
    ("54", TrackingStatus::Exception, Some(ExceptionKind::Other)),
    ("55", TrackingStatus::Exception, Some(ExceptionKind::Other)),
    ("56", TrackingStatus::Exception, Some(ExceptionKind::Other)),
    ("30", TrackingStatus::Exception, Some(ExceptionKind::Other)),
    ("51", TrackingStatus::Exception, Some(ExceptionKind::Other)),
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
        "71",
        TrackingStatus::Exception,
        Some(ExceptionKind::Delayed),
    ),
    (
        "TD",
        TrackingStatus::Exception,
        Some(ExceptionKind::Delayed),
    ),
    ("11", TrackingStatus::Exception, Some(ExceptionKind::Lost)),
];

/// `statusCategory` → status; an exception's kind from the first of `texts` (status,
/// summary) that names one.
fn by_category(category: &str, texts: &[&str]) -> (TrackingStatus, Option<ExceptionKind>) {
    let category = category.trim();
    match CATEGORIES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(category))
    {
        Some((_, TrackingStatus::Exception)) => {
            (TrackingStatus::Exception, Some(exception_from_texts(texts)))
        }
        Some((_, status)) => (*status, None),
        None => (TrackingStatus::Unknown, None),
    }
}

pub fn normalize_event(code: &str, text: &str) -> (TrackingStatus, Option<ExceptionKind>) {
    match EVENT_CODES.iter().find(|(c, _, _)| *c == code) {
        Some((_, status, kind)) => (*status, *kind),
        // Not in our table: keep the code, read the words.
        None if mentions(text, "out for delivery") => (TrackingStatus::OutForDelivery, None),
        None if mentions(text, "deliver") && !mentions(text, "out for") => {
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

/// The shop's USPS business account, which pays for return labels.
#[derive(Debug, Clone)]
pub struct Payer {
    /// Customer Registration ID.
    pub crid: String,
    /// Mailer ID printed in the label's barcode.
    pub mid: String,
    pub manifest_mid: String,
    /// The Enterprise Payment System account charged for postage.
    pub eps_account: String,
}

pub struct Usps {
    http: CarrierHttp,
    client_id: String,
    client_secret: SecretString,
    tokens: TokenCache,
    payer: Option<Payer>,
    payment_tokens: TokenCache,
}

fn malformed(message: impl Into<String>) -> CarrierError {
    CarrierError::Malformed {
        carrier: "usps".into(),
        message: message.into(),
    }
}

/// One part of a multipart answer: its headers (lower-case names) and body.
struct Part<'a> {
    headers: Vec<(String, String)>,
    body: &'a [u8],
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits a multipart body on the boundary its first line declares.
fn parts(body: &[u8]) -> Vec<Part<'_>> {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let body = &body[start..];
    let line_end = find(body, b"\n").unwrap_or(body.len());
    let boundary = String::from_utf8_lossy(&body[..line_end])
        .trim()
        .to_string();
    if !boundary.starts_with("--") || boundary.len() < 3 {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut rest = &body[line_end.min(body.len())..];
    while let Some(end) = find(rest, boundary.as_bytes()) {
        let chunk = &rest[..end];
        rest = &rest[end + boundary.len()..];
        let split = find(chunk, b"\r\n\r\n")
            .map(|i| (i, 4))
            .or_else(|| find(chunk, b"\n\n").map(|i| (i, 2)));
        if let Some((at, gap)) = split {
            let headers = String::from_utf8_lossy(&chunk[..at])
                .lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
                .collect();
            found.push(Part {
                headers,
                body: &chunk[at + gap..],
            });
        }
        if rest.starts_with(b"--") {
            break;
        }
    }
    found
}

/// Reads a return-label answer: the metadata (JSON part, or the whole body when USPS
/// answers plain JSON with `labelImage`) and the label document.
pub fn read_label_answer(body: &[u8]) -> Result<(String, String, Vec<u8>), CarrierError> {
    let split = parts(body);
    let (metadata, encoded): (Value, Vec<u8>) = if split.is_empty() {
        let all: Value = parse_json("usps", body)?;
        let image = text(&all, "labelImage").ok_or_else(|| malformed("no labelImage"))?;
        (all, image.into_bytes())
    } else {
        let is_json = |p: &&Part| {
            p.headers
                .iter()
                .any(|(k, v)| k == "content-type" && v.contains("json"))
        };
        let json_part = split
            .iter()
            .find(is_json)
            .ok_or_else(|| malformed("no JSON part in the label answer"))?;
        let label_part = split
            .iter()
            .find(|p| !is_json(p))
            .ok_or_else(|| malformed("no label part in the label answer"))?;
        (
            parse_json("usps", json_part.body)?,
            label_part.body.to_vec(),
        )
    };
    let metadata = ["returnLabelMetadata", "labelMetadata"]
        .iter()
        .find_map(|k| metadata.get(*k).cloned())
        .unwrap_or(metadata);
    let tracking = text(&metadata, "trackingNumber")
        .ok_or_else(|| malformed("label answer without trackingNumber"))?;
    let postage = match metadata.get("postage") {
        Some(Value::Number(n)) => format!("{:.2}", n.as_f64().unwrap_or(0.0)),
        Some(Value::String(s)) => s.clone(),
        _ => "0.00".into(),
    };
    let compact: Vec<u8> = encoded
        .into_iter()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let document = base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|e| malformed(format!("label is not base64: {e}")))?;
    Ok((tracking, postage, document))
}

/// USPS wants first and last names apart; a one-word name is the last name.
fn names(full: &str) -> (String, String) {
    match full.trim().rsplit_once(' ') {
        Some((first, last)) => (first.trim().to_string(), last.to_string()),
        None => (String::new(), full.trim().to_string()),
    }
}

fn address(a: &Address) -> Value {
    let (first, last) = names(&a.name);
    let (zip, plus4) = a
        .postal_code
        .split_once('-')
        .map_or((a.postal_code.as_str(), None), |(z, p)| (z, Some(p)));
    json!({
        "firstName": first, "lastName": last,
        "streetAddress": a.line1, "secondaryAddress": a.line2,
        "city": a.city, "state": a.region, "ZIPCode": zip, "ZIPPlus4": plus4,
    })
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
            payer: None,
            payment_tokens: TokenCache::default(),
        })
    }

    /// Buys return labels on `payer`'s account; without one the adapter only tracks.
    pub fn with_payer(mut self, payer: Payer) -> Usps {
        self.payer = Some(payer);
        self
    }

    fn payer(&self) -> Result<&Payer, CarrierError> {
        self.payer.as_ref().ok_or_else(|| {
            self.not_supported("return labels without carriers.usps crid, mid and account_number")
        })
    }

    async fn payment_token(&self, token: &SecretString) -> Result<SecretString, CarrierError> {
        let payer = self.payer()?;
        self.payment_tokens
            .get(|| async {
                let role = |name: &str| {
                    json!({"roleName": name, "CRID": payer.crid, "MID": payer.mid,
                           "manifestMID": payer.manifest_mid, "accountType": "EPS",
                           "accountNumber": payer.eps_account})
                };
                let body = json!({"roles": [role("PAYER"), role("LABEL_OWNER")]});
                let url = self.http.url("/payments/v3/payment-authorization");
                let answer: Value = self
                    .http
                    .json(|c| c.post(&url).bearer_auth(token.expose_secret()).json(&body))
                    .await?;
                let value = text(&answer, "paymentAuthorizationToken")
                    .ok_or_else(|| malformed("no paymentAuthorizationToken"))?;
                // USPS does not say how long it lasts; the OAuth token's hours are safe.
                Ok((
                    SecretString::from(value),
                    std::time::Duration::from_secs(3600),
                ))
            })
            .await
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
        if answer.status == reqwest::StatusCode::UNAUTHORIZED {
            self.tokens.clear().await;
        }
        self.http.polled(&answer, number, read_tracking)
    }
}

/// `GET /tracking/v3/tracking/{number}`: the parcel, or an error.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer<'a> {
    #[serde(borrow, default)]
    tracking_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    status_category: Option<Text<'a>>,
    #[serde(borrow, default)]
    status: Option<Text<'a>>,
    #[serde(borrow, default)]
    status_summary: Option<Text<'a>>,
    #[serde(borrow, default)]
    expected_delivery_time_stamp: Option<Text<'a>>,
    #[serde(borrow, default)]
    tracking_events: Option<Vec<Event<'a>>>,
    #[serde(borrow, default)]
    error: Option<UspsError<'a>>,
}

#[derive(Deserialize)]
struct UspsError<'a> {
    #[serde(borrow, default)]
    code: Option<Text<'a>>,
    #[serde(borrow, default)]
    message: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow, default, rename = "eventType")]
    event_type: Option<Text<'a>>,
    #[serde(borrow, default, rename = "eventTimestamp")]
    timestamp: Option<Text<'a>>,
    #[serde(borrow, default, rename = "GMTTimestamp")]
    gmt_timestamp: Option<Text<'a>>,
    #[serde(borrow, default, rename = "eventCode")]
    code: Option<Text<'a>>,
    #[serde(borrow, default, rename = "eventCity")]
    city: Option<Text<'a>>,
    #[serde(borrow, default, rename = "eventState")]
    state: Option<Text<'a>>,
    #[serde(borrow, default, rename = "eventZIP")]
    zip: Option<Text<'a>>,
    #[serde(borrow, default, rename = "eventCountry")]
    country: Option<Text<'a>>,
}

fn scan(e: &Event<'_>) -> Scan {
    let raw_time = owned(&e.timestamp).unwrap_or_default();
    let description = owned(&e.event_type).unwrap_or_default();
    let code = owned(&e.code).unwrap_or_default();
    let (status, exception) = normalize_event(&code, &description);
    let location = Location {
        city: owned(&e.city),
        region: owned(&e.state),
        postal_code: owned(&e.zip),
        // USPS leaves the country empty for scans inside the US.
        country: owned(&e.country).or_else(|| Some("US".into())),
        lat: None,
        lon: None,
    };
    // The GMT time, when given, needs no zone; the local one is converted from the place.
    let at = owned(&e.gmt_timestamp)
        .and_then(|t| parse_time(&t, &Location::default()))
        .or_else(|| parse_time(&raw_time, &location));
    Scan {
        at,
        raw_time,
        raw_code: code,
        description,
        location,
        status,
        exception,
    }
}

/// Reads one tracking answer (`GET /tracking/v3/tracking/{number}?expand=DETAIL`); an
/// error answer reads as the number asked about, unknown, with USPS's words.
pub fn read_tracking(body: &[u8], asked: &Asked) -> Result<Vec<TrackingUpdate>, CarrierError> {
    let answer: Answer = parse_borrowed("usps", body)?;
    if let Some(error) = &answer.error {
        let said = said(&error.code, &error.message);
        return error_answer("usps", asked, &said);
    }
    if answer.tracking_number.is_none() && answer.tracking_events.is_none() {
        return Err(malformed("neither a parcel nor an error"));
    }
    let events = settle(
        "usps",
        answer.tracking_events.iter().flatten().map(scan).collect(),
        None,
        asked.received_at,
    );
    let summary = [
        answer.status.as_deref().unwrap_or(""),
        answer.status_summary.as_deref().unwrap_or(""),
    ];
    let category = by_category(answer.status_category.as_deref().unwrap_or(""), &summary);
    let latest = events.last().map(|e| (e.status, e.exception));
    let (status, exception) = match (category, latest) {
        ((TrackingStatus::Unknown, _), latest) => latest.unwrap_or((TrackingStatus::Unknown, None)),
        // "Alert" covers returns, refusals and bad addresses alike; the latest scan's
        // code says which. "In Transit, Arriving Late" is moving, its latest scan a delay.
        ((TrackingStatus::Exception | TrackingStatus::InTransit, _), Some(scan))
            if scan.0 == TrackingStatus::ReturnedToSender
                || (scan.0 == TrackingStatus::Exception
                    && scan.1 != Some(ExceptionKind::Other)) =>
        {
            scan
        }
        (read, _) => read,
    };
    Ok(vec![TrackingUpdate {
        carrier: "usps".into(),
        tracking_number: asked.named(answer.tracking_number.as_deref()),
        status,
        exception: refine_exception(exception, &events),
        events,
        estimated_delivery: owned(&answer.expected_delivery_time_stamp)
            .and_then(|t| parse_time(&t, &Location::default())),
        message: None,
    }])
}

#[async_trait]
impl Carrier for Usps {
    fn code(&self) -> &'static str {
        "usps"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            label_formats: if self.payer.is_some() {
                vec![LabelFormat::Pdf, LabelFormat::Zpl]
            } else {
                vec![]
            },
            max_batch: 1,
            webhooks: false,
            rate_limit_per_second: None,
        }
    }

    async fn create_return_label(&self, request: &LabelRequest) -> Result<Label, CarrierError> {
        self.payer()?;
        if request.from.country != "US" || request.to.country != "US" {
            return Err(CarrierError::Rejected {
                carrier: "usps".into(),
                message: "USPS return labels are for addresses in the United States only".into(),
            });
        }
        let image_type = match request.format {
            LabelFormat::Zpl => "ZPL203DPI",
            _ => "PDF",
        };
        let body = json!({
            "imageInfo": {"imageType": image_type, "labelType": "4X6LABEL"},
            "toAddress": address(&request.to),
            "fromAddress": address(&request.from),
            "packageDescription": {
                "mailClass": "USPS_GROUND_ADVANTAGE", "rateIndicator": "SP",
                "weightUOM": "lb", "weight": request.weight_lb(2.0), "dimensionsUOM": "in",
                "length": 12, "width": 9, "height": 4,
                "processingCategory": "MACHINABLE", "destinationEntryFacilityType": "NONE",
                "customerReference": [{"referenceNumber": request.rma_number, "printReferenceNumber": true}],
            },
        });
        let token = self.token().await?;
        let payment = self.payment_token(&token).await?;
        let url = self.http.url("/labels/v3/return-label");
        let answer = self
            .http
            .send(|c| {
                c.post(&url)
                    .bearer_auth(token.expose_secret())
                    .header("X-Payment-Authorization-Token", payment.expose_secret())
                    .json(&body)
            })
            .await?;
        if answer.status == reqwest::StatusCode::UNAUTHORIZED {
            self.tokens.clear().await;
            self.payment_tokens.clear().await;
        }
        self.http.check(&answer)?;
        let (tracking, postage, document) = read_label_answer(&answer.body)?;
        let format = match request.format {
            LabelFormat::Zpl => LabelFormat::Zpl,
            _ => LabelFormat::Pdf,
        };
        Ok(Label {
            carrier: "usps".into(),
            reference: tracking.clone(),
            tracking_number: tracking,
            service: "usps_ground_advantage_return".into(),
            cost: postage,
            currency: "USD".into(),
            documents: vec![(format, document)],
            created_at: Utc::now(),
        })
    }

    async fn void_label(&self, label: &LabelRef) -> Result<(), CarrierError> {
        let token = self.token().await?;
        let payment = self.payment_token(&token).await?;
        let url = self
            .http
            .url(&format!("/labels/v3/label/{}", label.tracking_number));
        let answer = self
            .http
            .send(|c| {
                c.delete(&url)
                    .bearer_auth(token.expose_secret())
                    .header("X-Payment-Authorization-Token", payment.expose_secret())
            })
            .await?;
        self.http.check(&answer)
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

    /// Each event code is in the table once, and reads as its row says.
    #[test]
    fn every_event_code_row_reads_and_none_is_twice() {
        let mut seen = std::collections::BTreeSet::new();
        for (code, status, kind) in EVENT_CODES {
            assert!(seen.insert(*code), "{code} twice");
            assert_eq!(normalize_event(code, ""), (*status, *kind), "{code}");
        }
    }

    #[test]
    fn categories_and_event_codes() {
        use ExceptionKind as X;
        use TrackingStatus as S;
        assert_eq!(by_category("Delivered", &[]), (S::Delivered, None));
        assert_eq!(by_category("Pre-Shipment", &[]), (S::PreTransit, None));
        assert_eq!(
            by_category("Alert", &["Delivery refused"]),
            (S::Exception, Some(X::Refused))
        );
        assert_eq!(by_category("Something New", &[]), (S::Unknown, None));
        let table = [
            ("01", "Delivered, In/At Mailbox", S::Delivered, None),
            ("03", "USPS in possession of item", S::InTransit, None),
            ("07", "Arrived at Post Office", S::InTransit, None),
            ("OF", "Out for Delivery", S::OutForDelivery, None),
            (
                "MA",
                "Shipping Label Created, USPS Awaiting Item",
                S::PreTransit,
                None,
            ),
            (
                "TD",
                "In Transit, Arriving Late",
                S::Exception,
                Some(X::Delayed),
            ),
            (
                "29",
                "Return to Sender Processed",
                S::ReturnedToSender,
                None,
            ),
            (
                "ZZ",
                "Out for Delivery, Expected Delivery by 9:00pm",
                S::OutForDelivery,
                None,
            ),
            ("16", "Available for Pickup", S::AvailableForPickup, None),
            ("04", "Refused", S::Exception, Some(X::Refused)),
            ("21", "No Such Number", S::ReturnedToSender, None),
            (
                "05",
                "Undeliverable as Addressed",
                S::Exception,
                Some(X::Address),
            ),
            (
                "71",
                "Rescheduled to Next Delivery Day",
                S::Exception,
                Some(X::Delayed),
            ),
            (
                "52",
                "Notice Left (No Authorized Recipient Available)",
                S::Exception,
                Some(X::Other),
            ),
            ("09", "Return to Sender", S::ReturnedToSender, None),
            ("ZY", "Departed USPS Regional Facility", S::InTransit, None),
        ];
        for (code, text, status, kind) in table {
            assert_eq!(normalize_event(code, text), (status, kind), "{code}");
        }
    }
}
