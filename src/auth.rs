//! Who is acting and what they may do: a member of staff or a system with one role,
//! or a customer with a token for their order (or one return of it). The role checks
//! and the signed customer tokens live here, shared by the API, the pages and the
//! emails; how a caller proves who they are over HTTP is `api::auth`'s.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::domain::Role;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Staff {
        key_id: String,
        role: Role,
    },
    Customer {
        order_number: String,
        access: CustomerAccess,
    },
}

/// What a customer's token lets them do; it travels inside the signed token, so it
/// cannot be changed without the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerAccess {
    /// Looked up with the order's email: the order, its returns, new returns.
    Order,
    /// Looked up with the delivery postcode, which is easier to guess: as `Order`, but
    /// the customer's email, name, street and coordinates are masked.
    OrderMasked,
    /// The link in a status email (it travels in URLs): that one return, to read and
    /// to get its label; no new returns, no cancelling, nothing else of the order.
    Rma(String),
}

impl CustomerAccess {
    fn purpose(&self) -> &'static str {
        match self {
            CustomerAccess::Order => "lookup",
            CustomerAccess::OrderMasked => "lookup_postcode",
            CustomerAccess::Rma(_) => "status_link",
        }
    }
}

impl Principal {
    /// Stable name for audit events and idempotency records.
    pub fn actor(&self) -> String {
        match self {
            Principal::Staff { key_id, role } => format!("{role}:{key_id}"),
            Principal::Customer { order_number, .. } => format!("customer:{order_number}"),
        }
    }

