//! The bonus a customer gets for taking store credit instead of money back: a share of
//! the credit, at most a cap per currency. The terms are stored with the decision the
//! customer saw, so the credit issued after inspection keeps the promise even if the
//! policy changed meanwhile.

use serde::Serialize;

use super::money::{share_half_up, Money};

/// The bonus on one credit: its terms and what they came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoreCreditBonus {
    /// Percent of the credit added on top.
    pub percent: u32,
    /// The most the bonus can be, in the credit's currency; none when uncapped.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::domain::Money>)]
    pub max: Option<Money>,
    /// The bonus on this credit.
    #[schema(value_type = crate::domain::Money)]
    pub amount: Money,
    /// Whether the cap cut the bonus.
    #[serde(skip)]
    capped: bool,
}

impl StoreCreditBonus {
    /// The bonus on `credit`: `percent` of it, rounded half up, at most `max`.
    /// `None` on overflow.
    pub fn on(credit: Money, percent: u32, max: Option<Money>) -> Option<StoreCreditBonus> {
        let share = share_half_up(credit.minor(), i64::from(percent), 100)?;
        let cap = max.map_or(i64::MAX, |m| m.minor().max(0));
        Some(StoreCreditBonus {
            percent,
            max,
            amount: Money::from_minor(share.min(cap), credit.currency()),
            capped: share > cap,
        })
    }

    /// The same terms on another credit (what the inspection found, say).
    pub fn again(&self, credit: Money) -> Option<StoreCreditBonus> {
        StoreCreditBonus::on(credit, self.percent, self.max)
    }

    /// Whether the cap cut the bonus.
    pub fn capped(&self) -> bool {
        self.capped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

    #[test]
    fn a_share_of_the_credit_up_to_the_cap() {
        let eur = Currency::parse("EUR").expect("EUR");
        let jpy = Currency::parse("JPY").expect("JPY");
        let m = |minor, c| Money::from_minor(minor, c);
        // (credit, percent, max, bonus, capped)
        let table = [
            (m(5000, eur), 10, Some(m(2000, eur)), 500, false),
            (m(50000, eur), 10, Some(m(2000, eur)), 2000, true),
            // Exactly the cap: not cut by it.
            (m(20000, eur), 10, Some(m(2000, eur)), 2000, false),
            (m(5000, eur), 10, None, 500, false),
            // Half up: 10 % of 0.15 is 0.015 → 0.02.
            (m(15, eur), 10, None, 2, false),
            (m(5000, eur), 0, Some(m(2000, eur)), 0, false),
            (m(0, eur), 10, Some(m(2000, eur)), 0, false),
            (m(2980, jpy), 15, Some(m(1000, jpy)), 447, false),
        ];
        for (credit, percent, max, bonus, capped) in table {
            let b = StoreCreditBonus::on(credit, percent, max).expect("no overflow");
            assert_eq!(b.amount.minor(), bonus, "{credit} {percent} %");
            assert_eq!(b.amount.currency(), credit.currency());
            assert_eq!(b.capped(), capped, "{credit} {percent} %");
        }
        assert!(StoreCreditBonus::on(m(i64::MAX, eur), 100, None).is_some());
    }

    #[test]
    fn the_terms_carry_over_to_the_inspected_credit() {
        let eur = Currency::parse("EUR").expect("EUR");
        let quoted = StoreCreditBonus::on(Money::from_minor(8000, eur), 10, None).expect("bonus");
        let found = quoted.again(Money::from_minor(6000, eur)).expect("bonus");
        assert_eq!(found.amount.minor(), 600);
        assert_eq!(found.percent, 10);
    }
}
