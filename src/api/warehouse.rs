//! The warehouse bench over JSON: `POST /api/v1/scans`, `GET /api/v1/parcels`
//! (`?unmatched=true`) and `POST /api/v1/parcels/{id}/link`. Warehouse role (and admin).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::docs::{ListErrors, ScanErrors, WriteErrors};
use super::idempotency::{self, IdempotencyKey};
use super::json::ApiJson;
use super::views::ReceivedParcelList;
use crate::api::state::AppState;
use crate::auth::Principal;
use crate::domain::{RmaNumber, Role};
use crate::error::AppError;
use crate::receiving::{self, BenchScan, ReceivedParcel, ScanAnswer};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanInput {
    /// What the scanner typed: RMA number or tracking number, noise (AIM prefix, FNC1,
    /// CR/LF) allowed.
    #[schema(schema_with = crate::domain::schema::barcode)]
    pub barcode: String,
    /// The bench, e.g. `DE-BER/bench-2` (a warehouse code before / or : names the
    /// warehouse).
    #[schema(schema_with = crate::domain::schema::text::<64>)]
    pub station: String,
    /// The warehouse code, when the station name does not start with it.
    pub warehouse: Option<String>,
}

/// A box scanned at a warehouse bench
///
/// Matched to its RMA (by RMA number or return label tracking number) and received,
/// already received, or stored unmatched. Roles: warehouse.
#[utoipa::path(
    post,
    path = "/api/v1/scans",
    params(IdempotencyKey),
    request_body = ScanInput,
    responses((status = 200, description = "What the scan was", body = ScanAnswer), ScanErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn scan(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    body: ApiJson<ScanInput>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Warehouse])?;
    let input = body.value;
    let read = receiving::read_barcode(&input.barcode)?;
    let station = receiving::check_station(&input.station)?;
    let warehouse = receiving::warehouse_of(&state.network, input.warehouse.as_deref(), &station);
    if input.warehouse.is_some() && warehouse.is_none() {
        return Err(AppError::does_not_fit(
            "warehouse",
            "not a configured warehouse code",
        ));
    }
    let bench = BenchScan {
        raw: input.barcode,
        read,
        station,
        warehouse,
    };
    let now = state.clock.now();
    let actor = who.actor();
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let answer = receiving::scan(c, bench, &actor, now)?;
        Ok((StatusCode::OK, answer))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ParcelQuery {
    /// Only boxes not linked to an RMA.
    pub unmatched: Option<bool>,
    /// Page size (default and most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 100)]
    pub cursor: Option<String>,
}

/// Boxes scanned at the warehouse, newest first, a page at a time
///
/// Roles: warehouse.
#[utoipa::path(
    get,
    path = "/api/v1/parcels",
    params(ParcelQuery),
    responses((status = 200, description = "Boxes", body = ReceivedParcelList), ListErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn parcels(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<ParcelQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Warehouse])?;
    let ParcelQuery {
        unmatched,
        limit,
        cursor,
    } = query.into_inner();
    let limit = crate::paging::page_size(limit, crate::paging::MAX_PAGE)?;
    let page = state
        .db
        .read(move |c| receiving::boxes(c, unmatched.unwrap_or(false), cursor.as_deref(), limit))
        .await?;
    let items = page
        .rows
        .iter()
        .map(|(row, number)| ReceivedParcel::new(row, number.as_deref()))
        .collect();
    Ok(HttpResponse::Ok().json(ReceivedParcelList {
        items,
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// The RMA number the box belongs to.
    #[schema(value_type = RmaNumber)]
    pub rma: String,
}

/// Link an unmatched box to its RMA, which is then received
///
/// Roles: warehouse.
#[utoipa::path(
    post,
    path = "/api/v1/parcels/{id}/link",
    params(("id" = String, Path, description = "The box's parcel_id"), IdempotencyKey),
    request_body = LinkInput,
    responses((status = 200, description = "The linked box", body = ReceivedParcel), WriteErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn link(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<LinkInput>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Warehouse])?;
    let id = path.into_inner();
    let number = crate::returns::parse_number_in("rma", &body.value.rma)?;
    let now = state.clock.now();
    let actor = who.actor();
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let view = receiving::link(c, &id, &number, &actor, now)?;
        Ok((StatusCode::OK, view))
    })
    .await
}
