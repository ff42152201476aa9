//! The email that tells a customer their return has moved: one per change they care
//! about (`domain::customer_news`), in the customer's language (the order's locale, else
//! the shipping country's), with
//! a link that opens the return's page signed in. A change followed within minutes by
//! another is left to the later one's email.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::Message;
use maud::html;

use crate::db::labels::{self, LabelRow};
use crate::db::orders::{self, OrderRecord};
use crate::db::refunds::{self, TriggerRow};
use crate::db::rmas::{self, RmaEventRow, RmaRow};
use crate::db::DbConnection;
use crate::domain::customer_news::tells_customer;
use crate::domain::{LabelPayer, RmaStatus};
use crate::error::AppError;
use crate::i18n::Lang;

/// Everything the email says, read in one go.
pub struct StatusEmail {
    pub event: RmaEventRow,
    pub rma: RmaRow,
    pub order: OrderRecord,
    pub refund: Option<TriggerRow>,
    /// What goes back: (title, quantity) per returned line.
    pub items: Vec<(String, i64)>,
    /// The label while it is the news: its row and its PDF, attached to the email.
    pub label: Option<(LabelRow, Option<Vec<u8>>)>,
}

/// What to do with a queued status email.
pub enum Prepared {
    Send(Box<StatusEmail>),
    /// Not sent, and why.
    Skip(&'static str),
}

pub fn load(c: &mut DbConnection, event_id: &str) -> Result<Prepared, AppError> {
    let Some(event) = rmas::event(c, event_id)? else {
        return Ok(Prepared::Skip("the RMA event is gone"));
    };
    let later = rmas::events(c, &event.rma_id)?
        .into_iter()
        .filter(|e| (e.at, &e.id) > (event.at, &event.id))
        .any(|e| tells_customer(e.to_status));
    if later {
        return Ok(Prepared::Skip(
            "a later change of the return has its own email",
        ));
    }
    let Some(rma) = rmas::find_by_id(c, &event.rma_id)? else {
        return Ok(Prepared::Skip("the RMA is gone"));
    };
    // An address that cannot be sent to is not retried: it would fail every time.
    if !crate::domain::order::usable_email(&rma.customer_email) {
        return Ok(Prepared::Skip("not sent: no usable address"));
    }
    let order = orders::load_by_id(c, &rma.order_id)?;
    let refund = refunds::trigger_for_rma(c, &rma.id)?;
    let items = rmas::lines(c, &rma.id)?
        .into_iter()
        .map(|l| {
            let title = order
                .lines
                .iter()
                .find(|o| o.line_id == l.line_id)
                .map_or_else(|| l.line_id.clone(), |o| o.title.clone());
            (title, l.quantity)
        })
        .collect();
    let label = match (event.to_status, labels::find(c, &rma.id)?) {
        (RmaStatus::LabelIssued, Some(label)) if label.voided_at.is_none() => {
            let pdf = labels::document(c, &rma.id, "pdf")?;
            Some((label, pdf))
        }
        _ => None,
    };
    Ok(Prepared::Send(Box::new(StatusEmail {
        event,
        rma,
        order,
        refund,
        items,
        label,
    })))
}

/// The shop's name as its emails show it: `email.from`'s display name, else its domain.
pub fn shop_name(from: &Mailbox) -> String {
    from.name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| from.email.domain().to_string())
}

/// Inline styles: mail programs drop `<style>` blocks and external sheets.
const PARAGRAPH: &str = "margin:0 0 16px;font-size:16px;line-height:1.5;";
const BUTTON: &str = "display:inline-block;padding:14px 24px;background:#1d4ed8;color:#ffffff;\
                      font-size:16px;font-weight:bold;text-decoration:none;border-radius:6px;";
const SMALL: &str = "margin:0;font-size:13px;line-height:1.5;color:#4b5563;";

