//! Everything carrier-specific in Backhaul: the [`Carrier`] trait every adapter
//! implements, the normalized tracking model ([`tracking`]), label rendering
//! ([`label`]) and the adapters. `sandbox` is offline and the default, so a fresh
//! checkout runs the whole flow: it renders real labels and simulates tracking.
//!
//! ```
//! use backhaul_carriers::{Carrier, sandbox::Sandbox};
//! let sandbox = Sandbox::new();
//! assert_eq!(sandbox.code(), "sandbox");
//! assert!(sandbox.capabilities().max_batch >= 1);
//! ```

pub mod dhl;
pub mod easypost;
pub mod fedex;
pub mod http;
pub mod label;
pub mod local_time;
pub mod oauth;
pub mod pdf;
pub mod sandbox;
pub mod script_font;
pub mod shippo;
pub mod tracking;
pub mod ups;
pub mod usps;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use label::LabelFormat;
pub use tracking::{Asked, ExceptionKind, Location, TrackingEvent, TrackingStatus, TrackingUpdate};

/// The carriers whose raw tracking answers can be read on their own, no network.
pub const TRACKING_READERS: [&str; 7] = [
    "ups", "fedex", "usps", "dhl", "easypost", "shippo", "sandbox",
];

/// One raw tracking answer of `carrier`'s read with that adapter's own reader: an
/// update per parcel the answer holds. Unknown carriers and unreadable answers are
/// errors naming the carrier; an answer saying "not found" is an `unknown` update with
/// the carrier's words.
pub fn read_tracking_answer(
    carrier: &str,
    body: &[u8],
    asked: &Asked,
) -> Result<Vec<TrackingUpdate>, CarrierError> {
    match carrier {
        "ups" => ups::read_tracking(body, asked),
        "fedex" => fedex::read_tracking(body, asked),
        "usps" => usps::read_tracking(body, asked),
        "dhl" => dhl::read_tracking(body, asked),
        "easypost" => easypost::read_tracking(body, asked),
        "shippo" => shippo::read_tracking(body, asked),
        "sandbox" => sandbox::read_tracking(body, asked),
        other => Err(CarrierError::NotSupported {
            carrier: other.to_string(),
            what: format!(
                "reading tracking answers (known: {})",
                TRACKING_READERS.join(", ")
            ),
        }),
    }
}

/// A postal address as carriers need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    /// ISO 3166 alpha-2.
    pub country: String,
    /// For the carrier to call about the parcel; printed on the label.
    #[serde(default)]
    pub phone: Option<String>,
}

/// A return label to buy: from the customer to the warehouse.
#[derive(Debug, Clone)]
pub struct LabelRequest {
    pub rma_number: String,
    pub from: Address,
    pub to: Address,
    pub format: LabelFormat,
    /// The currency the shop accounts the label in (the order's).
    pub currency: String,
    /// What the policy estimated the label costs, as a decimal in `currency`;
    /// simulated carriers charge this.
    pub estimated_cost: String,
    /// The day the parcel is expected to be handed over (the label's ship date).
    pub ship_date: NaiveDate,
    /// What goes back weighs this, when the order's lines carry weights; carriers
    /// are told a default otherwise.
    pub weight_grams: Option<u32>,
}

impl LabelRequest {
    /// The weight in `unit`s per kilogram (1 for kg, 2.2046… for lb), rounded up to
    /// a tenth, or `unknown` when the lines carry no weight.
    fn weight_in(&self, per_kg: f64, unknown: f64) -> f64 {
        self.weight_grams.map_or(unknown, |grams| {
            ((f64::from(grams) / 1000.0 * per_kg * 10.0).ceil() / 10.0).max(0.1)
        })
    }

    pub fn weight_kg(&self, unknown: f64) -> f64 {
        self.weight_in(1.0, unknown)
    }

    pub fn weight_lb(&self, unknown: f64) -> f64 {
        self.weight_in(2.204_622_621_8, unknown)
    }

    pub fn weight_oz(&self, unknown: f64) -> f64 {
        self.weight_in(35.273_961_95, unknown)
    }
}

