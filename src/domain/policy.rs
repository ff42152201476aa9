//! The return policy: given an order's facts, the lines a customer wants to send back
//! and a clock reading, decide whether the return is authorized, who pays the label,
//! what is refunded, and *why*. Every rule that shaped the decision is listed in it, so
//! support staff and customers can read the reasoning rather than guess.
//!
//! The policy itself is data (`config/policy.toml`); this module validates it once at
//! start-up and then only computes.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::money::{line_value, share_half_up, Currency, LineValue, Money};
use super::price_difference::{self, PriceDifference, ReturnedLine};
use super::store_credit::StoreCreditBonus;
use super::vocab::{Condition, LabelPayer, Resolution, ReturnReason};

/// `config/policy.toml` as written; amounts are decimal strings per currency code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    pub shop_window_days: u32,
    pub seller_fault_window_days: u32,
    #[serde(default)]
    pub jurisdictions: Vec<Jurisdiction>,
    #[serde(default)]
    pub categories: Vec<CategoryRule>,
    pub restocking: Restocking,
    pub label: LabelRule,
    pub keep_it: KeepItRule,
    pub manual_review: ManualReviewRule,
    #[serde(default)]
    pub photos_required_for: Vec<ReturnReason>,
    /// Days a return label stays valid; an unused label then expires with its RMA.
    #[serde(default = "thirty")]
    pub label_validity_days: u32,
    /// How inspection grades shape the refund of returns that are not the shop's fault.
    #[serde(default)]
    pub inspection: InspectionRule,
    /// What the resolutions other than a refund offer.
    #[serde(default)]
    pub resolutions: ResolutionRules,
    /// Warranty repairs.
    #[serde(default)]
    pub repair: super::repair::RepairRule,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionRules {
    #[serde(default)]
    pub store_credit: StoreCreditRule,
}

/// A bonus for taking store credit instead of money back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreCreditRule {
    /// Percent of the credit added on top (0–100); 0 gives no bonus.
    #[serde(default)]
    pub bonus_percent: u32,
    /// The most a bonus can be, per currency; a currency not listed has no cap.
    #[serde(default)]
    pub bonus_max: HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectionRule {
    /// Conditions an item may come back in without a deduction.
    pub acceptable: Vec<Condition>,
    /// Deduction in basis points of the item price for each worse condition.
    pub deduction_bps: HashMap<Condition, u32>,
}

impl Default for InspectionRule {
    fn default() -> Self {
        InspectionRule {
            acceptable: vec![Condition::New, Condition::LikeNew],
            deduction_bps: HashMap::from([(Condition::Used, 2000), (Condition::Damaged, 5000)]),
        }
    }
}

