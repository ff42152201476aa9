//! Refund triggers as finance sees them, and boxes scanned at the warehouse.

use serde::Serialize;
use utoipa::ToSchema;

use super::{opt_ts, ts};
use crate::db::refunds::ListedTrigger;
use crate::inspection::RefundTriggerBrief;
use crate::receiving::ReceivedParcel;
use crate::refunds::Calculation;

/// A refund trigger with what it is for and where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefundTrigger {
    #[serde(flatten)]
    pub brief: RefundTriggerBrief,
    pub order_number: String,
    pub rma_number: Option<String>,
    /// The RMA's resolution; null for an incident's trigger.
    #[schema(value_type = Option<crate::domain::Resolution>)]
    pub resolution: Option<String>,
    pub incident_id: Option<String>,
    /// The refund maths as finance's email shows it (an inspection's lines, or an
    /// incident's parcel value); null only if the stored maths cannot be read.
    #[schema(required = true)]
    pub calculation: Option<Calculation>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub emailed_at: Option<String>,
    #[schema(format = DateTime)]
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
    /// The same as `id`: give it to the payment provider so a refund is made once.
    pub idempotency_key: String,
}

impl RefundTrigger {
    pub fn new(listed: &ListedTrigger) -> RefundTrigger {
        let t = &listed.trigger;
        RefundTrigger {
            brief: RefundTriggerBrief::new(t),
            order_number: listed.order_number.clone(),
            rma_number: listed.rma_number.clone(),
            resolution: listed.resolution.clone(),
            incident_id: t.incident_id.clone(),
            calculation: Calculation::read(&t.calculation),
            created_at: ts(t.created_at),
            emailed_at: opt_ts(t.emailed_at),
            acknowledged_at: opt_ts(t.acknowledged_at),
            acknowledged_by: t.acknowledged_by.clone(),
            idempotency_key: t.id.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefundList {
    pub items: Vec<RefundTrigger>,
    /// Give it as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceivedParcelList {
    pub items: Vec<ReceivedParcel>,
    /// Give it as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}
