//! What a shop can offer instead of a refund: its product groups, each a product in
//! its variants (sizes, colours) with their prices and the quantity available. The shop
//! sends a whole group at a time (`PUT /catalog/{product_group}` or a CSV file), and
//! order lines name the group they are a variant of.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::money::{Currency, Money};
use super::order::Problems;
use super::InputErrors;

pub const MAX_VARIANTS: usize = 500;
pub const MAX_OPTIONS: usize = 10;
pub const MAX_OPTION_VALUE: usize = 100;
pub const MAX_AVAILABLE: i64 = 1_000_000_000;
/// A product group id: a letter or digit, then letters, digits, `.`, `_` and `-`, as
/// it appears in a URL path (never `.` or `..`, which clients resolve away).
pub const GROUP_PATTERN: &str = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";
/// An option's name, such as `size` or `colour`.
pub const OPTION_NAME_PATTERN: &str = r"^[a-z][a-z0-9_]{0,31}$";

/// One product group as the shop sends it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductGroupInput {
    /// The currency of every variant's price.
    #[schema(value_type = crate::domain::Currency)]
    pub currency: String,
    /// Every variant of the product: the ones left out are no longer offered.
    #[schema(min_items = 1, max_items = 500)]
    pub variants: Vec<VariantInput>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantInput {
    /// Unique across the catalogue: a SKU belongs to one product group.
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub sku: String,
    #[schema(schema_with = crate::domain::schema::text::<300>)]
    pub title: String,
    /// What sets this variant apart, such as `{"size": "M", "colour": "navy"}`.
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::options)]
    pub options: BTreeMap<String, String>,
    #[schema(value_type = crate::domain::Money)]
    pub price: String,
    /// How many the shop can send as replacements.
    #[serde(deserialize_with = "crate::domain::whole_number::deserialize")]
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub available: i64,
}

/// A checked product group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductGroup {
    pub id: String,
    pub currency: Currency,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub sku: String,
    pub title: String,
    pub options: BTreeMap<String, String>,
    pub price: Money,
    pub available: i64,
}

/// A product group id from a path, a body or a file, as [`GROUP_PATTERN`] says.
pub fn check_group_id(problems: &mut Problems, field: &str, value: &str) -> String {
    let fits = (1..=64).contains(&value.len())
        && value.starts_with(|c: char| c.is_ascii_alphanumeric())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !fits {
        problems.add(
            field,
            "must be 1 to 64 letters, digits, dots, underscores or hyphens, starting with a letter or digit",
        );
    }
    value.to_string()
}

/// A variant's or an order line's options: at most ten, each named in lower case
/// (`size`, `colour`) with a one-line value; the rule [`OPTION_NAME_PATTERN`] states.
pub fn check_options(
    problems: &mut Problems,
    field: &str,
    options: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    if options.len() > MAX_OPTIONS {
        problems.add(field, format!("at most {MAX_OPTIONS} options"));
    }
    let mut checked = BTreeMap::new();
    for (name, value) in options {
        let named_well = !name.is_empty()
            && name.len() <= 32
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        let at = format!("{field}.{}", crate::telemetry::bounded(name, 40));
        if !named_well {
            problems.add(
                &at,
                "an option's name is 1 to 32 lower-case letters, digits or underscores, starting with a letter",
            );
        }
        let value = problems.text(&at, value, MAX_OPTION_VALUE);
        checked.insert(name.clone(), value);
    }
    checked
}

