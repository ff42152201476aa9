//! Who is calling. Staff and systems send an API key (`bh_...`) with one role; a
//! customer sends the order-scoped token that `/returns/lookup` issued. Both arrive as
//! `Authorization: Bearer <token>`; missing or bad is 401, wrong role or order is 403.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use futures_util::future::LocalBoxFuture;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::app::AppState;
use crate::db::api_keys;
use crate::domain::Role;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Staff { key_id: String, role: Role },
    Customer { order_number: String },
}

impl Principal {
    /// Stable name for audit events and idempotency records.
    pub fn actor(&self) -> String {
        match self {
            Principal::Staff { key_id, role } => format!("{role}:{key_id}"),
            Principal::Customer { order_number } => format!("customer:{order_number}"),
        }
    }

    /// Staff with one of `roles` (admin may do everything).
    pub fn require_staff(&self, roles: &[Role]) -> Result<(), AppError> {
        match self {
            Principal::Staff { role, .. } if *role == Role::Admin || roles.contains(role) => Ok(()),
            _ => Err(AppError::Forbidden(format!(
                "this needs one of the roles: {}",
                roles
                    .iter()
                    .map(Role::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Staff with one of `roles`, or the customer of `order_number`.
    pub fn require_staff_or_customer(
        &self,
        roles: &[Role],
        order_number: &str,
    ) -> Result<(), AppError> {
        match self {
            Principal::Customer { order_number: own } if own == order_number => Ok(()),
            Principal::Customer { .. } => Err(AppError::Forbidden(
                "this token is for another order".into(),
            )),
            staff => staff.require_staff(roles),
        }
    }
}

/// Signs and checks customer tokens: `c.<payload>.<hmac>`, payload `order|expiry`.
pub struct CustomerTokens {
    secret: SecretString,
}

type HmacSha256 = Hmac<Sha256>;

impl CustomerTokens {
    pub fn new(secret: SecretString) -> CustomerTokens {
        CustomerTokens { secret }
    }

    fn mac(&self, payload: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(self.secret.expose_secret().as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(payload.as_bytes());
        mac
    }

    pub fn issue(&self, order_number: &str, expires_at: DateTime<Utc>) -> String {
        let payload = format!("{order_number}|{}", expires_at.timestamp());
        let sig = self.mac(&payload).finalize().into_bytes();
        format!(
            "c.{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(sig)
        )
    }

    /// The order the token is for, if it is genuine and not expired.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<String> {
        let rest = token.strip_prefix("c.")?;
        let (payload, sig) = rest.split_once('.')?;
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        self.mac(&payload).verify_slice(&sig).ok()?;
        let (order_number, expires) = payload.rsplit_once('|')?;
        (expires.parse::<i64>().ok()? > now.timestamp()).then(|| order_number.to_string())
    }
}

/// Recently seen API keys, so each request does not cost a database read. Revocation
/// takes effect within the cache lifetime.
#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, (Principal, Instant)>>,
}

const KEY_CACHE_TTL: Duration = Duration::from_secs(30);

impl KeyCache {
    fn get(&self, hash: &str) -> Option<Principal> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(hash)
            .filter(|(_, at)| at.elapsed() < KEY_CACHE_TTL)
            .map(|(p, _)| p.clone())
    }

    fn put(&self, hash: String, principal: Principal) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (_, at)| at.elapsed() < KEY_CACHE_TTL);
            }
            entries.insert(hash, (principal, Instant::now()));
        }
    }
}

fn bearer(req: &HttpRequest) -> Result<String, AppError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| AppError::Unauthorized("send Authorization: Bearer <token>".into()))?;
    let value = header
        .to_str()
        .map_err(|_| AppError::Unauthorized("the Authorization header is not readable".into()))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_string())
        }
        _ => Err(AppError::Unauthorized(
            "send Authorization: Bearer <token>".into(),
        )),
    }
}

pub async fn authenticate(state: &AppState, token: String) -> Result<Principal, AppError> {
    let invalid = || AppError::Unauthorized("the token is invalid, revoked or expired".into());
    if token.starts_with("c.") {
        return state
            .tokens
            .verify(&token, state.clock.now())
            .map(|order_number| Principal::Customer { order_number })
            .ok_or_else(invalid);
    }
    let hash = api_keys::hash_key(&token);
    if let Some(principal) = state.keys.get(&hash) {
        return Ok(principal);
    }
    let row = state
        .db
        .read(move |c| api_keys::find_active(c, &token).map_err(AppError::from))
        .await?
        .ok_or_else(invalid)?;
    let role = row
        .role
        .parse::<Role>()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let principal = Principal::Staff {
        key_id: row.id,
        role,
    };
    state.keys.put(hash, principal.clone());
    Ok(principal)
}

impl FromRequest for Principal {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| AppError::Internal("application state missing".into()))?;
            authenticate(&state, token?).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn customer_tokens_are_scoped_signed_and_expire() {
        let now = Utc::now();
        let tokens = CustomerTokens::new(SecretString::from("s3cret"));
        let token = tokens.issue("1001", now + Duration::minutes(5));
        assert_eq!(tokens.verify(&token, now), Some("1001".into()));
        assert_eq!(tokens.verify(&token, now + Duration::minutes(6)), None);
        let other = CustomerTokens::new(SecretString::from("other"));
        assert_eq!(other.verify(&token, now), None);
        let forged = token.replace("c.", "c.x");
        assert_eq!(tokens.verify(&forged, now), None);
        assert_eq!(tokens.verify("c.", now), None);
    }

    #[test]
    fn roles() {
        let admin = Principal::Staff {
            key_id: "k".into(),
            role: Role::Admin,
        };
        let warehouse = Principal::Staff {
            key_id: "k".into(),
            role: Role::Warehouse,
        };
        let customer = Principal::Customer {
            order_number: "1001".into(),
        };
        assert!(admin.require_staff(&[Role::Integration]).is_ok());
        assert!(warehouse.require_staff(&[Role::Integration]).is_err());
        assert!(customer.require_staff(&[Role::Integration]).is_err());
        assert!(customer
            .require_staff_or_customer(&[Role::Integration], "1001")
            .is_ok());
        assert!(customer
            .require_staff_or_customer(&[Role::Integration], "1002")
            .is_err());
    }
}
