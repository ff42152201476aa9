//! What moves when an item is exchanged for another product: the replacement's worth
//! against the returned item's, both with tax at the rate the customer paid on the
//! returned line. Exact in minor units: one half-up rounding per tax share.

use serde::Serialize;

use super::money::{line_value, share_half_up, Currency, Money};

/// The returned order line, as the order has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnedLine {
    pub unit_price_minor: i64,
    /// Tax for the whole order line.
    pub line_tax_minor: i64,
    pub ordered_quantity: i64,
}

/// What `quantity` of the line and `quantity` of a replacement at
/// `replacement_price_minor` are worth, tax included: (replacement, returned). The
/// replacement's tax is the returned line's rate (its tax over its price), so a dearer
/// product carries proportionally more tax. `None` on overflow.
pub fn values(
    line: ReturnedLine,
    replacement_price_minor: i64,
    quantity: i64,
) -> Option<(i64, i64)> {
    let returned = line_value(
        line.unit_price_minor,
        line.line_tax_minor,
        quantity,
        line.ordered_quantity,
    )?
    .total()?;
    let item = replacement_price_minor.checked_mul(quantity)?;
    let line_price = line
        .unit_price_minor
        .checked_mul(line.ordered_quantity.max(1))?;
    let tax = if line_price == 0 {
        0
    } else {
        share_half_up(item, line.line_tax_minor, line_price)?
    };
    Some((item.checked_add(tax)?, returned))
}

/// The two sides of an exchange for another product and who pays the difference: at
/// most one of `customer_pays` and `refunded` is above zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PriceDifference {
    /// The replacements, tax included.
    #[schema(value_type = crate::domain::Money)]
    pub replacement_value: Money,
    /// The items sent back, tax included.
    #[schema(value_type = crate::domain::Money)]
    pub returned_value: Money,
    /// What the customer owes: the replacement is dearer.
    #[schema(value_type = crate::domain::Money)]
    pub customer_pays: Money,
    /// What goes back to the customer's original payment: the replacement is cheaper.
    #[schema(value_type = crate::domain::Money)]
    pub refunded: Money,
}

impl PriceDifference {
    pub fn of(currency: Currency, replacement_minor: i64, returned_minor: i64) -> PriceDifference {
        let money = |minor: i64| Money::from_minor(minor, currency);
        PriceDifference {
            replacement_value: money(replacement_minor),
            returned_value: money(returned_minor),
            customer_pays: money((replacement_minor - returned_minor).max(0)),
            refunded: money((returned_minor - replacement_minor).max(0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replacement_carries_the_returned_lines_tax_rate() {
        // (price, line tax, ordered, replacement price, quantity) → (replacement, returned)
        let table = [
            // 19 %: 49.90 + 9.48 returned, 59.90 + 11.38 sent.
            (4990, 948, 1, 5990, 1, Some((7128, 5938))),
            // Two of three at 20.00 with 12.00 tax for the line: tax 8.00 each side.
            (2000, 1200, 3, 2000, 2, Some((4800, 4800))),
            // Cheaper: 10.00 at 20 % for a 20.00 item at 20 %.
            (2000, 400, 1, 1000, 1, Some((1200, 2400))),
            // No tax on the order line, none on the replacement.
            (2000, 0, 1, 2500, 1, Some((2500, 2000))),
            // A free item: no rate to carry, the replacement at its price.
            (0, 0, 1, 1500, 1, Some((1500, 0))),
            // Half up on the replacement's tax: 9.99 × 7 % = 0.6993 → 0.70.
            (1000, 70, 1, 999, 1, Some((1069, 1070))),
            // Yen (no minor unit) the same way: 3,000 at 10 % for 2,980 at 10 %.
            (2980, 298, 1, 3000, 1, Some((3300, 3278))),
            (i64::MAX, 0, 1, i64::MAX, 2, None),
        ];
        for (price, tax, ordered, replacement, quantity, expected) in table {
            let line = ReturnedLine {
                unit_price_minor: price,
                line_tax_minor: tax,
                ordered_quantity: ordered,
            };
            assert_eq!(
                values(line, replacement, quantity),
                expected,
                "{price} {tax} {ordered} {replacement} {quantity}"
            );
        }
    }

    #[test]
    fn one_side_pays_the_difference() {
        let eur = Currency::parse("EUR").expect("EUR");
        let dearer = PriceDifference::of(eur, 7128, 5938);
        assert_eq!(dearer.customer_pays.minor(), 1190);
        assert_eq!(dearer.refunded.minor(), 0);
        let cheaper = PriceDifference::of(eur, 1200, 2400);
        assert_eq!(cheaper.customer_pays.minor(), 0);
        assert_eq!(cheaper.refunded.minor(), 1200);
        let even = PriceDifference::of(eur, 4800, 4800);
        assert_eq!((even.customer_pays.minor(), even.refunded.minor()), (0, 0));
    }
}
