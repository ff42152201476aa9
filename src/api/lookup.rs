//! `POST /returns/lookup` over JSON: the per-address rate limit, then the look-up
//! use case ([`crate::lookup`]), answered with the token and the order.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::SecondsFormat;

use super::client::client_ip;
use super::docs::LookupErrors;
use super::json::ApiJson;
use super::views::{self, LookupAccess, LookupResult, Order};
use crate::api::state::AppState;
use crate::auth::CustomerAccess;
use crate::error::AppError;
use crate::lookup::LookupInput;

/// Customer look-up: order number plus email or postcode gives an order-scoped token
///
/// A postcode's token masks personal data; failures back off per order and address,
/// per address and per order. Roles: public.
#[utoipa::path(
    post,
    path = "/api/v1/returns/lookup",
    security(()),
    request_body = LookupInput,
    responses((status = 200, description = "Token and order", body = LookupResult), LookupErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn lookup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<LookupInput>,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req, &state.proxies);
    let found = state.find_order(body.value, &ip).await?;
    let mut record = found.record;
    if found.access == CustomerAccess::OrderMasked {
        views::mask_customer(&mut record.order);
    }
    Ok(HttpResponse::Ok().json(LookupResult {
        token: found.token,
        expires_at: found.expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        access: if found.access == CustomerAccess::Order {
            LookupAccess::Order
        } else {
            LookupAccess::OrderMasked
        },
        order: Order::new(&record),
    }))
}
