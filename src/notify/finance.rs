//! The email that tells finance to pay a refund: one per refund trigger. Its
//! Message-ID is made from the trigger id and the id travels in a header and in the
//! body as the idempotency key, so a resend after a crash is the same message and
//! finance systems can drop the duplicate.

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use crate::db::orders::{self, OrderRecord};
use crate::db::refunds::{self, InspectionRow, TriggerRow};
use crate::db::rmas::{self, RmaRow};
use crate::db::DbConnection;
use crate::domain::display::time as ts;
use crate::domain::RefundMethod;
use crate::error::AppError;
use crate::refunds::{Calculation, IncidentRefund};

/// Everything the email says, read in one go.
pub struct RefundEmail {
    pub trigger: TriggerRow,
    pub order: OrderRecord,
    pub rma: Option<RmaRow>,
    pub inspection: Option<InspectionRow>,
}

pub fn load(c: &mut DbConnection, trigger_id: &str) -> Result<Option<RefundEmail>, AppError> {
    let Some(trigger) = refunds::trigger(c, trigger_id)? else {
        return Ok(None);
    };
    let order = orders::load_by_id(c, &trigger.order_id)?;
    let rma = match &trigger.rma_id {
        Some(id) => rmas::find_by_id(c, id)?,
        None => None,
    };
    let inspection = match &trigger.rma_id {
        Some(id) => refunds::inspection(c, id)?,
        None => None,
    };
    Ok(Some(RefundEmail {
        trigger,
        order,
        rma,
        inspection,
    }))
}

/// `X-Backhaul-Refund-Trigger`: the trigger id, for filters and deduplication.
#[derive(Clone)]
struct TriggerHeader(String);

