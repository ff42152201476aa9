//! One RMA in full, for whoever may see it, and the changes a person makes to it
//! (authorize, reject, cancel): the API and the pages both come here.

use chrono::{DateTime, Utc};

use crate::auth::Principal;
use crate::core::Core;
use crate::db::labels;
use crate::db::orders::{self, OrderRecord};
use crate::db::parcels::{self, EventRow, ParcelRow};
use crate::db::rmas::{self, Audit, RmaEventRow, RmaLineRow, RmaRow};
use crate::db::{DbConnection, PageStart};
use crate::domain::note::Note;
use crate::domain::{transition, RmaEvent, RmaNumber, Role};
use crate::error::AppError;
use crate::labels::ReturnLabel;
use crate::paging::{self, Page};
use crate::photos::PhotoView;

/// Staff who may read any RMA (admin may too); customers read their own order's.
pub const READERS: &[Role] = &[Role::Integration, Role::Warehouse, Role::Finance];
/// Staff who may change any RMA; the order's customer may cancel their own.
const CHANGERS: &[Role] = &[Role::Admin];

/// An RMA with everything shown beside it.
#[derive(Debug, Clone)]
pub struct RmaDetails {
    pub rma: RmaRow,
    pub order: OrderRecord,
    pub lines: Vec<RmaLineRow>,
    pub events: Vec<RmaEventRow>,
    pub label: Option<ReturnLabel>,
    pub parcels: Vec<TrackedParcel>,
    /// Evidence photos, oldest first.
    pub photos: Vec<PhotoView>,
    /// Its refund trigger, once there is one.
    pub refund: Option<crate::db::refunds::TriggerRow>,
    /// What an exchange sends back, once inspection passed it.
    pub replacement: Option<crate::db::fulfilments::ListedFulfilment>,
    /// A repair's order at the bench, once inspection passed it.
    pub repair: Option<crate::db::repairs::ListedRepair>,
}

/// A parcel of the return with the carrier's scans, oldest first.
#[derive(Debug, Clone)]
pub struct TrackedParcel {
    pub parcel: ParcelRow,
    pub scans: Vec<EventRow>,
}

/// The RMA `number` and its order, once `who` is known to be allowed to see it.
fn readable(
    c: &mut DbConnection,
    who: &Principal,
    number: &RmaNumber,
) -> Result<(RmaRow, OrderRecord), AppError> {
    let rma = rmas::find(c, number)?.ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
    let order = orders::load_by_id(c, &rma.order_id)?;
    who.require_staff_or_customer_of_rma(READERS, &order.order.order_number, &rma.number)?;
    Ok((rma, order))
}

/// The RMA `number`, once `who` is known to be allowed to change it.
fn changeable(
    c: &mut DbConnection,
    who: &Principal,
    number: &RmaNumber,
) -> Result<RmaRow, AppError> {
    let rma = rmas::find(c, number)?.ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
    let order = orders::load_by_id(c, &rma.order_id)?;
    who.require_staff_or_customer(CHANGERS, &order.order.order_number)?;
    Ok(rma)
}

/// The RMA `number` in full, for staff or the order's customer.
pub fn details(
    c: &mut DbConnection,
    who: &Principal,
    number: &RmaNumber,
) -> Result<RmaDetails, AppError> {
    let (rma, order) = readable(c, who, number)?;
    let lines = rmas::lines(c, &rma.id)?;
    let events = rmas::events(c, &rma.id)?;
    let label = match labels::find(c, &rma.id)? {
        Some(label) => Some(crate::labels::return_label(c, &label, &rma.number, None)?),
        None => None,
    };
    let mut tracked = Vec::new();
    for parcel in parcels::for_rma(c, &rma.id)? {
        let scans = parcels::events(c, &parcel.id)?;
        tracked.push(TrackedParcel { parcel, scans });
    }
    let photos = crate::db::photos::list(c, &rma.id)?
        .iter()
        .map(|p| crate::photos::view(&rma.number, p))
        .collect();
    let refund = crate::db::refunds::trigger_for_rma(c, &rma.id)?;
    let replacement = crate::db::fulfilments::for_rma(c, &rma.id)?;
    let repair = crate::db::repairs::for_rma(c, &rma.id)?;
    Ok(RmaDetails {
        rma,
        order,
        lines,
        events,
        label,
        parcels: tracked,
        photos,
        refund,
        replacement,
        repair,
    })
}

