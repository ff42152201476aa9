//! What a scanner typed, read: an RMA number, or a carrier's tracking number with the
//! check digit verified, or something we keep as it is for a person to look at.
//!
//! Scanners add noise: an AIM symbology prefix (`]C1`), GS1 separators (FNC1 arrives as
//! the group separator, 0x1D), a trailing CR/LF or tab, spaces, lower case. It is
//! stripped first. Then, in order:
//!
//! | reads as | shape | check |
//! |---|---|---|
//! | RMA number | `R` + 9 Crockford base32 characters, dashes optional | Luhn mod 32 |
//! | UPS | `1Z` + 16 letters and digits | mod 10, letters as (code - 3) mod 10, weights 1, 2 |
//! | sandbox | `SBX` + 15 digits | mod 10, weights 3, 1 from the right |
//! | UPU S10 (post) | 2 letters, 9 digits, 2 letters (`RR123456785CN`) | weights 8 6 4 2 3 5 9 7, 11 − sum mod 11 (10 → 0, 11 → 5) |
//! | USPS IMpb | `420` + 5- or 9-digit ZIP before the number (stripped), or 20–26 digits | mod 10, weights 3, 1 from the right |
//! | FedEx | 34-digit barcode (`96…`, `100…`) carrying the 12-digit number at its end; `96` + 20 digits carrying the 15-digit Ground number; 15 digits (Ground); 12 digits (Express) | Express: weights 1, 3, 7 from the right, mod 11 mod 10; Ground: mod 10, weights 3, 1 |
//! | DHL Express | 10 digits | none that is published; accepted as it is |
//!
//! A tracking number of a known shape whose check digit fails is read as
//! [`Scan::Unknown`]: a misread, kept for a person, never matched to the wrong parcel.
//! An RMA number whose check character fails is an error instead
//! ([`BarcodeError::MistypedRma`]): RMA numbers are typed by hand from a packing slip,
//! so it is a typo to scan again, not a box to keep.

use backhaul_carriers::mod10_check_digit;
use backhaul_carriers::sandbox;

use super::rma_number::RmaNumberError;
use super::RmaNumber;

/// What a scan is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    Rma(RmaNumber),
    /// A tracking number as carriers know it (routing prefixes removed), and whose
    /// format it has.
    Tracking {
        carrier: &'static str,
        number: String,
    },
    /// Nothing we recognise: the cleaned text.
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("the scan is empty")]
    Empty,
    #[error("the scan is longer than {0} characters; is it a barcode?")]
    TooLong(usize),
    /// Shaped like an RMA number, but its check character does not fit.
    #[error("{0} looks like an RMA number but its check character does not fit: a typo or a misread; scan again")]
    MistypedRma(String),
}

pub const MAX_LEN: usize = 100;

