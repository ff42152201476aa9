//! What waits for the warehouse crew: returns the carrier brings today (delivered, out
//! for delivery, or expected by the end of the day) whose box has not been scanned,
//! and returns received but not yet inspected, the longest waiting first. Both can be
//! narrowed to the warehouse a bench belongs to.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::{parcels, rmas, DbConnection};
use crate::domain::RmaStatus;
use crate::error::AppError;

/// How many rows a queue shows at most; a queue longer than that has a bigger problem.
pub const QUEUE_LIMIT: i64 = 500;

/// A return parcel the carrier brings today.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivingReturn {
    pub rma_number: String,
    pub order_number: String,
    pub status: RmaStatus,
    pub carrier: String,
    pub tracking_number: String,
    /// The carrier's word for where the parcel is (`delivered`, `out_for_delivery`, …).
    pub parcel_status: String,
    pub expected: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub return_to: String,
}

/// A received return waiting for its inspection.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnToInspect {
    pub rma_number: String,
    pub order_number: String,
    pub received_at: NaiveDateTime,
    pub return_to: String,
    pub resolution: String,
    /// Items expected in the box.
    pub items: i64,
    /// The customer's reasons, each once.
    pub reasons: Vec<String>,
}

/// The end of `now`'s day (UTC: warehouses carry no time zone yet).
fn end_of_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let next = now.date_naive().succ_opt().unwrap_or(now.date_naive());
    next.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::seconds(1)
}

/// Returns the carrier brings to `warehouse` (all when `None`) today, not yet scanned:
/// those delivered first (longest waiting at the door first), then those out for
/// delivery, then those expected later today.
pub fn arriving(
    c: &mut DbConnection,
    warehouse: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<ArrivingReturn>, AppError> {
    let since = end_of_day(now) - chrono::Duration::days(1);
    let rows = parcels::arriving_returns(c, warehouse, since, end_of_day(now), QUEUE_LIMIT)?;
    let mut out: Vec<ArrivingReturn> = rows
        .into_iter()
        .map(|(parcel, rma, order_number)| ArrivingReturn {
            rma_number: rma.number,
            order_number,
            status: rma.status,
            carrier: parcel.carrier,
            tracking_number: parcel.tracking_number,
            parcel_status: parcel.status,
            expected: parcel.estimated_delivery,
            delivered_at: parcel.delivered_at,
            return_to: rma.return_to,
        })
        .collect();
    let rank = |a: &ArrivingReturn| match a.parcel_status.as_str() {
        "delivered" => 0,
        "available_for_pickup" => 1,
        "out_for_delivery" => 2,
        _ => 3,
    };
    out.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then(a.delivered_at.cmp(&b.delivered_at))
            .then(a.expected.cmp(&b.expected))
            .then(a.rma_number.cmp(&b.rma_number))
    });
    Ok(out)
}

/// Received returns not yet inspected whose box is at `warehouse` (all when `None`):
/// where it was scanned, so a box received at the wrong warehouse waits in the queue
/// of the one that has it. The longest waiting first.
pub fn to_inspect(
    c: &mut DbConnection,
    warehouse: Option<&str>,
) -> Result<Vec<ReturnToInspect>, AppError> {
    let waiting = rmas::awaiting_inspection(c, warehouse, QUEUE_LIMIT)?;
    let ids: Vec<String> = waiting.iter().map(|(r, _)| r.id.clone()).collect();
    let lines = rmas::lines_of(c, &ids)?;
    Ok(waiting
        .into_iter()
        .map(|(rma, order_number)| {
            let mine = lines.iter().filter(|l| l.rma_id == rma.id);
            let mut reasons: Vec<String> = Vec::new();
            for line in mine.clone() {
                if !reasons.contains(&line.reason) {
                    reasons.push(line.reason.clone());
                }
            }
            ReturnToInspect {
                items: mine.map(|l| l.quantity).sum(),
                reasons,
                rma_number: rma.number,
                order_number,
                received_at: rma.updated_at,
                return_to: rma.return_to,
                resolution: rma.resolution,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_ends_at_the_last_second_of_the_utc_day() {
        let cases = [
            ("2026-12-04T00:00:00Z", "2026-12-04T23:59:59Z"),
            ("2026-12-04T13:27:00Z", "2026-12-04T23:59:59Z"),
            ("2026-12-31T23:59:59Z", "2026-12-31T23:59:59Z"),
        ];
        for (now, end) in cases {
            let now: DateTime<Utc> = now.parse().expect("time");
            let end: DateTime<Utc> = end.parse().expect("time");
            assert_eq!(end_of_day(now), end, "{now}");
        }
    }
}
