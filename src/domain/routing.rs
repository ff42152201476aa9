//! Where a return goes: the nearest warehouse in the customer's customs territory (the
//! EU customs union counts as one) that accepts every category being returned, by
//! great-circle distance; otherwise the consolidation hub. Returns never cross a customs
//! border unless they have to, because that costs duties and days.

use geo::{Distance, Haversine, Point};
use serde::{Deserialize, Serialize};

/// Members of the EU customs union (plus Monaco, inside it through France).
const EU_CUSTOMS_UNION: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "MC",
];

/// The customs territory of a country: "EU" for the customs union, else the country.
pub fn customs_territory(country: &str) -> String {
    let country = country.to_ascii_uppercase();
    if EU_CUSTOMS_UNION.contains(&country.as_str()) {
        "EU".into()
    } else {
        country
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Warehouse {
    pub code: String,
    pub name: String,
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    /// Categories accepted; empty accepts all.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Carriers that may deliver returns here; empty accepts every configured one.
    #[serde(default)]
    pub carriers: Vec<String>,
    /// The carrier for this warehouse's labels, unless a request names another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_carrier: Option<String>,
    /// Printed on labels, for the carrier to call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The address in the country's own script, for labels from inside the country
    /// (a Chinese courier reads characters); labels from abroad use the one above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalAddress>,
}

/// A warehouse's address as written in its country.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalAddress {
    pub name: String,
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl Warehouse {
    fn accepts(&self, categories: &[String]) -> bool {
        self.categories.is_empty() || categories.iter().all(|c| self.categories.contains(c))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    pub hub: Warehouse,
    pub warehouses: Vec<Warehouse>,
}

#[derive(Debug, Clone)]
pub struct Route<'a> {
    pub warehouse: &'a Warehouse,
    pub distance_km: Option<f64>,
    pub reason: String,
}

impl Network {
    pub fn from_toml(text: &str) -> Result<Network, String> {
        let network: Network = toml::from_str(text).map_err(|e| e.to_string())?;
        for w in network.warehouses.iter().chain([&network.hub]) {
            if !(-90.0..=90.0).contains(&w.lat) || !(-180.0..=180.0).contains(&w.lon) {
                return Err(format!("warehouse {}: lat/lon out of range", w.code));
            }
        }
        Ok(network)
    }

    /// Every warehouse, the consolidation hub last.
    pub fn all(&self) -> impl Iterator<Item = &Warehouse> {
        self.warehouses.iter().chain([&self.hub])
    }

    pub fn find(&self, code: &str) -> Option<&Warehouse> {
        self.all().find(|w| w.code == code)
    }

    /// Routes a return from `country` (at `point` as (lat, lon) when known) holding
    /// items of `categories`.
    pub fn route(
        &self,
        country: &str,
        point: Option<(f64, f64)>,
        categories: &[String],
    ) -> Route<'_> {
        let territory = customs_territory(country);
        let candidates = self
            .warehouses
            .iter()
            .filter(|w| customs_territory(&w.country) == territory && w.accepts(categories));
        let chosen = match point {
            Some((lat, lon)) => {
                let from = Point::new(lon, lat);
                candidates
                    .map(|w| {
                        (
                            w,
                            Haversine.distance(from, Point::new(w.lon, w.lat)) / 1000.0,
                        )
                    })
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(w, km)| (w, Some(km)))
            }
            None => candidates.map(|w| (w, None)).next(),
        };
        match chosen {
            Some((warehouse, Some(km))) => Route {
                warehouse,
                distance_km: Some(km),
                reason: format!("nearest warehouse in {territory} for these items ({km:.0} km)"),
            },
            Some((warehouse, None)) => Route {
                warehouse,
                distance_km: None,
                reason: format!("first warehouse in {territory} for these items (the address has no coordinates)"),
            },
            None => Route {
                warehouse: &self.hub,
                distance_km: None,
                reason: format!("no warehouse in {territory} takes these items; sent to the consolidation hub"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network() -> Network {
        Network::from_toml(include_str!("../../config/warehouses.toml"))
            .expect("shipped warehouses parse")
    }

    fn cats(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn routes_table() {
        let n = network();
        let table: &[(&str, &str, Option<(f64, f64)>, &[&str], &str)] = &[
            (
                "Lisbon apparel goes to Madrid",
                "PT",
                Some((38.72, -9.14)),
                &["apparel"],
                "ES-MAD",
            ),
            (
                "Lisbon electronics: Madrid refuses, Berlin takes",
                "PT",
                Some((38.72, -9.14)),
                &["electronics"],
                "DE-BER",
            ),
            (
                "Munich goes to Berlin",
                "DE",
                Some((48.14, 11.58)),
                &["apparel"],
                "DE-BER",
            ),
            (
                "Paris apparel: Berlin (880 km) beats Madrid (1050 km)",
                "FR",
                Some((48.86, 2.35)),
                &["apparel"],
                "DE-BER",
            ),
            (
                "Shanghai goes to Shenzhen",
                "CN",
                Some((31.23, 121.47)),
                &["toys"],
                "CN-SZX",
            ),
            (
                "Canada has no warehouse: hub",
                "CA",
                Some((43.65, -79.38)),
                &["apparel"],
                "HUB-AMS",
            ),
            (
                "no coordinates: first in territory",
                "US",
                None,
                &["apparel"],
                "US-NJ",
            ),
            (
                "Swiss returns do not cross into the EU",
                "CH",
                Some((47.37, 8.54)),
                &["apparel"],
                "HUB-AMS",
            ),
        ];
        for &(case, country, point, categories, expected) in table {
            let route = n.route(country, point, &cats(categories));
            assert_eq!(route.warehouse.code, expected, "{case}: {}", route.reason);
        }
    }

    #[test]
    fn the_eu_is_one_territory() {
        assert_eq!(customs_territory("fr"), "EU");
        assert_eq!(customs_territory("GB"), "GB");
        assert_eq!(customs_territory("NO"), "NO");
    }
}
