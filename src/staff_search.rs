//! Staff's one search box: whatever someone has in hand — an RMA number from a packing
//! slip, an order number from the shop, a tracking number off a box, a customer's
//! email — finds the returns it belongs to.

use chrono::NaiveDateTime;

use crate::db::rmas::{self, SearchKeys};
use crate::db::DbConnection;
use crate::domain::barcode::{self, Scan};
use crate::domain::order_number::OrderNumber;
use crate::domain::privacy::mask_email;
use crate::domain::{RmaNumber, RmaStatus, Role};
use crate::error::AppError;
use crate::paging::{self, Page};

/// Returns listed on one page of a search.
pub const SEARCH_PAGE: i64 = 50;

/// Whether `role` sees customers' email addresses (and may search by them): finance
/// and admins, who deal with the customer; the warehouse needs the box, not the person.
pub fn sees_emails(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Finance)
}

/// A return found by a search.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundReturn {
    /// The RMA's id: where the next page starts.
    pub id: String,
    pub number: String,
    pub order_number: String,
    pub status: RmaStatus,
    pub resolution: String,
    /// Masked (`a***@example.com`) for roles that do not see emails.
    pub customer_email: String,
    pub return_to: String,
    pub created_at: NaiveDateTime,
}

/// Every kind of key `text` could be. A text is tried as each kind that fits its
/// shape: `DEMO-1001` is an order number, `1Z…` a tracking number, an address with `@`
/// an email; an RMA number is only that.
pub fn keys_of(text: &str) -> SearchKeys {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 254 {
        return SearchKeys::default();
    }
    if let Ok(rma) = RmaNumber::parse(text) {
        return SearchKeys {
            rma_number: Some(rma.as_str().to_string()),
            ..SearchKeys::default()
        };
    }
    if text.contains('@') {
        return SearchKeys {
            email: Some(text.to_lowercase()),
            ..SearchKeys::default()
        };
    }
    let tracking_number = match barcode::read(text) {
        Ok(Scan::Tracking { number, .. }) => Some(number),
        Ok(Scan::Unknown(cleaned)) => Some(cleaned),
        _ => None,
    };
    SearchKeys {
        rma_number: None,
        order_key: OrderNumber::parse(text).ok().map(|n| n.lookup_key()),
        tracking_number,
        email: None,
    }
}

/// A page of the returns `text` names for a member of staff in `role`, newest first,
/// after `cursor` (from the page before).
pub fn search(
    c: &mut DbConnection,
    text: &str,
    role: Role,
    cursor: Option<&str>,
) -> Result<Page<FoundReturn>, AppError> {
    let after = paging::id_cursor(cursor, "return")?;
    let mut keys = keys_of(text);
    if !sees_emails(role) {
        keys.email = None;
    }
    let found = rmas::search(c, &keys, after, SEARCH_PAGE + 1)?;
    let rows = found
        .into_iter()
        .map(|(rma, order_number)| FoundReturn {
            id: rma.id,
            number: rma.number,
            order_number,
            status: rma.status,
            resolution: rma.resolution,
            customer_email: match sees_emails(role) {
                true => rma.customer_email,
                false => mask_email(&rma.customer_email),
            },
            return_to: rma.return_to,
            created_at: rma.created_at,
        })
        .collect();
    Ok(Page::cut(rows, SEARCH_PAGE, |f| f.id.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_tried_as_each_key_its_shape_fits() {
        let rma = RmaNumber::generate(&mut rand::rng());
        let lower = rma.as_str().to_lowercase();
        let cases: Vec<(&str, SearchKeys)> = vec![
            (
                lower.as_str(),
                SearchKeys {
                    rma_number: Some(rma.as_str().to_string()),
                    ..SearchKeys::default()
                },
            ),
            (
                " Anna.Schmidt@Example.com ",
                SearchKeys {
                    email: Some("anna.schmidt@example.com".into()),
                    ..SearchKeys::default()
                },
            ),
            (
                "demo-1001",
                SearchKeys {
                    order_key: Some("demo1001".into()),
                    tracking_number: Some("DEMO1001".into()),
                    ..SearchKeys::default()
                },
            ),
            (
                "1Z 999A A101 2345 6784",
                SearchKeys {
                    tracking_number: Some("1Z999AA10123456784".into()),
                    order_key: None,
                    ..SearchKeys::default()
                },
            ),
            ("   ", SearchKeys::default()),
        ];
        for (text, expected) in cases {
            let keys = keys_of(text);
            assert_eq!(keys.rma_number, expected.rma_number, "{text}");
            assert_eq!(keys.email, expected.email, "{text}");
            assert_eq!(keys.tracking_number, expected.tracking_number, "{text}");
            assert_eq!(keys.order_key, expected.order_key, "{text}");
        }
    }
}
