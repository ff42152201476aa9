//! Money as integer minor units of an ISO 4217 currency.
//!
//! No floats come near an amount: the API's decimal strings are parsed digit by digit
//! into minor units, using the currency's own exponent (JPY 0, EUR 2, KWD 3), and every
//! sum is checked so an overflow is an error instead of a wrong refund.

use std::fmt;

use serde::{Serialize, Serializer};

/// An ISO 4217 currency the service accepts, with its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

/// The currencies Backhaul knows, with their ISO 4217 minor-unit exponents.
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("MYR", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PHP", 2),
    ("PLN", 2),
    ("RON", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency code {0:?}: expected an ISO 4217 code such as EUR, USD or JPY")]
    UnknownCurrency(String),
    #[error("{text:?} is not an amount: expected a decimal such as {example}")]
    NotAnAmount { text: String, example: String },
    #[error("{text:?} has more decimals than {currency} allows ({exponent})")]
    TooPrecise {
        text: String,
        currency: &'static str,
        exponent: u8,
    },
    #[error("amount {0:?} is too large")]
    TooLarge(String),
    #[error("amount must not be negative")]
    Negative,
    #[error("cannot combine {0} and {1}")]
    CurrencyMismatch(&'static str, &'static str),
    #[error("amount overflow")]
    Overflow,
}

impl Currency {
    /// Looks a code up case-insensitively.
    pub fn parse(code: &str) -> Result<Currency, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == upper)
            .map(|&(code, exponent)| Currency { code, exponent })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_string()))
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// How many currencies are known (for docs and tests).
    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES
            .iter()
            .map(|&(code, exponent)| Currency { code, exponent })
    }

    fn example(&self) -> String {
        Money::from_minor(1999, *self).to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// An amount in minor units of one currency. Amounts in Backhaul are never negative
/// except transiently inside a calculation, which uses plain `i64` and checked maths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money::from_minor(0, currency)
    }

    /// Parses the API's decimal string ("19.99", "1999", "1.250") for `currency`.
    /// Rejects signs, exponents, separators and more decimals than the currency has.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let not_an_amount = || MoneyError::NotAnAmount {
            text: text.to_string(),
            example: currency.example(),
        };
        if text.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
            return Err(not_an_amount());
        }
        let fraction = fraction.unwrap_or("");
        let exponent = usize::from(currency.exponent);
        if fraction.len() > exponent {
            return Err(MoneyError::TooPrecise {
                text: text.to_string(),
                currency: currency.code,
                exponent: currency.exponent,
            });
        }
        let too_large = || MoneyError::TooLarge(text.to_string());
        let mut minor: i64 = 0;
        let padded = fraction
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(exponent);
        for digit in whole.bytes().chain(padded) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(digit - b'0')))
                .ok_or_else(too_large)?;
        }
        Ok(Money { minor, currency })
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::from_minor(minor, self.currency))
    }

    /// Subtracts, stopping at zero: a refund is never negative.
    pub fn saturating_sub_to_zero(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(Money::from_minor(
            (self.minor - other.minor).max(0),
            self.currency,
        ))
    }

    /// Sums amounts of one currency; an empty list is zero.
    pub fn sum(
        currency: Currency,
        amounts: impl IntoIterator<Item = Money>,
    ) -> Result<Money, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    fn same_currency(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(
                self.currency.code,
                other.currency.code,
            ))
        }
    }
}

impl fmt::Display for Money {
    /// The API's decimal string, with exactly the currency's decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exponent = u32::from(self.currency.exponent);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exponent == 0 {
            return write!(f, "{sign}{abs}");
        }
        let scale = 10u64.pow(exponent);
        write!(
            f,
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exponent as usize
        )
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `amount × numerator / denominator`, rounded half up, in exact integer maths.
/// Used for tax shares and percentage fees; `None` on overflow or a zero denominator.
pub fn share_half_up(amount: i64, numerator: i64, denominator: i64) -> Option<i64> {
    if denominator <= 0 || amount < 0 || numerator < 0 {
        return None;
    }
    let product = i128::from(amount) * i128::from(numerator);
    let d = i128::from(denominator);
    let rounded = (product * 2 + d) / (2 * d);
    i64::try_from(rounded).ok()
}

/// What `quantity` of an order line is worth, in minor units: the price times the
/// quantity, and the line's tax in proportion to `quantity` of `ordered` (half up).
/// `None` on overflow. The policy's estimate, the inspection's refund and a lost
/// parcel's value all count a line this way.
pub fn line_value(
    unit_price_minor: i64,
    line_tax_minor: i64,
    quantity: i64,
    ordered: i64,
) -> Option<LineValue> {
    Some(LineValue {
        item: unit_price_minor.checked_mul(quantity)?,
        tax: share_half_up(line_tax_minor, quantity, ordered.max(1))?,
    })
}

