//! RMA numbers: `R-7KQ2-M9XD`.
//!
//! Seven random Crockford base32 characters and one check character computed with the
//! Luhn mod N algorithm over the base32 alphabet. Luhn mod 32 maps every position
//! through a permutation, so any single mistyped character changes the check and is
//! caught before the number reaches the database. Customers read these numbers over the
//! phone and type them from paper, so parsing is forgiving: case-insensitive, dashes and
//! spaces optional, and Crockford's look-alikes (O→0, I/L→1) accepted.

use std::fmt;

use rand::Rng;
use serde::{Serialize, Serializer};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DATA_LEN: usize = 7;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RmaNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RmaNumberError {
    #[error("an RMA number looks like R-7KQ2-M9XD (8 characters after the R)")]
    WrongShape,
    #[error("{0:?} is not a character RMA numbers use")]
    BadCharacter(char),
    #[error("the check character does not match: the number is mistyped")]
    BadCheck,
}

fn value_of(c: char) -> Option<u32> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// Luhn mod 32 check value for `values` (the data characters, most significant first).
fn check_value(values: &[u32]) -> u32 {
    const N: u32 = 32;
    let mut factor = 2;
    let mut sum = 0;
    for &v in values.iter().rev() {
        let addend = factor * v;
        sum += addend / N + addend % N;
        factor = if factor == 2 { 1 } else { 2 };
    }
    (N - sum % N) % N
}

fn symbol(value: u32) -> char {
    char::from(ALPHABET[value as usize % 32])
}

impl RmaNumber {
    /// The shape [`RmaNumber::parse`] reads (the check character is checked after):
    /// every letter but U, as I, L and O read as 1, 1 and 0.
    pub const PATTERN: &'static str = "^ *[Rr][- ]*([0-9A-TV-Za-tv-z][- ]*){7}[0-9A-TV-Za-tv-z] *$";

    /// A fresh random number. Uniqueness is the database's job (unique index, retry).
    pub fn generate(rng: &mut impl Rng) -> RmaNumber {
        let values: Vec<u32> = (0..DATA_LEN).map(|_| rng.random_range(0..32)).collect();
        RmaNumber::from_values(&values)
    }

    fn from_values(values: &[u32]) -> RmaNumber {
        let mut chars: String = values.iter().map(|&v| symbol(v)).collect();
        chars.push(symbol(check_value(values)));
        RmaNumber(format!("R-{}-{}", &chars[..4], &chars[4..]))
    }

    /// Parses what a person or a scanner typed.
    pub fn parse(text: &str) -> Result<RmaNumber, RmaNumberError> {
        let compact: Vec<char> = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .collect();
        let body = match compact.split_first() {
            Some((r, rest)) if r.eq_ignore_ascii_case(&'R') && rest.len() == DATA_LEN + 1 => rest,
            _ => return Err(RmaNumberError::WrongShape),
        };
        let values = body
            .iter()
            .map(|&c| value_of(c).ok_or(RmaNumberError::BadCharacter(c)))
            .collect::<Result<Vec<u32>, _>>()?;
        let (data, check) = values.split_at(DATA_LEN);
        if check_value(data) != check[0] {
            return Err(RmaNumberError::BadCheck);
        }
        Ok(RmaNumber::from_values(data))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RmaNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RmaNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_numbers_have_the_documented_shape_and_parse_back() {
        let mut rng = rand::rng();
        for _ in 0..200 {
            let number = RmaNumber::generate(&mut rng);
            let s = number.as_str();
            assert_eq!(s.len(), 11, "{s}");
            assert!(s.starts_with("R-") && &s[6..7] == "-", "{s}");
            assert_eq!(RmaNumber::parse(s), Ok(number.clone()));
        }
    }

    #[test]
    fn parsing_is_forgiving_about_how_it_was_typed() {
        let number = RmaNumber::from_values(&[0, 1, 2, 3, 4, 5, 6]);
        let canonical = number.as_str().to_string();
        let compact = canonical.replace('-', "");
        let table = [
            canonical.clone(),
            canonical.to_lowercase(),
            compact.clone(),
            format!("  {} ", compact.to_lowercase()),
            canonical.replacen('0', "O", 1).replacen('1', "l", 1),
            canonical.replacen('-', " ", 2),
        ];
        for typed in table {
            assert_eq!(RmaNumber::parse(&typed), Ok(number.clone()), "{typed}");
        }
    }

    #[test]
    fn rejects_wrong_shapes_and_characters() {
        let table = [
            ("", RmaNumberError::WrongShape),
            ("R-1234", RmaNumberError::WrongShape),
            ("X-0123-4567", RmaNumberError::WrongShape),
            ("R-0123-45678", RmaNumberError::WrongShape),
            ("R-0U23-4567", RmaNumberError::BadCharacter('U')),
            ("R-0123-456*", RmaNumberError::BadCharacter('*')),
        ];
        for (text, expected) in table {
            assert_eq!(RmaNumber::parse(text), Err(expected), "{text}");
        }
    }

    proptest! {
        #[test]
        fn any_single_mistyped_character_is_detected(
            values in proptest::collection::vec(0u32..32, DATA_LEN),
            position in 0usize..=DATA_LEN,
            replacement in 0u32..32,
        ) {
            let number = RmaNumber::from_values(&values);
            let mut chars: Vec<char> = number.as_str().replace('-', "").chars().collect();
            let original = chars[position + 1];
            let typo = symbol(replacement);
            prop_assume!(typo != original);
            chars[position + 1] = typo;
            let typed: String = chars.into_iter().collect();
            prop_assert!(RmaNumber::parse(&typed).is_err(), "{} accepted as {}", typed, number);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,20}") {
            let _ = RmaNumber::parse(&text);
        }

        /// What the API document calls an RMA number has the shape `parse` reads:
        /// only its check character may be wrong.
        #[test]
        fn the_documented_pattern_is_what_parse_reads(
            text in RmaNumber::PATTERN.trim_start_matches('^').trim_end_matches('$'),
        ) {
            let read = RmaNumber::parse(&text);
            prop_assert!(
                matches!(read, Ok(_) | Err(RmaNumberError::BadCheck)),
                "{:?}: {:?}", text, read
            );
        }
    }
}
