//! Return labels for RMAs: buying one from a carrier, and voiding it when the RMA is
//! cancelled. The carrier is called outside any database transaction (it may take
//! seconds); what it sold us is then stored together with the RMA's move to
//! `label_issued`, or voided again if that move is no longer possible.

use backhaul_carriers::{
    Address, Carrier, CarrierError, LabelFormat, LabelRef, LabelRequest, TrackingStatus,
};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::auth::Principal;
use crate::core::Core;
use crate::db::labels::{self, DocumentRow, LabelRow};
use crate::db::orders::{self, OrderRecord};
use crate::db::parcels::{self, NewParcel};
use crate::db::rmas::{self, Audit, RmaRow};
use crate::db::{naive, DbConnection, DbError};
use crate::domain::display;
use crate::domain::routing::Warehouse;
use crate::domain::tracking::first_poll;
use crate::domain::{Currency, LabelPayer, Money, RmaEvent, RmaNumber, RmaStatus, Role};
use crate::error::AppError;

/// Who may see and print an RMA's label: its customer and staff.
const STAFF: &[Role] = &[Role::Integration, Role::Warehouse, Role::Finance];

fn load(
    c: &mut DbConnection,
    who: &Principal,
    number: &RmaNumber,
) -> Result<(RmaRow, OrderRecord, Option<LabelRow>), AppError> {
    let rma = rmas::find(c, number)?.ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
    let order = orders::load_by_id(c, &rma.order_id)?;
    who.require_staff_or_customer_of_rma(STAFF, &order.order.order_number, &rma.number)?;
    let label = labels::find(c, &rma.id)?;
    Ok((rma, order, label))
}

/// A return label as the API and the pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReturnLabel {
    pub carrier: String,
    pub tracking_number: String,
    pub service: String,
    /// The format `label_url` fetches.
    pub format: String,
    /// Every format stored for it.
    pub formats: Vec<String>,
    /// What the customer is charged for it, in the order's currency (a decimal).
    pub cost: String,
    pub currency: String,
    /// What the carrier billed, in its currency.
    pub carrier_cost: String,
    pub carrier_currency: String,
    pub label_url: String,
    pub created_at: String,
    pub expires_at: String,
    pub voided_at: Option<String>,
}

impl ReturnLabel {
    pub fn new(
        l: &LabelRow,
        rma_number: &str,
        formats: Vec<String>,
        requested: Option<LabelFormat>,
    ) -> ReturnLabel {
        let format = requested.map_or("pdf", |f| f.as_str());
        ReturnLabel {
            carrier: l.carrier.clone(),
            tracking_number: l.tracking_number.clone(),
            service: l.service.clone(),
            format: format.to_string(),
            formats,
            cost: display::amount(l.cost_minor, &l.currency),
            currency: l.currency.clone(),
            carrier_cost: display::amount(l.carrier_cost_minor, &l.carrier_currency),
            carrier_currency: l.carrier_currency.clone(),
            label_url: format!("/api/v1/rmas/{rma_number}/label?format={format}"),
            created_at: display::time(l.created_at),
            expires_at: display::time(l.expires_at),
            voided_at: l.voided_at.map(display::time),
        }
    }
}

/// A label asked for: the one the RMA had, or one bought now.
#[derive(Debug, Clone, PartialEq)]
pub enum Issued {
    Existing(ReturnLabel),
    New(ReturnLabel),
}

/// A stored label with the formats stored for it.
pub fn return_label(
    c: &mut DbConnection,
    label: &LabelRow,
    number: &str,
    requested: Option<LabelFormat>,
) -> Result<ReturnLabel, AppError> {
    let formats = labels::formats(c, &label.rma_id)?;
    Ok(ReturnLabel::new(label, number, formats, requested))
}

