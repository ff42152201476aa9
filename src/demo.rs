//! Demo data for `backhaul serve --demo`: a few realistic orders in EUR, USD, JPY and
//! CNY, delivered a few days ago so their return windows are open, one RMA so the
//! lists are not empty, and a catalogue of the sizes the EUR order's clothes come in.
//! Loading twice updates the same orders and product groups.

use chrono::{DateTime, Duration, Utc};

use crate::core::Core;
use crate::db::catalog;
use crate::db::orders::{self, NewShipment};
use crate::db::rmas;
use crate::domain::catalog::{ProductGroupInput, VariantInput};
use crate::domain::order::{AddressInput, CustomerInput, LineInput, OrderInput};
use crate::domain::{Resolution, ReturnReason};
use crate::error::AppError;
use crate::returns::{ReturnInput, ReturnLineInput};

/// The order a person can try the customer flow with.
pub const TRY_ORDER: &str = "DEMO-1001";
pub const TRY_EMAIL: &str = "anna.schmidt@example.com";

/// (line id, sku, title, category, quantity, unit price, tax, unit weight in grams)
type DemoLine = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static str,
    Option<i64>,
);

struct DemoOrder {
    number: &'static str,
    currency: &'static str,
    email: &'static str,
    name: &'static str,
    locale: &'static str,
    address: (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        f64,
        f64,
    ),
    lines: &'static [DemoLine],
    carrier: &'static str,
    tracking: &'static str,
    delivered_days_ago: i64,
    phone: &'static str,
}

const ORDERS: &[DemoOrder] = &[
    DemoOrder {
        number: TRY_ORDER,
        currency: "EUR",
        email: TRY_EMAIL,
        name: "Anna Schmidt",
        locale: "de",
        address: ("Torstraße 112", "Berlin", "10119", "DE", 52.5298, 13.4010),
        lines: &[
            (
                "1",
                "JKT-RAIN-M",
                "Rain jacket, size M",
                "apparel",
                1,
                "89.90",
                "14.35",
                Some(620),
            ),
            (
                "2",
                "TSH-ORG-L",
                "Organic T-shirt, size L",
                "apparel",
                2,
                "19.90",
                "6.35",
                Some(180),
            ),
            (
                "3",
                "HDP-ANC-01",
                "Noise-cancelling headphones",
                "electronics",
                1,
                "149.00",
                "23.79",
                Some(350),
            ),
        ],
        carrier: "sandbox",
        tracking: "SBX1001000001",
        phone: "+49 30 1234567",
        delivered_days_ago: 4,
    },
    DemoOrder {
        number: "DEMO-2001",
        currency: "USD",
        email: "jordan.lee@example.com",
        name: "Jordan Lee",
        locale: "en",
        address: ("350 5th Ave", "New York", "10118", "US", 40.7484, -73.9857),
        lines: &[
            (
                "1",
                "SNK-RUN-10",
                "Running shoes, US 10",
                "shoes",
                1,
                "120.00",
                "10.65",
                Some(900),
            ),
            (
                "2",
                "SCK-WOOL-3",
                "Wool socks, 3-pack",
                "apparel",
                1,
                "18.00",
                "1.60",
                Some(150),
            ),
        ],
        carrier: "sandbox",
        tracking: "SBX2001000001",
        phone: "+1 212 555 0134",
        delivered_days_ago: 3,
    },
    DemoOrder {
        number: "DEMO-3001",
        currency: "JPY",
        email: "haruto.sato@example.com",
        name: "Haruto Sato",
        locale: "ja",
        address: (
            "1-1 Marunouchi, Chiyoda-ku",
            "Tokyo",
            "100-0005",
            "JP",
            35.6812,
            139.7671,
        ),
        lines: &[
            (
                "1",
                "KTL-ELEC-1",
                "Electric kettle",
                "home",
                1,
                "8900",
                "890",
                Some(1200),
            ),
            (
                "2",
                "MUG-CER-2",
                "Ceramic mug, set of 2",
                "home",
                1,
                "2400",
                "240",
                Some(800),
            ),
        ],
        carrier: "sandbox",
        tracking: "SBX3001000001",
        phone: "+81 3 1234 5678",
        delivered_days_ago: 2,
    },
    DemoOrder {
        number: "DEMO-4001",
        currency: "CNY",
        email: "li.wei@example.com",
        name: "李伟",
        locale: "zh",
        address: (
            "南京西路 1266 号",
            "上海市",
            "200040",
            "CN",
            31.2304,
            121.4737,
        ),
        lines: &[
            (
                "1",
                "PHN-CASE-X",
                "Phone case",
                "accessories",
                2,
                "99.00",
                "12.87",
                Some(45),
            ),
            (
                "2",
                "TEA-LJ-250",
                "Longjing green tea, 250 g",
                "perishables",
                1,
                "268.00",
                "24.12",
                Some(300),
            ),
        ],
        carrier: "sandbox",
        tracking: "SBX4001000001",
        phone: "+86 138 0013 8000",
        delivered_days_ago: 2,
    },
];