/// A bought label.
#[derive(Debug, Clone)]
pub struct Label {
    pub carrier: String,
    pub tracking_number: String,
    /// The carrier's own id for the label or shipment, needed to void it.
    pub reference: String,
    pub service: String,
    /// What the carrier charged, as the decimal it sent, in `currency`.
    pub cost: String,
    pub currency: String,
    /// The label in every format the carrier delivered; the requested one first.
    pub documents: Vec<(LabelFormat, Vec<u8>)>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Capabilities {
    pub label_formats: Vec<LabelFormat>,
    /// Most tracking numbers one `track` call takes.
    pub max_batch: usize,
    pub webhooks: bool,
    /// Calls per second the carrier allows, if it limits them.
    pub rate_limit_per_second: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CarrierError {
    /// Worth retrying later: timeouts, 429, 5xx.
    #[error("{carrier} is unavailable: {message}")]
    Unavailable { carrier: String, message: String },
    /// The carrier refused the request; its own words are in `message`.
    #[error("{carrier} refused: {message}")]
    Rejected { carrier: String, message: String },
    #[error("{carrier} rejected our credentials")]
    Unauthorized { carrier: String },
    #[error("{carrier} answered something we cannot read: {message}")]
    Malformed { carrier: String, message: String },
    #[error("{carrier} does not support {what}")]
    NotSupported { carrier: String, what: String },
    #[error("cannot render the label: {0}")]
    Label(String),
}

/// One carrier's API, as Backhaul uses it.
#[async_trait]
pub trait Carrier: Send + Sync {
    /// Short name used in URLs, configuration and storage (`sandbox`, `ups`, ...).
    fn code(&self) -> &'static str;
    fn capabilities(&self) -> Capabilities;
    /// Buys a return label. Adapters that only track keep this default.
    async fn create_return_label(&self, request: &LabelRequest) -> Result<Label, CarrierError> {
        let _ = request;
        Err(self.not_supported("return labels yet"))
    }

    /// Cancels an unused label.
    async fn void_label(&self, label: &LabelRef) -> Result<(), CarrierError> {
        let _ = label;
        Err(self.not_supported("voiding labels yet"))
    }

    fn not_supported(&self, what: &str) -> CarrierError {
        CarrierError::NotSupported {
            carrier: self.code().into(),
            what: what.into(),
        }
    }

    /// Tracks up to `capabilities().max_batch` parcels. Unknown numbers come back with
    /// status `unknown`, never as an error.
    async fn track(&self, tracking_numbers: &[String])
        -> Result<Vec<TrackingUpdate>, CarrierError>;

    /// Verifies a pushed tracking update's signature, then reads it. `headers` are
    /// (lower-case name, value) pairs; `body` is the raw bytes the signature covers.
    fn parse_webhook(
        &self,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Vec<TrackingUpdate>, CarrierError> {
        let _ = (headers, body);
        Err(self.not_supported("webhooks"))
    }
}

/// Tracks numbers one call each, in order, for carriers without batch tracking.
pub(crate) async fn one_by_one<'a, F, Fut>(
    numbers: &'a [String],
    track: F,
) -> Result<Vec<TrackingUpdate>, CarrierError>
where
    F: Fn(&'a str) -> Fut,
    Fut: std::future::Future<Output = Result<TrackingUpdate, CarrierError>>,
{
    let mut updates = Vec::with_capacity(numbers.len());
    for number in numbers {
        updates.push(track(number).await?);
    }
    Ok(updates)
}

/// The mod-10 check digit with weights 3 and 1 from the right (the digit next to the
/// check digit weighs 3), as USPS IMpb, FedEx Ground and the sandbox's numbers use it.
///
/// ```
/// // USPS IMpb 9400 1112 0108 0805 4830 16: the last digit checks the others.
/// assert_eq!(backhaul_carriers::mod10_check_digit("940011120108080548301"), 6);
/// ```
pub fn mod10_check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { d })
        .sum();
    (10 - sum % 10) % 10
}

/// What identifies a bought label to its carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelRef {
    pub tracking_number: String,
    pub reference: String,
}

/// The configured carriers by code.
#[derive(Clone, Default)]
pub struct Carriers {
    by_code: BTreeMap<&'static str, Arc<dyn Carrier>>,
}

impl Carriers {
    /// The carriers a fresh installation has: the offline sandbox, on `now`'s time,
    /// optionally with every label forced into one scenario.
    pub fn with_sandbox(sandbox: sandbox::Sandbox) -> Carriers {
        let mut carriers = Carriers::default();
        carriers.add(Arc::new(sandbox));
        carriers
    }

    pub fn add(&mut self, carrier: Arc<dyn Carrier>) {
        self.by_code.insert(carrier.code(), carrier);
    }

    pub fn get(&self, code: &str) -> Option<Arc<dyn Carrier>> {
        self.by_code.get(code).cloned()
    }

    pub fn codes(&self) -> Vec<&'static str> {
        self.by_code.keys().copied().collect()
    }
}
