//! OAuth 2 client-credentials tokens, cached until shortly before they expire. The
//! cache is a lock held across the refresh, so fifty calls that find the token stale
//! at once cause one token request, not fifty.

use std::future::Future;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use tokio::sync::Mutex;

use crate::CarrierError;

struct Token {
    value: SecretString,
    refresh_at: Instant,
}

#[derive(Default)]
pub struct TokenCache {
    slot: Mutex<Option<Token>>,
}

/// Refresh this long before the carrier's expiry (or a tenth of a short lifetime).
const MARGIN: Duration = Duration::from_secs(60);

impl TokenCache {
    /// The cached token, or a fresh one from `fetch` (value, lifetime).
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<SecretString, CarrierError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(SecretString, Duration), CarrierError>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| Instant::now() < t.refresh_at) {
            return Ok(token.value.clone());
        }
        let (value, lifetime) = fetch().await?;
        let margin = MARGIN.min(lifetime / 10);
        *slot = Some(Token {
            value: value.clone(),
            refresh_at: Instant::now() + lifetime.saturating_sub(margin),
        });
        Ok(value)
    }

    /// Forgets the token, after the carrier refused it.
    pub async fn clear(&self) {
        *self.slot.lock().await = None;
    }
}

/// Reads a token answer: `access_token`, and `expires_in` (an hour when absent).
pub fn read_token(
    carrier: &str,
    answer: &serde_json::Value,
) -> Result<(SecretString, Duration), CarrierError> {
    let token = answer
        .get("access_token")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| CarrierError::Malformed {
            carrier: carrier.into(),
            message: "token answer without access_token".into(),
        })?;
    let lifetime = answer
        .get("expires_in")
        .and_then(expires_in)
        .unwrap_or(Duration::from_secs(3600));
    Ok((SecretString::from(token.to_string()), lifetime))
}

/// Reads `expires_in`, which carriers send as a number or as a string of digits.
fn expires_in(value: &serde_json::Value) -> Option<Duration> {
    match value {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .map(Duration::from_secs)
}
