//! Refund triggers: a keep-it return's, made when it is authorized, and finance
//! taking a trigger over. The others are made by an inspection that passes
//! (`inspection`) or an incident resolved with a refund (`tracking::incidents`); each
//! trigger's email goes out through the outbox (`notify`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::refunds::{self, TriggerFor, TriggerRow};
use crate::db::rmas::{self, Audit, RmaRow};
use crate::db::DbConnection;
use crate::domain::store_credit::StoreCreditBonus;
use crate::domain::UnknownValue;
use crate::domain::{
    display, policy, Currency, LabelPayer, Money, RefundMethod, Resolution, RmaEvent, RmaNumber,
    RmaStatus,
};
use crate::error::AppError;
use crate::inspection::{ExchangeSettlement, Replacement};
use crate::paging::{self, Page};

/// Refunds an authorized keep-it return at once, in the caller's transaction: nothing
/// comes back to inspect, so the trigger (the amount the decision promised) and its
/// finance email are written now and the RMA moves to `refund_triggered`. Answers the
/// RMA as it is after; unchanged when it is not an authorized keep-it return, when its
/// resolution is not paid in money (an exchange ships instead), or its refund is zero.
pub fn refund_keep_it(
    c: &mut DbConnection,
    rma: RmaRow,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<RmaRow, AppError> {
    let resolution: Resolution = rma.resolution.parse().map_err(bad_row(&rma))?;
    let method = resolution.refund_method();
    let keep_it = rma
        .label_payer
        .parse::<LabelPayer>()
        .map_err(bad_row(&rma))?
        == LabelPayer::KeepIt;
    let (Some(method), true, RmaStatus::Authorized, 1..) =
        (method, keep_it, rma.status, rma.estimated_refund_minor)
    else {
        return Ok(rma);
    };
    let calculation = KeepItRefund::from_decision(&rma);
    let trigger = TriggerRow::pending(
        TriggerFor::Rma(&rma.id),
        &rma.order_id,
        rma.estimated_refund_minor,
        &rma.currency,
        method.as_str(),
        serde_json::to_string(&Calculation::KeepIt(calculation))
            .map_err(|e| AppError::Internal(e.to_string()))?,
        now,
    )
    .with_bonus(store_credit_bonus(
        &rma,
        method,
        rma.estimated_refund_minor,
    )?);
    refunds::create_trigger(c, &trigger, now)?;
    let number = RmaNumber::parse(&rma.number)
        .map_err(|e| AppError::Internal(format!("RMA {}: {e}", rma.number)))?;
    let note = format!("keep it: refund trigger {} ({method})", trigger.id);
    let audit = Audit {
        actor,
        note: Some(&note),
        at: now,
    };
    rmas::apply_event(c, &number, RmaEvent::TriggerRefund, audit)
}

/// The bonus a store credit of `credit_minor` carries under the terms the customer was
/// shown with the decision; zero for other methods or a decision without a bonus.
pub fn store_credit_bonus(
    rma: &RmaRow,
    method: RefundMethod,
    credit_minor: i64,
) -> Result<i64, AppError> {
    let terms = match (method, policy::stored_bonus(&rma.decision)) {
        (RefundMethod::StoreCredit, Some(terms)) => terms,
        _ => return Ok(0),
    };
    let currency = Currency::parse(&rma.currency).map_err(|e| AppError::Internal(e.to_string()))?;
    let max = match &terms.max {
        Some(text) => {
            Some(Money::parse(text, currency).map_err(|e| AppError::Internal(e.to_string()))?)
        }
        None => None,
    };
    let credit = Money::from_minor(credit_minor, currency);
    StoreCreditBonus::on(credit, terms.percent, max)
        .map(|b| b.amount.minor())
        .ok_or_else(|| AppError::Internal(format!("RMA {}: bonus overflows", rma.number)))
}

/// What finance does with trigger `t` (`refund`, `issue_store_credit`,
/// `charge_customer`), as the CSVs' `action` column says it.
pub fn action(t: &TriggerRow) -> &'static str {
    t.method
        .parse::<RefundMethod>()
        .map_or("refund", |m| m.action())
}

fn bad_row(rma: &RmaRow) -> impl Fn(UnknownValue) -> AppError + '_ {
    move |e| AppError::Internal(format!("RMA {}: {e}", rma.number))
}

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

