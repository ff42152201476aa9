//! `/rmas`: quote and create returns, read them and their audit trail, and move them
//! through the lifecycle (authorize, reject, cancel).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::auth::Principal;
use super::idempotency;
use super::json::ApiJson;
use super::views;
use crate::app::AppState;
use crate::db::orders;
use crate::db::rmas::{self, ListFilter};
use crate::db::DbConnection;
use crate::domain::{RmaEvent, RmaNumber, RmaStatus, Role};
use crate::error::AppError;
use crate::returns::ReturnInput;

const STAFF: &[Role] = &[Role::Integration, Role::Warehouse, Role::Finance];

fn parse_number(text: &str) -> Result<RmaNumber, AppError> {
    RmaNumber::parse(text).map_err(|e| AppError::invalid("number", e.to_string()))
}

/// The full RMA as the API shows it, after checking `who` may see it.
fn load_view(
    c: &mut DbConnection,
    state: &AppState,
    who: &Principal,
    number: &RmaNumber,
) -> Result<serde_json::Value, AppError> {
    let rma = rmas::find(c, number)?.ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
    let order = orders::load_by_id(c, &rma.order_id)?;
    who.require_staff_or_customer(STAFF, &order.order.order_number)?;
    let lines = rmas::lines(c, &rma.id)?;
    let events = rmas::events(c, &rma.id)?;
    Ok(views::rma(
        &rma,
        &order,
        &lines,
        &events,
        state.network.find(&rma.return_to),
    ))
}

#[tracing::instrument(skip_all)]
pub async fn quote(
    state: web::Data<AppState>,
    who: Principal,
    body: ApiJson<ReturnInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.value;
    who.require_staff_or_customer(&[Role::Integration], &input.order_number)?;
    let now = state.clock.now();
    let st = state.clone();
    let quote = state
        .db
        .read(move |c| {
            let record = orders::load(c, &input.order_number)?
                .ok_or_else(|| AppError::not_found("order"))?;
            st.rules().quote(c, &record, &input, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "decision": quote.decision,
        "return_to": quote.return_to,
        "route": quote.route_reason,
    })))
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    body: ApiJson<ReturnInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.value;
    who.require_staff_or_customer(&[Role::Integration], &input.order_number)?;
    let now = state.clock.now();
    let actor = who.actor();
    let st = state.clone();
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let (rma, order, lines, _quote) = st.rules().create(c, &input, &actor, now)?;
        let events = rmas::events(c, &rma.id)?;
        let view = views::rma(
            &rma,
            &order,
            &lines,
            &events,
            st.network.find(&rma.return_to),
        );
        Ok((StatusCode::CREATED, view))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<String>,
    pub order_number: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(STAFF)?;
    let q = query.into_inner();
    let status = q
        .status
        .as_deref()
        .map(str::parse::<RmaStatus>)
        .transpose()
        .map_err(|e| AppError::invalid("status", e.to_string()))?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::invalid("limit", "must be between 1 and 200"));
    }
    let filter = ListFilter {
        status,
        order_number: q.order_number,
        before_id: q.cursor,
        limit,
    };
    let rows = state
        .db
        .read(move |c| rmas::list(c, &filter).map_err(AppError::from))
        .await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|(r, _)| r.id.clone()))
        .flatten();
    let items: Vec<_> = rows
        .iter()
        .map(|(r, order)| views::rma_summary(r, order))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next_cursor})))
}

#[tracing::instrument(skip_all)]
pub async fn get(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(&path)?;
    let st = state.clone();
    let view = state
        .db
        .read(move |c| load_view(c, &st, &who, &number))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[tracing::instrument(skip_all)]
pub async fn events(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(&path)?;
    let events = state
        .db
        .read(move |c| {
            let rma = rmas::find(c, &number)?
                .ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
            let order = orders::load_by_id(c, &rma.order_id)?;
            who.require_staff_or_customer(STAFF, &order.order.order_number)?;
            Ok::<_, AppError>(rmas::events(c, &rma.id)?)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .json(json!({"items": events.iter().map(views::event).collect::<Vec<_>>()})))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// Why, for the audit trail.
    pub note: Option<String>,
}

async fn transition(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<TransitionInput>,
    event: RmaEvent,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(&path)?;
    if event != RmaEvent::Cancel {
        who.require_staff(&[Role::Admin])?;
    }
    let note = body.value.note.filter(|n| !n.trim().is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(AppError::invalid("note", "must be at most 2000 characters"));
    }
    let now = state.clock.now();
    let st = state.clone();
    let who2 = who.clone();
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let rma =
            rmas::find(c, &number)?.ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
        let order = orders::load_by_id(c, &rma.order_id)?;
        who2.require_staff_or_customer(&[Role::Admin], &order.order.order_number)?;
        let actor = who2.actor();
        let audit = rmas::Audit {
            actor: &actor,
            note: note.as_deref(),
            at: now,
        };
        rmas::apply_event(c, &number, event, audit)?;
        Ok((StatusCode::OK, load_view(c, &st, &who2, &number)?))
    })
    .await
}

pub async fn authorize(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<TransitionInput>,
) -> Result<HttpResponse, AppError> {
    transition(state, req, who, path, body, RmaEvent::Authorize).await
}

pub async fn reject(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<TransitionInput>,
) -> Result<HttpResponse, AppError> {
    transition(state, req, who, path, body, RmaEvent::Reject).await
}

pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<TransitionInput>,
) -> Result<HttpResponse, AppError> {
    transition(state, req, who, path, body, RmaEvent::Cancel).await
}
