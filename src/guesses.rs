//! Guarding secrets people type against guessing: staff passwords at sign-in and a
//! customer's order details at look-up. Each attempt names the keys it counts against
//! (the person and address, the address alone, the account or order alone), each with
//! its own [`ThrottleRule`]; failures are stored in the database, so every instance
//! sharing it counts together, and a blocked key answers 429 with when to come back.

use chrono::{DateTime, Utc};

use crate::db::{throttles, Db};
use crate::domain::throttle::ThrottleRule;
use crate::error::AppError;

/// One key an attempt counts against, and its rule.
#[derive(Debug, Clone)]
pub struct GuessKey {
    pub key: String,
    pub rule: ThrottleRule,
}

impl GuessKey {
    pub fn new(key: String, rule: ThrottleRule) -> GuessKey {
        GuessKey { key, rule }
    }
}

/// `Err(RateLimited)` with the longest wait when any of `keys` is blocked at `now`.
pub async fn check(db: &Db, keys: &[GuessKey], now: DateTime<Utc>) -> Result<(), AppError> {
    match waits(db, keys, now).await?.into_iter().flatten().max() {
        Some(retry_after_secs) => Err(AppError::RateLimited { retry_after_secs }),
        None => Ok(()),
    }
}

/// For each of `keys`, the seconds it is still blocked for at `now`, if it is.
pub async fn waits(
    db: &Db,
    keys: &[GuessKey],
    now: DateTime<Utc>,
) -> Result<Vec<Option<u64>>, AppError> {
    let names: Vec<String> = keys.iter().map(|k| k.key.clone()).collect();
    let stored = db
        .read(move |c| {
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            throttles::load(c, &refs).map_err(AppError::from)
        })
        .await?;
    Ok(keys
        .iter()
        .map(|k| {
            let hash = throttles::key_hash(&k.key);
            let found = stored.iter().find(|(h, _)| *h == hash).map(|(_, f)| f);
            k.rule.retry_after(now, found)
        })
        .collect())
}

/// Counts a failed attempt against every key.
pub async fn failed(db: &Db, keys: Vec<GuessKey>, now: DateTime<Utc>) -> Result<(), AppError> {
    db.write(move |c| {
        for k in &keys {
            throttles::record_failure(c, &k.key, &k.rule, now)?;
        }
        Ok::<_, AppError>(())
    })
    .await
}

/// Forgets the failures of `keys` after a success.
pub async fn succeeded(db: &Db, keys: Vec<String>) -> Result<(), AppError> {
    db.write(move |c| {
        for k in &keys {
            throttles::forget(c, k)?;
        }
        Ok::<_, AppError>(())
    })
    .await
}

/// Deletes keys that have been quiet for a day (run from a periodic worker).
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<usize, AppError> {
    db.write(move |c| Ok(throttles::sweep(c, now - chrono::Duration::days(1), now)?))
        .await
}