fn input(o: &DemoOrder, now: DateTime<Utc>) -> OrderInput {
    let (line1, city, postal_code, country, lat, lon) = o.address;
    OrderInput {
        order_number: o.number.into(),
        currency: o.currency.into(),
        placed_at: now - Duration::days(o.delivered_days_ago + 3),
        customer: CustomerInput {
            email: o.email.into(),
            name: o.name.into(),
            locale: Some(o.locale.into()),
        },
        ship_to: AddressInput {
            name: o.name.into(),
            line1: line1.into(),
            line2: None,
            city: city.into(),
            region: None,
            postal_code: postal_code.into(),
            country: country.into(),
            lat: Some(lat),
            lon: Some(lon),
            phone: Some(o.phone.into()),
        },
        lines: o
            .lines
            .iter()
            .map(
                |&(id, sku, title, category, quantity, price, tax, weight_grams)| LineInput {
                    line_id: id.into(),
                    sku: sku.into(),
                    title: title.into(),
                    category: category.into(),
                    quantity,
                    unit_price: price.into(),
                    tax: tax.into(),
                    weight_grams,
                    variant_of: variant_of(sku).map(|(group, _)| group.into()),
                    options: variant_of(sku)
                        .map(|(_, size)| [("size".to_string(), size.to_string())].into())
                        .unwrap_or_default(),
                },
            )
            .collect(),
    }
}

/// (sku, title, size, price, available)
type DemoVariant = (&'static str, &'static str, &'static str, &'static str, i64);

/// The demo catalogue: (product group, currency, variants). The demo orders' jacket and
/// T-shirts are variants of these.
const CATALOG: &[(&str, &str, &[DemoVariant])] = &[
    (
        "jkt-rain",
        "EUR",
        &[
            ("JKT-RAIN-S", "Rain jacket, size S", "S", "89.90", 4),
            ("JKT-RAIN-M", "Rain jacket, size M", "M", "89.90", 0),
            ("JKT-RAIN-L", "Rain jacket, size L", "L", "89.90", 6),
        ],
    ),
    (
        "tsh-organic",
        "EUR",
        &[
            ("TSH-ORG-S", "Organic T-shirt, size S", "S", "19.90", 12),
            ("TSH-ORG-M", "Organic T-shirt, size M", "M", "19.90", 8),
            ("TSH-ORG-L", "Organic T-shirt, size L", "L", "19.90", 3),
            ("TSH-ORG-XL", "Organic T-shirt, size XL", "XL", "19.90", 5),
        ],
    ),
    // Another product to exchange the rain jacket for (exchange_product).
    (
        "jkt-storm",
        "EUR",
        &[
            ("JKT-STORM-M", "Storm jacket, size M", "M", "99.90", 3),
            ("JKT-STORM-L", "Storm jacket, size L", "L", "99.90", 2),
        ],
    ),
];

/// The product group and size of a demo SKU, when the catalogue has it.
fn variant_of(sku: &str) -> Option<(&'static str, &'static str)> {
    CATALOG.iter().find_map(|(group, _, variants)| {
        let (_, _, size, _, _) = variants.iter().find(|v| v.0 == sku)?;
        Some((*group, *size))
    })
}

/// Loads the demo catalogue, the demo orders and one RMA on the USD order.
pub async fn load(state: &Core) -> Result<(), AppError> {
    let now = state.clock.now();
    for (id, currency, variants) in CATALOG {
        let group = ProductGroupInput {
            currency: currency.to_string(),
            variants: variants
                .iter()
                .map(|&(sku, title, size, price, available)| VariantInput {
                    sku: sku.into(),
                    title: title.into(),
                    options: [("size".to_string(), size.to_string())].into(),
                    price: price.into(),
                    available,
                })
                .collect(),
        }
        .validate(id)?;
        state
            .db
            .write(move |c| catalog::replace(c, &group, now))
            .await?;
    }
    for o in ORDERS {
        let order = input(o, now).validate(now)?;
        let shipment = NewShipment {
            carrier: o.carrier.into(),
            tracking_number: o.tracking.into(),
            service: Some("standard".into()),
            shipped_at: now - Duration::days(o.delivered_days_ago + 2),
            delivered_at: Some(now - Duration::days(o.delivered_days_ago)),
            line_ids: None,
            origin_country: None,
            first_poll_at: None,
        };
        state
            .db
            .write(move |c| {
                let (id, _) = orders::upsert(c, &order, now)?;
                let row = orders::load_by_id(c, &id)?.order;
                orders::add_shipment(c, &row, &shipment, now)?;
                Ok::<_, AppError>(())
            })
            .await?;
    }
    let has_rma = state
        .db
        .read(|c| {
            let filter = rmas::ListFilter {
                order_number: Some("DEMO-2001".into()),
                limit: 1,
                ..rmas::ListFilter::default()
            };
            Ok::<_, AppError>(!rmas::list(c, &filter)?.is_empty())
        })
        .await?;
    if !has_rma {
        let request = ReturnInput {
            order_number: "DEMO-2001".into(),
            lines: vec![ReturnLineInput {
                line_id: "1".into(),
                quantity: 1,
                reason: ReturnReason::SizeTooSmall,
                exchange_for: None,
            }],
            resolution: Resolution::Exchange,
            comment: Some("Need a size 10.5".into()),
        };
        let policy = state.policy.clone();
        let network = state.network.clone();
        state
            .db
            .write(move |c| {
                let rules = crate::returns::ReturnRules {
                    policy: &policy,
                    network: &network,
                };
                rules.create(c, &request, "demo", now).map(|_| ())
            })
            .await?;
    }
    Ok(())
}