impl Header for TriggerHeader {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Backhaul-Refund-Trigger")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(TriggerHeader(s.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// One row of the calculation, as the email and its CSV show it.
struct Row {
    line_id: String,
    sku: String,
    title: String,
    quantity: String,
    item: String,
    tax: String,
    restocking: String,
    deduction: String,
    refund: String,
    /// An exchange for another product: what ships instead, and its worth with tax.
    replacement_sku: String,
    replacement_value: String,
}

/// The SKU and title of order line `line_id`; empty if the order has no such line.
fn ordered(e: &RefundEmail, line_id: &str) -> (String, String) {
    e.order
        .lines
        .iter()
        .find(|o| o.line_id == line_id)
        .map(|o| (o.sku.clone(), o.title.clone()))
        .unwrap_or_default()
}

fn rows(e: &RefundEmail, calc: Option<&Calculation>) -> Vec<Row> {
    match calc {
        // An incident refund: one row for the parcel.
        Some(Calculation::Incident(i)) => vec![Row {
            line_id: String::new(),
            sku: String::new(),
            title: format!("{} parcel {}", i.incident, i.parcel),
            quantity: String::new(),
            item: i.parcel_value.clone(),
            tax: String::new(),
            restocking: String::new(),
            deduction: String::new(),
            refund: i.total.clone(),
            replacement_sku: String::new(),
            replacement_value: String::new(),
        }],
        // An exchange for another product: per line what came back (with tax) and
        // what ships instead; no refund per line, the difference is the total.
        Some(Calculation::Inspection(inspected)) if inspected.exchange.is_some() => inspected
            .exchange
            .iter()
            .flat_map(|x| &x.lines)
            .map(|l| {
                let (sku, title) = ordered(e, &l.line_id);
                Row {
                    sku,
                    title,
                    quantity: l.quantity.to_string(),
                    item: l.returned_value.clone(),
                    tax: String::new(),
                    restocking: String::new(),
                    deduction: String::new(),
                    refund: String::new(),
                    line_id: l.line_id.clone(),
                    replacement_sku: l.replacement_sku.clone(),
                    replacement_value: l.replacement_value.clone(),
                }
            })
            .collect(),
        Some(Calculation::Inspection(inspected)) => inspected
            .lines
            .iter()
            .map(|l| {
                let (sku, title) = ordered(e, &l.line_id);
                Row {
                    sku,
                    title,
                    quantity: format!("{} of {}", l.accepted_quantity, l.expected_quantity),
                    item: l.item_amount.clone(),
                    tax: l.tax_share.clone(),
                    restocking: l.restocking_fee.clone(),
                    deduction: l.condition_deduction.clone(),
                    refund: l.refund.clone(),
                    line_id: l.line_id.clone(),
                    replacement_sku: String::new(),
                    replacement_value: String::new(),
                }
            })
            .collect(),
        // Kept by the customer: the decision's lines, nothing inspected.
        Some(Calculation::KeepIt(kept)) => kept
            .lines
            .iter()
            .map(|l| {
                let (sku, title) = ordered(e, &l.line_id);
                Row {
                    sku,
                    title,
                    quantity: match kept.source.as_str() {
                        "unrepairable" => format!("{} unrepairable", l.quantity),
                        _ => format!("{} kept", l.quantity),
                    },
                    item: l.item_amount.clone(),
                    tax: l.tax_share.clone(),
                    restocking: l.restocking_fee.clone(),
                    deduction: String::new(),
                    refund: l.refund.clone(),
                    line_id: l.line_id.clone(),
                    replacement_sku: String::new(),
                    replacement_value: String::new(),
                }
            })
            .collect(),
        None => Vec::new(),
    }
}

/// The table of the email's lines, its heads and cells, for the plain and the HTML part
/// alike: a refund's steps per line, or an exchange's two sides.
fn table(rows: &[Row], exchange: bool) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let mut heads = vec!["Line", "SKU", "Title", "Quantity"];
    heads.extend(match exchange {
        true => &[
            "Returned (with tax)",
            "Replacement",
            "Replacement (with tax)",
        ][..],
        false => &["Item", "Tax", "Restocking", "Condition", "Refund"][..],
    });
    let cells = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                r.line_id.clone(),
                r.sku.clone(),
                r.title.clone(),
                r.quantity.clone(),
            ];
            cells.extend(match exchange {
                true => vec![
                    r.item.clone(),
                    r.replacement_sku.clone(),
                    r.replacement_value.clone(),
                ],
                false => vec![
                    r.item.clone(),
                    r.tax.clone(),
                    format!("-{}", r.restocking),
                    format!("-{}", r.deduction),
                    r.refund.clone(),
                ],
            });
            cells
        })
        .collect();
    (heads, cells)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn csv(e: &RefundEmail, rows: &[Row]) -> Result<Vec<u8>, String> {
    use crate::domain::spreadsheet::safe_cell;
    let t = &e.trigger;
    let rma = e.rma.as_ref().map(|r| r.number.as_str()).unwrap_or("");
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "refund_trigger_id",
        "order_number",
        "rma_number",
        "line_id",
        "sku",
        "title",
        "quantity",
        "item_amount",
        "tax_share",
        "restocking_fee",
        "condition_deduction",
        "refund",
        "currency",
        "method",
        "replacement_sku",
        "replacement_value",
        "bonus",
        "resolution",
        "action",
    ];
    w.write_record(header).map_err(|e| e.to_string())?;
    let bonus = match t.bonus_minor {
        0 => String::new(),
        b => crate::domain::display::amount(b, &t.currency),
    };
    let resolution = e.rma.as_ref().map_or("", |r| r.resolution.as_str());
    let action = crate::refunds::action(t);
    for r in rows {
        let cells = [
            t.id.as_str(),
            e.order.order.order_number.as_str(),
            rma,
            &r.line_id,
            &r.sku,
            &r.title,
            &r.quantity,
            &r.item,
            &r.tax,
            &r.restocking,
            &r.deduction,
            &r.refund,
            &t.currency,
            &t.method,
            &r.replacement_sku,
            &r.replacement_value,
            // The bonus is the trigger's, not a line's: on the total row only.
            "",
            resolution,
            action,
        ];
        w.write_record(cells.map(safe_cell))
            .map_err(|e| e.to_string())?;
    }
    let total = crate::domain::display::amount(t.amount_minor, &t.currency);
    let total_row = [
        t.id.as_str(),
        e.order.order.order_number.as_str(),
        rma,
        "total",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        &total,
        &t.currency,
        &t.method,
        "",
        "",
        &bonus,
        resolution,
        action,
    ];
    w.write_record(total_row.map(safe_cell))
        .map_err(|e| e.to_string())?;
    w.into_inner().map_err(|e| e.to_string())
}