/// Removes what scanners add around the data.
fn clean(raw: &str) -> String {
    let mut text = raw.trim_start();
    // AIM symbology identifier: `]`, a letter, a digit.
    if let Some(rest) = text.strip_prefix(']') {
        let mut chars = rest.chars();
        if let (Some(kind), Some(modifier)) = (chars.next(), chars.next()) {
            if kind.is_ascii_alphabetic() && modifier.is_ascii_alphanumeric() {
                text = chars.as_str();
            }
        }
    }
    text.chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Reads a scan. Errors only for an empty or absurdly long scan.
pub fn read(raw: &str) -> Result<Scan, BarcodeError> {
    let cleaned = clean(raw);
    if cleaned.is_empty() {
        return Err(BarcodeError::Empty);
    }
    if cleaned.chars().count() > MAX_LEN {
        return Err(BarcodeError::TooLong(MAX_LEN));
    }
    match RmaNumber::parse(&cleaned) {
        Ok(rma) => return Ok(Scan::Rma(rma)),
        Err(RmaNumberError::BadCheck) => return Err(BarcodeError::MistypedRma(cleaned)),
        Err(_) => {}
    }
    let compact: String = cleaned.chars().filter(|c| *c != '-').collect();
    let tracking = |carrier, number: &str| Scan::Tracking {
        carrier,
        number: number.to_string(),
    };
    let digits = compact.bytes().all(|b| b.is_ascii_digit());
    let found = if compact.starts_with("1Z") && compact.len() == 18 {
        ups_valid(&compact).then(|| tracking("ups", &compact))
    } else if compact.starts_with("SBX") {
        sandbox::decode(&compact).map(|_| tracking("sandbox", &compact))
    } else if is_s10_shape(&compact) {
        s10_valid(&compact).then(|| tracking("post", &compact))
    } else if digits {
        read_digits(&compact).map(|(carrier, number)| tracking(carrier, number))
    } else {
        None
    };
    Ok(found.unwrap_or(Scan::Unknown(compact)))
}

/// Carrier and number for an all-digit scan whose check digit holds.
fn read_digits(d: &str) -> Option<(&'static str, &str)> {
    let impb = |n: &str| {
        (20..=26).contains(&n.len()) && n.starts_with('9') && mod10_valid(n)
            || n.len() == 20 && mod10_valid(n)
    };
    // IMpb as scanned: 420 + ZIP (5 or 9 digits) + the tracking number.
    if let Some(rest) = d.strip_prefix("420") {
        if let Some(number) = [5, 9]
            .into_iter()
            .filter_map(|zip| rest.get(zip..))
            .find(|n| impb(n))
        {
            return Some(("usps", number));
        }
    }
    match d.len() {
        34 if d.starts_with("96") || d.starts_with("100") => {
            let number = &d[22..];
            fedex_express_valid(number).then_some(("fedex", number))
        }
        22 if d.starts_with("96") => {
            let number = &d[7..];
            mod10_valid(number).then_some(("fedex", number))
        }
        20..=26 if impb(d) => Some(("usps", d)),
        15 if mod10_valid(d) => Some(("fedex", d)),
        12 if fedex_express_valid(d) => Some(("fedex", d)),
        10 => Some(("dhl", d)),
        _ => None,
    }
}

fn split_check(number: &str) -> Option<(&str, u32)> {
    let (body, check) = number.split_at(number.len().checked_sub(1)?);
    Some((body, check.chars().next()?.to_digit(10)?))
}

fn mod10_valid(number: &str) -> bool {
    split_check(number).is_some_and(|(body, check)| mod10_check_digit(body) == check)
}

fn fedex_express_valid(number: &str) -> bool {
    split_check(number).is_some_and(|(body, check)| {
        let sum: u32 = body
            .chars()
            .rev()
            .filter_map(|c| c.to_digit(10))
            .zip([1, 3, 7].into_iter().cycle())
            .map(|(d, w)| d * w)
            .sum();
        sum % 11 % 10 == check
    })
}

/// UPS: the 15 characters after `1Z`, letters as (code − 3) mod 10, weights 1 and 2.
fn ups_valid(number: &str) -> bool {
    let Some(body) = number.get(2..17) else {
        return false;
    };
    let values: Option<Vec<u32>> = body
        .chars()
        .map(|c| match c {
            '0'..='9' => c.to_digit(10),
            'A'..='Z' => Some((u32::from(c) - 3) % 10),
            _ => None,
        })
        .collect();
    let Some(values) = values else {
        return false;
    };
    let sum: u32 = values
        .iter()
        .enumerate()
        .map(|(i, v)| if i % 2 == 0 { *v } else { v * 2 })
        .sum();
    number[17..]
        .chars()
        .next()
        .and_then(|c| c.to_digit(10))
        .is_some_and(|check| (10 - sum % 10) % 10 == check)
}

fn is_s10_shape(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 13
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..11].iter().all(u8::is_ascii_digit)
        && b[11..].iter().all(u8::is_ascii_uppercase)
}

