//! Converting amounts between currencies with the rates the shop configures, so a label
//! the carrier bills in USD is recorded in the order's EUR.
//!
//! Rates are exact decimals ("1.0832" units of the currency per one unit of the base
//! currency), kept as integer fractions; a conversion is one multiplication and one
//! division in 128-bit integers, rounded half up to the target's minor unit.

use std::collections::BTreeMap;

use super::money::{Currency, Money};

/// `numerator / denominator` units of a currency per unit of the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rate {
    numerator: i128,
    denominator: i128,
}

impl Rate {
    const ONE: Rate = Rate {
        numerator: 1,
        denominator: 1,
    };

    /// A positive decimal such as "1.0832" or "157".
    fn parse(text: &str) -> Option<Rate> {
        let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
        let digits = format!("{whole}{fraction}");
        if whole.is_empty() || fraction.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let numerator: i128 = digits.parse().ok()?;
        let denominator = 10i128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
        (numerator > 0).then_some(Rate {
            numerator,
            denominator,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    #[error("no exchange rate for {0}: add it to exchange_rates.rates")]
    NoRate(&'static str),
    #[error("converting {0} overflows")]
    Overflow(String),
}

#[derive(Debug, Clone)]
pub struct ExchangeRates {
    base: Currency,
    rates: BTreeMap<&'static str, Rate>,
}

impl ExchangeRates {
    /// Reads the configured rates; the error names the bad entry.
    pub fn new(base: &str, rates: &BTreeMap<String, String>) -> Result<ExchangeRates, String> {
        let base = Currency::parse(base).map_err(|e| format!("exchange_rates.base: {e}"))?;
        let mut parsed = BTreeMap::from([(base.code(), Rate::ONE)]);
        for (code, text) in rates {
            let currency =
                Currency::parse(code).map_err(|e| format!("exchange_rates.rates.{code}: {e}"))?;
            let rate = Rate::parse(text).ok_or_else(|| {
                format!("exchange_rates.rates.{code}: {text:?} is not a positive decimal such as \"1.0832\"")
            })?;
            if currency == base && rate.numerator != rate.denominator {
                return Err(format!(
                    "exchange_rates.rates.{code}: the base currency's rate is 1"
                ));
            }
            parsed.insert(currency.code(), rate);
        }
        Ok(ExchangeRates {
            base,
            rates: parsed,
        })
    }

    pub fn base(&self) -> Currency {
        self.base
    }

    fn rate(&self, currency: Currency) -> Result<Rate, ExchangeError> {
        self.rates
            .get(currency.code())
            .copied()
            .ok_or(ExchangeError::NoRate(currency.code()))
    }

    /// `amount` in `to`, rounded half up to `to`'s minor unit. Same currency: unchanged.
    pub fn convert(&self, amount: Money, to: Currency) -> Result<Money, ExchangeError> {
        let from = amount.currency();
        if from == to {
            return Ok(amount);
        }
        let (rf, rt) = (self.rate(from)?, self.rate(to)?);
        let overflow = || ExchangeError::Overflow(format!("{amount} {}", from.code()));
        let scale = |exponent: u8| 10i128.pow(u32::from(exponent));
        // minor_to = minor_from / 10^e_from / rate_from * rate_to * 10^e_to
        let numerator = i128::from(amount.minor())
            .checked_mul(scale(to.exponent()))
            .and_then(|v| v.checked_mul(rt.numerator))
            .and_then(|v| v.checked_mul(rf.denominator))
            .ok_or_else(overflow)?;
        let denominator = scale(from.exponent())
            .checked_mul(rt.denominator)
            .and_then(|v| v.checked_mul(rf.numerator))
            .ok_or_else(overflow)?;
        let rounded = numerator
            .checked_mul(2)
            .and_then(|v| v.checked_add(denominator))
            .map(|v| v / (2 * denominator))
            .ok_or_else(overflow)?;
        let minor = i64::try_from(rounded).map_err(|_| overflow())?;
        Ok(Money::from_minor(minor, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates() -> ExchangeRates {
        let table = [
            ("USD", "1.08"),
            ("JPY", "160"),
            ("KWD", "0.333"),
            ("GBP", "0.85"),
        ];
        ExchangeRates::new(
            "EUR",
            &table
                .iter()
                .map(|(c, r)| (c.to_string(), r.to_string()))
                .collect(),
        )
        .expect("rates")
    }

    fn money(text: &str, code: &str) -> Money {
        let currency = Currency::parse(code).expect("currency");
        Money::parse(text, currency).expect("amount")
    }

    #[test]
    fn converts_through_the_base_rounding_half_up() {
        let r = rates();
        let table = [
            // (amount, from, to, expected)
            ("10.80", "USD", "EUR", "10.00"),
            ("10.00", "EUR", "USD", "10.80"),
            ("1.00", "USD", "EUR", "0.93"), // 0.9259…
            ("0.01", "USD", "EUR", "0.01"), // 0.00925… rounds up to a cent
            ("1600", "JPY", "EUR", "10.00"),
            ("10.00", "EUR", "JPY", "1600"),
            ("5.00", "USD", "JPY", "741"),   // 740.74…
            ("1.080", "KWD", "USD", "3.50"), // 1.08/0.333×1.08 = 3.5027…
            ("8.50", "GBP", "USD", "10.80"),
            ("7.64", "EUR", "EUR", "7.64"),
            ("0", "USD", "JPY", "0"),
        ];
        for (amount, from, to, expected) in table {
            let converted = r
                .convert(money(amount, from), Currency::parse(to).expect("to"))
                .expect("converts");
            assert_eq!(converted.to_string(), expected, "{amount} {from} → {to}");
            assert_eq!(converted.currency().code(), to);
        }
    }

    #[test]
    fn a_missing_rate_is_named() {
        let err = rates()
            .convert(money("1.00", "USD"), Currency::parse("CHF").expect("chf"))
            .expect_err("no CHF rate");
        assert_eq!(err, ExchangeError::NoRate("CHF"));
        assert!(err.to_string().contains("exchange_rates.rates"));
    }

    #[test]
    fn bad_configuration_names_the_entry() {
        let one = |code: &str, rate: &str| {
            ExchangeRates::new(
                "EUR",
                &BTreeMap::from([(code.to_string(), rate.to_string())]),
            )
            .map(|_| ())
        };
        for (code, rate, needle) in [
            ("USD", "-1", "exchange_rates.rates.USD"),
            ("USD", "0", "exchange_rates.rates.USD"),
            ("USD", "1,08", "exchange_rates.rates.USD"),
            ("USD", "", "exchange_rates.rates.USD"),
            ("XXX", "1", "exchange_rates.rates.XXX"),
            ("EUR", "2", "base currency"),
        ] {
            let err = one(code, rate).expect_err(rate);
            assert!(err.contains(needle), "{code}={rate}: {err}");
        }
        assert!(one("EUR", "1.000").is_ok());
        assert!(ExchangeRates::new("ZZZ", &BTreeMap::new()).is_err());
    }

    #[test]
    fn huge_amounts_overflow_as_errors() {
        let r = rates();
        let err = r
            .convert(
                Money::from_minor(i64::MAX, Currency::parse("EUR").expect("eur")),
                Currency::parse("JPY").expect("jpy"),
            )
            .expect_err("overflow");
        assert!(matches!(err, ExchangeError::Overflow(_)));
    }
}
