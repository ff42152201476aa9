//! Operations endpoints outside /api/v1: liveness, readiness and Prometheus metrics.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::app::AppState;
use crate::db::{parcels, refunds, rmas, utc};
use crate::error::AppError;
use crate::metrics::Gauges;

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
    let now = state.clock.now();
    let gauges = state
        .db
        .read(move |c| {
            let oldest_due = parcels::oldest_due(c, now)?;
            Ok::<_, AppError>(Gauges {
                rmas: rmas::count_by_status(c)?,
                parcels: parcels::count_by_status(c)?,
                incidents: parcels::count_open_incidents(c)?,
                poll_lag_seconds: oldest_due
                    .map_or(0.0, |t| (now - utc(t)).num_milliseconds() as f64 / 1000.0),
                refunds: refunds::count_by_status(c)?,
                outbox: refunds::count_outbox(c)?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&gauges)))
}
