//! Finance's side of a refund trigger: taking it over. The trigger itself is made by
//! an inspection that passes (`inspection`) or an incident resolved with a refund
//! (`tracking::incidents`); its email goes out through the outbox (`notify`).

use chrono::{DateTime, Utc};

use crate::db::refunds;
use crate::db::DbConnection;
use crate::error::AppError;

/// Records that `actor` in finance has taken trigger `id` over. An unknown trigger is
/// not found; one acknowledged already is a conflict, so two clerks cannot both pay it.
pub fn acknowledge(
    c: &mut DbConnection,
    id: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if refunds::trigger(c, id)?.is_none() {
        return Err(AppError::not_found("refund"));
    }
    if !refunds::acknowledge(c, id, actor, now)? {
        return Err(AppError::Conflict(format!(
            "refund {id} was acknowledged already"
        )));
    }
    Ok(())
}
