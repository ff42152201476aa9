//! Inspecting a received return: the inspector's grades per line, the refund they
//! work out to (`domain::refund`), and — when something is refundable — the refund
//! trigger and its finance email in the outbox, all in one transaction with the RMA's
//! status changes and their audit events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::catalog;
use crate::db::fulfilments::{self, FulfilmentLine, FulfilmentRow};
use crate::db::labels;
use crate::db::orders::{self, OrderRecord};
use crate::db::refunds::{self, InspectionRow, TriggerFor, TriggerRow};
use crate::db::rmas::{self, Audit, RmaRow};
use crate::db::{naive, DbConnection};
use crate::domain::display;
use crate::domain::note::Note;
use crate::domain::order::Problems;
use crate::domain::policy::Policy;
use crate::domain::price_difference::{self, PriceDifference};
use crate::domain::refund::{self, InspectedLine, InspectionOutcome, RefundCalculation};
use crate::domain::{
    Condition, Currency, Disposition, LabelPayer, Money, RefundMethod, Resolution, ReturnReason,
    RmaEvent, RmaNumber, TriggerStatus,
};
use crate::error::AppError;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionLineInput {
    #[schema(min_length = 1)]
    pub line_id: String,
    #[schema(minimum = 0, maximum = 10_000)]
    #[serde(deserialize_with = "crate::domain::whole_number::deserialize")]
    pub quantity_received: i64,
    pub condition: Condition,
    pub disposition: Disposition,
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::note)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionInput {
    /// Every line of the RMA, once each.
    #[schema(min_items = 1, max_items = 500)]
    pub lines: Vec<InspectionLineInput>,
}

impl InspectionInput {
    /// Checks the lines against the RMA's: each exactly once, sane quantities.
    fn check(&self, expected: &[String]) -> Result<(), AppError> {
        let mut problems = Problems::default();
        // What is well-formed but does not match the RMA's lines.
        let mut unfit = Problems::default();
        if self.lines.is_empty() {
            problems.add("lines", "inspect every line of the RMA");
        }
        let mut seen = std::collections::HashSet::new();
        for (i, l) in self.lines.iter().enumerate() {
            let at = |field: &str| format!("lines[{i}].{field}");
            if !expected.contains(&l.line_id) {
                unfit.add(
                    at("line_id"),
                    format!("the RMA has no line {:?}", l.line_id),
                );
            } else if !seen.insert(l.line_id.clone()) {
                unfit.add(at("line_id"), "this line is already inspected above");
            }
            if !(0..=10_000).contains(&l.quantity_received) {
                problems.add(at("quantity_received"), "must be 0 to 10000");
            }
            if let Err(e) = Note::optional(l.notes.as_deref()) {
                problems.add(at("notes"), e.to_string());
            }
        }
        if let Some(id) = expected.iter().find(|id| !seen.contains(*id)) {
            if problems.0.is_empty() && unfit.0.is_empty() {
                unfit.add("lines", format!("line {id:?} of the RMA is not inspected"));
            }
        }
        AppError::from_fields(problems.0, unfit.0)
    }
}

fn parse_money(minor: i64, code: &str) -> Result<Money, AppError> {
    let currency = Currency::parse(code).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Money::from_minor(minor, currency))
}

/// A refund trigger in short, as an inspection answers with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RefundTriggerBrief {
    pub id: String,
    #[schema(value_type = crate::domain::Money)]
    pub amount: String,
    #[schema(value_type = crate::domain::Currency)]
    pub currency: String,
    /// `original_payment`, `store_credit`, or `charge_customer` (an amount the
    /// customer owes: an exchange for a dearer product).
    #[schema(value_type = RefundMethod)]
    pub method: String,
    /// A store credit's bonus on top of `amount`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::domain::Money>)]
    pub bonus: Option<String>,
    /// What finance does: `refund`, `issue_store_credit` or `charge_customer`.
    #[schema(schema_with = actions)]
    pub action: String,
    pub status: TriggerStatus,
}

fn actions() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    crate::domain::schema::string_enum(RefundMethod::ALL.iter().map(|m| m.action()))
}

