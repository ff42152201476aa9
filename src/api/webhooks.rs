//! `POST /api/v1/webhooks/{carrier}`: tracking a carrier pushes. The carrier's adapter
//! checks the signature over the exact bytes (in constant time) before anything is
//! read; a bad or missing signature is a 401 and nothing is stored.

use actix_web::{web, HttpRequest, HttpResponse};
use backhaul_carriers::CarrierError;

use super::docs::WebhookErrors;
use super::json::RawBody;
use crate::api::state::AppState;
use crate::error::AppError;
use crate::tracking;

/// Tracking pushed by a carrier
///
/// Its signature is checked before anything is read (e.g. EasyPost: X-Hmac-Signature).
/// Roles: the carrier's signature (no bearer token).
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{carrier}",
    security(()),
    params(("carrier" = String, Path, description = "The carrier's code, e.g. easypost")),
    request_body(content = Object, description = "The carrier's own tracking event", content_type = "application/json"),
    responses(
        (status = 200, description = "What the delivery changed; unknown numbers are kept as unlinked parcels", body = crate::tracking::PushReport),
        WebhookErrors,
    )
)]
#[tracing::instrument(skip_all, fields(carrier))]
pub async fn receive(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: RawBody,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    tracing::Span::current().record("carrier", code.as_str());
    let carrier = state
        .carriers
        .get(&code)
        .ok_or_else(|| AppError::not_found(format!("carrier {code:?}")))?;
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            Some((
                name.as_str().to_lowercase(),
                value.to_str().ok()?.to_string(),
            ))
        })
        .collect();
    let updates = carrier
        .parse_webhook(&headers, &body.bytes)
        .map_err(|e| match e {
            CarrierError::Unauthorized { .. } => {
                AppError::Unauthorized("the webhook signature is missing or does not match".into())
            }
            CarrierError::NotSupported { .. } => {
                AppError::not_found(format!("webhooks for carrier {code:?}"))
            }
            CarrierError::Malformed { message, .. } => AppError::invalid("body", message),
            other => AppError::Carrier(other),
        })?;
    let report = tracking::receive_pushed(&state, &code, updates).await?;
    if !report.unknown.is_empty() {
        tracing::info!(
            unknown = report.unknown.len(),
            "webhook named parcels we do not track; kept as unlinked"
        );
    }
    Ok(HttpResponse::Ok().json(report))
}
