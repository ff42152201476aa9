//! Orders as the shop's systems send them (API or CSV), and their validation into an
//! [`Order`] whose every field is known good. All problems are collected at once, each
//! with the JSON path of the field, so one round trip fixes a bad request.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::money::{Currency, Money};
use super::{FieldError, InputErrors};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    #[schema(schema_with = crate::domain::schema::order_number)]
    pub order_number: String,
    #[schema(value_type = crate::domain::Currency)]
    pub currency: String,
    pub placed_at: DateTime<Utc>,
    pub customer: CustomerInput,
    pub ship_to: AddressInput,
    #[schema(min_items = 1, max_items = 500)]
    pub lines: Vec<LineInput>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    #[schema(schema_with = crate::domain::schema::email)]
    pub email: String,
    #[schema(schema_with = crate::domain::schema::text::<200>)]
    pub name: String,
    /// The customer's language, such as de or en-GB. It decides the language of their
    /// emails; absent, their shipping country's language does.
    #[schema(schema_with = crate::domain::schema::text::<35>)]
    pub locale: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    #[schema(schema_with = crate::domain::schema::text::<200>)]
    pub name: String,
    #[schema(schema_with = crate::domain::schema::text::<200>)]
    pub line1: String,
    #[schema(schema_with = crate::domain::schema::text::<200>)]
    pub line2: Option<String>,
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub city: String,
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub region: Option<String>,
    #[schema(schema_with = crate::domain::schema::text::<20>)]
    pub postal_code: String,
    #[schema(schema_with = crate::domain::schema::country)]
    pub country: String,
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub lat: Option<f64>,
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub lon: Option<f64>,
    /// For the carrier to call about the return; printed on the label.
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::phone)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    #[schema(schema_with = crate::domain::schema::text::<64>)]
    pub line_id: String,
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub sku: String,
    #[schema(schema_with = crate::domain::schema::text::<300>)]
    pub title: String,
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub category: String,
    #[schema(minimum = 1, maximum = 1_000_000)]
    #[serde(deserialize_with = "crate::domain::whole_number::deserialize")]
    pub quantity: i64,
    #[schema(value_type = crate::domain::Money)]
    pub unit_price: String,
    /// Tax for the whole line.
    #[schema(value_type = crate::domain::Money)]
    pub tax: String,
    /// One unit's weight, for the return label and the carrier.
    #[serde(default, deserialize_with = "crate::domain::whole_number::optional")]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub weight_grams: Option<i64>,
    /// The product group this line is a variant of (`PUT /catalog/{product_group}`):
    /// its other variants are what an exchange can offer.
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::optional_product_group)]
    pub variant_of: Option<String>,
    /// What sets the ordered variant apart, such as `{"size": "M"}`.
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::options)]
    pub options: BTreeMap<String, String>,
}

/// A validated order.
#[derive(Debug, Clone)]
pub struct Order {
    pub order_number: String,
    pub currency: Currency,
    pub placed_at: DateTime<Utc>,
    pub customer_email: String,
    pub customer_name: String,
    pub customer_locale: String,
    pub ship_to: Address,
    pub lines: Vec<OrderLine>,
    pub total: Money,
}

#[derive(Debug, Clone)]
pub struct Address {
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    /// ISO 3166 alpha-2, upper case.
    pub country: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OrderLine {
    pub line_id: String,
    pub sku: String,
    pub title: String,
    pub category: String,
    pub quantity: i64,
    pub unit_price: Money,
    pub tax: Money,
    pub weight_grams: Option<i64>,
    pub variant_of: Option<String>,
    pub options: BTreeMap<String, String>,
}

pub const MAX_LINES: usize = 500;
pub const MAX_QUANTITY: i64 = 1_000_000;
/// One unit's weight: a tonne at most.
pub const MAX_WEIGHT_GRAMS: i64 = 1_000_000;

/// A phone number as carriers take it: 4 to 20 digits, an optional leading `+`, and
/// spaces, brackets, dots, slashes or hyphens between the digits.
pub const PHONE_PATTERN: &str = r"^\+?[ ()./-]*([0-9][ ()./-]*){4,20}$";
pub const PHONE_MAX: usize = 30;

/// An optional phone number, checked against [`PHONE_PATTERN`].
pub fn check_phone(problems: &mut Problems, field: &str, value: &Option<String>) -> Option<String> {
    static SHAPE: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(PHONE_PATTERN).ok());
    let phone = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    let fits =
        phone.chars().count() <= PHONE_MAX && SHAPE.as_ref().is_some_and(|re| re.is_match(phone));
    if !fits {
        problems.add(
            field,
            "must be a phone number: 4 to 20 digits, an optional leading +, spaces or ( ) . / - between them",
        );
    }
    Some(phone.to_string())
}