/// The triggers `filter` names, `limit` at a time, after trigger `cursor` (the
/// `next_cursor` of the page before) or from the newest. A cursor naming no trigger is
/// a 422 on `cursor`.
pub fn page(
    c: &mut DbConnection,
    filter: &refunds::TriggerFilter,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<refunds::ListedTrigger>, AppError> {
    let after = paging::start(cursor, "refund trigger", |id| refunds::after(c, id))?;
    let rows = refunds::list_triggers(c, filter, after.as_ref(), None, limit + 1)?;
    Ok(Page::cut(rows, limit, |r| &r.trigger.id))
}

/// Acknowledges every trigger of `ids` not acknowledged yet, in one transaction (the
/// caller's); how many it acknowledged. Unknown ids are a 404 and change nothing.
pub fn acknowledge_all(
    c: &mut DbConnection,
    ids: &[String],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut done = 0;
    for id in ids {
        if refunds::trigger(c, id)?.is_none() {
            return Err(AppError::not_found(format!("refund {id}")));
        }
        if refunds::acknowledge(c, id, actor, now)? {
            done += 1;
        }
    }
    Ok(done)
}

/// The refund maths stored with a trigger, read back as it was written: an inspected
/// return's lines, or an incident's parcel. Amounts are the currency's decimals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Calculation {
    Incident(IncidentRefund),
    Inspection(InspectionRefund),
    KeepIt(KeepItRefund),
}

impl Calculation {
    /// The stored text read back; `None` if it is not one of the two shapes.
    pub fn read(stored: &str) -> Option<Calculation> {
        serde_json::from_str(stored).ok()
    }

    /// The steps in words (an incident has none).
    pub fn notes(&self) -> &[String] {
        match self {
            Calculation::Inspection(i) => &i.notes,
            Calculation::KeepIt(k) => &k.notes,
            Calculation::Incident(_) => &[],
        }
    }
}

/// A refund for an outbound parcel lost or damaged on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IncidentRefund {
    /// Always `incident`.
    #[schema(pattern = "^incident$")]
    pub source: String,
    /// What happened to the parcel.
    #[schema(value_type = crate::domain::tracking::IncidentKind)]
    pub incident: String,
    pub detail: String,
    /// How operations resolved it.
    #[schema(value_type = crate::domain::tracking::IncidentAction)]
    pub action: String,
    /// The parcel's tracking number.
    pub parcel: String,
    #[schema(value_type = crate::domain::Money)]
    pub parcel_value: String,
    #[schema(value_type = crate::domain::Money)]
    pub total: String,
    pub note: String,
}

/// A keep-it return's refund: the decision's lines, paid without the item coming back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeepItRefund {
    /// `keep_it`, or `unrepairable` for a repair's item refunded instead.
    #[schema(pattern = "^(keep_it|unrepairable)$")]
    pub source: String,
    #[schema(value_type = crate::domain::Currency)]
    pub currency: String,
    pub lines: Vec<KeepItRefundLine>,
    #[schema(value_type = crate::domain::Money)]
    pub total: String,
    /// The steps in words.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One line of a keep-it refund, as the return policy decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeepItRefundLine {
    pub line_id: String,
    pub quantity: i64,
    #[schema(value_type = crate::domain::Money)]
    pub item_amount: String,
    #[schema(value_type = crate::domain::Money)]
    pub tax_share: String,
    #[schema(value_type = crate::domain::Money)]
    pub restocking_fee: String,
    #[schema(value_type = crate::domain::Money)]
    pub refund: String,
}

impl KeepItRefund {
    fn from_decision(rma: &RmaRow) -> KeepItRefund {
        let total = display::amount(rma.estimated_refund_minor, &rma.currency);
        KeepItRefund {
            source: "keep_it".into(),
            currency: rma.currency.clone(),
            lines: policy::stored_lines(&rma.decision)
                .into_iter()
                .map(|l| KeepItRefundLine {
                    line_id: l.line_id,
                    quantity: l.quantity,
                    item_amount: l.item_amount,
                    tax_share: l.tax_share,
                    restocking_fee: l.restocking_fee,
                    refund: l.refund,
                })
                .collect(),
            notes: vec![format!(
                "keep it: the return policy lets the customer keep the item; \
                 {total} {} refunded without it coming back",
                rma.currency
            )],
            total,
        }
    }
}

/// An inspected return's refund, line by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InspectionRefund {
    #[schema(value_type = crate::domain::refund::InspectionOutcome)]
    pub outcome: String,
    #[schema(value_type = crate::domain::Currency)]
    pub currency: String,
    pub lines: Vec<InspectionRefundLine>,
    #[schema(value_type = crate::domain::Money)]
    pub lines_total: String,
    /// The label the customer pays, taken once from the total.
    #[schema(value_type = crate::domain::Money)]
    pub label_deduction: String,
    #[schema(value_type = crate::domain::Money)]
    pub total: String,
    /// The steps in words.
    #[serde(default)]
    pub notes: Vec<String>,
    /// For an exchange, the replacement to ship.
    #[serde(default)]
    pub replacement: Option<Replacement>,
    /// For an exchange for another product, what ships against what came back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<ExchangeSettlement>,
}