impl RefundTriggerBrief {
    pub fn new(t: &TriggerRow) -> RefundTriggerBrief {
        RefundTriggerBrief {
            id: t.id.clone(),
            amount: display::amount(t.amount_minor, &t.currency),
            currency: t.currency.clone(),
            method: t.method.clone(),
            bonus: (t.bonus_minor > 0).then(|| display::amount(t.bonus_minor, &t.currency)),
            action: crate::refunds::action(t).to_string(),
            status: t.status,
        }
    }
}

/// What an inspection decided.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Inspected {
    pub rma: String,
    pub outcome: InspectionOutcome,
    /// The refund triggered, if the outcome refunds anything.
    pub refund: Option<RefundTriggerBrief>,
    /// For an exchange, the replacement to ship.
    pub replacement: Option<Replacement>,
    /// For a repair, the repair order the items are now at the bench under.
    pub repair: Option<crate::repairs::Repair>,
    /// The refund maths line by line, as finance gets it.
    pub calculation: InspectionCalculation,
}

/// The refund maths as stored and sent to finance, with an exchange's replacement.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InspectionCalculation {
    #[serde(flatten)]
    pub refund: RefundCalculation,
    pub replacement: Option<Replacement>,
    /// With `exchange_product`: what ships against what came back, and the difference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<ExchangeSettlement>,
}

/// An exchange for another product after inspection: per line what came back and what
/// ships instead, both with tax, and who pays the difference. Amounts are the
/// currency's decimals (stored with the trigger and read back as written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExchangeSettlement {
    pub lines: Vec<SettledLine>,
    #[schema(value_type = crate::domain::Money)]
    pub replacement_value: String,
    #[schema(value_type = crate::domain::Money)]
    pub returned_value: String,
    /// What the customer owes (the replacements are dearer).
    #[schema(value_type = crate::domain::Money)]
    pub customer_pays: String,
    /// What goes back to the original payment (the replacements are cheaper).
    #[schema(value_type = crate::domain::Money)]
    pub refunded: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SettledLine {
    pub line_id: String,
    /// Units that passed: they ship as replacements.
    pub quantity: i64,
    pub replacement_sku: String,
    /// The units that came back, tax included, less `condition_deduction`.
    #[schema(value_type = crate::domain::Money)]
    pub returned_value: String,
    /// Taken off for the state they came back in (not for the shop's faults).
    #[schema(value_type = crate::domain::Money)]
    pub condition_deduction: String,
    #[schema(value_type = crate::domain::Money)]
    pub replacement_value: String,
}

/// What an exchange for another product settles to: each replacement that ships (the
/// units that passed) at its quoted price, against those units as ordered less any
/// deduction for the state they came back in; tax on both sides at the returned line's
/// rate. No restocking fee and no label: an exchange keeps the sale.
fn settle(
    rma: &RmaRow,
    order: &OrderRecord,
    replacement: &Replacement,
    calculation: &RefundCalculation,
    currency: Currency,
) -> Result<(ExchangeSettlement, PriceDifference), AppError> {
    let quoted = crate::domain::policy::stored_lines(&rma.decision);
    let overflow = || AppError::Internal(format!("RMA {}: amounts overflow", rma.number));
    let money = |minor: i64| Money::from_minor(minor, currency).to_string();
    let (mut replaced, mut returned) = (0i64, 0i64);
    let mut lines = Vec::with_capacity(replacement.lines.len());
    for l in &replacement.lines {
        let price = quoted
            .iter()
            .find(|q| q.line_id == l.line_id)
            .and_then(|q| q.replacement_price.as_deref())
            .map(|p| Money::parse(p, currency));
        let (Some(Ok(price)), Some(ordered)) =
            (price, order.lines.iter().find(|o| o.line_id == l.line_id))
        else {
            return Err(AppError::Internal(format!(
                "RMA {}: line {} has no quoted replacement price",
                rma.number, l.line_id
            )));
        };
        let line = price_difference::ReturnedLine {
            unit_price_minor: ordered.unit_price_minor,
            line_tax_minor: ordered.tax_minor,
            ordered_quantity: ordered.quantity,
        };
        let (shipped, worth) =
            price_difference::values(line, price.minor(), l.quantity).ok_or_else(overflow)?;
        let deduction = calculation
            .lines
            .iter()
            .find(|c| c.line_id == l.line_id)
            .map_or(0, |c| c.condition_deduction.minor());
        let back = (worth - deduction).max(0);
        replaced = replaced.checked_add(shipped).ok_or_else(overflow)?;
        returned = returned.checked_add(back).ok_or_else(overflow)?;
        lines.push(SettledLine {
            line_id: l.line_id.clone(),
            quantity: l.quantity,
            replacement_sku: l.sku.clone().unwrap_or_default(),
            returned_value: money(back),
            condition_deduction: money(deduction),
            replacement_value: money(shipped),
        });
    }
    let difference = PriceDifference::of(currency, replaced, returned);
    Ok((
        ExchangeSettlement {
            lines,
            replacement_value: difference.replacement_value.to_string(),
            returned_value: difference.returned_value.to_string(),
            customer_pays: difference.customer_pays.to_string(),
            refunded: difference.refunded.to_string(),
        },
        difference,
    ))
}

