//! The service's error type. Domain and storage errors convert into it; `api::problem`
//! turns it into an HTTP problem response in one place.

use crate::db::DbError;
use crate::domain::policy::Decision;
use crate::domain::{FieldError, IllegalTransition, InputErrors};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Fields that break the API document (or the form's rules): a 400.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// Each field is well-formed, but they do not fit together or with what is stored
    /// (a line the order does not have, a range that ends before it starts): a 422.
    #[error("the request does not fit the data")]
    DoesNotFit(Vec<FieldError>),
    /// The body's bytes are not of a kind this takes (a photo that is no image): a
    /// 415, which RFC 9110 allows for what inspecting the data shows.
    #[error("the content is not of a kind this takes")]
    UnsupportedContent(Vec<FieldError>),
    #[error("{what} not found")]
    NotFound { what: String },
    /// The path exists but does not answer this method; `allowed` lists those it does.
    #[error("this path answers only {allowed}")]
    MethodNotAllowed { allowed: String },
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
    #[error("{0}")]
    Conflict(String),
    #[error("the return policy does not allow this return")]
    PolicyRejected(Box<Decision>),
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyMismatch,
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("too many requests; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error(transparent)]
    Carrier(#[from] backhaul_carriers::CarrierError),
    /// The service lacks a setting this request needs; the message names it.
    #[error("{0}")]
    NotConfigured(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Internal(String),
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::Db(DbError::Query(e))
    }
}

/// Malformed input is a 400 (naming the unfit fields too); input that is only unfit
/// is a 422.
impl From<InputErrors> for AppError {
    fn from(e: InputErrors) -> AppError {
        match e.malformed.is_empty() {
            true => AppError::DoesNotFit(e.unfit),
            false => AppError::Validation([e.malformed, e.unfit].concat()),
        }
    }
}

impl AppError {
    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::NotFound { what: what.into() }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn does_not_fit(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::DoesNotFit(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// Nothing wrong, or the fields that are: when some are malformed, a 400 names
    /// them and those that do not fit; otherwise the ones that do not fit, a 422.
    pub fn from_fields(malformed: Vec<FieldError>, unfit: Vec<FieldError>) -> Result<(), AppError> {
        let errors = InputErrors { malformed, unfit };
        match errors.is_empty() {
            true => Ok(()),
            false => Err(errors.into()),
        }
    }

    /// The failing fields, whether malformed or not fitting the data.
    pub fn field_errors(&self) -> Option<&[FieldError]> {
        match self {
            AppError::Validation(errors)
            | AppError::DoesNotFit(errors)
            | AppError::UnsupportedContent(errors) => Some(errors),
            _ => None,
        }
    }
}
