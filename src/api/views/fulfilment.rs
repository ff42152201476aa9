//! Replacements to send, and where they went.

use serde::Serialize;
use utoipa::ToSchema;

use super::{opt_ts, ts};
use crate::db::fulfilments::{FulfilmentLine, ListedFulfilment};
use crate::domain::FulfilmentStatus;

/// A replacement the warehouse sends: an exchange that passed inspection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Fulfilment {
    pub id: String,
    pub status: FulfilmentStatus,
    pub rma_number: String,
    pub order_number: String,
    pub lines: Vec<FulfilmentLine>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub shipped_at: Option<String>,
    /// The outbound parcel, once shipped: tracked like any of the order's parcels.
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FulfilmentList {
    pub items: Vec<Fulfilment>,
    /// Pass it as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

impl Fulfilment {
    pub fn new(f: &ListedFulfilment) -> Fulfilment {
        let row = &f.fulfilment;
        Fulfilment {
            id: row.id.clone(),
            status: row.status.parse().unwrap_or(FulfilmentStatus::ToShip),
            rma_number: f.rma_number.clone(),
            order_number: f.order_number.clone(),
            lines: row.lines(),
            created_at: ts(row.created_at),
            shipped_at: opt_ts(row.shipped_at),
            carrier: f.parcel.as_ref().map(|(c, _)| c.clone()),
            tracking_number: f.parcel.as_ref().map(|(_, t)| t.clone()),
        }
    }
}