/// Collects field errors while validating.
#[derive(Default)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// A required text: trimmed, non-empty, at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.add(field, "must not be empty");
        } else if trimmed.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        } else if trimmed.chars().any(char::is_control) {
            self.add(field, "must not contain control characters");
        }
        trimmed.to_string()
    }

    pub fn into_result<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

/// An order number, by the one rule that stores and finds them
/// ([`super::order_number::OrderNumber`]).
pub fn check_order_number(problems: &mut Problems, field: &str, value: &str) -> String {
    match super::order_number::OrderNumber::parse(value) {
        Ok(number) => number.into_string(),
        Err(e) => {
            problems.add(field, e.to_string());
            value.trim().to_string()
        }
    }
}

/// An email address we can send to, lower-cased so look-ups ignore case.
pub fn check_email(problems: &mut Problems, field: &str, value: &str) -> String {
    let email = problems.text(field, value, 254).to_lowercase();
    if !email.is_empty() && !usable_email(&email) {
        problems.add(
            field,
            "is not an email address we can send to (name@example.com)",
        );
    }
    email
}

/// The shape of an address any relay takes, as the API document states it: a local
/// part of ASCII word characters, up to 64 without dots or up to 32 between dots
/// (a regular expression without look-ahead cannot count dots and letters together,
/// and mail refuses a local part longer than 64), then a host name of two or more
/// labels (letters, digits, inner hyphens). Quoted local parts, IP literals and
/// internationalized addresses are valid mail syntax, but many relays and mailbox
/// headers refuse them, so we take none.
pub const EMAIL_PATTERN: &str = concat!(
    r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}",
    r"|[A-Za-z0-9!#$%&'*+/=?^_`{|}~-](\.?[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]){0,31})",
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
);

/// Whether mail to `address` can go out: [`EMAIL_PATTERN`], and lettre's parser agrees.
pub fn usable_email(address: &str) -> bool {
    static SHAPE: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(EMAIL_PATTERN).ok());
    address.len() <= 254
        && SHAPE.as_ref().is_some_and(|re| re.is_match(address))
        && address.parse::<lettre::Address>().is_ok()
}

/// The earliest time an order or parcel may carry: anything before is a typo or a
/// zero value (year 0, 1970), not a real sale.
pub const EARLIEST: DateTime<Utc> = DateTime::from_timestamp_nanos(946_684_800_000_000_000);

/// A time in a shop's records: from 2000 on, and at most a day ahead of `now` (clocks
/// and time zones differ a little, not more).
pub fn check_time(problems: &mut Problems, field: &str, at: DateTime<Utc>, now: DateTime<Utc>) {
    if at < EARLIEST {
        problems.add(field, "must be on or after 2000-01-01");
    } else if at > now + chrono::Duration::days(1) {
        problems.add(field, "is in the future");
    }
}

/// A list of order line ids: each a short text, none twice, at most one per line an
/// order may have. An id given twice is well-formed but does not fit (`unfit`): the
/// two may differ only in the spaces around them.
pub fn check_line_ids(
    problems: &mut Problems,
    unfit: &mut Problems,
    field: &str,
    ids: &[String],
) -> Vec<String> {
    if ids.len() > MAX_LINES {
        problems.add(field, format!("at most {MAX_LINES} line ids"));
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let id = problems.text(&format!("{field}[{i}]"), id, 64);
        if !seen.insert(id.clone()) {
            unfit.add(format!("{field}[{i}]"), format!("{id:?} appears twice"));
        }
        checked.push(id);
    }
    checked
}