fn thirty() -> u32 {
    30
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    pub id: String,
    /// Its name in English; `names` gives it in other languages (by language code).
    pub name: String,
    #[serde(default)]
    pub names: std::collections::BTreeMap<String, String>,
    pub countries: Vec<String>,
    pub days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryRule {
    pub category: String,
    /// The category's name for customers by language code (`en` too); without one, the
    /// key with spaces for underscores.
    #[serde(default)]
    pub names: std::collections::BTreeMap<String, String>,
    #[serde(default = "yes")]
    pub returnable: bool,
    pub window_days: Option<u32>,
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Restocking {
    /// Fee in basis points of the item price (1000 = 10 %).
    pub fee_bps: u32,
    pub reasons: Vec<ReturnReason>,
}

impl Restocking {
    /// The fee on `item_minor` returned for `reason`: the configured share for the
    /// listed reasons, never when the shop is at fault. `None` on overflow.
    pub fn fee(&self, item_minor: i64, reason: ReturnReason, seller_fault: bool) -> Option<i64> {
        if !self.applies(reason, seller_fault) {
            return Some(0);
        }
        share_half_up(item_minor, i64::from(self.fee_bps), 10_000)
    }

    /// Whether a return for `reason` pays a fee at all.
    pub fn applies(&self, reason: ReturnReason, seller_fault: bool) -> bool {
        !seller_fault && self.fee_bps > 0 && self.reasons.contains(&reason)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelRule {
    /// Whether the customer pays the label when the return is not the shop's fault.
    pub customer_pays_when_not_seller_fault: bool,
    /// Estimated label cost per currency, as decimal strings.
    pub estimated_cost: HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepItRule {
    pub enabled: bool,
    /// Keep-it when the label would cost at least this share of the refund (bps).
    pub label_share_bps: u32,
    /// Keep-it when the refund is at most this much, per currency.
    #[serde(default)]
    pub max_refund: HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualReviewRule {
    pub max_returns_90_days: u32,
    #[serde(default)]
    pub max_order_value: HashMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy: {key}: {problem}")]
pub struct PolicyError {
    pub key: String,
    pub problem: String,
}

/// A validated policy: every amount parsed for its currency, every country upper-case.
#[derive(Debug, Clone)]
pub struct Policy {
    file: PolicyFile,
    label_cost: HashMap<&'static str, Money>,
    keep_it_max: HashMap<&'static str, Money>,
    review_max_order: HashMap<&'static str, Money>,
    store_credit_bonus_max: HashMap<&'static str, Money>,
}

fn money_table(
    key: &str,
    table: &HashMap<String, String>,
) -> Result<HashMap<&'static str, Money>, PolicyError> {
    let mut out = HashMap::new();
    for (code, amount) in table {
        let problem = |e: super::money::MoneyError| PolicyError {
            key: format!("{key}.{code}"),
            problem: e.to_string(),
        };
        let currency = Currency::parse(code).map_err(problem)?;
        out.insert(
            currency.code(),
            Money::parse(amount, currency).map_err(problem)?,
        );
    }
    Ok(out)
}

impl Policy {
    /// What customers reading `lang` (a language code) call category `key`.
    pub fn category_name(&self, key: &str, lang: &str) -> String {
        self.file
            .categories
            .iter()
            .find(|c| c.category == key)
            .and_then(|c| c.names.get(lang))
            .cloned()
            .unwrap_or_else(|| key.replace('_', " "))
    }

    /// The name of statutory rule `id` (a jurisdiction) in `lang`; English without one.
    pub fn jurisdiction_name(&self, id: &str, lang: &str) -> Option<&str> {
        let j = self.file.jurisdictions.iter().find(|j| j.id == id)?;
        Some(j.names.get(lang).unwrap_or(&j.name))
    }

    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let mut file: PolicyFile = toml::from_str(text).map_err(|e| PolicyError {
            key: e.span().map_or_else(
                || "file".into(),
                |s| format!("at bytes {}..{}", s.start, s.end),
            ),
            problem: e.message().to_string(),
        })?;
        for j in &mut file.jurisdictions {
            for c in &mut j.countries {
                if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
                    return Err(PolicyError {
                        key: format!("jurisdictions.{}.countries", j.id),
                        problem: format!("{c:?} is not a two-letter country code"),
                    });
                }
                *c = c.to_ascii_uppercase();
            }
        }
        if file.restocking.fee_bps > 10_000 || file.keep_it.label_share_bps > 10_000 {
            return Err(PolicyError {
                key: "restocking.fee_bps / keep_it.label_share_bps".into(),
                problem: "a share cannot exceed 10000 basis points (100 %)".into(),
            });
        }
        if let Some((condition, _)) = file
            .inspection
            .deduction_bps
            .iter()
            .find(|(_, bps)| **bps > 10_000)
        {
            return Err(PolicyError {
                key: format!("inspection.deduction_bps.{condition}"),
                problem: "a deduction cannot exceed 10000 basis points (100 %)".into(),
            });
        }
        if file.resolutions.store_credit.bonus_percent > 100 {
            return Err(PolicyError {
                key: "resolutions.store_credit.bonus_percent".into(),
                problem: "a bonus is 0 to 100 percent of the credit".into(),
            });
        }
        Ok(Policy {
            store_credit_bonus_max: money_table(
                "resolutions.store_credit.bonus_max",
                &file.resolutions.store_credit.bonus_max,
            )?,
            label_cost: money_table("label.estimated_cost", &file.label.estimated_cost)?,
            keep_it_max: money_table("keep_it.max_refund", &file.keep_it.max_refund)?,
            review_max_order: money_table(
                "manual_review.max_order_value",
                &file.manual_review.max_order_value,
            )?,
            file,
        })
    }

    pub fn file(&self) -> &PolicyFile {
        &self.file
    }
}

/// What the policy needs to know about the order.
#[derive(Debug, Clone)]
pub struct OrderFacts {
    pub currency: Currency,
    /// ISO 3166 alpha-2 country the goods were delivered to.
    pub ship_country: String,
    pub total: Money,
}

/// One line the customer wants to return, with the order line's facts.
#[derive(Debug, Clone)]
pub struct RequestedLine {
    pub line_id: String,
    pub category: String,
    pub unit_price: Money,
    /// Tax for the whole order line.
    pub line_tax: Money,
    pub ordered_quantity: i64,
    /// Ordered minus what open or finished returns already hold.
    pub returnable_quantity: i64,
    /// When tracking saw the goods delivered; `None` when not (yet) known.
    pub delivered_at: Option<DateTime<Utc>>,
    pub quantity: i64,
    pub reason: ReturnReason,
    /// What is asked for instead, with an `exchange_variant` or `exchange_product`
    /// resolution.
    pub exchange: Option<ExchangeOffer>,
}

/// The variant a line is to be exchanged for, and what the catalogue says of it.
#[derive(Debug, Clone)]
pub struct ExchangeOffer {
    pub sku: String,
    pub ordered_sku: String,
    /// The product group the ordered line is a variant of.
    pub ordered_group: Option<String>,
    /// The catalogue's variant with that SKU, if it has one.
    pub variant: Option<OfferedVariant>,
}

#[derive(Debug, Clone)]
pub struct OfferedVariant {
    pub group: String,
    pub title: String,
    pub price: Money,
    /// How many the shop can still send.
    pub available: i64,
}

#[derive(Debug, Clone)]
pub struct ReturnRequest {
    pub order: OrderFacts,
    pub lines: Vec<RequestedLine>,
    pub resolution: Resolution,
    /// RMAs this customer opened in the last 90 days, this one not counted.
    pub customer_returns_90_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The return may go ahead now.
    Authorized,
    /// The return is allowed but a person must approve it first.
    ManualReview,
    /// The return is not allowed; the rules say why.
    Rejected,
}

impl Outcome {
    /// The code the API and the word tables use.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Authorized => "authorized",
            Outcome::ManualReview => "manual_review",
            Outcome::Rejected => "rejected",
        }
    }
}

/// One rule that shaped the decision, in words a customer can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppliedRule {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<String>,
    pub effect: String,
    /// The facts in `effect` (days, dates as YYYY-MM-DD, amounts with `currency`,
    /// reasons as codes), and `variant` where one rule has two wordings.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub params: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LineDecision {
    pub line_id: String,
    pub quantity: i64,
    pub reason: ReturnReason,
    pub eligible: bool,
    pub window_days: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_ends_at: Option<DateTime<Utc>>,
    pub item_amount: Money,
    pub tax_share: Money,
    pub restocking_fee: Money,
    pub refund: Money,
    /// With `exchange_product`: what the replacement is worth, tax included at this
    /// line's rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement_value: Option<Money>,
    /// With `exchange_product`: the replacement's unit price as quoted (before tax),
    /// which the inspection settles with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement_price: Option<Money>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub outcome: Outcome,
    pub resolution: Resolution,
    pub label: LabelPayer,
    pub currency: Currency,
    pub estimated_refund: Money,
    pub estimated_label_cost: Money,
    /// The label cost the customer bears (deducted from the refund).
    pub label_deduction: Money,
    pub restocking_fee: Money,
    pub photos_required: bool,
    pub lines: Vec<LineDecision>,
    pub rules: Vec<AppliedRule>,
    /// With `exchange_product`: the replacements against the items sent back, and who
    /// pays the difference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_difference: Option<PriceDifference>,
    /// With `store_credit`: the bonus on top of the credit, as the policy offers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_credit_bonus: Option<StoreCreditBonus>,
}

/// The parts of a decision stored as JSON with its RMA that are read back.
#[derive(Debug, Default, Deserialize)]
struct StoredDecision {
    #[serde(default)]
    rules: Vec<AppliedRule>,
    #[serde(default)]
    estimated_label_cost: Option<String>,
    #[serde(default)]
    lines: Vec<StoredLine>,
    #[serde(default)]
    store_credit_bonus: Option<StoredBonus>,
}

/// A stored decision's store-credit bonus terms; its cap in the RMA's currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct StoredBonus {
    pub percent: u32,
    #[serde(default)]
    pub max: Option<String>,
}

/// A line of a stored decision: its amounts as the currency's decimals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct StoredLine {
    pub line_id: String,
    pub quantity: i64,
    pub item_amount: String,
    pub tax_share: String,
    pub restocking_fee: String,
    pub refund: String,
    /// With `exchange_product`: the replacement's unit price as quoted.
    #[serde(default)]
    pub replacement_price: Option<String>,
}

fn stored(decision: &str) -> StoredDecision {
    serde_json::from_str(decision).unwrap_or_default()
}

/// The rules of a decision stored with its RMA; none if it cannot be read.
pub fn stored_rules(decision: &str) -> Vec<AppliedRule> {
    stored(decision).rules
}

/// The lines of a stored decision with their amounts; none if it cannot be read.
pub fn stored_lines(decision: &str) -> Vec<StoredLine> {
    stored(decision).lines
}

/// The store-credit bonus terms a stored decision promised, if any.
pub fn stored_bonus(decision: &str) -> Option<StoredBonus> {
    stored(decision).store_credit_bonus
}

/// The estimated label cost (the currency's decimals) a stored decision was made with.
pub fn stored_label_cost(decision: &str) -> Option<String> {
    stored(decision).estimated_label_cost
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("amounts overflow")]
    Overflow,
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