    /// Staff with one of `roles` (admin may do everything).
    pub fn require_staff(&self, roles: &[Role]) -> Result<(), AppError> {
        match self {
            Principal::Staff { role, .. } if *role == Role::Admin || roles.contains(role) => Ok(()),
            _ => Err(AppError::Forbidden(format!(
                "this needs one of the roles: {}",
                roles
                    .iter()
                    .map(Role::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Staff with one of `roles`, or the customer of `order_number` with a token for the
    /// whole order (a status link opens one return only).
    pub fn require_staff_or_customer(
        &self,
        roles: &[Role],
        order_number: &str,
    ) -> Result<(), AppError> {
        match self {
            Principal::Customer {
                order_number: own,
                access: CustomerAccess::Order | CustomerAccess::OrderMasked,
            } if own == order_number => Ok(()),
            Principal::Customer {
                access: CustomerAccess::Rma(_),
                ..
            } => Err(AppError::Forbidden(
                "this link opens one return only; look the order up to do more".into(),
            )),
            Principal::Customer { .. } => Err(AppError::Forbidden(
                "this token is for another order".into(),
            )),
            staff => staff.require_staff(roles),
        }
    }

    /// As [`Principal::require_staff_or_customer`], for reading one return: a status
    /// link for that very return is enough.
    pub fn require_staff_or_customer_of_rma(
        &self,
        roles: &[Role],
        order_number: &str,
        rma_number: &str,
    ) -> Result<(), AppError> {
        match self {
            Principal::Customer {
                order_number: own,
                access: CustomerAccess::Rma(rma),
            } if own == order_number && rma == rma_number => Ok(()),
            Principal::Customer {
                access: CustomerAccess::Rma(_),
                ..
            } => Err(AppError::Forbidden(
                "this link is for another return".into(),
            )),
            other => other.require_staff_or_customer(roles, order_number),
        }
    }

    /// Whether the customer's email, name and street must be masked for this caller.
    pub fn sees_masked_order(&self) -> bool {
        matches!(
            self,
            Principal::Customer {
                access: CustomerAccess::OrderMasked,
                ..
            }
        )
    }
}

/// Signs and checks customer tokens: `c.<payload>.<hmac>`, payload
/// `purpose|expiry|rma|order` (the order last: it may hold a `|`).
pub struct CustomerTokens {
    secret: SecretString,
}

type HmacSha256 = Hmac<Sha256>;

impl CustomerTokens {
    pub fn new(secret: SecretString) -> CustomerTokens {
        CustomerTokens { secret }
    }

    fn mac(&self, payload: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(self.secret.expose_secret().as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(payload.as_bytes());
        mac
    }

    /// A mark that this browser signed in as `username` at `issued` (staff pages). It
    /// is bound to the user's current password hash, so a new password (or removing
    /// the user) ends every mark, and it is good for a year.
    pub fn device_mark(
        &self,
        username: &str,
        password_hash: &str,
        issued: DateTime<Utc>,
    ) -> String {
        let at = issued.timestamp();
        format!("{at}.{}", self.device_digest(username, password_hash, at))
    }

    /// Whether `mark` is one of [`CustomerTokens::device_mark`]'s for this user and
    /// password, less than a year old.
    pub fn device_mark_ok(
        &self,
        mark: &str,
        username: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> bool {
        let Some((at, digest)) = mark.split_once('.') else {
            return false;
        };
        let Ok(at) = at.parse::<i64>() else {
            return false;
        };
        let fresh = (0..=365 * 24 * 3600).contains(&(now.timestamp() - at));
        fresh
            && crate::domain::secret_eq(
                digest.as_bytes(),
                self.device_digest(username, password_hash, at).as_bytes(),
            )
    }

    fn device_digest(&self, username: &str, password_hash: &str, at: i64) -> String {
        let mark = format!(
            "known-device|{}|{at}|{password_hash}",
            username.to_lowercase()
        );
        hex::encode(self.mac(&mark).finalize().into_bytes())
    }

    pub fn issue(
        &self,
        order_number: &str,
        access: &CustomerAccess,
        expires_at: DateTime<Utc>,
    ) -> String {
        let rma = match access {
            CustomerAccess::Rma(number) => number.as_str(),
            _ => "",
        };
        let payload = format!(
            "{}|{}|{rma}|{order_number}",
            access.purpose(),
            expires_at.timestamp()
        );
        let sig = self.mac(&payload).finalize().into_bytes();
        format!(
            "c.{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(sig)
        )
    }

    /// The token's payload, if our secret signed it.
    fn signed_payload(&self, token: &str) -> Option<String> {
        let rest = token.strip_prefix("c.")?;
        let (payload, sig) = rest.split_once('.')?;
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        self.mac(&payload).verify_slice(&sig).ok()?;
        Some(payload)
    }

    /// The customer the token is for, if it is genuine and not expired.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Principal> {
        let payload = self.signed_payload(token)?;
        let mut parts = payload.splitn(4, '|');
        let (purpose, expires, rma, order_number) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if expires.parse::<i64>().ok()? <= now.timestamp() {
            return None;
        }
        let access = match (purpose, rma) {
            ("lookup", "") => CustomerAccess::Order,
            ("lookup_postcode", "") => CustomerAccess::OrderMasked,
            ("status_link", rma) if !rma.is_empty() => CustomerAccess::Rma(rma.to_string()),
            _ => return None,
        };
        Some(Principal::Customer {
            order_number: order_number.to_string(),
            access,
        })
    }

    /// The order and expiry of a token issued before tokens had purposes
    /// (`order|expiry`): the links in status emails sent then opened the whole order.
    /// Only the status page reads these, to open one return of that order.
    pub fn verify_order_link(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Option<(String, DateTime<Utc>)> {
        let payload = self.signed_payload(token)?;
        let purposes = [
            "lookup|",
            "lookup_postcode|",
            "status_link|",
            "known-device|",
        ];
        if purposes.iter().any(|p| payload.starts_with(p)) {
            return None;
        }
        let (order_number, expires) = payload.rsplit_once('|')?;
        let expires = DateTime::from_timestamp(expires.parse::<i64>().ok()?, 0)?;
        (expires > now).then(|| (order_number.to_string(), expires))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn customer(order: &str, access: CustomerAccess) -> Principal {
        Principal::Customer {
            order_number: order.into(),
            access,
        }
    }

    #[test]
    fn customer_tokens_are_scoped_signed_and_expire() {
        let now = Utc::now();
        let tokens = CustomerTokens::new(SecretString::from("s3cret"));
        let token = tokens.issue("1001", &CustomerAccess::Order, now + Duration::minutes(5));
        assert_eq!(
            tokens.verify(&token, now),
            Some(customer("1001", CustomerAccess::Order))
        );
        assert_eq!(tokens.verify(&token, now + Duration::minutes(6)), None);
        let other = CustomerTokens::new(SecretString::from("other"));
        assert_eq!(other.verify(&token, now), None);
        let forged = token.replace("c.", "c.x");
        assert_eq!(tokens.verify(&forged, now), None);
        assert_eq!(tokens.verify("c.", now), None);
    }

    #[test]
    fn a_token_keeps_its_purpose() {
        let now = Utc::now();
        let tokens = CustomerTokens::new(SecretString::from("s3cret"));
        let until = now + Duration::minutes(5);
        for access in [
            CustomerAccess::Order,
            CustomerAccess::OrderMasked,
            CustomerAccess::Rma("R-7KQ2-M9XD".into()),
        ] {
            let token = tokens.issue("A|1001", &access, until);
            assert_eq!(tokens.verify(&token, now), Some(customer("A|1001", access)));
        }
        // Only the three purposes, each with or without its RMA as it must be.
        let exp = until.timestamp();
        for payload in [
            format!("lookup|{exp}|R-1|1001"),
            format!("status_link|{exp}||1001"),
            format!("admin|{exp}||1001"),
            format!("{exp}|1001"),
        ] {
            let sig = tokens.mac(&payload).finalize().into_bytes();
            let token = format!(
                "c.{}.{}",
                URL_SAFE_NO_PAD.encode(&payload),
                URL_SAFE_NO_PAD.encode(sig)
            );
            assert_eq!(tokens.verify(&token, now), None, "{payload}");
        }
    }

    #[test]
    fn roles() {
        let admin = Principal::Staff {
            key_id: "k".into(),
            role: Role::Admin,
        };
        let warehouse = Principal::Staff {
            key_id: "k".into(),
            role: Role::Warehouse,
        };
        let link = customer("1001", CustomerAccess::Rma("R-1".into()));
        assert!(link
            .require_staff_or_customer(&[Role::Integration], "1001")
            .is_err());
        assert!(link
            .require_staff_or_customer_of_rma(&[Role::Integration], "1001", "R-1")
            .is_ok());
        assert!(link
            .require_staff_or_customer_of_rma(&[Role::Integration], "1001", "R-2")
            .is_err());
        let customer = customer("1001", CustomerAccess::Order);
        assert!(admin.require_staff(&[Role::Integration]).is_ok());
        assert!(warehouse.require_staff(&[Role::Integration]).is_err());
        assert!(customer.require_staff(&[Role::Integration]).is_err());
        assert!(customer
            .require_staff_or_customer(&[Role::Integration], "1001")
            .is_ok());
        assert!(customer
            .require_staff_or_customer(&[Role::Integration], "1002")
            .is_err());
    }
}
