//! How domain values appear in the API document: money as a decimal string, currencies
//! and RMA numbers by their patterns, vocabularies as string enums. The document is
//! generated from these, so a rule changed here is a rule changed there.

use std::borrow::Cow;

use utoipa::openapi::schema::{
    AllOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
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

/// An amount with at most `decimals` decimals, as [`Money::parse`] reads it.
fn amount_pattern(decimals: u8) -> String {
    match decimals {
        0 => r"^[0-9]{1,15}$".to_string(),
        d => format!(r"^[0-9]{{1,15}}(\.[0-9]{{1,{d}}})?$"),
    }
}

/// Amounts as their body's currency allows them: [`Money`]'s own pattern takes up to
/// three decimals, whatever the currency, so each body with a currency adds one branch
/// per exponent (JPY lines without decimals, EUR lines with at most two, KWD with
/// three) and the document states the rule a 400 enforces.
pub struct AmountsFollowCurrency;

/// The bodies with a currency: schema, the array of items with amounts, those amounts.
const AMOUNTS_IN: [(&str, &str, &[&str]); 2] = [
    ("OrderInput", "lines", &["unit_price", "tax"]),
    ("ProductGroupInput", "variants", &["price"]),
];

impl utoipa::Modify for AmountsFollowCurrency {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(schemas) = openapi.components.as_mut().map(|c| &mut c.schemas) else {
            return;
        };
        let mut exponents: Vec<u8> = Currency::all().map(|c| c.exponent()).collect();
        exponents.sort_unstable();
        exponents.dedup();
        for (name, items, amounts) in AMOUNTS_IN {
            let Some(body) = schemas.remove(name) else {
                continue;
            };
            let branches = exponents.iter().map(|&exponent| {
                let item = amounts.iter().fold(ObjectBuilder::new(), |item, field| {
                    let amount = ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(amount_pattern(exponent)));
                    item.property(*field, amount)
                });
                let codes = Currency::all()
                    .filter(move |c| c.exponent() == exponent)
                    .map(|c| c.code());
                ObjectBuilder::new()
                    .property("currency", string_enum(codes))
                    .property(items, ArrayBuilder::new().items(item))
            });
            let one_of = branches.fold(OneOfBuilder::new(), OneOfBuilder::item);
            let body = AllOfBuilder::new().item(body).item(one_of).build();
            schemas.insert(name.to_string(), Schema::AllOf(body).into());
        }
    }
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
    required_text(CONTROL, MAX)
}

/// A note as [`super::note::Note`] checks it: something besides spaces, at most
/// 2000 characters, line breaks and tabs the only control characters.
pub fn note() -> RefOr<Schema> {
    required_text(
        r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f",
        super::note::MAX_CHARS,
    )
}

/// Something besides spaces, at most `max` characters, none in the class `control`.
fn required_text(control: &str, max: usize) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(format!(r"^[^{control}]*[^\s{control}][^{control}]*$")))
        .into()
}

/// An order number as [`super::order_number::OrderNumber`] reads it: 1 to 64
/// characters, none of those it refuses (spaces, controls, invisible characters and
/// any of / ? # % \).
pub fn order_number() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(super::order_number::MAX_CHARS))
        .pattern(Some(super::order_number::schema_pattern()))
        .examples(["DEMO-1001"])
        .into()
}

/// Order line ids as [`super::order::check_line_ids`] checks them: 1 to 500 ids,
/// none twice, each a one-line text of up to 64 characters.
pub fn line_ids() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(text::<64>())
        .min_items(Some(1))
        .max_items(Some(super::order::MAX_LINES))
        .unique_items(true)
        .into()
}

/// Options as [`super::catalog::check_options`] checks them: at most ten, each named
/// in lower case, each value a one-line text.
pub fn options() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(super::catalog::OPTION_NAME_PATTERN)),
        ))
        .additional_properties(Some(text::<{ super::catalog::MAX_OPTION_VALUE }>()))
        .max_properties(Some(super::catalog::MAX_OPTIONS))
        .examples([serde_json::json!({"size": "M", "colour": "navy"})])
        .into()
}

/// An order line's product group: an id as [`super::catalog::check_group_id`] checks
/// it, or null (none).
pub fn optional_product_group() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .pattern(Some(super::catalog::GROUP_PATTERN))
        .description(Some(
            "Product group id: a letter or digit, then up to 63 letters, digits, dots, underscores or hyphens",
        ))
        .examples(["tsh-organic"])
        .into()
}

/// An email address we send to, as [`super::order::usable_email`] checks it.
pub fn email() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(254))
        .pattern(Some(super::order::EMAIL_PATTERN))
        .examples(["anna.schmidt@example.com"])
        .into()
}

/// A bench scan as [`super::barcode::read`] takes it: something besides spaces and
/// scanner noise, at most as long as the longest scan it reads.
pub fn barcode() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(super::barcode::MAX_LEN))
        .pattern(Some(format!(r"[^\s{CONTROL}]")))
        .examples(["R-7KQ2-M9XD"])
        .into()
}

/// A country as [`super::order::check_country`] reads it: ISO 3166 alpha-2.
pub fn country() -> RefOr<Schema> {
    pattern("^[A-Za-z]{2}$", "ISO 3166 alpha-2 country code", "DE")
}

/// A phone number as [`super::order::PHONE_PATTERN`] takes it.
pub fn phone() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(super::order::PHONE_MAX))
        .pattern(Some(super::order::PHONE_PATTERN))
        .description(Some(
            "4 to 20 digits, with an optional leading + and spaces, ( ) . / - between them",
        ))
        .examples(["+49 30 1234567"])
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn each_currency_takes_the_amounts_its_branch_documents(
            (currency, text) in proptest::sample::select(Currency::all().collect::<Vec<_>>())
                .prop_flat_map(|c| {
                    let pattern = amount_pattern(c.exponent());
                    let body = pattern.trim_start_matches('^').trim_end_matches('$').to_string();
                    (Just(c), proptest::string::string_regex(&body).expect("pattern"))
                }),
        ) {
            prop_assert!(Money::parse(&text, currency).is_ok(), "{} {}", text, currency.code());
            // One decimal more than the currency has is refused.
            let whole = text.split('.').next().unwrap_or_default();
            let finer = format!("{whole}.{}", "1".repeat(usize::from(currency.exponent()) + 1));
            prop_assert!(Money::parse(&finer, currency).is_err(), "{} {}", finer, currency.code());
        }
    }
}