/// A line's worth: the goods and their tax, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineValue {
    pub item: i64,
    pub tax: i64,
}

impl LineValue {
    pub fn total(&self) -> Option<i64> {
        self.item.checked_add(self.tax)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_lines_worth_for_some_of_its_quantity() {
        // (price, line tax, quantity, ordered) -> (item, tax)
        let table = [
            ((1990, 635, 1, 2), Some((1990, 318))),
            ((1990, 635, 2, 2), Some((3980, 635))),
            ((8990, 1435, 1, 1), Some((8990, 1435))),
            ((100, 1, 1, 3), Some((100, 0))),
            ((100, 2, 1, 3), Some((100, 1))),
            ((i64::MAX, 0, 2, 2), None),
        ];
        for ((price, tax, quantity, ordered), expected) in table {
            let got = line_value(price, tax, quantity, ordered).map(|v| (v.item, v.tax));
            assert_eq!(got, expected, "{price} {tax} {quantity}/{ordered}");
        }
    }
    use super::*;
    use proptest::prelude::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).expect("known currency")
    }

    #[test]
    fn parses_and_formats_with_the_currency_exponent() {
        let table = [
            ("EUR", "19.99", 1999, "19.99"),
            ("EUR", "19.9", 1990, "19.90"),
            ("EUR", "19", 1900, "19.00"),
            ("EUR", "0.01", 1, "0.01"),
            ("JPY", "1999", 1999, "1999"),
            ("KWD", "1.250", 1250, "1.250"),
            ("KWD", "1.25", 1250, "1.250"),
            ("BHD", "0.005", 5, "0.005"),
            ("usd", "007.50", 750, "7.50"),
        ];
        for (code, text, minor, formatted) in table {
            let money = Money::parse(text, cur(code)).expect(text);
            assert_eq!(money.minor(), minor, "{code} {text}");
            assert_eq!(money.to_string(), formatted, "{code} {text}");
        }
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        let table = [
            ("EUR", "19.999", "more decimals"),
            ("JPY", "19.5", "more decimals"),
            ("KWD", "1.2500", "more decimals"),
            ("EUR", "-1.00", "negative"),
            ("EUR", "", "not an amount"),
            ("EUR", "1,00", "not an amount"),
            ("EUR", "1e3", "not an amount"),
            ("EUR", ".5", "not an amount"),
            ("EUR", "5.", "not an amount"),
            ("EUR", "+5", "not an amount"),
            ("EUR", " 5", "not an amount"),
            ("EUR", "99999999999999999999", "too large"),
        ];
        for (code, text, why) in table {
            let err = Money::parse(text, cur(code)).expect_err(text).to_string();
            assert!(err.contains(why), "{text}: {err} should say {why}");
        }
    }

    #[test]
    fn knows_at_least_thirty_currencies_with_their_exponents() {
        assert!(Currency::all().count() >= 30);
        assert_eq!(cur("JPY").exponent(), 0);
        assert_eq!(cur("EUR").exponent(), 2);
        assert_eq!(cur("CNY").exponent(), 2);
        assert_eq!(cur("KWD").exponent(), 3);
        assert!(Currency::parse("XXX").is_err());
        assert!(Currency::parse("EURO").is_err());
    }

    #[test]
    fn mixing_currencies_is_an_error() {
        let a = Money::from_minor(1, cur("EUR"));
        let b = Money::from_minor(1, cur("USD"));
        assert_eq!(
            a.checked_add(b),
            Err(MoneyError::CurrencyMismatch("EUR", "USD"))
        );
    }

    #[test]
    fn share_rounds_half_up() {
        assert_eq!(share_half_up(100, 1, 3), Some(33));
        assert_eq!(share_half_up(200, 1, 3), Some(67));
        assert_eq!(share_half_up(5, 1, 2), Some(3));
        assert_eq!(share_half_up(1999, 1000, 10_000), Some(200));
        assert_eq!(share_half_up(1, 1, 0), None);
    }

    proptest! {
        #[test]
        fn parse_of_format_is_identity(minor in 0i64..i64::MAX, idx in 0usize..41) {
            let currency = Currency::all().nth(idx % Currency::all().count()).expect("index in range");
            let money = Money::from_minor(minor, currency);
            prop_assert_eq!(Money::parse(&money.to_string(), currency), Ok(money));
        }

        #[test]
        fn sums_never_overflow_silently(a in 0i64..=i64::MAX, b in 0i64..=i64::MAX) {
            let eur = cur("EUR");
            let sum = Money::from_minor(a, eur).checked_add(Money::from_minor(b, eur));
            match a.checked_add(b) {
                Some(total) => prop_assert_eq!(sum.map(|m| m.minor()), Ok(total)),
                None => prop_assert_eq!(sum, Err(MoneyError::Overflow)),
            }
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,30}") {
            let _ = Money::parse(&text, cur("EUR"));
        }
    }
}
