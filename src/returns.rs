//! The return flow on top of storage: quote a return under the policy, create the RMA
//! from the same decision, and move it through its lifecycle. The JSON API and the CLI
//! (demo data) both go through here, so there is one place where an RMA is born.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::db::catalog;
use crate::db::orders::{self, OrderRecord};
use crate::db::rmas::{self, RmaEventRow, RmaLineRow, RmaRow};
use crate::db::{naive, utc, DbConnection};
use crate::domain::note::Note;
use crate::domain::order::{Problems, MAX_LINES, MAX_QUANTITY};
use crate::domain::policy::{
    Decision, ExchangeOffer, OfferedVariant, OrderFacts, Outcome, Policy, RequestedLine,
    ReturnRequest,
};
use crate::domain::rma_number::RmaNumberError;
use crate::domain::routing::{Network, Warehouse};
use crate::domain::{Currency, Money, Resolution, ReturnReason, RmaNumber, RmaStatus};
use crate::error::AppError;

/// What a customer or the shop asks for: the body of `/rmas/quote` and `/rmas`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    #[schema(schema_with = crate::domain::schema::order_number)]
    pub order_number: String,
    // 500 is MAX_LINES: the attribute takes only a literal.
    #[schema(min_items = 1, max_items = 500)]
    pub lines: Vec<ReturnLineInput>,
    pub resolution: Resolution,
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::note)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnLineInput {
    /// One of the order's line ids.
    #[schema(min_length = 1)]
    pub line_id: String,
    /// At most the quantity ordered (422 above it).
    #[schema(minimum = 1, maximum = 1_000_000)]
    #[serde(deserialize_with = "crate::domain::whole_number::deserialize")]
    pub quantity: i64,
    pub reason: ReturnReason,
    /// With `exchange_variant` (another variant of the product) or `exchange_product`
    /// (any product of the catalogue): what to send instead.
    #[serde(default)]
    pub exchange_for: Option<ExchangeFor>,
}

/// The variant of the same product a line is exchanged for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeFor {
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub sku: String,
}

/// The policy's answer and where the parcel would go.
#[derive(Debug, Clone)]
pub struct Quote {
    pub decision: Decision,
    pub return_to: Warehouse,
    pub route_reason: String,
}

/// Until when a line can be sent back: for any reason, and when the shop is at fault
/// (damaged, defective...), which may have a longer window. No end before delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineWindow {
    pub line_id: String,
    pub days: u32,
    pub ends_at: Option<DateTime<Utc>>,
    pub seller_fault_days: u32,
    pub seller_fault_ends_at: Option<DateTime<Utc>>,
}

/// The rules and places a return is decided with.
pub struct ReturnRules<'a> {
    pub policy: &'a Policy,
    pub network: &'a Network,
}

