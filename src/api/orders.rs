//! `/orders`: the shop's systems push orders and outbound parcels in.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use utoipa::ToSchema;

use super::docs::{ReadErrors, WriteErrors};
use super::idempotency::{self, IdempotencyKey};
use super::json::ApiJson;
use super::views::{self, Order, Shipment};
use crate::api::state::AppState;
use crate::auth::Principal;
use crate::db::orders::{self, NewShipment};
use crate::domain::order::{
    check_country, check_line_ids, check_order_number, check_time, OrderInput, Problems,
};
use crate::domain::tracking::{first_poll, TrackingRules};
use crate::domain::Role;
use crate::error::AppError;

/// Create or update an order
///
/// Roles: integration.
#[utoipa::path(
    post,
    path = "/api/v1/orders",
    params(IdempotencyKey),
    request_body = OrderInput,
    responses(
        (status = 201, description = "Order created", body = Order),
        (status = 200, description = "Order updated", body = Order),
        WriteErrors,
    )
)]
#[tracing::instrument(skip_all)]
pub async fn upsert(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    body: ApiJson<OrderInput>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Integration])?;
    let order = body.value.validate(state.clock.now())?;
    let now = state.clock.now();
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let (id, created) = orders::upsert(c, &order, now)?;
        let record = orders::load_by_id(c, &id)?;
        let status = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((status, Order::new(&record)))
    })
    .await
}

/// An order with each line's returnable quantity
///
/// Roles: integration, customer (own order).
#[utoipa::path(
    get,
    path = "/api/v1/orders/{order_number}",
    params(("order_number" = String, Path, description = "The shop's order number")),
    responses((status = 200, description = "The order", body = Order), ReadErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn get(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    who.require_staff_or_customer(&[Role::Integration], &number)?;
    let mut record = state
        .db
        .read(move |c| orders::load(c, &number).map_err(AppError::from))
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    if who.sees_masked_order() {
        views::mask_customer(&mut record.order);
    }
    Ok(HttpResponse::Ok().json(Order::new(&record)))
}

/// An outbound parcel of an order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentInput {
    /// The carrier's short name, such as ups, dhl or sandbox.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub carrier: String,
    #[schema(schema_with = crate::domain::schema::tracking_number)]
    pub tracking_number: String,
    #[schema(schema_with = crate::domain::schema::text::<64>)]
    pub service: Option<String>,
    pub shipped_at: DateTime<Utc>,
    /// When the parcel is already known to be delivered (imports of past orders).
    pub delivered_at: Option<DateTime<Utc>>,
    /// The order lines in this parcel; all of them when absent.
    #[schema(schema_with = crate::domain::schema::line_ids)]
    pub line_ids: Option<Vec<String>>,
    /// The country the parcel leaves from; tracking treats it as international when
    /// that is not the ship-to country.
    #[schema(schema_with = crate::domain::schema::country)]
    pub origin_country: Option<String>,
}

impl ShipmentInput {
    /// A parcel the shop sends now or at `shipped_at` (a replacement, a repaired
    /// item): the whole of what is named, from the ship-to country.
    pub fn outbound(
        carrier: &str,
        tracking_number: &str,
        service: Option<String>,
        shipped_at: DateTime<Utc>,
    ) -> ShipmentInput {
        ShipmentInput {
            carrier: carrier.to_string(),
            tracking_number: tracking_number.to_string(),
            service,
            shipped_at,
            delivered_at: None,
            line_ids: None,
            origin_country: None,
        }
    }

    /// The parcel, checked, with its first look by the poller scheduled.
    pub fn to_track(
        &self,
        now: DateTime<Utc>,
        rules: &TrackingRules,
    ) -> Result<NewShipment, AppError> {
        let mut shipment = self.validate(now)?;
        shipment.first_poll_at = Some(first_poll(shipment.shipped_at, now, rules));
        Ok(shipment)
    }

    pub fn validate(&self, now: DateTime<Utc>) -> Result<NewShipment, AppError> {
        let mut p = Problems::default();
        // Well-formed times that do not fit the clock or each other.
        let mut unfit = Problems::default();
        let carrier = p.text("carrier", &self.carrier, 32).to_ascii_lowercase();
        if !carrier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            p.add(
                "carrier",
                "use the carrier's short name, such as ups, dhl or sandbox",
            );
        }
        let tracking_number: String = self
            .tracking_number
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if !(4..=40).contains(&tracking_number.len())
            || !tracking_number.chars().all(|c| c.is_ascii_alphanumeric())
        {
            p.add("tracking_number", "must be 4 to 40 letters and digits");
        }
        check_time(&mut unfit, "shipped_at", self.shipped_at, now);
        if let Some(delivered) = self.delivered_at {
            if delivered < self.shipped_at {
                unfit.add("delivered_at", "is before shipped_at");
            }
            check_time(&mut unfit, "delivered_at", delivered, now);
        }
        if self.line_ids.as_ref().is_some_and(Vec::is_empty) {
            p.add(
                "line_ids",
                "leave it out to mean every line, or name at least one",
            );
        }
        let line_ids = self
            .line_ids
            .as_deref()
            .map(|ids| check_line_ids(&mut p, &mut unfit, "line_ids", ids));
        let service = self
            .service
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(s) = service {
            p.text("service", s, 64);
        }
        let origin_country = self
            .origin_country
            .as_deref()
            .map(|c| check_country(&mut p, "origin_country", c));
        AppError::from_fields(p.0, unfit.0)?;
        Ok(NewShipment {
            origin_country,
            first_poll_at: None,
            carrier,
            tracking_number,
            service: service.map(str::to_string),
            shipped_at: self.shipped_at,
            delivered_at: self.delivered_at,
            line_ids,
        })
    }
}

/// Register an outbound parcel
///
/// Roles: integration.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{order_number}/shipments",
    params(("order_number" = String, Path, description = "The shop's order number"), IdempotencyKey),
    request_body = ShipmentInput,
    responses(
        (status = 201, description = "Parcel registered", body = Shipment),
        (status = 200, description = "Parcel was already registered on this order", body = Shipment),
        WriteErrors,
    )
)]
#[tracing::instrument(skip_all)]
pub async fn add_shipment(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<ShipmentInput>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Integration])?;
    let mut p = Problems::default();
    let number = check_order_number(&mut p, "order_number", &path.into_inner());
    p.into_result(())
        .map_err(|_| AppError::not_found("order"))?;
    let now = state.clock.now();
    let shipment = body.value.to_track(now, &state.settings.tracking.rules)?;
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let order =
            orders::find_by_number(c, &number)?.ok_or_else(|| AppError::not_found("order"))?;
        let (row, created) = orders::add_shipment(c, &order, &shipment, now)?;
        let status = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((status, Shipment::new(&row, &number)))
    })
    .await
}
