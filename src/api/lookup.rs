//! `POST /returns/lookup`: a customer proves they own an order (order number plus the
//! email or delivery postcode) and gets a short-lived token scoped to that order. An
//! unknown order and wrong details give the same answer, and guesses are rate-limited
//! per client address and per order number.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, SecondsFormat};
use serde::Deserialize;
use serde_json::json;

use super::json::ApiJson;
use super::views;
use crate::app::AppState;
use crate::db::orders;
use crate::error::AppError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupInput {
    pub order_number: String,
    pub email: Option<String>,
    pub postal_code: Option<String>,
}

/// Postcodes compare without spaces, dashes or case ("SW1A 1AA" = "sw1a1aa").
fn same_postcode(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// A customer's order found by number and email or postcode (rate-limited per IP and per
/// order; an unknown order and a wrong email give the same 404), and a token for it.
pub async fn find_order(
    state: &AppState,
    input: LookupInput,
    ip: &str,
) -> Result<(orders::OrderRecord, String, chrono::DateTime<chrono::Utc>), AppError> {
    let email = input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let postal = input
        .postal_code
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if email.is_none() && postal.is_none() {
        return Err(AppError::invalid(
            "email",
            "give the order's email address or its delivery postcode",
        ));
    }
    let order_number = input.order_number.trim().to_string();
    if order_number.is_empty() || order_number.len() > 64 {
        return Err(AppError::invalid(
            "order_number",
            "must be 1 to 64 characters",
        ));
    }

    let now = state.clock.now();
    let limits = &state.settings.lookup;
    for (key, limit) in [
        (format!("ip:{ip}"), limits.per_ip_per_minute),
        (
            format!("order:{}", order_number.to_lowercase()),
            limits.per_order_per_minute,
        ),
    ] {
        state
            .lookups
            .hit(&key, limit, now.timestamp())
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    }

    let record = state
        .db
        .read(move |c| orders::load(c, &order_number).map_err(AppError::from))
        .await?;
    let matches = record.as_ref().is_some_and(|r| {
        email.is_some_and(|e| e.eq_ignore_ascii_case(&r.order.customer_email))
            || postal.is_some_and(|p| same_postcode(p, &r.order.ship_postal_code))
    });
    let record = match record {
        Some(r) if matches => r,
        _ => {
            return Err(AppError::not_found(
                "no order matches that number and email or postcode",
            ))
        }
    };
    let expires_at = now + Duration::minutes(state.settings.auth.customer_token_minutes);
    let token = state.tokens.issue(&record.order.order_number, expires_at);
    Ok((record, token, expires_at))
}

#[tracing::instrument(skip_all)]
pub async fn lookup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<LookupInput>,
) -> Result<HttpResponse, AppError> {
    let ip = req
        .peer_addr()
        .map_or_else(|| "unknown".to_string(), |a| a.ip().to_string());
    let (record, token, expires_at) = find_order(&state, body.value, &ip).await?;
    Ok(HttpResponse::Ok().json(json!({
        "token": token,
        "expires_at": expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "order": views::order(&record),
    })))
}

#[cfg(test)]
mod tests {
    use super::same_postcode;

    #[test]
    fn postcodes_ignore_spacing_and_case() {
        assert!(same_postcode("SW1A 1AA", "sw1a1aa"));
        assert!(same_postcode("10115", " 10115 "));
        assert!(same_postcode("143-0006", "1430006"));
        assert!(!same_postcode("10115", "10117"));
        assert!(!same_postcode("", ""));
    }
}
