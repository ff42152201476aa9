//! Drains the outbox: leases due messages (so several instances never send the same one
//! at once), sends each, and marks it sent — or tries again later with exponential
//! backoff, dead-lettering it after `email.max_attempts`. SMTP cannot be exactly-once
//! across a crash between sending and marking sent; the Message-ID made from the
//! trigger id makes such a resend the same message.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{customer, finance};
use crate::auth::CustomerAccess;
use crate::core::Core;
use crate::db::outbox::{self, Delivery, OutboxRow, CUSTOMER_EMAIL, FINANCE_EMAIL};
use crate::error::AppError;

#[derive(Debug, Clone, Default, Serialize)]
pub struct DispatchReport {
    /// Messages claimed in the round(s).
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
    /// Left unsent on purpose: a later status email says more, or they are turned off.
    pub skipped: usize,
}

impl DispatchReport {
    fn add(&mut self, other: &DispatchReport) {
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.retried += other.retried;
        self.dead += other.dead;
        self.skipped += other.skipped;
    }

    fn count(&mut self, delivery: &Delivery) {
        match delivery {
            Delivery::Sent => self.sent += 1,
            Delivery::Skipped(_) => self.skipped += 1,
            Delivery::Failed {
                retry_at: Some(_), ..
            } => self.retried += 1,
            Delivery::Failed { retry_at: None, .. } => self.dead += 1,
        }
    }
}

/// When to try again after `attempts` failed tries: 30 s doubling to an hour.
pub fn retry_delay(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    Duration::seconds(30i64.saturating_mul(2i64.saturating_pow(exponent))).min(Duration::hours(1))
}

/// Messages claimed at a time.
pub const BATCH: usize = 200;
/// Messages being sent at once, each on its own relay connection.
pub const IN_FLIGHT: usize = 32;
/// How long a claim holds without being renewed (every third of it while sending): a
/// crashed instance's messages are taken up by another this long after its last renewal.
const LEASE_SECONDS: i64 = 45;

/// Results written down at most in one transaction.
const RECORD_BATCH: usize = 64;

/// Sends what is due now, once: up to [`BATCH`] messages, [`IN_FLIGHT`] at a time,
/// while what became of them is written down beside, as many as have come in per
/// transaction, so the sends never wait for those writes; the claim is renewed while
/// sends are under way.
pub async fn dispatch_once(state: &Core, owner: &str) -> Result<DispatchReport, AppError> {
    use futures_util::StreamExt;

    let now = state.clock.now();
    let until = now + Duration::seconds(LEASE_SECONDS);
    let claimer = owner.to_string();
    let due = state
        .db
        .write(move |c| {
            outbox::claim_due(c, now, &claimer, until, BATCH as i64).map_err(AppError::from)
        })
        .await?;
    let claimed = due.len();
    let ids: Vec<String> = due.iter().map(|m| m.id.clone()).collect();
    let (done, mut results) = tokio::sync::mpsc::unbounded_channel();
    let sending = async move {
        let mut deliveries = futures_util::stream::iter(due)
            .map(|message| async move {
                let delivery = deliver(state, &message).await;
                (message, delivery)
            })
            .buffer_unordered(IN_FLIGHT);
        while let Some(result) = deliveries.next().await {
            let _ = done.send(result);
        }
    };
    // A write that fails is tried again with the next results; the sends go on
    // meanwhile, since a send cut off midway would only be sent again after its lease.
    let recording = async {
        let mut report = DispatchReport {
            claimed,
            ..DispatchReport::default()
        };
        let mut unsaved: Vec<(OutboxRow, Delivery)> = Vec::new();
        let mut failure = None;
        loop {
            let more = results.recv_many(&mut unsaved, RECORD_BATCH).await > 0;
            if !unsaved.is_empty() {
                let chunk = unsaved.clone();
                let now = state.clock.now();
                let written = state
                    .db
                    .write(move |c| outbox::record(c, &chunk, now).map_err(AppError::from))
                    .await;
                match written {
                    Ok(()) => {
                        unsaved.drain(..).for_each(|(_, d)| report.count(&d));
                        failure = None;
                    }
                    Err(e) => failure = Some(e),
                }
            }
            if !more {
                break;
            }
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(report),
        }
    };
    let ((), report) = crate::core::holding_leases(
        state,
        owner,
        ids,
        LEASE_SECONDS,
        outbox::extend_lease,
        futures_util::future::join(sending, recording),
    )
    .await;
    report
}

