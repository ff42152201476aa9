//! What waits for the warehouse crew: returns the carrier brings today (delivered, out
//! for delivery, or expected by the end of the day) whose box has not been scanned,
//! and returns received but not yet inspected, the longest waiting first. Both can be
//! narrowed to the warehouse a bench belongs to, and both are read a page at a time,
//! the cursor carrying its position (see [`Position`]) as rows leave the queue.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::{parcels, rmas, DbConnection, PageStart};
use crate::domain::RmaStatus;
use crate::error::AppError;
use crate::paging::{Page, Position};

/// Today's arrivals read at most to put them in order; a day with more is told so.
pub const ARRIVING_CAP: i64 = 5_000;

/// A page of a queue.
#[derive(Debug, Clone)]
pub struct QueuePage<T> {
    pub page: Page<T>,
    /// More rows were waiting than [`ARRIVING_CAP`]: the order covers the first read.
    pub capped: bool,
}

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

/// Where a return stands in the arriving queue: those delivered first (longest
/// waiting at the door first), then those ready for pick-up, then out for delivery,
/// then expected later today (the soonest first).
fn arriving_position(a: &ArrivingReturn) -> Position {
    let rank = match a.parcel_status.as_str() {
        "delivered" => 0,
        "available_for_pickup" => 1,
        "out_for_delivery" => 2,
        _ => 3,
    };
    let at = if rank <= 1 {
        a.delivered_at
    } else {
        a.expected
    };
    Position {
        rank,
        at: at.unwrap_or(DateTime::UNIX_EPOCH.naive_utc()),
        // The parcel too: a return may come in two.
        id: format!("{}/{}", a.rma_number, a.tracking_number),
    }
}

/// Up to `limit` returns the carrier brings to `warehouse` (all when `None`) today, not
/// yet scanned, in queue order after `after` (a cursor of the page before).
pub fn arriving(
    c: &mut DbConnection,
    warehouse: Option<&str>,
    now: DateTime<Utc>,
    after: Option<&str>,
    limit: i64,
) -> Result<QueuePage<ArrivingReturn>, AppError> {
    let after = after.map(Position::parse).transpose()?;
    let since = end_of_day(now) - chrono::Duration::days(1);
    let until = end_of_day(now);
    let mut rows = parcels::arriving_returns(c, warehouse, since, until, ARRIVING_CAP + 1)?;
    let capped = rows.len() as i64 > ARRIVING_CAP;
    rows.truncate(usize::try_from(ARRIVING_CAP).unwrap_or(0));
    let mut ranked: Vec<(Position, ArrivingReturn)> = rows
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
        .map(|a| (arriving_position(&a), a))
        .filter(|(position, _)| after.as_ref().is_none_or(|after| position > after))
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    ranked.truncate(usize::try_from(limit + 1).unwrap_or(0));
    let rows = ranked.into_iter().map(|(_, a)| a).collect();
    Ok(QueuePage {
        page: Page::cut_at(rows, limit, |a| arriving_position(a).cursor()),
        capped,
    })
}

/// Up to `limit` received returns not yet inspected whose box is at `warehouse` (all
/// when `None`): where it was scanned, so a box received at the wrong warehouse waits in
/// the queue of the one that has it. The longest waiting first, after `after` (a cursor
/// of the page before).
pub fn to_inspect(
    c: &mut DbConnection,
    warehouse: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<QueuePage<ReturnToInspect>, AppError> {
    let after = after
        .map(Position::parse)
        .transpose()?
        .map(|p| PageStart { at: p.at, id: p.id });
    let waiting = rmas::awaiting_inspection(c, warehouse, after.as_ref(), limit + 1)?;
    let ids: Vec<String> = waiting.iter().map(|(r, _)| r.id.clone()).collect();
    let lines = rmas::lines_of(c, &ids)?;
    let rows = waiting
        .into_iter()
        .map(|(rma, order_number)| {
            let mine = lines.iter().filter(|l| l.rma_id == rma.id);
            let mut reasons: Vec<String> = Vec::new();
            for line in mine.clone() {
                if !reasons.contains(&line.reason) {
                    reasons.push(line.reason.clone());
                }
            }
            let position = Position {
                rank: 0,
                at: rma.updated_at,
                id: rma.id.clone(),
            };
            let row = ReturnToInspect {
                items: mine.map(|l| l.quantity).sum(),
                reasons,
                rma_number: rma.number,
                order_number,
                received_at: rma.updated_at,
                return_to: rma.return_to,
                resolution: rma.resolution,
            };
            (position, row)
        })
        .collect();
    let page = Page::cut_at(rows, limit, |(position, _)| position.cursor());
    Ok(QueuePage {
        page: page.map(|(_, row)| row),
        capped: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_door_first_then_the_van_then_the_day() {
        let at = |h: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 12, 4).and_then(|d| d.and_hms_opt(h, 0, 0))
        };
        let arriving =
            |number: &str, status: &str, delivered: Option<u32>, expected: Option<u32>| {
                ArrivingReturn {
                    rma_number: number.into(),
                    order_number: String::new(),
                    status: RmaStatus::InTransit,
                    carrier: "sandbox".into(),
                    tracking_number: String::new(),
                    parcel_status: status.into(),
                    expected: expected.and_then(at),
                    delivered_at: delivered.and_then(at),
                    return_to: "DE-BER".into(),
                }
            };
        // In the order the crew should see them.
        let queue = [
            arriving("R-A", "delivered", Some(8), Some(12)),
            arriving("R-B", "delivered", Some(9), None),
            arriving("R-C", "available_for_pickup", Some(7), None),
            arriving("R-D", "out_for_delivery", None, Some(10)),
            arriving("R-E", "in_transit", None, None),
            arriving("R-F", "in_transit", None, Some(11)),
            arriving("R-G", "in_transit", None, Some(16)),
        ];
        let mut positions: Vec<Position> = queue.iter().map(arriving_position).collect();
        let in_order = positions.clone();
        positions.reverse();
        positions.sort();
        assert_eq!(positions, in_order);
        let ranks: Vec<u8> = in_order.iter().map(|p| p.rank).collect();
        assert_eq!(ranks, [0, 0, 1, 2, 3, 3, 3]);
    }

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
