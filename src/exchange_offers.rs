//! What a customer may exchange each line of an order for, as the return portal offers
//! it: the other variants of the line's product that are in stock, priced in the
//! order's currency. (The API takes any catalogue SKU with `exchange_product`.)

use std::collections::{BTreeMap, HashMap};

use crate::db::catalog;
use crate::db::orders::OrderRecord;
use crate::db::DbConnection;
use crate::domain::{Currency, Money, Resolution};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    pub sku: String,
    pub title: String,
    pub options: BTreeMap<String, String>,
    pub price: Money,
}

/// Alternatives per order line id; a line that is no variant of a product has none.
pub type Offers = HashMap<String, Vec<Alternative>>;

pub fn for_order(c: &mut DbConnection, record: &OrderRecord) -> Result<Offers, AppError> {
    let currency =
        Currency::parse(&record.order.currency).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut groups: HashMap<&str, Option<catalog::GroupRecord>> = HashMap::new();
    let mut offers = Offers::new();
    for line in &record.lines {
        let Some(group_id) = line.variant_of.as_deref() else {
            continue;
        };
        if !groups.contains_key(group_id) {
            groups.insert(group_id, catalog::load(c, group_id)?);
        }
        let Some(Some(group)) = groups.get(group_id) else {
            continue;
        };
        if group.group.currency != currency.code() {
            continue;
        }
        let alternatives: Vec<Alternative> = group
            .variants
            .iter()
            .filter(|v| v.available > 0 && v.sku != line.sku)
            .map(|v| Alternative {
                sku: v.sku.clone(),
                title: v.title.clone(),
                options: v.options(),
                price: Money::from_minor(v.price_minor, currency),
            })
            .collect();
        if !alternatives.is_empty() {
            offers.insert(line.line_id.clone(), alternatives);
        }
    }
    Ok(offers)
}

/// The resolution an exchange on the portal becomes once the customer has chosen
/// `picked` (line id, SKU) among `offers`: another variant at the same price for every
/// line, or — when a price differs — an exchange for another product, whose difference
/// the decision works out. `None` when a pick is not one of the line's offers.
pub fn resolution_for(
    record: &OrderRecord,
    offers: &Offers,
    picked: &[(&str, &str)],
) -> Option<Resolution> {
    let mut same_price = true;
    for (line_id, sku) in picked {
        let line = record.lines.iter().find(|l| l.line_id == *line_id)?;
        let offer = offers.get(*line_id)?.iter().find(|a| a.sku == *sku)?;
        same_price &= offer.price.minor() == line.unit_price_minor;
    }
    Some(match same_price {
        true => Resolution::ExchangeVariant,
        false => Resolution::ExchangeProduct,
    })
}
