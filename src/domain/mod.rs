//! Pure returns rules: money, RMA numbers and lifecycle, the return policy. Nothing in
//! here does I/O or reads the clock; callers pass `now` in.

pub mod barcode;
pub mod customer_news;
pub mod exchange;
pub mod money;
pub mod order;
pub mod order_number;
pub mod policy;
pub mod privacy;
pub mod refund;
pub mod rma_number;
pub mod rma_status;
pub mod spreadsheet;
pub mod throttle;
pub mod routing;
pub mod tracking;
pub mod vocab;

pub use money::{Currency, Money, MoneyError};
pub use rma_number::RmaNumber;
pub use rma_status::{transition, IllegalTransition, RmaEvent, RmaStatus};
pub use vocab::{Condition, Disposition, LabelPayer, Resolution, ReturnReason, Role};

/// A text that is not one of a vocabulary's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not one of: {expected}")]
pub struct UnknownValue {
    pub value: String,
    pub expected: String,
}

/// One problem with one field of a request, named by its JSON path (`lines[0].quantity`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Equal secrets, compared in constant time: every byte is looked at whatever the
/// first difference, so timing does not tell how much of a guess was right.
pub fn secret_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