struct Rules(Vec<AppliedRule>);

impl Rules {
    /// Notes a rule with its effect in English and the facts in it, so a page can say
    /// the same in another language.
    fn add(&mut self, rule: &str, line_id: Option<&str>, effect: String, facts: &[(&str, String)]) {
        self.0.push(AppliedRule {
            rule: rule.to_string(),
            line_id: line_id.map(str::to_string),
            effect,
            params: facts
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
        });
    }
}

/// Whether a line's exchange can go ahead, and if so what the replacement and the
/// returned items are worth (tax included): the SKU named is in the catalogue, not the
/// one ordered, in stock, and — for `exchange_variant` — another variant of the ordered
/// product at the same price, or — for `exchange_product` — any product priced in the
/// order's currency. The rule that says so, or why not.
fn exchange_fits(
    line: &RequestedLine,
    currency: Currency,
    any_product: bool,
    rules: &mut Rules,
) -> Result<Option<(i64, i64, Money)>, DecisionError> {
    let id = Some(line.line_id.as_str());
    let Some(offer) = &line.exchange else {
        rules.add(
            "exchange_for_missing",
            id,
            "name what to exchange this item for".into(),
            &[],
        );
        return Ok(None);
    };
    let sku = ("sku", offer.sku.clone());
    let ordered = ("ordered", offer.ordered_sku.clone());
    if offer.sku == offer.ordered_sku {
        rules.add(
            "exchange_same_variant",
            id,
            format!("{} is the variant ordered", offer.sku),
            std::slice::from_ref(&sku),
        );
        return Ok(None);
    }
    let variant = match (&offer.variant, &offer.ordered_group) {
        (Some(v), _) if any_product => v,
        (Some(v), Some(group)) if v.group == *group => v,
        (None, _) if any_product => {
            rules.add(
                "exchange_not_in_catalog",
                id,
                format!("{} is not in the shop's catalogue", offer.sku),
                &[sku],
            );
            return Ok(None);
        }
        (_, None) => {
            rules.add(
                "exchange_not_offered",
                id,
                format!(
                    "{} has no other variants to exchange for",
                    offer.ordered_sku
                ),
                &[ordered],
            );
            return Ok(None);
        }
        _ => {
            rules.add(
                "exchange_not_a_variant",
                id,
                format!("{} is not a variant of {}", offer.sku, offer.ordered_sku),
                &[sku, ordered],
            );
            return Ok(None);
        }
    };
    if any_product && variant.price.currency() != currency {
        rules.add(
            "exchange_currency_differs",
            id,
            format!(
                "{} is priced in {}, the order was paid in {currency}",
                offer.sku,
                variant.price.currency()
            ),
            &[
                sku,
                ("currency", variant.price.currency().to_string()),
                ("order_currency", currency.to_string()),
            ],
        );
        return Ok(None);
    }
    if !any_product && variant.price != line.unit_price {
        rules.add(
            "exchange_price_differs",
            id,
            format!(
                "{} costs {} {}, the item returned {} {}: an exchange for another variant needs the same price",
                offer.sku,
                variant.price,
                variant.price.currency(),
                line.unit_price,
                line.unit_price.currency()
            ),
            &[
                sku,
                ("price", variant.price.to_string()),
                ("currency", variant.price.currency().to_string()),
                ("paid", line.unit_price.to_string()),
                ("paid_currency", line.unit_price.currency().to_string()),
            ],
        );
        return Ok(None);
    }
    if variant.available < line.quantity {
        rules.add(
            "exchange_out_of_stock",
            id,
            format!(
                "{} left of {}, {} asked for",
                variant.available.max(0),
                offer.sku,
                line.quantity
            ),
            &[
                sku,
                ("available", variant.available.max(0).to_string()),
                ("quantity", line.quantity.to_string()),
            ],
        );
        return Ok(None);
    }
    let returned = ReturnedLine {
        unit_price_minor: line.unit_price.minor(),
        line_tax_minor: line.line_tax.minor(),
        ordered_quantity: line.ordered_quantity,
    };
    let (replacement, back) =
        price_difference::values(returned, variant.price.minor(), line.quantity)
            .ok_or(DecisionError::Overflow)?;
    let mut facts = vec![
        sku,
        ("title", variant.title.clone()),
        ("quantity", line.quantity.to_string()),
    ];
    if any_product {
        let money = |minor: i64| Money::from_minor(minor, currency).to_string();
        facts.extend([
            ("value", money(replacement)),
            ("returned", money(back)),
            ("currency", currency.to_string()),
        ]);
        rules.add(
            "exchange_product",
            id,
            format!(
                "{} × {} ({}) instead: {} {currency} with tax, for {} {currency} sent back",
                line.quantity,
                variant.title,
                offer.sku,
                money(replacement),
                money(back)
            ),
            &facts,
        );
    } else {
        rules.add(
            "exchange_variant",
            id,
            format!(
                "{} × {} ({}) instead, at the same price: no money moves",
                line.quantity, variant.title, offer.sku
            ),
            &facts,
        );
    }
    Ok(Some((replacement, back, variant.price)))
}

/// Whether the quantity asked for is still the customer's to send; the rule when not.
fn quantity_fits(line: &RequestedLine, rules: &mut Rules) -> bool {
    if line.quantity <= line.returnable_quantity {
        return true;
    }
    rules.add(
        "returnable_quantity",
        Some(line.line_id.as_str()),
        format!(
            "only {} of {} can still be returned",
            line.returnable_quantity.max(0),
            line.ordered_quantity
        ),
        &[
            ("can", line.returnable_quantity.max(0).to_string()),
            ("ordered", line.ordered_quantity.to_string()),
        ],
    );
    false
}

/// The rule that says who pays the difference of an exchange for another product.
fn difference_rule(d: &PriceDifference, rules: &mut Rules) {
    let currency = d.replacement_value.currency();
    let (variant, effect, amount) = if d.customer_pays.minor() > 0 {
        (
            "customer_pays",
            format!(
                "the replacement costs more: the customer pays {} {currency}",
                d.customer_pays
            ),
            d.customer_pays,
        )
    } else if d.refunded.minor() > 0 {
        (
            "refunded",
            format!(
                "the replacement costs less: {} {currency} goes back to the original payment",
                d.refunded
            ),
            d.refunded,
        )
    } else {
        (
            "even",
            "the replacement is worth the same: no money moves".to_string(),
            d.refunded,
        )
    };
    rules.add(
        "price_difference",
        None,
        effect,
        &[
            ("variant", variant.to_string()),
            ("amount", amount.to_string()),
            ("currency", currency.to_string()),
        ],
    );
}

fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

