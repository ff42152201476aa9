//! `/fulfilments`: the replacements the warehouse sends, and the parcels they leave in.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::docs::{DocumentErrors, ListErrors, WriteErrors};
use super::idempotency::{self, IdempotencyKey};
use super::json::ApiJson;
use super::orders::ShipmentInput;
use super::views::{Fulfilment, FulfilmentList};
use crate::api::state::AppState;
use crate::auth::Principal;
use crate::domain::{FulfilmentStatus, Role};
use crate::error::AppError;
use crate::fulfilments;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FulfilmentQuery {
    /// Only these: to_ship (the warehouse's queue) or shipped.
    #[param(value_type = Option<FulfilmentStatus>)]
    pub status: Option<String>,
    /// Page size (default and most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 100)]
    pub cursor: Option<String>,
}

/// Replacements to send or sent, oldest first, a page at a time
///
/// Roles: warehouse, integration.
#[utoipa::path(
    get,
    path = "/api/v1/fulfilments",
    params(FulfilmentQuery),
    responses((status = 200, description = "Fulfilments", body = FulfilmentList), ListErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<FulfilmentQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Warehouse, Role::Integration])?;
    let query = query.into_inner();
    let status = query
        .status
        .as_deref()
        .map(str::parse::<FulfilmentStatus>)
        .transpose()
        .map_err(|e| AppError::invalid("status", e.to_string()))?;
    let limit = crate::paging::page_size(query.limit, crate::paging::MAX_PAGE)?;
    let cursor = query.cursor;
    let page = state
        .db
        .read(move |c| fulfilments::page(c, status, cursor.as_deref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(FulfilmentList {
        items: page.rows.iter().map(Fulfilment::new).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// The parcel a replacement left in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShippedInput {
    /// The carrier's short name, such as ups, dhl or sandbox.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub carrier: String,
    #[schema(schema_with = crate::domain::schema::tracking_number)]
    pub tracking_number: String,
    #[schema(schema_with = crate::domain::schema::text::<64>)]
    pub service: Option<String>,
    /// When it left; now when absent.
    pub shipped_at: Option<DateTime<Utc>>,
}

/// Mark a replacement shipped
///
/// Registers its parcel on the order, so the poller follows it like any outbound
/// parcel. Roles: warehouse, integration.
#[utoipa::path(
    post,
    path = "/api/v1/fulfilments/{id}/shipped",
    params(("id" = String, Path, description = "The fulfilment's id"), IdempotencyKey),
    request_body = ShippedInput,
    responses((status = 200, description = "Shipped", body = Fulfilment), WriteErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn shipped(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<ShippedInput>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Warehouse, Role::Integration])?;
    let id = path.into_inner();
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(AppError::not_found("fulfilment"));
    }
    let now = state.clock.now();
    let input = &body.value;
    let shipment = ShipmentInput::outbound(
        &input.carrier,
        &input.tracking_number,
        input.service.clone(),
        input.shipped_at.unwrap_or(now),
    )
    .to_track(now, &state.settings.tracking.rules)?;
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let (shipped, _) = fulfilments::ship(c, &id, shipment, now)?;
        Ok((StatusCode::OK, Fulfilment::new(&shipped)))
    })
    .await
}

/// The packing slip of a replacement (PDF)
///
/// The RMA's barcode, the order, the customer's address and what to pack; A4, or US
/// Letter for customers in countries that use it. Roles: warehouse, integration.
#[utoipa::path(
    get,
    path = "/api/v1/fulfilments/{id}/packing-slip",
    params(("id" = String, Path, description = "The fulfilment's id")),
    responses(
        (status = 200, description = "The packing slip", content((Vec<u8> = "application/pdf"))),
        DocumentErrors,
    )
)]
#[tracing::instrument(skip_all)]
pub async fn packing_slip(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Warehouse, Role::Integration])?;
    let id = path.into_inner();
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(AppError::not_found("fulfilment"));
    }
    let bytes = crate::packing_slip::render_replacement(&state, id.clone()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"replacement-{id}.pdf\""),
        ))
        .body(bytes))
}
