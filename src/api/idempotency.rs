//! `Idempotency-Key` on POSTs: the work and its stored response commit together, so
//! the same key and body replay the first response and the same key with another body
//! is a 422. Without a key the work simply runs in one transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::api::state::AppState;
use crate::auth::Principal;
use crate::db::{idempotency, DbConnection};
use crate::error::AppError;

/// The header, as the API document shows it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// Replays the first response for the same key and body; another body with the
    /// same key is a 422.
    #[param(
        rename = "Idempotency-Key",
        min_length = 1,
        max_length = 255,
        pattern = "^[!-~]+$"
    )]
    #[allow(dead_code)]
    key: Option<String>,
}

/// What a write handler produces: a status and the answer, sent as JSON.
pub type Reply<T> = (StatusCode, T);

fn json_of<T: serde::Serialize>(answer: &T) -> Result<String, AppError> {
    serde_json::to_string(answer).map_err(|e| AppError::Internal(e.to_string()))
}

enum Outcome {
    Fresh(StatusCode, String),
    Replayed(u16, String),
}

fn key_of(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("").trim();
    let visible = key.bytes().all(|b| b.is_ascii_graphic());
    if key.is_empty() || key.len() > 255 || !visible {
        return Err(AppError::invalid(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(Some(key.to_string()))
}

fn respond(status: u16, body: String, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.content_type("application/json");
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.body(body)
}

/// Runs `work` in one transaction, honouring the request's `Idempotency-Key`.
pub async fn run<F, T>(
    state: &AppState,
    req: &HttpRequest,
    principal: &Principal,
    digest: &str,
    work: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<Reply<T>, AppError> + Send + 'static,
    T: serde::Serialize + Send + 'static,
{
    let Some(key) = key_of(req)? else {
        let (status, answer) = state.db.write(work).await?;
        return Ok(respond(status.as_u16(), json_of(&answer)?, false));
    };
    let who = principal.actor();
    let now = state.clock.now();
    let digest = digest.to_string();
    let outcome = state
        .db
        .write(move |c| {
            // Claim the key first. A concurrent request with the same key waits here
            // until the first one commits, then replays its answer instead of redoing
            // (or, worse, half-redoing) the work.
            if !idempotency::claim(c, &who, &key, &digest, now)? {
                let stored = idempotency::find(c, &who, &key)?.ok_or_else(|| {
                    AppError::Conflict("the Idempotency-Key is in use; retry".into())
                })?;
                if stored.request_hash != digest {
                    return Err(AppError::IdempotencyMismatch);
                }
                let status = u16::try_from(stored.status_code).unwrap_or(200);
                return Ok(Outcome::Replayed(status, stored.response_body));
            }
            let (status, answer) = work(c)?;
            let body = json_of(&answer)?;
            idempotency::complete(c, &who, &key, status.as_u16(), &body)?;
            Ok(Outcome::Fresh(status, body))
        })
        .await?;
    Ok(match outcome {
        Outcome::Fresh(status, body) => respond(status.as_u16(), body, false),
        Outcome::Replayed(status, body) => respond(status, body, true),
    })
}