/// Where finance sees the trigger: the finance page filtered to its return (or order),
/// scrolled to its row.
pub fn page_link(e: &RefundEmail, public_url: &str) -> String {
    let t = &e.trigger;
    let q = e
        .rma
        .as_ref()
        .map_or(e.order.order.order_number.as_str(), |r| r.number.as_str());
    let query = serde_urlencoded::to_string([("q", q)]).unwrap_or_default();
    format!("{public_url}/finance/refunds?{query}#refund-{}", t.id)
}

/// The email for trigger `e`, with `page` (see [`page_link`]) to open it.
pub fn compose(e: &RefundEmail, from: &str, to: &str, page: &str) -> Result<Message, String> {
    let t = &e.trigger;
    let o = &e.order.order;
    let amount = crate::domain::display::amount(t.amount_minor, &t.currency);
    let calc = Calculation::read(&t.calculation);
    let incident: Option<&IncidentRefund> = match &calc {
        Some(Calculation::Incident(i)) => Some(i),
        _ => None,
    };
    let method = t.method.parse::<RefundMethod>().ok();
    let verb = match method {
        Some(RefundMethod::StoreCredit) => "Store credit",
        Some(RefundMethod::ChargeCustomer) => "Charge",
        _ => "Refund",
    };
    let what = match &e.rma {
        Some(r) => format!("{verb} {}", r.number),
        None => format!(
            "Refund for a {} parcel",
            incident
                .map_or("", |i| i.incident.as_str())
                .replace('_', " ")
        ),
    };
    let subject = format!("{what}: {amount} {} (order {})", t.currency, o.order_number);
    let mut facts: Vec<(&str, String)> = vec![
        ("Refund trigger", t.id.clone()),
        ("Idempotency key", t.id.clone()),
        (
            "Order",
            format!("{} of {}", o.order_number, ts(o.placed_at)),
        ),
        (
            "Customer",
            format!("{} <{}>", o.customer_name, o.customer_email),
        ),
    ];
    match (&e.rma, &e.inspection) {
        (Some(r), inspection) => {
            facts.push(("RMA", format!("{} ({})", r.number, r.resolution)));
            if let Some(i) = inspection {
                facts.push((
                    "Inspection",
                    format!(
                        "{} on {} by {}",
                        i.outcome,
                        ts(i.inspected_at),
                        i.inspected_by
                    ),
                ));
            }
        }
        (None, _) => facts.push((
            "Incident",
            incident.map_or_else(String::new, |i| {
                format!("{}: {} ({}; {})", i.incident, i.detail, i.action, i.note)
            }),
        )),
    }
    let currency = &t.currency;
    let exchange = match &calc {
        Some(Calculation::Inspection(i)) => i.exchange.as_ref(),
        _ => None,
    };
    let todo = match (method, exchange) {
        (Some(RefundMethod::StoreCredit), _) if t.bonus_minor > 0 => {
            let bonus = crate::domain::display::amount(t.bonus_minor, currency);
            let credit = crate::domain::display::amount(
                t.amount_minor.saturating_add(t.bonus_minor),
                currency,
            );
            format!(
                "Issue store credit of {credit} {currency}: {amount} {currency} for the return plus a bonus of {bonus} {currency}"
            )
        }
        (Some(RefundMethod::StoreCredit), _) => {
            format!("Issue store credit of {amount} {currency}")
        }
        (Some(RefundMethod::ChargeCustomer), Some(x)) => format!(
            "Charge the customer {amount} {currency}: the replacement ({} {currency} with tax) costs more than what came back ({} {currency})",
            x.replacement_value, x.returned_value
        ),
        (Some(RefundMethod::ChargeCustomer), None) => {
            format!("Charge the customer {amount} {currency}")
        }
        (_, Some(x)) => format!(
            "Refund {amount} {currency} to the original payment: the replacement ({} {currency} with tax) costs less than what came back ({} {currency})",
            x.replacement_value, x.returned_value
        ),
        _ => format!("Refund {amount} {currency} to the original payment"),
    };
    facts.push(("To do", todo));
    let rows = rows(e, calc.as_ref());
    let notes = calc.as_ref().map_or(&[][..], Calculation::notes);
    let label = match &calc {
        Some(Calculation::Inspection(i)) => i.label_deduction.as_str(),
        _ => "",
    };

    let mut plain = String::new();
    for (k, v) in &facts {
        plain.push_str(&format!("{k:<16} {v}\n"));
    }
    let (heads, cells) = table(&rows, exchange.is_some());
    plain.push_str(&format!("\n{}\n", heads.join("  ")));
    for row in &cells {
        plain.push_str(&format!("{}\n", row.join("  ")));
    }
    // Any currency's zero ("0", "0.00", "0.000") has no digit but 0.
    if label.chars().any(|c| c.is_ascii_digit() && c != '0') {
        plain.push_str(&format!("Return label paid by the customer: -{label}\n"));
    }
    let total = match t.bonus_minor {
        0 => format!("Total: {amount} {currency}"),
        b => format!(
            "Total: {amount} {currency} + bonus {} {currency}",
            crate::domain::display::amount(b, currency)
        ),
    };
    plain.push_str(&format!("{total}\n"));
    if !notes.is_empty() {
        plain.push_str("\nHow it was worked out:\n");
        for n in notes {
            plain.push_str(&format!("- {n}\n"));
        }
    }
    plain.push_str(&format!(
        "\nOpen it on the finance page: {page}\n\
         When it is paid, acknowledge it there or: POST /api/v1/refunds/{}/acknowledge\n",
        t.id
    ));

    let mut html = String::from("<html><body><table>");
    for (k, v) in &facts {
        html.push_str(&format!(
            "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
            html_escape(k),
            html_escape(v)
        ));
    }
    html.push_str("</table><table border=\"1\" cellpadding=\"4\"><tr>");
    for h in &heads {
        html.push_str(&format!("<th>{}</th>", html_escape(h)));
    }
    html.push_str("</tr>");
    for row in &cells {
        html.push_str("<tr>");
        for cell in row {
            html.push_str(&format!("<td>{}</td>", html_escape(cell)));
        }
        html.push_str("</tr>");
    }
    html.push_str(&format!(
        "</table><p><strong>{}</strong></p>",
        html_escape(&total)
    ));
    if !notes.is_empty() {
        html.push_str("<ul>");
        for n in notes {
            html.push_str(&format!("<li>{}</li>", html_escape(n)));
        }
        html.push_str("</ul>");
    }
    html.push_str(&format!(
        "<p><a href=\"{}\">Open it on the finance page</a></p></body></html>",
        html_escape(page)
    ));

    let from: Mailbox = from.parse().map_err(|e| format!("email.from: {e}"))?;
    let to: Mailbox = to.parse().map_err(|e| format!("email.finance_to: {e}"))?;
    let domain = from.email.domain().to_string();
    let attachment = Attachment::new(format!("refund-{}.csv", t.id)).body(
        csv(e, &rows)?,
        ContentType::parse("text/csv").map_err(|e| e.to_string())?,
    );
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<refund-{}@{domain}>", t.id)))
        .header(TriggerHeader(t.id.clone()))
        .multipart(
            MultiPart::mixed()
                .multipart(
                    MultiPart::alternative()
                        .singlepart(SinglePart::plain(plain))
                        .singlepart(SinglePart::html(html)),
                )
                .singlepart(attachment),
        )
        .map_err(|e| e.to_string())
}