fn check_lines(record: &OrderRecord, input: &ReturnInput) -> Result<(), AppError> {
    let mut p = Problems::default();
    // What is well-formed but does not match the order.
    let mut unfit = Problems::default();
    if input.lines.is_empty() {
        p.add("lines", "name at least one line to return");
    }
    // Never many lines (an early answer to a huge body), and no more than the order
    // has: each may come back once.
    if input.lines.len() > MAX_LINES {
        return Err(AppError::invalid(
            "lines",
            format!("at most {MAX_LINES} lines"),
        ));
    }
    if input.lines.len() > record.lines.len() {
        return Err(AppError::does_not_fit(
            "lines",
            format!(
                "at most {} lines: order {} has {} lines",
                record.lines.len(),
                record.order.order_number,
                record.lines.len()
            ),
        ));
    }
    let mut seen = HashSet::new();
    for (i, line) in input.lines.iter().enumerate() {
        match record.lines.iter().find(|l| l.line_id == line.line_id) {
            None => {
                let named = match line.line_id.chars().count() {
                    0..=64 => format!("{:?}", line.line_id),
                    _ => "with that id".to_string(),
                };
                unfit.add(
                    format!("lines[{i}].line_id"),
                    format!("order {} has no line {named}", record.order.order_number),
                );
            }
            // More than was ordered is no return; what was already returned is the
            // policy's to explain.
            Some(ordered) if line.quantity > ordered.quantity => unfit.add(
                format!("lines[{i}].quantity"),
                format!(
                    "line {:?} was ordered {} times",
                    ordered.line_id, ordered.quantity
                ),
            ),
            Some(_) => {}
        }
        if !seen.insert(line.line_id.as_str()) {
            unfit.add(format!("lines[{i}].line_id"), "each line may appear once");
        }
        let exchange_field = format!("lines[{i}].exchange_for");
        match (&line.exchange_for, input.resolution.names_replacements()) {
            (Some(wanted), true) => {
                p.text(&format!("{exchange_field}.sku"), &wanted.sku, 100);
            }
            (None, true) => unfit.add(
                exchange_field,
                "name what to exchange for, such as {\"sku\": \"TSH-ORG-M\"}",
            ),
            (Some(_), false) => unfit.add(
                exchange_field,
                "only with the resolutions exchange_variant and exchange_product",
            ),
            (None, false) => {}
        }
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            p.add(
                format!("lines[{i}].quantity"),
                format!("must be between 1 and {MAX_QUANTITY}"),
            );
        }
    }
    if let Err(e) = Note::optional(input.comment.as_deref()) {
        p.add("comment", e.to_string());
    }
    AppError::from_fields(p.0, unfit.0)
}