/// RMAs `filter` names, newest first, `limit` at a time after RMA `cursor` (the
/// `next_cursor` of the page before; the list runs by id, and ids are time-ordered).
pub fn page(
    c: &mut DbConnection,
    mut filter: rmas::ListFilter,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<(RmaRow, String)>, AppError> {
    let after = paging::start(cursor, "RMA", |id| {
        Ok(rmas::find_by_id(c, id)?.map(|r| PageStart {
            at: r.created_at,
            id: r.id,
        }))
    })?;
    filter.before_id = after.map(|a| a.id);
    filter.limit = limit + 1;
    let rows = rmas::list(c, &filter)?;
    Ok(Page::cut(rows, limit, |(r, _)| &r.id))
}

/// A return waiting on the way longer than it should.
#[derive(Debug, Clone)]
pub struct StalledReturn {
    pub number: String,
    pub status: String,
    /// Since when nothing happened to it.
    pub since: chrono::NaiveDateTime,
}

/// A page of the returns nothing happened to (label issued, in transit, delivered to the
/// warehouse but not scanned) since before `before`, the longest waiting first, after
/// `cursor` (a [`paging::Position`] of the page before: a row leaves as it moves on).
pub fn stalled(
    c: &mut DbConnection,
    before: DateTime<Utc>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<StalledReturn>, AppError> {
    let after = cursor
        .map(paging::Position::parse)
        .transpose()?
        .map(|p| PageStart { at: p.at, id: p.id });
    let rows = crate::db::stats::stalled(c, before, after.as_ref(), limit + 1)?;
    let page = Page::cut_at(rows, limit, |(id, _, _, since)| {
        paging::Position {
            rank: 0,
            at: *since,
            id: id.clone(),
        }
        .cursor()
    });
    Ok(page.map(|(_, number, status, since)| StalledReturn {
        number,
        status,
        since,
    }))
}

/// RMA `rma_id`'s audit trail, oldest first, `limit` events at a time after event
/// `cursor`.
pub fn event_page(
    c: &mut DbConnection,
    rma_id: &str,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<RmaEventRow>, AppError> {
    let after = paging::start(cursor, "event of this RMA", |id| {
        Ok(rmas::event(c, id)?
            .filter(|e| e.rma_id == rma_id)
            .map(|e| PageStart { at: e.at, id: e.id }))
    })?;
    let rows = rmas::events_page(c, rma_id, after.as_ref(), limit + 1)?;
    Ok(Page::cut(rows, limit, |e| &e.id))
}

/// A change a person asked for, checked and with the carrier's part done: what is left
/// is one write, which [`Change::commit`] makes (the API makes it inside its
/// idempotency record).
#[derive(Debug, Clone)]
pub struct Change {
    number: RmaNumber,
    event: RmaEvent,
    note: Option<String>,
    /// The unused label was voided at its carrier.
    voided: bool,
}

/// Checks that `who` may apply `event` to RMA `number` and, for a cancel, voids an
/// unused label at its carrier first, once it is clear the cancel itself is allowed.
/// Authorize and reject are for admins; cancel also for the order's customer. The
/// note is checked like every note: too long is an error, not cut short.
pub async fn prepare(
    core: &Core,
    who: &Principal,
    number: RmaNumber,
    event: RmaEvent,
    note: Option<&str>,
) -> Result<Change, AppError> {
    if event != RmaEvent::Cancel {
        who.require_staff(CHANGERS)?;
    }
    let note = Note::optional(note)
        .map_err(|e| AppError::invalid("note", e.to_string()))?
        .map(Note::into_string);
    let mut voided = false;
    if event == RmaEvent::Cancel {
        let (who2, n) = (who.clone(), number.clone());
        let (rma, label) = core
            .db
            .read(move |c| {
                let rma = changeable(c, &who2, &n)?;
                let label = labels::find(c, &rma.id)?;
                Ok::<_, AppError>((rma, label))
            })
            .await?;
        transition(rma.status, event)?;
        voided = crate::labels::void_before_cancel(core, &rma, label.as_ref()).await?;
    }
    let note = match (voided, note) {
        (true, Some(n)) => Some(format!("{n} (label voided)")),
        (true, None) => Some("label voided".to_string()),
        (false, n) => n,
    };
    Ok(Change {
        number,
        event,
        note,
        voided,
    })
}

impl Change {
    /// Records the change as `who` at `now`, checked again against the stored RMA (it
    /// may have moved meanwhile), and answers the RMA after it.
    pub fn commit(
        self,
        c: &mut DbConnection,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<RmaDetails, AppError> {
        let number = &self.number;
        let rma = changeable(c, who, number)?;
        let actor = who.actor();
        let audit = Audit {
            actor: &actor,
            note: self.note.as_deref(),
            at: now,
        };
        let changed = rmas::apply_event(c, number, self.event, audit)?;
        if self.event == RmaEvent::Authorize {
            crate::refunds::refund_keep_it(c, changed, &actor, now)?;
        }
        if self.voided {
            labels::mark_voided(c, &rma.id, now)?;
        }
        details(c, who, number)
    }
}

/// Applies `event` to RMA `number` as `who`: [`prepare`] then [`Change::commit`].
pub async fn apply(
    core: &Core,
    who: &Principal,
    number: RmaNumber,
    event: RmaEvent,
    note: Option<&str>,
) -> Result<RmaDetails, AppError> {
    let change = prepare(core, who, number, event, note).await?;
    let (who, now) = (who.clone(), core.clock.now());
    core.db.write(move |c| change.commit(c, &who, now)).await
}
