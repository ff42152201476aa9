//! The poller: claims parcels that are due (leased, so several instances share the
//! work and a crashed one's parcels come back when its lease ends), asks each carrier
//! about them in batches up to its `max_batch`, and feeds the answers to [`ingest`].
//! Carrier rate limits are kept by the adapters themselves.

use std::collections::BTreeMap;

use backhaul_carriers::TrackingUpdate;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{ingest, Source};
use crate::core::Core;
use crate::db::parcels::{self, ParcelRow};
use crate::db::utc;
use crate::domain::tracking::{next_poll, PollFacts};
use crate::error::AppError;

/// What one pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PollReport {
    pub parcels: usize,
    pub carrier_calls: usize,
    pub failed_calls: usize,
    pub changed: usize,
    pub new_events: usize,
    pub incidents_opened: usize,
    pub unscanned_flagged: usize,
}

/// Polls every parcel due now, then flags returns waiting too long for their scan.
/// `owner` names this instance in the leases.
pub async fn poll_once(state: &Core, owner: &str) -> Result<PollReport, AppError> {
    let settings = &state.settings.tracking;
    let mut report = PollReport::default();
    // Each round claims one batch; a parcel polled now is next due in the future, so
    // the rounds end when nothing due is left (the cap guards against a stuck clock).
    for _ in 0..1000 {
        let now = state.clock.now();
        let until = now + Duration::seconds(settings.lease_seconds.max(30));
        let (claimer, limit) = (owner.to_string(), settings.claim_batch.max(1));
        let claimed = state
            .db
            .write(move |c| {
                parcels::claim_due(c, now, &claimer, until, limit).map_err(AppError::from)
            })
            .await?;
        if claimed.is_empty() {
            break;
        }
        report.parcels += claimed.len();
        let ids: Vec<String> = claimed.iter().map(|p| p.id.clone()).collect();
        let mut by_carrier: BTreeMap<String, Vec<ParcelRow>> = BTreeMap::new();
        for parcel in claimed {
            by_carrier
                .entry(parcel.carrier.clone())
                .or_default()
                .push(parcel);
        }
        let polling = async {
            for (code, parcels) in by_carrier {
                poll_carrier(state, &code, parcels, &mut report).await?;
            }
            Ok::<_, AppError>(())
        };
        // The claim is short and renewed while carriers answer: a crashed instance's
        // parcels come back within one lease.
        let lease = settings.lease_seconds.max(30);
        crate::core::holding_leases(state, owner, ids, lease, parcels::extend_lease, polling)
            .await?;
    }
    let (rules, now) = (state.settings.tracking.rules.clone(), state.clock.now());
    report.unscanned_flagged = state
        .db
        .write(move |c| super::flag_unscanned_returns(c, &rules, now))
        .await?;
    Ok(report)
}

async fn poll_carrier(
    state: &Core,
    code: &str,
    parcels: Vec<ParcelRow>,
    report: &mut PollReport,
) -> Result<(), AppError> {
    let Some(carrier) = state.carriers.get(code) else {
        tracing::warn!(
            carrier = code,
            parcels = parcels.len(),
            "parcels of a carrier that is not configured; asking again tomorrow"
        );
        let now = state.clock.now();
        let later = now + Duration::hours(24);
        state
            .db
            .write(move |c| {
                for p in &parcels {
                    parcels::postpone(c, &p.id, p.failures, Some(later), now)?;
                }
                Ok::<_, AppError>(())
            })
            .await?;
        return Ok(());
    };
    let capabilities = carrier.capabilities();
    for batch in parcels.chunks(capabilities.max_batch.max(1)) {
        let numbers: Vec<String> = batch.iter().map(|p| p.tracking_number.clone()).collect();
        report.carrier_calls += 1;
        let answer = carrier.track(&numbers).await;
        state
            .metrics
            .carrier_call(code, if answer.is_ok() { "ok" } else { "error" });
        let batch = batch.to_vec();
        let rules = state.settings.tracking.rules.clone();
        let now = state.clock.now();
        match answer {
            Ok(updates) => {
                let pushed = capabilities.webhooks;
                let results = state
                    .db
                    .write(move |c| {
                        let mut results = Vec::with_capacity(batch.len());
                        for (i, parcel) in batch.iter().enumerate() {
                            let Some(update) = matching(&updates, i, parcel) else {
                                continue;
                            };
                            results.push(ingest(
                                c,
                                parcel,
                                update,
                                Source::Poll,
                                pushed,
                                &rules,
                                now,
                            )?);
                        }
                        Ok::<_, AppError>(results)
                    })
                    .await?;
                for r in results {
                    report.changed += usize::from(r.status.is_some());
                    report.new_events += r.new_events;
                    report.incidents_opened += r.opened.len();
                }
            }
            Err(e) => {
                report.failed_calls += 1;
                tracing::warn!(carrier = code, parcels = batch.len(), error = %e, "tracking call failed; backing off");
                state
                    .db
                    .write(move |c| {
                        for p in &batch {
                            let failures = p.failures.saturating_add(1);
                            let next = backoff(p, failures, &rules, now);
                            parcels::postpone(c, &p.id, failures, next, now)?;
                        }
                        Ok::<_, AppError>(())
                    })
                    .await?;
            }
        }
    }
    Ok(())
}

/// The update for the `i`th parcel asked about: by tracking number, else by position.
fn matching<'a>(
    updates: &'a [TrackingUpdate],
    i: usize,
    parcel: &ParcelRow,
) -> Option<&'a TrackingUpdate> {
    updates
        .iter()
        .find(|u| {
            u.tracking_number
                .eq_ignore_ascii_case(&parcel.tracking_number)
        })
        .or_else(|| updates.get(i))
}

fn backoff(
    parcel: &ParcelRow,
    failures: i32,
    rules: &crate::domain::tracking::TrackingRules,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let facts = PollFacts {
        status: backhaul_carriers::TrackingStatus::parse(&parcel.status)
            .unwrap_or(backhaul_carriers::TrackingStatus::Unknown),
        shipped_at: utc(parcel.shipped_at),
        last_event_at: parcel.last_event_at.map(utc),
        estimated_delivery: parcel.estimated_delivery.map(utc),
        promised_delivery: parcel.promised_delivery.map(utc),
        failures,
        pushed: false,
    };
    next_poll(now, &facts, rules).or(Some(now + Duration::hours(6)))
}

/// Runs [`poll_once`] every `tracking.poll_every_seconds` in the service.
pub fn spawn(state: std::sync::Arc<Core>, owner: String) {
    let seconds = state.settings.tracking.poll_every_seconds;
    crate::core::spawn_every(seconds, move || {
        let (state, owner) = (state.clone(), owner.clone());
        async move {
            match poll_once(&state, &owner).await {
                Ok(r) if r.parcels > 0 || r.unscanned_flagged > 0 => {
                    tracing::info!(
                        parcels = r.parcels,
                        calls = r.carrier_calls,
                        failed = r.failed_calls,
                        changed = r.changed,
                        incidents = r.incidents_opened,
                        unscanned = r.unscanned_flagged,
                        "tracking poll"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "tracking poll failed; will retry"),
            }
        }
    });
}
