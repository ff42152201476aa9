//! How times and amounts are written in answers, emails and CSV files: RFC 3339 UTC to
//! the second, and money with exactly its currency's decimals.

use chrono::{NaiveDateTime, SecondsFormat};

use super::money::{Currency, Money};

/// A stored (naive UTC) time as RFC 3339: `2026-11-20T09:00:00Z`.
pub fn time(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Minor units of `currency_code` as a decimal (`1999`, `EUR` → `19.99`); codes come
/// from our own validated rows, so an unknown one only shows the minor units.
pub fn amount(minor: i64, currency_code: &str) -> String {
    match Currency::parse(currency_code) {
        Ok(c) => Money::from_minor(minor, c).to_string(),
        Err(_) => minor.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_amounts() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 20)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("time");
        assert_eq!(time(t), "2026-11-20T09:00:00Z");
        for (minor, code, text) in [
            (1999, "EUR", "19.99"),
            (1999, "JPY", "1999"),
            (1250, "KWD", "1.250"),
            (5, "XXX?", "5"),
        ] {
            assert_eq!(amount(minor, code), text);
        }
    }
}