/// The steps of a settlement in words, as finance reads them.
fn settlement_notes(
    s: &ExchangeSettlement,
    order: &OrderRecord,
    currency: Currency,
) -> Vec<String> {
    let zero = Money::zero(currency).to_string();
    let mut notes: Vec<String> = s
        .lines
        .iter()
        .map(|l| {
            let sku = order
                .lines
                .iter()
                .find(|o| o.line_id == l.line_id)
                .map_or(l.line_id.as_str(), |o| o.sku.as_str());
            let less = match l.condition_deduction == zero {
                true => String::new(),
                false => format!(" after {} {currency} off for its condition", l.condition_deduction),
            };
            format!(
                "{} × {sku} came back worth {} {currency} with tax{less}; {} ships, worth {} {currency} with tax",
                l.quantity, l.returned_value, l.replacement_sku, l.replacement_value
            )
        })
        .collect();
    notes.push(if s.customer_pays != zero {
        format!(
            "the customer pays the difference: {} {currency}",
            s.customer_pays
        )
    } else if s.refunded != zero {
        format!("the difference is refunded: {} {currency}", s.refunded)
    } else {
        "the same worth: no money moves".to_string()
    });
    notes
}

/// What an exchange ships instead of refunding: the lines that passed inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Replacement {
    /// Always `to_ship`: shipping it is the shop's job.
    pub status: String,
    pub lines: Vec<ReplacementLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReplacementLine {
    pub line_id: String,
    pub quantity: i64,
    /// What to send: the variant an exchange asked for; absent, the item ordered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
}

/// The warehouse's job of sending `replacement` for `rma`: each line's SKU (the variant
/// an exchange asked for, or the item ordered) and title.
fn fulfilment_of(
    c: &mut DbConnection,
    rma: &RmaRow,
    order: &OrderRecord,
    replacement: &Replacement,
    now: DateTime<Utc>,
) -> Result<FulfilmentRow, AppError> {
    let skus: Vec<&str> = replacement
        .lines
        .iter()
        .filter_map(|l| l.sku.as_deref())
        .collect();
    let variants = if skus.is_empty() {
        Vec::new()
    } else {
        catalog::variants(c, &skus)?
    };
    let lines: Vec<FulfilmentLine> = replacement
        .lines
        .iter()
        .map(|l| {
            let ordered = order.lines.iter().find(|o| o.line_id == l.line_id);
            let (sku, title) = match &l.sku {
                // The variant asked for; its title as the catalogue has it now.
                Some(sku) => (
                    sku.clone(),
                    variants
                        .iter()
                        .find(|(v, _)| v.sku == *sku)
                        .map(|(v, _)| v.title.clone())
                        .unwrap_or_default(),
                ),
                None => (
                    ordered.map(|o| o.sku.clone()).unwrap_or_default(),
                    ordered.map(|o| o.title.clone()).unwrap_or_default(),
                ),
            };
            FulfilmentLine {
                line_id: l.line_id.clone(),
                sku,
                title,
                quantity: l.quantity,
            }
        })
        .collect();
    Ok(FulfilmentRow {
        id: uuid::Uuid::now_v7().to_string(),
        rma_id: rma.id.clone(),
        order_id: rma.order_id.clone(),
        status: fulfilments::TO_SHIP.to_string(),
        lines: serde_json::to_string(&lines).map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: naive(now),
        shipped_at: None,
        shipment_id: None,
    })
}

