//! Operations endpoints outside /api/v1: liveness, readiness and Prometheus metrics.

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::connection::SimpleConnection;
use secrecy::ExposeSecret;

use super::docs::{MetricsErrors, NotReady};
use super::views::{Health, Ready};

use crate::api::state::AppState;
use crate::db::{parcels, refunds, rmas, utc};
use crate::error::AppError;
use crate::metrics::Gauges;

/// Liveness
#[utoipa::path(
    get,
    path = "/healthz",
    security(()),
    responses((status = 200, description = "The process is up", body = Health))
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: the database answers
#[utoipa::path(
    get,
    path = "/readyz",
    security(()),
    responses((status = 200, description = "Ready", body = Ready), NotReady)
)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ping = state
        .db
        .read(|c| c.batch_execute("SELECT 1").map_err(AppError::from))
        .await;
    match ping {
        Ok(()) => HttpResponse::Ok().json(Ready {
            status: "ready",
            database: "ok",
        }),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            HttpResponse::ServiceUnavailable()
                .content_type("application/problem+json")
                .json(super::problem::Problem {
                    kind: "/problems/unavailable".into(),
                    title: "Not ready",
                    status: 503,
                    detail: "the database is not reachable".into(),
                    errors: None,
                    decision: None,
                })
        }
    }
}

/// Prometheus metrics: requests by route and status, latencies, RMAs by status
///
/// With metrics.token set, send it as the Bearer token; without, only callers on this
/// machine may read them.
#[utoipa::path(
    get,
    path = "/metrics",
    security(()),
    responses((status = 200, description = "OpenMetrics text format (Prometheus reads it)", body = String, content_type = "application/openmetrics-text"), MetricsErrors)
)]
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
        .content_type(crate::metrics::CONTENT_TYPE)
        .body(state.metrics.render(&gauges)))
}