/// One line of an inspected return's refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InspectionRefundLine {
    pub line_id: String,
    pub expected_quantity: i64,
    pub accepted_quantity: i64,
    #[schema(value_type = crate::domain::Condition)]
    pub condition: String,
    #[schema(value_type = crate::domain::Money)]
    pub item_amount: String,
    #[schema(value_type = crate::domain::Money)]
    pub tax_share: String,
    #[schema(value_type = crate::domain::Money)]
    pub restocking_fee: String,
    #[schema(value_type = crate::domain::Money)]
    pub condition_deduction: String,
    #[schema(value_type = crate::domain::Money)]
    pub refund: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::refund::{InspectionOutcome, RefundCalculation, RefundLine};
    use crate::domain::{Condition, Currency, Money};
    use crate::inspection::{InspectionCalculation, ReplacementLine};

    /// A keep-it refund reads back as one, not as an inspection or an incident.
    #[test]
    fn a_keep_it_refund_reads_back_as_written() {
        let written = Calculation::KeepIt(KeepItRefund {
            source: "keep_it".into(),
            currency: "EUR".into(),
            lines: vec![KeepItRefundLine {
                line_id: "1".into(),
                quantity: 1,
                item_amount: "4.00".into(),
                tax_share: "0.76".into(),
                restocking_fee: "0.00".into(),
                refund: "4.76".into(),
            }],
            total: "4.76".into(),
            notes: vec!["kept".into()],
        });
        let text = serde_json::to_string(&written).expect("json");
        assert_eq!(Calculation::read(&text), Some(written));
    }

    /// What the inspection writes must read back as an inspection, with every amount.
    #[test]
    fn an_inspection_reads_back_as_written() {
        let eur = Currency::parse("EUR").expect("EUR");
        let m = |minor| Money::from_minor(minor, eur);
        let written = InspectionCalculation {
            refund: RefundCalculation {
                outcome: InspectionOutcome::Partial,
                currency: eur,
                lines: vec![RefundLine {
                    line_id: "L1".into(),
                    expected_quantity: 2,
                    accepted_quantity: 1,
                    condition: Condition::Used,
                    item_amount: m(4_990),
                    tax_share: m(0),
                    restocking_fee: m(499),
                    condition_deduction: m(1_000),
                    refund: m(3_491),
                }],
                lines_total: m(3_491),
                label_deduction: m(595),
                total: m(2_896),
                notes: vec!["line L1: 1 of 2 came back".into()],
                steps: Vec::new(),
            },
            replacement: Some(Replacement {
                status: "to_ship".into(),
                lines: vec![ReplacementLine {
                    line_id: "L1".into(),
                    quantity: 1,
                    sku: Some("TSH-M".into()),
                }],
            }),
            exchange: Some(ExchangeSettlement {
                lines: vec![crate::inspection::SettledLine {
                    line_id: "L1".into(),
                    quantity: 1,
                    replacement_sku: "TSH-M".into(),
                    returned_value: "49.90".into(),
                    condition_deduction: "0.00".into(),
                    replacement_value: "59.90".into(),
                }],
                replacement_value: "59.90".into(),
                returned_value: "49.90".into(),
                customer_pays: "10.00".into(),
                refunded: "0.00".into(),
            }),
        };
        let text = serde_json::to_string(&written).expect("json");
        let Some(Calculation::Inspection(read)) = Calculation::read(&text) else {
            panic!("not read as an inspection: {text}");
        };
        assert_eq!(read.outcome, "partial");
        assert_eq!(read.total, "28.96");
        assert_eq!(read.label_deduction, "5.95");
        assert_eq!(read.lines[0].restocking_fee, "4.99");
        assert_eq!(read.lines[0].condition, "used");
        assert_eq!(read.notes, ["line L1: 1 of 2 came back"]);
        assert_eq!(read.replacement, written.replacement);
        assert_eq!(read.exchange, written.exchange);
        // Written back out, it is the same JSON the API served before it was typed.
        let again: serde_json::Value = serde_json::to_value(&read).expect("json");
        let first: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(again, first);
    }

    #[test]
    fn an_incident_reads_back_as_an_incident_and_garbage_as_none() {
        let written = Calculation::Incident(IncidentRefund {
            source: "incident".into(),
            incident: "lost".into(),
            detail: "no scan for 9 days".into(),
            action: "refund".into(),
            parcel: "1Z999".into(),
            parcel_value: "59.90".into(),
            total: "59.90".into(),
            note: "customer called".into(),
        });
        let text = serde_json::to_string(&written).expect("json");
        assert_eq!(Calculation::read(&text), Some(written));
        for bad in ["", "null", "{}", "[1]", r#"{"lines": 3}"#] {
            assert_eq!(Calculation::read(bad), None, "{bad}");
        }
    }
}
