//! Inspection and refunds over JSON: `POST /api/v1/rmas/{number}/inspection`
//! (warehouse), `GET /api/v1/refunds` and `POST /api/v1/refunds/{id}/acknowledge`
//! (finance).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::auth::Principal;
use super::idempotency;
use super::json::ApiJson;
use super::rmas::parse_number;
use super::views;
use crate::app::AppState;
use crate::db::refunds;
use crate::domain::Role;
use crate::error::AppError;
use crate::inspection::{self, InspectionInput};

#[tracing::instrument(skip_all)]
pub async fn inspect(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<InspectionInput>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Warehouse])?;
    let number = parse_number(&path.into_inner())?;
    let now = state.clock.now();
    let actor = who.actor();
    let st = state.clone();
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let answer = inspection::inspect(c, &st.policy, &number, body.value, &actor, now)?;
        Ok((StatusCode::OK, answer))
    })
    .await
}

const STATUSES: [&str; 4] = ["pending", "emailed", "acknowledged", "failed"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundQuery {
    pub status: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<RefundQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Finance])?;
    let status = query.into_inner().status;
    if let Some(s) = status.as_deref().filter(|s| !STATUSES.contains(s)) {
        return Err(AppError::invalid(
            "status",
            format!("{s:?} is not one of: {}", STATUSES.join(", ")),
        ));
    }
    let items = state
        .db
        .read(move |c| {
            let rows = refunds::list_triggers(c, status.as_deref(), None, 500)?;
            Ok::<_, AppError>(
                rows.iter()
                    .map(|(t, order, rma)| views::refund_trigger(t, order, rma.as_deref()))
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

#[tracing::instrument(skip_all)]
pub async fn acknowledge(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Finance])?;
    let id = path.into_inner();
    let now = state.clock.now();
    let actor = who.actor();
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let trigger = refunds::trigger(c, &id)?.ok_or_else(|| AppError::not_found("refund"))?;
        if !refunds::acknowledge(c, &id, &actor, now)? {
            return Err(AppError::Conflict(format!(
                "refund {} was acknowledged already",
                trigger.id
            )));
        }
        let rows = refunds::list_one(c, &id)?;
        let (t, order, rma) = rows.ok_or_else(|| AppError::not_found("refund"))?;
        Ok((
            StatusCode::OK,
            views::refund_trigger(&t, &order, rma.as_deref()),
        ))
    })
    .await
}