/// A country code: ISO 3166 alpha-2, in capitals.
pub fn check_country(problems: &mut Problems, field: &str, value: &str) -> String {
    let country = value.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
        problems.add(
            field,
            "must be a two-letter ISO 3166 country code such as DE",
        );
    }
    country
}

fn optional(
    problems: &mut Problems,
    field: &str,
    value: &Option<String>,
    max: usize,
) -> Option<String> {
    value
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .map(|v| problems.text(field, v, max))
}

impl OrderInput {
    /// The order, checked as of `now` (it cannot be placed much later than now).
    pub fn validate(&self, now: DateTime<Utc>) -> Result<Order, InputErrors> {
        let mut p = Problems::default();
        // Well-formed fields that do not fit each other.
        let mut unfit = Problems::default();
        let order_number = check_order_number(&mut p, "order_number", &self.order_number);
        check_time(&mut unfit, "placed_at", self.placed_at, now);
        let currency = Currency::parse(&self.currency)
            .map_err(|e| p.add("currency", e.to_string()))
            .ok();
        let customer_email = check_email(&mut p, "customer.email", &self.customer.email);
        let customer_name = p.text("customer.name", &self.customer.name, 200);
        // Empty: none given, so the shipping country decides the customer's language.
        let customer_locale =
            optional(&mut p, "customer.locale", &self.customer.locale, 35).unwrap_or_default();

        let a = &self.ship_to;
        let lat = a.lat.filter(|l| (-90.0..=90.0).contains(l));
        if a.lat.is_some() && lat.is_none() {
            p.add("ship_to.lat", "must be between -90 and 90");
        }
        let lon = a.lon.filter(|l| (-180.0..=180.0).contains(l));
        if a.lon.is_some() && lon.is_none() {
            p.add("ship_to.lon", "must be between -180 and 180");
        }
        if lat.is_some() != lon.is_some() {
            unfit.add("ship_to", "give both lat and lon, or neither");
        }
        let ship_to = Address {
            name: p.text("ship_to.name", &a.name, 200),
            line1: p.text("ship_to.line1", &a.line1, 200),
            line2: optional(&mut p, "ship_to.line2", &a.line2, 200),
            city: p.text("ship_to.city", &a.city, 100),
            region: optional(&mut p, "ship_to.region", &a.region, 100),
            postal_code: p.text("ship_to.postal_code", &a.postal_code, 20),
            country: check_country(&mut p, "ship_to.country", &a.country),
            lat,
            lon,
            phone: check_phone(&mut p, "ship_to.phone", &a.phone),
        };

        if self.lines.is_empty() {
            p.add("lines", "an order needs at least one line");
        } else if self.lines.len() > MAX_LINES {
            p.add("lines", format!("at most {MAX_LINES} lines"));
        }
        let mut seen = HashSet::new();
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, l) in self.lines.iter().enumerate() {
            let f = |name: &str| format!("lines[{i}].{name}");
            let line_id = p.text(&f("line_id"), &l.line_id, 64);
            if !seen.insert(line_id.clone()) {
                unfit.add(f("line_id"), format!("line_id {line_id:?} appears twice"));
            }
            if !(1..=MAX_QUANTITY).contains(&l.quantity) {
                p.add(
                    f("quantity"),
                    format!("must be between 1 and {MAX_QUANTITY}"),
                );
            }
            let mut money = |name: &str, text: &str| {
                currency.and_then(|c| {
                    Money::parse(text, c)
                        .map_err(|e| p.add(f(name), e.to_string()))
                        .ok()
                })
            };
            let unit_price = money("unit_price", &l.unit_price);
            let tax = money("tax", &l.tax);
            let sku = p.text(&f("sku"), &l.sku, 100);
            let title = p.text(&f("title"), &l.title, 300);
            let category = p.text(&f("category"), &l.category, 100).to_lowercase();
            if l.weight_grams
                .is_some_and(|w| !(1..=MAX_WEIGHT_GRAMS).contains(&w))
            {
                p.add(
                    f("weight_grams"),
                    format!("must be between 1 and {MAX_WEIGHT_GRAMS}"),
                );
            }
            let variant_of = l
                .variant_of
                .as_deref()
                .map(|g| super::catalog::check_group_id(&mut p, &f("variant_of"), g));
            let options = super::catalog::check_options(&mut p, &f("options"), &l.options);
            if let (Some(unit_price), Some(tax)) = (unit_price, tax) {
                lines.push(OrderLine {
                    line_id,
                    sku,
                    title,
                    category,
                    quantity: l.quantity,
                    unit_price,
                    tax,
                    weight_grams: l.weight_grams,
                    variant_of,
                    options,
                });
            }
        }

