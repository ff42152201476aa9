//! The JSON answers of the API, one module per resource, each a typed struct built from
//! storage rows. The OpenAPI document is generated from these types, and the pages read
//! the same ones. Money goes out as the currency's decimal string, times as RFC 3339
//! UTC.

mod catalog;
mod fulfilment;
mod incident;
mod order;
mod refund;
mod rma;

use chrono::NaiveDateTime;

pub use crate::domain::display::{amount, time as ts};
pub use catalog::{CatalogVariant, ProductGroup};
pub use fulfilment::{Fulfilment, FulfilmentList};
pub use incident::{
    Incident, IncidentList, IncidentResolution, IncidentStatus, Parcel, ParcelScan,
};
pub use order::{mask_customer, Customer, LookupAccess, LookupResult, Order, OrderLine, Shipment};
pub use refund::{ReceivedParcelList, RefundList, RefundTrigger};
pub use rma::{Event, EventList, Quote, ReturnTo, Rma, RmaList, RmaSummary};

pub fn opt_ts(t: Option<NaiveDateTime>) -> Option<String> {
    t.map(ts)
}

/// `GET /healthz`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
}

/// `GET /readyz`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Ready {
    /// Always `ready`.
    pub status: &'static str,
    /// Always `ok`.
    pub database: &'static str,
}
