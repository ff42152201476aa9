//! Whole numbers in request bodies. JSON Schema counts `2.0` as an integer, so a
//! client may write a count that way; serde's `i64` would refuse it. Fields that take
//! a count read through [`deserialize`], which takes `2` and `2.0` alike and refuses
//! `2.5` with a clear reason.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// The largest whole number a float carries exactly (2^53).
const EXACT: f64 = 9_007_199_254_740_992.0;

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(WholeNumber)
}

/// The same for an optional field (`null` or absent: `None`); use with
/// `#[serde(default)]`.
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_option(MaybeWholeNumber)
}

struct MaybeWholeNumber;

impl<'de> Visitor<'de> for MaybeWholeNumber {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<i64>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<i64>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<i64>, D::Error> {
        deserialize(d).map(Some)
    }
}

struct WholeNumber;

impl Visitor<'_> for WholeNumber {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom("the number is too large"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        if v.fract() != 0.0 || !v.is_finite() {
            return Err(E::invalid_value(de::Unexpected::Float(v), &self));
        }
        if v.abs() > EXACT {
            return Err(E::custom("the number is too large"));
        }
        // Whole and within ±2^53: the cast is exact.
        Ok(v as i64)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Count {
        #[serde(deserialize_with = "super::deserialize")]
        n: i64,
    }

    fn read(json: &str) -> Result<i64, String> {
        serde_json::from_str::<Count>(json)
            .map(|c| c.n)
            .map_err(|e| e.to_string())
    }

    #[derive(Debug, Deserialize)]
    struct Maybe {
        #[serde(default, deserialize_with = "super::optional")]
        n: Option<i64>,
    }

    #[test]
    fn optional_whole_numbers() {
        let read = |json: &str| serde_json::from_str::<Maybe>(json).map(|m| m.n).ok();
        assert_eq!(read(r#"{"n": 480}"#), Some(Some(480)));
        assert_eq!(read(r#"{"n": 480.0}"#), Some(Some(480)));
        assert_eq!(read(r#"{"n": null}"#), Some(None));
        assert_eq!(read("{}"), Some(None));
        assert_eq!(read(r#"{"n": 0.5}"#), None);
    }

    #[test]
    fn whole_numbers_in_any_notation() {
        let table: &[(&str, Result<i64, &str>)] = &[
            (r#"{"n": 3}"#, Ok(3)),
            (r#"{"n": -2}"#, Ok(-2)),
            (r#"{"n": 3.0}"#, Ok(3)),
            (r#"{"n": 573026.0}"#, Ok(573_026)),
            (r#"{"n": 1e3}"#, Ok(1000)),
            (r#"{"n": -0.0}"#, Ok(0)),
            (r#"{"n": 2.5}"#, Err("expected a whole number")),
            (r#"{"n": 1e300}"#, Err("too large")),
            (r#"{"n": 18446744073709551615}"#, Err("too large")),
            (r#"{"n": "3"}"#, Err("expected a whole number")),
            (r#"{"n": null}"#, Err("expected a whole number")),
        ];
        for (json, want) in table {
            match (read(json), want) {
                (Ok(got), Ok(want)) => assert_eq!(got, *want, "{json}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{json}: {got}"),
                (got, want) => panic!("{json}: got {got:?}, want {want:?}"),
            }
        }
    }
}
