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

    /// The number as a customer may type it: ASCII letters in lower case, hyphens
    /// left out (`demo1001` finds `DEMO-1001`). Stored numbers are compared by the same
    /// key in SQL (`db::orders::LOOKUP_KEY`).
    pub fn lookup_key(&self) -> String {
        self.0
            .chars()
            .filter(|c| *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect()
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
    let code = u32::from(c);
    !REFUSED
        .iter()
        .any(|(first, last)| (*first..=*last).contains(&code))
}

/// Every character an order number may not hold, as inclusive code point ranges: one
/// table that both [`OrderNumber::parse`] and the API document's pattern
/// ([`schema_pattern`]) read, so the document cannot promise a character we refuse.
/// Whitespace (Unicode White_Space), C0 and C1 controls, the URL-unsafe / ? # % \ and
/// their full-width forms (read as the ASCII character), format characters (category
/// Cf: zero-width, joiners, bidi controls, the byte-order mark, soft hyphen, tags) and
/// characters that render as nothing.
const REFUSED: &[(u32, u32)] = &[
    (0x0000, 0x0020),
    (0x0023, 0x0023),
    (0x0025, 0x0025),
    (0x002F, 0x002F),
    (0x003F, 0x003F),
    (0x005C, 0x005C),
    (0x007F, 0x00A0),
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x1680, 0x1680),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2000, 0x200F),
    (0x2028, 0x202F),
    (0x205F, 0x206F),
    (0x2800, 0x2800),
    (0x3000, 0x3000),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFF03, 0xFF03),
    (0xFF05, 0xFF05),
    (0xFF0F, 0xFF0F),
    (0xFF1F, 0xFF1F),
    (0xFF3C, 0xFF3C),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// The API document's pattern for an order number: one or more characters outside
/// [`REFUSED`]. Basic-plane characters are written `\uXXXX` (read alike by ECMA-262,
/// Python and Rust regexes); the few beyond it are written as themselves, since ECMA
/// has no plain escape for them.
pub fn schema_pattern() -> String {
    let one = |code: u32| match char::from_u32(code) {
        Some(c) if code > 0xFFFF => c.to_string(),
        _ => format!(r"\u{code:04X}"),
    };
    let class: String = REFUSED
        .iter()
        .map(|(first, last)| {
            if first == last {
                one(*first)
            } else {
                format!("{}-{}", one(*first), one(*last))
            }
        })
        .collect();
    format!("^[^{class}]+$")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_keys_ignore_case_and_hyphens() {
        let key = |t: &str| OrderNumber::parse(t).expect("valid").lookup_key();
        for (typed, want) in [
            ("DEMO-1001", "demo1001"),
            ("demo1001", "demo1001"),
            ("Demo–10-01", "demo1001"),
            ("SHOP_1001", "shop_1001"),
            ("ÄB-1", "Äb1"),
        ] {
            assert_eq!(key(typed), want, "{typed}");
        }
    }

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
    fn the_document_pattern_admits_exactly_what_parse_keeps() {
        let pattern = regex::Regex::new(&schema_pattern()).expect("the pattern compiles");
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let typed = format!("A{c}B");
            assert_eq!(
                pattern.is_match(&typed),
                OrderNumber::parse(&typed).is_ok(),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn spaces_and_controls_of_every_kind_are_refused() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            if c.is_whitespace() || c.is_control() {
                assert!(!allowed(c), "U+{:04X}", u32::from(c));
            }
        }
        assert!(REFUSED.windows(2).all(|w| w[0].1 < w[1].0), "sorted, apart");
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