/// The RMA's label document in `format`, for staff or the order's customer (not from
/// a masked look-up: the label prints the sender's name and street).
pub async fn document(
    core: &Core,
    who: Principal,
    number: RmaNumber,
    format: LabelFormat,
) -> Result<Vec<u8>, AppError> {
    core.db
        .read(move |c| {
            let n = &number;
            let rma = rmas::find(c, n)?.ok_or_else(|| AppError::not_found(format!("RMA {n}")))?;
            let order = orders::load_by_id(c, &rma.order_id)?;
            who.require_staff_or_customer_of_rma(
                crate::rmas::READERS,
                &order.order.order_number,
                &rma.number,
            )?;
            if who.sees_masked_order() {
                return Err(AppError::Forbidden(
                    "the label shows the sender's address: open it from the link emailed to the order's address".into(),
                ));
            }
            let label = labels::find(c, &rma.id)?
                .ok_or_else(|| AppError::not_found(format!("a label for RMA {n}")))?;
            if label.voided_at.is_some() {
                return Err(AppError::not_found(format!(
                    "a valid label for RMA {n} (it was voided)"
                )));
            }
            match labels::document(c, &rma.id, format.as_str())? {
                Some(bytes) => Ok(bytes),
                None => Err(AppError::not_found(format!(
                    "a {} label for RMA {n} (available: {})",
                    format.as_str(),
                    labels::formats(c, &rma.id)?.join(", ")
                ))),
            }
        })
        .await
}

/// The estimated label cost the policy decided with, as the API's decimal.
fn estimated_cost(rma: &RmaRow) -> String {
    crate::domain::policy::stored_label_cost(&rma.decision).unwrap_or_else(|| "0".into())
}

/// The carrier's price, in its currency.
fn carrier_cost(cost: &str, currency: &str, carrier: &str) -> Result<Money, AppError> {
    Currency::parse(currency)
        .and_then(|c| Money::parse(cost, c))
        .map_err(|e| {
            AppError::Carrier(backhaul_carriers::CarrierError::Malformed {
                carrier: carrier.to_string(),
                message: format!("label cost {cost:?} {currency}: {e}"),
            })
        })
}

fn customer_address(order: &OrderRecord) -> Address {
    let o = &order.order;
    Address {
        name: o.ship_name.clone(),
        line1: o.ship_line1.clone(),
        line2: o.ship_line2.clone(),
        city: o.ship_city.clone(),
        region: o.ship_region.clone(),
        postal_code: o.ship_postal_code.clone(),
        country: o.ship_country.clone(),
        phone: o.ship_phone.clone(),
    }
}

/// The warehouse as a label from `from_country` addresses it: in the country's own
/// script from inside it, when the warehouse has one.
fn warehouse_address(w: &Warehouse, from_country: &str) -> Address {
    let domestic = w.country.eq_ignore_ascii_case(from_country);
    let (name, line1, line2, city, region) = match w.local.as_ref().filter(|_| domestic) {
        Some(l) => (&l.name, &l.line1, &l.line2, &l.city, &l.region),
        None => (&w.name, &w.line1, &w.line2, &w.city, &w.region),
    };
    Address {
        name: name.clone(),
        line1: line1.clone(),
        line2: line2.clone(),
        city: city.clone(),
        region: region.clone(),
        postal_code: w.postal_code.clone(),
        country: w.country.clone(),
        phone: w.phone.clone(),
    }
}

/// What goes back weighs: each returned line's quantity times its unit weight, when
/// every line has one (a guess from some of them would mislead the carrier).
fn return_weight(lines: &[(i64, Option<i64>)]) -> Option<u32> {
    lines
        .iter()
        .try_fold(0_i64, |total, (quantity, grams)| {
            total.checked_add(quantity.checked_mul((*grams)?)?)
        })
        .filter(|total| *total > 0)
        .and_then(|total| u32::try_from(total).ok())
}

