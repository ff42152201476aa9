//! The one place where errors become HTTP: `application/problem+json` (RFC 9457) with a
//! stable `type`, a `title`, the `status`, a `detail`, and for validation the failing
//! fields. Server-side failures are logged with their cause and answered without it.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::db::DbError;
use crate::domain::policy::Decision;
use crate::domain::FieldError;
use crate::error::AppError;

/// An error answer (RFC 9457 problem details).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A stable path per kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// For an invalid request: each failing field by its JSON path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// When the return policy refuses: its decision, with the rules that refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

impl AppError {
    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            AppError::Validation(_) => ("validation", "Invalid request"),
            AppError::DoesNotFit(_) => ("does-not-fit", "Request does not fit the data"),
            AppError::UnsupportedContent(_) => ("unsupported-content", "Unsupported content"),
            AppError::NotFound { .. } => ("not-found", "Not found"),
            AppError::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            AppError::IllegalTransition(_) => ("illegal-transition", "Illegal status change"),
            AppError::Conflict(_) => ("conflict", "Conflict"),
            AppError::PolicyRejected(_) => ("policy-rejected", "Return not allowed by policy"),
            AppError::IdempotencyMismatch => ("idempotency-key-reused", "Idempotency-Key reused"),
            AppError::Unauthorized(_) => ("unauthorized", "Authentication required"),
            AppError::Forbidden(_) => ("forbidden", "Not allowed"),
            AppError::RateLimited { .. } => ("rate-limited", "Too many requests"),
            AppError::PayloadTooLarge { .. } => ("payload-too-large", "Request body too large"),
            AppError::Carrier(_) => ("carrier-failed", "The carrier could not do it"),
            AppError::NotConfigured(_) => ("not-configured", "Not configured"),
            AppError::Db(DbError::Pool(_)) => ("unavailable", "Service busy"),
            AppError::Db(_) | AppError::Internal(_) => ("internal", "Internal error"),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Validation(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::IllegalTransition(_) | AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::DoesNotFit(_)
            | AppError::PolicyRejected(_)
            | AppError::IdempotencyMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedContent(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Carrier(_) => StatusCode::BAD_GATEWAY,
            AppError::Db(DbError::Pool(_)) | AppError::NotConfigured(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (slug, title) = self.slug_and_title();
        // Our own failures are logged with their cause and answered without it; a
        // carrier's failure is the carrier's message, which the caller needs.
        let detail = match self {
            AppError::Db(_) | AppError::Internal(_) => {
                let cause = crate::telemetry::bounded(&format!("{self:?}"), 500);
                tracing::error!(error = %self, cause, "request failed");
                "the service could not complete the request; it has been logged".to_string()
            }
            AppError::Carrier(e) => {
                tracing::warn!(error = %e, "carrier call failed");
                self.to_string()
            }
            _ => self.to_string(),
        };
        let body = Problem {
            kind: format!("/problems/{slug}"),
            title,
            status: status.as_u16(),
            detail,
            errors: self.field_errors().map(crate::domain::first_field_errors),
            decision: match self {
                AppError::PolicyRejected(decision) => Some(decision.as_ref().clone()),
                _ => None,
            },
        };
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        match self {
            AppError::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            AppError::MethodNotAllowed { allowed } => {
                response.insert_header((header::ALLOW, allowed.as_str()));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&body).unwrap_or_default())
    }
}

/// Answers requests for routes that do not exist.
impl actix_web::Responder for AppError {
    type Body = actix_web::body::BoxBody;
    fn respond_to(self, _req: &actix_web::HttpRequest) -> HttpResponse {
        self.error_response()
    }
}

/// Turns actix's own extractor errors (bad path or query parameters) into problems.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    AppError::invalid("query", err.to_string()).into()
}

pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    AppError::invalid("path", err.to_string()).into()
}
