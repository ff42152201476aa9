//! Replacements leave the warehouse: the queue of what to send (exchanges that passed
//! inspection), and the outbound parcel each leaves in, tracked like any other.

use chrono::{DateTime, Utc};

use crate::db::fulfilments::{self, ListedFulfilment};
use crate::db::orders::{self, NewShipment, ShipmentRow};
use crate::db::DbConnection;
use crate::domain::FulfilmentStatus;
use crate::error::AppError;
use crate::paging::{self, Page};

/// Fulfilments with `status` (all when `None`), oldest first, `limit` at a time after
/// fulfilment `cursor`.
pub fn page(
    c: &mut DbConnection,
    status: Option<FulfilmentStatus>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<ListedFulfilment>, AppError> {
    let after = paging::id_cursor(cursor, "fulfilment")?;
    let found = fulfilments::page(c, status.map(|s| s.as_str()), after, limit + 1)?;
    Ok(Page::cut(found, limit, |f| &f.fulfilment.id))
}

/// Registers the parcel fulfilment `id` left in as an outbound shipment of its order
/// (so the poller follows it and opens incidents like for any parcel) and marks it
/// shipped; 409 when it was shipped already.
pub fn ship(
    c: &mut DbConnection,
    id: &str,
    mut shipment: NewShipment,
    now: DateTime<Utc>,
) -> Result<(ListedFulfilment, ShipmentRow), AppError> {
    let found = fulfilments::find(c, id)?.ok_or_else(|| AppError::not_found("fulfilment"))?;
    if let Some((carrier, tracking)) = &found.parcel {
        return Err(AppError::Conflict(format!(
            "the replacement was shipped already ({carrier} {tracking})"
        )));
    }
    shipment.line_ids = Some(
        found
            .fulfilment
            .lines()
            .into_iter()
            .map(|l| l.line_id)
            .collect(),
    );
    let order = orders::load_by_id(c, &found.fulfilment.order_id)?.order;
    let (row, created) = orders::add_shipment(c, &order, &shipment, now)?;
    if !created {
        // A parcel the order has already (perhaps delivered, no longer followed).
        return Err(AppError::Conflict(format!(
            "{} parcel {} is already one of order {}'s; give the replacement's own",
            shipment.carrier, shipment.tracking_number, found.order_number
        )));
    }
    if !fulfilments::mark_shipped(c, id, &row.id, now)? {
        return Err(AppError::Conflict(
            "the replacement was shipped by another request meanwhile".into(),
        ));
    }
    let shipped = fulfilments::find(c, id)?
        .ok_or_else(|| AppError::Internal("the fulfilment just shipped is gone".into()))?;
    Ok((shipped, row))
}
