//! The email that tells a customer their return has moved: one per change they care
//! about (`domain::customer_news`), in the customer's language (the order's locale, else
//! the shipping country's), with
//! a link that opens the return's page signed in. A change followed within minutes by
//! another is left to the later one's email.

use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use maud::html;

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
    Ok(Prepared::Send(Box::new(StatusEmail {
        event,
        rma,
        order,
        refund,
    })))
}

/// The email for `e`, from `from`, with `link` to the return's page.
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
    let greeting = lang.t_with("hello", &[("name", &e.order.order.customer_name)]);
    let refund = e
        .refund
        .as_ref()
        .filter(|_| e.event.to_status == RmaStatus::RefundTriggered)
        .map(|t| {
            lang.money(
                &crate::domain::display::amount(t.amount_minor, &t.currency),
                &t.currency,
            )
        });
    let subject = format!("{} {number}: {title}", lang.t("rma"));

    let mut plain = format!("{greeting}\n\n{sentence}\n");
    if let Some(amount) = &refund {
        plain.push_str(&format!("\n{}: {amount}\n", lang.t("refund")));
    }
    plain.push_str(&format!(
        "\n{} ({} {}, {} {number}):\n{link}\n",
        lang.t("open_return"),
        lang.t("order_number"),
        e.order.order.order_number,
        lang.t("rma"),
    ));
    let page = html! {
        (maud::DOCTYPE)
        html lang=(lang.code()) {
            head { meta charset="utf-8"; title { (subject) } }
            body {
                p { (greeting) }
                p { (sentence) }
                @if let Some(amount) = &refund { p { strong { (lang.t("refund")) ": " (amount) } } }
                p { a href=(link) { (lang.t("open_return")) } }
                p { small { (lang.t("order_number")) " " (e.order.order.order_number) " · " (lang.t("rma")) " " (number) } }
            }
        }
    };

    let from: Mailbox = from.parse().map_err(|e| format!("email.from: {e}"))?;
    let to: Mailbox = e
        .rma
        .customer_email
        .parse()
        .map_err(|_| format!("RMA {number} has no usable customer email address"))?;
    let domain = from.email.domain().to_string();
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        // One event, one Message-ID: a resend after a crash is the same message.
        .message_id(Some(format!("<rma-event-{}@{domain}>", e.event.id)))
        .multipart(MultiPart::alternative_plain_html(plain, page.into_string()))
        .map_err(|e| e.to_string())
}