impl Policy {
    /// Decides a return request at `now`. Pure: the same input gives the same decision.
    pub fn decide(
        &self,
        request: &ReturnRequest,
        now: DateTime<Utc>,
    ) -> Result<Decision, DecisionError> {
        let currency = request.order.currency;
        let money = |minor: i64| Money::from_minor(minor, currency);
        let mut rules = Rules(Vec::new());
        let mut lines = Vec::with_capacity(request.lines.len());
        let mut rejected = false;

        let exchange = request.resolution.names_replacements();
        // Any exchange, the same item's included, keeps the sale: no fee, the shop's label.
        let swap = request.resolution.ships_replacement();
        let repair = request.resolution == Resolution::Repair;
        let any_product = request.resolution == Resolution::ExchangeProduct;
        // What the replacements and the returned items are worth, over the lines that fit.
        let (mut replaced, mut returned) = (0i64, 0i64);
        for line in &request.lines {
            let (mut eligible, window_days, window_ends_at) = match repair {
                true => self.repair_fits(line, now, &mut rules),
                false => self.line_eligibility(line, &request.order, now, &mut rules),
            };
            let (mut replacement_value, mut replacement_price) = (None, None);
            let (item_minor, tax_minor, fee_minor, refund_minor) = if exchange {
                // The item is swapped, not bought back: no fee, nothing refunded.
                match exchange_fits(line, currency, any_product, &mut rules)? {
                    Some((value, back, price)) => {
                        replaced = replaced.checked_add(value).ok_or(DecisionError::Overflow)?;
                        returned = returned.checked_add(back).ok_or(DecisionError::Overflow)?;
                        if any_product {
                            replacement_value = Some(money(value));
                            replacement_price = Some(price);
                        }
                    }
                    None => eligible = false,
                }
                let (item, tax, _, _) =
                    self.line_amounts(line, currency, &mut Rules(Vec::new()))?;
                (item, tax, 0, 0)
            } else if repair || swap {
                // Repaired, or the same item sent again: nothing refunded, no fee.
                let (item, tax, _, _) =
                    self.line_amounts(line, currency, &mut Rules(Vec::new()))?;
                (item, tax, 0, 0)
            } else {
                self.line_amounts(line, currency, &mut rules)?
            };
            rejected |= !eligible;
            lines.push(LineDecision {
                line_id: line.line_id.clone(),
                quantity: line.quantity,
                reason: line.reason,
                eligible,
                window_days,
                window_ends_at,
                item_amount: money(item_minor),
                tax_share: money(tax_minor),
                restocking_fee: money(fee_minor),
                refund: money(refund_minor),
                replacement_value,
                replacement_price,
            });
        }
        let price_difference = (any_product && !rejected).then(|| {
            let difference = PriceDifference::of(currency, replaced, returned);
            difference_rule(&difference, &mut rules);
            difference
        });

        let lines_total = Money::sum(currency, lines.iter().map(|l| l.refund))
            .map_err(|_| DecisionError::Overflow)?;
        let restocking_fee = Money::sum(currency, lines.iter().map(|l| l.restocking_fee))
            .map_err(|_| DecisionError::Overflow)?;
        let label_cost = self.label_cost_of(currency, &mut rules);
        let label = if swap {
            rules.add(
                "exchange_label_free",
                None,
                "an exchange travels on the shop's label".into(),
                &[],
            );
            LabelPayer::Free
        } else if repair {
            rules.add(
                "repair_label_free",
                None,
                "a repair travels both ways on the shop's labels".into(),
                &[],
            );
            LabelPayer::Free
        } else {
            self.label_payer(request, lines_total, label_cost, &mut rules)
        };
        if request.resolution == Resolution::KeepIt && label != LabelPayer::KeepIt {
            rejected = true;
            rules.add(
                "keep_it_not_available",
                None,
                "keep-it is offered only when the shop would pay a label worth a large share of the item".into(),
                &[],
            );
        }

        let label_deduction = if label == LabelPayer::CustomerPays {
            label_cost
        } else {
            money(0)
        };
        let estimated_refund = match &price_difference {
            Some(d) => d.refunded,
            None => lines_total
                .saturating_sub_to_zero(label_deduction)
                .map_err(|_| DecisionError::Overflow)?,
        };
        let store_credit_bonus = match request.resolution {
            Resolution::StoreCredit if !rejected => {
                self.store_credit_bonus(estimated_refund, &mut rules)?
            }
            _ => None,
        };
        let photos_required = self.photos_required(request, &mut rules);
        let review = self.needs_review(request, &mut rules);

        let outcome = if rejected {
            Outcome::Rejected
        } else if review {
            Outcome::ManualReview
        } else {
            Outcome::Authorized
        };
        Ok(Decision {
            outcome,
            resolution: request.resolution,
            label,
            currency,
            estimated_refund,
            estimated_label_cost: label_cost,
            label_deduction,
            restocking_fee,
            photos_required,
            lines,
            rules: rules.0,
            price_difference,
            store_credit_bonus,
        })
    }

    /// The policy's bonus on a store credit of `credit`; none when the policy gives
    /// none or there is no credit.
    fn store_credit_bonus(
        &self,
        credit: Money,
        rules: &mut Rules,
    ) -> Result<Option<StoreCreditBonus>, DecisionError> {
        let percent = self.file.resolutions.store_credit.bonus_percent;
        if percent == 0 || credit.minor() <= 0 {
            return Ok(None);
        }
        let currency = credit.currency();
        let max = self.store_credit_bonus_max.get(currency.code()).copied();
        let bonus = StoreCreditBonus::on(credit, percent, max).ok_or(DecisionError::Overflow)?;
        let mut facts = vec![
            ("percent", percent.to_string()),
            ("bonus", bonus.amount.to_string()),
            ("credit", credit.to_string()),
            ("currency", currency.to_string()),
        ];
        let effect = match bonus.max.filter(|_| bonus.capped()) {
            Some(max) => {
                facts.push(("variant", "capped".into()));
                facts.push(("max", max.to_string()));
                format!(
                    "store credit of {credit} {currency} plus a bonus of {} {currency} ({percent} %, at most {max} {currency})",
                    bonus.amount
                )
            }
            None => format!(
                "store credit of {credit} {currency} plus a bonus of {} {currency} ({percent} %)",
                bonus.amount
            ),
        };
        rules.add("store_credit_bonus", None, effect, &facts);
        Ok(Some(bonus))
    }

    /// Whether a line may come in for a repair: the quantity is still the customer's, the
    /// item is defective or damaged, and its warranty (per category, from delivery) has
    /// not ended. Its warranty as the window.
    fn repair_fits(
        &self,
        line: &RequestedLine,
        now: DateTime<Utc>,
        rules: &mut Rules,
    ) -> (bool, u32, Option<DateTime<Utc>>) {
        let id = Some(line.line_id.as_str());
        let mut eligible = quantity_fits(line, rules);
        let days = self.file.repair.warranty_of(&line.category);
        if !matches!(line.reason, ReturnReason::Defective | ReturnReason::Damaged) {
            eligible = false;
            rules.add(
                "repair_reason",
                id,
                format!(
                    "a repair is for defective or damaged items, not \"{}\"",
                    line.reason
                ),
                &[("reason", line.reason.as_str().to_string())],
            );
        }
        let Some(delivered) = line.delivered_at else {
            rules.add(
                "repair_warranty_not_started",
                id,
                format!("delivery not yet confirmed; the {days}-day warranty starts at delivery"),
                &[("days", days.to_string())],
            );
            return (eligible, days, None);
        };
        let ends = delivered + Duration::days(i64::from(days));
        let facts = [
            ("days", days.to_string()),
            ("delivered", date(delivered)),
            ("ends", date(ends)),
        ];
        if now > ends {
            eligible = false;
            rules.add(
                "repair_out_of_warranty",
                id,
                format!(
                    "the {days}-day warranty from delivery on {} ended on {}",
                    date(delivered),
                    date(ends)
                ),
                &facts,
            );
        } else {
            rules.add(
                "repair_warranty",
                id,
                format!(
                    "under the {days}-day warranty until {}: repaired free of charge",
                    date(ends)
                ),
                &facts,
            );
        }
        (eligible, days, Some(ends))
    }

