//! What the HTTP adapters (the API and the pages) share: the [`Core`], reached through
//! `Deref`, and what only HTTP needs.

use std::sync::Arc;

use super::auth::KeyCache;
use super::limits::RateLimiter;
use crate::config::IpRange;
use crate::core::{Core, StartError};
use crate::db::request_rates;
use crate::error::AppError;
use crate::lookup::{self, FoundOrder, LookupInput};

/// Portal forms with photos read at the same time; more wait their turn.
const MAX_UPLOADS_AT_ONCE: usize = 4;

/// What a request handler may use: the [`Core`] (through `Deref`) and what only HTTP
/// needs.
pub struct AppState {
    pub core: Arc<Core>,
    pub keys: KeyCache,
    pub lookups: RateLimiter,
    /// `server.trusted_proxies`, read: whose `X-Forwarded-For` names the client.
    pub proxies: Vec<IpRange>,
    /// Password hashes checked at once (argon2 is slow on purpose).
    pub password_checks: tokio::sync::Semaphore,
    /// Portal forms with photos read at once (each may hold up to 50 MB).
    pub uploads: tokio::sync::Semaphore,
}

impl std::ops::Deref for AppState {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

impl AppState {
    pub fn new(core: Arc<Core>) -> Result<AppState, StartError> {
        let proxies = core
            .settings
            .trusted_proxies()
            .map_err(|e| StartError::Config(e.to_string()))?;
        Ok(AppState {
            proxies,
            password_checks: tokio::sync::Semaphore::new(core.settings.web.password_checks_at_once),
            uploads: tokio::sync::Semaphore::new(MAX_UPLOADS_AT_ONCE),
            keys: KeyCache::default(),
            lookups: RateLimiter::default(),
            core,
        })
    }

    /// A customer look-up from address `ip`, for the API and the portal alike: the
    /// input checked, the address's per-minute limit counted, then the look-up.
    pub async fn find_order(&self, input: LookupInput, ip: &str) -> Result<FoundOrder, AppError> {
        let ask = lookup::read(input)?;
        let (key, per_minute) = (format!("ip:{ip}"), self.settings.lookup.per_ip_per_minute);
        let now_ms = self.clock.now().timestamp_millis();
        // This instance's own count first: when it alone is over, the shared one is too,
        // and a flood is refused without touching the database.
        let mut counted = self.lookups.hit(&key, per_minute, now_ms);
        if counted.is_ok() && !self.db.is_sqlite() {
            // Instances share the database: they count one address together. One
            // statement, atomic on its own.
            counted = self
                .db
                .read(move |c| Ok::<_, AppError>(request_rates::hit(c, &key, per_minute, now_ms)?))
                .await?;
        }
        counted.map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        lookup::find_order(&self.core, ask, ip).await
    }
}
