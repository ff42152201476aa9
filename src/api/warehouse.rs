//! The warehouse bench over JSON: `POST /api/v1/scans`, `GET /api/v1/parcels`
//! (`?unmatched=true`) and `POST /api/v1/parcels/{id}/link`. Warehouse role (and admin).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::idempotency;
use super::json::ApiJson;
use super::views;
use crate::api::state::AppState;
use crate::auth::Principal;
use crate::domain::barcode::{self, BarcodeError};
use crate::domain::{RmaNumber, Role};
use crate::error::AppError;
use crate::receiving::{self, BenchScan};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanInput {
    /// What the scanner typed.
    pub barcode: String,
    /// The bench, e.g. `DE-BER/bench-2`.
    pub station: String,
    /// The warehouse code, when the station name does not start with it.
    pub warehouse: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn scan(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    body: ApiJson<ScanInput>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Warehouse])?;
    let input = body.value;
    let read = barcode::read(&input.barcode).map_err(|e| {
        let message = match e {
            BarcodeError::Empty => "nothing was scanned".to_string(),
            other => other.to_string(),
        };
        AppError::invalid("barcode", message)
    })?;
    let station = receiving::check_station(&input.station)?;
    let warehouse = receiving::warehouse_of(&state.network, input.warehouse.as_deref(), &station);
    if input.warehouse.is_some() && warehouse.is_none() {
        return Err(AppError::invalid(
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
        Ok((StatusCode::OK, json!(answer)))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParcelQuery {
    pub unmatched: Option<bool>,
}

#[tracing::instrument(skip_all)]
pub async fn parcels(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<ParcelQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Warehouse])?;
    let unmatched = query.unmatched.unwrap_or(false);
    let items = state
        .db
        .read(move |c| {
            let boxes = receiving::boxes(c, unmatched, 200)?;
            Ok::<_, AppError>(
                boxes
                    .iter()
                    .map(|(row, number)| views::received_parcel(row, number.as_deref()))
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// The RMA number the box belongs to.
    pub rma: String,
}

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
    let number =
        RmaNumber::parse(&body.value.rma).map_err(|e| AppError::invalid("rma", e.to_string()))?;
    let now = state.clock.now();
    let actor = who.actor();
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let view = receiving::link(c, &id, &number, &actor, now)?;
        Ok((StatusCode::OK, json!(view)))
    })
    .await
}
