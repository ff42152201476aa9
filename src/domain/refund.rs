//! What an inspected return refunds, exactly, in minor units.
//!
//! Per line: unit price × quantity accepted, plus the line's tax in proportion
//! (`tax × accepted / ordered`), minus the restocking fee where the policy charges one
//! (never for the shop's fault), minus the condition deduction for an item worse than
//! the policy accepts (again never for the shop's fault). Then the customer-paid label
//! is deducted once. Every share is rounded half up to the minor unit of the currency
//! (`share_half_up`); a line never goes below zero, the total never below zero, and the
//! total never exceeds what was paid for the accepted items.
//!
//! The outcome: `passed` when everything expected came back in an acceptable state,
//! `partial` when something is missing or worse than allowed, `failed` when nothing is
//! refundable (wrong item, or nothing came back).

use serde::Serialize;

use super::money::{line_value, share_half_up, Currency, LineValue, Money};
use super::policy::{InspectionRule, Restocking};
use super::vocab::{Condition, ReturnReason};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionOutcome {
    Passed,
    Partial,
    Failed,
}

impl InspectionOutcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            InspectionOutcome::Passed => "passed",
            InspectionOutcome::Partial => "partial",
            InspectionOutcome::Failed => "failed",
        }
    }
}

/// One RMA line as the inspector found it, with the order's facts.
#[derive(Debug, Clone)]
pub struct InspectedLine {
    pub line_id: String,
    pub reason: ReturnReason,
    pub unit_price: Money,
    /// Tax for the whole order line.
    pub line_tax: Money,
    pub ordered_quantity: i64,
    /// What the RMA said would come back.
    pub expected_quantity: i64,
    pub received_quantity: i64,
    pub condition: Condition,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RefundLine {
    pub line_id: String,
    pub expected_quantity: i64,
    pub accepted_quantity: i64,
    pub condition: Condition,
    pub item_amount: Money,
    pub tax_share: Money,
    pub restocking_fee: Money,
    pub condition_deduction: Money,
    pub refund: Money,
}

/// The calculation, with each step kept so finance can follow it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RefundCalculation {
    pub outcome: InspectionOutcome,
    pub currency: Currency,
    pub lines: Vec<RefundLine>,
    pub lines_total: Money,
    pub label_deduction: Money,
    pub total: Money,
    /// The steps in English words, amounts with their currency.
    pub notes: Vec<String>,
    /// The same steps as data, for pages that say them in their own language.
    #[serde(skip)]
    pub steps: Vec<RefundStep>,
}

/// A step of a refund calculation worth saying.
#[derive(Debug, Clone, PartialEq)]
pub enum RefundStep {
    /// The line's item did not come back (missing, wrong item): nothing for it.
    NothingBack {
        line_id: String,
        condition: Condition,
    },
    /// More came back than the return named.
    Extra {
        line_id: String,
        received: i64,
        expected: i64,
    },
    /// Fewer came back than the return named.
    Partial {
        line_id: String,
        accepted: i64,
        expected: i64,
    },
    /// The restocking fee for a change of mind.
    Restocking {
        line_id: String,
        percent: String,
        reason: ReturnReason,
        fee: Money,
    },
    /// Worn or damaged, not the shop's fault: a share of the item kept back.
    Deduction {
        line_id: String,
        condition: Condition,
        percent: String,
        amount: Money,
    },
    /// The return label the customer pays.
    Label { amount: Money },
}

impl RefundStep {
    /// The step in English words, amounts with their currency.
    pub fn english(&self) -> String {
        let words = |code: &str| code.replace('_', " ");
        let money = |m: &Money| format!("{m} {}", m.currency().code());
        match self {
            RefundStep::NothingBack { line_id, condition } => format!(
                "line {line_id}: {} — nothing to refund",
                words(condition.as_str())
            ),
            RefundStep::Extra { line_id, received, expected } => format!(
                "line {line_id}: {received} came back, {expected} expected; the extra is not refunded"
            ),
            RefundStep::Partial { line_id, accepted, expected } => {
                format!("line {line_id}: {accepted} of {expected} came back")
            }
            RefundStep::Restocking { line_id, percent, reason, fee } => format!(
                "line {line_id}: restocking fee {percent} % for {}: {}",
                words(reason.as_str()),
                money(fee)
            ),
            RefundStep::Deduction { line_id, condition, percent, amount } => format!(
                "line {line_id}: returned {}: {percent} % deducted ({})",
                words(condition.as_str()),
                money(amount)
            ),
            RefundStep::Label { amount } => {
                format!("return label paid by the customer: {}", money(amount))
            }
        }
    }
}

