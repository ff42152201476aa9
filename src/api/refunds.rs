//! Inspection and refunds over JSON: `POST /api/v1/rmas/{number}/inspection`
//! (warehouse), `GET /api/v1/refunds` and `POST /api/v1/refunds/{id}/acknowledge`
//! (finance).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveTime;
use serde::Deserialize;
use utoipa::IntoParams;

use super::docs::{ListErrors, WriteErrors};
use super::idempotency::{self, IdempotencyKey};
use super::json::ApiJson;
use super::views::{RefundList, RefundTrigger};
use crate::api::state::AppState;
use crate::auth::Principal;
use crate::db::refunds::{self, TriggerFilter};
use crate::domain::order::Problems;
use crate::domain::{Currency, RmaNumber, Role, TriggerStatus};
use crate::error::AppError;
use crate::inspection::{self, Inspected, InspectionInput};
use crate::returns::parse_number;

/// Inspect a received return
///
/// Per line: quantity received, condition, disposition, notes. Outcome passed, partial
/// or failed; a refundable outcome creates the refund trigger and its finance email in
/// the same transaction. Inspecting twice is a 409. Roles: warehouse.
#[utoipa::path(
    post,
    path = "/api/v1/rmas/{number}/inspection",
    params(("number" = crate::domain::RmaNumber, Path), IdempotencyKey),
    request_body = InspectionInput,
    responses((status = 200, description = "The outcome, the calculation and the refund trigger", body = Inspected), WriteErrors)
)]
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

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RefundQuery {
    #[param(value_type = Option<crate::domain::TriggerStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<Currency>)]
    pub currency: Option<String>,
    /// First creation day, YYYY-MM-DD (UTC).
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last creation day, YYYY-MM-DD (UTC), included.
    #[param(format = Date)]
    pub to: Option<String>,
    /// An order number or RMA number.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Page size (default and most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 100)]
    pub cursor: Option<String>,
}

impl RefundQuery {
    /// The query checked, each bad part named; an absent part means "any" (an empty
    /// one is not a value of its kind, except for the search, where it means "any").
    pub fn filter(&self) -> Result<TriggerFilter, AppError> {
        let mut problems = Problems::default();
        let status = match self.status.as_deref().map(str::parse::<TriggerStatus>) {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                problems.add("status", e.to_string());
                None
            }
            None => None,
        };
        let currency = match self.currency.as_deref().map(Currency::parse) {
            Some(Ok(c)) => Some(c.code().to_string()),
            Some(Err(e)) => {
                problems.add("currency", e.to_string());
                None
            }
            None => None,
        };
        let mut day = |field: &str, v: &Option<String>| match v.as_deref() {
            Some(text) => match crate::domain::read_day(field, text) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.add(field, e.message);
                    None
                }
            },
            None => None,
        };
        let from = day("from", &self.from);
        let to = day("to", &self.to);
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let search = given(&self.q).map(|q| match RmaNumber::parse(&q) {
            Ok(number) => number.to_string(),
            Err(_) => q,
        });
        if search.as_ref().is_some_and(|q| q.chars().count() > 100) {
            problems.add("q", "must be at most 100 characters");
        }
        // Reversed dates are well-formed; they only count once nothing is malformed.
        if problems.0.is_empty() && from.zip(to).is_some_and(|(f, t)| f > t) {
            return Err(AppError::does_not_fit("to", "must not be before from"));
        }
        problems
            .into_result(TriggerFilter {
                status,
                currency,
                from: from.map(|d| d.and_time(NaiveTime::MIN)),
                until: to
                    .and_then(|d| d.succ_opt())
                    .map(|d| d.and_time(NaiveTime::MIN)),
                search,
            })
            .map_err(AppError::Validation)
    }
}

/// Refund triggers, newest first, a page at a time
///
/// Filtered by status, currency, creation day and order or RMA number; up to `limit`
/// (500) a page, the next page asked for with `cursor` = the answer's `next_cursor`.
/// Roles: finance.
#[utoipa::path(
    get,
    path = "/api/v1/refunds",
    params(RefundQuery),
    responses((status = 200, description = "Refund triggers", body = RefundList), ListErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<RefundQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Finance])?;
    let filter = query.filter()?;
    let limit = crate::paging::page_size(query.limit, crate::paging::MAX_PAGE)?;
    let cursor = query.cursor.clone();
    let page = state
        .db
        .read(move |c| crate::refunds::page(c, &filter, cursor.as_deref(), limit))
        .await?;
    let items = page.rows.iter().map(RefundTrigger::new).collect();
    Ok(HttpResponse::Ok().json(RefundList {
        items,
        next_cursor: page.next_cursor,
    }))
}

/// Record that finance has taken the refund over (who and when); a second time is a 409
///
/// Roles: finance.
#[utoipa::path(
    post,
    path = "/api/v1/refunds/{id}/acknowledge",
    params(("id" = String, Path, description = "The refund trigger id (also its idempotency key)"), IdempotencyKey),
    responses((status = 200, description = "The acknowledged trigger", body = RefundTrigger), WriteErrors)
)]
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
        crate::refunds::acknowledge(c, &id, &actor, now)?;
        let listed = refunds::list_one(c, &id)?.ok_or_else(|| AppError::not_found("refund"))?;
        Ok((StatusCode::OK, RefundTrigger::new(&listed)))
    })
    .await
}