/// Sends until nothing is due: a round that claimed anything is followed at once by
/// the next, which takes what came in meanwhile, so under a steady stream of refunds an
/// email waits for the round before it, not for the next tick.
pub async fn drain(state: &Core, owner: &str) -> Result<DispatchReport, AppError> {
    let mut total = DispatchReport::default();
    loop {
        let round = dispatch_once(state, owner).await?;
        total.add(&round);
        if round.claimed == 0 {
            return Ok(total);
        }
    }
}

/// Sends one message and says what became of it, with when to try again if it failed.
async fn deliver(state: &Core, message: &OutboxRow) -> Delivery {
    let error = match send(state, message).await {
        Ok(delivery) => return delivery,
        Err(error) => error,
    };
    let attempts = message.attempts + 1;
    let retry_at: Option<DateTime<Utc>> = (attempts < state.settings.email.max_attempts)
        .then(|| state.clock.now() + retry_delay(attempts));
    if retry_at.is_some() {
        tracing::warn!(message = %message.id, attempts, %error, "email not sent; will retry");
    } else {
        tracing::error!(message = %message.id, attempts, %error, "email dead-lettered");
    }
    Delivery::Failed { error, retry_at }
}

async fn send(state: &Core, message: &OutboxRow) -> Result<Delivery, String> {
    let settings = &state.settings.email;
    let id = message.subject_id.clone();
    // A relay's refusal may quote the customer's address: kept out of logs and the outbox.
    let (mail, customer_address) = match message.kind.as_str() {
        FINANCE_EMAIL => {
            let email = state
                .db
                .read(move |c| finance::load(c, &id))
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("refund trigger {} is gone", message.subject_id))?;
            let page = finance::page_link(&email, &state.settings.public_url());
            let mail = finance::compose(&email, &settings.from, &settings.finance_to, &page)?;
            (mail, None)
        }
        CUSTOMER_EMAIL => {
            if !settings.customer_emails {
                return Ok(Delivery::Skipped("customer emails are turned off"));
            }
            let prepared = state
                .db
                .read(move |c| customer::load(c, &id))
                .await
                .map_err(|e| e.to_string())?;
            let email = match prepared {
                customer::Prepared::Send(email) => email,
                customer::Prepared::Skip(why) => return Ok(Delivery::Skipped(why)),
            };
            let expires =
                state.clock.now() + Duration::days(state.settings.auth.customer_link_days);
            // The link opens this return only: it travels in a URL, in a mailbox.
            let access = CustomerAccess::Rma(email.rma.number.clone());
            let token = state
                .tokens
                .issue(&email.order.order.order_number, &access, expires);
            let link = format!(
                "{}/returns/rmas/{}?t={token}",
                state.settings.public_url(),
                email.rma.number
            );
            let mail = customer::compose(&email, &settings.from, &link)?;
            (mail, Some(email.rma.customer_email.clone()))
        }
        other => return Err(format!("unknown outbox message kind {other:?}")),
    };
    state
        .mailer
        .send(mail)
        .await
        .map(|()| Delivery::Sent)
        .map_err(|e| match &customer_address {
            Some(address) => e.replace(address, "<customer>"),
            None => e,
        })
}

/// Drains the outbox every `email.dispatch_every_seconds` in the service.
pub fn spawn(state: std::sync::Arc<Core>, owner: String) {
    let seconds = state.settings.email.dispatch_every_seconds;
    crate::core::spawn_every(seconds, move || {
        let (state, owner) = (state.clone(), owner.clone());
        async move {
            match drain(&state, &owner).await {
                Ok(r) if r.sent + r.retried + r.dead + r.skipped > 0 => {
                    tracing::info!(
                        sent = r.sent,
                        retried = r.retried,
                        dead = r.dead,
                        skipped = r.skipped,
                        "outbox drained"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox dispatch failed; will retry"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour() {
        let table = [(1, 30), (2, 60), (3, 120), (5, 480), (8, 3600), (30, 3600)];
        for (attempts, seconds) in table {
            assert_eq!(retry_delay(attempts).num_seconds(), seconds, "{attempts}");
        }
    }
}