/// Inspects `number`'s RMA; 409 unless it has been received and not inspected yet.
pub fn inspect(
    c: &mut DbConnection,
    policy: &Policy,
    number: &RmaNumber,
    input: InspectionInput,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Inspected, AppError> {
    let rma = rmas::find(c, number)?.ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
    let rma_lines = rmas::lines(c, &rma.id)?;
    let expected: Vec<String> = rma_lines.iter().map(|l| l.line_id.clone()).collect();
    input.check(&expected)?;
    let mut input = input;
    for line in &mut input.lines {
        // Stored as checked: trimmed, or none.
        line.notes = Note::optional(line.notes.as_deref())
            .ok()
            .flatten()
            .map(Note::into_string);
    }
    // Inspecting twice, or before the box is scanned, is an illegal status change.
    crate::domain::transition(rma.status, RmaEvent::Inspect)?;

    let order = orders::load_by_id(c, &rma.order_id)?;
    let currency = Currency::parse(&rma.currency).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut inspected = Vec::with_capacity(input.lines.len());
    for graded in &input.lines {
        let (Some(rma_line), Some(ordered)) = (
            rma_lines.iter().find(|l| l.line_id == graded.line_id),
            order.lines.iter().find(|l| l.line_id == graded.line_id),
        ) else {
            continue;
        };
        inspected.push(InspectedLine {
            line_id: graded.line_id.clone(),
            reason: rma_line
                .reason
                .parse::<ReturnReason>()
                .map_err(|e| AppError::Internal(e.to_string()))?,
            unit_price: Money::from_minor(ordered.unit_price_minor, currency),
            line_tax: Money::from_minor(ordered.tax_minor, currency),
            ordered_quantity: ordered.quantity,
            expected_quantity: rma_line.quantity,
            received_quantity: graded.quantity_received,
            condition: graded.condition,
        });
    }
    // The label the customer pays, as bought (in the order's currency).
    let label_deduction = match (
        rma.label_payer.parse::<LabelPayer>(),
        labels::find(c, &rma.id)?,
    ) {
        (Ok(LabelPayer::CustomerPays), Some(label)) => {
            parse_money(label.cost_minor, &label.currency)?
        }
        _ => Money::zero(currency),
    };
    let file = policy.file();
    let calculation = refund::calculate(
        currency,
        &inspected,
        label_deduction,
        &file.restocking,
        &file.inspection,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let resolution = rma
        .resolution
        .parse::<Resolution>()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    // An exchange ships a replacement of what passed instead of refunding it.
    let replacement = (resolution.ships_replacement()
        && calculation.outcome != InspectionOutcome::Failed)
        .then(|| Replacement {
            status: "to_ship".into(),
            lines: calculation
                .lines
                .iter()
                .filter(|l| l.accepted_quantity > 0)
                .map(|l| ReplacementLine {
                    line_id: l.line_id.clone(),
                    quantity: l.accepted_quantity,
                    sku: rma_lines
                        .iter()
                        .find(|r| r.line_id == l.line_id)
                        .and_then(|r| r.exchange_sku.clone()),
                })
                .collect(),
        });
    let settled = match (&replacement, resolution) {
        (Some(r), Resolution::ExchangeProduct) => {
            Some(settle(&rma, &order, r, &calculation, currency)?)
        }
        _ => None,
    };
    let mut calculation = calculation;
    if let Some((s, _)) = &settled {
        // The refund's steps (fees, the label) do not apply to an exchange.
        calculation.notes = settlement_notes(s, &order, currency);
        calculation.steps.clear();
    }
    let calculation = InspectionCalculation {
        refund: calculation,
        replacement: replacement.clone(),
        exchange: settled.as_ref().map(|(s, _)| s.clone()),
    };
    let calculation_json =
        serde_json::to_string(&calculation).map_err(|e| AppError::Internal(e.to_string()))?;

    // What settles the inspection: a refund of the total, or for an exchange for
    // another product its price difference either way; an even exchange moves nothing.
    let refundable = calculation.refund.outcome != InspectionOutcome::Failed
        && calculation.refund.total.minor() > 0;
    let settlement = match (&settled, resolution.refund_method()) {
        (Some((_, d)), _) if d.customer_pays.minor() > 0 => {
            Some((RefundMethod::ChargeCustomer, d.customer_pays))
        }
        (Some((_, d)), _) if d.refunded.minor() > 0 => {
            Some((RefundMethod::OriginalPayment, d.refunded))
        }
        (Some(_), _) => None,
        (None, Some(method)) if refundable => Some((method, calculation.refund.total)),
        (None, _) => None,
    };
    let note = match (&replacement, settlement) {
        (Some(_), Some((RefundMethod::ChargeCustomer, due))) => format!(
            "{}: replacement to ship, the customer pays {due} {currency}",
            calculation.refund.outcome.as_str()
        ),
        (Some(_), Some((_, back))) => format!(
            "{}: replacement to ship, refund {back} {currency}",
            calculation.refund.outcome.as_str()
        ),
        (Some(_), None) => format!(
            "{}: replacement to ship",
            calculation.refund.outcome.as_str()
        ),
        (None, _) if resolution == Resolution::Repair => format!(
            "{}: to the repair bench",
            calculation.refund.outcome.as_str()
        ),
        (None, _) => format!(
            "{}: refund {} {}",
            calculation.refund.outcome.as_str(),
            calculation.refund.total,
            currency
        ),
    };
    fn audit<'a>(actor: &'a str, note: &'a str, at: DateTime<Utc>) -> Audit<'a> {
        Audit {
            actor,
            note: Some(note),
            at,
        }
    }
    // The status change first: of two inspections at once, the second finds the RMA
    // inspected (409) before it writes anything.
    rmas::apply_event(c, number, RmaEvent::Inspect, audit(actor, &note, now))?;
    refunds::insert_inspection(
        c,
        &InspectionRow {
            rma_id: rma.id.clone(),
            outcome: calculation.refund.outcome.as_str().to_string(),
            lines: serde_json::to_string(&input.lines)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            calculation: calculation_json.clone(),
            inspected_by: actor.to_string(),
            inspected_at: naive(now),
        },
    )?;
    // Units an exchange held that will not be sent (a line failed, or came back
    // short) go back to the catalogue.
    let mut unsent: Vec<(&str, i64)> = rma_lines
        .iter()
        .filter_map(|r| {
            let sku = r.exchange_sku.as_deref()?;
            let sent = replacement
                .as_ref()
                .and_then(|rep| rep.lines.iter().find(|l| l.line_id == r.line_id))
                .map_or(0, |l| l.quantity);
            Some((sku, r.quantity - sent))
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    unsent.sort();
    for (sku, quantity) in unsent {
        catalog::give_back(c, sku, quantity)?;
    }
    if let Some(replacement) = &replacement {
        let fulfilment = fulfilment_of(c, &rma, &order, replacement, now)?;
        fulfilments::insert(c, &fulfilment)?;
    }
    // A repair that passed goes to the bench with what came back.
    let repair = match (resolution, calculation.refund.outcome) {
        (Resolution::Repair, InspectionOutcome::Passed | InspectionOutcome::Partial) => {
            let accepted: Vec<(String, i64)> = calculation
                .refund
                .lines
                .iter()
                .map(|l| (l.line_id.clone(), l.accepted_quantity))
                .collect();
            let row = crate::repairs::open(c, &rma, &order, &accepted, actor, now)?;
            Some(crate::repairs::Repair::new(
                &crate::db::repairs::ListedRepair {
                    repair: row,
                    rma_number: rma.number.clone(),
                    order_number: order.order.order_number.clone(),
                    parcel: None,
                },
            ))
        }
        _ => None,
    };

    let trigger = match settlement {
        Some((method, amount)) => {
            let bonus = crate::refunds::store_credit_bonus(&rma, method, amount.minor())?;
            let trigger = TriggerRow::pending(
                TriggerFor::Rma(&rma.id),
                &rma.order_id,
                amount.minor(),
                currency.code(),
                method.as_str(),
                calculation_json,
                now,
            )
            .with_bonus(bonus);
            refunds::create_trigger(c, &trigger, now)?;
            // An amount the customer owes is finance's to collect; the return itself
            // is not refunded, so its status stays where the inspection left it.
            if method != RefundMethod::ChargeCustomer {
                let note = format!("refund trigger {} ({method})", trigger.id);
                rmas::apply_event(c, number, RmaEvent::TriggerRefund, audit(actor, &note, now))?;
            }
            Some(trigger)
        }
        None => None,
    };
    Ok(Inspected {
        rma: rma.number,
        outcome: calculation.refund.outcome,
        refund: trigger.as_ref().map(RefundTriggerBrief::new),
        replacement,
        repair,
        calculation,
    })
}
