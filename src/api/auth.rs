//! Who is calling over HTTP. Staff and systems send an API key (`bh_...`) with one
//! role; a customer sends the order-scoped token that `/returns/lookup` issued. Both
//! arrive as `Authorization: Bearer <token>`; missing or bad is 401, wrong role or order
//! is 403 (the checks are in [`crate::auth`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::api::state::AppState;
use crate::auth::Principal;
use crate::db::api_keys;
use crate::domain::Role;
use crate::error::AppError;

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

/// The token of `Authorization: Bearer <token>` (the scheme in any case), or a 401.
pub fn bearer(req: &HttpRequest) -> Result<String, AppError> {
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
