//! Guarding secrets people type against guessing: staff passwords at sign-in and a
//! customer's order details at look-up. Each attempt names the keys it counts against
//! (the person and address, the address alone, the account or order alone), each with
//! its own [`ThrottleRule`]. An attempt is counted as a failure *before* it is checked,
//! in one transaction with the check that no key is blocked, so a burst of parallel
//! guesses cannot all pass a check made before any of them failed; a right answer then
//! gives its attempt back. Failures are stored in the database, so every instance
//! sharing it counts together.

use chrono::{DateTime, Utc};

use crate::db::{throttles, Db};
use crate::domain::throttle::{give_back, Failures, ThrottleRule};
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

/// An attempt refused unheard: how long until every key lets it through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocked {
    pub retry_after_secs: u64,
}

impl From<Blocked> for AppError {
    fn from(b: Blocked) -> Self {
        AppError::RateLimited {
            retry_after_secs: b.retry_after_secs,
        }
    }
}

/// What [`attempt`] stored, to give back when the attempt turns out right.
#[derive(Debug, Clone)]
pub struct Counted {
    before: Vec<Option<Failures>>,
    written: Vec<Failures>,
}

/// Counts an attempt against every key at `now`, unless one of them is blocked: then
/// nothing is counted and the longest wait is the answer.
pub async fn attempt(
    db: &Db,
    keys: &[GuessKey],
    now: DateTime<Utc>,
) -> Result<Result<Counted, Blocked>, AppError> {
    let keys = keys.to_vec();
    db.write(move |c| {
        let mut before = Vec::with_capacity(keys.len());
        for k in &keys {
            // A zero row (PostgreSQL locks need one) is no record.
            before.push(throttles::lock(c, &k.key)?.filter(|f| f.count > 0));
        }
        let wait = keys
            .iter()
            .zip(&before)
            .filter_map(|(k, s)| k.rule.retry_after(now, s.as_ref()))
            .max();
        if let Some(retry_after_secs) = wait {
            return Ok(Err(Blocked { retry_after_secs }));
        }
        let mut written = Vec::with_capacity(keys.len());
        for (k, s) in keys.iter().zip(&before) {
            let next = k.rule.after_failure(now, s.as_ref());
            throttles::store(c, &k.key, &next)?;
            written.push(next);
        }
        Ok::<_, AppError>(Ok(Counted { before, written }))
    })
    .await
}

/// The attempt [`attempt`] counted was right: the keys at `forget` lose all their
/// failures (the person from this address is who they said), the others get the
/// attempt back (see [`give_back`]).
pub async fn succeeded(
    db: &Db,
    keys: &[GuessKey],
    counted: Counted,
    forget: &[usize],
) -> Result<(), AppError> {
    let keys = keys.to_vec();
    let forget = forget.to_vec();
    db.write(move |c| {
        for (i, k) in keys.iter().enumerate() {
            let current = throttles::lock(c, &k.key)?;
            let back = match (current, counted.written.get(i)) {
                (Some(current), Some(written)) if !forget.contains(&i) => give_back(
                    &current,
                    written,
                    counted.before.get(i).and_then(Option::as_ref),
                ),
                _ => None,
            };
            match back {
                Some(back) => throttles::store(c, &k.key, &back)?,
                None => throttles::forget(c, &k.key)?,
            }
        }
        Ok::<_, AppError>(())
    })
    .await
}

/// Deletes keys that have been quiet for a day, and look-up rate counts already due
/// (run from a periodic worker).
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<usize, AppError> {
    db.write(move |c| {
        let quiet = throttles::sweep(c, now - chrono::Duration::days(1), now)?;
        Ok(quiet + crate::db::request_rates::sweep(c, now.timestamp_millis())?)
    })
    .await
}

/// Forgets failed sign-ins and look-ups that have been quiet for a day, hourly.
pub fn spawn_sweep(core: std::sync::Arc<crate::core::Core>) {
    crate::core::spawn_every(3600, move || {
        let core = core.clone();
        async move {
            if let Err(e) = sweep(&core.db, core.clock.now()).await {
                tracing::warn!(error = %e, "sweeping old failed guesses failed; will retry");
            }
        }
    });
}
