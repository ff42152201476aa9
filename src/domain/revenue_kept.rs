//! What returns kept for the shop: per currency and week, the value of items resolved
//! by an exchange or store credit (the sale kept) against the value refunded in money;
//! and how often each reason or SKU ends in an exchange. Pure: the dashboard passes the
//! returned lines in.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};

use super::{Resolution, RmaStatus};

/// One returned line as these figures need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returned<'a> {
    pub day: NaiveDate,
    pub resolution: Resolution,
    pub status: RmaStatus,
    pub currency: &'a str,
    pub quantity: i64,
    /// What the units were bought for, tax included, in minor units.
    pub value_minor: i64,
}

/// Minor units kept (exchanges, store credit) and refunded (money back, keep-it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kept {
    pub kept_minor: i64,
    pub refunded_minor: i64,
}

/// Whether a return's goods came back and were checked: only then is a sale kept or
/// money refunded.
fn came_back(status: RmaStatus) -> bool {
    matches!(
        status,
        RmaStatus::Inspected | RmaStatus::RefundTriggered | RmaStatus::Closed
    )
}

/// Whether a return was asked for at all: refused, cancelled and expired ones were not.
fn counts(status: RmaStatus) -> bool {
    !matches!(
        status,
        RmaStatus::Rejected | RmaStatus::Cancelled | RmaStatus::Expired
    )
}

/// Whether the resolution keeps the sale.
fn keeps_the_sale(resolution: Resolution) -> bool {
    resolution.ships_replacement() || resolution == Resolution::StoreCredit
}

/// The Monday of `day`'s ISO week.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Kept against refunded per currency, then per week (its Monday), oldest first.
pub fn per_week(lines: &[Returned<'_>]) -> BTreeMap<String, BTreeMap<NaiveDate, Kept>> {
    let mut out: BTreeMap<String, BTreeMap<NaiveDate, Kept>> = BTreeMap::new();
    for l in lines.iter().filter(|l| came_back(l.status)) {
        let week = out
            .entry(l.currency.to_string())
            .or_default()
            .entry(week_of(l.day))
            .or_default();
        // A repair neither keeps a sale nor refunds one.
        if keeps_the_sale(l.resolution) {
            week.kept_minor = week.kept_minor.saturating_add(l.value_minor);
        } else if matches!(l.resolution, Resolution::Refund | Resolution::KeepIt) {
            week.refunded_minor = week.refunded_minor.saturating_add(l.value_minor);
        }
    }
    out
}

/// Per key (a reason, a SKU), the share of returned units that ended in an exchange
/// (percent) and the units, the most returned first; at most `top`.
pub fn exchange_rate<'a>(
    lines: impl IntoIterator<Item = (&'a str, &'a Returned<'a>)>,
    top: usize,
) -> Vec<(String, f64, i64)> {
    let mut units: HashMap<&str, (i64, i64)> = HashMap::new();
    for (key, l) in lines.into_iter().filter(|(_, l)| counts(l.status)) {
        let e = units.entry(key).or_default();
        e.0 += l.quantity;
        if l.resolution.ships_replacement() {
            e.1 += l.quantity;
        }
    }
    let mut rows: Vec<(String, f64, i64)> = units
        .into_iter()
        .map(|(k, (all, exchanged))| {
            (
                k.to_string(),
                100.0 * exchanged as f64 / all.max(1) as f64,
                all,
            )
        })
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    rows.truncate(top);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("a day")
    }

    fn line(d: u32, resolution: Resolution, currency: &str, value: i64) -> Returned<'_> {
        Returned {
            day: day(d),
            resolution,
            status: RmaStatus::Inspected,
            currency,
            quantity: 1,
            value_minor: value,
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-16 is a Monday.
        for (d, monday) in [(16, 16), (18, 16), (22, 16), (23, 23), (30, 30)] {
            assert_eq!(week_of(day(d)), day(monday), "{d}");
        }
    }

    #[test]
    fn exchanges_and_store_credit_keep_the_sale() {
        let mut cancelled = line(17, Resolution::ExchangeVariant, "EUR", 9_999);
        cancelled.status = RmaStatus::Cancelled;
        // Not back yet: nothing kept or refunded so far.
        let mut on_its_way = line(17, Resolution::StoreCredit, "EUR", 7_777);
        on_its_way.status = RmaStatus::InTransit;
        let lines = [
            line(16, Resolution::ExchangeVariant, "EUR", 2_308),
            line(17, Resolution::ExchangeProduct, "EUR", 10_425),
            line(18, Resolution::StoreCredit, "EUR", 1_000),
            line(19, Resolution::Refund, "EUR", 5_000),
            line(20, Resolution::KeepIt, "EUR", 500),
            line(23, Resolution::Refund, "EUR", 700),
            line(18, Resolution::StoreCredit, "JPY", 3_000),
            line(19, Resolution::Repair, "EUR", 17_279),
            cancelled,
            on_its_way,
        ];
        let weeks = per_week(&lines);
        let eur = &weeks["EUR"];
        assert_eq!(
            eur[&day(16)],
            Kept {
                kept_minor: 13_733,
                refunded_minor: 5_500
            }
        );
        assert_eq!(
            eur[&day(23)],
            Kept {
                kept_minor: 0,
                refunded_minor: 700
            }
        );
        assert_eq!(weeks["JPY"][&day(16)].kept_minor, 3_000);
    }

    #[test]
    fn the_exchange_rate_per_key() {
        let lines = [
            line(16, Resolution::ExchangeVariant, "EUR", 1),
            line(16, Resolution::Refund, "EUR", 1),
            line(16, Resolution::Refund, "EUR", 1),
            line(16, Resolution::Exchange, "EUR", 1),
        ];
        let keyed = [
            ("size_too_small", &lines[0]),
            ("size_too_small", &lines[1]),
            ("changed_mind", &lines[2]),
            ("defective", &lines[3]),
        ];
        let rows = exchange_rate(keyed, 10);
        assert_eq!(rows[0], ("size_too_small".to_string(), 50.0, 2));
        assert!(rows.contains(&("changed_mind".to_string(), 0.0, 1)));
        assert!(rows.contains(&("defective".to_string(), 100.0, 1)));
        assert_eq!(exchange_rate(keyed, 1).len(), 1);
    }
}
