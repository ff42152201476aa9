//! Settling outbound incidents: reship (optionally recording the replacement parcel,
//! which is then tracked too), refund in full, partial refund (the customer keeps the
//! item), or a carrier claim. Each resolution is written with its audit entry in one
//! transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::orders::{self, NewShipment};
use crate::db::parcels::{self, IncidentFilter, IncidentResolution, IncidentRow, ParcelRow};
use crate::db::refunds::{self, TriggerFor, TriggerRow};
use crate::db::schema::shipments;
use crate::db::{naive, DbConnection, PageStart};
use crate::domain::money::line_value;
use crate::domain::tracking::IncidentAction;
use crate::domain::{Currency, Money};
use crate::error::AppError;
use crate::paging::{self, Page};
use crate::refunds::{Calculation, IncidentRefund};

/// A resolution as asked for, fields already read.
#[derive(Debug, Clone)]
pub struct Resolve {
    pub action: IncidentAction,
    pub note: String,
    /// `partial_refund`: the amount, in the order's currency.
    pub amount: Option<String>,
    /// `claim`: the carrier's claim reference.
    pub claim_reference: Option<String>,
    /// `reship`: the replacement parcel, if already shipped.
    pub replacement: Option<NewShipment>,
}

/// The value of what the parcel carried: price and tax of its lines.
fn parcel_value(
    c: &mut DbConnection,
    shipment_id: &str,
) -> Result<(orders::OrderRecord, Money), AppError> {
    let (order_id, line_ids): (String, Option<String>) = shipments::table
        .find(shipment_id)
        .select((shipments::order_id, shipments::line_ids))
        .get_result(c)?;
    let record = orders::load_by_id(c, &order_id)?;
    let currency = Currency::parse(&record.order.currency)
        .map_err(|e| AppError::Internal(format!("stored order currency: {e}")))?;
    let carried: Option<Vec<String>> = line_ids.and_then(|t| serde_json::from_str(&t).ok());
    let mut total: i64 = 0;
    for line in &record.lines {
        if carried
            .as_ref()
            .is_some_and(|ids| !ids.contains(&line.line_id))
        {
            continue;
        }
        total = line_value(
            line.unit_price_minor,
            line.tax_minor,
            line.quantity,
            line.quantity,
        )
        .and_then(|v| v.total())
        .and_then(|v| v.checked_add(total))
        .ok_or_else(|| AppError::Internal("parcel value overflows".into()))?;
    }
    Ok((record, Money::from_minor(total, currency)))
}

/// An incident as listed: with its parcel and the number of the order or RMA the
/// parcel belongs to.
#[derive(Debug, Clone)]
pub struct ListedIncident {
    pub incident: IncidentRow,
    pub parcel: ParcelRow,
    pub owner: Option<String>,
}