/// The email for `e`, from `from` (the shop), with `link` to the return's page: a
/// styled HTML part, the same words as plain text, and the label PDF when it is new.
pub fn compose(e: &StatusEmail, from: &str, link: &str) -> Result<Message, String> {
    let o = &e.order.order;
    let lang = Lang::for_customer(&o.customer_locale, &o.ship_country);
    let status = e.event.to_status.as_str();
    let title = lang.t(&format!("news.{status}"));
    // A keep-it refund comes without anything sent back: the usual words would say the
    // items were checked.
    let kept = e.event.to_status == RmaStatus::RefundTriggered
        && e.rma.label_payer == LabelPayer::KeepIt.as_str();
    let sentence = match kept {
        true => lang.t("news.refund_triggered.keep_it.body"),
        false => lang.t(&format!("news.{status}.body")),
    };
    let number = &e.rma.number;
    let greeting = lang.t_with("hello", &[("name", &o.customer_name)]);
    let refund = e
        .refund
        .as_ref()
        .filter(|_| e.event.to_status == RmaStatus::RefundTriggered)
        .map(|t| {
            lang.money(
                // A store credit's bonus is the customer's too.
                &crate::domain::display::amount(
                    t.amount_minor.saturating_add(t.bonus_minor),
                    &t.currency,
                ),
                &t.currency,
            )
        });
    // The day in the customer's zone, as their return page shows it.
    let zone = backhaul_carriers::local_time::zone_of(&o.ship_country, o.ship_region.as_deref());
    let ship_by = e
        .label
        .as_ref()
        .map(|(l, _)| lang.local_day(l.expires_at.and_utc(), zone));
    let pdf = e.label.as_ref().and_then(|(_, pdf)| pdf.clone());
    let from: Mailbox = from.parse().map_err(|e| format!("email.from: {e}"))?;
    let shop = shop_name(&from);
    let subject = format!("{} {number}: {title}", lang.t("rma"));
    let items_heading = lang.t("email.items");
    let footer = format!(
        "{} {} · {} {number}",
        lang.t("order_number"),
        o.order_number,
        lang.t("rma")
    );

    let mut plain = format!("{greeting}\n\n{sentence}\n");
    if let Some(amount) = &refund {
        plain.push_str(&format!("\n{}: {amount}\n", lang.t("refund")));
    }
    if let Some(day) = &ship_by {
        plain.push_str(&format!("\n{}: {day}\n", lang.t("ship_by")));
    }
    if !e.items.is_empty() {
        plain.push_str(&format!("\n{items_heading}:\n"));
        for (item, quantity) in &e.items {
            plain.push_str(&format!("- {quantity} × {item}\n"));
        }
    }
    if pdf.is_some() {
        plain.push_str(&format!("\n{}\n", lang.t("email.label_attached")));
    }
    plain.push_str(&format!(
        "\n{}:\n{link}\n\n{footer}\n{shop}\n",
        lang.t("open_return")
    ));
    let page = html! {
        (maud::DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (subject) }
            }
            body style="margin:0;padding:0;background:#f3f4f6;color:#111827;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;" {
                table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;" {
                    tr { td align="center" style="padding:24px 12px;" {
                        table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;" {
                            tr { td style="padding:18px 28px;border-bottom:1px solid #e5e7eb;font-size:16px;font-weight:bold;color:#374151;" { (shop) } }
                            tr { td style="padding:28px;" {
                                h1 style="margin:0 0 20px;font-size:22px;line-height:1.3;" { (title) }
                                p style=(PARAGRAPH) { (greeting) }
                                p style=(PARAGRAPH) { (sentence) }
                                @if let Some(amount) = &refund {
                                    p style=(PARAGRAPH) { strong { (lang.t("refund")) ": " (amount) } }
                                }
                                @if let Some(day) = &ship_by {
                                    p style=(PARAGRAPH) { strong { (lang.t("ship_by")) ": " (day) } }
                                }
                                @if !e.items.is_empty() {
                                    p style="margin:0 0 8px;font-size:14px;font-weight:bold;color:#374151;" { (items_heading) }
                                    table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 20px;border-top:1px solid #e5e7eb;" {
                                        @for (item, quantity) in &e.items {
                                            tr {
                                                td style="padding:8px 0;border-bottom:1px solid #e5e7eb;font-size:15px;" { (item) }
                                                td align="right" style="padding:8px 0;border-bottom:1px solid #e5e7eb;font-size:15px;white-space:nowrap;" { "× " (quantity) }
                                            }
                                        }
                                    }
                                }
                                @if pdf.is_some() {
                                    p style=(PARAGRAPH) { (lang.t("email.label_attached")) }
                                }
                                p style="margin:24px 0;" { a href=(link) style=(BUTTON) { (lang.t("open_return")) } }
                                p style=(SMALL) { (footer) }
                            } }
                        }
                    } }
                }
            }
        }
    };

    let to: Mailbox = e
        .rma
        .customer_email
        .parse()
        .map_err(|_| format!("RMA {number} has no usable customer email address"))?;
    let domain = from.email.domain().to_string();
    let text = MultiPart::alternative_plain_html(plain, page.into_string());
    let body = match pdf {
        Some(pdf) => MultiPart::mixed().multipart(text).singlepart(
            Attachment::new(format!("return-label-{number}.pdf")).body(
                pdf,
                ContentType::parse("application/pdf").map_err(|e| e.to_string())?,
            ),
        ),
        None => text,
    };
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        // One event, one Message-ID: a resend after a crash is the same message.
        .message_id(Some(format!("<rma-event-{}@{domain}>", e.event.id)))
        .multipart(body)
        .map_err(|e| e.to_string())
}
