//! Orders, their outbound parcels, and the customer look-up's answer.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::{amount, opt_ts, ts};
use crate::db::orders::{OrderRecord, OrderRow, ShipmentRow};

/// An order with each line's returnable quantity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Order {
    pub order_number: String,
    #[schema(value_type = crate::domain::Currency)]
    pub currency: String,
    #[schema(format = DateTime)]
    pub placed_at: String,
    #[schema(value_type = crate::domain::Money)]
    pub total: String,
    pub customer: Customer,
    pub ship_to: Address,
    pub lines: Vec<OrderLine>,
    pub shipments: Vec<Shipment>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Customer {
    pub email: String,
    pub name: String,
    /// As the shop sent it; null when it sent none.
    pub locale: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Address {
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    /// ISO 3166 alpha-2.
    pub country: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderLine {
    pub line_id: String,
    pub sku: String,
    pub title: String,
    pub category: String,
    pub quantity: i64,
    #[schema(value_type = crate::domain::Money)]
    pub unit_price: String,
    #[schema(value_type = crate::domain::Money)]
    pub tax: String,
    /// One unit's weight, when the shop sent it.
    pub weight_grams: Option<i64>,
    /// What is left to return: the quantity less what open returns hold.
    pub returnable_quantity: i64,
    #[schema(format = DateTime)]
    pub delivered_at: Option<String>,
    /// The product group the line is a variant of, when the shop said.
    pub variant_of: Option<String>,
    /// What sets the ordered variant apart, such as `{"size": "M"}`.
    pub options: BTreeMap<String, String>,
}

/// An outbound parcel of an order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Shipment {
    pub order_number: String,
    pub carrier: String,
    pub tracking_number: String,
    pub service: Option<String>,
    #[schema(format = DateTime)]
    pub shipped_at: String,
    #[schema(format = DateTime)]
    pub delivered_at: Option<String>,
    #[schema(schema_with = super::incident::tracking_statuses)]
    pub status: String,
}

impl Shipment {
    pub fn new(s: &ShipmentRow, order_number: &str) -> Shipment {
        Shipment {
            order_number: order_number.to_string(),
            carrier: s.carrier.clone(),
            tracking_number: s.tracking_number.clone(),
            service: s.service.clone(),
            shipped_at: ts(s.shipped_at),
            delivered_at: opt_ts(s.delivered_at),
            status: s.status.clone(),
        }
    }
}

impl Order {
    pub fn new(record: &OrderRecord) -> Order {
        let o = &record.order;
        let c = o.currency.as_str();
        Order {
            order_number: o.order_number.clone(),
            currency: o.currency.clone(),
            placed_at: ts(o.placed_at),
            total: amount(o.total_minor, c),
            customer: Customer {
                email: o.customer_email.clone(),
                name: o.customer_name.clone(),
                locale: Some(o.customer_locale.clone()).filter(|l| !l.is_empty()),
            },
            ship_to: Address {
                name: o.ship_name.clone(),
                line1: o.ship_line1.clone(),
                line2: o.ship_line2.clone(),
                city: o.ship_city.clone(),
                region: o.ship_region.clone(),
                postal_code: o.ship_postal_code.clone(),
                country: o.ship_country.clone(),
                lat: o.ship_lat,
                lon: o.ship_lon,
                phone: o.ship_phone.clone(),
            },
            lines: record
                .lines
                .iter()
                .map(|l| OrderLine {
                    line_id: l.line_id.clone(),
                    sku: l.sku.clone(),
                    title: l.title.clone(),
                    category: l.category.clone(),
                    quantity: l.quantity,
                    unit_price: amount(l.unit_price_minor, c),
                    tax: amount(l.tax_minor, c),
                    weight_grams: l.weight_grams,
                    returnable_quantity: l.returnable_quantity(),
                    delivered_at: opt_ts(l.delivered_at),
                    variant_of: l.variant_of.clone(),
                    options: l.options(),
                })
                .collect(),
            shipments: record
                .shipments
                .iter()
                .map(|s| Shipment::new(s, &o.order_number))
                .collect(),
            created_at: ts(o.created_at),
            updated_at: ts(o.updated_at),
        }
    }
}

/// Masks the customer's email, name, street, phone and coordinates (a postcode
/// look-up sees the order, not who and where exactly).
pub fn mask_customer(o: &mut OrderRow) {
    use crate::domain::privacy::{mask_email, mask_phone, mask_words};
    o.customer_email = mask_email(&o.customer_email);
    o.customer_name = mask_words(&o.customer_name);
    o.ship_name = mask_words(&o.ship_name);
    o.ship_line1 = mask_words(&o.ship_line1);
    o.ship_line2 = o.ship_line2.as_deref().map(mask_words);
    o.ship_phone = o.ship_phone.as_deref().map(mask_phone);
    o.ship_lat = None;
    o.ship_lon = None;
}

/// What a customer's look-up opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LookupAccess {
    /// The email matched: the whole order.
    Order,
    /// The postcode matched: the customer's email, name, street, phone and
    /// coordinates are masked.
    OrderMasked,
}

/// The answer to a look-up: an order-scoped token and the order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LookupResult {
    /// Send it as the Bearer token for this order's returns.
    pub token: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    pub access: LookupAccess,
    pub order: Order,
}