    /// Whether a line may come back at all (quantity still returnable, category,
    /// window), and its window.
    fn line_eligibility(
        &self,
        line: &RequestedLine,
        order: &OrderFacts,
        now: DateTime<Utc>,
        rules: &mut Rules,
    ) -> (bool, u32, Option<DateTime<Utc>>) {
        let id = Some(line.line_id.as_str());
        let mut eligible = quantity_fits(line, rules);
        let category = self
            .file
            .categories
            .iter()
            .find(|c| c.category == line.category);

        if let Some(c) = category.filter(|c| !c.returnable) {
            let why = c
                .note
                .clone()
                .unwrap_or_else(|| format!("{} cannot be returned", c.category));
            if line.reason.is_seller_fault() {
                rules.add(
                    "non_returnable_category.seller_fault",
                    id,
                    format!(
                        "{why}, but a {} item is the shop's responsibility",
                        line.reason
                    ),
                    &[
                        ("category", c.category.clone()),
                        ("reason", line.reason.as_str().to_string()),
                    ],
                );
            } else {
                eligible = false;
                rules.add(
                    "non_returnable_category",
                    id,
                    why,
                    &[("category", c.category.clone())],
                );
            }
        }

        let window_days = self.window_days(line, category, order, rules);
        let window_ends_at = line
            .delivered_at
            .map(|d| d + Duration::days(i64::from(window_days)));
        match (line.delivered_at, window_ends_at) {
            (Some(delivered), Some(ends)) if now > ends => {
                eligible = false;
                rules.add(
                    "window_closed",
                    id,
                    format!(
                        "the {window_days}-day return window from delivery on {} ended on {}",
                        date(delivered),
                        date(ends)
                    ),
                    &[
                        ("days", window_days.to_string()),
                        ("delivered", date(delivered)),
                        ("ends", date(ends)),
                    ],
                );
            }
            (Some(delivered), Some(ends)) => rules.add(
                "window_open",
                id,
                format!(
                    "returnable until {} ({window_days} days from delivery on {})",
                    date(ends),
                    date(delivered)
                ),
                &[
                    ("days", window_days.to_string()),
                    ("delivered", date(delivered)),
                    ("ends", date(ends)),
                ],
            ),
            _ => rules.add(
                "window_not_started",
                id,
                format!("delivery not yet confirmed by tracking; the {window_days}-day window starts at delivery"),
                &[("days", window_days.to_string())],
            ),
        }

        (eligible, window_days, window_ends_at)
    }

    /// What a line is worth and what is kept of it: (item, tax share, restocking fee,
    /// refund) in minor units.
    fn line_amounts(
        &self,
        line: &RequestedLine,
        currency: Currency,
        rules: &mut Rules,
    ) -> Result<(i64, i64, i64, i64), DecisionError> {
        let id = Some(line.line_id.as_str());
        let money = |minor: i64| Money::from_minor(minor, currency);
        let LineValue {
            item: item_minor,
            tax: tax_minor,
        } = line_value(
            line.unit_price.minor(),
            line.line_tax.minor(),
            line.quantity,
            line.ordered_quantity,
        )
        .ok_or(DecisionError::Overflow)?;
        let restocking = &self.file.restocking;
        let seller_fault = line.reason.is_seller_fault();
        let fee_minor = if restocking.applies(line.reason, seller_fault) {
            let fee = restocking
                .fee(item_minor, line.reason, seller_fault)
                .ok_or(DecisionError::Overflow)?;
            rules.add(
                "restocking_fee",
                id,
                format!(
                    "{} % restocking fee for \"{}\": {} {}",
                    f64::from(self.file.restocking.fee_bps) / 100.0,
                    line.reason,
                    money(fee),
                    currency
                ),
                &[
                    (
                        "percent",
                        (f64::from(self.file.restocking.fee_bps) / 100.0).to_string(),
                    ),
                    ("reason", line.reason.as_str().to_string()),
                    ("fee", money(fee).to_string()),
                    ("currency", currency.to_string()),
                ],
            );
            fee
        } else {
            if line.reason.is_seller_fault() {
                rules.add(
                    "seller_fault",
                    id,
                    format!(
                        "\"{}\" is the shop's fault: free label, no restocking fee",
                        line.reason
                    ),
                    &[("reason", line.reason.as_str().to_string())],
                );
            }
            0
        };
        let refund_minor = item_minor
            .checked_add(tax_minor)
            .ok_or(DecisionError::Overflow)?
            .saturating_sub(fee_minor)
            .max(0);

        Ok((item_minor, tax_minor, fee_minor, refund_minor))
    }

    /// The estimated label cost in `currency` (zero, with a rule saying so, if none).
    fn label_cost_of(&self, currency: Currency, rules: &mut Rules) -> Money {
        match self.label_cost.get(currency.code()) {
            Some(cost) => *cost,
            None => {
                rules.add(
                    "label_cost_unknown",
                    None,
                    format!("no label cost estimate for {currency}; counted as zero"),
                    &[("currency", currency.to_string())],
                );
                Money::zero(currency)
            }
        }
    }

    /// Who pays the label: the shop (the shop's fault, or the policy says so), the
    /// customer (deducted), or nobody, because the customer keeps the item.
    fn label_payer(
        &self,
        request: &ReturnRequest,
        lines_total: Money,
        label_cost: Money,
        rules: &mut Rules,
    ) -> LabelPayer {
        let currency = request.order.currency;
        let any_seller_fault = request.lines.iter().any(|l| l.reason.is_seller_fault());
        let mut label = if any_seller_fault || !self.file.label.customer_pays_when_not_seller_fault
        {
            rules.add(
                "label_free",
                None,
                "the shop pays the return label".into(),
                &[],
            );
            LabelPayer::Free
        } else {
            rules.add(
                "label_customer_pays",
                None,
                format!("the return label ({label_cost} {currency}) is deducted from the refund"),
                &[
                    ("cost", label_cost.to_string()),
                    ("currency", currency.to_string()),
                ],
            );
            LabelPayer::CustomerPays
        };

        if label == LabelPayer::Free && self.file.keep_it.enabled {
            let share_too_high = lines_total.minor() > 0
                && i128::from(label_cost.minor()) * 10_000
                    >= i128::from(lines_total.minor())
                        * i128::from(self.file.keep_it.label_share_bps);
            let small_refund = self
                .keep_it_max
                .get(currency.code())
                .is_some_and(|max| lines_total.minor() <= max.minor());
            if share_too_high || small_refund {
                label = LabelPayer::KeepIt;
                let (why, mut facts) = if share_too_high {
                    let percent = self.file.keep_it.label_share_bps / 100;
                    (
                        format!(
                            "shipping it back ({label_cost} {currency}) would cost at least {percent} % of its value",
                        ),
                        vec![
                            ("variant", "share".to_string()),
                            ("cost", label_cost.to_string()),
                            ("percent", percent.to_string()),
                        ],
                    )
                } else {
                    (
                        format!(
                            "a refund of {lines_total} {currency} is below the keep-it threshold"
                        ),
                        vec![
                            ("variant", "small".to_string()),
                            ("refund", lines_total.to_string()),
                        ],
                    )
                };
                facts.push(("currency", currency.to_string()));
                rules.add("keep_it", None, format!("keep the item: {why}"), &facts);
            }
        }
        label
    }

