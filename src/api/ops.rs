//! Operations endpoints outside /api/v1: liveness, readiness and Prometheus metrics.

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::connection::SimpleConnection;
use secrecy::ExposeSecret;
use serde_json::json;

use crate::api::state::AppState;
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

/// `GET /metrics`: for a scraper with `metrics.token` as its Bearer token, or without
/// a token set, for callers on this machine only.
pub async fn metrics(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    match &state.settings.metrics.token {
        Some(token) => {
            let sent = super::auth::bearer(&req).unwrap_or_default();
            if !crate::domain::secret_eq(sent.as_bytes(), token.expose_secret().as_bytes()) {
                return Err(AppError::Unauthorized(
                    "send Authorization: Bearer <metrics.token>".into(),
                ));
            }
        }
        None => {
            // A reverse proxy on this machine makes every caller look local.
            let local = req.peer_addr().map(|a| a.ip()).is_some_and(|ip| {
                ip.is_loopback() && !state.proxies.iter().any(|p| p.contains(ip))
            });
            if !local {
                return Err(AppError::Forbidden(
                    "metrics are for this machine only (not through a proxy); set BACKHAUL__METRICS__TOKEN to scrape from elsewhere"
                        .into(),
                ));
            }
        }
    }
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
                outbox: crate::db::outbox::count_outbox(c)?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&gauges)))
}
