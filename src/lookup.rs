//! The customer look-up: a customer proves they own an order (order number plus the
//! email or delivery postcode) and gets a short-lived token scoped to that order. An
//! unknown order and wrong details give the same answer after the same work, and
//! failed guesses back off per order and address, per address and per order. The API
//! and the portal page both call it (after their per-address rate limit).

use chrono::Duration;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::CustomerAccess;
use crate::config::LookupSettings;
use crate::core::Core;
use crate::db::orders;
use crate::domain::order_number::OrderNumber;
use crate::domain::throttle::ThrottleRule;
use crate::error::AppError;
use crate::guesses::{self, GuessKey};

/// Give email or postal_code.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupInput {
    #[schema(schema_with = crate::domain::schema::order_number)]
    pub order_number: String,
    pub email: Option<String>,
    pub postal_code: Option<String>,
}

/// Postcodes compare without spaces, dashes or case ("SW1A 1AA" = "sw1a1aa").
fn postcode_text(p: &str) -> String {
    p.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Equal texts, found with the same work whatever they hold and wherever they
/// differ: both are hashed and the digests compared in constant time.
fn same_secret(typed: &str, stored: &str) -> bool {
    let (a, b) = (
        Sha256::digest(typed.as_bytes()),
        Sha256::digest(stored.as_bytes()),
    );
    crate::domain::secret_eq(&a, &b)
}

fn same_postcode(a: &str, b: &str) -> bool {
    let (a, b) = (postcode_text(a), postcode_text(b));
    same_secret(&a, &b) && !a.is_empty()
}

/// The keys a look-up counts against (see [`crate::guesses`]): per order and address
/// (forgotten when that address gets it right), per address, per order from everywhere.
fn guess_keys(settings: &LookupSettings, order: &str, ip: &str) -> Vec<GuessKey> {
    let hour = Duration::hours(1);
    vec![
        GuessKey::new(
            format!("lookup:order+address:{order}|{ip}"),
            ThrottleRule::hourly(settings.failures_per_order_and_address, hour),
        ),
        GuessKey::new(
            format!("lookup:address:{ip}"),
            ThrottleRule::hourly(settings.failures_per_address, hour),
        ),
        GuessKey::new(
            format!("lookup:order:{order}"),
            ThrottleRule::hourly(settings.failures_per_order, hour),
        ),
    ]
}

/// The order's postcode budget: spent for an hour after a few wrong postcodes.
fn postcode_budget(settings: &LookupSettings, order: &str) -> GuessKey {
    let hour = Duration::hours(1);
    GuessKey::new(
        format!("lookup:postcode:{order}"),
        ThrottleRule {
            free: settings.postcode_failures_per_order,
            first_block: hour,
            max_block: hour,
            forget_after: hour,
        },
    )
}

/// A customer's order, found by number and email or postcode.
pub struct FoundOrder {
    pub record: orders::OrderRecord,
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub access: CustomerAccess,
}

/// Why a look-up failed, beyond "no such order": the postcode guesses for this order
/// are used up, so only its email finds it for now.
const POSTCODE_BUDGET_SPENT: &str =
    "too many postcodes were tried for this order; use the order's email address";

/// Whether `e` says the order's postcode budget is spent (the field is the postcode).
pub fn postcode_budget_spent(e: &AppError) -> bool {
    matches!(e, AppError::DoesNotFit(errors) if errors.iter().any(|f| f.field == "postal_code"))
}

/// A look-up as asked: the order number read by the one rule, and the email or
/// postcode that proves it (one of them is needed).
pub struct Ask {
    number: OrderNumber,
    typed: String,
    email: Option<String>,
    postal: Option<String>,
}

/// Checks a look-up before anything is counted against it.
pub fn read(input: LookupInput) -> Result<Ask, AppError> {
    let email = input
        .email
        .as_deref()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty());
    let postal = input
        .postal_code
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    if email.is_none() && postal.is_none() {
        return Err(AppError::does_not_fit(
            "email",
            "give the order's email address or its delivery postcode",
        ));
    }
    let number = OrderNumber::parse(&input.order_number)
        .map_err(|e| AppError::invalid("order_number", e.to_string()))?;

    Ok(Ask {
        typed: input.order_number.trim().to_string(),
        number,
        email,
        postal,
    })
}