/// Basis points as a percentage: 1000 → "10", 1250 → "12.5".
fn percent(bps: u32) -> String {
    let whole = bps / 100;
    match bps % 100 {
        0 => whole.to_string(),
        part if part % 10 == 0 => format!("{whole}.{}", part / 10),
        part => format!("{whole}.{part:02}"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    #[error("the amounts overflow")]
    Overflow,
    #[error("line {0}: quantities must be 0 or more, and the ordered quantity at least 1")]
    BadQuantity(String),
}

fn share(amount: i64, bps: u32) -> Result<i64, RefundError> {
    share_half_up(amount, i64::from(bps), 10_000).ok_or(RefundError::Overflow)
}

/// The refund for `lines`, with `label_deduction` (the label the customer pays) taken
/// once from the total.
pub fn calculate(
    currency: Currency,
    lines: &[InspectedLine],
    label_deduction: Money,
    restocking: &Restocking,
    inspection: &InspectionRule,
) -> Result<RefundCalculation, RefundError> {
    let money = |minor: i64| Money::from_minor(minor, currency);
    let mut steps = Vec::new();
    let mut partial = false;
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        if l.ordered_quantity < 1 || l.expected_quantity < 0 || l.received_quantity < 0 {
            return Err(RefundError::BadQuantity(l.line_id.clone()));
        }
        let seller_fault = l.reason.is_seller_fault();
        let accepted = if l.condition.is_absent() {
            steps.push(RefundStep::NothingBack {
                line_id: l.line_id.clone(),
                condition: l.condition,
            });
            0
        } else {
            l.received_quantity.min(l.expected_quantity)
        };
        if l.received_quantity > l.expected_quantity {
            steps.push(RefundStep::Extra {
                line_id: l.line_id.clone(),
                received: l.received_quantity,
                expected: l.expected_quantity,
            });
        }
        if accepted < l.expected_quantity {
            partial = true;
            if !l.condition.is_absent() {
                steps.push(RefundStep::Partial {
                    line_id: l.line_id.clone(),
                    accepted,
                    expected: l.expected_quantity,
                });
            }
        }
        let LineValue { item, tax } = line_value(
            l.unit_price.minor(),
            l.line_tax.minor(),
            accepted,
            l.ordered_quantity,
        )
        .ok_or(RefundError::Overflow)?;
        let fee = restocking
            .fee(item, l.reason, seller_fault)
            .ok_or(RefundError::Overflow)?;
        if fee > 0 {
            steps.push(RefundStep::Restocking {
                line_id: l.line_id.clone(),
                percent: percent(restocking.fee_bps),
                reason: l.reason,
                fee: money(fee),
            });
        }
        let acceptable = seller_fault || inspection.acceptable.contains(&l.condition);
        let deduction = if acceptable || accepted == 0 {
            0
        } else {
            partial = true;
            let bps = inspection
                .deduction_bps
                .get(&l.condition)
                .copied()
                .unwrap_or(0);
            let d = share(item, bps)?;
            steps.push(RefundStep::Deduction {
                line_id: l.line_id.clone(),
                condition: l.condition,
                percent: percent(bps),
                amount: money(d),
            });
            d
        };
        let refund = item
            .checked_add(tax)
            .ok_or(RefundError::Overflow)?
            .saturating_sub(fee)
            .saturating_sub(deduction)
            .max(0);
        out.push(RefundLine {
            line_id: l.line_id.clone(),
            expected_quantity: l.expected_quantity,
            accepted_quantity: accepted,
            condition: l.condition,
            item_amount: money(item),
            tax_share: money(tax),
            restocking_fee: money(fee),
            condition_deduction: money(deduction),
            refund: money(refund),
        });
    }
    let lines_total =
        Money::sum(currency, out.iter().map(|l| l.refund)).map_err(|_| RefundError::Overflow)?;
    let nothing_back = out.iter().all(|l| l.accepted_quantity == 0);
    let outcome = if nothing_back {
        InspectionOutcome::Failed
    } else if partial {
        InspectionOutcome::Partial
    } else {
        InspectionOutcome::Passed
    };
    // The label is deducted once, and only from something refunded.
    let label = if nothing_back {
        money(0)
    } else {
        money(label_deduction.minor().min(lines_total.minor()))
    };
    if label.minor() > 0 {
        steps.push(RefundStep::Label { amount: label });
    }
    let total = money(lines_total.minor() - label.minor());
    Ok(RefundCalculation {
        outcome,
        currency,
        lines: out,
        lines_total,
        label_deduction: label,
        total,
        notes: steps.iter().map(RefundStep::english).collect(),
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn basis_points_read_as_percentages() {
        for (bps, shown) in [
            (1000, "10"),
            (1250, "12.5"),
            (2005, "20.05"),
            (0, "0"),
            (50, "0.5"),
        ] {
            assert_eq!(percent(bps), shown, "{bps}");
        }
    }

    #[test]
    fn steps_in_english_carry_the_currency_and_no_codes() {
        let eur = Currency::parse("EUR").expect("EUR");
        let step = RefundStep::Restocking {
            line_id: "2".into(),
            percent: "10".into(),
            reason: ReturnReason::ChangedMind,
            fee: Money::from_minor(199, eur),
        };
        assert_eq!(
            step.english(),
            "line 2: restocking fee 10 % for changed mind: 1.99 EUR"
        );
        let step = RefundStep::Deduction {
            line_id: "1".into(),
            condition: Condition::Used,
            percent: "20".into(),
            amount: Money::from_minor(1798, eur),
        };
        assert_eq!(
            step.english(),
            "line 1: returned used: 20 % deducted (17.98 EUR)"
        );
    }

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("EUR").expect("eur"))
    }

    fn restocking() -> Restocking {
        Restocking {
            fee_bps: 1000,
            reasons: vec![ReturnReason::ChangedMind],
        }
    }

    fn inspection() -> InspectionRule {
        InspectionRule {
            acceptable: vec![Condition::New, Condition::LikeNew],
            deduction_bps: HashMap::from([(Condition::Used, 2000), (Condition::Damaged, 5000)]),
        }
    }

    /// A jacket at 89.90 with 14.35 tax on a line of 2, one expected back.
    fn line(reason: ReturnReason, received: i64, condition: Condition) -> InspectedLine {
        InspectedLine {
            line_id: "1".into(),
            reason,
            unit_price: eur(8990),
            line_tax: eur(1435),
            ordered_quantity: 2,
            expected_quantity: 1,
            received_quantity: received,
            condition,
        }
    }

    #[test]
    fn refunds_table() {
        use Condition as C;
        use InspectionOutcome as O;
        use ReturnReason as R;
        // (case, line, label deduction, outcome, line refund, total)
        let table = [
            // 89.90 + 7.18 (14.35 / 2, half up) = 97.08
            (
                "new, too small",
                line(R::SizeTooSmall, 1, C::New),
                0,
                O::Passed,
                9708,
                9708,
            ),
            (
                "customer pays the label",
                line(R::SizeTooSmall, 1, C::New),
                595,
                O::Passed,
                9708,
                9113,
            ),
            // restocking 10 % of 89.90 = 8.99
            (
                "changed mind",
                line(R::ChangedMind, 1, C::LikeNew),
                0,
                O::Passed,
                8809,
                8809,
            ),
            // used: 20 % of 89.90 = 17.98
            (
                "used",
                line(R::SizeTooSmall, 1, C::Used),
                0,
                O::Partial,
                7910,
                7910,
            ),
            // changed mind and damaged: fee 8.99 and 50 % = 44.95
            (
                "changed mind, damaged",
                line(R::ChangedMind, 1, C::Damaged),
                0,
                O::Partial,
                4314,
                4314,
            ),
            // the shop's fault: whatever the state, all of it, no fee
            (
                "defective, damaged",
                line(R::Defective, 1, C::Damaged),
                0,
                O::Passed,
                9708,
                9708,
            ),
            (
                "missing",
                line(R::SizeTooSmall, 0, C::Missing),
                595,
                O::Failed,
                0,
                0,
            ),
            (
                "wrong item",
                line(R::SizeTooSmall, 1, C::WrongItem),
                0,
                O::Failed,
                0,
                0,
            ),
            (
                "nothing came back",
                line(R::SizeTooSmall, 0, C::New),
                0,
                O::Failed,
                0,
                0,
            ),
            (
                "two came back, one expected",
                line(R::SizeTooSmall, 2, C::New),
                0,
                O::Passed,
                9708,
                9708,
            ),
            // the label never takes the total below zero
            (
                "label larger than the refund",
                line(R::ChangedMind, 1, C::Damaged),
                9999,
                O::Partial,
                4314,
                0,
            ),
        ];
        for (case, l, label, outcome, line_refund, total) in table {
            let calc = calculate(
                l.unit_price.currency(),
                &[l],
                eur(label),
                &restocking(),
                &inspection(),
            )
            .expect("calculates");
            assert_eq!(calc.outcome, outcome, "{case}");
            assert_eq!(calc.lines[0].refund.minor(), line_refund, "{case}");
            assert_eq!(calc.total.minor(), total, "{case}");
            assert!(calc.total.minor() >= 0, "{case}");
            let paid: i64 = calc
                .lines
                .iter()
                .map(|l| l.item_amount.minor() + l.tax_share.minor())
                .sum();
            assert!(calc.total.minor() <= paid, "{case}: never more than paid");
        }
    }

    #[test]
    fn some_lines_missing_make_it_partial() {
        let mut shirts = line(ReturnReason::SizeTooLarge, 1, Condition::New);
        shirts.line_id = "2".into();
        shirts.expected_quantity = 2;
        let calc = calculate(
            shirts.unit_price.currency(),
            &[line(ReturnReason::SizeTooSmall, 1, Condition::New), shirts],
            eur(0),
            &restocking(),
            &inspection(),
        )
        .expect("calculates");
        assert_eq!(calc.outcome, InspectionOutcome::Partial);
        assert_eq!(calc.lines[1].accepted_quantity, 1);
        assert_eq!(calc.total.minor(), 9708 * 2);
        assert!(calc.notes.iter().any(|n| n.contains("1 of 2 came back")));
    }

    #[test]
    fn zero_decimal_currencies_round_to_whole_units() {
        let jpy = Currency::parse("JPY").expect("jpy");
        let l = InspectedLine {
            line_id: "1".into(),
            reason: ReturnReason::ChangedMind,
            unit_price: Money::from_minor(1999, jpy),
            line_tax: Money::from_minor(199, jpy),
            ordered_quantity: 3,
            expected_quantity: 1,
            received_quantity: 1,
            condition: Condition::New,
        };
        let calc = calculate(jpy, &[l], Money::zero(jpy), &restocking(), &inspection())
            .expect("calculates");
        // tax 199 / 3 = 66.33 → 66; fee 10 % of 1999 = 199.9 → 200
        assert_eq!(calc.lines[0].tax_share.minor(), 66);
        assert_eq!(calc.lines[0].restocking_fee.minor(), 200);
        assert_eq!(calc.total.to_string(), "1865");
    }

    #[test]
    fn bad_quantities_are_errors_not_panics() {
        let mut l = line(ReturnReason::SizeTooSmall, -1, Condition::New);
        assert!(calculate(
            l.unit_price.currency(),
            &[l.clone()],
            eur(0),
            &restocking(),
            &inspection()
        )
        .is_err());
        l.received_quantity = 1;
        l.ordered_quantity = 0;
        assert!(calculate(
            l.unit_price.currency(),
            &[l],
            eur(0),
            &restocking(),
            &inspection()
        )
        .is_err());
    }
}