impl ReturnRules<'_> {
    /// The decision for `input` on `record` at `now`; creates nothing.
    pub fn quote(
        &self,
        conn: &mut DbConnection,
        record: &OrderRecord,
        input: &ReturnInput,
        now: DateTime<Utc>,
    ) -> Result<Quote, AppError> {
        let (request, categories) = self.request(conn, record, input, now)?;
        let decision = self.decide(&request, now)?;
        let order = &record.order;
        let point = order.ship_lat.zip(order.ship_lon);
        let route = self.network.route(&order.ship_country, point, &categories);
        Ok(Quote {
            decision,
            return_to: route.warehouse.clone(),
            route_reason: route.reason,
        })
    }

    fn decide(&self, request: &ReturnRequest, now: DateTime<Utc>) -> Result<Decision, AppError> {
        self.policy
            .decide(request, now)
            .map_err(|e| AppError::invalid("lines", e.to_string()))
    }

    /// What the policy is asked for `input` on `record`, and the categories of its lines.
    fn request(
        &self,
        conn: &mut DbConnection,
        record: &OrderRecord,
        input: &ReturnInput,
        now: DateTime<Utc>,
    ) -> Result<(ReturnRequest, Vec<String>), AppError> {
        check_lines(record, input)?;
        let order = &record.order;
        let currency =
            Currency::parse(&order.currency).map_err(|e| AppError::Internal(e.to_string()))?;
        let money = |minor| Money::from_minor(minor, currency);
        let shipped_delivery = record.shipments.iter().filter_map(|s| s.delivered_at).min();
        let mut categories = Vec::new();
        let mut lines = Vec::with_capacity(input.lines.len());
        let skus: Vec<&str> = input
            .lines
            .iter()
            .filter_map(|l| l.exchange_for.as_ref().map(|e| e.sku.trim()))
            .collect();
        let offered = if skus.is_empty() {
            Vec::new()
        } else {
            catalog::variants(conn, &skus)?
        };
        // Units of each variant the lines before this one asked for: two lines
        // wanting the last one are told it is out of stock, not to retry.
        let mut asked: HashMap<String, i64> = HashMap::new();
        for wanted in &input.lines {
            let line = record
                .lines
                .iter()
                .find(|l| l.line_id == wanted.line_id)
                .ok_or_else(|| AppError::invalid("lines", "unknown line"))?;
            if !categories.contains(&line.category) {
                categories.push(line.category.clone());
            }
            lines.push(RequestedLine {
                line_id: line.line_id.clone(),
                category: line.category.clone(),
                unit_price: money(line.unit_price_minor),
                line_tax: money(line.tax_minor),
                ordered_quantity: line.quantity,
                returnable_quantity: line.returnable_quantity(),
                delivered_at: line.delivered_at.or(shipped_delivery).map(utc),
                quantity: wanted.quantity,
                reason: wanted.reason,
                exchange: wanted.exchange_for.as_ref().map(|e| {
                    let sku = e.sku.trim();
                    let before = asked.entry(sku.to_string()).or_insert(0);
                    let taken = *before;
                    *before += wanted.quantity;
                    ExchangeOffer {
                        sku: sku.to_string(),
                        ordered_sku: line.sku.clone(),
                        ordered_group: line.variant_of.clone(),
                        variant: offered.iter().find(|(v, _)| v.sku == sku).map(|(v, cur)| {
                            OfferedVariant {
                                group: v.product_group.clone(),
                                title: v.title.clone(),
                                price: Money::from_minor(v.price_minor, *cur),
                                available: v.available - taken,
                            }
                        }),
                    }
                }),
            });
        }
        let returns =
            rmas::customer_returns_since(conn, &order.customer_email, now - Duration::days(90))?;
        let request = ReturnRequest {
            order: OrderFacts {
                currency,
                ship_country: order.ship_country.clone(),
                total: money(order.total_minor),
            },
            lines,
            resolution: input.resolution,
            customer_returns_90_days: u32::try_from(returns).unwrap_or(u32::MAX),
        };
        Ok((request, categories))
    }

    /// The return window of each line that can still be returned, as the policy would
    /// decide it for one item returned for a change of mind and for a defect.
    pub fn windows(
        &self,
        conn: &mut DbConnection,
        record: &OrderRecord,
        now: DateTime<Utc>,
    ) -> Result<Vec<LineWindow>, AppError> {
        let one_of_each = ReturnInput {
            order_number: record.order.order_number.clone(),
            lines: record
                .lines
                .iter()
                .filter(|l| l.returnable_quantity() > 0)
                .map(|l| ReturnLineInput {
                    line_id: l.line_id.clone(),
                    quantity: 1,
                    reason: ReturnReason::ChangedMind,
                    exchange_for: None,
                })
                .collect(),
            resolution: Resolution::Refund,
            comment: None,
        };
        if one_of_each.lines.is_empty() {
            return Ok(Vec::new());
        }
        let (mut request, _) = self.request(conn, record, &one_of_each, now)?;
        let any = self.decide(&request, now)?.lines;
        for line in &mut request.lines {
            line.reason = ReturnReason::Defective;
        }
        let fault = self.decide(&request, now)?.lines;
        Ok(any
            .into_iter()
            .zip(fault)
            .map(|(a, f)| LineWindow {
                line_id: a.line_id,
                days: a.window_days,
                ends_at: a.window_ends_at,
                seller_fault_days: f.window_days,
                seller_fault_ends_at: f.window_ends_at,
            })
            .collect())
    }

    /// Creates the RMA the policy allows, in the caller's transaction, with its first
    /// audit event. A rejected decision is returned as an error carrying the reasons.
    pub fn create(
        &self,
        conn: &mut DbConnection,
        input: &ReturnInput,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Created, AppError> {
        // Concurrent returns on one order queue up here, so they cannot both claim the
        // same returnable quantity.
        let record = orders::load_locked(conn, &input.order_number)?
            .ok_or_else(|| AppError::not_found(format!("order {}", input.order_number)))?;
        let quote = self.quote(conn, &record, input, now)?;
        let status = match quote.decision.outcome {
            Outcome::Rejected => return Err(AppError::PolicyRejected(Box::new(quote.decision))),
            Outcome::ManualReview => RmaStatus::Requested,
            Outcome::Authorized => RmaStatus::Authorized,
        };
        let id = uuid::Uuid::now_v7().to_string();
        let decision_json = serde_json::to_string(&quote.decision)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let lines: Vec<RmaLineRow> = quote
            .decision
            .lines
            .iter()
            .map(|l| RmaLineRow {
                rma_id: id.clone(),
                line_id: l.line_id.clone(),
                quantity: l.quantity,
                reason: l.reason.as_str().to_string(),
                refund_minor: l.refund.minor(),
                exchange_sku: input
                    .lines
                    .iter()
                    .find(|w| w.line_id == l.line_id)
                    .and_then(|w| w.exchange_for.as_ref())
                    .map(|e| e.sku.trim().to_string()),
            })
            .collect();
        let row = RmaRow {
            id: id.clone(),
            number: String::new(),
            order_id: record.order.id.clone(),
            status,
            resolution: input.resolution.as_str().to_string(),
            label_payer: quote.decision.label.as_str().to_string(),
            currency: record.order.currency.clone(),
            estimated_refund_minor: quote.decision.estimated_refund.minor(),
            customer_email: record.order.customer_email.clone(),
            // Checked in check_lines; stored as checked (trimmed).
            comment: Note::optional(input.comment.as_deref())
                .ok()
                .flatten()
                .map(Note::into_string),
            decision: decision_json,
            return_to: quote.return_to.code.clone(),
            created_at: naive(now),
            updated_at: naive(now),
        };
        let row = rmas::insert(conn, row, &lines)?;
        // What the decision saw available may have gone meanwhile: taking it is
        // conditional, so no unit is promised twice.
        for (sku, quantity) in rmas::exchanged(&lines) {
            if !catalog::take(conn, sku, quantity)? {
                return Err(AppError::Conflict(format!(
                    "{sku} ran out while this exchange was made; ask again"
                )));
            }
        }
        let note = match status {
            RmaStatus::Requested => "waiting for manual review",
            _ => "authorized by policy",
        };
        let audit = rmas::Audit {
            actor,
            note: Some(note),
            at: now,
        };
        let created = rmas::record_event(conn, &id, "create", None, status, audit)?;
        let row = crate::refunds::refund_keep_it(conn, row, actor, now)?;
        // A keep-it return was refunded at once: more events and a trigger, read back.
        // Any other has its one event and no trigger: nothing to read.
        let (events, refund) = if row.status == status {
            (vec![created], None)
        } else {
            (
                rmas::events(conn, &id)?,
                crate::db::refunds::trigger_for_rma(conn, &id)?,
            )
        };
        Ok(Created {
            rma: row,
            order: record,
            lines,
            quote,
            events,
            refund,
        })
    }
}