/// The incidents `filter` names, newest first, `limit` at a time after incident
/// `cursor` (the `next_cursor` of the page before).
pub fn page(
    c: &mut DbConnection,
    filter: &IncidentFilter,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<ListedIncident>, AppError> {
    let after = paging::start(cursor, "incident", |id| {
        Ok(parcels::incident(c, id)?.map(|i| PageStart {
            at: i.opened_at,
            id: i.id,
        }))
    })?;
    let found = parcels::list_incidents(c, filter, after.as_ref(), limit + 1)?;
    let page = Page::cut(found, limit, |(incident, _)| &incident.id);
    let refs: Vec<&ParcelRow> = page.rows.iter().map(|(_, p)| p).collect();
    let owners = parcels::owner_numbers(c, &refs)?;
    Ok(page.map(|(incident, parcel)| ListedIncident {
        owner: owners.get(&parcel.id).cloned(),
        incident,
        parcel,
    }))
}

/// Resolves incident `id`; 409 when it is resolved already or is not an outbound
/// parcel's.
pub fn resolve(
    c: &mut DbConnection,
    id: &str,
    r: Resolve,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(IncidentRow, ParcelRow), AppError> {
    let incident = parcels::incident(c, id)?.ok_or_else(|| AppError::not_found("incident"))?;
    if let (Some(at), Some(action)) = (incident.resolved_at, &incident.action) {
        return Err(AppError::Conflict(format!(
            "the incident was resolved ({action}) at {}",
            crate::domain::display::time(at)
        )));
    }
    let parcel = parcels::find(c, &incident.parcel_id)?
        .ok_or_else(|| AppError::Internal("incident without its parcel".into()))?;
    let Some(shipment_id) = parcel.shipment_id.clone() else {
        return Err(AppError::Conflict(
            "only incidents on outbound parcels are resolved here; an unscanned return closes when the warehouse scans it".into(),
        ));
    };
    let (record, value) = parcel_value(c, &shipment_id)?;
    let mut resolution = IncidentResolution {
        resolved_at: naive(now),
        action: r.action.as_str().to_string(),
        amount_minor: None,
        currency: None,
        claim_reference: None,
        replacement_shipment_id: None,
        refund_trigger_id: None,
        note: r.note,
        resolved_by: actor.to_string(),
    };
    let mut refund = |money: Money| {
        resolution.amount_minor = Some(money.minor());
        resolution.currency = Some(money.currency().code().to_string());
    };
    match r.action {
        IncidentAction::Refund => refund(value),
        IncidentAction::PartialRefund => {
            let text = r.amount.as_deref().ok_or_else(|| {
                AppError::does_not_fit("amount", "a partial refund needs the amount")
            })?;
            // More decimals than the currency has is a 400 (the API contract), more than
            // the parcel is worth does not fit it.
            let amount = Money::parse(text, value.currency())
                .map_err(|e| AppError::invalid("amount", e.to_string()))?;
            if amount.minor() == 0 || amount.minor() > value.minor() {
                return Err(AppError::does_not_fit(
                    "amount",
                    format!(
                        "must be more than 0 and at most the parcel's value, {value} {}",
                        value.currency().code()
                    ),
                ));
            }
            refund(amount);
        }
        IncidentAction::Claim => {
            resolution.claim_reference = Some(r.claim_reference.ok_or_else(|| {
                AppError::does_not_fit(
                    "claim_reference",
                    "a claim needs the carrier's claim reference",
                )
            })?);
        }
        IncidentAction::Reship => {
            if let Some(replacement) = r.replacement {
                let (row, created) = orders::add_shipment(c, &record.order, &replacement, now)?;
                if !created {
                    return Err(AppError::does_not_fit(
                        "replacement.tracking_number",
                        "that parcel is already registered on this order",
                    ));
                }
                resolution.replacement_shipment_id = Some(row.id);
            }
        }
    }
    // A refund, in full or in part, reaches finance like an inspected return's.
    if let (Some(amount_minor), Some(currency)) = (resolution.amount_minor, &resolution.currency) {
        let calculation = serde_json::to_string(&Calculation::Incident(IncidentRefund {
            source: "incident".into(),
            incident: incident.kind.clone(),
            detail: incident.detail.clone(),
            action: resolution.action.clone(),
            parcel: parcel.tracking_number.clone(),
            parcel_value: value.to_string(),
            total: Money::from_minor(amount_minor, value.currency()).to_string(),
            note: resolution.note.clone(),
        }))
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let trigger = TriggerRow::pending(
            TriggerFor::Incident(&incident.id),
            &record.order.id,
            amount_minor,
            currency,
            "original_payment",
            calculation,
            now,
        );
        refunds::create_trigger(c, &trigger, now)?;
        resolution.refund_trigger_id = Some(trigger.id);
    }
    if !parcels::resolve_incident(c, id, &resolution)? {
        return Err(AppError::Conflict(
            "the incident was resolved by another request meanwhile".into(),
        ));
    }
    let incident = parcels::incident(c, id)?.ok_or_else(|| AppError::not_found("incident"))?;
    Ok((incident, parcel))
}