/// Issues the RMA's return label, or returns the one it has.
pub async fn issue(
    state: &Core,
    who: &Principal,
    number: RmaNumber,
    carrier: Option<String>,
    format: LabelFormat,
) -> Result<Issued, AppError> {
    let (who2, n) = (who.clone(), number.clone());
    let (rma, order, existing) = state.db.read(move |c| load(c, &who2, &n)).await?;
    if let Some(label) = existing.filter(|l| l.voided_at.is_none()) {
        let number = rma.number.clone();
        let view = state
            .db
            .read(move |c| return_label(c, &label, &number, Some(format)))
            .await?;
        return Ok(Issued::Existing(view));
    }
    if rma.status != RmaStatus::Authorized {
        return Err(AppError::Conflict(format!(
            "a label is issued only for an authorized RMA; {} is {}",
            rma.number, rma.status
        )));
    }
    if rma.label_payer == LabelPayer::KeepIt.as_str() {
        return Err(AppError::Conflict(format!(
            "{} is a keep-it return: the customer keeps the item and ships nothing",
            rma.number
        )));
    }
    let warehouse = state.network.find(&rma.return_to).ok_or_else(|| {
        AppError::Internal(format!(
            "warehouse {} is no longer configured",
            rma.return_to
        ))
    })?;
    let code = carrier
        .or_else(|| warehouse.default_carrier.clone())
        .unwrap_or_else(|| state.settings.labels.default_carrier.clone());
    if !warehouse.carriers.is_empty() && !warehouse.carriers.contains(&code) {
        return Err(AppError::invalid(
            "carrier",
            format!(
                "{} ({}) takes returns by {} only",
                warehouse.name,
                warehouse.code,
                warehouse.carriers.join(", ")
            ),
        ));
    }
    let carrier = state.carriers.get(&code).ok_or_else(|| {
        AppError::invalid(
            "carrier",
            format!(
                "{code:?} is not configured; use one of: {}",
                state.carriers.codes().join(", ")
            ),
        )
    })?;
    if !carrier.capabilities().label_formats.contains(&format) {
        return Err(AppError::invalid(
            "format",
            format!("{code} does not print {} labels", format.as_str()),
        ));
    }
    let rma_id = rma.id.clone();
    let returned = state
        .db
        .read(move |c| rmas::lines(c, &rma_id).map_err(AppError::from))
        .await?;
    let weights: Vec<(i64, Option<i64>)> = returned
        .iter()
        .map(|r| {
            let unit = order
                .lines
                .iter()
                .find(|l| l.line_id == r.line_id)
                .and_then(|l| l.weight_grams);
            (r.quantity, unit)
        })
        .collect();
    let request = LabelRequest {
        rma_number: rma.number.clone(),
        from: customer_address(&order),
        to: warehouse_address(warehouse, &order.order.ship_country),
        format,
        currency: rma.currency.clone(),
        estimated_cost: estimated_cost(&rma),
        ship_date: state.clock.now().date_naive(),
        weight_grams: return_weight(&weights),
    };
    let bought = carrier.create_return_label(&request).await?;
    let bought_ref = LabelRef {
        tracking_number: bought.tracking_number.clone(),
        reference: bought.reference.clone(),
    };
    let costs = carrier_cost(&bought.cost, &bought.currency, &code).and_then(|charged| {
        let order_currency = Currency::parse(&rma.currency)
            .map_err(|e| AppError::Internal(format!("stored RMA currency: {e}")))?;
        let cost = state
            .exchange_rates
            .convert(charged, order_currency)
            .map_err(|e| {
                AppError::NotConfigured(format!(
                    "{code} billed the label in {}; {e}",
                    bought.currency
                ))
            })?;
        Ok((charged, cost))
    });
    let (charged, cost) = match costs {
        Ok(costs) => costs,
        Err(e) => {
            give_back(carrier.as_ref(), &bought_ref).await;
            return Err(e);
        }
    };

    let now = state.clock.now();
    let validity = Duration::days(i64::from(state.policy.file().label_validity_days));
    let row = LabelRow {
        rma_id: rma.id.clone(),
        carrier: bought.carrier.clone(),
        tracking_number: bought.tracking_number.clone(),
        carrier_reference: bought.reference.clone(),
        service: bought.service.clone(),
        cost_minor: cost.minor(),
        currency: cost.currency().code().to_string(),
        carrier_cost_minor: charged.minor(),
        carrier_currency: charged.currency().code().to_string(),
        created_at: naive(now),
        expires_at: naive(now + validity),
        voided_at: None,
    };
    let documents: Vec<DocumentRow> = bought
        .documents
        .iter()
        .map(|(f, bytes)| DocumentRow {
            rma_id: rma.id.clone(),
            format: f.as_str().to_string(),
            content: bytes.clone(),
        })
        .collect();
    let inbound = NewParcel {
        direction: parcels::INBOUND,
        carrier: row.carrier.clone(),
        tracking_number: row.tracking_number.clone(),
        shipment_id: None,
        rma_id: Some(rma.id.clone()),
        status: TrackingStatus::PreTransit.as_str().to_string(),
        international: !order
            .order
            .ship_country
            .eq_ignore_ascii_case(&warehouse.country),
        destination: Some((warehouse.lat, warehouse.lon)),
        shipped_at: now,
        delivered_at: None,
        next_poll_at: Some(first_poll(now, now, &state.settings.tracking.rules)),
    };
    let actor = who.actor();
    let stored = state
        .db
        .write(move |c| {
            let note = format!("{} {} ({})", row.carrier, row.tracking_number, row.service);
            let audit = Audit {
                actor: &actor,
                note: Some(&note),
                at: now,
            };
            rmas::apply_event(c, &number, RmaEvent::IssueLabel, audit)?;
            labels::insert(c, &row, &documents)?;
            parcels::register(c, inbound, now)?;
            return_label(c, &row, number.as_str(), Some(format))
        })
        .await;
    match stored {
        Ok(view) => Ok(Issued::New(view)),
        Err(e) => {
            // Someone else issued or cancelled meanwhile: give back what we bought.
            give_back(carrier.as_ref(), &bought_ref).await;
            // A tracking number another label already has is the carrier repeating
            // itself: its fault, said so (a 502), and worth trying again.
            if matches!(&e, AppError::Db(DbError::Query(q)) if crate::db::is_unique_violation(q)) {
                return Err(AppError::Carrier(CarrierError::Malformed {
                    carrier: carrier.code().to_string(),
                    message: format!(
                        "tracking number {} is already another label's; this one was voided, try again",
                        bought_ref.tracking_number
                    ),
                }));
            }
            Err(e)
        }
    }
}

