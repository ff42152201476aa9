//! Order numbers: what shops print on invoices, what customers type into the look-up,
//! and part of our URLs. One rule for storing and for looking up, so an order that was
//! accepted can always be found: NFC-normalized, full-width letters and digits and
//! hyphen look-alikes read as their ASCII character (what a phone keyboard or a copy
//! from a PDF gives), and nothing invisible — no control, zero-width or bidi-override
//! character — so `DEMO-1001` followed by a zero-width space is refused rather than
//! stored as a second order.

use unicode_normalization::UnicodeNormalization;

pub const MAX_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderNumberError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {MAX_CHARS} characters")]
    TooLong,
    #[error("must not contain spaces, invisible characters or any of / ? # % \\ (found {0})")]
    BadCharacter(String),
}

impl OrderNumber {
    pub fn parse(text: &str) -> Result<OrderNumber, OrderNumberError> {
        let number: String = text.trim().nfc().map(ascii_look_alike).collect();
        if number.is_empty() {
            return Err(OrderNumberError::Empty);
        }
        if number.chars().count() > MAX_CHARS {
            return Err(OrderNumberError::TooLong);
        }
        if let Some(bad) = number.chars().find(|c| !allowed(*c)) {
            return Err(OrderNumberError::BadCharacter(format!(
                "U+{:04X}",
                u32::from(bad)
            )));
        }
        Ok(OrderNumber(number))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Full-width ASCII (U+FF01..U+FF5E) and the dashes people paste as their ASCII form.
fn ascii_look_alike(c: char) -> char {
    match u32::from(c) {
        0xFF01..=0xFF5E => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        0x2010..=0x2015 | 0x2212 | 0xFE58 | 0xFE63 | 0x30FC | 0x2043 => '-',
        _ => c,
    }
}

fn allowed(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c, '/' | '?' | '#' | '%' | '\\')
        || invisible(c))
}

/// Format characters (Unicode category Cf: zero-width, joiners, bidi controls, the
/// byte-order mark, soft hyphen, tags) and characters that render as nothing.
fn invisible(c: char) -> bool {
    matches!(u32::from(c),
        0x00AD | 0x034F | 0x061C | 0x0600..=0x0605 | 0x06DD | 0x070F | 0x08E2
        | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F
        | 0x2800 | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB
        | 0x110BD | 0x110CD | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_for_each_order() {
        // (typed, stored as)
        let table = [
            ("DEMO-1001", "DEMO-1001"),
            ("  DEMO-1001 ", "DEMO-1001"),
            ("ＤＥＭＯ－１００１", "DEMO-1001"),
            ("DEMO\u{2011}1001", "DEMO-1001"),
            ("DEMO\u{2013}1001", "DEMO-1001"),
            ("DEMO\u{2212}1001", "DEMO-1001"),
            ("Cafe\u{301}-1", "Café-1"),
            ("订单-42", "订单-42"),
            ("", ""),
        ];
        for (typed, stored) in table {
            match OrderNumber::parse(typed) {
                Ok(n) => assert_eq!(n.as_str(), stored, "{typed:?}"),
                Err(e) => assert!(stored.is_empty(), "{typed:?}: {e}"),
            }
        }
    }

    #[test]
    fn invisible_and_unsafe_characters_are_refused() {
        for bad in [
            "DEMO-1001\u{200B}",
            "DEMO\u{200D}1001",
            "DEMO-1001\u{202E}",
            "DEMO-\u{2066}1001",
            "\u{FEFF}DEMO-1001",
            "DEMO\u{00AD}1001",
            "DEMO\u{0000}1001",
            "DEMO\n1001",
            "DEMO 1001",
            "DEMO\u{3000}1001",
            "DEMO/1001",
            "DEMO%2F1001",
            "DEMO\u{3164}1001",
            "DEMO\u{E0041}1001",
        ] {
            assert!(
                matches!(
                    OrderNumber::parse(bad),
                    Err(OrderNumberError::BadCharacter(_))
                ),
                "{bad:?}"
            );
        }
        assert_eq!(OrderNumber::parse(" "), Err(OrderNumberError::Empty));
    }

    #[test]
    fn sixty_four_characters_whatever_their_bytes() {
        let chinese = "订".repeat(64);
        assert_eq!(
            OrderNumber::parse(&chinese).map(|n| n.as_str().len()),
            Ok(192)
        );
        assert_eq!(
            OrderNumber::parse(&"订".repeat(65)),
            Err(OrderNumberError::TooLong)
        );
    }
}