/// A customer's order found by number and email or postcode, and a token for it. An
/// unknown order and wrong details give the same 404 after the same work; failures
/// count per order and address, per address and per order (each backing off), and a
/// postcode finds an order at most a few times an hour and gives a token that masks
/// the customer's email and street.
pub async fn find_order(core: &Core, ask: Ask, ip: &str) -> Result<FoundOrder, AppError> {
    let Ask {
        number,
        typed,
        email,
        postal,
    } = ask;
    let now = core.clock.now();
    let settings = &core.settings.lookup;
    let order_key = number.as_str().to_lowercase();
    let keys = guess_keys(settings, &order_key, ip);
    let counted = guesses::attempt(&core.db, &keys, now).await??;
    // A spent postcode budget leaves the email to prove it, if one was given.
    let mut postcode_try = None;
    if postal.is_some() {
        let budget = vec![postcode_budget(settings, &order_key)];
        match guesses::attempt(&core.db, &budget, now).await? {
            Ok(counted) => postcode_try = Some((budget, counted)),
            Err(_) if email.is_none() => {
                return Err(AppError::does_not_fit("postal_code", POSTCODE_BUDGET_SPENT));
            }
            Err(_) => {}
        }
    }

    let (n, raw) = (number.clone(), typed);
    let stored = core
        .db
        .read(move |c| {
            // Orders stored before the one spelling rule may only be found as typed:
            // both spellings in one query, and the case- and hyphen-blind key in
            // another, whether the order exists or not (the same work either way).
            let mut found = orders::lookup_keys(c, &[n.as_str(), raw.as_str()])?;
            found.sort_by_key(|(number, _, _)| number != n.as_str());
            let by_key = orders::by_lookup_key(c, &n.lookup_key())?;
            // The key finds an order only when it names one: `AB-1` and `ab1` both
            // stored leave `Ab1` to be typed as stored.
            let one_by_key = (by_key.len() == 1)
                .then(|| by_key.into_iter().next())
                .flatten();
            Ok::<_, AppError>(found.into_iter().next().or(one_by_key))
        })
        .await?;
    let found_number = stored.as_ref().map(|(n, _, _)| n.clone());
    // The unknown order is compared against made-up details: the same work as a
    // wrong email on a real one.
    let (stored_email, stored_postcode) = stored
        .map(|(_, email, postcode)| (email, postcode))
        .unwrap_or_else(|| (String::from("\u{0}unknown"), String::from("\u{0}")));
    let email_ok = email
        .as_deref()
        .is_some_and(|e| same_secret(e, &stored_email));
    let postcode_ok = postcode_try.is_some()
        && postal
            .as_deref()
            .is_some_and(|p| same_postcode(p, &stored_postcode));
    let Some(found_number) = found_number.filter(|_| email_ok || postcode_ok) else {
        // The attempt was counted as a failure already.
        return Err(AppError::not_found(
            "no order matches that number and email or postcode",
        ));
    };
    guesses::succeeded(&core.db, &keys, counted, &[0]).await?;
    if let Some((budget, counted)) = postcode_try {
        guesses::succeeded(&core.db, &budget, counted, &[]).await?;
    }
    let record = core
        .db
        .read(move |c| orders::load(c, &found_number).map_err(AppError::from))
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    let access = if email_ok {
        CustomerAccess::Order
    } else {
        CustomerAccess::OrderMasked
    };
    let expires_at = now + Duration::minutes(core.settings.auth.customer_token_minutes);
    let token = core
        .tokens
        .issue(&record.order.order_number, &access, expires_at);
    Ok(FoundOrder {
        record,
        token,
        expires_at,
        access,
    })
}

#[cfg(test)]
mod tests {
    use super::same_postcode;

    #[test]
    fn postcodes_ignore_spacing_and_case() {
        assert!(same_postcode("SW1A 1AA", "sw1a1aa"));
        assert!(same_postcode("10115", " 10115 "));
        assert!(same_postcode("143-0006", "1430006"));
        assert!(!same_postcode("10115", "10117"));
        assert!(!same_postcode("", ""));
    }
}