/// Voids a label we bought but cannot use; failing that, says so loudly, because
/// the shop may be charged for it.
async fn give_back(carrier: &dyn Carrier, label: &LabelRef) {
    if let Err(e) = carrier.void_label(label).await {
        tracing::error!(carrier = carrier.code(), tracking = %label.tracking_number, error = %e, "could not void an unneeded label");
    }
}

/// Voids the RMA's unused label at its carrier, before the RMA is cancelled. Returns
/// whether there was one to void.
pub async fn void_before_cancel(
    state: &Core,
    rma: &RmaRow,
    label: Option<&LabelRow>,
) -> Result<bool, AppError> {
    let Some(label) = label.filter(|l| l.voided_at.is_none()) else {
        return Ok(false);
    };
    if rma.status != RmaStatus::LabelIssued {
        return Ok(false);
    }
    let carrier = state.carriers.get(&label.carrier).ok_or_else(|| {
        AppError::Conflict(format!(
            "carrier {} is no longer configured; cannot void its label",
            label.carrier
        ))
    })?;
    let reference = LabelRef {
        tracking_number: label.tracking_number.clone(),
        reference: label.carrier_reference.clone(),
    };
    match carrier.void_label(&reference).await {
        Ok(()) => Ok(true),
        Err(e @ backhaul_carriers::CarrierError::Rejected { .. }) => {
            Err(AppError::Conflict(format!(
                "{} cannot be cancelled: its label cannot be voided ({e})",
                rma.number
            )))
        }
        // Some carriers cannot void (they bill only once the parcel moves): cancel anyway.
        Err(e @ backhaul_carriers::CarrierError::NotSupported { .. }) => {
            tracing::warn!(carrier = %label.carrier, error = %e, "label left unvoided at cancel");
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// How long a sweep's claim holds without being renewed (every third of it while the
/// sweep voids): a crashed sweep's labels come back to another this long after.
const EXPIRY_LEASE_SECONDS: i64 = 60;

/// Expires RMAs whose label was not used in time: the label is voided at its carrier and
/// the RMA moves to `expired` with an audit event. A label the carrier refuses to void
/// (the parcel is already moving) leaves its RMA alone. Returns how many expired.
pub async fn expire_unused(state: &Core) -> Result<usize, AppError> {
    let now = state.clock.now();
    // Leased and renewed while the carriers answer, so that two instances never void
    // one label twice; a label left (its carrier would not void it) comes back after
    // the lease, as does a crashed sweep's.
    let owner = format!("label-expiry#{}", uuid::Uuid::new_v4().simple());
    let until = now + Duration::seconds(EXPIRY_LEASE_SECONDS);
    let claimer = owner.clone();
    let due = state
        .db
        .write(move |c| Ok::<_, AppError>(labels::claim_expired(c, now, &claimer, until, 500)?))
        .await?;
    let ids: Vec<String> = due.iter().map(|(_, label)| label.rma_id.clone()).collect();
    let voiding = async {
        let mut expired = 0;
        for (number, label) in due {
            if expire_one(state, number, label, now).await? {
                expired += 1;
            }
        }
        Ok(expired)
    };
    crate::core::holding_leases(
        state,
        &owner,
        ids,
        EXPIRY_LEASE_SECONDS,
        labels::extend_lease,
        voiding,
    )
    .await
}

/// Voids one expired label at its carrier and expires its RMA; whether it did.
async fn expire_one(
    state: &Core,
    number: String,
    label: LabelRow,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    if let Some(carrier) = state.carriers.get(&label.carrier) {
        let reference = LabelRef {
            tracking_number: label.tracking_number.clone(),
            reference: label.carrier_reference.clone(),
        };
        match carrier.void_label(&reference).await {
            Ok(()) | Err(backhaul_carriers::CarrierError::NotSupported { .. }) => {}
            Err(e) => {
                tracing::warn!(carrier = %label.carrier, error = %e, "expired label not voided; RMA left as it is");
                return Ok(false);
            }
        }
    }
    let number = RmaNumber::parse(&number).map_err(|e| AppError::Internal(e.to_string()))?;
    let expires_at = label.expires_at;
    let outcome = state
        .db
        .write(move |c| {
            let note = format!("label unused by {}", display::time(expires_at));
            let audit = Audit {
                actor: "system:label-expiry",
                note: Some(&note),
                at: now,
            };
            rmas::apply_event(c, &number, RmaEvent::Expire, audit)?;
            labels::mark_voided(c, &label.rma_id, now)?;
            Ok::<_, AppError>(())
        })
        .await;
    match outcome {
        Ok(()) => Ok(true),
        // Moved on meanwhile (a scan arrived): not ours to expire any more.
        Err(AppError::IllegalTransition(_) | AppError::Conflict(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Voids unused labels past their validity and expires their RMAs, every few minutes.
pub fn spawn_expiry(core: std::sync::Arc<Core>) {
    let minutes = core.settings.labels.expiry_sweep_minutes.max(1);
    crate::core::spawn_every(minutes * 60, move || {
        let core = core.clone();
        async move {
            match expire_unused(&core).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "expired RMAs with unused labels"),
                Err(e) => tracing::warn!(error = %e, "label expiry sweep failed; will retry"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::return_weight;

    #[test]
    fn a_return_weighs_its_lines_when_all_are_known() {
        type Lines = &'static [(i64, Option<i64>)];
        let table: &[(Lines, Option<u32>)] = &[
            (&[(1, Some(480))], Some(480)),
            (&[(2, Some(250)), (1, Some(1_000))], Some(1_500)),
            (&[(2, Some(250)), (1, None)], None),
            (&[], None),
            (&[(1_000_000, Some(1_000_000))], None),
        ];
        for (lines, weight) in table {
            assert_eq!(return_weight(lines), *weight, "{lines:?}");
        }
    }
}
