//! The service's error type. Domain and storage errors convert into it; `api::problem`
//! turns it into an HTTP problem response in one place.

use crate::db::DbError;
use crate::domain::policy::Decision;
use crate::domain::{FieldError, IllegalTransition};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
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
}
