//! How domain values appear in the API document: money as a decimal string, currencies
//! and RMA numbers by their patterns, vocabularies as string enums. The document is
//! generated from these, so a rule changed here is a rule changed there.

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use super::{Currency, Money, RmaNumber};

/// A string schema with a pattern and a description.
fn pattern(pattern: &str, description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .examples([example])
        .into()
}

/// A string schema listing every value of a vocabulary.
pub fn string_enum<'a>(values: impl IntoIterator<Item = &'a str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .into()
}

impl PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        pattern(
            r"^[0-9]{1,15}(\.[0-9]{1,3})?$",
            "Decimal with at most the currency's decimals, e.g. 19.99 EUR, 1999 JPY, 1.250 KWD; answers carry exactly the currency's decimals",
            "19.99",
        )
    }
}

impl ToSchema for Money {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Money")
    }
}

impl PartialSchema for Currency {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("ISO 4217 code"))
            .enum_values(Some(Currency::all().map(|c| c.code())))
            .into()
    }
}

impl ToSchema for Currency {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Currency")
    }
}

impl PartialSchema for RmaNumber {
    fn schema() -> RefOr<Schema> {
        pattern(
            RmaNumber::PATTERN,
            "RMA number such as R-7KQ2-M9XD (case and dashes optional)",
            "R-7KQ2-M9XD",
        )
    }
}

impl ToSchema for RmaNumber {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("RmaNumber")
    }
}

/// Characters no text field takes: C0 and C1 controls (line breaks are allowed only
/// where a field says so).
const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";

/// A required one-line text as [`super::order::Problems::text`] checks it: something
/// besides spaces, no control characters, at most `MAX` characters once trimmed.
pub fn text<const MAX: usize>() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX))
        .pattern(Some(format!(r"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$")))
        .into()
}

/// A note as [`super::note::Note`] checks it: something besides spaces, at most
/// 2000 characters, line breaks and tabs the only control characters.
pub fn note() -> RefOr<Schema> {
    let control = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f";
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(super::note::MAX_CHARS))
        .pattern(Some(format!(r"^[^{control}]*[^\s{control}][^{control}]*$")))
        .into()
}

/// An order number as [`super::order_number::OrderNumber`] reads it: 1 to 64
/// characters, no spaces, controls or any of / ? # % \ (the invisible characters it
/// also refuses are not listed here).
pub fn order_number() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(super::order_number::MAX_CHARS))
        .pattern(Some(format!(r"^[^\s{CONTROL}/?#%\\]+$")))
        .examples(["DEMO-1001"])
        .into()
}

/// A parcel's tracking number: 4 to 40 letters and digits.
pub fn tracking_number() -> RefOr<Schema> {
    pattern(
        "^[A-Za-z0-9]{4,40}$",
        "4 to 40 letters and digits",
        "1Z999AA10123456784",
    )
}
