//! A product group of the catalogue, as the shop sent it.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::{amount, ts};
use crate::db::catalog::GroupRecord;

/// A product and its variants: what an exchange can offer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductGroup {
    pub product_group: String,
    #[schema(value_type = crate::domain::Currency)]
    pub currency: String,
    /// In the shop's order.
    pub variants: Vec<CatalogVariant>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogVariant {
    pub sku: String,
    pub title: String,
    /// What sets this variant apart, such as `{"size": "M"}`.
    pub options: BTreeMap<String, String>,
    #[schema(value_type = crate::domain::Money)]
    pub price: String,
    /// How many the shop can send as replacements.
    pub available: i64,
}

impl ProductGroup {
    pub fn new(record: &GroupRecord) -> ProductGroup {
        let g = &record.group;
        ProductGroup {
            product_group: g.id.clone(),
            currency: g.currency.clone(),
            variants: record
                .variants
                .iter()
                .map(|v| CatalogVariant {
                    sku: v.sku.clone(),
                    title: v.title.clone(),
                    options: v.options(),
                    price: amount(v.price_minor, &g.currency),
                    available: v.available,
                })
                .collect(),
            created_at: ts(g.created_at),
            updated_at: ts(g.updated_at),
        }
    }
}