fn s10_valid(text: &str) -> bool {
    let digits: Vec<u32> = text[2..11].chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits[..8]
        .iter()
        .zip([8, 6, 4, 2, 3, 5, 9, 7])
        .map(|(d, w)| d * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c,
    };
    digits.get(8) == Some(&check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tracking(carrier: &'static str, number: &str) -> Scan {
        Scan::Tracking {
            carrier,
            number: number.to_string(),
        }
    }

    /// Real-format numbers (published examples) and what they read as.
    #[test]
    fn real_numbers_read_to_their_carrier() {
        let table: Vec<(&str, Scan)> = vec![
            ("1Z5R89390357567127", tracking("ups", "1Z5R89390357567127")),
            ("1Z879E930346834440", tracking("ups", "1Z879E930346834440")),
            ("1z410e7w0392751591", tracking("ups", "1Z410E7W0392751591")),
            ("1Z999AA10123456784", tracking("ups", "1Z999AA10123456784")),
            (
                "9400 1112 0108 0805 4830 16",
                tracking("usps", "9400111201080805483016"),
            ),
            (
                "9405803699300124287899",
                tracking("usps", "9405803699300124287899"),
            ),
            (
                "9505 5110 6960 5048 6006 24",
                tracking("usps", "9505511069605048600624"),
            ),
            (
                "0307 1790 0005 2348 3741",
                tracking("usps", "03071790000523483741"),
            ),
            (
                "92748931507708513018050063",
                tracking("usps", "92748931507708513018050063"),
            ),
            // IMpb as a scanner reads it: FNC1, 420 + ZIP, FNC1, the number.
            (
                "\u{1d}42022153\u{1d}9101026837331000039521",
                tracking("usps", "9101026837331000039521"),
            ),
            (
                "4201028200009261290113185417468510",
                tracking("usps", "9261290113185417468510"),
            ),
            ("986578788855", tracking("fedex", "986578788855")),
            ("0414 4176 0228 964", tracking("fedex", "041441760228964")),
            (
                "9611020987654312345672",
                tracking("fedex", "987654312345672"),
            ),
            (
                "1001921334250001000300779017972697",
                tracking("fedex", "779017972697"),
            ),
            (
                "9622001900000000000000776632517510",
                tracking("fedex", "776632517510"),
            ),
            ("1234567890", tracking("dhl", "1234567890")),
            ("RR123456785CN", tracking("post", "RR123456785CN")),
            ("rb123456785gb", tracking("post", "RB123456785GB")),
            (
                "]C1SBX000077612345676",
                tracking("sandbox", "SBX000077612345676"),
            ),
            // Check digits that fail: a misread, kept as it is.
            (
                "1Z5R89390357567128",
                Scan::Unknown("1Z5R89390357567128".into()),
            ),
            ("RR123456784CN", Scan::Unknown("RR123456784CN".into())),
            ("996578788855", Scan::Unknown("996578788855".into())),
            (
                "9400 1112 0108 0805 4830 17",
                Scan::Unknown("9400111201080805483017".into()),
            ),
            ("HELLO-WORLD", Scan::Unknown("HELLOWORLD".into())),
        ];
        for (raw, expected) in table {
            assert_eq!(read(raw), Ok(expected), "{raw:?}");
        }
    }

    #[test]
    fn rma_numbers_with_noise() {
        let rma = RmaNumber::generate(&mut rand::rng());
        for raw in [
            rma.as_str().to_string(),
            rma.as_str().to_lowercase(),
            format!("]C0{}\r\n", rma.as_str()),
            format!("\t{}\u{1d}", rma.as_str().replace('-', "")),
        ] {
            assert_eq!(read(&raw), Ok(Scan::Rma(rma.clone())), "{raw:?}");
        }
    }

    #[test]
    fn empty_and_absurd_scans_are_errors() {
        assert_eq!(read(""), Err(BarcodeError::Empty));
        assert_eq!(read(" \r\n\u{1d}"), Err(BarcodeError::Empty));
        assert_eq!(read(&"9".repeat(101)), Err(BarcodeError::TooLong(100)));
    }

    #[test]
    fn a_mistyped_rma_number_is_an_error_not_a_box() {
        let rma = RmaNumber::generate(&mut rand::rng());
        let text = rma.as_str();
        // Change the check character to each other symbol: every one is caught.
        for other in "0123456789ABCDEFGHJKMNPQRSTVWXYZ".chars() {
            if text.ends_with(other) {
                continue;
            }
            let typo = format!("{}{other}", &text[..text.len() - 1]);
            assert!(
                matches!(read(&typo), Err(BarcodeError::MistypedRma(_))),
                "{typo}"
            );
        }
        // Two neighbouring data characters swapped: Luhn mod 32 catches every such
        // swap but 0 with Z (as Luhn mod 10 misses 0 with 9).
        let compact: Vec<char> = text.chars().filter(|c| *c != '-').collect();
        for i in 1..compact.len() - 2 {
            let mut swapped = compact.clone();
            swapped.swap(i, i + 1);
            let pair = [compact[i], compact[i + 1]];
            if swapped == compact || pair == ['0', 'Z'] || pair == ['Z', '0'] {
                continue;
            }
            let typo: String = swapped.into_iter().collect();
            assert!(
                matches!(read(&typo), Err(BarcodeError::MistypedRma(_))),
                "{typo}"
            );
        }
    }

    /// A valid number of each format, built from `seed` digits.
    fn valid_numbers(seed: &[u32]) -> Vec<(&'static str, String)> {
        let digits = |n: usize| -> String {
            seed.iter()
                .cycle()
                .take(n)
                .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
                .collect()
        };
        let with_mod10 = |body: String| {
            let check = mod10_check_digit(&body);
            format!("{body}{check}")
        };
        let impb = with_mod10(format!("94{}", digits(19)));
        let ground = with_mod10(digits(14));
        let express = {
            let body = digits(11);
            (0..10)
                .map(|c| format!("{body}{c}"))
                .find(|n| fedex_express_valid(n))
                .unwrap_or_default()
        };
        let s10 = {
            let body = digits(8);
            (0..10)
                .map(|c| format!("RR{body}{c}CN"))
                .find(|n| s10_valid(n))
                .unwrap_or_default()
        };
        let ups = {
            let body = format!("1Z{}", digits(15));
            (0..10)
                .map(|c| format!("{body}{c}"))
                .find(|n| ups_valid(n))
                .unwrap_or_default()
        };
        vec![
            ("usps", impb),
            ("fedex", ground),
            ("fedex", express),
            ("post", s10),
            ("ups", ups),
        ]
    }

    proptest! {
        /// Any valid number survives the noise a scanner adds around it.
        #[test]
        fn valid_numbers_survive_scanner_noise(
            seed in proptest::collection::vec(0u32..10, 1..30),
            aim in prop::sample::select(vec!["", "]C1", "]E0", "]d2"]),
            trailer in prop::sample::select(vec!["", "\r", "\n", "\r\n", "\t", "\u{1d}"]),
            lower in any::<bool>(),
            spaced in any::<bool>(),
        ) {
            for (carrier, number) in valid_numbers(&seed) {
                prop_assume!(!number.is_empty());
                let mut text = if lower { number.to_lowercase() } else { number.clone() };
                if spaced {
                    text = text
                        .chars()
                        .enumerate()
                        .flat_map(|(i, c)| if i % 4 == 3 { vec![c, ' '] } else { vec![c] })
                        .collect();
                }
                let raw = format!("{aim}{text}{trailer}");
                let scan = read(&raw);
                // A 15-digit Ground number and a 12-digit Express number may both look
                // like their own kind only; everything else must come back exactly.
                prop_assert_eq!(
                    scan,
                    Ok(Scan::Tracking { carrier, number: number.clone() }),
                    "{:?}", raw
                );
            }
        }

        /// Whatever arrives, reading never panics.
        #[test]
        fn arbitrary_input_never_panics(raw in "\\PC{0,120}", bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = read(&raw);
            let _ = read(&String::from_utf8_lossy(&bytes));
        }
    }
}