    /// Whether photos must come with the return.
    fn photos_required(&self, request: &ReturnRequest, rules: &mut Rules) -> bool {
        let photos_required = request
            .lines
            .iter()
            .any(|l| self.file.photos_required_for.contains(&l.reason));
        if photos_required {
            rules.add(
                "photos_required",
                None,
                "photos of the damage or defect are needed as evidence".into(),
                &[],
            );
        }

        photos_required
    }

    /// Whether a person reviews the return first: too many returns, or a large order.
    fn needs_review(&self, request: &ReturnRequest, rules: &mut Rules) -> bool {
        let currency = request.order.currency;
        let mut review = false;
        let limit = self.file.manual_review.max_returns_90_days;
        if request.customer_returns_90_days >= limit {
            review = true;
            rules.add(
                "manual_review.returns_limit",
                None,
                format!(
                    "the customer opened {} returns in 90 days (limit {limit}); a person reviews this one",
                    request.customer_returns_90_days
                ),
                &[
                    ("count", request.customer_returns_90_days.to_string()),
                    ("limit", limit.to_string()),
                ],
            );
        }
        if let Some(max) = self.review_max_order.get(currency.code()) {
            if request.order.total.minor() > max.minor() {
                review = true;
                rules.add(
                    "manual_review.order_value",
                    None,
                    format!(
                        "orders over {max} {currency} are reviewed by a person (this one: {})",
                        request.order.total
                    ),
                    &[
                        ("max", max.to_string()),
                        ("total", request.order.total.to_string()),
                        ("currency", currency.to_string()),
                    ],
                );
            }
        }

        review
    }

