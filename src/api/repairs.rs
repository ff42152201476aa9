//! `/repairs`: warranty repairs at the bench, and their moves until they go back.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::docs::{ListErrors, WriteErrors};
use super::idempotency::{self, IdempotencyKey};
use super::json::ApiJson;
use super::orders::ShipmentInput;
use crate::api::state::AppState;
use crate::auth::Principal;
use crate::domain::note::Note;
use crate::domain::order::Problems;
use crate::domain::repair::RepairStatus;
use crate::domain::Role;
use crate::error::AppError;
use crate::repairs::{self, Repair, RepairMove};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RepairQuery {
    /// Only these.
    #[param(value_type = Option<RepairStatus>)]
    pub status: Option<String>,
    /// Page size (default and most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 100)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepairList {
    pub items: Vec<Repair>,
    /// Pass it as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

/// Repairs at the bench or done, oldest first, a page at a time
///
/// Roles: warehouse, integration.
#[utoipa::path(
    get,
    path = "/api/v1/repairs",
    params(RepairQuery),
    responses((status = 200, description = "Repairs", body = RepairList), ListErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<RepairQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Warehouse, Role::Integration])?;
    let query = query.into_inner();
    let status = query
        .status
        .as_deref()
        .map(str::parse::<RepairStatus>)
        .transpose()
        .map_err(|e| AppError::invalid("status", e.to_string()))?;
    let limit = crate::paging::page_size(query.limit, crate::paging::MAX_PAGE)?;
    let cursor = query.cursor;
    let page = state
        .db
        .read(move |c| repairs::page(c, status, cursor.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(RepairList {
        items: page.rows.iter().map(Repair::new).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A repair's next move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairMoveInput {
    /// repairing, repaired, shipped_back (with the parcel) or unrepairable (the policy's
    /// fallback follows: a refund or a replacement).
    pub status: RepairStatus,
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::note)]
    pub note: Option<String>,
    /// With shipped_back: the carrier's short name, such as ups, dhl or sandbox.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub carrier: Option<String>,
    /// With shipped_back: the parcel's tracking number.
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::tracking_number)]
    pub tracking_number: Option<String>,
}

/// Move a repair
///
/// Forward one step at a time (received → repairing → repaired → shipped_back), or to
/// unrepairable from the bench. Shipped back registers its parcel on the order, so the
/// poller follows it like any outbound parcel; unrepairable triggers the policy's
/// fallback in the same transaction. A move its status does not allow is a 409. Roles:
/// warehouse.
#[utoipa::path(
    post,
    path = "/api/v1/repairs/{id}/status",
    params(("id" = String, Path, description = "The repair's id"), IdempotencyKey),
    request_body = RepairMoveInput,
    responses((status = 200, description = "Moved", body = Repair), WriteErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<RepairMoveInput>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Warehouse])?;
    let id = path.into_inner();
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(AppError::not_found("repair"));
    }
    let now = state.clock.now();
    let input = &body.value;
    let mut problems = Problems::default();
    let note = match Note::optional(input.note.as_deref()) {
        Ok(note) => note.map(Note::into_string),
        Err(e) => {
            problems.add("note", e.to_string());
            None
        }
    };
    let parcel = match (input.status, &input.carrier, &input.tracking_number) {
        (RepairStatus::ShippedBack, Some(carrier), Some(tracking)) => Some(
            ShipmentInput::outbound(carrier, tracking, None, now)
                .to_track(now, &state.settings.tracking.rules)?,
        ),
        (RepairStatus::ShippedBack, _, _) => {
            problems.add(
                "tracking_number",
                "shipped_back needs the parcel: carrier and tracking_number",
            );
            None
        }
        (_, None, None) => None,
        _ => {
            problems.add("carrier", "a parcel goes only with shipped_back");
            None
        }
    };
    AppError::from_fields(problems.0, Vec::new())?;
    let asked = RepairMove {
        to: input.status,
        note,
        parcel,
    };
    let (actor, fallback) = (who.actor(), state.policy.file().repair.fallback);
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let moved = repairs::advance(c, fallback, &id, asked, &actor, now)?;
        Ok((StatusCode::OK, Repair::new(&moved)))
    })
    .await
}