/// A new RMA, with what was written beside it.
#[derive(Debug, Clone)]
pub struct Created {
    pub rma: RmaRow,
    pub order: OrderRecord,
    pub lines: Vec<RmaLineRow>,
    pub quote: Quote,
    /// Its audit trail so far, oldest first.
    pub events: Vec<RmaEventRow>,
    /// Its refund trigger, when a keep-it return was refunded at once.
    pub refund: Option<crate::db::refunds::TriggerRow>,
}

/// An RMA number from the path: one of the wrong shape is malformed (a 400); one
/// whose check character does not match is well-formed but names no RMA, so it is
/// not found like any unknown number, with the hint that it is mistyped.
pub fn parse_number(text: &str) -> Result<RmaNumber, AppError> {
    RmaNumber::parse(text).map_err(|e| match e {
        RmaNumberError::BadCheck => AppError::not_found(format!(
            "RMA {} (mistyped: its check character does not match)",
            text.trim()
        )),
        e => AppError::invalid("number", e.to_string()),
    })
}

/// An RMA number from body field `field`: a mistyped one does not fit any RMA, and
/// the answer names the field so a form can show it there.
pub fn parse_number_in(field: &str, text: &str) -> Result<RmaNumber, AppError> {
    RmaNumber::parse(text).map_err(|e| match e {
        RmaNumberError::BadCheck => AppError::does_not_fit(
            field,
            format!(
                "RMA {} is mistyped: its check character does not match",
                text.trim()
            ),
        ),
        e => AppError::invalid(field, e.to_string()),
    })
}
