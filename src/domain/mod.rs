//! Pure returns rules: money, RMA numbers and lifecycle, the return policy. Nothing in
//! here does I/O or reads the clock; callers pass `now` in.

pub mod barcode;
pub mod catalog;
pub mod customer_news;
pub mod display;
pub mod exchange;
pub mod money;
pub mod note;
pub mod order;
pub mod order_number;
pub mod policy;
pub mod price_difference;
pub mod privacy;
pub mod refund;
pub mod repair;
pub mod request_rate;
pub mod revenue_kept;
pub mod rma_number;
pub mod rma_status;
pub mod routing;
pub mod schema;
pub mod spreadsheet;
pub mod store_credit;
pub mod throttle;
pub mod tracking;
pub mod vocab;
pub mod whole_number;

pub use money::{Currency, Money, MoneyError};
pub use rma_number::RmaNumber;
pub use rma_status::{transition, IllegalTransition, RmaEvent, RmaStatus};
pub use vocab::{
    Condition, Disposition, FulfilmentStatus, LabelPayer, OutboxStatus, RefundMethod, Resolution,
    ReturnReason, Role, TriggerStatus,
};

/// A text that is not one of a vocabulary's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not one of: {expected}")]
pub struct UnknownValue {
    pub value: String,
    pub expected: String,
}

/// One problem with one field of a request, named by its JSON path (`lines[0].quantity`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Why input was refused: the fields that are malformed, and the well-formed ones that
/// do not fit the stored data or each other.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputErrors {
    pub malformed: Vec<FieldError>,
    pub unfit: Vec<FieldError>,
}

impl InputErrors {
    pub fn is_empty(&self) -> bool {
        self.malformed.is_empty() && self.unfit.is_empty()
    }

    /// Every failing field, the malformed first.
    pub fn all(&self) -> impl Iterator<Item = &FieldError> {
        self.malformed.iter().chain(&self.unfit)
    }
}

/// A calendar day as a filter takes it (`2026-11-23`), or why `text` is not one,
/// named by `field`.
pub fn read_day(field: &str, text: &str) -> Result<chrono::NaiveDate, FieldError> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        let shown = crate::telemetry::bounded(text, 40);
        FieldError {
            field: field.to_string(),
            message: format!("{shown:?} is not a date such as 2026-11-23"),
        }
    })
}

/// Equal secrets, compared in constant time: every byte is looked at whatever the
/// first difference, so timing does not tell how much of a guess was right.
pub fn secret_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// Field errors one answer lists at most; the rest are counted in a last entry.
pub const MAX_FIELD_ERRORS: usize = 50;

/// The first [`MAX_FIELD_ERRORS`] of `errors`, and "and N more" when there are more.
pub fn first_field_errors(errors: &[FieldError]) -> Vec<FieldError> {
    let mut shown: Vec<FieldError> = errors.iter().take(MAX_FIELD_ERRORS).cloned().collect();
    if errors.len() > MAX_FIELD_ERRORS {
        shown.push(FieldError {
            field: String::new(),
            message: format!("and {} more", errors.len() - MAX_FIELD_ERRORS),
        });
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_error_lists_are_cut_with_a_count() {
        let errors: Vec<FieldError> = (0..10_000)
            .map(|i| FieldError {
                field: format!("lines[{i}]"),
                message: "bad".into(),
            })
            .collect();
        let shown = first_field_errors(&errors);
        assert_eq!(shown.len(), MAX_FIELD_ERRORS + 1);
        assert_eq!(shown[MAX_FIELD_ERRORS].message, "and 9950 more");
        assert_eq!(first_field_errors(&errors[..3]).len(), 3);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(secret_eq(b"abc", b"abc"));
        assert!(!secret_eq(b"abc", b"abd"));
        assert!(!secret_eq(b"abc", b"abcd"));
    }
}
