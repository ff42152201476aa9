//! Refund triggers as finance sees them, and boxes scanned at the warehouse.

use serde::Serialize;
use utoipa::ToSchema;

use super::{opt_ts, ts};
use crate::db::refunds::TriggerRow;
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
    pub fn new(t: &TriggerRow, order_number: &str, rma_number: Option<&str>) -> RefundTrigger {
        RefundTrigger {
            brief: RefundTriggerBrief::new(t),
            order_number: order_number.to_string(),
            rma_number: rma_number.map(str::to_string),
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
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceivedParcelList {
    pub items: Vec<ReceivedParcel>,
}
