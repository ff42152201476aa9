//! Operations endpoints outside /api/v1: liveness, readiness and Prometheus metrics.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::app::AppState;
use crate::db::rmas;
use crate::error::AppError;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The process can serve: the database answers.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ping = state
        .db
        .read(|c| c.batch_execute("SELECT 1").map_err(AppError::from))
        .await;
    match ping {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ready", "database": "ok"})),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            HttpResponse::ServiceUnavailable()
                .content_type("application/problem+json")
                .body(
                    json!({
                        "type": "/problems/unavailable",
                        "title": "Not ready",
                        "status": 503,
                        "detail": "the database is not reachable",
                    })
                    .to_string(),
                )
        }
    }
}

pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let counts = state
        .db
        .read(|c| rmas::count_by_status(c).map_err(AppError::from))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&counts)))
}