impl ProductGroupInput {
    /// The group `id`, checked: problems with one field are malformed (400); SKUs or
    /// options repeated within the group do not fit each other (422).
    pub fn validate(&self, id: &str) -> Result<ProductGroup, InputErrors> {
        let mut p = Problems::default();
        let mut unfit = Problems::default();
        let id = check_group_id(&mut p, "product_group", id);
        let currency = Currency::parse(&self.currency)
            .map_err(|e| p.add("currency", e.to_string()))
            .ok();
        if self.variants.is_empty() {
            p.add("variants", "a product group needs at least one variant");
        } else if self.variants.len() > MAX_VARIANTS {
            p.add("variants", format!("at most {MAX_VARIANTS} variants"));
        }
        let mut variants = Vec::with_capacity(self.variants.len());
        let mut skus: HashMap<String, usize> = HashMap::new();
        let mut looks: HashMap<BTreeMap<String, String>, usize> = HashMap::new();
        for (i, v) in self.variants.iter().enumerate() {
            let f = |name: &str| format!("variants[{i}].{name}");
            let sku = p.text(&f("sku"), &v.sku, 100);
            let title = p.text(&f("title"), &v.title, 300);
            let options = check_options(&mut p, &f("options"), &v.options);
            let price = currency.and_then(|c| {
                Money::parse(&v.price, c)
                    .map_err(|e| p.add(f("price"), e.to_string()))
                    .ok()
            });
            if !(0..=MAX_AVAILABLE).contains(&v.available) {
                p.add(
                    f("available"),
                    format!("must be between 0 and {MAX_AVAILABLE}"),
                );
            }
            if let Some(first) = skus.insert(sku.clone(), i) {
                unfit.add(
                    f("sku"),
                    format!("{sku:?} is also variants[{first}]: each SKU once"),
                );
            }
            if let Some(first) = looks.insert(options.clone(), i) {
                unfit.add(
                    f("options"),
                    format!("the same options as variants[{first}]: variants must differ in their options"),
                );
            }
            if let Some(price) = price {
                variants.push(Variant {
                    sku,
                    title,
                    options,
                    price,
                    available: v.available,
                });
            }
        }
        match currency {
            Some(currency) if p.0.is_empty() && unfit.0.is_empty() => Ok(ProductGroup {
                id,
                currency,
                variants,
            }),
            _ => Err(InputErrors {
                malformed: p.0,
                unfit: unfit.0,
            }),
        }
    }
}

/// Options as `size=M;colour=navy`, the way a CSV cell holds them; an empty cell is none.
pub fn parse_options(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut options = BTreeMap::new();
    for pair in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').ok_or_else(|| {
            format!("{pair:?} is not name=value (options look like size=M;colour=navy)")
        })?;
        // Named as given: a name the API refuses is refused here too.
        let name = name.trim().to_string();
        if options
            .insert(name.clone(), value.trim().to_string())
            .is_some()
        {
            return Err(format!("the option {name:?} appears twice"));
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn group(variants: serde_json::Value) -> ProductGroupInput {
        serde_json::from_value(json!({"currency": "EUR", "variants": variants}))
            .expect("well-formed")
    }

    fn shirt(sku: &str, size: &str) -> serde_json::Value {
        json!({"sku": sku, "title": "Organic T-shirt", "options": {"size": size}, "price": "19.90", "available": 4})
    }

    fn fields(errors: &[crate::domain::FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_group_is_checked_field_by_field() {
        let ok = group(json!([shirt("TSH-S", "S"), shirt("TSH-M", "M")]))
            .validate("tsh-org")
            .expect("valid");
        assert_eq!(ok.variants.len(), 2);
        assert_eq!(ok.variants[1].price.minor(), 1990);
        assert_eq!(ok.variants[1].options["size"], "M");

        // (variants, group id, malformed fields, unfit fields)
        let cases = [
            (
                json!([shirt("A", "S")]),
                "bad id!",
                vec!["product_group"],
                vec![],
            ),
            (json!([]), "g", vec!["variants"], vec![]),
            (
                json!([shirt("A", "S"), shirt("A", "M")]),
                "g",
                vec![],
                vec!["variants[1].sku"],
            ),
            (
                json!([shirt("A", "S"), shirt("B", "S")]),
                "g",
                vec![],
                vec!["variants[1].options"],
            ),
            (
                json!([{"sku": "A", "title": "T", "price": "19.999", "available": 1}]),
                "g",
                vec!["variants[0].price"],
                vec![],
            ),
            (
                json!([{"sku": "A", "title": "T", "price": "1", "available": -1}]),
                "g",
                vec!["variants[0].available"],
                vec![],
            ),
            (
                json!([{"sku": " ", "title": "T", "options": {"Size": "M", "fit": ""}, "price": "1", "available": 1}]),
                "g",
                vec![
                    "variants[0].sku",
                    "variants[0].options.Size",
                    "variants[0].options.fit",
                ],
                vec![],
            ),
        ];
        for (variants, id, malformed, unfit) in cases {
            let errors = group(variants.clone()).validate(id).expect_err("refused");
            assert_eq!(fields(&errors.malformed), malformed, "{variants}");
            assert_eq!(fields(&errors.unfit), unfit, "{variants}");
        }
    }

    #[test]
    fn options_are_read_from_a_csv_cell() {
        let read = parse_options(" size = M ; colour=navy;").expect("read");
        assert_eq!(read.len(), 2);
        assert_eq!(read["colour"], "navy");
        assert!(parse_options("Size=M").expect("read").contains_key("Size"));
        assert!(parse_options("").expect("none").is_empty());
        assert!(parse_options("size").is_err());
        assert!(parse_options("size=M;size=L").is_err());
    }
}