    /// The line's window in days, noting each rule that set or extended it.
    fn window_days(
        &self,
        line: &RequestedLine,
        category: Option<&CategoryRule>,
        order: &OrderFacts,
        rules: &mut Rules,
    ) -> u32 {
        let id = Some(line.line_id.as_str());
        let (mut days, source, mut facts) = match category.and_then(|c| c.window_days) {
            Some(d) => (
                d,
                format!("{}-day window for {}", d, line.category),
                vec![
                    ("variant", "category".to_string()),
                    ("category", line.category.clone()),
                ],
            ),
            None => (
                self.file.shop_window_days,
                format!("{}-day shop return window", self.file.shop_window_days),
                Vec::new(),
            ),
        };
        facts.push(("days", days.to_string()));
        rules.add("shop_window", id, source, &facts);
        let country = order.ship_country.to_ascii_uppercase();
        for j in self
            .file
            .jurisdictions
            .iter()
            .filter(|j| j.countries.contains(&country))
        {
            if j.days > days {
                days = j.days;
                rules.add(
                    &format!("statutory.{}", j.id),
                    id,
                    format!("{} gives {} days", j.name, j.days),
                    &[("name", j.name.clone()), ("days", j.days.to_string())],
                );
            } else {
                rules.add(
                    &format!("statutory.{}", j.id),
                    id,
                    format!(
                        "{} ({} days) is covered by the longer window",
                        j.name, j.days
                    ),
                    &[
                        ("variant", "covered".to_string()),
                        ("name", j.name.clone()),
                        ("days", j.days.to_string()),
                    ],
                );
            }
        }
        if line.reason.is_seller_fault() && self.file.seller_fault_window_days > days {
            days = self.file.seller_fault_window_days;
            rules.add(
                "seller_fault_window",
                id,
                format!(
                    "window extended to {days} days because the item is {}",
                    line.reason
                ),
                &[
                    ("days", days.to_string()),
                    ("reason", line.reason.as_str().to_string()),
                ],
            );
        }
        days
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const POLICY: &str = include_str!("../../config/policy.toml");

    fn policy() -> Policy {
        Policy::from_toml(POLICY).expect("the shipped policy is valid")
    }

    fn eur() -> Currency {
        Currency::parse("EUR").expect("EUR")
    }

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0)
            .single()
            .expect("valid date")
    }

    fn line(reason: ReturnReason, category: &str, price: i64) -> RequestedLine {
        RequestedLine {
            line_id: "1".into(),
            category: category.into(),
            unit_price: Money::from_minor(price, eur()),
            line_tax: Money::from_minor(price / 5, eur()),
            ordered_quantity: 1,
            returnable_quantity: 1,
            delivered_at: Some(at(1)),
            quantity: 1,
            reason,
            exchange: None,
        }
    }

    fn request(country: &str, line: RequestedLine) -> ReturnRequest {
        ReturnRequest {
            order: OrderFacts {
                currency: eur(),
                ship_country: country.into(),
                total: Money::from_minor(line.unit_price.minor(), eur()),
            },
            lines: vec![line],
            resolution: Resolution::Refund,
            customer_returns_90_days: 0,
        }
    }

    fn has_rule(d: &Decision, rule: &str) -> bool {
        d.rules.iter().any(|r| r.rule == rule)
    }

    /// (case, country, reason, category, price, now, outcome, label, refund, rule that decided)
    #[test]
    #[allow(clippy::type_complexity)]
    fn decisions_table() {
        use LabelPayer as L;
        use Outcome as O;
        use ReturnReason as R;
        let table: &[(&str, &str, R, &str, i64, u32, O, L, i64, &str)] = &[
            (
                "changed mind in window, customer pays label, 10% fee",
                "DE",
                R::ChangedMind,
                "apparel",
                5000,
                10,
                O::Authorized,
                L::CustomerPays,
                5000 + 1000 - 500 - 595,
                "restocking_fee",
            ),
            (
                "size issue: no fee, label still customer's",
                "DE",
                R::SizeTooSmall,
                "apparel",
                5000,
                10,
                O::Authorized,
                L::CustomerPays,
                6000 - 595,
                "label_customer_pays",
            ),
            (
                "defective: free label, no fee",
                "DE",
                R::Defective,
                "apparel",
                5000,
                10,
                O::Authorized,
                L::Free,
                6000,
                "seller_fault",
            ),
            (
                "changed mind on day 28 of the 30-day shop window",
                "DE",
                R::ChangedMind,
                "apparel",
                5000,
                29,
                O::Authorized,
                L::CustomerPays,
                4905,
                "window_open",
            ),
            (
                "defective long after delivery: seller-fault window",
                "FR",
                R::Defective,
                "apparel",
                5000,
                30,
                O::Authorized,
                L::Free,
                6000,
                "seller_fault_window",
            ),
            (
                "perishables cannot be returned for changed mind",
                "DE",
                R::ChangedMind,
                "perishables",
                5000,
                2,
                O::Rejected,
                L::CustomerPays,
                4905,
                "non_returnable_category",
            ),
            (
                "damaged perishables are the shop's problem",
                "DE",
                R::Damaged,
                "perishables",
                5000,
                2,
                O::Authorized,
                L::Free,
                6000,
                "non_returnable_category.seller_fault",
            ),
            (
                "cheap damaged item: keep it",
                "DE",
                R::Damaged,
                "apparel",
                500,
                5,
                O::Authorized,
                L::KeepIt,
                600,
                "keep_it",
            ),
            (
                "electronics have 14 days, EU law gives 14",
                "DE",
                R::ChangedMind,
                "electronics",
                5000,
                20,
                O::Rejected,
                L::CustomerPays,
                4905,
                "window_closed",
            ),
            (
                "electronics in CN: 14 days covers the 7-day rule",
                "CN",
                R::NoLongerNeeded,
                "electronics",
                5000,
                10,
                O::Authorized,
                L::CustomerPays,
                4905,
                "statutory.cn_7_day",
            ),
        ];
        for &(case, country, reason, category, price, day, outcome, label, refund, rule) in table {
            let d = policy()
                .decide(&request(country, line(reason, category, price)), at(day))
                .expect(case);
            assert_eq!(d.outcome, outcome, "{case}: {:#?}", d.rules);
            assert_eq!(d.label, label, "{case}: {:#?}", d.rules);
            assert_eq!(d.estimated_refund.minor(), refund, "{case}: {:#?}", d.rules);
            assert!(
                has_rule(&d, rule),
                "{case}: expected rule {rule} in {:#?}",
                d.rules
            );
        }
    }

    #[test]
    fn window_closes_after_the_longest_applicable_window() {
        let p = policy();
        let shop = p.file().shop_window_days;
        let open = p
            .decide(
                &request("DE", line(ReturnReason::ChangedMind, "apparel", 5000)),
                at(1) + Duration::days(i64::from(shop)),
            )
            .expect("decide");
        assert_eq!(open.outcome, Outcome::Authorized);
        let closed = p
            .decide(
                &request("DE", line(ReturnReason::ChangedMind, "apparel", 5000)),
                at(1) + Duration::days(i64::from(shop) + 1),
            )
            .expect("decide");
        assert_eq!(closed.outcome, Outcome::Rejected);
        assert!(has_rule(&closed, "window_closed"));
    }

    #[test]
    fn undelivered_orders_have_not_started_their_window() {
        let mut l = line(ReturnReason::ChangedMind, "apparel", 5000);
        l.delivered_at = None;
        let d = policy().decide(&request("US", l), at(28)).expect("decide");
        assert_eq!(d.outcome, Outcome::Authorized);
        assert!(has_rule(&d, "window_not_started"));
    }

    #[test]
    fn quantity_beyond_returnable_is_rejected() {
        let mut l = line(ReturnReason::Defective, "apparel", 5000);
        l.ordered_quantity = 3;
        l.returnable_quantity = 1;
        l.quantity = 2;
        let d = policy().decide(&request("DE", l), at(3)).expect("decide");
        assert_eq!(d.outcome, Outcome::Rejected);
        assert!(d
            .rules
            .iter()
            .any(|r| r.rule == "returnable_quantity" && r.effect.contains("only 1 of 3")));
    }

    #[test]
    fn tax_share_is_proportional_and_rounded_half_up() {
        let mut l = line(ReturnReason::Defective, "apparel", 1000);
        l.ordered_quantity = 3;
        l.returnable_quantity = 3;
        l.line_tax = Money::from_minor(100, eur());
        l.quantity = 2;
        let d = policy().decide(&request("DE", l), at(3)).expect("decide");
        assert_eq!(d.lines[0].tax_share.minor(), 67);
        assert_eq!(d.lines[0].refund.minor(), 2067);
    }

    #[test]
    fn frequent_returners_and_big_orders_go_to_manual_review() {
        let p = policy();
        let mut r = request("DE", line(ReturnReason::Defective, "apparel", 5000));
        r.customer_returns_90_days = p.file().manual_review.max_returns_90_days;
        let d = p.decide(&r, at(3)).expect("decide");
        assert_eq!(d.outcome, Outcome::ManualReview);
        assert!(has_rule(&d, "manual_review.returns_limit"));

        let mut big = request("DE", line(ReturnReason::Defective, "apparel", 5000));
        big.order.total = Money::from_minor(10_000_000, eur());
        let d = p.decide(&big, at(3)).expect("decide");
        assert_eq!(d.outcome, Outcome::ManualReview);
        assert!(has_rule(&d, "manual_review.order_value"));
    }

    #[test]
    fn keep_it_asked_for_but_not_offered_is_rejected() {
        let mut r = request("DE", line(ReturnReason::ChangedMind, "apparel", 5000));
        r.resolution = Resolution::KeepIt;
        let d = policy().decide(&r, at(3)).expect("decide");
        assert_eq!(d.outcome, Outcome::Rejected);
        assert!(has_rule(&d, "keep_it_not_available"));
    }

    #[test]
    fn damage_claims_need_photos() {
        let d = policy()
            .decide(
                &request("DE", line(ReturnReason::Damaged, "apparel", 5000)),
                at(3),
            )
            .expect("decide");
        assert!(d.photos_required);
        let d = policy()
            .decide(
                &request("DE", line(ReturnReason::SizeTooLarge, "apparel", 5000)),
                at(3),
            )
            .expect("decide");
        assert!(!d.photos_required);
    }

    #[test]
    fn exchanges_for_another_variant() {
        let offer = |sku: &str, group: Option<&str>, variant: Option<(&str, i64, i64)>| {
            Some(ExchangeOffer {
                sku: sku.into(),
                ordered_sku: "TSH-L".into(),
                ordered_group: group.map(str::to_string),
                variant: variant.map(|(group, price, available)| OfferedVariant {
                    group: group.into(),
                    title: "T-shirt M".into(),
                    price: Money::from_minor(price, eur()),
                    available,
                }),
            })
        };
        // (offer, rule, authorized)
        let cases = [
            (
                offer("TSH-M", Some("tsh"), Some(("tsh", 1990, 3))),
                "exchange_variant",
                true,
            ),
            (None, "exchange_for_missing", false),
            (
                offer("TSH-M", None, Some(("tsh", 1990, 3))),
                "exchange_not_offered",
                false,
            ),
            (
                offer("MUG", Some("tsh"), Some(("mug", 1990, 3))),
                "exchange_not_a_variant",
                false,
            ),
            (
                offer("GONE", Some("tsh"), None),
                "exchange_not_a_variant",
                false,
            ),
            (
                offer("TSH-L", Some("tsh"), Some(("tsh", 1990, 3))),
                "exchange_same_variant",
                false,
            ),
            (
                offer("TSH-M", Some("tsh"), Some(("tsh", 2490, 3))),
                "exchange_price_differs",
                false,
            ),
            (
                offer("TSH-M", Some("tsh"), Some(("tsh", 1990, 0))),
                "exchange_out_of_stock",
                false,
            ),
        ];
        for (exchange, rule, authorized) in cases {
            let mut l = line(ReturnReason::SizeTooLarge, "apparel", 1990);
            l.exchange = exchange;
            let mut r = request("DE", l);
            r.resolution = Resolution::ExchangeVariant;
            let d = policy().decide(&r, at(5)).expect("decides");
            assert!(has_rule(&d, rule), "{rule}: {:?}", d.rules);
            assert_eq!(d.outcome == Outcome::Authorized, authorized, "{rule}");
            // No money moves either way: nothing refunded, no fee, the shop's label.
            assert_eq!(d.estimated_refund.minor(), 0, "{rule}");
            assert_eq!(d.restocking_fee.minor(), 0, "{rule}");
            assert_eq!(d.label, LabelPayer::Free, "{rule}");
            assert!(!has_rule(&d, "restocking_fee"), "{rule}");
        }
    }

    /// Another product of the catalogue: the difference either way, tax at the returned
    /// line's rate (20 % in `line`), or the rule that refuses it.
    #[test]
    #[allow(clippy::type_complexity)]
    fn exchanges_for_another_product() {
        let usd = Currency::parse("USD").expect("USD");
        let offer = |sku: &str, variant: Option<(i64, Currency, i64)>| {
            Some(ExchangeOffer {
                sku: sku.into(),
                ordered_sku: "TSH-L".into(),
                ordered_group: Some("tsh".into()),
                variant: variant.map(|(price, currency, available)| OfferedVariant {
                    group: "other".into(),
                    title: "Other".into(),
                    price: Money::from_minor(price, currency),
                    available,
                }),
            })
        };
        // (offer, rule, authorized, customer pays, refunded)
        let cases = [
            (
                offer("JKT", Some((2990, eur(), 1))),
                "exchange_product",
                true,
                1200,
                0,
            ),
            (
                offer("SCK", Some((990, eur(), 1))),
                "exchange_product",
                true,
                0,
                1200,
            ),
            (
                offer("TSH-M", Some((1990, eur(), 1))),
                "exchange_product",
                true,
                0,
                0,
            ),
            (
                offer("CAP", Some((1990, usd, 1))),
                "exchange_currency_differs",
                false,
                0,
                0,
            ),
            (offer("GONE", None), "exchange_not_in_catalog", false, 0, 0),
            (offer("TSH-L", None), "exchange_same_variant", false, 0, 0),
            (
                offer("JKT", Some((2990, eur(), 0))),
                "exchange_out_of_stock",
                false,
                0,
                0,
            ),
            (None, "exchange_for_missing", false, 0, 0),
        ];
        for (exchange, rule, authorized, pays, refunded) in cases {
            let mut l = line(ReturnReason::ChangedMind, "apparel", 1990);
            l.exchange = exchange;
            let mut r = request("DE", l);
            r.resolution = Resolution::ExchangeProduct;
            let d = policy().decide(&r, at(5)).expect("decides");
            assert!(has_rule(&d, rule), "{rule}: {:?}", d.rules);
            assert_eq!(d.outcome == Outcome::Authorized, authorized, "{rule}");
            assert_eq!(d.restocking_fee.minor(), 0, "{rule}");
            assert_eq!(d.label, LabelPayer::Free, "{rule}");
            match &d.price_difference {
                Some(p) => {
                    assert!(authorized, "{rule}");
                    assert_eq!(p.customer_pays.minor(), pays, "{rule}");
                    assert_eq!(p.refunded.minor(), refunded, "{rule}");
                    assert_eq!(d.estimated_refund.minor(), refunded, "{rule}");
                    assert!(has_rule(&d, "price_difference"), "{rule}");
                }
                None => assert!(
                    !authorized,
                    "{rule}: a refused exchange names no difference"
                ),
            }
        }
    }

    /// Store credit's bonus: the shipped policy's 10 %, at most 25.00 EUR; none for a
    /// refund; none when the policy gives none.
    #[test]
    fn store_credit_carries_the_policys_bonus() {
        // (resolution, price, bonus, capped)
        let cases = [
            (Resolution::StoreCredit, 5000, Some(600), false),
            (Resolution::StoreCredit, 50000, Some(2500), true),
            (Resolution::Refund, 5000, None, false),
        ];
        for (resolution, price, bonus, capped) in cases {
            // Defective: the shop's fault, no fee, no label to pay; 20 % tax on top.
            let mut r = request("DE", line(ReturnReason::Defective, "apparel", price));
            r.resolution = resolution;
            let d = policy().decide(&r, at(5)).expect("decides");
            assert_eq!(
                d.store_credit_bonus.map(|b| b.amount.minor()),
                bonus,
                "{price}"
            );
            let rule = d.rules.iter().find(|r| r.rule == "store_credit_bonus");
            assert_eq!(rule.is_some(), bonus.is_some(), "{price}");
            let variant = rule
                .and_then(|r| r.params.get("variant"))
                .map(String::as_str);
            assert_eq!(variant == Some("capped"), capped, "{price}");
        }
        let none = POLICY.replace("bonus_percent = 10", "bonus_percent = 0");
        let mut r = request("DE", line(ReturnReason::Defective, "apparel", 5000));
        r.resolution = Resolution::StoreCredit;
        let d = Policy::from_toml(&none)
            .expect("valid")
            .decide(&r, at(5))
            .expect("decides");
        assert!(d.store_credit_bonus.is_none());
        let bad = POLICY.replace("bonus_percent = 10", "bonus_percent = 150");
        let err = Policy::from_toml(&bad).expect_err("over 100 %");
        assert!(err.to_string().contains("bonus_percent"), "{err}");
    }

    #[test]
    fn a_refund_is_never_negative() {
        let d = policy()
            .decide(
                &request("DE", line(ReturnReason::ChangedMind, "apparel", 100)),
                at(3),
            )
            .expect("decide");
        assert_eq!(d.estimated_refund.minor(), 0);
    }

    #[test]
    fn bad_policies_name_the_key() {
        let bad = POLICY.replace("fee_bps = 1000", "fee_bps = 20000");
        let err = Policy::from_toml(&bad).expect_err("too big");
        assert!(err.to_string().contains("fee_bps"), "{err}");
        let bad = POLICY.replace("EUR = \"5.95\"", "EUR = \"5.955\"");
        let err = Policy::from_toml(&bad).expect_err("too precise");
        assert!(
            err.to_string().contains("label.estimated_cost.EUR"),
            "{err}"
        );
    }
}