        let refused = |p: Problems, unfit: Problems| InputErrors {
            malformed: p.0,
            unfit: unfit.0,
        };
        let currency = match currency {
            Some(c) if p.0.is_empty() && unfit.0.is_empty() => c,
            _ => return Err(refused(p, unfit)),
        };
        let total = order_total(currency, &lines);
        let total = match total {
            Some(t) => t,
            None => {
                unfit.add("lines", "the order total is too large");
                return Err(refused(p, unfit));
            }
        };
        Ok(Order {
            order_number,
            currency,
            placed_at: self.placed_at,
            customer_email,
            customer_name,
            customer_locale,
            ship_to,
            lines,
            total,
        })
    }
}

/// The order's total, or `None` when it overflows or has more than the 15 whole digits
/// the API writes money with.
fn order_total(currency: Currency, lines: &[OrderLine]) -> Option<Money> {
    let limit = 10_i64.checked_pow(15 + u32::from(currency.exponent()))?;
    lines
        .iter()
        .try_fold(Money::zero(currency), |total, l| {
            let goods = l.unit_price.minor().checked_mul(l.quantity)?;
            let line = goods.checked_add(l.tax.minor())?;
            total.checked_add(Money::from_minor(line, currency)).ok()
        })
        .filter(|total| total.minor() < limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_the_api_cannot_write_is_refused() {
        let isk = Currency::parse("ISK").expect("ISK");
        let line = |price: i64, quantity: i64| OrderLine {
            unit_price: Money::from_minor(price, isk),
            tax: Money::zero(isk),
            quantity,
            line_id: "1".into(),
            sku: "SKU".into(),
            title: "item".into(),
            category: "apparel".into(),
            weight_grams: None,
            variant_of: None,
            options: BTreeMap::new(),
        };
        assert!(order_total(isk, &[line(999_999_999_999_999, 1)]).is_some());
        assert!(order_total(isk, &[line(895_290_926_215_935, 1126)]).is_none());
        assert!(order_total(isk, &[line(i64::MAX, 2)]).is_none());
    }

    fn now() -> DateTime<Utc> {
        "2026-11-20T09:00:00Z".parse().expect("time")
    }

    fn input() -> OrderInput {
        serde_json::from_value(serde_json::json!({
            "order_number": "1001",
            "currency": "EUR",
            "placed_at": "2026-11-01T10:00:00Z",
            "customer": {"email": "Anna@Example.com", "name": "Anna"},
            "ship_to": {"name": "Anna", "line1": "Hauptstr. 1", "city": "Berlin", "postal_code": "10115", "country": "de"},
            "lines": [
                {"line_id": "1", "sku": "TSHIRT-M", "title": "T-shirt", "category": "Apparel", "quantity": 2, "unit_price": "19.99", "tax": "7.60"}
            ]
        }))
        .expect("valid json")
    }

    #[test]
    fn a_good_order_is_normalized() {
        let order = input().validate(now()).expect("valid");
        assert_eq!(order.customer_email, "anna@example.com");
        assert_eq!(order.ship_to.country, "DE");
        assert_eq!(order.lines[0].category, "apparel");
        assert_eq!(order.total.minor(), 2 * 1999 + 760);
        assert_eq!(order.customer_locale, "", "none given");
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn every_problem_is_reported_with_its_field() {
        let table: Vec<(fn(&mut OrderInput), &str)> = vec![
            (|o| o.currency = "EURO".into(), "currency"),
            (|o| o.order_number = "10/01".into(), "order_number"),
            (|o| o.order_number = "  ".into(), "order_number"),
            (
                |o| o.customer.email = "not-an-email".into(),
                "customer.email",
            ),
            (|o| o.ship_to.country = "Germany".into(), "ship_to.country"),
            (|o| o.ship_to.lat = Some(91.0), "ship_to.lat"),
            (|o| o.lines.clear(), "lines"),
            (|o| o.lines[0].quantity = 0, "lines[0].quantity"),
            (|o| o.lines[0].quantity = -3, "lines[0].quantity"),
            (
                |o| o.lines[0].unit_price = "19.999".into(),
                "lines[0].unit_price",
            ),
            (|o| o.lines[0].tax = "-1".into(), "lines[0].tax"),
            (|o| o.lines.push(o.lines[0].clone()), "lines[1].line_id"),
            (
                |o| o.customer.email = "\"<script>x</script>\"@example.com".into(),
                "customer.email",
            ),
            (
                |o| o.customer.email = "a b@example.com".into(),
                "customer.email",
            ),
            (
                |o| o.customer.email = "anna@localhost".into(),
                "customer.email",
            ),
            (|o| o.order_number = "1001\u{200B}".into(), "order_number"),
            (
                |o| o.placed_at = "0000-01-01T00:00:00Z".parse().expect("year 0"),
                "placed_at",
            ),
            (
                |o| o.placed_at = "1970-01-01T00:00:00Z".parse().expect("1970"),
                "placed_at",
            ),
            (
                |o| o.placed_at = "2027-01-01T00:00:00Z".parse().expect("later"),
                "placed_at",
            ),
            (|o| o.lines[0].title = "a\u{0}b".into(), "lines[0].title"),
        ];
        for (break_it, field) in table {
            let mut o = input();
            break_it(&mut o);
            let errors = o.validate(now()).expect_err(field);
            assert!(
                errors.all().any(|e| e.field == field),
                "{field}: {errors:?}"
            );
        }
    }

    #[test]
    fn email_addresses_we_send_to() {
        let long_local = "a".repeat(64);
        let too_long_local = "a".repeat(65);
        let dotted = format!("{}.{}", "a".repeat(16), "b".repeat(16));
        let table: &[(&str, bool)] = &[
            ("anna.schmidt@example.com", true),
            ("o'brien+returns@shop.co.uk", true),
            ("x@a-b.de", true),
            (&format!("{long_local}@example.com"), true),
            (&dotted, false),
            (&format!("{dotted}@example.com"), true),
            (&format!("{too_long_local}@example.com"), false),
            ("anna@localhost", false),
            ("anna@-example.com", false),
            (".anna@example.com", false),
            ("anna.@example.com", false),
            ("an..na@example.com", false),
            ("\"anna\"@example.com", false),
            ("anna@[192.0.2.1]", false),
            ("jörg@example.com", false),
            ("anna@exämple.com", false),
            ("anna@example.com\n", false),
            ("anna example@example.com", false),
            ("", false),
        ];
        for (address, usable) in table {
            assert_eq!(usable_email(address), *usable, "{address:?}");
        }
    }

    proptest::proptest! {
        /// Whatever the document's pattern admits, the service takes.
        #[test]
        fn the_documented_pattern_is_what_we_take(
            address in EMAIL_PATTERN.trim_start_matches('^').trim_end_matches('$'),
        ) {
            proptest::prop_assume!(address.len() <= 254);
            proptest::prop_assert!(usable_email(&address), "{:?}", address);
        }
    }

    #[test]
    fn line_ids_are_checked_once_each() {
        let (mut p, mut unfit) = (Problems::default(), Problems::default());
        let ids: Vec<String> = ["1", "2", " 1"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            check_line_ids(&mut p, &mut unfit, "line_ids", &ids).len(),
            3
        );
        assert!(p.0.is_empty());
        assert_eq!(unfit.0.len(), 1);
        assert_eq!(unfit.0[0].field, "line_ids[2]");
        let (mut p, mut unfit) = (Problems::default(), Problems::default());
        let many = vec!["1".to_string(); 50_000];
        assert!(check_line_ids(&mut p, &mut unfit, "line_ids", &many).is_empty());
        assert_eq!(p.0.len(), 1, "one error, not 50,000");
    }
}
