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
